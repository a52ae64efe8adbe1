// SPDX-License-Identifier: GPL-2.0-only
/*
 * sched.c - simulated threads, scheduling points and the run driver.
 *
 * Invariants:
 *  - A step is "the chosen thread performs its pending operation, then runs its own code up
 *    to its next scheduling point (or its end)". The choice is made at the scheduling point,
 *    before the operation: kw_pick_and_go() lists the enabled threads (the current one first,
 *    then the others by id, and last those that could only go on by timing out) and asks
 *    kw_choose() only when there are two or more. Choosing
 *    anything but a still-enabled current thread is a preemption; so is an IRQ's arrival
 *    while the current thread could go on.
 *  - A new thread runs from its creation to its first scheduling point at once (its
 *    "prerun"): thread start is where it becomes schedulable, not a decision of its own, so
 *    two threads of two stores each have exactly 6 interleavings. Its end is fused with its
 *    last step.
 *  - An IRQ runs on its CPU to completion: while it runs, no task of that CPU is enabled; it
 *    cannot arrive while that CPU's running task has IRQs disabled. A softirq handler is the
 *    same one level down: it preempts the CPU's tasks, IRQs preempt it, and it cannot arrive
 *    while the CPU's task has bottom halves or IRQs disabled. A task holding a spinlock
 *    (preemption disabled) keeps its CPU: no other task of that CPU runs.
 *  - Fairness (CHESS-style): a thread whose marked load re-reads, at the same site, the same
 *    store it read last time, with no other effect in between, is spinning: it yields - it is
 *    not enabled again until every thread that could run when it yielded has taken a step or
 *    blocked, or the location has a newer store. When nothing else can run, yielding threads
 *    run anyway (the fair continuation): a spin nothing can end then reaches the step bound,
 *    a livelock; a spin some thread ends never starves that thread.
 *  - The run ends when no thread is enabled (after letting virtual time pass if a timer is
 *    pending). Live threads other than idle workers are then a deadlock.
 *  - Nothing here reads the clock, rand() or an address to decide anything.
 */
#define _GNU_SOURCE
#include "kw_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct kw_sim *kw_S;
__thread bool kw_sim_thread;
void (*kw_cov_hook)(uintptr_t a, uintptr_t b);

void *kw_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q) {
		fputs("kweave: out of memory\n", stderr);
		exit(2);
	}
	return q;
}

