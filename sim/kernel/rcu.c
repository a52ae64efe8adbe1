// SPDX-License-Identifier: GPL-2.0-only
/*
 * rcu.c - RCU: reader regions, grace periods, callbacks.
 *
 * Invariants:
 *  - A thread is in a reader region while it holds rcu_read_lock() (any flavour), has
 *    preemption, bottom halves or IRQs disabled (a spinlock held included), or runs as an
 *    interrupt handler: the consolidated RCU of Linux 4.20 and later, whose synchronize_rcu()
 *    waits for all of them. kw_rcu_region_update() sees every change of that state (through
 *    kw_cpu_owner_update(), rcu_read_lock/unlock, an interrupt's arrival and a thread's end).
 *  - A grace period (synchronize_rcu(), or the one a callback waits for) starts at a
 *    scheduling point of its own and ends once every thread that was in a reader region at
 *    its start has left that region (a quiescent state).
 *  - Happens-before, the LKMM's fundamental law as clocks: every region that ended before the
 *    grace period started, or was active at its start, happens before its end (the waiter
 *    joins the clock of each such region's end); a region that begins after a grace period
 *    started happens after that start (it joins the start clock). A region that both starts
 *    after a grace period's start and ends before its end is ordered after the start: that is
 *    stronger than the LKMM (README), and it is what keeps an old pointer read by such a
 *    reader from being freed under it.
 *  - synchronize_rcu() and rcu_barrier() imply smp_mb() before and after.
 *  - Callbacks run in softirq context on the queuing CPU's softirq thread, in queuing order
 *    per CPU, after their grace period; rcu_barrier() waits for every callback queued before
 *    it and happens after them.
 *  - Grace-period operations (start, wait, call_rcu) are dependent, for dfs, on every
 *    operation that can begin or end a reader region (kw_rcu_dependent()).
 */
#include "kernel_priv.h"

#include <stdlib.h>
#include <string.h>

static struct kw_rcu *kw_rcu_of(struct kw_sim *s)
{
	return &kw_ks(s)->rcu;
}

void kw_rcu_reset(struct kw_sim *s)
{
	struct kw_rcu *r = kw_rcu_of(s);

	memset(r->ended, 0, sizeof(r->ended));
	memset(r->started, 0, sizeof(r->started));
	memset(r->cb_done, 0, sizeof(r->cb_done));
	r->any_gp = false;
	r->syncing = 0;
	r->ncb = 0;
	r->cb_first = 0;
}

bool kw_rcu_reader(const struct kw_thread *t)
{
	return t->rcu_nest || t->preempt_off || t->preempt_cnt || t->bh_off || t->irqs_off ||
	       (kw_intr(t) && t->started);
}

/* t leaves its reader region: every grace period waiting for it now happens after this. */
static void kw_rcu_qs(struct kw_sim *s, struct kw_thread *t)
{
	struct kw_rcu *r = kw_rcu_of(s);
	uint32_t bit = 1u << t->id;

	kw_vc_join(r->ended, t->vc);
	for (uint32_t m = r->syncing; m; m &= m - 1) {
		struct kw_rcu_gp *g = &r->sync[__builtin_ctz(m)];

		if (g->wait & bit) {
			g->wait &= ~bit;
			kw_vc_join(g->vc, t->vc);
		}
	}
	for (unsigned i = r->cb_first; i < r->ncb; i++) {
		struct kw_rcu_gp *g = &r->cb[i].gp;

		if (!r->cb[i].done && (g->wait & bit)) {
			g->wait &= ~bit;
			kw_vc_join(g->vc, t->vc);
		}
	}
	KW_TSAN_RELEASE(r); /* pairs with the acquire of a grace period's end */
	kw_vc_tick(t);
}

void kw_rcu_region_update(struct kw_sim *s, struct kw_thread *t)
{
	bool in = kw_rcu_reader(t);
	struct kw_rcu *r;

	if (in == t->rcu_in)
		return;
	t->rcu_in = in;
	r = kw_rcu_of(s);
	if (in) {
		if (r->any_gp) {
			/* begins after grace periods started: happens after their starts */
			kw_vc_join(t->vc, r->started);
			KW_TSAN_ACQUIRE(&r->started);
		}
	} else {
		kw_rcu_qs(s, t);
	}
}

