// SPDX-License-Identifier: GPL-2.0-only
/*
 * completions.c - struct completion: complete(), complete_all(), wait_for_completion().
 *
 * Invariants:
 *  - Happens-before: complete -> the wait it satisfies.
 *  - complete_all() satisfies every later wait until reinit_completion().
 */
#include "kernel_priv.h"

#include <stdlib.h>
#include <string.h>

/* ---- completions --------------------------------------------------------------------------- */

static struct kw_completion *kw_comp(struct kw_sim *s, const void *c)
{
	return &kw_obj_get(s, c, KW_OBJ_COMPLETION)->u.comp;
}

__attribute__((noinline)) void kw_init_completion(void *c)
{
	struct kw_sim *s = kw_S;

	if (!s || !s->in_run)
		return;
	if (s->cur)
		kw_point(s, KW_OP_COMPLETE, c, 0, 0, NULL, KW_RET_PC);
	memset(kw_comp(s, c), 0, sizeof(struct kw_completion));
}

__attribute__((noinline)) void kw_reinit_completion(void *c)
{
	struct kw_sim *s = kw_S;

	if (!s || !s->in_run)
		return;
	if (s->cur)
		kw_point(s, KW_OP_COMPLETE, c, 0, 0, NULL, KW_RET_PC);
	kw_comp(s, c)->done = 0;
}

static void kw_complete_n(void *c, unsigned n, uintptr_t pc, const char *what)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	struct kw_completion *k;

	if (!t)
		return;
	kw_point(s, KW_OP_COMPLETE, c, 0, 0, NULL, pc);
	k = kw_comp(s, c);
	k->done = n ? k->done + n : 1u << 30;
	kw_vc_join(k->vc, t->vc);
	KW_TSAN_RELEASE(c); /* pairs with wait_for_completion() */
	kw_vc_tick(t);
	kw_trace_event(s, t, KW_OP_COMPLETE, c, 0, 0, 0, pc, what);
}

__attribute__((noinline)) void kw_complete(void *c) { kw_complete_n(c, 1, KW_RET_PC, "complete"); }
__attribute__((noinline)) void kw_complete_all(void *c) { kw_complete_n(c, 0, KW_RET_PC, "complete_all"); }

__attribute__((noinline)) void kw_wait_for_completion(void *c)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	struct kw_completion *k;
	uintptr_t pc = KW_RET_PC;

	if (!t)
		return;
	kw_check_may_sleep(s, t, "wait_for_completion", pc);
	kw_point(s, KW_OP_WAIT_COMPLETION, c, 0, 0, NULL, pc);
	k = kw_comp(s, c);
	if (k->done < (1u << 30))
		k->done--;
	kw_vc_join(t->vc, k->vc);
	KW_TSAN_ACQUIRE(c);
	kw_trace_event(s, t, KW_OP_WAIT_COMPLETION, c, 0, 0, 0, pc, "wait_for_completion");
}

__attribute__((noinline)) bool kw_try_wait_for_completion(void *c)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	struct kw_completion *k;
	uintptr_t pc = KW_RET_PC;

	if (!t)
		return true;
	kw_point(s, KW_OP_COMPLETE, c, 1, 0, NULL, pc);
	k = kw_comp(s, c);
	if (!k->done)
		return false;
	if (k->done < (1u << 30))
		k->done--;
	kw_vc_join(t->vc, k->vc);
	KW_TSAN_ACQUIRE(c);
	return true;
}

bool kw_completion_done(void *c)
{
	struct kw_sim *s = kw_S;

	return s && s->in_run && kw_comp(s, c)->done > 0;
}
