// SPDX-License-Identifier: GPL-2.0-only
/*
 * softirq.c - softirq context: one softirq thread per CPU (created on first use) that runs
 * that CPU's expired timers, scheduled tasklets and ready RCU callbacks, in that order (the
 * kernel's softirq vector order), and the tasklet and timer objects themselves.
 *
 * Invariants:
 *  - A softirq thread arrives (like an IRQ: a decision, a preemption when it interrupts a
 *    running task) only when its CPU has work ready for it, no hard IRQ or other softirq runs
 *    there, and the CPU's task has neither bottom halves nor IRQs disabled; it then runs
 *    everything ready and ends, to be armed again for the next work.
 *  - Timers: an armed timer may fire at any time (time is free to pass) unless a timeout or
 *    another timer comes before it: an arrival takes the CPU's earliest armed timer, moves
 *    jiffies to its expiry if it is later, and fires every timer of the CPU due by then,
 *    earliest first. Tasklets run in scheduling order; a
 *    disabled or running tasklet waits. A handler never runs twice at once.
 *  - Happens-before: arming/scheduling -> the handler run; the handler's end -> the
 *    del_timer_sync()/tasklet_kill()/tasklet_disable() that waited for it.
 *  - Tasklet and timer state lives in the engine, keyed by the object's address (so a static
 *    or zeroed object is idle), and dies with the memory that holds it.
 */
#include "kernel_priv.h"

#include <stdlib.h>
#include <string.h>

static const char *const kw_softirqd_names[KW_MAX_CPUS] = {
	"softirq/0", "softirq/1", "softirq/2", "softirq/3", "softirq/4", "softirq/5", "softirq/6", "softirq/7",
};

static struct kw_softobj *kw_soft(struct kw_sim *s, const void *o, enum kw_objtype type)
{
	struct kw_obj *ob = kw_obj_get(s, o, type);

	if (ob->type != type)
		ob->type = (uint8_t)type;
	return &ob->u.soft;
}

/* The next item of type `type` ready on cpu, or NULL: the lowest (expires, seq) for timers
 * due by `now` (any armed one if `any`), the lowest seq for tasklets. */
static struct kw_obj *kw_soft_next(struct kw_sim *s, int cpu, enum kw_objtype type, bool any, uint64_t now)
{
	struct kw_obj *best = NULL;

	for (uint32_t i = 0; i < s->nobjs; i++) {
		struct kw_obj *o = &s->objs[i];
		const struct kw_softobj *so = &o->u.soft;

		if (o->type != type || !so->pending || so->running || so->cpu != cpu)
			continue;
		if (type == KW_OBJ_TASKLET && so->disabled)
			continue;
		if (type == KW_OBJ_TIMER && !any && so->expires > now)
			continue;
		if (!best || (type == KW_OBJ_TIMER && so->expires < best->u.soft.expires) ||
		    ((type != KW_OBJ_TIMER || so->expires == best->u.soft.expires) && so->seq < best->u.soft.seq))
			best = o;
	}
	return best;
}

bool kw_kernel_softirq_ready(struct kw_sim *s, struct kw_thread *t)
{
	if (!t->softirqd)
		return t->raised;
	/* a timer is ready when its expiry is the next moment of virtual time (or past) */
	return kw_soft_next(s, t->cpu, KW_OBJ_TIMER, false, kw_kernel_time_next(s)) ||
	       kw_soft_next(s, t->cpu, KW_OBJ_TASKLET, true, 0) || kw_rcu_cb_ready(s, t->cpu);
}

/* Run one tasklet or timer handler on softirq thread t. */
static void kw_soft_run(struct kw_sim *s, struct kw_thread *t, struct kw_obj *o, const char *what)
{
	const void *addr = o->addr;
	struct kw_softobj *so = &o->u.soft;
	void (*run)(void *) = so->run;
	struct kw_obj *after;

	so->pending = false;
	so->running = true;
	kw_vc_join(t->vc, so->vc);
	KW_TSAN_ACQUIRE(so); /* pairs with the release when it was armed */
	kw_trace_event(s, t, KW_OP_SOFTIRQ, addr, 0, so->expires, 0, 0, what);
	run((void *)addr);
	if (kw_ctx_leak_check(s, t, "handler returned"))
		kw_fail_now(s);
	/* the handler may have freed (or re-armed) its object: look it up again */
	after = kw_obj_find(s, addr);
	if (after && (after->type == KW_OBJ_TIMER || after->type == KW_OBJ_TASKLET)) {
		after->u.soft.running = false;
		kw_vc_join(after->u.soft.done, t->vc);
		KW_TSAN_RELEASE(&after->u.soft.done); /* pairs with del_timer_sync()/tasklet_kill() */
	}
	kw_vc_tick(t);
}