uint64_t kw_rng_next(uint64_t *state)
{
	/* splitmix64: small, fast, good enough to pick schedules */
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

uint64_t kw_hash64(uint64_t x)
{
	uint64_t s = x;

	return kw_rng_next(&s);
}

void kw_vc_join(kw_vc_t dst, const kw_vc_t src)
{
	/* only the run's threads have entries: every id is below kw_S->nth */
	int n = kw_S ? kw_S->nth : KW_MAX_THREADS;

	for (int i = 0; i < n; i++)
		if (src[i] > dst[i])
			dst[i] = src[i];
}

void kw_vc_tick(struct kw_thread *t)
{
	t->vc[t->id]++;
}

const char *kw_thread_label(const struct kw_thread *t, char *buf, size_t n)
{
	static const char *kinds[] = { "task", "irq", "worker", "softirq" };

	if (!t)
		snprintf(buf, n, "main");
	else
		snprintf(buf, n, "T%d %s (%s, cpu %d)", t->id, t->name, kinds[t->kind], t->cpu);
	return buf;
}

/* ---- reports -------------------------------------------------------------------------- */

void kw_report_set(struct kw_sim *s, const char *check, uintptr_t pc, const char *fmt, ...)
{
	va_list ap;

	if (s->status == KW_RUN_FAIL)
		return; /* the first failure of a run is its verdict */
	s->status = KW_RUN_FAIL;
	memset(&s->rep, 0, sizeof(s->rep));
	snprintf(s->rep.check, sizeof(s->rep.check), "%s", check);
	/* the scenario's site, not an engine frame (an engine limit, a fault in a hook) */
	s->rep.pc = kw_user_site(pc);
	s->rep.tid = s->cur ? s->cur->id : -1;
	s->rep.phase = s->phase;
	va_start(ap, fmt);
	vsnprintf(s->rep.msg, sizeof(s->rep.msg), fmt, ap);
	va_end(ap);
}

void kw_report_detail(struct kw_sim *s, const char *fmt, ...)
{
	struct kw_report *r = &s->rep;
	va_list ap;
	int k;

	if (r->dlen >= sizeof(r->detail) - 1)
		return;
	va_start(ap, fmt);
	k = vsnprintf(r->detail + r->dlen, sizeof(r->detail) - r->dlen, fmt, ap);
	va_end(ap);
	if (k > 0)
		r->dlen += (size_t)k;
	if (r->dlen >= sizeof(r->detail))
		r->dlen = sizeof(r->detail) - 1;
}

/* The report just set is predictive (lock order): keep it aside, let the run go on, and
 * report it at the end unless something more concrete (a deadlock) fails first. */
void kw_report_defer(struct kw_sim *s)
{
	if (!s->has_deferred) {
		s->deferred = s->rep;
		s->has_deferred = true;
	}
	s->status = KW_RUN_OK;
}

/* Leave the run now: from a fiber, switch to the main context for good; from the main
 * context (setup, final check), unwind to kw_sim_run(). */
__attribute__((noreturn)) static void kw_abort_run(struct kw_sim *s)
{
	struct kw_thread *t = s->cur;

	if (t) {
		s->cur = NULL;
		kw_fiber_switch(&t->fib, &s->main_fib);
	}
	siglongjmp(s->crash_jmp, 1);
}

__attribute__((noreturn)) void kw_fail_now(struct kw_sim *s)
{
	kw_abort_run(s);
}

void kw_check_failed(const char *check, int warn, const char *fmt, ...)
{
	struct kw_sim *s = kw_S;
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!s || !s->in_run) {
		fprintf(stderr, "kweave: check '%s' failed outside a run: %s\n", check, msg);
		abort();
	}
	if (s->ending && !strcmp(check, "assert"))
		check = "final-check";
	kw_report_set(s, check, KW_RET_PC, "%s", msg);
	if (s->cur && s->cur->stale_pc) {
		struct kw_thread *t = s->cur;
		char loc[96], s1[160], s2[160], s3[160];

		kw_addr_label(s, t->stale_addr, loc, sizeof(loc));
		kw_site(t->stale_pc, s1, sizeof(s1));
		kw_site(t->stale_src_pc, s2, sizeof(s2));
		kw_site(t->stale_new_pc, s3, sizeof(s3));
		kw_report_detail(s, "  stale read: the load of %s at %s returned %lld, ", loc, s1,
				 (long long)t->stale_val);
		if (t->stale_src < 0)
			kw_report_detail(s, "its initial value,\n");
		else
			kw_report_detail(s, "stored by T%d at %s,\n", t->stale_src, s2);
		kw_report_detail(s, "    while T%d's store at %s was already the latest (nothing ordered it before the load)\n",
				 t->stale_new, s3);
	}
	(void)warn;
	kw_fail_now(s);
}

void kw_outcome(const char *fmt, ...)
{
	struct kw_sim *s = kw_S;
	va_list ap;

	if (!s)
		return;
	va_start(ap, fmt);
	vsnprintf(s->outcome, sizeof(s->outcome), fmt, ap);
	va_end(ap);
}

/* ---- trace ---------------------------------------------------------------------------- */

void kw_trace_record(struct kw_sim *s, struct kw_thread *t, unsigned kind, const void *addr,
		     unsigned size, uint64_t v, uint64_t v2, uintptr_t pc, const char *note)
{
	struct kw_event *e;

	if (s->nev == s->capev) {
		s->capev = s->capev ? 2 * s->capev : 256;
		s->ev = kw_xrealloc(s->ev, s->capev * sizeof(*s->ev));
	}
	e = &s->ev[s->nev++];
	e->step = (uint32_t)s->steps;
	e->tid = t ? (int16_t)t->id : -1;
	e->kind = (uint8_t)kind;
	e->size = (uint8_t)size;
	e->addr = addr;
	e->v = v;
	e->v2 = v2;
	e->pc = pc;
	e->note = note;
	e->src = -2;
	/* the value decisions this event made (a load's source, a store's place) go with it */
	e->dec = (uint32_t)s->trace_dec;
	e->ndec = (uint16_t)(s->ndec - s->trace_dec);
	s->trace_dec = s->ndec;
}

/* ---- decisions -------------------------------------------------------------------------- */

