// SPDX-License-Identifier: GPL-2.0-only
/*
 * kweave-bench - the benchmark figures (never timed tests: this machine is shared and noisy).
 * Run it through tools/bench, which builds it and, when RELACY_DIR names a Relacy checkout,
 * the peer program it compares with.
 *
 *   kweave-bench [SECTION...] [--reps N] [--seconds S] [--relacy PROG] [--json PATH] [--markdown PATH]
 *
 * Sections (all by default), each a function adding rows to the one table:
 *   speed      the engine's own costs and throughputs (fiber switch, a decision, a plain
 *              access, a weak load, a basic block under the watchdog, executions/s)
 *   find       schedules and seconds to the first failure, per seeded bug, per strategy
 *   endurance  ten million consecutive executions of one scenario, peak RSS at 1M and 10M
 *
 * Invariants: every figure is the median of --reps measurements, shown with their min and
 * max; no figure of another tool is written here - a peer's figure is measured in the same
 * run (swapcontext, Relacy when --relacy is given) or not shown. Output files are written
 * whole (kw_write_atomic).
 */
#define _GNU_SOURCE
#include "minimize.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <ucontext.h>
#include <unistd.h>

#define KB_MAX_SAMPLES 16
#define KB_MAX_ROWS 256

enum kb_kind { KB_VALUE, KB_FIND };

struct kb_row {
	const char *section;		/* speed, find, endurance */
	char name[128];			/* the figure */
	const char *unit;		/* ns, /s, MiB, s */
	enum kb_kind kind;
	int n;				/* samples */
	double v[KB_MAX_SAMPLES];	/* value samples (find: schedules) */
	double s[KB_MAX_SAMPLES];	/* find: seconds samples */
	int missed;			/* find: samples that did not find the bug */
	long budget;			/* find: the run budget of a sample */
	char peer[80];			/* a peer measured in this run, "" if none */
	double pv[KB_MAX_SAMPLES];	/* its samples */
	int pn;
	bool lower_better;
};

static struct kb_row kb_rows[KB_MAX_ROWS];
static int kb_nrows;

static struct {
	int reps;		/* samples per figure */
	double seconds;		/* length of one throughput sample */
	const char *relacy;	/* the Relacy peer program, or NULL */
} kb = { 5, 1.0, NULL };

static struct kb_row *kb_row(const char *section, const char *unit, bool lower, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static struct kb_row *kb_row(const char *section, const char *unit, bool lower, const char *fmt, ...)
{
	struct kb_row *r;
	va_list ap;

	if (kb_nrows == KB_MAX_ROWS) {
		fprintf(stderr, "kweave-bench: too many rows\n");
		exit(2);
	}
	r = &kb_rows[kb_nrows++];
	memset(r, 0, sizeof(*r));
	r->section = section;
	r->unit = unit;
	r->lower_better = lower;
	va_start(ap, fmt);
	vsnprintf(r->name, sizeof(r->name), fmt, ap);
	va_end(ap);
	return r;
}

static void kb_add(struct kb_row *r, double v)
{
	if (r->n < KB_MAX_SAMPLES)
		r->v[r->n++] = v;
}

static int kb_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* median, min, max of n samples */
static void kb_stats(const double *v, int n, double out[3])
{
	double t[KB_MAX_SAMPLES];

	if (!n) {
		out[0] = out[1] = out[2] = 0;
		return;
	}
	memcpy(t, v, (size_t)n * sizeof(*t));
	qsort(t, (size_t)n, sizeof(*t), kb_cmp);
	out[0] = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
	out[1] = t[0];
	out[2] = t[n - 1];
}

/* ---- speed ------------------------------------------------------------------------------- */

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
	static bool ready;
	double t0;

	if (!ready) {
		kw_fiber_main_init(&kb_main);
		kw_fiber_alloc(&kb_f, 64 * 1024);
		kw_fiber_prepare(&kb_f, kb_entry);
		kw_fiber_switch(&kb_main, &kb_f);
		ready = true;
	}
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
	static bool ready;
	double t0;

	if (!ready) {
		getcontext(&uc_f);
		uc_f.uc_stack.ss_sp = stack;
		uc_f.uc_stack.ss_size = sizeof(stack);
		makecontext(&uc_f, uc_entry, 0);
		swapcontext(&uc_main, &uc_f);
		ready = true;
	}
	t0 = kw_now();
	for (long i = 0; i < iters; i++)
		swapcontext(&uc_main, &uc_f);
	return (kw_now() - t0) * 1e9 / (double)(2 * iters);
}

