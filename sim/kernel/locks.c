// SPDX-License-Identifier: GPL-2.0-only
/*
 * locks.c - spinlocks (+irqsave/irq), mutexes, rw_semaphores (+non-owner reads, downgrade)
 * and the explicit ownership hand-off for locks that cross a syscall return (aio).
 *
 * Invariants:
 *  - Happens-before: unlock -> next lock (the lock's release clock).
 *  - Only the owner unlocks (non-owner reads and hand-offs excepted); unlocking a free lock,
 *    recursive locking and unlock by a non-owner are reported.
 *  - A writer that found the rwsem held blocks later readers, as the kernel's rwsems do.
 */
#include "kernel_priv.h"

#include <stdlib.h>
#include <string.h>

/* ---- locks ------------------------------------------------------------------------------- */

const char *kw_lm_name(unsigned mode)
{
	static const char *n[] = { "spin_lock", "mutex_lock", "down_read", "down_write", "down_read_non_owner" };

	return mode < 5 ? n[mode] : "lock";
}

bool kw_lock_free_for(const struct kw_lock *l, unsigned mode)
{
	if (mode == KW_LM_READ || mode == KW_LM_READ_NON_OWNER)
		return l->owner == 0;
	return l->owner == 0 && l->readers == 0;
}

/* A writer that found the rwsem held blocks later readers (the kernel's rwsems do). */
bool kw_writer_waiting(struct kw_sim *s, const void *lock, const struct kw_thread *self)
{
	for (int i = 0; i < s->nth; i++) {
		const struct kw_thread *u = &s->th[i];

		if (u != self && u->state == KW_T_LIVE && u->op.kind == KW_OP_LOCK && u->op.addr == lock &&
		    u->op.mode == KW_LM_WRITE && u->op.arg == 1)
			return true;
	}
	return false;
}

/* t now holds lock in mode: the state, happens-before, and its CPU if it is a spinlock. */
static struct kw_lock *kw_lock_take(struct kw_sim *s, struct kw_thread *t, const void *lock, unsigned mode,
				    uintptr_t pc)
{
	struct kw_lock *l = kw_lock_of(s, lock);

	if (mode == KW_LM_READ || mode == KW_LM_READ_NON_OWNER) {
		l->readers++;
		if (mode == KW_LM_READ)
			l->reader_mask |= 1u << t->id;
	} else {
		l->owner = t->id + 1;
	}
	if (!l->mode)
		l->mode = (uint8_t)mode;
	l->acq_pc = pc;
	kw_vc_join(t->vc, l->vc);
	KW_TSAN_ACQUIRE(lock); /* pairs with the release in kw_lock_release() */
	kw_vc_tick(t);
	if (mode == KW_LM_SPIN && t->kind != KW_IRQ) {
		t->preempt_off++;
		kw_cpu_owner_update(s, t);
	}
	return l;
}

static void kw_lock_acquire(const void *lock, unsigned mode, uintptr_t pc)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	struct kw_lock *l;

	if (!t)
		return;
	if (mode != KW_LM_SPIN)
		kw_check_may_sleep(s, t, kw_lm_name(mode), pc);
	l = kw_lock_of(s, lock);
	if ((l->owner == t->id + 1) ||
	    (mode == KW_LM_WRITE && (l->reader_mask & (1u << t->id)))) {
		char b[64], site[160];

		kw_report_set(s, "deadlock", pc, "recursive locking: %s of %s already held by this thread",
			      kw_lm_name(mode), kw_lock_label(s, lock, b, sizeof(b)));
		kw_report_detail(s, "  first taken at %s\n", kw_site(l->acq_pc, site, sizeof(site)));
		kw_fail_now(s);
	}
	/* arg = 1 once the thread has found the lock taken: it is then "waiting" */
	kw_point(s, KW_OP_LOCK, lock, mode, !kw_lock_free_for(l, mode), NULL, pc);
	l = kw_lock_take(s, t, lock, mode, pc);
	if (mode != KW_LM_READ_NON_OWNER) {
		kw_lockdep_acquire(s, t, lock, l, mode, pc);
		kw_held_push(s, t, lock, mode, pc);
	}
	kw_trace_event(s, t, KW_OP_LOCK, lock, 0, mode, 0, pc, kw_lm_name(mode));
}

