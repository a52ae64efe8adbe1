// SPDX-License-Identifier: GPL-2.0-only
/*
 * contexts.c - execution contexts: tasks, hard-IRQ and softirq handlers and their CPUs, IRQ
 * flags, preemption and bottom halves, thread start/join, the sleeping-in-atomic-context
 * check, thread exit and the marked syscall return.
 *
 * Invariants:
 *  - Happens-before: spawn -> child, thread end -> join, raise -> IRQ handler.
 *  - A context may sleep only when it is a task with no spinlock held, IRQs on, preemption
 *    and bottom halves enabled, and outside rcu_read_lock().
 *  - A task that disables IRQs, preemption or bottom halves, or holds a spinlock, owns its CPU
 *    (no other task of that CPU runs); no IRQ arrives while its IRQs are off, no softirq while
 *    its bottom halves (or IRQs) are off. Every change of these counts goes through
 *    kw_cpu_owner_update(), which also tells RCU whether a reader region began or ended.
 */
#include "kernel_priv.h"

#include <stdlib.h>
#include <string.h>

/* ---- context checks -------------------------------------------------------------------- */

bool kw_atomic_ctx(const struct kw_thread *t, const char **why)
{
	if (t->kind == KW_IRQ)
		*why = "in hard-IRQ context";
	else if (t->kind == KW_SOFTIRQ)
		*why = "in softirq context";
	else if (t->preempt_off)
		*why = "with a spinlock held";
	else if (t->irqs_off)
		*why = "with IRQs disabled";
	else if (t->bh_off)
		*why = "with bottom halves disabled";
	else if (t->preempt_cnt)
		*why = "with preemption disabled";
	else
		return false;
	return true;
}

void kw_check_may_sleep(struct kw_sim *s, struct kw_thread *t, const char *what, uintptr_t pc)
{
	const char *why;
	char b[96];

	if (!kw_atomic_ctx(t, &why)) {
		char site[160];

		if (!t->rcu_nest)
			return;
		kw_report_set(s, "sleep-in-rcu-reader", pc,
			      "sleeping function %s called inside an RCU read-side critical section by %s", what,
			      kw_thread_label(t, b, sizeof(b)));
		kw_report_detail(s, "  rcu_read_lock() at %s (a reader may not block: a grace period waits for it)\n",
				 kw_site(t->rcu_pc, site, sizeof(site)));
		kw_fail_now(s);
	}
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

void kw_cpu_owner_update(struct kw_sim *s, struct kw_thread *t)
{
	struct kw_cpu *c = &s->cpu[t->cpu];

	if (!kw_intr(t)) {
		if (t->preempt_off || t->irqs_off || t->preempt_cnt || t->bh_off)
			c->owner = t;
		else if (c->owner == t)
			c->owner = NULL;
	}
	kw_rcu_region_update(s, t);
}

/* ---- preemption and bottom halves ------------------------------------------------------ */

static void kw_ctx_count_at(struct kw_sim *s, struct kw_thread *t, int which, int d, uintptr_t pc, const char *what)
{
	int *cnt;

	cnt = which ? &t->bh_off : &t->preempt_cnt;
	kw_point(s, KW_OP_CTX, NULL, (unsigned)which, 0, NULL, pc);
	if (d < 0 && *cnt == 0) {
		char b[96];

		kw_report_set(s, "preempt-count-underflow", pc, "%s by %s without a matching %s", what,
			      kw_thread_label(t, b, sizeof(b)), which ? "local_bh_disable()" : "preempt_disable()");
		kw_fail_now(s);
	}
	*cnt += d;
	kw_cpu_owner_update(s, t);
	kw_trace_event(s, t, KW_OP_CTX, NULL, 0, (uint64_t)*cnt, 0, pc, what);
}

void kw_bh_change(struct kw_sim *s, struct kw_thread *t, int d, uintptr_t pc, const char *what)
{
	kw_ctx_count_at(s, t, 1, d, pc, what);
}

static void kw_ctx_count(int which, int d, uintptr_t pc, const char *what)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);

	if (t)
		kw_ctx_count_at(s, t, which, d, pc, what);
}