struct kb_runs {
	double runs_per_s;	/* executions per second */
	double ns_per_step;	/* per scheduling step */
	double steps_per_s;
	double ns_per_run;
};

static const struct kw_scenario *kb_scenario(const char *name)
{
	const struct kw_scenario *sc = kw_scenario_find(name);

	if (!sc) {
		fprintf(stderr, "kweave-bench: no scenario %s\n", name);
		exit(2);
	}
	return sc;
}

static struct kb_runs bench_runs(const char *name, int strategy, int model, bool races)
{
	struct kw_config cfg;
	struct kw_search_opts so = { .strategy = strategy, .seed = 1, .preemptions = 2, .reduction = true };
	struct kw_sim *s;
	struct kw_strategy *st;
	struct kb_runs r = { 0 };
	uint64_t runs = 0, steps = 0;
	double t0, dt;

	kw_config_defaults(&cfg, kb_scenario(name));
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
		if ((runs & 255) == 0 && kw_now() - t0 >= kb.seconds)
			break;
	}
	dt = kw_now() - t0;
	r.runs_per_s = (double)runs / dt;
	r.steps_per_s = (double)steps / dt;
	r.ns_per_step = steps ? dt * 1e9 / (double)steps : 0;
	r.ns_per_run = dt * 1e9 / (double)runs;
	kw_strategy_destroy(st);
	kw_sim_free(s);
	return r;
}

void __wrap___sanitizer_cov_trace_pc(void);

/* The watchdog's callback as code under test calls it, once per basic block. */
static double bench_edge_callback(long iters)
{
	double t0 = kw_now(), t1;

	for (long i = 0; i < iters; i++)
		__wrap___sanitizer_cov_trace_pc();
	t1 = kw_now();
	return (t1 - t0) * 1e9 / (double)iters;
}

/* The peer: Relacy running the same test (its random scheduler), as a separate program. */
static double bench_relacy(void)
{
	char cmd[1024];
	unsigned long n = 0;
	double secs = 0;
	unsigned long iters = 100000;
	FILE *p;

	for (int attempt = 0; attempt < 6; attempt++) {
		snprintf(cmd, sizeof(cmd), "'%s' %lu", kb.relacy, iters);
		p = popen(cmd, "r");
		if (!p || fscanf(p, "%lu %lf", &n, &secs) != 2) {
			if (p)
				pclose(p);
			fprintf(stderr, "kweave-bench: %s did not run\n", kb.relacy);
			return 0;
		}
		pclose(p);
		if (secs >= kb.seconds * 0.8 || attempt == 5)
			break;
		/* grow the sample to about --seconds */
		iters = (unsigned long)((double)iters * (kb.seconds / (secs > 1e-3 ? secs : 1e-3)) * 1.1);
	}
	return secs > 0 ? (double)n / secs : 0;
}

