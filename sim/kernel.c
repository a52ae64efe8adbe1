// SPDX-License-Identifier: GPL-2.0-only
/*
 * kernel.c - the kernel's sleeping primitives and context rules, built into the engine:
 * spinlocks (+irqsave), mutexes, rw_semaphores (+non-owner and ownership hand-off),
 * completions, wait queues with prepare_to_wait()/schedule(), schedule_timeout() on a
 * virtual clock, worker threads fed by a FIFO, thread start/join, interrupts, and the lock
 * checkers (sleeping in atomic context, non-owner unlock, locks held at exit or at a syscall
 * return, lock-order inversion, IRQ-unsafe locks, deadlock and hang reports).
 *
 * Invariants:
 *  - Every primitive's state lives in an engine object keyed by the kernel object's address
 *    (struct kw_obj), created on first use in a run and discarded with the run: a static or
 *    zeroed lock is ready, and no run sees another's state.
 *  - Each blocking call is one scheduling point whose op is enabled exactly when the call
 *    could return (lock free, completion done, task woken...); blocking is "not enabled".
 *  - Happens-before: unlock -> next lock, complete -> wait return, wake_up -> woken task,
 *    queue -> work run, last work -> flush return, thread end -> join, raise -> IRQ handler.
 *  - Lock-order edges are recorded per lock (instance) for the run; a new edge A->B is
 *    checked against a path B->...->A (lockdep's circular dependency), reported with both
 *    chains even when the run itself does not deadlock.
 */
#include "kw_internal.h"

#include <stdlib.h>
#include <string.h>

#define KW_MAX_EDGES 256

struct kw_edge {
	int a, b;		/* lock classes: a was held when b was taken */
	uintptr_t pc_a, pc_b;	/* where a had been taken, where b was taken */
	int tid;		/* thread that did it */
};

struct kw_kstate {
	struct kw_edge e[KW_MAX_EDGES];	/* lock-order graph of this run */
	int ne;
	const void *cls_lock[64];	/* class -> lock address */
	uint8_t cls_irq[64];		/* bit0: taken in IRQ; bit1: taken in task with IRQs on */
	uintptr_t cls_irq_pc[64][2];	/* sites for the two usages */
	struct kw_worker wpool[16];	/* worker structures, reused */
};

static struct kw_kstate *kw_ks(struct kw_sim *s)
{
	if (!s->kstate)
		s->kstate = calloc(1, sizeof(struct kw_kstate));
	return s->kstate;
}

void kw_kernel_reset(struct kw_sim *s)
{
	struct kw_kstate *ks = kw_ks(s);

	kw_amap_clear(&s->objmap);
	s->nobjs = 0;
	s->nworkers = 0;
	s->nlockcls = 0;
	ks->ne = 0;
}

struct kw_obj *kw_obj_find(struct kw_sim *s, const void *addr)
{
	uint32_t *v = kw_amap_get(&s->objmap, (uintptr_t)addr);

	return v ? &s->objs[*v] : NULL;
}

struct kw_obj *kw_obj_get(struct kw_sim *s, const void *addr, enum kw_objtype type)
{
	uint32_t *v = kw_amap_get(&s->objmap, (uintptr_t)addr);
	struct kw_obj *o;

	if (v)
		return &s->objs[*v];
	if (s->nobjs == s->capobjs) {
		s->capobjs = s->capobjs ? 2 * s->capobjs : 64;
		s->objs = kw_xrealloc(s->objs, s->capobjs * sizeof(*s->objs));
	}
	o = &s->objs[s->nobjs];
	memset(o, 0, sizeof(*o));
	o->addr = addr;
	o->type = (uint8_t)type;
	if (type == KW_OBJ_LOCK)
		o->u.lock.cls = -1;
	*kw_amap_put(&s->objmap, (uintptr_t)addr) = s->nobjs++;
	return o;
}

/* Forget engine objects inside freed memory (kfree of a struct holding a lock). */
void kw_obj_forget_range(struct kw_sim *s, const void *p, size_t n)
{
	for (uint32_t i = 0; i < s->nobjs; i++) {
		uintptr_t a = (uintptr_t)s->objs[i].addr;

		if (a >= (uintptr_t)p && a < (uintptr_t)p + n && s->objs[i].type)
			kw_amap_del(&s->objmap, a), s->objs[i].type = 0;
	}
}