__attribute__((noinline)) void kw_preempt_disable(void) { kw_ctx_count(0, 1, KW_RET_PC, "preempt_disable"); }
__attribute__((noinline)) void kw_preempt_enable(void) { kw_ctx_count(0, -1, KW_RET_PC, "preempt_enable"); }
__attribute__((noinline)) void kw_local_bh_disable(void) { kw_ctx_count(1, 1, KW_RET_PC, "local_bh_disable"); }
__attribute__((noinline)) void kw_local_bh_enable(void) { kw_ctx_count(1, -1, KW_RET_PC, "local_bh_enable"); }

int kw_preempt_count(void)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);

	return t ? t->preempt_off + t->preempt_cnt + t->bh_off + (kw_intr(t) ? 1 : 0) : 0;
}

bool kw_in_softirq(void)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);

	return t && (t->kind == KW_SOFTIRQ || t->bh_off);
}

bool kw_in_serving_softirq(void)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);

	return t && t->kind == KW_SOFTIRQ;
}

bool kw_in_interrupt(void)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);

	return t && (kw_intr(t) || t->bh_off);
}

/* ---- IRQ flags ------------------------------------------------------------------------------ */

unsigned long kw_irq_flags_set(int off, uintptr_t pc, const char *what)
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

bool kw_in_task(void)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);

	return !t || !kw_intr(t);
}

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
void kw_join_at(struct kw_sim *s, struct kw_thread *t, struct kw_thread *u, uintptr_t pc)
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

/* ---- end of thread, deadlock and hang reports ---------------------------------------------- */

/* A context that ends (a thread, a work item, a softirq handler) must leave no lock, RCU
 * reader, disabled preemption, bottom halves or IRQs behind; true (report set) if it does. */
bool kw_ctx_leak_check(struct kw_sim *s, struct kw_thread *t, const char *when)
{
	char ln[64], site[160], b[96];

	if (!t->nheld && !t->rcu_nest && !t->preempt_cnt && !t->bh_off && !(t->irqs_off && t->kind != KW_IRQ))
		return false; /* the common case: nothing to label */
	kw_thread_label(t, b, sizeof(b));
	if (t->nheld) {
		kw_report_set(s, "lock-held-at-exit", t->held[0].pc, "%s %s holding %s (taken at %s)", b, when,
			      kw_lock_label(s, t->held[0].lock, ln, sizeof(ln)),
			      kw_site(t->held[0].pc, site, sizeof(site)));
		for (int i = 1; i < t->nheld; i++)
			kw_report_detail(s, "  also holds %s, taken at %s\n",
					 kw_lock_label(s, t->held[i].lock, ln, sizeof(ln)),
					 kw_site(t->held[i].pc, site, sizeof(site)));
		return true;
	}
	if (t->rcu_nest) {
		kw_report_set(s, "lock-held-at-exit", t->rcu_pc, "%s %s inside rcu_read_lock() (taken at %s)", b, when,
			      kw_site(t->rcu_pc, site, sizeof(site)));
		return true;
	}
	if (t->preempt_cnt || t->bh_off) {
		kw_report_set(s, "preempt-count-leak", 0, "%s %s with %s disabled", b, when,
			      t->preempt_cnt ? "preemption" : "bottom halves");
		return true;
	}
	if (t->irqs_off && t->kind != KW_IRQ) {
		kw_report_set(s, "irqs-off-at-exit", 0, "%s %s with IRQs disabled", b, when);
		return true;
	}
	return false;
}

void kw_kernel_thread_exit(struct kw_sim *s, struct kw_thread *t)
{
	if (kw_ctx_leak_check(s, t, "ends"))
		kw_fail_now(s);
	kw_rcu_thread_end(s, t); /* its reader region (an interrupt handler's whole run) ends */
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