static void kw_lock_release(const void *lock, unsigned mode, uintptr_t pc, const char *what)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	struct kw_lock *l;
	char b[96], ln[64];

	if (!t)
		return;
	kw_point(s, KW_OP_UNLOCK, lock, mode, 0, NULL, pc);
	l = kw_lock_of(s, lock);
	if (mode == KW_LM_READ || mode == KW_LM_READ_NON_OWNER) {
		bool mine = l->reader_mask & (1u << t->id);

		if (l->readers == 0) {
			kw_report_set(s, "unlock-unheld", pc, "%s of %s, which no one holds for read", what,
				      kw_lock_label(s, lock, ln, sizeof(ln)));
			kw_fail_now(s);
		}
		if (mode == KW_LM_READ && !mine) {
			kw_report_set(s, "non-owner-unlock", pc,
				      "%s of %s by %s, which does not hold it (use up_read_non_owner or a hand-off)",
				      what, kw_lock_label(s, lock, ln, sizeof(ln)), kw_thread_label(t, b, sizeof(b)));
			kw_fail_now(s);
		}
		l->readers--;
		if (mode == KW_LM_READ)
			l->reader_mask &= ~(1u << t->id);
	} else {
		if (l->owner == 0) {
			kw_report_set(s, "unlock-unheld", pc, "%s of %s, which is not held", what,
				      kw_lock_label(s, lock, ln, sizeof(ln)));
			kw_fail_now(s);
		}
		if (l->owner != t->id + 1) {
			char o[96];

			kw_report_set(s, "non-owner-unlock", pc, "%s of %s by %s; the owner is %s", what,
				      kw_lock_label(s, lock, ln, sizeof(ln)), kw_thread_label(t, b, sizeof(b)),
				      l->owner == KW_OWNER_HANDOFF ? "nobody (handed off, not taken over)" :
				      kw_thread_label(&s->th[l->owner - 1], o, sizeof(o)));
			kw_fail_now(s);
		}
		l->owner = 0;
	}
	kw_held_pop(t, lock);
	kw_vc_join(l->vc, t->vc);
	KW_TSAN_RELEASE(lock);
	kw_vc_tick(t);
	if (mode == KW_LM_SPIN && t->kind != KW_IRQ) {
		t->preempt_off--;
		kw_cpu_owner_update(s, t);
	}
	kw_trace_event(s, t, KW_OP_UNLOCK, lock, 0, mode, 0, pc, what);
}

__attribute__((noinline)) void kw_spin_lock(void *lock) { kw_lock_acquire(lock, KW_LM_SPIN, KW_RET_PC); }
__attribute__((noinline)) void kw_spin_unlock(void *lock) { kw_lock_release(lock, KW_LM_SPIN, KW_RET_PC, "spin_unlock"); }
__attribute__((noinline)) void kw_mutex_lock(void *m) { kw_lock_acquire(m, KW_LM_MUTEX, KW_RET_PC); }
__attribute__((noinline)) void kw_mutex_unlock(void *m) { kw_lock_release(m, KW_LM_MUTEX, KW_RET_PC, "mutex_unlock"); }
__attribute__((noinline)) void kw_down_read(void *sem) { kw_lock_acquire(sem, KW_LM_READ, KW_RET_PC); }
__attribute__((noinline)) void kw_up_read(void *sem) { kw_lock_release(sem, KW_LM_READ, KW_RET_PC, "up_read"); }
__attribute__((noinline)) void kw_down_write(void *sem) { kw_lock_acquire(sem, KW_LM_WRITE, KW_RET_PC); }
__attribute__((noinline)) void kw_up_write(void *sem) { kw_lock_release(sem, KW_LM_WRITE, KW_RET_PC, "up_write"); }
__attribute__((noinline)) void kw_down_read_non_owner(void *sem) { kw_lock_acquire(sem, KW_LM_READ_NON_OWNER, KW_RET_PC); }
__attribute__((noinline)) void kw_up_read_non_owner(void *sem) { kw_lock_release(sem, KW_LM_READ_NON_OWNER, KW_RET_PC, "up_read_non_owner"); }

static bool kw_lock_try(const void *lock, unsigned mode, uintptr_t pc)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	struct kw_lock *l;

	if (!t)
		return true;
	kw_point(s, KW_OP_TRYLOCK, lock, mode, 0, NULL, pc);
	l = kw_lock_of(s, lock);
	if (!kw_lock_free_for(l, mode) || l->owner == t->id + 1) {
		kw_trace_event(s, t, KW_OP_TRYLOCK, lock, 0, mode, 0, pc, "trylock failed");
		return false;
	}
	kw_lock_take(s, t, lock, mode, pc);
	kw_held_push(s, t, lock, mode, pc); /* a trylock cannot deadlock: no order edge */
	kw_trace_event(s, t, KW_OP_TRYLOCK, lock, 0, mode, 1, pc, "trylock");
	return true;
}