static void kw_softirqd_main(void *arg)
{
	struct kw_sim *s = kw_S;
	struct kw_thread *t = s->cur;
	bool advanced = false;

	(void)arg;
	for (;;) {
		struct kw_obj *o = kw_soft_next(s, t->cpu, KW_OBJ_TIMER, false, s->jiffies);

		if (!o && !advanced) {
			/* time passes to the CPU's earliest armed timer, if nothing comes before it */
			o = kw_soft_next(s, t->cpu, KW_OBJ_TIMER, false, kw_kernel_time_next(s));
			if (o && o->u.soft.expires > s->jiffies)
				s->jiffies = o->u.soft.expires;
		}
		advanced = true;
		if (o) {
			kw_soft_run(s, t, o, "timer fires");
			continue;
		}
		o = kw_soft_next(s, t->cpu, KW_OBJ_TASKLET, true, 0);
		if (o) {
			kw_soft_run(s, t, o, "tasklet runs");
			continue;
		}
		if (kw_rcu_run_one(s, t))
			continue;
		break;
	}
}

/* The softirq thread of cpu, created (at a scheduling point) on first use in a run. */
struct kw_thread *kw_softirqd(struct kw_sim *s, int cpu, uintptr_t pc)
{
	struct kw_kstate *ks = kw_ks(s);
	struct kw_thread *d = ks->softirqd[cpu];

	if (d)
		return d;
	if (s->cur)
		kw_point(s, KW_OP_SPAWN, NULL, 0, 0, NULL, pc);
	d = kw_thread_new(s, kw_softirqd_names[cpu], kw_softirqd_main, NULL, KW_SOFTIRQ, cpu, false);
	d->softirqd = true;
	ks->softirqd[cpu] = d;
	return d;
}

/* A softirq thread ended: arm it again (it arrives when its CPU has work for it). */
void kw_kernel_intr_end(struct kw_sim *s, struct kw_thread *t)
{
	(void)s;
	if (!t->softirqd)
		return;
	t->state = KW_T_LIVE;
	t->started = false;
	t->op.kind = KW_OP_IRQ_ENTRY;
}

bool kw_softirq_wait_enabled(struct kw_sim *s, const struct kw_op *op)
{
	struct kw_obj *o = kw_obj_find(s, op->addr);

	if (!o || (o->type != KW_OBJ_TIMER && o->type != KW_OBJ_TASKLET))
		return true;
	if (op->mode == 1) /* tasklet_kill: neither scheduled nor running */
		return !o->u.soft.pending && !o->u.soft.running;
	return !o->u.soft.running;
}

/* Wait until the handler of o is not running (and, for tasklet_kill, not scheduled). */
static void kw_soft_wait(struct kw_sim *s, struct kw_thread *t, const void *o, unsigned mode, uintptr_t pc,
			 const char *what)
{
	struct kw_obj *ob = kw_obj_find(s, o);

	if (ob && ob->u.soft.running && kw_ks(s)->softirqd[ob->u.soft.cpu] == t) {
		kw_report_set(s, "deadlock", pc, "%s from the handler it waits for", what);
		kw_fail_now(s);
	}
	kw_point(s, KW_OP_SOFTIRQ_WAIT, o, mode, 0, NULL, pc);
	ob = kw_obj_find(s, o);
	if (ob) {
		kw_vc_join(t->vc, ob->u.soft.done);
		KW_TSAN_ACQUIRE(&ob->u.soft.done);
	}
	kw_trace_event(s, t, KW_OP_SOFTIRQ_WAIT, o, 0, 0, 0, pc, what);
}

/* Arm (schedule) o on the caller's CPU (cpu 0 from setup): true if it already was. */
static bool kw_soft_arm(struct kw_sim *s, struct kw_thread *t, const void *o, enum kw_objtype type,
			void (*run)(void *), uint64_t expires, uintptr_t pc, const char *what)
{
	int cpu = t ? t->cpu : 0;
	struct kw_softobj *so;
	bool was;

	kw_softirqd(s, cpu, pc);
	if (t)
		kw_point(s, KW_OP_SOFTIRQ, o, 0, 0, NULL, pc);
	so = kw_soft(s, o, type);
	was = so->pending;
	if (!was || type == KW_OBJ_TIMER) {
		so->pending = true;
		so->run = run;
		so->expires = expires;
		so->seq = ++kw_ks(s)->softirq_seq;
		if (!was)
			so->cpu = (int16_t)cpu;
		if (t) {
			kw_vc_join(so->vc, t->vc);
			KW_TSAN_RELEASE(so);
			kw_vc_tick(t);
		}
	}
	kw_trace_event(s, t, KW_OP_SOFTIRQ, o, 0, expires, was, pc, what);
	return was;
}