static struct kw_lock *kw_lock_of(struct kw_sim *s, const void *l)
{
	return &kw_obj_get(s, l, KW_OBJ_LOCK)->u.lock;
}

const char *kw_lock_label(struct kw_sim *s, const void *lock, char *buf, size_t n)
{
	struct kw_obj *o = kw_obj_find(s, lock);

	if (o && o->type == KW_OBJ_LOCK && o->u.lock.name)
		snprintf(buf, n, "%s", o->u.lock.name);
	else
		kw_addr_label(s, lock, buf, n);
	return buf;
}

void kw_lock_name(void *lock, const char *name)
{
	struct kw_sim *s = kw_S;

	if (s && s->in_run)
		kw_lock_of(s, lock)->name = name;
}

/* ---- context checks -------------------------------------------------------------------- */

static struct kw_thread *kw_cur_thread(struct kw_sim **sp)
{
	struct kw_sim *s = kw_S;

	*sp = s;
	return s && s->in_run ? s->cur : NULL;
}

static bool kw_atomic_ctx(const struct kw_thread *t, const char **why)
{
	if (t->kind == KW_IRQ)
		*why = "in hard-IRQ context";
	else if (t->preempt_off)
		*why = "with a spinlock held";
	else if (t->irqs_off)
		*why = "with IRQs disabled";
	else
		return false;
	return true;
}

static void kw_check_may_sleep(struct kw_sim *s, struct kw_thread *t, const char *what, uintptr_t pc)
{
	const char *why;
	char b[96];

	if (!kw_atomic_ctx(t, &why))
		return;
	kw_report_set(s, "sleep-in-atomic", pc, "sleeping function %s called %s by %s", what, why,
		      kw_thread_label(t, b, sizeof(b)));
	for (int i = 0; i < t->nheld; i++) {
		char l[64], site[160];

		kw_report_detail(s, "  holds %s, taken at %s\n",
				 kw_lock_label(s, t->held[i].lock, l, sizeof(l)),
				 kw_site(t->held[i].pc, site, sizeof(site)));
	}
	kw_fail_now(s);
}

static void kw_cpu_owner_update(struct kw_sim *s, struct kw_thread *t)
{
	struct kw_cpu *c = &s->cpu[t->cpu];

	if (t->kind == KW_IRQ)
		return;
	if (t->preempt_off || t->irqs_off)
		c->owner = t;
	else if (c->owner == t)
		c->owner = NULL;
}

/* ---- scheduling points of the primitives ---------------------------------------------- */

static void kw_point(struct kw_sim *s, unsigned kind, const void *addr, unsigned mode, uint64_t arg,
		     struct kw_thread *target, uintptr_t pc)
{
	struct kw_op op = { .kind = (uint8_t)kind, .mode = (uint8_t)mode, .addr = addr, .pc = pc,
			    .arg = arg, .target = target };

	if (kind == KW_OP_LOCK)
		op.obj = (uint32_t)(kw_obj_get(s, addr, KW_OBJ_LOCK) - s->objs) + 1;
	else if (kind == KW_OP_WAIT_COMPLETION)
		op.obj = (uint32_t)(kw_obj_get(s, addr, KW_OBJ_COMPLETION) - s->objs) + 1;
	kw_sched_point(s, &op);
	kw_mm_sync_op(s, s->cur); /* tso: locked instructions drain the store buffer */
}

/* ---- lock-order graph (lockdep-lite) -------------------------------------------------------- */

static int kw_lock_cls(struct kw_sim *s, struct kw_lock *l, const void *addr)
{
	struct kw_kstate *ks = kw_ks(s);

	if (l->cls < 0 && s->nlockcls < 64) {
		l->cls = s->nlockcls++;
		ks->cls_lock[l->cls] = addr;
		ks->cls_irq[l->cls] = 0;
	}
	return l->cls;
}

static bool kw_edge_path(struct kw_kstate *ks, int from, int to, int *via, int depth)
{
	if (from == to)
		return true;
	if (depth > 64)
		return false;
	for (int i = 0; i < ks->ne; i++)
		if (ks->e[i].a == from && kw_edge_path(ks, ks->e[i].b, to, via, depth + 1)) {
			if (depth == 0)
				*via = i;
			return true;
		}
	return false;
}