unsigned kw_choose(struct kw_sim *s, struct kw_choice *c)
{
	unsigned v = s->strat->ops->choose(s->strat, s, c);

	if (s->status == KW_RUN_ERROR || s->status == KW_RUN_PRUNED)
		kw_abort_run(s);
	if (v >= c->n) {
		s->status = KW_RUN_ERROR;
		snprintf(s->err, sizeof(s->err), "strategy answered %u of %u choices", v, c->n);
		kw_abort_run(s);
	}
	if (s->ndec == s->capdec) {
		s->capdec = s->capdec ? 2 * s->capdec : 256;
		s->dec = kw_xrealloc(s->dec, s->capdec * sizeof(*s->dec));
	}
	if (c->kind == KW_CH_SCHED && s->tracing) {
		/* value decisions no event took (none do today) are shown where they were made */
		if (s->trace_dec < s->ndec)
			kw_trace_record(s, s->cur, KW_EV_DECIDE, NULL, 0, 0, 0, 0, NULL);
		s->trace_dec = s->ndec + 1; /* a scheduling decision shows as who runs */
	}
	if (s->capdec != s->capwant) {
		s->dec_want = kw_xrealloc(s->dec_want, s->capdec * sizeof(*s->dec_want));
		s->dec_pre = kw_xrealloc(s->dec_pre, s->capdec * sizeof(*s->dec_pre));
		s->capwant = s->capdec;
	}
	s->dec[s->ndec].v = (uint16_t)v;
	s->dec[s->ndec].n = (uint16_t)c->n;
	s->dec_want[s->ndec] = c->kind == KW_CH_SCHED ? (int16_t)c->cand[v]->id : (int16_t)v;
	s->dec_pre[s->ndec] = c->kind == KW_CH_SCHED && c->cur_enabled && v != 0;
	s->ndec++;
	return v;
}

unsigned kw_choose_value(struct kw_sim *s, unsigned kind, unsigned n)
{
	struct kw_choice c = { .kind = (uint8_t)kind, .n = n };

	if (n < 2)
		return 0;
	return kw_choose(s, &c);
}

/* ---- enabledness and dependence ------------------------------------------------------------ */

static bool kw_irq_can_fire(struct kw_sim *s, const struct kw_thread *irq)
{
	const struct kw_cpu *c = &s->cpu[irq->cpu];

	return !c->irq && !(c->owner && c->owner->irqs_off) && !(c->softirq && c->softirq->irqs_off);
}

static bool kw_softirq_can_fire(struct kw_sim *s, struct kw_thread *t)
{
	const struct kw_cpu *c = &s->cpu[t->cpu];

	if (c->irq || c->softirq || (c->owner && (c->owner->irqs_off || c->owner->bh_off)))
		return false;
	return kw_kernel_softirq_ready(s, t);
}

static bool kw_is_intr(const struct kw_thread *t)
{
	return t->kind == KW_IRQ || t->kind == KW_SOFTIRQ;
}

static bool kw_op_enabled_raw(struct kw_sim *s, struct kw_thread *t);

/* A spinning thread still yields while a thread it yielded to could run. */
static bool kw_spin_yielding(struct kw_sim *s, struct kw_thread *t)
{
	if (kw_mm_wait_enabled(s, t))
		return false; /* the location changed */
	for (uint32_t m = t->spin_mask; m; m &= m - 1)
		if (kw_op_enabled_raw(s, &s->th[__builtin_ctz(m)]))
			return true;
	return false;
}

bool kw_op_enabled(struct kw_sim *s, struct kw_thread *t)
{
	return kw_op_enabled_raw(s, t) && !(t->spin_yield && kw_spin_yielding(s, t));
}

static bool kw_op_enabled_raw(struct kw_sim *s, struct kw_thread *t)
{
	if (t->state != KW_T_LIVE)
		return false;
	if (kw_is_intr(t)) {
		if (!t->started)
			return t->kind == KW_IRQ ? t->raised && kw_irq_can_fire(s, t) : kw_softirq_can_fire(s, t);
		if (t->kind == KW_SOFTIRQ && s->cpu[t->cpu].irq)
			return false; /* preempted by a hard IRQ */
	} else {
		const struct kw_cpu *c = &s->cpu[t->cpu];

		if (c->irq || c->softirq || (c->owner && c->owner != t))
			return false;
	}
	switch (t->op.kind) {
	case KW_OP_LOCK:
	case KW_OP_WAIT_COMPLETION:
	case KW_OP_SCHEDULE:
	case KW_OP_JOIN:
	case KW_OP_WORKER_WAIT:
	case KW_OP_FLUSH:
	case KW_OP_RCU_WAIT:
	case KW_OP_SOFTIRQ_WAIT:
		return kw_kernel_op_enabled(s, t, &t->op);
	case KW_OP_SPIN:
		return kw_mm_wait_enabled(s, t);
	default:
		return true;
	}
}

/* Operations that change who may run (CPU ownership, IRQ state, thread set): dependent on
 * everything on the same CPU, or on everything when they change the thread set. */
static bool kw_op_global(const struct kw_op *o)
{
	switch (o->kind) {
	case KW_OP_SPAWN:
	case KW_OP_IRQ_RAISE:
	case KW_OP_IRQ_ENTRY:
	case KW_OP_IRQ_FLAGS:
	case KW_OP_CTX:
	case KW_OP_NONE:
		return true;
	default:
		return false;
	}
}

static bool kw_op_sleepish(const struct kw_op *o)
{
	return o->kind == KW_OP_PREPARE_WAIT || o->kind == KW_OP_SCHEDULE || o->kind == KW_OP_WAKE;
}