void kw_rcu_thread_end(struct kw_sim *s, struct kw_thread *t)
{
	if (t->rcu_in) {
		t->rcu_in = false;
		kw_rcu_qs(s, t);
	}
}

/* A grace period starts now, for t: who it waits for, and what its end happens after. */
static void kw_rcu_gp_start(struct kw_sim *s, struct kw_thread *t, struct kw_rcu_gp *g)
{
	struct kw_rcu *r = kw_rcu_of(s);

	memcpy(g->vc, t->vc, sizeof(kw_vc_t));
	kw_vc_join(g->vc, r->ended);
	g->wait = 0;
	for (int i = 0; i < s->nth; i++) {
		const struct kw_thread *u = &s->th[i];

		if (u->state == KW_T_LIVE && u->rcu_in)
			g->wait |= 1u << u->id;
	}
	kw_vc_join(r->started, t->vc);
	r->any_gp = true;
	KW_TSAN_RELEASE(&r->started); /* pairs with the acquire of a later region's start */
	kw_vc_tick(t);
}

/* Operations whose effect depends on who is in a reader region (dfs dependence). */
static bool kw_op_gpish(const struct kw_op *o)
{
	return o->kind == KW_OP_RCU_GP || o->kind == KW_OP_RCU_WAIT || (o->kind == KW_OP_RCU && o->mode == 2);
}

static bool kw_op_region(const struct kw_thread *x, const struct kw_op *ox)
{
	switch (ox->kind) {
	case KW_OP_RCU:
	case KW_OP_RCU_GP:
	case KW_OP_RCU_WAIT:
	case KW_OP_CTX:
	case KW_OP_IRQ_FLAGS:
	case KW_OP_IRQ_ENTRY:
	case KW_OP_SPAWN:
		return true;
	case KW_OP_LOCK:
	case KW_OP_TRYLOCK:
	case KW_OP_UNLOCK:
		return ox->mode == KW_LM_SPIN;
	default:
		/* an interrupt handler's (or a reader's) last step ends its region */
		return kw_intr(x) || x->rcu_in;
	}
}

/* Is (a, oa) dependent on (b, ob) through RCU? Called by kw_ops_dependent(). */
bool kw_rcu_ops_dependent(const struct kw_thread *a, const struct kw_op *oa, const struct kw_thread *b,
			  const struct kw_op *ob)
{
	return (kw_op_gpish(oa) && kw_op_region(b, ob)) || (kw_op_gpish(ob) && kw_op_region(a, oa));
}

/* ---- readers ------------------------------------------------------------------------------ */

__attribute__((noinline)) void kw_rcu_read_lock(void)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	uintptr_t pc = KW_RET_PC;

	if (!t)
		return;
	kw_point(s, KW_OP_RCU, t, 0, 0, NULL, pc);
	if (!t->rcu_nest++)
		t->rcu_pc = pc;
	kw_rcu_region_update(s, t);
	kw_trace_event(s, t, KW_OP_RCU, NULL, 0, (uint64_t)t->rcu_nest, 0, pc, "rcu_read_lock");
}

__attribute__((noinline)) void kw_rcu_read_unlock(void)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	uintptr_t pc = KW_RET_PC;

	if (!t)
		return;
	kw_point(s, KW_OP_RCU, t, 1, 0, NULL, pc);
	if (!t->rcu_nest) {
		char b[96];

		kw_report_set(s, "unlock-unheld", pc, "rcu_read_unlock() by %s outside rcu_read_lock()",
			      kw_thread_label(t, b, sizeof(b)));
		kw_fail_now(s);
	}
	t->rcu_nest--;
	kw_rcu_region_update(s, t);
	kw_trace_event(s, t, KW_OP_RCU, NULL, 0, (uint64_t)t->rcu_nest, 1, pc, "rcu_read_unlock");
}

bool kw_rcu_read_lock_held(void)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);

	return !t || t->rcu_nest > 0;
}