static void kw_lockdep_acquire(struct kw_sim *s, struct kw_thread *t, const void *addr,
			       struct kw_lock *l, unsigned mode, uintptr_t pc)
{
	struct kw_kstate *ks = kw_ks(s);
	int b = kw_lock_cls(s, l, addr);

	if (b < 0 || !s->cfg.lockdep)
		return;
	/* IRQ safety: a lock taken in hard-IRQ context must never be taken with IRQs on in task
	 * context (the IRQ could arrive on that CPU and spin on it forever) */
	if (mode == KW_LM_SPIN) {
		unsigned bit = t->kind == KW_IRQ ? 1u : (!t->irqs_off ? 2u : 0u);

		if (bit && !(ks->cls_irq[b] & bit)) {
			ks->cls_irq[b] |= (uint8_t)bit;
			ks->cls_irq_pc[b][bit - 1] = pc;
		}
		if ((ks->cls_irq[b] & 7u) == 3u) {
			char ln[64], s1[160], s2[160];

			kw_report_set(s, "irq-unsafe-lock", pc,
				      "inconsistent lock state: %s is taken in hard-IRQ context and with IRQs enabled in task context",
				      kw_lock_label(s, addr, ln, sizeof(ln)));
			kw_report_detail(s, "  taken in IRQ context at %s\n",
					 kw_site(ks->cls_irq_pc[b][0], s1, sizeof(s1)));
			kw_report_detail(s, "  taken with IRQs on at %s (use spin_lock_irqsave)\n",
					 kw_site(ks->cls_irq_pc[b][1], s2, sizeof(s2)));
			kw_report_defer(s);
			ks->cls_irq[b] |= 4u; /* reported once */
		}
	}
	for (int i = 0; i < t->nheld; i++) {
		struct kw_obj *ho = kw_obj_find(s, t->held[i].lock);
		int a, via = -1;
		bool have = false;

		if (!ho || ho->type != KW_OBJ_LOCK || ho->u.lock.cls < 0)
			continue;
		a = ho->u.lock.cls;
		if (a == b)
			continue;
		for (int k = 0; k < ks->ne; k++)
			if (ks->e[k].a == a && ks->e[k].b == b)
				have = true;
		if (have)
			continue;
		if (kw_edge_path(ks, b, a, &via, 0)) {
			const struct kw_edge *e = &ks->e[via];
			char la[64], lb[64], x1[160], x2[160], tb[96];

			kw_report_set(s, "lock-inversion", pc,
				      "possible circular locking dependency: %s then %s here, %s then %s earlier",
				      kw_lock_label(s, t->held[i].lock, la, sizeof(la)),
				      kw_lock_label(s, addr, lb, sizeof(lb)), lb, la);
			kw_report_detail(s, "  %s takes %s at %s\n", kw_thread_label(t, tb, sizeof(tb)), lb,
					 kw_site(pc, x1, sizeof(x1)));
			kw_report_detail(s, "    while holding %s, taken at %s\n", la,
					 kw_site(t->held[i].pc, x2, sizeof(x2)));
			kw_report_detail(s, "  %s took %s at %s\n",
					 kw_thread_label(&s->th[e->tid], tb, sizeof(tb)),
					 kw_lock_label(s, ks->cls_lock[e->b], la, sizeof(la)),
					 kw_site(e->pc_b, x1, sizeof(x1)));
			kw_report_detail(s, "    while holding %s, taken at %s\n",
					 kw_lock_label(s, ks->cls_lock[e->a], lb, sizeof(lb)),
					 kw_site(e->pc_a, x2, sizeof(x2)));
			kw_report_defer(s);
		}
		if (ks->ne < KW_MAX_EDGES)
			ks->e[ks->ne++] = (struct kw_edge){ .a = a, .b = b, .pc_a = t->held[i].pc, .pc_b = pc,
							    .tid = t->id };
	}
}

static void kw_held_push(struct kw_sim *s, struct kw_thread *t, const void *lock, unsigned mode,
			 uintptr_t pc)
{
	if (t->nheld == KW_MAX_HELD) {
		kw_report_set(s, "engine-limit", pc, "more than %d locks held", KW_MAX_HELD);
		kw_fail_now(s);
	}
	t->held[t->nheld++] = (struct kw_held){ .lock = lock, .mode = (uint8_t)mode, .pc = pc };
}