__attribute__((noinline)) bool kw_spin_trylock(void *lock) { return kw_lock_try(lock, KW_LM_SPIN, KW_RET_PC); }
__attribute__((noinline)) bool kw_mutex_trylock(void *m) { return kw_lock_try(m, KW_LM_MUTEX, KW_RET_PC); }
__attribute__((noinline)) bool kw_down_read_trylock(void *sem) { return kw_lock_try(sem, KW_LM_READ, KW_RET_PC); }
__attribute__((noinline)) bool kw_down_write_trylock(void *sem) { return kw_lock_try(sem, KW_LM_WRITE, KW_RET_PC); }

bool kw_mutex_is_locked(void *m)
{
	struct kw_sim *s = kw_S;
	struct kw_obj *o = s && s->in_run ? kw_obj_find(s, m) : NULL;

	return o && o->type == KW_OBJ_LOCK && o->u.lock.owner != 0;
}

__attribute__((noinline)) void kw_downgrade_write(void *sem)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	struct kw_lock *l;
	uintptr_t pc = KW_RET_PC;

	if (!t)
		return;
	kw_point(s, KW_OP_UNLOCK, sem, KW_LM_WRITE, 0, NULL, pc);
	l = kw_lock_of(s, sem);
	if (l->owner != t->id + 1) {
		kw_report_set(s, "non-owner-unlock", pc, "downgrade_write of a rwsem not held for write");
		kw_fail_now(s);
	}
	l->owner = 0;
	l->readers++;
	l->reader_mask |= 1u << t->id;
	for (int i = 0; i < t->nheld; i++)
		if (t->held[i].lock == sem)
			t->held[i].mode = KW_LM_READ;
	kw_vc_join(l->vc, t->vc);
	KW_TSAN_RELEASE(sem);
	kw_trace_event(s, t, KW_OP_UNLOCK, sem, 0, KW_LM_WRITE, 0, pc, "downgrade_write");
}

__attribute__((noinline)) unsigned long kw_spin_lock_irqsave(void *lock)
{
	uintptr_t pc = KW_RET_PC;
	unsigned long f = kw_irq_flags_set(1, pc, "spin_lock_irqsave: local_irq_save");

	kw_lock_acquire(lock, KW_LM_SPIN, pc);
	return f;
}

__attribute__((noinline)) void kw_spin_unlock_irqrestore(void *lock, unsigned long flags)
{
	uintptr_t pc = KW_RET_PC;

	kw_lock_release(lock, KW_LM_SPIN, pc, "spin_unlock_irqrestore");
	kw_irq_flags_set(flags ? 1 : 0, pc, "spin_unlock_irqrestore: local_irq_restore");
}

__attribute__((noinline)) void kw_spin_lock_irq(void *lock)
{
	uintptr_t pc = KW_RET_PC;

	kw_irq_flags_set(1, pc, "spin_lock_irq: local_irq_disable");
	kw_lock_acquire(lock, KW_LM_SPIN, pc);
}

__attribute__((noinline)) void kw_spin_unlock_irq(void *lock)
{
	uintptr_t pc = KW_RET_PC;

	kw_lock_release(lock, KW_LM_SPIN, pc, "spin_unlock_irq");
	kw_irq_flags_set(0, pc, "spin_unlock_irq: local_irq_enable");
}

/* ---- ownership hand-off ------------------------------------------------------------------ */

__attribute__((noinline)) void kw_lock_release_handoff(void *lock)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	struct kw_lock *l;
	uintptr_t pc = KW_RET_PC;

	if (!t)
		return;
	kw_point(s, KW_OP_UNLOCK, lock, 0, 0, NULL, pc);
	l = kw_lock_of(s, lock);
	if (!kw_holds(t, lock)) {
		char ln[64];

		kw_report_set(s, "non-owner-unlock", pc, "hand-off of %s, which this thread does not hold",
			      kw_lock_label(s, lock, ln, sizeof(ln)));
		kw_fail_now(s);
	}
	kw_held_pop(t, lock);
	if (l->owner == t->id + 1)
		l->owner = KW_OWNER_HANDOFF;
	else
		l->reader_mask &= ~(1u << t->id); /* read hold: stays counted in readers */
	kw_vc_join(l->vc, t->vc);
	KW_TSAN_RELEASE(lock);
	kw_vc_tick(t);
	kw_trace_event(s, t, KW_OP_UNLOCK, lock, 0, 0, 0, pc, "release for hand-off");
}

