// SPDX-License-Identifier: GPL-2.0-only
/*
 * kweave-bench - the benchmark figures (never timed tests: this machine is shared and noisy).
 * Prints each figure beside its anchor and the ratio, in one run. Run it with tools/bench.
 */
#define _GNU_SOURCE
#include "minimize.h"

#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

struct kw_fig {
	const char *what;	/* figure */
	double value;		/* measured */
	const char *unit;	/* unit */
	double anchor;		/* reference figure, 0 if none */
	const char *anchor_what;/* what the reference is */
	bool lower_better;	/* direction */
};

static struct kw_fig kw_figs[32];
static int kw_nfigs;

static void kw_fig_add(const char *what, double v, const char *unit, double anchor, const char *aw, bool lower)
{
	kw_figs[kw_nfigs++] = (struct kw_fig){ what, v, unit, anchor, aw, lower };
}

/* ---- fiber switch ------------------------------------------------------------------------ */

static struct kw_fiber kb_main, kb_f;
static volatile long kb_n;

static void kb_entry(void)
{
	for (;;) {
		kb_n++;
		kw_fiber_switch(&kb_f, &kb_main);
	}
}

static double bench_switch(long iters)
{
	double t0;

	kw_fiber_main_init(&kb_main);
	kw_fiber_alloc(&kb_f, 64 * 1024);
	kw_fiber_prepare(&kb_f, kb_entry);
	kw_fiber_switch(&kb_main, &kb_f);
	t0 = kw_now();
	for (long i = 0; i < iters; i++)
		kw_fiber_switch(&kb_main, &kb_f);
	return (kw_now() - t0) * 1e9 / (double)(2 * iters);
}

static ucontext_t uc_main, uc_f;

static void uc_entry(void)
{
	for (;;) {
		kb_n++;
		swapcontext(&uc_f, &uc_main);
	}
}

static double bench_swapcontext(long iters)
{
	static char stack[64 * 1024];
	double t0;

	getcontext(&uc_f);
	uc_f.uc_stack.ss_sp = stack;
	uc_f.uc_stack.ss_size = sizeof(stack);
	makecontext(&uc_f, uc_entry, 0);
	swapcontext(&uc_main, &uc_f);
	t0 = kw_now();
	for (long i = 0; i < iters; i++)
		swapcontext(&uc_main, &uc_f);
	return (kw_now() - t0) * 1e9 / (double)(2 * iters);
}

/* ---- whole runs ---------------------------------------------------------------------------- */

struct kb_runs {
	double runs_per_s;	/* executions per second */
	double ns_per_decision;	/* per scheduling step */
	double decisions_per_s;
	double ns_per_run;
};

static struct kb_runs bench_runs_races(const char *name, int strategy, int model, double seconds, bool races)
{
	const struct kw_scenario *sc = kw_scenario_find(name);
	struct kw_config cfg;
	struct kw_search_opts so = { .strategy = strategy, .seed = 1, .preemptions = 2, .reduction = true,
				     .runs = 0x7fffffffffffffffL, .seconds = seconds };
	struct kw_sim *s;
	struct kw_strategy *st;
	struct kb_runs r = { 0 };
	uint64_t runs = 0, steps = 0;
	double t0;

	if (!sc) {
		fprintf(stderr, "kweave-bench: no scenario %s\n", name);
		exit(2);
	}
	kw_config_defaults(&cfg, sc);
	cfg.model = model;
	cfg.races = races;
	s = kw_sim_new();
	st = kw_strategy_make(&so);
	t0 = kw_now();
	for (;;) {
		kw_sim_run(s, &cfg, st, false);
		runs++;
		steps += s->steps;
		if (st->ops->end && st->ops->end(st, s)) {
			kw_strategy_destroy(st);
			st = kw_strategy_make(&so);
		}
		if ((runs & 1023) == 0 && kw_now() - t0 >= seconds)
			break;
	}
	{
		double dt = kw_now() - t0;

		r.runs_per_s = (double)runs / dt;
		r.decisions_per_s = (double)steps / dt;
		r.ns_per_decision = dt * 1e9 / (double)steps;
		r.ns_per_run = dt * 1e9 / (double)runs;
	}
	kw_strategy_destroy(st);
	kw_sim_free(s);
	return r;
}