static bool kw_held_pop(struct kw_thread *t, const void *lock)
{
	for (int i = t->nheld - 1; i >= 0; i--)
		if (t->held[i].lock == lock) {
			memmove(&t->held[i], &t->held[i + 1], (size_t)(t->nheld - i - 1) * sizeof(t->held[0]));
			t->nheld--;
			return true;
		}
	return false;
}

static bool kw_holds(const struct kw_thread *t, const void *lock)
{
	for (int i = 0; i < t->nheld; i++)
		if (t->held[i].lock == lock)
			return true;
	return false;
}

/* ---- locks ------------------------------------------------------------------------------- */

static const char *kw_lm_name(unsigned mode)
{
	static const char *n[] = { "spin_lock", "mutex_lock", "down_read", "down_write", "down_read_non_owner" };

	return mode < 5 ? n[mode] : "lock";
}

static bool kw_lock_free_for(const struct kw_lock *l, unsigned mode)
{
	if (mode == KW_LM_READ || mode == KW_LM_READ_NON_OWNER)
		return l->owner == 0;
	return l->owner == 0 && l->readers == 0;
}

/* A writer that found the rwsem held blocks later readers (the kernel's rwsems do). */
static bool kw_writer_waiting(struct kw_sim *s, const void *lock, const struct kw_thread *self)
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
	unsigned long f = kw_local_irq_save();

	kw_lock_acquire(lock, KW_LM_SPIN, KW_RET_PC);
	return f;
}

__attribute__((noinline)) void kw_spin_unlock_irqrestore(void *lock, unsigned long flags)
{
	kw_lock_release(lock, KW_LM_SPIN, KW_RET_PC, "spin_unlock_irqrestore");
	kw_local_irq_restore(flags);
}

__attribute__((noinline)) void kw_spin_lock_irq(void *lock)
{
	kw_local_irq_disable();
	kw_lock_acquire(lock, KW_LM_SPIN, KW_RET_PC);
}

__attribute__((noinline)) void kw_spin_unlock_irq(void *lock)
{
	kw_lock_release(lock, KW_LM_SPIN, KW_RET_PC, "spin_unlock_irq");
	kw_local_irq_enable();
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

__attribute__((noinline)) void kw_lockdep_assert_held(void *lock)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);

	if (t && !kw_holds(t, lock)) {
		char ln[64];

		kw_report_set(s, "lockdep_assert_held", KW_RET_PC, "%s is not held here",
			      kw_lock_label(s, lock, ln, sizeof(ln)));
		kw_fail_now(s);
	}
}

/* ---- IRQ flags ------------------------------------------------------------------------------ */

static unsigned long kw_irq_flags_set(int off, uintptr_t pc, const char *what)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	unsigned long old;

	if (!t)
		return 0;
	if (t->kind == KW_IRQ)
		return 1; /* hard-IRQ handlers run with IRQs off */
	kw_point(s, KW_OP_IRQ_FLAGS, NULL, (unsigned)off, 0, NULL, pc);
	old = (unsigned long)t->irqs_off;
	t->irqs_off = off;
	kw_cpu_owner_update(s, t);
	kw_trace_event(s, t, KW_OP_IRQ_FLAGS, NULL, 0, (uint64_t)off, old, pc, what);
	return old;
}

__attribute__((noinline)) unsigned long kw_local_irq_save(void) { return kw_irq_flags_set(1, KW_RET_PC, "local_irq_save"); }
__attribute__((noinline)) void kw_local_irq_restore(unsigned long f) { kw_irq_flags_set(f ? 1 : 0, KW_RET_PC, "local_irq_restore"); }
__attribute__((noinline)) void kw_local_irq_disable(void) { kw_irq_flags_set(1, KW_RET_PC, "local_irq_disable"); }
__attribute__((noinline)) void kw_local_irq_enable(void) { kw_irq_flags_set(0, KW_RET_PC, "local_irq_enable"); }

bool kw_in_irq(void)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);

	return t && t->kind == KW_IRQ;
}

bool kw_in_task(void) { return !kw_in_irq(); }

bool kw_irqs_disabled(void)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);

	return t && (t->kind == KW_IRQ || t->irqs_off);
}