static bool kw_op_memory(const struct kw_op *o)
{
	switch (o->kind) {
	case KW_OP_LOAD:
	case KW_OP_STORE:
	case KW_OP_RMW:
	case KW_OP_PLAIN_READ:
	case KW_OP_PLAIN_WRITE:
	case KW_OP_SPIN:
	case KW_OP_FREE:
		return true;
	default:
		return false;
	}
}

static bool kw_op_writes(const struct kw_op *o)
{
	return o->kind == KW_OP_STORE || o->kind == KW_OP_RMW || o->kind == KW_OP_PLAIN_WRITE ||
	       o->kind == KW_OP_FREE;
}

static uintptr_t kw_op_len(const struct kw_op *o)
{
	return o->span ? o->span : o->size ? o->size : 1;
}

/* Conservative independence: false means "may not commute". Used by dfs's sleep sets and by
 * pos's priority re-draws. */
bool kw_ops_dependent(const struct kw_thread *a, const struct kw_op *oa, const struct kw_thread *b,
		      const struct kw_op *ob)
{
	if (a == b)
		return true;
	if (kw_op_global(oa) || kw_op_global(ob))
		return true;
	/* spin locks and interrupt contexts change who may run on a CPU */
	if (a->cpu == b->cpu && (oa->kind == KW_OP_LOCK || oa->kind == KW_OP_UNLOCK ||
				 ob->kind == KW_OP_LOCK || ob->kind == KW_OP_UNLOCK ||
				 kw_is_intr(a) || kw_is_intr(b)))
		return true;
	/* a grace period depends on every start and end of a reader region */
	if ((oa->kind == KW_OP_RCU || oa->kind == KW_OP_RCU_GP || oa->kind == KW_OP_RCU_WAIT ||
	     ob->kind == KW_OP_RCU || ob->kind == KW_OP_RCU_GP || ob->kind == KW_OP_RCU_WAIT) &&
	    kw_rcu_ops_dependent(a, oa, b, ob))
		return true;
	/* what a softirq thread runs depends on tasklet and timer state */
	if (((oa->kind == KW_OP_SOFTIRQ || oa->kind == KW_OP_SOFTIRQ_WAIT) && b->softirqd) ||
	    ((ob->kind == KW_OP_SOFTIRQ || ob->kind == KW_OP_SOFTIRQ_WAIT) && a->softirqd))
		return true;
	/* a thread's steps end it: joining it depends on all of them */
	if ((oa->kind == KW_OP_JOIN && oa->target == b) || (ob->kind == KW_OP_JOIN && ob->target == a))
		return true;
	if (kw_op_sleepish(oa) && kw_op_sleepish(ob))
		return true;
	if (oa->kind == KW_OP_FENCE || ob->kind == KW_OP_FENCE) {
		/* smp_mb() orders through a global view: fences conflict with each other and, in
		 * the weak model, with fully ordered RMWs */
		bool fa = oa->kind == KW_OP_FENCE || (oa->kind == KW_OP_RMW && oa->mo == KW_SEQ_CST);
		bool fb = ob->kind == KW_OP_FENCE || (ob->kind == KW_OP_RMW && ob->mo == KW_SEQ_CST);

		return fa && fb;
	}
	if (kw_op_memory(oa) && kw_op_memory(ob)) {
		uintptr_t pa = (uintptr_t)oa->addr, pb = (uintptr_t)ob->addr;

		if (pa + kw_op_len(oa) <= pb || pb + kw_op_len(ob) <= pa)
			return false;
		/* weak model: a store's place in modification order is a decision of its own, so
		 * two marked stores commute; loads and RMWs still depend on them */
		if (oa->kind == KW_OP_STORE && ob->kind == KW_OP_STORE && kw_S &&
		    kw_S->cfg.model == KW_MODEL_WEAK)
			return false;
		return kw_op_writes(oa) || kw_op_writes(ob);
	}
	if (kw_op_memory(oa) || kw_op_memory(ob))
		return false; /* a memory access and a sync op on different kinds of object */
	if (oa->kind == KW_OP_YIELD || ob->kind == KW_OP_YIELD || oa->kind == KW_OP_SYSCALL_RET ||
	    ob->kind == KW_OP_SYSCALL_RET)
		return false;
	/* sync operations: dependent when they act on the same object */
	return oa->addr == ob->addr;
}

/* ---- threads ------------------------------------------------------------------------------ */

static void kw_pick_and_go(struct kw_sim *s, struct kw_thread *cur);

