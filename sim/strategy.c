// SPDX-License-Identifier: GPL-2.0-only
/*
 * strategy.c - who answers kw_choose(): random (seeded), bytes (a fuzzer's input), replay
 * (a decision list), guided (preferred threads, for minimize), pct and pos.
 *
 * Invariants: a strategy's answers depend only on its own inputs (seed, bytes, decisions) and
 * on what the scheduler shows it; each run of a seeded strategy gets its own stream derived
 * from (seed, run number), so run k can be reproduced without runs 0..k-1.
 */
#include "kw_internal.h"

#include <stdlib.h>
#include <string.h>

void kw_strategy_destroy(struct kw_strategy *st)
{
	if (st && st->ops->destroy)
		st->ops->destroy(st);
	else
		free(st);
}

/* ---- seeded strategies (random, pct, pos) share their stream handling ------------------- */

struct kw_seeded {
	struct kw_strategy base;
	uint64_t seed;		/* --seed */
	uint64_t run;		/* runs begun */
	uint64_t rng;		/* this run's stream */
};

/* A run's stream depends on (seed, run number, strategy) only. */
static void kw_seeded_begin(struct kw_seeded *r, uint64_t salt)
{
	r->rng = kw_hash64(r->seed * 0x100000001B3ull + r->run++ + salt);
}

static unsigned kw_seeded_pick(struct kw_seeded *r, unsigned n)
{
	return (unsigned)(kw_rng_next(&r->rng) % n);
}

static void kw_seeded_describe(const struct kw_seeded *r, const char *what, char *buf, size_t n)
{
	snprintf(buf, n, "%s seed=%llu run=%llu", what, (unsigned long long)r->seed,
		 (unsigned long long)(r->run ? r->run - 1 : 0));
}

/* The candidate whose thread has the highest priority (pct and pos). */
static unsigned kw_pick_highest(const uint64_t *prio, const struct kw_choice *c)
{
	unsigned best = 0;

	for (unsigned i = 1; i < c->n; i++)
		if (prio[c->cand[i]->id] > prio[c->cand[best]->id])
			best = i;
	return best;
}

static struct kw_strategy *kw_seeded_new(size_t size, const struct kw_strategy_ops *ops, uint64_t seed)
{
	struct kw_seeded *r = calloc(1, size);

	r->base.ops = ops;
	r->seed = seed;
	return &r->base;
}

/* ---- random ------------------------------------------------------------------------------ */

static void kw_random_begin(struct kw_strategy *st, struct kw_sim *s)
{
	(void)s;
	kw_seeded_begin((struct kw_seeded *)st, 0);
}

static unsigned kw_random_choose(struct kw_strategy *st, struct kw_sim *s, const struct kw_choice *c)
{
	(void)s;
	return kw_seeded_pick((struct kw_seeded *)st, c->n);
}

static void kw_random_describe(struct kw_strategy *st, char *buf, size_t n)
{
	kw_seeded_describe((struct kw_seeded *)st, "random", buf, n);
}

static const struct kw_strategy_ops kw_random_ops = {
	.name = "random",
	.begin = kw_random_begin,
	.choose = kw_random_choose,
	.describe = kw_random_describe,
};

struct kw_strategy *kw_strategy_random(uint64_t seed)
{
	return kw_seeded_new(sizeof(struct kw_seeded), &kw_random_ops, seed);
}

/* ---- bytes: decisions read from a buffer; past its end, the fixed rule "0" (the current
 * thread goes on, or the lowest-numbered enabled one) ------------------------------------------ */

struct kw_bytes {
	struct kw_strategy base;
	const uint8_t *buf;	/* not owned */
	size_t n, pos;		/* length, read position */
};

static void kw_bytes_begin(struct kw_strategy *st, struct kw_sim *s)
{
	(void)s;
	((struct kw_bytes *)st)->pos = 0;
}