/* ---- tasklets ----------------------------------------------------------------------------------- */

__attribute__((noinline)) void kw_tasklet_init(void *tl)
{
	struct kw_sim *s = kw_S;
	struct kw_softobj *so;

	if (!s || !s->in_run)
		return;
	so = kw_soft(s, tl, KW_OBJ_TASKLET);
	so->pending = false;
	so->disabled = 0;
}

__attribute__((noinline)) void kw_tasklet_schedule(void *tl, void (*run)(void *))
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);

	if (!s || !s->in_run)
		return;
	kw_soft_arm(s, t, tl, KW_OBJ_TASKLET, run, 0, KW_RET_PC, "tasklet_schedule");
}

__attribute__((noinline)) void kw_tasklet_kill(void *tl)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	uintptr_t pc = KW_RET_PC;

	if (!t)
		return;
	if (kw_intr(t)) {
		kw_report_set(s, "sleep-in-atomic", pc, "tasklet_kill() in interrupt context (it waits)");
		kw_fail_now(s);
	}
	kw_soft_wait(s, t, tl, 1, pc, "tasklet_kill");
}

__attribute__((noinline)) void kw_tasklet_disable(void *tl, bool wait)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	uintptr_t pc = KW_RET_PC;

	if (!t)
		return;
	kw_point(s, KW_OP_SOFTIRQ, tl, 0, 0, NULL, pc);
	kw_soft(s, tl, KW_OBJ_TASKLET)->disabled++;
	kw_trace_event(s, t, KW_OP_SOFTIRQ, tl, 0, 0, 0, pc, "tasklet_disable");
	if (wait)
		kw_soft_wait(s, t, tl, 0, pc, "tasklet_disable: wait for the handler");
}

__attribute__((noinline)) void kw_tasklet_enable(void *tl)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	uintptr_t pc = KW_RET_PC;
	struct kw_softobj *so;

	if (!t)
		return;
	kw_point(s, KW_OP_SOFTIRQ, tl, 0, 0, NULL, pc);
	so = kw_soft(s, tl, KW_OBJ_TASKLET);
	if (!so->disabled) {
		kw_report_set(s, "WARN_ON", pc, "tasklet_enable() of a tasklet that is not disabled");
		kw_fail_now(s);
	}
	so->disabled--;
	kw_trace_event(s, t, KW_OP_SOFTIRQ, tl, 0, 0, 0, pc, "tasklet_enable");
}

/* ---- timers --------------------------------------------------------------------------------------- */

__attribute__((noinline)) void kw_timer_init(void *timer)
{
	struct kw_sim *s = kw_S;

	if (!s || !s->in_run)
		return;
	kw_soft(s, timer, KW_OBJ_TIMER)->pending = false;
}

__attribute__((noinline)) int kw_mod_timer(void *timer, unsigned long expires, void (*run)(void *))
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);

	if (!s || !s->in_run)
		return 0;
	return kw_soft_arm(s, t, timer, KW_OBJ_TIMER, run, expires, KW_RET_PC, "mod_timer");
}

__attribute__((noinline)) int kw_del_timer(void *timer, bool sync)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	uintptr_t pc = KW_RET_PC;
	struct kw_softobj *so;
	bool was;

	if (!t)
		return 0;
	if (sync && t->kind == KW_IRQ) {
		kw_report_set(s, "sleep-in-atomic", pc, "del_timer_sync() in hard-IRQ context (it may wait for the handler forever)");
		kw_fail_now(s);
	}
	kw_point(s, KW_OP_SOFTIRQ, timer, 0, 0, NULL, pc);
	so = kw_soft(s, timer, KW_OBJ_TIMER);
	was = so->pending;
	so->pending = false;
	kw_trace_event(s, t, KW_OP_SOFTIRQ, timer, 0, 0, was, pc, sync ? "del_timer_sync" : "del_timer");
	if (sync)
		kw_soft_wait(s, t, timer, 0, pc, "del_timer_sync: wait for the handler");
	return was;
}

__attribute__((noinline)) bool kw_timer_pending(void *timer)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	struct kw_obj *o;

	if (!s || !s->in_run)
		return false;
	if (t)
		kw_point(s, KW_OP_SOFTIRQ, timer, 0, 0, NULL, KW_RET_PC);
	o = kw_obj_find(s, timer);
	return o && o->type == KW_OBJ_TIMER && o->u.soft.pending;
}