__attribute__((noinline)) void kw_lock_acquire_handoff(void *lock)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	struct kw_lock *l;
	uintptr_t pc = KW_RET_PC;
	unsigned mode;

	if (!t)
		return;
	kw_point(s, KW_OP_TRYLOCK, lock, 0, 0, NULL, pc); /* never blocks */
	l = kw_lock_of(s, lock);
	if (l->owner == KW_OWNER_HANDOFF) {
		l->owner = t->id + 1;
		mode = l->mode ? l->mode : KW_LM_WRITE;
	} else if (l->readers > 0) {
		l->reader_mask |= 1u << t->id;
		mode = KW_LM_READ;
	} else {
		char ln[64];

		kw_report_set(s, "non-owner-unlock", pc, "take-over of %s, which was not handed off",
			      kw_lock_label(s, lock, ln, sizeof(ln)));
		kw_fail_now(s);
	}
	kw_vc_join(t->vc, l->vc);
	KW_TSAN_ACQUIRE(lock);
	kw_held_push(s, t, lock, mode, pc);
	kw_trace_event(s, t, KW_OP_LOCK, lock, 0, mode, 0, pc, "take over hand-off");
}

/* ---- bottom halves, lockdep subclasses and annotations --------------------------------------- */

__attribute__((noinline)) void kw_spin_lock_bh(void *lock)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	uintptr_t pc = KW_RET_PC;

	if (t)
		kw_bh_change(s, t, 1, pc, "spin_lock_bh: local_bh_disable");
	kw_lock_acquire(lock, KW_LM_SPIN, pc);
}

__attribute__((noinline)) void kw_spin_unlock_bh(void *lock)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	uintptr_t pc = KW_RET_PC;

	kw_lock_release(lock, KW_LM_SPIN, pc, "spin_unlock_bh");
	if (t)
		kw_bh_change(s, t, -1, pc, "spin_unlock_bh: local_bh_enable");
}

__attribute__((noinline)) bool kw_spin_trylock_bh(void *lock)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	uintptr_t pc = KW_RET_PC;

	if (!t)
		return true;
	kw_bh_change(s, t, 1, pc, "spin_trylock_bh: local_bh_disable");
	if (kw_lock_try(lock, KW_LM_SPIN, pc))
		return true;
	kw_bh_change(s, t, -1, pc, "spin_trylock_bh: local_bh_enable");
	return false;
}

/*
 * Subclass annotations. kweave's lock-order graph is per lock instance, not per lock class
 * (lockdep's key), so two locks of one kind taken in a fixed nesting never look like
 * recursion and need no annotation: the subclass is accepted and has no effect on the graph.
 * Taking the same instance twice is still a deadlock.
 */
__attribute__((noinline)) void kw_spin_lock_nested(void *lock, int subclass)
{
	(void)subclass;
	kw_lock_acquire(lock, KW_LM_SPIN, KW_RET_PC);
}

__attribute__((noinline)) void kw_mutex_lock_nested(void *m, int subclass)
{
	(void)subclass;
	kw_lock_acquire(m, KW_LM_MUTEX, KW_RET_PC);
}

__attribute__((noinline)) void kw_down_write_nested(void *sem, int subclass)
{
	(void)subclass;
	kw_lock_acquire(sem, KW_LM_WRITE, KW_RET_PC);
}

/* might_lock(): what taking the lock here would tell lockdep (order, recursion, context),
 * without taking it. No scheduling point: nothing another thread sees changes. */
__attribute__((noinline)) void kw_might_lock(void *lock, int shared)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	uintptr_t pc = KW_RET_PC;
	struct kw_lock *l;
	unsigned mode;

	if (!t)
		return;
	l = kw_lock_of(s, lock);
	mode = l->mode ? l->mode : KW_LM_MUTEX;
	if (shared && mode == KW_LM_WRITE)
		mode = KW_LM_READ;
	if (mode != KW_LM_SPIN)
		kw_check_may_sleep(s, t, "might_lock", pc);
	if (l->owner == t->id + 1 || (!shared && (l->reader_mask & (1u << t->id)))) {
		char b[64], site[160];

		kw_report_set(s, "deadlock", pc, "might_lock(%s): already held by this thread (recursive locking)",
			      kw_lock_label(s, lock, b, sizeof(b)));
		kw_report_detail(s, "  taken at %s\n", kw_site(l->acq_pc, site, sizeof(site)));
		kw_fail_now(s);
	}
	kw_lockdep_acquire(s, t, lock, l, mode, pc);
	kw_trace_event(s, t, KW_OP_LOCK, lock, 0, mode, 0, pc, "might_lock");
}

bool kw_lockdep_is_held(void *lock)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);

	return !t || kw_holds(t, lock);
}