int kw_cpu(void)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);

	return t ? t->cpu : 0;
}

int kw_ncpus(void)
{
	struct kw_sim *s = kw_S;

	return s && s->ncpus ? s->ncpus : 2;
}

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

void kw_might_sleep_at(uintptr_t pc, const char *what)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);

	if (t)
		kw_check_may_sleep(s, t, what, pc);
}

__attribute__((noinline)) void kw_might_sleep(void)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);

	if (t)
		kw_check_may_sleep(s, t, "might_sleep", KW_RET_PC);
}

/* Let virtual time pass to the earliest pending schedule_timeout(); false if none. */
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

/* ---- threads, IRQs, workers -------------------------------------------------------------------- */

__attribute__((noinline)) struct kw_thread *kw_thread_run(const char *name, void (*fn)(void *), void *arg,
							  enum kw_kind kind, int cpu)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s), *u;
	uintptr_t pc = KW_RET_PC;

	if (!s || !s->in_run)
		return NULL;
	if (t)
		kw_point(s, KW_OP_SPAWN, NULL, 0, 0, NULL, pc);
	u = kw_thread_new(s, name, fn, arg, kind, cpu, true);
	if (t)
		kw_trace_event(s, t, KW_OP_SPAWN, NULL, 0, (uint64_t)u->id, 0, pc, "thread_run");
	return u;
}

/* t waits for u to end, and happens after it. */
static void kw_join_at(struct kw_sim *s, struct kw_thread *t, struct kw_thread *u, uintptr_t pc)
{
	kw_point(s, KW_OP_JOIN, u, 0, 0, u, pc);
	kw_vc_join(t->vc, u->vc);
	KW_TSAN_ACQUIRE(&u->state); /* pairs with the release at its end */
}

__attribute__((noinline)) void kw_thread_join(struct kw_thread *u)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	uintptr_t pc = KW_RET_PC;

	if (!t || !u)
		return;
	kw_check_may_sleep(s, t, "kthread_stop/join", pc);
	kw_join_at(s, t, u, pc);
	kw_trace_event(s, t, KW_OP_JOIN, NULL, 0, (uint64_t)u->id, 0, pc, "join");
}

__attribute__((noinline)) struct kw_thread *kw_irq_create(const char *name, void (*fn)(void *), void *arg,
							  int cpu)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);

	if (!s || !s->in_run)
		return NULL;
	if (t)
		kw_point(s, KW_OP_SPAWN, NULL, 0, 0, NULL, KW_RET_PC);
	return kw_thread_new(s, name, fn, arg, KW_IRQ, cpu, false);
}

__attribute__((noinline)) void kw_irq_raise(struct kw_thread *irq)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	uintptr_t pc = KW_RET_PC;

	if (!s || !s->in_run || !irq)
		return;
	if (t)
		kw_point(s, KW_OP_IRQ_RAISE, irq, 0, 0, irq, pc);
	if (irq->state == KW_T_DONE) {
		/* handled before: arm it again */
		irq->state = KW_T_LIVE;
		irq->started = false;
		irq->op.kind = KW_OP_IRQ_ENTRY;
	}
	if (!irq->started)
		irq->raised = true;
	/* what the raiser did happens before the handler (the device saw it) */
	if (t) {
		kw_vc_join(irq->vc, t->vc);
		KW_TSAN_RELEASE(&irq->fn); /* pairs with the acquire in kw_thread_entry() */
		kw_vc_tick(t);
		kw_trace_event(s, t, KW_OP_IRQ_RAISE, NULL, 0, (uint64_t)irq->id, 0, pc, "raise irq");
	}
}

