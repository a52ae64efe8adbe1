// SPDX-License-Identifier: GPL-2.0-only
/*
 * dfs.c - bounded exhaustive search: every decision sequence within a preemption bound,
 * stateless (each execution re-runs from the start), with sleep sets.
 *
 * Each decision is a node; scheduling nodes list their candidate threads (the current one
 * first, when enabled) and value nodes (which store a load reads, where a store goes) just
 * count. Scheduling nodes are explored in candidate order, non-preemptive choice first.
 *
 * Sleep sets (Godefroid): after a thread's branch is explored at a node, it sleeps in its
 * later siblings' branches until something dependent on its pending op runs; an execution
 * that could only go on with sleeping threads is pruned (it is equivalent to one explored).
 *
 * Bound soundness. Plain sleep sets and a preemption bound do not mix (Coons et al.,
 * "Bounded partial-order reduction", OOPSLA 2013): the explored representative of an
 * equivalence class may need more preemptions than the pruned one. kweave runs in two phases:
 *   phase 1: plain sleep sets. If no branch was ever cut by the bound, the search was
 *            effectively unbounded and plain sleep sets are sound: done.
 *   phase 2: otherwise, start over with bound-aware sleep sets: explored sibling t sleeps in
 *            sibling u's branch only if  cost(t) + en_after(t) <= cost(u),  where cost is 1
 *            for a preemptive choice and en_after(t) says whether t's thread was still enabled
 *            right after t ran. Moving a sleeping t to the front of any continuation of u's
 *            branch then costs no more preemptions than that continuation (the commuted order
 *            pays at most [L->t] + [t->u1] where the original paid [L->u1], and the switch into
 *            the pruned t is never cheaper than the switch it replaces), so every class within
 *            the bound keeps a representative within the bound. A sleeping thread is also woken
 *            when the thread that just ran reaches a next op dependent on it, so that
 *            enabledness along the branch is the same with or without t moved first.
 * The unit suite checks that reduced and unreduced searches reach the same outcomes.
 */
#include "kw_internal.h"

#include <stdlib.h>
#include <string.h>

struct kw_dfs_node {
	uint16_t n;			/* alternatives */
	uint16_t idx;			/* the one being explored */
	uint8_t kind;			/* enum kw_choice_kind */
	bool cur_en;			/* SCHED: the current thread could go on */
	int8_t cur;			/* SCHED: current thread id, -1 at run start */
	int8_t cand[KW_MAX_THREADS];	/* SCHED: candidate thread ids, in order */
	uint32_t sleep_in;		/* SCHED: threads asleep on arrival */
	uint32_t done;			/* SCHED: candidates whose branches are explored */
	uint32_t en_after;		/* SCHED: explored candidates still enabled after their step */
	uint16_t preempt_before;	/* preemptions spent before this node */
};

struct kw_dfs {
	struct kw_strategy base;
	int bound;			/* preemption bound */
	bool reduction;			/* sleep sets on */
	int phase;			/* 1: plain sleep sets, 2: bound-aware */
	bool cut;			/* this phase cut a branch because of the bound */
	struct kw_dfs_node *nodes;	/* the current path */
	size_t nnodes, cap, depth;	/* path length, allocation, position in this run */
	uint32_t sleep;			/* sleep set at the current point */
	int last_tid;			/* thread that ran the last step (-1: none) */
	long last_node;			/* node whose chosen thread ran the last step, or -1 */
	struct kw_dfs_stats st;
};

static unsigned kw_dfs_cost(const struct kw_dfs_node *nd, unsigned i)
{
	return nd->cur_en && i != 0;
}

static bool kw_dfs_sleep_ok(const struct kw_dfs *d, const struct kw_dfs_node *nd, unsigned j, unsigned i)
{
	if (d->phase == 1)
		return true;
	return kw_dfs_cost(nd, j) + ((nd->en_after >> nd->cand[j]) & 1u) <= kw_dfs_cost(nd, i);
}

