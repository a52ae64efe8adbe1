// SPDX-License-Identifier: GPL-2.0-only
/*
 * waits.c - wait queues the kernel's way (set_current_state()/prepare_to_wait(), test,
 * schedule()), wake_up(), wake_up_process(), and schedule_timeout() on a virtual clock.
 *
 * Invariants:
 *  - Happens-before: wake_up -> the woken task.
 *  - set_current_state() and wake_up() each imply smp_mb(), pairing with each other.
 *  - Virtual time passes only when no thread is enabled and a timeout is pending.
 */
#include "kernel_priv.h"

#include <stdlib.h>
#include <string.h>

/* ---- wait queues and sleeping ------------------------------------------------------------- */

struct kw_thread *kw_current(void)
{
	struct kw_sim *s;

	return kw_cur_thread(&s);
}

uint64_t kw_jiffies(void)
{
	struct kw_sim *s = kw_S;

	return s ? s->jiffies : 0;
}

static void kw_set_state(void *wq, int state, uintptr_t pc, const char *what)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);

	if (!t)
		return;
	kw_point(s, KW_OP_PREPARE_WAIT, wq, 0, 0, NULL, pc);
	t->task_state = state;
	if (wq)
		t->wq = wq;
	/* set_current_state() implies smp_mb(): pairs with the barrier in wake_up() */
	kw_mm_fence(s, t, KW_FENCE_MB);
	kw_trace_event(s, t, KW_OP_PREPARE_WAIT, wq, 0, (uint64_t)state, 0, pc, what);
}

__attribute__((noinline)) void kw_set_current_state(int state) { kw_set_state(NULL, state, KW_RET_PC, "set_current_state"); }
__attribute__((noinline)) void kw_prepare_to_wait(void *wq, int state) { kw_set_state(wq, state, KW_RET_PC, "prepare_to_wait"); }

void kw_finish_wait(void *wq)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);

	if (!t)
		return;
	t->task_state = KW_TASK_RUNNING;
	if (t->wq == wq)
		t->wq = NULL;
}

static long kw_sleep(long ticks, uintptr_t pc, const char *what)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	long left = 0;

	if (!t)
		return 0;
	kw_check_may_sleep(s, t, what, pc);
	t->deadline = ticks > 0 ? s->jiffies + (uint64_t)ticks : 0;
	t->timed_out = false;
	kw_point(s, KW_OP_SCHEDULE, t->wq, 0, (uint64_t)ticks, NULL, pc);
	if (t->task_state != KW_TASK_RUNNING && t->deadline && s->jiffies >= t->deadline)
		t->timed_out = true;
	if (t->deadline && !t->timed_out)
		left = (long)(t->deadline - s->jiffies);
	t->deadline = 0;
	t->task_state = KW_TASK_RUNNING;
	KW_TSAN_ACQUIRE(&t->task_state); /* pairs with the waker's release in kw_wake_one() */
	kw_trace_event(s, t, KW_OP_SCHEDULE, NULL, 0, (uint64_t)ticks, t->timed_out, pc, what);
	return left;
}

__attribute__((noinline)) void kw_schedule(void) { kw_sleep(0, KW_RET_PC, "schedule"); }
__attribute__((noinline)) long kw_schedule_timeout(long ticks) { return kw_sleep(ticks, KW_RET_PC, "schedule_timeout"); }

static void kw_wake_one(struct kw_thread *t, struct kw_thread *u)
{
	u->task_state = KW_TASK_RUNNING;
	/* the woken task happens after the waker */
	kw_vc_join(u->vc, t->vc);
	KW_TSAN_RELEASE(&u->task_state);
}

static void kw_wake(void *wq, struct kw_thread *target, uintptr_t pc, const char *what)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	int n = 0;

	if (!t)
		return;
	kw_point(s, KW_OP_WAKE, wq, 0, 0, target, pc);
	/* wake_up() implies smp_mb() before looking at the waiters: pairs with set_current_state() */
	kw_mm_fence(s, t, KW_FENCE_MB);
	for (int i = 0; i < s->nth; i++) {
		struct kw_thread *u = &s->th[i];

		if (u->state != KW_T_LIVE || u->task_state == KW_TASK_RUNNING)
			continue;
		if ((target && u == target) || (!target && wq && u->wq == wq)) {
			kw_wake_one(t, u);
			n++;
		}
	}
	kw_vc_tick(t);
	kw_trace_event(s, t, KW_OP_WAKE, wq, 0, (uint64_t)n, 0, pc, what);
}

__attribute__((noinline)) void kw_wake_up(void *wq) { kw_wake(wq, NULL, KW_RET_PC, "wake_up"); }
__attribute__((noinline)) void kw_wake_up_all(void *wq) { kw_wake(wq, NULL, KW_RET_PC, "wake_up_all"); }
__attribute__((noinline)) void kw_wake_up_process(struct kw_thread *u) { kw_wake(NULL, u, KW_RET_PC, "wake_up_process"); }

bool kw_kernel_timer_advance(struct kw_sim *s)
{
	uint64_t next = 0;

	for (int i = 0; i < s->nth; i++) {
		struct kw_thread *u = &s->th[i];

		if (u->state == KW_T_LIVE && u->op.kind == KW_OP_SCHEDULE && u->deadline &&
		    u->task_state != KW_TASK_RUNNING && (!next || u->deadline < next))
			next = u->deadline;
	}
	if (!next || next <= s->jiffies)
		return false;
	s->jiffies = next;
	return true;
}