static void section_speed(void)
{
	struct kb_row *sw = kb_row("speed", "ns", true, "fiber switch (kweave asm)");
	struct kb_row *dec = kb_row("speed", "ns", true, "scheduling decision, steady state (bench/yield, random)");
	struct kb_row *decs = kb_row("speed", "/s", false, "scheduling decisions per second");
	struct kb_row *lu = kb_row("speed", "/s", false, "demo/lost-update-fixed executions (random)");
	struct kb_row *dfs = kb_row("speed", "/s", false, "dfs executions (demo/interleave-2x2, weak)");
	struct kb_row *pl = kb_row("speed", "ns", true, "instrumented plain access, race detector on");
	struct kb_row *pl0 = kb_row("speed", "ns", true, "instrumented plain access, --no-races");
	struct kb_row *wk = kb_row("speed", "ns", true, "weak-model load (with its decision)");
	struct kb_row *cb = kb_row("speed", "ns", true, "watchdog: its count per basic block (the callback)");
	struct kb_row *blk = kb_row("speed", "ns", true, "code under test: an empty loop iteration (one block)");
	struct kb_row *mp = kb_row("speed", "/s", false, "Relacy-shaped test (publisher, 2 acquiring consumers, weak)");
	struct kb_row *oi = kb_row("speed", "/s", false, "once-init/v2 executions (6-8 threads, weak, random)");

	snprintf(sw->peer, sizeof(sw->peer), "glibc swapcontext");
	if (kb.relacy)
		snprintf(mp->peer, sizeof(mp->peer), "Relacy, random scheduler");
	for (int rep = 0; rep < kb.reps; rep++) {
		struct kb_runs y, r;

		kb_add(sw, bench_switch(10 * 1000 * 1000));
		sw->pv[sw->pn++] = bench_swapcontext(1000 * 1000);
		y = bench_runs("bench/yield", KW_S_RANDOM, KW_MODEL_WEAK, false);
		kb_add(dec, y.ns_per_step);
		kb_add(decs, y.steps_per_s);
		kb_add(lu, bench_runs("demo/lost-update-fixed", KW_S_RANDOM, KW_MODEL_WEAK, true).runs_per_s);
		kb_add(dfs, bench_runs("demo/interleave-2x2", KW_S_DFS, KW_MODEL_WEAK, true).runs_per_s);
		kb_add(pl, bench_runs("bench/plain", KW_S_RANDOM, KW_MODEL_WEAK, true).ns_per_run / 64000.0);
		kb_add(pl0, bench_runs("bench/plain", KW_S_RANDOM, KW_MODEL_WEAK, false).ns_per_run / 64000.0);
		kb_add(wk, bench_runs("bench/weak-loads", KW_S_RANDOM, KW_MODEL_WEAK, false).ns_per_step);
		kb_add(cb, bench_edge_callback(100 * 1000 * 1000));
		r = bench_runs("bench/blocks", KW_S_RANDOM, KW_MODEL_WEAK, false);
		kb_add(blk, r.ns_per_run / 1e6);
		kb_add(mp, bench_runs("bench/mp-3threads", KW_S_RANDOM, KW_MODEL_WEAK, true).runs_per_s);
		if (kb.relacy)
			mp->pv[mp->pn++] = bench_relacy();
		kb_add(oi, bench_runs("once-init/v2", KW_S_RANDOM, KW_MODEL_WEAK, false).runs_per_s);
	}
}

/* ---- find: schedules and seconds to the first failure ------------------------------------ */

