// SPDX-License-Identifier: GPL-2.0-only
/*
 * waits.c - wait queues the kernel's way (set_current_state()/prepare_to_wait(), test,
 * schedule()), wake_up(), wake_up_process(), schedule_timeout() on a virtual clock, signals,
 * and the hashed waits keyed by an address (wait_var_event/wake_up_var, wait_on_bit/
 * wake_up_bit) with the kernel's lockless waiter test.
 *
 * Invariants:
 *  - Happens-before: wake_up -> the woken task; send_sig -> the sleep it interrupts.
 *  - set_current_state() and wake_up() each imply smp_mb(), pairing with each other.
 *  - A sleep with a timeout may time out at any scheduling point (the scheduler choosing the
 *    sleeper is the decision) if no other timeout or timer is due before it; virtual time
 *    then jumps to its deadline. Time never goes back.
 *  - A signal wakes an interruptible sleep (a fatal one a killable sleep too) and stays
 *    pending; a sleep entered with such a signal pending returns at once.
 *  - Each wait queue (one of KW_WQ_WORDS words, in first-use order) has a "waiters" word that is a location
 *    of the memory model: prepare_to_wait() adds to it with a relaxed RMW (then the implied
 *    smp_mb()); waitqueue_active(), wake_up_var() and wake_up_bit() read it with a relaxed
 *    load and no barrier, so a waker that does not order its condition store before that load
 *    can miss a waiter that misses the condition (the kernel's documented lost wakeup). The
 *    word only grows (a finished waiter stays counted: a spurious wake-up is harmless), so a
 *    finish_wait() has no memory effect and needs no scheduling point.
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

/* The "waiters" word of a wait queue (a memory-model location in the engine's state): words
 * are handed out in first-use order within a run (never by address: runs must not depend on
 * where things are mapped); past KW_WQ_WORDS queues, later ones share (a spurious wake-up). */
static uint64_t *kw_wq_word(struct kw_sim *s, const void *wq)
{
	struct kw_kstate *ks = kw_ks(s);
	unsigned i;

	for (i = 0; i < KW_WQ_WORDS && ks->wq_keys[i]; i++)
		if (ks->wq_keys[i] == wq)
			return &ks->wq_words[i];
	if (i == KW_WQ_WORDS)
		return &ks->wq_words[ks->nwq_shared++ % KW_WQ_WORDS];
	ks->wq_keys[i] = wq;
	return &ks->wq_words[i];
}

/*
 * The waiters word is the engine's, not the code's: its accesses must decide only what they
 * read, never carry clocks between threads (a relaxed access would otherwise gather them for
 * the thread's next acquire fence, or hand them on through its release fence) nor change
 * what the thread's own last load was. kw_quiet_begin/end keep that state around them.
 */
struct kw_quiet {
	kw_vc_t acq;			/* acq_pending */
	uint32_t wmb;			/* wmb_fence[own id] */
	bool relf;			/* has_rel_fence */
	unsigned tsn;			/* tsan_npending */
	int src;			/* last_src */
	uintptr_t src_pc, loc, stale_pc, wait_loc;
	int64_t ts, wait_ts;
};

static void kw_quiet_begin(struct kw_thread *t, struct kw_quiet *q)
{
	memcpy(q->acq, t->acq_pending, sizeof(kw_vc_t));
	q->wmb = t->wmb_fence[t->id];
	q->relf = t->has_rel_fence;
	q->tsn = t->tsan_npending;
	q->src = t->last_src;
	q->src_pc = t->last_src_pc;
	q->loc = t->last_load_loc;
	q->ts = t->last_load_ts;
	q->stale_pc = t->stale_pc;
	q->wait_loc = t->wait_loc;
	q->wait_ts = t->wait_ts;
	t->has_rel_fence = false;
	t->wmb_fence[t->id] = 0;
}

static void kw_quiet_end(struct kw_thread *t, const struct kw_quiet *q)
{
	memcpy(t->acq_pending, q->acq, sizeof(kw_vc_t));
	t->wmb_fence[t->id] = q->wmb;
	t->has_rel_fence = q->relf;
	t->tsan_npending = q->tsn;
	t->last_src = q->src;
	t->last_src_pc = q->src_pc;
	t->last_load_loc = q->loc;
	t->last_load_ts = q->ts;
	t->stale_pc = q->stale_pc;
	t->wait_loc = q->wait_loc;
	t->wait_ts = q->wait_ts;
}

static void kw_wq_register(struct kw_sim *s, struct kw_thread *t, const void *wq, int bit1)
{
	struct kw_quiet q;

	if (t->wq == wq && t->wq_bit == bit1)
		return;
	t->wq = wq;
	t->wq_bit = bit1;
	kw_quiet_begin(t, &q);
	kw_mm_rmw(s, t, kw_wq_word(s, wq), 8, KW_RMW_ADD, 1, KW_RELAXED, 0);
	kw_quiet_end(t, &q);
}

static void kw_set_state(void *wq, int bit1, int state, uintptr_t pc, const char *what)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);

	if (!t)
		return;
	kw_point(s, KW_OP_PREPARE_WAIT, wq, 0, 0, NULL, pc);
	t->task_state = state;
	if (wq)
		kw_wq_register(s, t, wq, bit1);
	/* set_current_state() implies smp_mb(): pairs with the barrier in wake_up() */
	kw_mm_fence(s, t, KW_FENCE_MB);
	kw_trace_event(s, t, KW_OP_PREPARE_WAIT, wq, 0, (uint64_t)state, 0, pc, what);
}