static unsigned kw_bytes_choose(struct kw_strategy *st, struct kw_sim *s, const struct kw_choice *c)
{
	struct kw_bytes *b = (struct kw_bytes *)st;
	unsigned v;

	(void)s;
	if (b->pos >= b->n)
		return 0;
	v = b->buf[b->pos++];
	if (c->n > 256 && b->pos < b->n)
		v = v << 8 | b->buf[b->pos++];
	return v % c->n;
}

static void kw_bytes_describe(struct kw_strategy *st, char *buf, size_t n)
{
	snprintf(buf, n, "bytes len=%zu", ((struct kw_bytes *)st)->n);
}

static const struct kw_strategy_ops kw_bytes_ops = {
	.name = "bytes",
	.begin = kw_bytes_begin,
	.choose = kw_bytes_choose,
	.describe = kw_bytes_describe,
};

struct kw_strategy *kw_strategy_bytes(const uint8_t *buf, size_t n)
{
	struct kw_bytes *b = calloc(1, sizeof(*b));

	b->base.ops = &kw_bytes_ops;
	b->buf = buf;
	b->n = n;
	return &b->base;
}

/* ---- replay: exactly the recorded decisions, or an error --------------------------------- */

struct kw_replay_st {
	struct kw_strategy base;
	struct kw_decision *d;	/* owned copy */
	size_t n, pos;
	char why[160];		/* divergence */
};

static void kw_replay_begin(struct kw_strategy *st, struct kw_sim *s)
{
	struct kw_replay_st *r = (struct kw_replay_st *)st;

	(void)s;
	r->pos = 0;
	r->why[0] = 0;
}

static unsigned kw_replay_choose(struct kw_strategy *st, struct kw_sim *s, const struct kw_choice *c)
{
	struct kw_replay_st *r = (struct kw_replay_st *)st;
	const struct kw_decision *d;

	if (r->pos >= r->n) {
		snprintf(r->why, sizeof(r->why), "the run needs more than the %zu decisions the file holds", r->n);
		goto diverged;
	}
	d = &r->d[r->pos];
	if (d->n != c->n) {
		snprintf(r->why, sizeof(r->why), "decision %zu has %u choices in the file but %u in this run",
			 r->pos + 1, d->n, c->n);
		goto diverged;
	}
	r->pos++;
	return d->v;
diverged:
	s->status = KW_RUN_ERROR;
	snprintf(s->err, sizeof(s->err), "replay diverges: %s (edited file, or another binary)", r->why);
	return 0;
}

static bool kw_replay_end(struct kw_strategy *st, struct kw_sim *s)
{
	struct kw_replay_st *r = (struct kw_replay_st *)st;

	if (s->status != KW_RUN_ERROR && r->pos != r->n) {
		snprintf(r->why, sizeof(r->why), "the run ended after %zu of the file's %zu decisions", r->pos, r->n);
		s->status = KW_RUN_ERROR;
		snprintf(s->err, sizeof(s->err), "replay diverges: %s (edited file, or another binary)", r->why);
	}
	return true;
}

static void kw_replay_describe(struct kw_strategy *st, char *buf, size_t n)
{
	snprintf(buf, n, "replay decisions=%zu", ((struct kw_replay_st *)st)->n);
}

static void kw_replay_destroy(struct kw_strategy *st)
{
	free(((struct kw_replay_st *)st)->d);
	free(st);
}

static const struct kw_strategy_ops kw_replay_ops = {
	.name = "replay",
	.begin = kw_replay_begin,
	.choose = kw_replay_choose,
	.end = kw_replay_end,
	.describe = kw_replay_describe,
	.destroy = kw_replay_destroy,
};

struct kw_strategy *kw_strategy_replay(const struct kw_decision *d, size_t n)
{
	struct kw_replay_st *r = calloc(1, sizeof(*r));