static struct kb_runs bench_runs(const char *name, int strategy, int model, double seconds)
{
	return bench_runs_races(name, strategy, model, seconds, false);
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 2.0;
	double sw, uc;
	struct kb_runs lu, dfs, y, pl, pl0, wk, mp, oi;

	sw = bench_switch(20 * 1000 * 1000);
	uc = bench_swapcontext(2 * 1000 * 1000);
	kw_fig_add("fiber switch (kweave asm)", sw, "ns", 25, "target", true);
	kw_fig_add("fiber switch (glibc swapcontext)", uc, "ns", sw, "kweave asm switch", true);
	lu = bench_runs("demo/lost-update-fixed", KW_S_RANDOM, KW_MODEL_WEAK, secs);
	kw_fig_add("demo/lost-update-fixed, random, executions/s", lu.runs_per_s, "/s", 0, NULL, false);
	y = bench_runs("bench/yield", KW_S_RANDOM, KW_MODEL_WEAK, secs);
	kw_fig_add("scheduling decision, random (bench/yield)", y.ns_per_decision, "ns", 60, "target", true);
	kw_fig_add("scheduling decisions/s, random", y.decisions_per_s, "/s", 0, NULL, false);
	dfs = bench_runs("demo/interleave-2x2", KW_S_DFS, KW_MODEL_WEAK, secs);
	kw_fig_add("dfs executions/s (demo/interleave-2x2, weak)", dfs.runs_per_s, "/s", 0, NULL, false);
	pl = bench_runs_races("bench/plain", KW_S_RANDOM, KW_MODEL_WEAK, secs, true);
	pl0 = bench_runs_races("bench/plain", KW_S_RANDOM, KW_MODEL_WEAK, secs, false);
	kw_fig_add("instrumented plain access, race detector on", pl.ns_per_run / 64000.0, "ns", 0, NULL, true);
	kw_fig_add("instrumented plain access, --no-races", pl0.ns_per_run / 64000.0, "ns", 0, NULL, true);
	wk = bench_runs("bench/weak-loads", KW_S_RANDOM, KW_MODEL_WEAK, secs);
	kw_fig_add("weak-model load (with its decision)", wk.ns_per_decision, "ns", 0, NULL, true);
	mp = bench_runs_races("bench/mp-3threads", KW_S_RANDOM, KW_MODEL_WEAK, secs, true);
	kw_fig_add("Relacy-shaped test (3 threads, weak), executions/s", mp.runs_per_s, "/s", 1.32e6,
		   "Relacy, random", false);
	oi = bench_runs("once-init/v2", KW_S_RANDOM, KW_MODEL_WEAK, secs);
	kw_fig_add("once-init/v2 (6-8 threads, weak), executions/s", oi.runs_per_s, "/s", 1e5,
		   "libFuzzer target", false);

	printf("kweave-bench (%s fibers), %.1f s per run figure\n", kw_fiber_impl(), secs);
	printf("%-52s %14s   %-28s %10s\n", "figure", "value", "anchor", "ratio");
	for (int i = 0; i < kw_nfigs; i++) {
		struct kw_fig *f = &kw_figs[i];
		char v[32], a[64] = "-", ratio[32] = "-";

		snprintf(v, sizeof(v), "%.1f %s", f->value, f->unit);
		if (f->anchor > 0) {
			snprintf(a, sizeof(a), "%.1f %s (%s)", f->anchor, f->unit, f->anchor_what);
			snprintf(ratio, sizeof(ratio), "%.2fx", f->lower_better ? f->anchor / f->value : f->value / f->anchor);
		}
		printf("%-52s %14s   %-28s %10s\n", f->what, v, a, ratio);
	}
	printf("(ratio > 1: better than the anchor)\n");
	return 0;
}
