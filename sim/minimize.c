// SPDX-License-Identifier: GPL-2.0-only
/*
 * minimize.c - shrink a failing schedule: the fewest preemptions, then the fewest
 * decisions, that still fail the same check.
 *
 * 1. Greedy: the schedule is re-expressed as "which thread runs" per decision (robust to
 *    small edits); each preemption in turn is replaced by "let the current thread go on",
 *    and a shorter prefix is tried; an edit is kept when the run still fails the same check
 *    with fewer preemptions (or as many and fewer decisions).
 * 2. Proof: dfs at preemption bounds 0, 1, ... below the greedy result looks for the same
 *    check. Finding it gives a schedule with fewer preemptions; exhausting a bound without it
 *    proves the result minimal. A budget keeps this step bounded; the result says whether the
 *    proof finished.
 */
#include "minimize.h"

#include <stdlib.h>
#include <string.h>

struct kw_sched {
	int16_t *want;		/* guided list */
	struct kw_decision *dec;/* the decisions of the run it gave */
	size_t n;		/* decisions */
	unsigned pre;		/* preemptions */
};

static void kw_sched_free(struct kw_sched *x)
{
	free(x->want);
	free(x->dec);
	memset(x, 0, sizeof(*x));
}

/* Record the run just made by s into x. */
static void kw_sched_take(struct kw_sched *x, struct kw_sim *s)
{
	kw_sched_free(x);
	x->n = s->ndec;
	x->pre = s->preemptions;
	x->want = malloc((x->n ? x->n : 1) * sizeof(*x->want));
	x->dec = malloc((x->n ? x->n : 1) * sizeof(*x->dec));
	if (x->n) {
		memcpy(x->want, s->dec_want, x->n * sizeof(*x->want));
		memcpy(x->dec, s->dec, x->n * sizeof(*x->dec));
	}
}

static bool kw_try_guided(struct kw_sim *s, const struct kw_config *cfg, const int16_t *want, size_t n,
			  const char *check)
{
	struct kw_strategy *g = kw_strategy_guided(want, n);
	int st = kw_sim_run(s, cfg, g, false);

	kw_strategy_destroy(g);
	return st == KW_RUN_FAIL && !strcmp(s->rep.check, check);
}

static bool kw_better(const struct kw_sim *s, const struct kw_sched *best)
{
	return s->preemptions < best->pre || (s->preemptions == best->pre && s->ndec < best->n);
}

int kw_minimize(const struct kw_config *cfg, const struct kw_decision *dec, size_t ndec,
		const struct kw_min_opts *o, struct kw_min_result *res)
{
	struct kw_sim *s = kw_sim_new();
	struct kw_sched best = { 0 };
	char check[48];
	long budget = o->greedy_runs > 0 ? o->greedy_runs : 5000;
	bool improved = true;

	memset(res, 0, sizeof(*res));
	if (kw_replay_run(s, cfg, dec, ndec, false) != KW_RUN_FAIL) {
		snprintf(res->err, sizeof(res->err), "%s",
			 s->status == KW_RUN_ERROR ? s->err : "the replay does not fail: nothing to minimize");
		kw_sim_free(s);
		return -1;
	}
	snprintf(check, sizeof(check), "%s", s->rep.check);
	snprintf(res->check, sizeof(res->check), "%s", check);
	res->pre_before = s->preemptions;
	res->ndec_before = s->ndec;
	kw_sched_take(&best, s);

	while (improved && budget > 0) {
		improved = false;
		/* drop one preemption at a time */
		uint8_t *pre;

		if (!kw_try_guided(s, cfg, best.want, best.n, check))
			break; /* cannot happen: best fails */
		budget--;
		pre = calloc(best.n + 1, 1);
		memcpy(pre, s->dec_pre, s->ndec < best.n ? s->ndec : best.n);
		for (size_t i = 0; i < best.n && budget > 0 && !improved && best.pre; i++) {
			int16_t *w;

			if (!pre[i])
				continue;
			w = malloc(best.n * sizeof(*w));
			memcpy(w, best.want, best.n * sizeof(*w));
			w[i] = -1;
			budget--;
			if (kw_try_guided(s, cfg, w, best.n, check) && kw_better(s, &best)) {
				kw_sched_take(&best, s);
				improved = true;
			}
			free(w);
		}
		free(pre);
		/* a shorter prefix, the rest by the fixed rule */
		for (size_t len = best.n / 2; len < best.n && budget > 0 && !improved; len += (best.n - len + 1) / 2) {
			budget--;
			if (kw_try_guided(s, cfg, best.want, len, check) && kw_better(s, &best)) {
				kw_sched_take(&best, s);
				improved = true;
			}
			if (len + 1 >= best.n)
				break;
		}
	}
	res->pre_greedy = best.pre;

	/* prove (or improve) with bounded exhaustive search below the greedy result */
	res->proved_to = -1;
	for (int b = 0; b < (int)best.pre && o->dfs_runs > 0; b++) {
		struct kw_search_opts so = { .strategy = KW_S_DFS, .preemptions = b, .reduction = true,
					     .runs = o->dfs_runs, .seconds = o->dfs_seconds, .want_check = check };
		struct kw_search_result r;

		kw_search(cfg, &so, &r);
		res->dfs_runs += r.runs;
		if (r.found) {
			if (kw_replay_run(s, cfg, r.dec, r.ndec, false) == KW_RUN_FAIL &&
			    !strcmp(s->rep.check, check))
				kw_sched_take(&best, s);
			kw_search_result_free(&r);
			res->proved_to = b - 1;
			res->minimal = true;
			break;
		}
		kw_search_result_free(&r);
		if (!r.exhausted)
			break; /* budget ran out: no proof */
		res->proved_to = b;
	}
	if (!res->minimal && res->proved_to == (int)best.pre - 1)
		res->minimal = true;
	if (best.pre == 0)
		res->minimal = true;
	res->pre_after = best.pre;
	res->ndec_after = best.n;
	res->dec = best.dec;
	best.dec = NULL;
	kw_sched_free(&best);
	kw_sim_free(s);
	return 0;
}
