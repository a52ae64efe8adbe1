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

/* wait_for_completion_timeout/_interruptible/_killable: > 0 when done (ticks left, at least
 * 1), 0 when the timeout expired first, -ERESTARTSYS when a signal came first. The wait may
 * time out at any scheduling point (time then jumps to its deadline). */
__attribute__((noinline)) long kw_wait_for_completion_timeout(void *c, long ticks, int state)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	struct kw_completion *k;
	uintptr_t pc = KW_RET_PC;
	long ret;

	if (!t)
		return 1;
	kw_check_may_sleep(s, t, "wait_for_completion_timeout", pc);
	unsigned mode = state == KW_TASK_INTERRUPTIBLE ? 2 : (state & KW_TASK_WAKEKILL) ? 3 : 1;

	t->deadline = ticks > 0 ? s->jiffies + (uint64_t)ticks : 0;
	t->task_state = state;
	/* enabled (blocking.c) when done, a signal of the kind that interrupts it is pending, or
	 * (with a timeout) at any time */
	kw_point(s, KW_OP_WAIT_COMPLETION, c, mode, (uint64_t)ticks, NULL, pc);
	k = kw_comp(s, c);
	if (k->done) {
		if (k->done < (1u << 30))
			k->done--;
		kw_vc_join(t->vc, k->vc);
		KW_TSAN_ACQUIRE(c);
		ret = t->deadline ? (long)(t->deadline > s->jiffies ? t->deadline - s->jiffies : 1) : 1;
	} else if ((mode == 2 && t->sigpending) || (mode == 3 && t->sigpending == 2)) {
		ret = -512; /* -ERESTARTSYS: a signal */
	} else {
		if (s->jiffies < t->deadline)
			s->jiffies = t->deadline;
		ret = 0;
	}
	t->deadline = 0;
	t->task_state = KW_TASK_RUNNING;
	kw_trace_event(s, t, KW_OP_WAIT_COMPLETION, c, 0, (uint64_t)ret, 1, pc,
		       ret > 0 ? "wait_for_completion (timeout/signal armed)" : ret == 0 ? "wait_for_completion: timed out" :
		       "wait_for_completion: interrupted by a signal");
	return ret;
}