static void kw_worker_main(void *arg)
{
	struct kw_worker *w = arg;
	struct kw_sim *s = kw_S;
	struct kw_thread *t = s->cur; /* w->t is not set yet during the prerun */

	for (;;) {
		struct kw_work it;

		kw_point(s, KW_OP_WORKER_WAIT, w, 0, 0, NULL, (uintptr_t)0);
		if (w->head == w->tail)
			break; /* stopping, nothing left */
		it = w->q[w->head % 64];
		w->head++;
		w->busy = true;
		kw_vc_join(t->vc, it.vc);
		KW_TSAN_ACQUIRE(&w->q[(w->head - 1) % 64]); /* pairs with kw_worker_queue() */
		kw_trace_event(s, t, KW_OP_WORKER_WAIT, NULL, 0, it.seq, 0, 0, "run work");
		it.fn(it.arg);
		if (t->nheld) {
			char ln[64], site[160];

			kw_report_set(s, "lock-held-at-exit", t->held[0].pc,
				      "work item returned with %s held (taken at %s)",
				      kw_lock_label(s, t->held[0].lock, ln, sizeof(ln)),
				      kw_site(t->held[0].pc, site, sizeof(site)));
			kw_fail_now(s);
		}
		w->busy = false;
		w->done_seq = it.seq;
		kw_vc_join(w->done_vc, t->vc);
		KW_TSAN_RELEASE(&w->done_vc); /* pairs with kw_worker_flush() */
		kw_vc_tick(t);
	}
}

__attribute__((noinline)) struct kw_worker *kw_worker_create(const char *name, int cpu)
{
	struct kw_sim *s = kw_S;
	struct kw_kstate *ks;
	struct kw_worker *w;

	if (!s || !s->in_run)
		return NULL;
	ks = kw_ks(s);
	if (s->nworkers == 16) {
		kw_report_set(s, "engine-limit", KW_RET_PC, "more than 16 workers in one run");
		kw_fail_now(s);
	}
	w = &ks->wpool[s->nworkers];
	s->workers[s->nworkers++] = w;
	memset(w, 0, sizeof(*w));
	if (s->cur)
		kw_point(s, KW_OP_SPAWN, NULL, 0, 0, NULL, KW_RET_PC);
	w->t = kw_thread_new(s, name, kw_worker_main, w, KW_WORKER, cpu, true);
	w->t->worker = w;
	return w;
}

__attribute__((noinline)) bool kw_worker_queue(struct kw_worker *w, void (*fn)(void *), void *arg)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	uintptr_t pc = KW_RET_PC;
	struct kw_work *it;

	if (!t || !w)
		return false;
	kw_point(s, KW_OP_QUEUE, w, 0, 0, NULL, pc);
	for (unsigned i = w->head; i != w->tail; i++)
		if (w->q[i % 64].fn == fn && w->q[i % 64].arg == arg) {
			kw_trace_event(s, t, KW_OP_QUEUE, w, 0, 0, 0, pc, "queue (already pending)");
			return false;
		}
	if (w->tail - w->head == 64) {
		kw_report_set(s, "engine-limit", pc, "more than 64 work items pending on one worker");
		kw_fail_now(s);
	}
	it = &w->q[w->tail % 64];
	it->fn = fn;
	it->arg = arg;
	it->seq = ++w->tail;
	memcpy(it->vc, t->vc, sizeof(it->vc));
	KW_TSAN_RELEASE(it);
	kw_vc_tick(t);
	kw_trace_event(s, t, KW_OP_QUEUE, w, 0, it->seq, 0, pc, "queue work");
	return true;
}

__attribute__((noinline)) void kw_worker_flush(struct kw_worker *w)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	uintptr_t pc = KW_RET_PC;

	if (!t || !w)
		return;
	kw_check_may_sleep(s, t, "flush_workqueue", pc);
	if (w->t == t) {
		kw_report_set(s, "deadlock", pc, "a worker flushes its own queue");
		kw_fail_now(s);
	}
	kw_point(s, KW_OP_FLUSH, w, 0, w->tail, NULL, pc);
	kw_vc_join(t->vc, w->done_vc);
	KW_TSAN_ACQUIRE(&w->done_vc);
	kw_trace_event(s, t, KW_OP_FLUSH, w, 0, w->tail, 0, pc, "flush");
}

__attribute__((noinline)) void kw_worker_destroy(struct kw_worker *w)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	uintptr_t pc = KW_RET_PC;

	if (!t || !w)
		return;
	kw_check_may_sleep(s, t, "destroy_workqueue", pc);
	kw_point(s, KW_OP_QUEUE, w, 0, 0, NULL, pc);
	w->stopping = true;
	kw_trace_event(s, t, KW_OP_QUEUE, w, 0, 0, 0, pc, "stop worker");
	kw_join_at(s, t, w->t, pc);
}

