// SPDX-License-Identifier: GPL-2.0-only
/* race.c - placeholder until the race detector lands: plain accesses are not checked. */
#include "kw_internal.h"

struct kw_race { int unused; };
struct kw_race *kw_race_new(void) { static struct kw_race r; return &r; }
void kw_race_free(struct kw_race *r) { (void)r; }
void kw_race_reset(struct kw_sim *s) { (void)s; }
void kw_race_access(struct kw_sim *s, struct kw_thread *t, const void *p, size_t n, bool write,
		    bool atomic, uintptr_t pc)
{
	(void)s; (void)t; (void)p; (void)n; (void)write; (void)atomic; (void)pc;
}
void kw_race_forget(struct kw_sim *s, const void *p, size_t n) { (void)s; (void)p; (void)n; }