	r->base.ops = &kw_replay_ops;
	r->d = malloc((n ? n : 1) * sizeof(*d));
	if (n)
		memcpy(r->d, d, n * sizeof(*d));
	r->n = n;
	return &r->base;
}

/* ---- guided: follow a preferred thread per scheduling decision (and a value per other
 * decision) where it is possible; otherwise the fixed rule. minimize edits these lists. ------ */

struct kw_guided {
	struct kw_strategy base;
	int16_t *want;		/* per decision: thread id (SCHED) or value; -1 = fixed rule */
	size_t n, pos;
};

static void kw_guided_begin(struct kw_strategy *st, struct kw_sim *s)
{
	(void)s;
	((struct kw_guided *)st)->pos = 0;
}

static unsigned kw_guided_choose(struct kw_strategy *st, struct kw_sim *s, const struct kw_choice *c)
{
	struct kw_guided *g = (struct kw_guided *)st;
	int w;

	(void)s;
	if (g->pos >= g->n)
		return 0;
	w = g->want[g->pos++];
	if (w < 0)
		return 0;
	if (c->kind == KW_CH_SCHED) {
		for (unsigned i = 0; i < c->n; i++)
			if (c->cand[i]->id == w)
				return i;
		return 0;
	}
	return (unsigned)w < c->n ? (unsigned)w : c->n - 1;
}

static void kw_guided_destroy(struct kw_strategy *st)
{
	free(((struct kw_guided *)st)->want);
	free(st);
}

static const struct kw_strategy_ops kw_guided_ops = {
	.name = "guided",
	.begin = kw_guided_begin,
	.choose = kw_guided_choose,
	.destroy = kw_guided_destroy,
};

struct kw_strategy *kw_strategy_guided(const int16_t *want, size_t n)
{
	struct kw_guided *g = calloc(1, sizeof(*g));

	g->base.ops = &kw_guided_ops;
	g->want = malloc((n ? n : 1) * sizeof(*want));
	if (n)
		memcpy(g->want, want, n * sizeof(*want));
	g->n = n;
	return &g->base;
}

/* ---- pct: probabilistic concurrency testing (Burckhardt et al. 2010). Random distinct
 * thread priorities; the highest-priority enabled thread runs; at d-1 random steps the
 * running thread drops below every initial priority. A bug of depth d is found with
 * probability >= 1/(n k^(d-1)) per run. ----------------------------------------------------- */

struct kw_pct {
	struct kw_seeded r;		/* stream */
	int depth;			/* d */
	uint64_t k;			/* steps per run, learnt from earlier runs */
	uint64_t change[16];		/* change-point steps of this run */
	int nchange;
	uint64_t prio[KW_MAX_THREADS];	/* thread priorities, higher runs first */
};

static void kw_pct_begin(struct kw_strategy *st, struct kw_sim *s)
{
	struct kw_pct *p = (struct kw_pct *)st;

	(void)s;
	kw_seeded_begin(&p->r, 0x5043540000ull);
	p->nchange = p->depth - 1 < 16 ? p->depth - 1 : 16;
	for (int i = 0; i < p->nchange; i++)
		p->change[i] = 1 + kw_rng_next(&p->r.rng) % (p->k ? p->k : 1);
}

static void kw_pct_spawned(struct kw_strategy *st, struct kw_sim *s, struct kw_thread *t)
{
	struct kw_pct *p = (struct kw_pct *)st;

	(void)s;
	/* above every change-point priority (0..d-2) */
	p->prio[t->id] = 64 + (kw_rng_next(&p->r.rng) >> 8);
}

static unsigned kw_pct_choose(struct kw_strategy *st, struct kw_sim *s, const struct kw_choice *c)
{
	struct kw_pct *p = (struct kw_pct *)st;

	(void)s;
	if (c->kind != KW_CH_SCHED)
		return kw_seeded_pick(&p->r, c->n);
	return kw_pick_highest(p->prio, c);
}

