// SPDX-License-Identifier: GPL-2.0-only
/*
 * blocking.c - when a blocked operation may go on, and what to say when nothing can:
 * the wait-for cycle of a deadlock, or the blocked threads of a hang.
 */
#include "kernel_priv.h"

#include <stdlib.h>
#include <string.h>

/* ---- enabledness --------------------------------------------------------------------------- */

/* t, asleep with a deadline, is waiting for nothing but its timeout. */
static bool kw_only_timeout(struct kw_sim *s, const struct kw_thread *t)
{
	const struct kw_op *op = &t->op;

	if (!t->deadline || t->state != KW_T_LIVE)
		return false;
	if (op->kind == KW_OP_SCHEDULE)
		return t->task_state != KW_TASK_RUNNING;
	if (op->kind == KW_OP_WAIT_COMPLETION && op->mode) {
		struct kw_obj *o = op->obj ? &s->objs[op->obj - 1] : kw_obj_find(s, op->addr);

		return !(o && o->u.comp.done > 0) && !(op->mode == 2 && t->sigpending) &&
		       !(op->mode == 3 && t->sigpending == 2);
	}
	return false;
}

/*
 * The next moment virtual time may move to: the earliest deadline of a sleeper waiting only
 * for its timeout, or the earliest expiry of an armed timer (UINT64_MAX: none). Time moves in
 * that order: a timeout or a timer may fire at any scheduling point, but never before an
 * earlier one.
 */
uint64_t kw_kernel_time_next(struct kw_sim *s)
{
	uint64_t next = UINT64_MAX;

	for (int i = 0; i < s->nth; i++)
		if (kw_only_timeout(s, &s->th[i]) && s->th[i].deadline < next)
			next = s->th[i].deadline;
	for (uint32_t i = 0; i < s->nobjs; i++)
		if (s->objs[i].type == KW_OBJ_TIMER && s->objs[i].u.soft.pending && !s->objs[i].u.soft.running &&
		    s->objs[i].u.soft.expires < next)
			next = s->objs[i].u.soft.expires;
	return next < s->jiffies ? s->jiffies : next;
}

/* t (enabled) could go on only because its timeout may expire now. */
bool kw_kernel_timing_out(struct kw_sim *s, struct kw_thread *t)
{
	return kw_only_timeout(s, t);
}

/* A sleep that may time out now: its deadline is the next moment of virtual time. */
static bool kw_timeout_due(struct kw_sim *s, struct kw_thread *t)
{
	return t->deadline && (t->deadline <= s->jiffies || t->deadline <= kw_kernel_time_next(s));
}


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
		if (o && o->u.comp.done > 0)
			return true;
		/* the timed/interruptible forms: a signal, or the timeout if it is the next one */
		return op->mode && ((op->mode == 2 && t->sigpending) || (op->mode == 3 && t->sigpending == 2) ||
				    kw_timeout_due(s, t));
	case KW_OP_SCHEDULE:
		/* woken, or timing out now: time may pass to the earliest deadline at any point */
		return t->task_state == KW_TASK_RUNNING || kw_timeout_due(s, t);
	case KW_OP_RCU_WAIT:
		return kw_rcu_wait_enabled(s, t, op);
	case KW_OP_SOFTIRQ_WAIT:
		return kw_softirq_wait_enabled(s, op);
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

static struct kw_thread *kw_waits_for(struct kw_sim *s, struct kw_thread *t)
{
	const struct kw_op *op = &t->op;

	if (!kw_intr(t)) {
		struct kw_cpu *c = &s->cpu[t->cpu];

		if (c->irq && c->irq != t)
			return c->irq;
		if (c->softirq && c->softirq != t)
			return c->softirq;
		if (c->owner && c->owner != t)
			return c->owner;
	} else if (t->kind == KW_SOFTIRQ && t->started && s->cpu[t->cpu].irq) {
		return s->cpu[t->cpu].irq;
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
	if (op->kind == KW_OP_RCU_WAIT)
		return kw_rcu_waits_for(s, t);
	if (op->kind == KW_OP_SOFTIRQ_WAIT) {
		struct kw_obj *o = kw_obj_find(s, op->addr);

		if (o && (o->type == KW_OBJ_TIMER || o->type == KW_OBJ_TASKLET))
			return kw_ks(s)->softirqd[o->u.soft.cpu];
	}
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
	case KW_OP_RCU_WAIT:
		snprintf(buf, n, op->mode ? "rcu_barrier() waits for RCU callbacks" :
			 "synchronize_rcu() waits for a reader region that began before its grace period");
		break;
	case KW_OP_SOFTIRQ_WAIT:
		snprintf(buf, n, "%s waits for the handler of %s", op->mode ? "tasklet_kill()" : "del_timer_sync()",
			 kw_addr_label(s, op->addr, l, sizeof(l)));
		break;
	case KW_OP_IRQ_ENTRY:
		snprintf(buf, n, "%s pending, %s disabled on cpu %d", t->kind == KW_SOFTIRQ ? "softirq" : "interrupt",
			 t->kind == KW_SOFTIRQ ? "bottom halves" : "IRQs", t->cpu);
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

		if (t->state != KW_T_LIVE || (kw_intr(t) && !t->started && !t->raised))
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