static void kw_thread_finish(struct kw_sim *s, struct kw_thread *t)
{
	kw_kernel_thread_exit(s, t);	/* may report (locks held at exit) */
	KW_TSAN_RELEASE(&t->state); /* pairs with the acquire in kw_thread_join() */
	t->state = KW_T_DONE;
	kw_trace_event(s, t, KW_EV_END, NULL, 0, 0, 0, 0, NULL);
	if (kw_is_intr(t)) {
		struct kw_cpu *c = &s->cpu[t->cpu];

		if (t->kind == KW_IRQ)
			c->irq = NULL;
		else
			c->softirq = NULL;
		KW_TSAN_RELEASE(&c->irq); /* pairs with the tasks' acquire when they resume */
		/* same-CPU program order: the interrupted task resumes with the handler's view */
		if (t->interrupted)
			kw_vc_join(t->interrupted->vc, t->vc);
		kw_kernel_intr_end(s, t);
	}
	if (t->prerun) {
		/* ended before its first scheduling point: back to the creator */
		struct kw_thread *cr = t->creator;

		t->prerun = false;
		s->cur = cr;
		kw_fiber_switch(&t->fib, cr ? &cr->fib : &s->main_fib);
		abort(); /* a finished fiber is never resumed */
	}
	kw_pick_and_go(s, t);
	abort();
}

static void kw_thread_entry(void)
{
	struct kw_sim *s = kw_S;
	struct kw_thread *t = s->cur;

	KW_TSAN_ACQUIRE(&t->fn); /* spawn (or raise): pairs with the creator's release */
	if (kw_is_intr(t))
		KW_TSAN_ACQUIRE(&s->cpu[t->cpu].owner); /* the interrupted CPU's tasks */
	t->fn(t->arg);
	kw_thread_finish(s, t);
}

static int kw_default_cpu(struct kw_sim *s, int idx)
{
	return idx % s->ncpus;
}

struct kw_thread *kw_thread_new(struct kw_sim *s, const char *name, void (*fn)(void *), void *arg,
				enum kw_kind kind, int cpu, bool start)
{
	struct kw_thread *creator = s->cur, *t;

	if (s->nth == KW_MAX_THREADS) {
		kw_report_set(s, "engine-limit", KW_RET_PC, "more than %d threads in one run", KW_MAX_THREADS);
		kw_fail_now(s);
	}
	t = &s->th[s->nth];
	if (!t->fib.map && kw_fiber_alloc(&t->fib, KW_STACK_SIZE)) {
		kw_report_set(s, "engine-limit", KW_RET_PC, "cannot map a fiber stack");
		kw_fail_now(s);
	}
	{
		struct kw_fiber keep = t->fib;

		memset(t, 0, sizeof(*t));
		t->fib = keep;
	}
	t->id = s->nth++;
	{
		const char *nm = name ? name : "thread";
		size_t k = 0;

		while (nm[k] && k < sizeof(t->name) - 1) {
			t->name[k] = nm[k];
			k++;
		}
		t->name[k] = 0;
	}
	t->kind = kind;
	t->cpu = (cpu >= 0 && cpu < s->ncpus) ? cpu : kw_default_cpu(s, t->id);
	t->state = KW_T_LIVE;
	t->daemon = kind == KW_WORKER;
	t->fn = fn;
	t->arg = arg;
	t->task_state = KW_TASK_RUNNING;
	/* spawn: the child happens after everything its creator did */
	if (creator) {
		memcpy(t->vc, creator->vc, sizeof(t->vc));
		kw_vc_tick(creator);
	}
	t->vc[t->id] = 1;
	kw_trace_event(s, t, KW_EV_START, NULL, 0, (uint64_t)kind, 0, 0, NULL);
	if (s->strat->ops->spawned)
		s->strat->ops->spawned(s->strat, s, t);
	if (kind == KW_IRQ || kind == KW_SOFTIRQ) {
		t->op.kind = KW_OP_IRQ_ENTRY;
		t->raised = start;
		return t;
	}
	/* prerun to the first scheduling point */
	kw_fiber_prepare(&t->fib, kw_thread_entry);
	t->prerun = true;
	t->creator = creator;
	KW_TSAN_RELEASE(&t->fn); /* pairs with the acquire in kw_thread_entry() */
	s->cur = t;
	kw_wd_refill();
	kw_fiber_switch(creator ? &creator->fib : &s->main_fib, &t->fib);
	kw_wd_refill(); /* the creator goes on with a segment of its own */
	if (!creator && (s->status != KW_RUN_OK || s->exited))
		siglongjmp(s->crash_jmp, 1); /* the child failed during setup's spawn */
	return t;
}

/* ---- the scheduler -------------------------------------------------------------------------- */