static bool kw_dfs_allowed(struct kw_dfs *d, const struct kw_dfs_node *nd, unsigned i)
{
	if (nd->kind != KW_CH_SCHED)
		return true;
	if (d->reduction && (nd->sleep_in >> nd->cand[i] & 1u))
		return false;
	if (kw_dfs_cost(nd, i) && nd->preempt_before + 1 > d->bound) {
		d->cut = true;
		d->st.bound_cuts++;
		return false;
	}
	return true;
}

/* Apply what the last step did to the sleep set (see the comment at the top). */
static void kw_dfs_settle(struct kw_dfs *d, struct kw_sim *s)
{
	struct kw_thread *l;

	if (d->last_tid < 0)
		return;
	l = &s->th[d->last_tid];
	if (d->last_node >= 0) {
		struct kw_dfs_node *nd = &d->nodes[d->last_node];

		if (l->state == KW_T_LIVE && kw_op_enabled(s, l))
			nd->en_after |= 1u << l->id;
		d->last_node = -1;
	}
	if (d->reduction && l->state == KW_T_LIVE)
		for (uint32_t m = d->sleep; m; m &= m - 1) {
			int u = __builtin_ctz(m);

			if (kw_ops_dependent(&s->th[u], &s->th[u].op, l, &l->op))
				d->sleep &= ~(1u << u);
		}
	d->last_tid = -1;
}

static void kw_dfs_begin(struct kw_strategy *st, struct kw_sim *s)
{
	struct kw_dfs *d = (struct kw_dfs *)st;

	(void)s;
	d->depth = 0;
	d->sleep = 0;
	d->last_tid = -1;
	d->last_node = -1;
}

static unsigned kw_dfs_choose(struct kw_strategy *st, struct kw_sim *s, const struct kw_choice *c)
{
	struct kw_dfs *d = (struct kw_dfs *)st;
	struct kw_dfs_node *nd;

	if (c->kind == KW_CH_SCHED)
		kw_dfs_settle(d, s);
	if (d->depth < d->nnodes) {
		nd = &d->nodes[d->depth];
		if (nd->n != c->n || nd->kind != c->kind) {
			s->status = KW_RUN_ERROR;
			snprintf(s->err, sizeof(s->err),
				 "dfs: the scenario did not repeat itself at decision %zu (it depends on something outside the decision stream)",
				 d->depth + 1);
			return 0;
		}
	} else {
		if (d->nnodes == d->cap) {
			d->cap = d->cap ? 2 * d->cap : 256;
			d->nodes = kw_xrealloc(d->nodes, d->cap * sizeof(*d->nodes));
		}
		nd = &d->nodes[d->nnodes++];
		memset(nd, 0, sizeof(*nd));
		nd->n = (uint16_t)c->n;
		nd->kind = c->kind;
		if (c->kind == KW_CH_SCHED) {
			nd->cur_en = c->cur_enabled;
			nd->cur = c->cur ? (int8_t)c->cur->id : -1;
			for (unsigned i = 0; i < c->n; i++)
				nd->cand[i] = (int8_t)c->cand[i]->id;
			nd->sleep_in = d->reduction ? d->sleep : 0;
			nd->preempt_before = (uint16_t)s->preemptions;
		}
		nd->idx = 0;
		while (nd->idx < nd->n && !kw_dfs_allowed(d, nd, nd->idx))
			nd->idx++;
		if (nd->idx == nd->n) {
			/* every candidate sleeps: this execution is equivalent to an explored one */
			d->nnodes--;
			s->status = KW_RUN_PRUNED;
			return 0;
		}
	}
	if (c->kind == KW_CH_SCHED) {
		/* the branch's sleep set: arrivals' sleepers plus explored siblings that may sleep */
		uint32_t sl = nd->sleep_in;

		if (d->reduction)
			for (unsigned j = 0; j < nd->idx; j++)
				if ((nd->done >> nd->cand[j] & 1u) && kw_dfs_sleep_ok(d, nd, j, nd->idx))
					sl |= 1u << nd->cand[j];
		d->sleep = sl;
		d->last_node = (long)d->depth;
	}
	d->depth++;
	return nd->idx;
}