bool kw_rcu_read_lock_any_held(void)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);

	return !t || kw_rcu_reader(t);
}

__attribute__((noinline)) void kw_rcu_check(bool ok, const char *what)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);

	if (ok || !t)
		return;
	kw_report_set(s, "suspicious-rcu-usage", KW_RET_PC, "suspicious RCU usage: %s", what);
	kw_fail_now(s);
}

/* ---- grace periods -------------------------------------------------------------------------- */

static void kw_rcu_no_wait_in_reader(struct kw_sim *s, struct kw_thread *t, const char *what, uintptr_t pc)
{
	char site[160];

	if (!t->rcu_nest)
		return;
	kw_report_set(s, "deadlock", pc,
		      "%s inside an RCU read-side critical section: the grace period waits for this very reader", what);
	kw_report_detail(s, "  rcu_read_lock() at %s\n", kw_site(t->rcu_pc, site, sizeof(site)));
	kw_fail_now(s);
}

__attribute__((noinline)) void kw_synchronize_rcu(void)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	uintptr_t pc = KW_RET_PC;
	struct kw_rcu *r;
	struct kw_rcu_gp *g;

	if (!t)
		return;
	kw_rcu_no_wait_in_reader(s, t, "synchronize_rcu()", pc);
	kw_check_may_sleep(s, t, "synchronize_rcu", pc);
	r = kw_rcu_of(s);
	kw_point(s, KW_OP_RCU_GP, r, 0, 0, NULL, pc);
	/* smp_mb(): pairs with the barriers of the readers' region ends and starts */
	kw_mm_fence(s, t, KW_FENCE_MB);
	g = &r->sync[t->id];
	kw_rcu_gp_start(s, t, g);
	r->syncing |= 1u << t->id;
	kw_trace_event(s, t, KW_OP_RCU_GP, NULL, 0, g->wait, 0, pc, "synchronize_rcu: grace period starts");
	kw_point(s, KW_OP_RCU_WAIT, r, 0, 0, NULL, pc);
	r->syncing &= ~(1u << t->id);
	kw_vc_join(t->vc, g->vc);
	KW_TSAN_ACQUIRE(r);
	kw_mm_fence(s, t, KW_FENCE_MB);
	kw_trace_event(s, t, KW_OP_RCU_WAIT, NULL, 0, 0, 0, pc, "synchronize_rcu: grace period ends");
}

/* Queue a callback (fn(arg)) or a deferred kfree(arg) after a grace period. */
void kw_rcu_queue(struct kw_sim *s, struct kw_thread *t, void (*fn)(struct rcu_head *), void *arg, uintptr_t pc,
		  const char *what)
{
	struct kw_rcu *r;
	struct kw_rcu_cb *cb;

	if (!t) {
		/* setup or the final check: no reader runs, the grace period is over at once */
		if (fn)
			fn(arg);
		else
			kw_free_at(arg, pc);
		return;
	}
	kw_softirqd(s, t->cpu, pc);
	r = kw_rcu_of(s);
	kw_point(s, KW_OP_RCU, r, 2, 0, NULL, pc);
	if (r->ncb == KW_RCU_MAX_CB) {
		kw_report_set(s, "engine-limit", pc, "more than %d RCU callbacks in one run", KW_RCU_MAX_CB);
		kw_fail_now(s);
	}
	cb = &r->cb[r->ncb++];
	cb->fn = fn;
	cb->arg = arg;
	cb->pc = pc;
	cb->cpu = t->cpu;
	cb->done = false;
	kw_rcu_gp_start(s, t, &cb->gp);
	kw_trace_event(s, t, KW_OP_RCU, arg, 0, cb->gp.wait, 2, pc, what);
}

__attribute__((noinline)) void kw_call_rcu(struct rcu_head *head, void (*fn)(struct rcu_head *head))
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);

	if (!s || !s->in_run) {
		fn(head);
		return;
	}
	kw_rcu_queue(s, t, fn, head, KW_RET_PC, "call_rcu");
}