static void kw_irq_arrive(struct kw_sim *s, struct kw_thread *irq)
{
	struct kw_cpu *c = &s->cpu[irq->cpu];
	struct kw_thread *task = irq->kind == KW_IRQ && c->softirq ? c->softirq : c->owner;

	if (!task) {
		/* the task that last ran on this CPU is the one interrupted (for the view) */
		for (int i = 0; i < s->nth; i++) {
			struct kw_thread *u = &s->th[i];

			if (!kw_is_intr(u) && u->cpu == irq->cpu && u->state == KW_T_LIVE) {
				task = u;
				break;
			}
		}
	}
	irq->started = true;
	irq->raised = false;
	irq->interrupted = task;
	if (irq->kind == KW_IRQ)
		c->irq = irq;
	else
		c->softirq = irq;
	/* same-CPU program order: the handler starts with the interrupted task's view and
	 * that of every interrupt handler that ran on the CPU before; a softirq with its CPU's
	 * whole view, everything every thread did on it so far (tasks are pinned). (Hard IRQs
	 * keep the narrower rule for tasks: widening it moves once-init's explored schedules
	 * and its regression replays.) */
	if (task)
		kw_vc_join(irq->vc, task->vc);
	for (int i = 0; i < s->nth; i++) {
		struct kw_thread *u = &s->th[i];

		if (u != irq && u->cpu == irq->cpu && (irq->kind == KW_SOFTIRQ || kw_is_intr(u)))
			kw_vc_join(irq->vc, u->vc);
	}
	kw_rcu_region_update(s, irq); /* a handler's whole run is an RCU reader region */
	kw_fiber_prepare(&irq->fib, kw_thread_entry);
	kw_trace_event(s, irq, KW_OP_IRQ_ENTRY, NULL, 0, task ? (uint64_t)task->id : (uint64_t)-1, 0, 0,
		       NULL);
}

/* Fairness: next takes a step; the spinning threads that yielded to it have had that. */
static void kw_spin_stepped(struct kw_sim *s, struct kw_thread *next)
{
	for (uint32_t m = s->spin_yielders; m; m &= m - 1) {
		struct kw_thread *u = &s->th[__builtin_ctz(m)];

		u->spin_mask &= ~(1u << next->id);
		if (u == next || !u->spin_mask) {
			u->spin_yield = false;
			s->spin_yielders &= ~(1u << u->id);
		}
	}
}

/* Called after a marked load of t read the store at position ts of loc:
 * a second identical read at the same site, with no other effect in between, is a spin. */
void kw_spin_note(struct kw_sim *s, struct kw_thread *t, uintptr_t loc, int64_t ts, uintptr_t pc)
{
	if (t->spin_fresh && t->spin_loc == loc && t->spin_pc == pc && t->spin_ts == ts) {
		uint32_t mask = 0;

		for (int i = 0; i < s->nth; i++)
			if (i != t->id && kw_op_enabled_raw(s, &s->th[i]))
				mask |= 1u << i;
		if (mask) {
			t->spin_yield = true;
			t->spin_mask = mask;
			s->spin_yielders |= 1u << t->id;
		}
		/* ... or until the location changes; and its next read of it takes a newer store
		 * if there is one (re-reading an old one would only spin: as after cpu_relax()) */
		t->wait_loc = loc;
		t->wait_ts = ts;
	}
	t->spin_loc = loc;
	t->spin_pc = pc;
	t->spin_ts = ts;
	t->spin_fresh = true;
}