__attribute__((noinline)) void kw_set_current_state(int state) { kw_set_state(NULL, 0, state, KW_RET_PC, "set_current_state"); }
__attribute__((noinline)) void kw_prepare_to_wait(void *wq, int state) { kw_set_state(wq, 0, state, KW_RET_PC, "prepare_to_wait"); }
__attribute__((noinline)) void kw_prepare_to_wait_key(const void *key, int bit, int state)
{
	kw_set_state((void *)key, bit + 1, state, KW_RET_PC, bit < 0 ? "prepare_to_wait_var" : "prepare_to_wait_bit");
}

void kw_finish_wait(void *wq)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);

	if (!t)
		return;
	t->task_state = KW_TASK_RUNNING;
	if (t->wq == wq) {
		t->wq = NULL;
		t->wq_bit = 0;
	}
}

void kw_finish_wait_key(const void *key, int bit)
{
	(void)bit;
	kw_finish_wait((void *)key);
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
	/* a signal pending for an interruptible (or, fatal, a killable) sleep: no sleep at all */
	if ((t->task_state == KW_TASK_INTERRUPTIBLE && t->sigpending) ||
	    ((t->task_state & KW_TASK_WAKEKILL) && t->sigpending == 2))
		t->task_state = KW_TASK_RUNNING;
	kw_point(s, KW_OP_SCHEDULE, t->wq, 0, (uint64_t)ticks, NULL, pc);
	if (t->task_state != KW_TASK_RUNNING && t->deadline) {
		/* chosen while still asleep: the timeout expired, time moves to it */
		if (s->jiffies < t->deadline)
			s->jiffies = t->deadline;
		t->timed_out = true;
	}
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

/* Wake the sleepers on wq (with bit1, for the hashed waits) or the one target. */
static int kw_wake_sleepers(struct kw_sim *s, struct kw_thread *t, const void *wq, int bit1, struct kw_thread *target)
{
	int n = 0;

	for (int i = 0; i < s->nth; i++) {
		struct kw_thread *u = &s->th[i];

		if (u->state != KW_T_LIVE || u->task_state == KW_TASK_RUNNING)
			continue;
		if ((target && u == target) || (!target && wq && u->wq == wq && u->wq_bit == bit1)) {
			kw_wake_one(t, u);
			n++;
		}
	}
	kw_vc_tick(t);
	return n;
}

static void kw_wake(void *wq, struct kw_thread *target, uintptr_t pc, const char *what)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	int n;

	if (!t)
		return;
	kw_point(s, KW_OP_WAKE, wq, 0, 0, target, pc);
	/* wake_up() implies smp_mb() before looking at the waiters: pairs with set_current_state() */
	kw_mm_fence(s, t, KW_FENCE_MB);
	n = kw_wake_sleepers(s, t, wq, 0, target);
	kw_trace_event(s, t, KW_OP_WAKE, wq, 0, (uint64_t)n, 0, pc, what);
}

/* The lockless waiter test: a relaxed load of the queue's waiters word, no barrier. */
static bool kw_wq_active(struct kw_sim *s, struct kw_thread *t, const void *wq)
{
	struct kw_quiet q;
	uint64_t v;

	kw_quiet_begin(t, &q);
	v = kw_mm_load(s, t, kw_wq_word(s, wq), 8, KW_RELAXED, 0);
	kw_quiet_end(t, &q);
	return v != 0;
}

__attribute__((noinline)) bool kw_waitqueue_active(void *wq)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	uintptr_t pc = KW_RET_PC;
	bool a;

	if (!t)
		return false;
	kw_point(s, KW_OP_WAKE, wq, 1, 0, NULL, pc);
	a = kw_wq_active(s, t, wq);
	kw_trace_event(s, t, KW_OP_WAKE, wq, 0, a, 0, pc, "waitqueue_active");
	return a;
}

/* wake_up_var()/wake_up_bit(): if the waiters word says so, wake the key's sleepers. */
__attribute__((noinline)) void kw_wake_up_key(const void *key, int bit)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	uintptr_t pc = KW_RET_PC;
	int n = -1;

	if (!t)
		return;
	kw_point(s, KW_OP_WAKE, key, 0, 0, NULL, pc);
	if (kw_wq_active(s, t, key))
		n = kw_wake_sleepers(s, t, key, bit + 1, NULL);
	kw_trace_event(s, t, KW_OP_WAKE, key, 0, (uint64_t)(n < 0 ? 0 : n), n < 0, pc,
		       n < 0 ? (bit < 0 ? "wake_up_var: no waiter seen" : "wake_up_bit: no waiter seen") :
		       (bit < 0 ? "wake_up_var" : "wake_up_bit"));
}

/* ---- signals ----------------------------------------------------------------------------------- */

__attribute__((noinline)) void kw_send_sig(struct kw_thread *u, bool fatal)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	uintptr_t pc = KW_RET_PC;
	uint8_t lvl = fatal ? 2 : 1;
	bool woke = false;

	if (!s || !s->in_run || !u)
		return;
	if (t)
		kw_point(s, KW_OP_WAKE, NULL, 2, 0, u, pc);
	if (u->sigpending < lvl)
		u->sigpending = lvl;
	if (u->state == KW_T_LIVE && (u->task_state == KW_TASK_INTERRUPTIBLE ||
				      ((u->task_state & KW_TASK_WAKEKILL) && fatal))) {
		if (t)
			kw_wake_one(t, u);
		else
			u->task_state = KW_TASK_RUNNING;
		woke = true;
	}
	if (t) {
		kw_vc_tick(t);
		kw_trace_event(s, t, KW_OP_WAKE, NULL, 0, (uint64_t)u->id, woke, pc, fatal ? "send_sig(SIGKILL)" : "send_sig");
	}
}

bool kw_signal_pending(struct kw_thread *u)
{
	return u && u->sigpending;
}

bool kw_fatal_signal_pending(struct kw_thread *u)
{
	return u && u->sigpending == 2;
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