__attribute__((noinline)) void kw_kfree_rcu(const void *p)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);

	if (!p)
		return;
	if (!s || !s->in_run) {
		kw_free_at(p, KW_RET_PC);
		return;
	}
	kw_rcu_queue(s, t, NULL, (void *)p, KW_RET_PC, "kfree_rcu");
}

bool kw_rcu_cb_ready(struct kw_sim *s, int cpu)
{
	struct kw_rcu *r = kw_rcu_of(s);

	for (unsigned i = r->cb_first; i < r->ncb; i++)
		if (!r->cb[i].done && r->cb[i].cpu == cpu && !r->cb[i].gp.wait)
			return true;
	return false;
}

/* The softirq thread t runs the first ready callback of its CPU; false if there is none. */
bool kw_rcu_run_one(struct kw_sim *s, struct kw_thread *t)
{
	struct kw_rcu *r = kw_rcu_of(s);
	unsigned i;
	void (*fn)(struct rcu_head *);
	void *arg;
	uintptr_t pc;

	for (i = r->cb_first; i < r->ncb; i++)
		if (!r->cb[i].done && r->cb[i].cpu == t->cpu && !r->cb[i].gp.wait)
			break;
	if (i == r->ncb)
		return false;
	kw_vc_join(t->vc, r->cb[i].gp.vc); /* after the grace period (and the queuer) */
	KW_TSAN_ACQUIRE(r);
	fn = r->cb[i].fn;
	arg = r->cb[i].arg;
	pc = r->cb[i].pc;
	kw_trace_event(s, t, KW_OP_RCU, arg, 0, i, 3, pc, fn ? "RCU callback runs" : "kfree_rcu frees");
	if (fn)
		fn(arg);
	else
		kw_free_at(arg, pc);
	if (kw_ctx_leak_check(s, t, "RCU callback returned"))
		kw_fail_now(s);
	r->cb[i].done = true;
	while (r->cb_first < r->ncb && r->cb[r->cb_first].done)
		r->cb_first++;
	kw_vc_join(r->cb_done, t->vc);
	KW_TSAN_RELEASE(&r->cb_done); /* pairs with rcu_barrier() */
	kw_vc_tick(t);
	return true;
}

__attribute__((noinline)) void kw_rcu_barrier(void)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	uintptr_t pc = KW_RET_PC;
	struct kw_rcu *r;

	if (!t)
		return;
	kw_rcu_no_wait_in_reader(s, t, "rcu_barrier()", pc);
	kw_check_may_sleep(s, t, "rcu_barrier", pc);
	r = kw_rcu_of(s);
	kw_mm_fence(s, t, KW_FENCE_MB);
	kw_point(s, KW_OP_RCU_WAIT, r, 1, r->ncb, NULL, pc);
	kw_vc_join(t->vc, r->cb_done);
	KW_TSAN_ACQUIRE(&r->cb_done);
	kw_mm_fence(s, t, KW_FENCE_MB);
	kw_trace_event(s, t, KW_OP_RCU_WAIT, NULL, 0, 0, 1, pc, "rcu_barrier: callbacks done");
}

bool kw_rcu_wait_enabled(struct kw_sim *s, struct kw_thread *t, const struct kw_op *op)
{
	struct kw_rcu *r = kw_rcu_of(s);

	if (op->mode == 0)
		return !r->sync[t->id].wait;
	return r->cb_first >= op->arg;
}

/* For deadlock reports: the thread a blocked grace period (or rcu_barrier) waits for. */
struct kw_thread *kw_rcu_waits_for(struct kw_sim *s, struct kw_thread *t)
{
	struct kw_rcu *r = kw_rcu_of(s);
	uint32_t w;

	if (t->op.mode == 0) {
		w = r->sync[t->id].wait;
		return w ? &s->th[__builtin_ctz(w)] : NULL;
	}
	for (unsigned i = r->cb_first; i < r->ncb && i < t->op.arg; i++) {
		if (r->cb[i].done)
			continue;
		w = r->cb[i].gp.wait;
		if (w)
			return &s->th[__builtin_ctz(w)];
		return kw_ks(s)->softirqd[r->cb[i].cpu];
	}
	return NULL;
}