static void kw_pick_and_go(struct kw_sim *s, struct kw_thread *cur)
{
	struct kw_thread *cand[KW_MAX_THREADS], *next;
	bool cur_en;
	unsigned n, i = 0;

	for (;;) {
		struct kw_thread *late[KW_MAX_THREADS];
		unsigned nlate = 0;

		n = 0;
		/* a sleeper that could only go on by timing out comes last: time passes when the
		 * strategy chooses it, and the fixed rule lets the others run first */
		cur_en = cur && kw_op_enabled(s, cur);
		if (cur_en && cur->deadline && kw_kernel_timing_out(s, cur)) {
			late[nlate++] = cur;
			cur_en = false;
		}
		if (cur_en)
			cand[n++] = cur;
		for (int k = 0; k < s->nth; k++) {
			struct kw_thread *u = &s->th[k];

			if (u != cur && kw_op_enabled(s, u)) {
				if (u->deadline && kw_kernel_timing_out(s, u))
					late[nlate++] = u;
				else
					cand[n++] = u;
			}
		}
		for (unsigned k = 0; k < nlate; k++)
			cand[n++] = late[k];
		if (n || !kw_kernel_timer_advance(s))
			break;
	}
	if (n == 0) {
		/* end of the run, or everyone is blocked: the main context decides which (a fiber
		 * that switches away here is never resumed) */
		if (cur) {
			s->cur = NULL;
			kw_fiber_switch(&cur->fib, &s->main_fib);
		}
		return;
	}
	if (n > 1) {
		struct kw_choice c = { .kind = KW_CH_SCHED, .n = n, .cand = cand, .cur_enabled = cur_en,
				       .cur = cur };

		i = kw_choose(s, &c);
	}
	next = cand[i];
	if (cur_en && next != cur)
		s->preemptions++;
	if (kw_cov_hook && cur && next != cur)
		kw_cov_hook(cur->op.pc, next->op.pc);
	if (++s->steps > (uint64_t)s->max_steps) {
		kw_report_set(s, "livelock", next->op.pc,
			      "no end after %ld steps (step bound); a thread may be spinning without a recognised wait",
			      s->max_steps);
		for (int k = 0; k < s->nth; k++) {
			char b[96];

			kw_report_detail(s, "  %s: %ld steps%s\n", kw_thread_label(&s->th[k], b, sizeof(b)),
					 s->th[k].own_steps, s->th[k].state == KW_T_DONE ? ", ended" : "");
		}
		kw_abort_run(s);
	}
	if (++next->own_steps > next->max_own_steps && next->max_own_steps) {
		char b[96];

		kw_report_set(s, "progress", next->op.pc, "%s took more than %ld of its own steps",
			      kw_thread_label(next, b, sizeof(b)), next->max_own_steps);
		s->rep.tid = next->id;
		kw_abort_run(s);
	}
	s->plain_since_point = 0;
	kw_wd_refill();
	if (s->spin_yielders)
		kw_spin_stepped(s, next);
	if (s->strat->ops->step) {
		s->strat->ops->step(s->strat, s, next);
		if (s->status == KW_RUN_PRUNED)
			kw_abort_run(s);
	}
	if (next != cur) {
		if (kw_is_intr(next) && !next->started)
			kw_irq_arrive(s, next);
		s->cur = next;
		if (cur && cur->kind != KW_IRQ)
			KW_TSAN_RELEASE(&s->cpu[cur->cpu].owner); /* an IRQ on this CPU comes after */
		kw_fiber_switch(cur ? &cur->fib : &s->main_fib, &next->fib);
		/* back in cur: it has been chosen (or the run is being torn down: never resumed) */
		if (cur && cur->kind != KW_IRQ)
			KW_TSAN_ACQUIRE(&s->cpu[cur->cpu].irq); /* after the IRQs of this CPU */
	}
}

void kw_sched_point(struct kw_sim *s, const struct kw_op *op)
{
	struct kw_thread *t = s->cur;

	t->op = *op;
	kw_wd_refill();
	/* anything but a marked load, a fence, a yield or a cmpxchg (which says whether it had an
	 * effect itself) is an effect: the thread is not spinning */
	if (op->kind != KW_OP_LOAD && op->kind != KW_OP_FENCE && op->kind != KW_OP_YIELD &&
	    !(op->kind == KW_OP_RMW && op->mode == 0xff))
		t->spin_fresh = false;
	if (t->prerun) {
		struct kw_thread *cr = t->creator;

		t->prerun = false;
		s->cur = cr;
		kw_fiber_switch(&t->fib, cr ? &cr->fib : &s->main_fib);
		return; /* chosen for the first time */
	}
	kw_pick_and_go(s, t);
}

void kw_yield(void)
{
	struct kw_sim *s = kw_S;
	struct kw_op op = { .kind = KW_OP_YIELD, .pc = KW_RET_PC };

	if (!s || !s->cur)
		return;
	kw_sched_point(s, &op);
	kw_trace_event(s, s->cur, KW_OP_YIELD, NULL, 0, 0, 0, op.pc, NULL);
}

long kw_param(const char *name)
{
	struct kw_sim *s = kw_S;
	int i;

	if (!s || !s->sc)
		return 0;
	i = kw_param_index(s->sc, name);
	if (i < 0) {
		kw_report_set(s, "scenario", KW_RET_PC, "unknown parameter '%s'", name);
		kw_fail_now(s);
	}
	return s->cfg.params[i];
}

/* ---- the run driver ------------------------------------------------------------------------ */

struct kw_sim *kw_sim_new(void)
{
	struct kw_sim *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	kw_fiber_main_init(&s->main_fib);
	kw_amap_init(&s->objmap, 256);
	s->mm = kw_mm_new();
	s->race = kw_race_new();
	s->alloc = kw_alloc_new();
	kw_signals_install();
	kw_backstop_hold();
	return s;
}

void kw_sim_free(struct kw_sim *s)
{
	if (!s)
		return;
	if (kw_S == s)
		kw_S = NULL;
	kw_backstop_release();
	for (int i = 0; i < KW_MAX_THREADS; i++)
		kw_fiber_release(&s->th[i].fib);
	kw_amap_free(&s->objmap);
	free(s->objs);
	kw_mm_free(s->mm);
	kw_race_free(s->race);
	kw_alloc_free_all(s->alloc);
	free(s->kstate);
	free(s->dec);
	free(s->dec_want);
	free(s->dec_pre);
	free(s->ev);
	free(s);
}