static void section_find(void)
{
	static const struct {
		const char *name;
		int strategy;
		bool seeded;
		long runs;
	} strats[] = {
		{ "random", KW_S_RANDOM, true, 100000 },
		{ "pct", KW_S_PCT, true, 100000 },
		{ "pos", KW_S_POS, true, 100000 },
		{ "dfs", KW_S_DFS, false, 2000000 },
	};

	for (size_t i = 0; i < kw_scenario_count(); i++) {
		const struct kw_scenario *sc = kw_scenario_at(i);
		struct kw_config cfg;

		if (sc->expect != KW_EXPECT_BUG)
			continue;
		kw_config_defaults(&cfg, sc);
		/* as verify searches: races silenced unless the bug is the race */
		cfg.races = sc->expect_check && !strcmp(sc->expect_check, "data-race");
		for (size_t k = 0; k < sizeof(strats) / sizeof(strats[0]); k++) {
			struct kb_row *row = kb_row("find", "s", true, "%s: %s", sc->name, strats[k].name);

			row->kind = KB_FIND;
			row->budget = strats[k].runs;
			for (int rep = 0; rep < kb.reps; rep++) {
				struct kw_search_opts o = { .strategy = strats[k].strategy, .seed = (uint64_t)rep + 1,
							    .runs = strats[k].runs, .depth = 3, .preemptions = 2,
							    .reduction = true, .want_check = sc->expect_check };
				struct kw_search_result r;
				double t0 = kw_now();

				kw_search(&cfg, &o, &r);
				if (row->n < KB_MAX_SAMPLES) {
					row->s[row->n] = kw_now() - t0;
					row->v[row->n++] = (double)r.runs;
				}
				row->missed += !r.found;
				kw_search_result_free(&r);
			}
		}
	}
}

/* ---- endurance: ten million executions, peak RSS ------------------------------------------ */

#define KB_ENDURANCE_SCENARIO "demo/lost-update-fixed"

static double kb_rss_mib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024.0;
}

/* The child: ten million executions in a fresh process (exec'd, so nothing of the parent's
 * memory counts), its peak RSS after 1M and 10M and the time, on stdout. */
static int endurance_child(void)
{
	struct kw_config cfg;
	struct kw_search_opts so = { .strategy = KW_S_RANDOM, .seed = 1 };
	struct kw_sim *s = kw_sim_new();
	struct kw_strategy *st = kw_strategy_make(&so);
	double m1 = 0, t0 = kw_now();

	kw_config_defaults(&cfg, kb_scenario(KB_ENDURANCE_SCENARIO));
	for (long i = 1; i <= 10 * 1000 * 1000; i++) {
		if (kw_sim_run(s, &cfg, st, false) != KW_RUN_OK)
			return 3;
		if (i == 1000 * 1000)
			m1 = kb_rss_mib();
	}
	printf("%.6f %.6f %.6f\n", m1, kb_rss_mib(), kw_now() - t0);
	return fflush(stdout) ? 4 : 0;
}

static bool bench_endurance_once(double out[3])
{
	char self[4096], cmd[4200];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	FILE *p;
	bool ok;

	if (n <= 0)
		return false;
	self[n] = 0;
	snprintf(cmd, sizeof(cmd), "exec '%s' --endurance-child", self);
	p = popen(cmd, "r");
	if (!p)
		return false;
	ok = fscanf(p, "%lf %lf %lf", &out[0], &out[1], &out[2]) == 3;
	return pclose(p) == 0 && ok;
}

static void section_endurance(void)
{
	struct kb_row *m1 = kb_row("endurance", "MiB", true, "peak RSS after 1M executions (%s)", KB_ENDURANCE_SCENARIO);
	struct kb_row *m10 = kb_row("endurance", "MiB", true, "peak RSS after 10M executions");
	struct kb_row *t = kb_row("endurance", "s", true, "10M consecutive executions, one simulation");
	int reps = kb.reps < 3 ? kb.reps : 3;

	for (int rep = 0; rep < reps; rep++) {
		double r[3];

		if (!bench_endurance_once(r)) {
			fprintf(stderr, "kweave-bench: an endurance run failed\n");
			continue;
		}
		kb_add(m1, r[0]);
		kb_add(m10, r[1]);
		kb_add(t, r[2]);
	}
}

/* ---- output ---------------------------------------------------------------------------------- */