static void kw_pct_step(struct kw_strategy *st, struct kw_sim *s, struct kw_thread *t)
{
	struct kw_pct *p = (struct kw_pct *)st;

	for (int i = 0; i < p->nchange; i++)
		if (p->change[i] == s->steps)
			p->prio[t->id] = (uint64_t)(p->nchange - 1 - i);
}

static bool kw_pct_end(struct kw_strategy *st, struct kw_sim *s)
{
	struct kw_pct *p = (struct kw_pct *)st;

	if (s->steps > p->k)
		p->k = s->steps;
	return false;
}

static void kw_pct_describe(struct kw_strategy *st, char *buf, size_t n)
{
	struct kw_pct *p = (struct kw_pct *)st;
	char what[32];

	snprintf(what, sizeof(what), "pct depth=%d", p->depth);
	kw_seeded_describe(&p->r, what, buf, n);
}

static const struct kw_strategy_ops kw_pct_ops = {
	.name = "pct",
	.begin = kw_pct_begin,
	.choose = kw_pct_choose,
	.step = kw_pct_step,
	.spawned = kw_pct_spawned,
	.end = kw_pct_end,
	.describe = kw_pct_describe,
};

struct kw_strategy *kw_strategy_pct(uint64_t seed, int depth)
{
	struct kw_pct *p = (struct kw_pct *)kw_seeded_new(sizeof(*p), &kw_pct_ops, seed);

	p->depth = depth < 1 ? 1 : depth;
	p->k = 32;
	return &p->r.base;
}

/* ---- pos: partial order sampling (Yuan et al. 2018). Each pending event has a random
 * priority; the highest enabled one runs; after it, the events racing with it (dependent,
 * other threads) draw new priorities. ----------------------------------------------------------- */

struct kw_pos {
	struct kw_seeded r;		/* stream */
	uint64_t prio[KW_MAX_THREADS];	/* priority of each thread's pending event */
};

static void kw_pos_begin(struct kw_strategy *st, struct kw_sim *s)
{
	(void)s;
	kw_seeded_begin(&((struct kw_pos *)st)->r, 0x504f530000ull);
}

static void kw_pos_spawned(struct kw_strategy *st, struct kw_sim *s, struct kw_thread *t)
{
	struct kw_pos *p = (struct kw_pos *)st;

	(void)s;
	p->prio[t->id] = kw_rng_next(&p->r.rng);
}

static unsigned kw_pos_choose(struct kw_strategy *st, struct kw_sim *s, const struct kw_choice *c)
{
	struct kw_pos *p = (struct kw_pos *)st;

	(void)s;
	if (c->kind != KW_CH_SCHED)
		return kw_seeded_pick(&p->r, c->n);
	return kw_pick_highest(p->prio, c);
}

static void kw_pos_step(struct kw_strategy *st, struct kw_sim *s, struct kw_thread *t)
{
	struct kw_pos *p = (struct kw_pos *)st;

	for (int i = 0; i < s->nth; i++) {
		struct kw_thread *u = &s->th[i];

		if (u != t && u->state == KW_T_LIVE && kw_ops_dependent(t, &t->op, u, &u->op))
			p->prio[i] = kw_rng_next(&p->r.rng);
	}
	p->prio[t->id] = kw_rng_next(&p->r.rng);
}

static void kw_pos_describe(struct kw_strategy *st, char *buf, size_t n)
{
	kw_seeded_describe(&((struct kw_pos *)st)->r, "pos", buf, n);
}

static const struct kw_strategy_ops kw_pos_ops = {
	.name = "pos",
	.begin = kw_pos_begin,
	.choose = kw_pos_choose,
	.step = kw_pos_step,
	.spawned = kw_pos_spawned,
	.describe = kw_pos_describe,
};

struct kw_strategy *kw_strategy_pos(uint64_t seed)
{
	return kw_seeded_new(sizeof(struct kw_pos), &kw_pos_ops, seed);
}
