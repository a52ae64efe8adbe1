// SPDX-License-Identifier: GPL-2.0-only
/*
 * search.c - the search driver: run a scenario under a strategy until a run fails, the
 * strategy is exhausted, or a run/time budget ends; and the report printer.
 *
 * The clock is read here only to honour --time and to draw the progress line: it never
 * decides a schedule.
 */
#define _GNU_SOURCE
#include "replay.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double kw_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct kw_strategy *kw_strategy_make(const struct kw_search_opts *o)
{
	switch (o->strategy) {
	case KW_S_PCT:
		return kw_strategy_pct(o->seed, o->depth > 0 ? o->depth : 3);
	case KW_S_POS:
		return kw_strategy_pos(o->seed);
	case KW_S_DFS:
		return kw_strategy_dfs(o->preemptions, o->reduction);
	case KW_S_BYTES:
		return kw_strategy_bytes(NULL, 0);
	default:
		return kw_strategy_random(o->seed);
	}
}

void kw_search_result_free(struct kw_search_result *res)
{
	free(res->dec);
	res->dec = NULL;
}

static void kw_progress(double t0, uint64_t runs, bool done)
{
	double dt = kw_now() - t0;

	if (done) {
		fputs("\r\033[K", stderr);
		return;
	}
	fprintf(stderr, "\r\033[Kkweave: %llu runs, %.0f runs/s, 0 failures", (unsigned long long)runs,
		dt > 0 ? (double)runs / dt : 0.0);
	fflush(stderr);
}

int kw_search(const struct kw_config *cfg, const struct kw_search_opts *o, struct kw_search_result *res)
{
	struct kw_sim *s = kw_sim_new();
	struct kw_strategy *st = kw_strategy_make(o);
	long limit = o->runs > 0 ? o->runs : (o->strategy == KW_S_DFS ? 0 : 100000);
	bool tty = o->progress && isatty(2);
	bool drew = false;
	double t0 = kw_now(), next_draw = t0 + 1.0;

	memset(res, 0, sizeof(*res));
	if (!s || !st) {
		snprintf(res->err, sizeof(res->err), "out of memory");
		res->error = true;
		return -1;
	}
	for (;;) {
		int status = kw_sim_run(s, cfg, st, false);
		bool exhausted = st->ops->end ? st->ops->end(st, s) : false;

		res->runs++;
		if (status == KW_RUN_ERROR) {
			res->error = true;
			snprintf(res->err, sizeof(res->err), "%s", s->err);
			break;
		}
		if (status == KW_RUN_FAIL && (!o->want_check || !strcmp(o->want_check, s->rep.check))) {
			res->found = true;
			res->rep = s->rep;
			res->ndec = s->ndec;
			res->dec = malloc((s->ndec ? s->ndec : 1) * sizeof(*res->dec));
			if (s->ndec)
				memcpy(res->dec, s->dec, s->ndec * sizeof(*res->dec));
			res->preemptions = s->preemptions;
			break;
		}
		if (exhausted) {
			res->exhausted = true;
			break;
		}
		if (limit && res->runs >= (uint64_t)limit)
			break;
		if ((res->runs & 255) == 0 && (o->seconds > 0 || tty)) {
			double now = kw_now();

			if (o->seconds > 0 && now - t0 >= o->seconds)
				break;
			if (tty && now >= next_draw) {
				kw_progress(t0, res->runs, false);
				drew = true;
				next_draw = now + 0.25;
			}
		}
	}
	if (drew)
		kw_progress(t0, res->runs, true);
	res->secs = kw_now() - t0;
	if (st->ops->describe)
		st->ops->describe(st, res->found_by, sizeof(res->found_by));
	if (o->strategy == KW_S_DFS)
		kw_dfs_stats(st, &res->dfs);
	kw_strategy_destroy(st);
	kw_sim_free(s);
	return 0;
}

int kw_replay_run(struct kw_sim *s, const struct kw_config *cfg, const struct kw_decision *d, size_t n,
		  bool trace)
{
	struct kw_strategy *st = kw_strategy_replay(d, n);
	int status = kw_sim_run(s, cfg, st, trace);

	st->ops->end(st, s);
	status = s->status;
	kw_strategy_destroy(st);
	return status;
}

void kw_report_print(FILE *out, struct kw_sim *s, const struct kw_report *rep)
{
	char site[200], who[96];

	fprintf(out, "%s: %s\n", rep->check, rep->msg);
	if (rep->pc)
		fprintf(out, "  at %s", kw_site(rep->pc, site, sizeof(site)));
	else
		fprintf(out, "  at (no site)");
	if (rep->tid >= 0 && s && rep->tid < s->nth)
		fprintf(out, " in %s\n", kw_thread_label(&s->th[rep->tid], who, sizeof(who)));
	else if (rep->tid >= 0)
		fprintf(out, " in T%d\n", rep->tid);
	else
		fprintf(out, " (%s)\n", rep->phase == KW_PH_SETUP ? "setup" : rep->phase == KW_PH_CHECK ||
			!strcmp(rep->check, "final-check") ? "final check" : "end of run");
	if (rep->dlen)
		fputs(rep->detail, out);
}