static const char *kb_fmt(double v, const char *unit, char *buf, size_t n)
{
	if (!strcmp(unit, "/s")) {
		if (v >= 1e6)
			snprintf(buf, n, "%.2f M/s", v / 1e6);
		else if (v >= 1e3)
			snprintf(buf, n, "%.1f k/s", v / 1e3);
		else
			snprintf(buf, n, "%.0f /s", v);
	} else if (!strcmp(unit, "s")) {
		if (v < 1e-3)
			snprintf(buf, n, "%.0f us", v * 1e6);
		else if (v < 1)
			snprintf(buf, n, "%.1f ms", v * 1e3);
		else
			snprintf(buf, n, "%.2f s", v);
	} else {
		snprintf(buf, n, "%.1f %s", v, unit);
	}
	return buf;
}

/* The three cells (median, min, max) and the peer and ratio cells of a row. */
static void kb_cells(const struct kb_row *r, char cell[3][48], char *peer, size_t pn, char *ratio, size_t rn)
{
	double st[3], ss[3];

	peer[0] = ratio[0] = 0;
	if (!r->n) {
		snprintf(cell[0], 48, "(no sample)");
		cell[1][0] = cell[2][0] = 0;
		return;
	}
	kb_stats(r->v, r->n, st);
	if (r->kind == KB_FIND) {
		kb_stats(r->s, r->n, ss);
		for (int i = 0; i < 3; i++) {
			char t[24];

			snprintf(cell[i], 48, "%.0f sch, %s", st[i], kb_fmt(ss[i], "s", t, sizeof(t)));
		}
		if (r->missed)
			snprintf(peer, pn, "not found in %d of %d (%ld runs each)", r->missed, r->n, r->budget);
		return;
	}
	for (int i = 0; i < 3; i++)
		kb_fmt(st[i], r->unit, cell[i], 48);
	if (r->peer[0] && r->pn) {
		double ps[3];
		char t[32];

		kb_stats(r->pv, r->pn, ps);
		snprintf(peer, pn, "%s %s", r->peer, kb_fmt(ps[0], r->unit, t, sizeof(t)));
		if (ps[0] > 0 && st[0] > 0)
			snprintf(ratio, rn, "%.2fx", r->lower_better ? ps[0] / st[0] : st[0] / ps[0]);
	}
}

static void kb_print(FILE *f)
{
	fprintf(f, "%-10s %-62s %-20s %-20s %-20s %-34s %s\n", "section", "figure", "median", "min", "max",
		"peer (measured in this run)", "ratio");
	for (int i = 0; i < kb_nrows; i++) {
		char cell[3][48], peer[96], ratio[32];

		kb_cells(&kb_rows[i], cell, peer, sizeof(peer), ratio, sizeof(ratio));
		fprintf(f, "%-10s %-62s %-20s %-20s %-20s %-34s %s\n", kb_rows[i].section, kb_rows[i].name, cell[0], cell[1],
			cell[2], peer[0] ? peer : "-", ratio[0] ? ratio : "-");
	}
}

static int kb_markdown(FILE *f, const void *arg)
{
	(void)arg;
	fprintf(f, "| section | figure | median | min | max | peer (measured in this run) | ratio |\n");
	fprintf(f, "|---|---|---|---|---|---|---|\n");
	for (int i = 0; i < kb_nrows; i++) {
		char cell[3][48], peer[96], ratio[32];

		kb_cells(&kb_rows[i], cell, peer, sizeof(peer), ratio, sizeof(ratio));
		fprintf(f, "| %s | %s | %s | %s | %s | %s | %s |\n", kb_rows[i].section, kb_rows[i].name, cell[0], cell[1],
			cell[2], peer[0] ? peer : "-", ratio[0] ? ratio : "-");
	}
	return ferror(f) ? -1 : 0;
}

static void kb_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void kb_json_samples(FILE *f, const char *key, const double *v, int n)
{
	double st[3];

	kb_stats(v, n, st);
	fprintf(f, "\"%s\": {\"median\": %.9g, \"min\": %.9g, \"max\": %.9g, \"samples\": [", key, st[0], st[1], st[2]);
	for (int i = 0; i < n; i++)
		fprintf(f, "%s%.9g", i ? ", " : "", v[i]);
	fprintf(f, "]}");
}