static void kw_end_of_run_checks(struct kw_sim *s)
{
	for (int i = 0; i < s->nth; i++) {
		struct kw_thread *t = &s->th[i];

		if (t->state != KW_T_LIVE)
			continue;
		if (kw_is_intr(t) && !t->started)
			continue; /* never arrived: fine unless something waits for it (then blocked) */
		if (t->daemon && t->op.kind == KW_OP_WORKER_WAIT)
			continue; /* idle worker */
		kw_kernel_deadlock_report(s);
		return;
	}
}

int kw_sim_run(struct kw_sim *s, const struct kw_config *cfg, struct kw_strategy *st, bool trace)
{
	const struct kw_scenario *sc = cfg->sc;

	s->cfg = *cfg;
	s->sc = sc;
	s->strat = st;
	s->ncpus = cfg->cpus > 0 ? cfg->cpus : sc->cpus > 0 ? sc->cpus : 2;
	if (s->ncpus > KW_MAX_CPUS)
		s->ncpus = KW_MAX_CPUS;
	s->max_steps = cfg->max_steps > 0 ? cfg->max_steps :
		       sc->max_steps > 0 ? sc->max_steps : KW_DEFAULT_MAX_STEPS;
	s->nth = 0;
	s->cur = NULL;
	memset(s->cpu, 0, sizeof(s->cpu));
	s->ndec = 0;
	s->preemptions = 0;
	s->steps = 0;
	s->plain_since_point = 0;
	s->jiffies = 0;
	s->status = KW_RUN_OK;
	s->rep.check[0] = 0;
	s->rep.msg[0] = 0;
	s->rep.dlen = 0;
	s->rep.detail[0] = 0;
	s->has_deferred = false;
	s->outcome[0] = 0;
	s->err[0] = 0;
	s->tracing = trace;
	s->nev = 0;
	s->trace_dec = 0;
	s->ending = false;
	s->exited = false;
	s->exit_status = 0;
	kw_kernel_reset(s);
	kw_mm_reset(s);
	kw_race_reset(s);
	kw_alloc_reset(s);
	kw_S = s;
	kw_sim_thread = true;
	if (st->ops->begin)
		st->ops->begin(st, s);
	kw_backstop_run();
	s->in_run = true;
	kw_wd_refill();
	s->phase = KW_PH_SETUP;
	if (sigsetjmp(s->crash_jmp, 0) == 0) {
		if (sc->setup)
			sc->setup();
		s->phase = KW_PH_THREADS;
		for (int i = 0; i < KW_MAX_SPEC_THREADS && sc->threads[i].fn; i++) {
			const struct kw_thread_spec *ts = &sc->threads[i];
			struct kw_thread *t = kw_thread_new(s, ts->name, ts->fn, ts->arg, ts->kind,
							    ts->on_cpu - 1, true);

			t->max_own_steps = ts->max_own_steps;
		}
		kw_pick_and_go(s, NULL);
		if (s->exited)
			siglongjmp(s->crash_jmp, 1); /* a thread exited the program: no end-of-run checks */
		s->phase = KW_PH_END;
		if (s->status == KW_RUN_OK)
			kw_end_of_run_checks(s);
		if (s->status == KW_RUN_OK)
			kw_mm_end_of_run(s);
		if (s->status == KW_RUN_OK && s->has_deferred) {
			s->rep = s->deferred;
			s->status = KW_RUN_FAIL;
		}
		if (s->status == KW_RUN_OK) {
			s->ending = true;
			s->phase = KW_PH_CHECK;
			kw_wd_refill();
			if (sc->check)
				sc->check();
			if (s->status == KW_RUN_OK)
				kw_alloc_end_of_run(s);
		}
	} else if (s->exited && s->status == KW_RUN_OK && s->has_deferred) {
		/* the program ended by exiting (kw_exit_hook: a pass); what it predicted stands */
		s->rep = s->deferred;
		s->status = KW_RUN_FAIL;
	}
	if (s->tracing && s->trace_dec < s->ndec)
		kw_trace_record(s, NULL, KW_EV_DECIDE, NULL, 0, 0, 0, 0, NULL); /* end-of-run drains */
	if (s->status == KW_RUN_FAIL && s->has_deferred && strcmp(s->rep.check, s->deferred.check))
		kw_report_detail(s, "  also found earlier in this run: %s: %s\n", s->deferred.check, s->deferred.msg);
	s->in_run = false;
	s->cur = NULL;
	return s->status;
}
