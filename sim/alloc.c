// SPDX-License-Identifier: GPL-2.0-only
/* alloc.c - placeholder until the simulated allocator lands. */
#include "kw_internal.h"
#include <stdlib.h>

struct kw_alloc { int unused; };
struct kw_alloc *kw_alloc_new(void) { static struct kw_alloc a; return &a; }
void kw_alloc_free_all(struct kw_alloc *a) { (void)a; }
void kw_alloc_reset(struct kw_sim *s) { (void)s; }
void kw_alloc_end_of_run(struct kw_sim *s) { (void)s; }
bool kw_alloc_check(struct kw_sim *s, struct kw_thread *t, const void *p, size_t n, bool write, uintptr_t pc)
{
	(void)s; (void)t; (void)p; (void)n; (void)write; (void)pc;
	return true;
}
const char *kw_alloc_name(struct kw_sim *s, const void *p, char *buf, size_t n) { (void)s; (void)p; (void)buf; (void)n; return NULL; }
void *kw_malloc(size_t size, bool zero) { return zero ? calloc(1, size) : malloc(size); }
void kw_free(const void *p) { free((void *)p); }
void kw_data_race_begin(void) {}
void kw_data_race_end(void) {}