static void kw_dfs_step(struct kw_strategy *st, struct kw_sim *s, struct kw_thread *t)
{
	struct kw_dfs *d = (struct kw_dfs *)st;

	/* a forced step (no decision) settles the previous one first; after a decision,
	 * kw_dfs_choose() already did, and last_node names the decision's node */
	if (d->last_tid >= 0)
		kw_dfs_settle(d, s);
	if (d->reduction && (d->sleep >> t->id & 1u)) {
		/* a forced step by a sleeping thread: equivalent to an explored execution */
		s->status = KW_RUN_PRUNED;
		return;
	}
	if (d->reduction)
		for (uint32_t m = d->sleep; m; m &= m - 1) {
			int u = __builtin_ctz(m);

			if (u == t->id || kw_ops_dependent(&s->th[u], &s->th[u].op, t, &t->op))
				d->sleep &= ~(1u << u);
		}
	d->last_tid = t->id;
}

static bool kw_dfs_end(struct kw_strategy *st, struct kw_sim *s)
{
	struct kw_dfs *d = (struct kw_dfs *)st;

	if (s->status == KW_RUN_ERROR)
		return true;
	/* a run that ended right after a decision's step leaves en_after clear: the thread did
	 * not go on */
	d->last_node = -1;
	if (s->status == KW_RUN_PRUNED)
		d->st.pruned++;
	else
		d->st.explored++;
	/* the run's path may be shorter than the stored one if it failed early */
	d->nnodes = d->depth < d->nnodes ? d->depth : d->nnodes;
	while (d->nnodes) {
		struct kw_dfs_node *nd = &d->nodes[d->nnodes - 1];
		unsigned j;

		if (nd->kind == KW_CH_SCHED)
			nd->done |= 1u << nd->cand[nd->idx];
		for (j = nd->idx + 1u; j < nd->n; j++)
			if (kw_dfs_allowed(d, nd, j))
				break;
		if (j < nd->n) {
			nd->idx = (uint16_t)j;
			return false;
		}
		d->nnodes--;
	}
	if (d->reduction && d->phase == 1 && d->cut) {
		/* the bound cut branches: plain sleep sets may have lost classes; redo bound-aware */
		d->phase = 2;
		d->st.phase = 2;
		d->cut = false;
		return false;
	}
	d->st.exhausted = true;
	return true;
}

static void kw_dfs_describe(struct kw_strategy *st, char *buf, size_t n)
{
	struct kw_dfs *d = (struct kw_dfs *)st;

	snprintf(buf, n, "dfs preemptions=%d%s", d->bound, d->reduction ? "" : " no-reduction");
}

static void kw_dfs_destroy(struct kw_strategy *st)
{
	free(((struct kw_dfs *)st)->nodes);
	free(st);
}

static const struct kw_strategy_ops kw_dfs_ops = {
	.name = "dfs",
	.begin = kw_dfs_begin,
	.choose = kw_dfs_choose,
	.step = kw_dfs_step,
	.end = kw_dfs_end,
	.describe = kw_dfs_describe,
	.destroy = kw_dfs_destroy,
};

struct kw_strategy *kw_strategy_dfs(int preemption_bound, bool reduction)
{
	struct kw_dfs *d = calloc(1, sizeof(*d));

	d->base.ops = &kw_dfs_ops;
	d->bound = preemption_bound < 0 ? 0 : preemption_bound;
	d->reduction = reduction;
	d->phase = 1;
	d->st.phase = 1;
	return &d->base;
}

void kw_dfs_stats(struct kw_strategy *st, struct kw_dfs_stats *out)
{
	*out = ((struct kw_dfs *)st)->st;
}