static int kb_json(FILE *f, const void *arg)
{
	(void)arg;
	fprintf(f, "{\n  \"tool\": \"kweave-bench\",\n  \"fibers\": ");
	kb_json_str(f, kw_fiber_impl());
	fprintf(f, ",\n  \"reps\": %d,\n  \"seconds_per_sample\": %g,\n  \"rows\": [\n", kb.reps, kb.seconds);
	for (int i = 0; i < kb_nrows; i++) {
		const struct kb_row *r = &kb_rows[i];

		fprintf(f, "    {\"section\": ");
		kb_json_str(f, r->section);
		fprintf(f, ", \"figure\": ");
		kb_json_str(f, r->name);
		if (r->kind == KB_FIND) {
			fprintf(f, ", ");
			kb_json_samples(f, "schedules", r->v, r->n);
			fprintf(f, ", ");
			kb_json_samples(f, "seconds", r->s, r->n);
			fprintf(f, ", \"not_found\": %d, \"budget_runs\": %ld", r->missed, r->budget);
		} else {
			fprintf(f, ", \"unit\": ");
			kb_json_str(f, r->unit);
			fprintf(f, ", ");
			kb_json_samples(f, "value", r->v, r->n);
			if (r->peer[0] && r->pn) {
				fprintf(f, ", \"peer\": {\"name\": ");
				kb_json_str(f, r->peer);
				fprintf(f, ", ");
				kb_json_samples(f, "value", r->pv, r->pn);
				fprintf(f, "}");
			}
		}
		fprintf(f, "}%s\n", i + 1 < kb_nrows ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	return ferror(f) ? -1 : 0;
}

static void kb_usage(void)
{
	fprintf(stderr, "usage: kweave-bench [speed|find|endurance]... [--reps N] [--seconds S] [--relacy PROG] "
			"[--json PATH] [--markdown PATH]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} sections[] = {
		{ "speed", section_speed },
		{ "find", section_find },
		{ "endurance", section_endurance },
	};
	bool want[3] = { false, false, false }, any = false;
	const char *json = NULL, *md = NULL;

	if (argc == 2 && !strcmp(argv[1], "--endurance-child"))
		return endurance_child();

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool known = false;

		for (size_t k = 0; k < 3; k++)
			if (!strcmp(a, sections[k].name))
				want[k] = known = any = true;
		if (known || !strcmp(a, "all")) {
			if (!known)
				want[0] = want[1] = want[2] = any = true;
			continue;
		}
		if (!v)
			kb_usage();
		if (!strcmp(a, "--reps"))
			kb.reps = atoi(v);
		else if (!strcmp(a, "--seconds"))
			kb.seconds = atof(v);
		else if (!strcmp(a, "--relacy"))
			kb.relacy = *v ? v : NULL;
		else if (!strcmp(a, "--json"))
			json = v;
		else if (!strcmp(a, "--markdown"))
			md = v;
		else
			kb_usage();
		i++;
	}
	if (kb.reps < 1 || kb.reps > KB_MAX_SAMPLES || !(kb.seconds > 0))
		kb_usage();
	if (!any)
		want[0] = want[1] = want[2] = true;
	for (size_t k = 0; k < 3; k++)
		if (want[k])
			sections[k].fn();
	printf("kweave-bench (%s fibers): medians of %d samples (%.1f s each for throughputs), min and max\n",
	       kw_fiber_impl(), kb.reps, kb.seconds);
	kb_print(stdout);
	if (json && kw_write_atomic(json, kb_json, NULL)) {
		fprintf(stderr, "kweave-bench: cannot write %s: %s\n", json, strerror(errno));
		return 2;
	}
	if (md && kw_write_atomic(md, kb_markdown, NULL)) {
		fprintf(stderr, "kweave-bench: cannot write %s: %s\n", md, strerror(errno));
		return 2;
	}
	return fflush(stdout) ? 2 : 0;
}