__attribute__((noinline)) unsigned kw_worker_pending(struct kw_worker *w)
{
	struct kw_sim *s = kw_S;

	if (!w)
		return 0;
	if (s && s->in_run && s->cur)
		kw_point(s, KW_OP_QUEUE, w, 0, 0, NULL, KW_RET_PC);
	return (w->tail - w->head) + (w->busy ? 1u : 0u);
}

/* ---- enabledness --------------------------------------------------------------------------- */

bool kw_kernel_op_enabled(struct kw_sim *s, struct kw_thread *t, const struct kw_op *op)
{
	struct kw_obj *o;

	switch (op->kind) {
	case KW_OP_LOCK:
		o = op->obj ? &s->objs[op->obj - 1] : kw_obj_find(s, op->addr);
		if (!o)
			return true;
		if (!kw_lock_free_for(&o->u.lock, op->mode))
			return false;
		if (op->mode == KW_LM_READ && kw_writer_waiting(s, op->addr, t))
			return false;
		return true;
	case KW_OP_WAIT_COMPLETION:
		o = op->obj ? &s->objs[op->obj - 1] : kw_obj_find(s, op->addr);
		return o && o->u.comp.done > 0;
	case KW_OP_SCHEDULE:
		return t->task_state == KW_TASK_RUNNING || (t->deadline && s->jiffies >= t->deadline);
	case KW_OP_JOIN:
		return op->target->state == KW_T_DONE;
	case KW_OP_WORKER_WAIT:
		return t->worker && (t->worker->head != t->worker->tail || t->worker->stopping);
	case KW_OP_FLUSH: {
		const struct kw_worker *w = op->addr;

		return w->done_seq >= op->arg;
	}
	default:
		return true;
	}
}

/* ---- end of thread, deadlock and hang reports ---------------------------------------------- */

void kw_kernel_thread_exit(struct kw_sim *s, struct kw_thread *t)
{
	if (t->nheld) {
		char ln[64], site[160], b[96];

		kw_report_set(s, "lock-held-at-exit", t->held[0].pc, "%s ends holding %s (taken at %s)",
			      kw_thread_label(t, b, sizeof(b)),
			      kw_lock_label(s, t->held[0].lock, ln, sizeof(ln)),
			      kw_site(t->held[0].pc, site, sizeof(site)));
		for (int i = 1; i < t->nheld; i++)
			kw_report_detail(s, "  also holds %s, taken at %s\n",
					 kw_lock_label(s, t->held[i].lock, ln, sizeof(ln)),
					 kw_site(t->held[i].pc, site, sizeof(site)));
		kw_fail_now(s);
	}
	if (t->irqs_off && t->kind != KW_IRQ) {
		char b[96];

		kw_report_set(s, "irqs-off-at-exit", 0, "%s ends with IRQs disabled", kw_thread_label(t, b, sizeof(b)));
		kw_fail_now(s);
	}
}

__attribute__((noinline)) void kw_syscall_return(void)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	uintptr_t pc = KW_RET_PC;

	if (!t)
		return;
	kw_trace_event(s, t, KW_OP_SYSCALL_RET, NULL, 0, 0, 0, pc, "return to userspace");
	if (t->nheld) {
		char ln[64], site[160];

		kw_report_set(s, "lock-held-at-syscall-return", pc,
			      "return to userspace with %s held (taken at %s); hand it off or release it",
			      kw_lock_label(s, t->held[0].lock, ln, sizeof(ln)),
			      kw_site(t->held[0].pc, site, sizeof(site)));
		kw_fail_now(s);
	}
}

/* Who t waits for, or NULL. */
static struct kw_thread *kw_waits_for(struct kw_sim *s, struct kw_thread *t)
{
	const struct kw_op *op = &t->op;

	if (t->kind != KW_IRQ) {
		struct kw_cpu *c = &s->cpu[t->cpu];

		if (c->irq && c->irq != t)
			return c->irq;
		if (c->owner && c->owner != t)
			return c->owner;
	}
	if (op->kind == KW_OP_LOCK) {
		struct kw_obj *o = kw_obj_find(s, op->addr);

		if (o && o->u.lock.owner > 0)
			return &s->th[o->u.lock.owner - 1];
		if (o && o->u.lock.reader_mask)
			return &s->th[__builtin_ctz(o->u.lock.reader_mask)];
	}
	if (op->kind == KW_OP_JOIN)
		return op->target;
	if (op->kind == KW_OP_FLUSH)
		return ((const struct kw_worker *)op->addr)->t;
	return NULL;
}

static const char *kw_blocked_what(struct kw_sim *s, struct kw_thread *t, char *buf, size_t n)
{
	const struct kw_op *op = &t->op;
	char l[64];

	switch (op->kind) {
	case KW_OP_LOCK:
		snprintf(buf, n, "%s(%s)", kw_lm_name(op->mode), kw_lock_label(s, op->addr, l, sizeof(l)));
		break;
	case KW_OP_WAIT_COMPLETION:
		snprintf(buf, n, "wait_for_completion(%s)", kw_addr_label(s, op->addr, l, sizeof(l)));
		break;
	case KW_OP_SCHEDULE:
		snprintf(buf, n, "schedule() asleep%s%s, nobody left to wake it", t->wq ? " on " : "",
			 t->wq ? kw_addr_label(s, t->wq, l, sizeof(l)) : "");
		break;
	case KW_OP_JOIN:
		snprintf(buf, n, "join(T%d)", op->target->id);
		break;
	case KW_OP_FLUSH:
		snprintf(buf, n, "flush of a worker queue");
		break;
	case KW_OP_IRQ_ENTRY:
		snprintf(buf, n, "interrupt pending, IRQs disabled on cpu %d", t->cpu);
		break;
	default:
		snprintf(buf, n, "waiting for its CPU");
		break;
	}
	return buf;
}

void kw_kernel_deadlock_report(struct kw_sim *s)
{
	struct kw_thread *blocked[KW_MAX_THREADS];
	int nb = 0, cyc_start = -1;
	char w[160], site[160], lb[96];

	for (int i = 0; i < s->nth; i++) {
		struct kw_thread *t = &s->th[i];

		if (t->state != KW_T_LIVE || (t->kind == KW_IRQ && !t->started && !t->raised))
			continue;
		if (t->daemon && t->op.kind == KW_OP_WORKER_WAIT)
			continue;
		blocked[nb++] = t;
	}
	/* find a wait-for cycle */
	for (int i = 0; i < nb && cyc_start < 0; i++) {
		struct kw_thread *slow = blocked[i], *fast = blocked[i];

		for (int k = 0; k < 2 * KW_MAX_THREADS; k++) {
			fast = fast ? kw_waits_for(s, fast) : NULL;
			fast = fast ? kw_waits_for(s, fast) : NULL;
			slow = kw_waits_for(s, slow);
			if (!fast || !slow)
				break;
			if (fast == slow) {
				cyc_start = slow->id;
				break;
			}
		}
	}
	if (cyc_start >= 0) {
		struct kw_thread *t = &s->th[cyc_start];

		kw_report_set(s, "deadlock", t->op.pc, "deadlock: %d threads wait for each other in a cycle",
			      nb);
		s->rep.tid = t->id;
		kw_report_detail(s, "  cycle:");
		do {
			kw_report_detail(s, " T%d ->", t->id);
			t = kw_waits_for(s, t);
		} while (t && t->id != cyc_start);
		kw_report_detail(s, " T%d\n", cyc_start);
	} else {
		struct kw_thread *t = nb ? blocked[0] : NULL;

		kw_report_set(s, "hang", t ? t->op.pc : 0,
			      "hang: %d thread%s blocked forever with no thread left to run (a lost wakeup or a missing complete?)",
			      nb, nb == 1 ? "" : "s");
		s->rep.tid = t ? t->id : -1;
	}
	for (int i = 0; i < nb; i++) {
		struct kw_thread *t = blocked[i], *o = kw_waits_for(s, t);

		kw_report_detail(s, "  %s: %s at %s\n", kw_thread_label(t, lb, sizeof(lb)),
				 kw_blocked_what(s, t, w, sizeof(w)), kw_site(t->op.pc, site, sizeof(site)));
		if (o)
			kw_report_detail(s, "    waits for T%d\n", o->id);
		for (int k = 0; k < t->nheld; k++) {
			char l[64];

			kw_report_detail(s, "    holds %s, taken at %s\n",
					 kw_lock_label(s, t->held[k].lock, l, sizeof(l)),
					 kw_site(t->held[k].pc, site, sizeof(site)));
		}
	}
}
