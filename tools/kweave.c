// SPDX-License-Identifier: GPL-2.0-only
/*
 * kweave - the command line.
 *
 *   kweave list [-v]
 *   kweave run SCENARIO [--strategy random|pct|pos|dfs] [--seed N] [--runs N | --time SECONDS]
 *              [--save DIR] [--trace] [--model sc|tso|weak] [--depth D] [--preemptions K]
 *              [--no-reduction] [--no-races] [--no-lockdep] [--plain-points] [--cpus N]
 *              [--max-steps N] [-p NAME=VALUE]...
 *   kweave replay FILE
 *   kweave minimize FILE [--save DIR]
 *   kweave verify [PREFIX] [--format table|tsv] [--save DIR] [--model M] [--preemptions K]
 *
 * Exit status: 0 no failure found, 1 failure found, 2 usage or input error. Errors are one
 * line on stderr; results go to stdout.
 */
#include "minimize.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static const char *kw_prog = "kweave";

__attribute__((noreturn, format(printf, 1, 2))) static void kw_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", kw_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void kw_help(FILE *f)
{
	fprintf(f,
		"usage: kweave COMMAND [ARGS]\n"
		"  list [-v]                    registered scenarios, one a line, name first\n"
		"  run SCENARIO [OPTIONS]       search schedules until one fails\n"
		"  replay FILE                  re-run a saved failure, print its trace\n"
		"  minimize FILE [--save DIR]   fewest preemptions and decisions that still fail\n"
		"  verify [PREFIX] [--format tsv] [--save DIR]\n"
		"                               every variant against its expectation, as a table\n"
		"run options:\n"
		"  --strategy random|pct|pos|dfs (default random)   --seed N (default 1)\n"
		"  --runs N (default 100000) | --time SECONDS        --save DIR (default ./kweave-out)\n"
		"  --trace                      print the failing run's trace (as replay prints it)\n"
		"  --no-minimize                save the schedule as found (default: minimized first)\n"
		"  --model sc|tso|weak          memory model (default weak)\n"
		"  --depth D                    pct depth (default 3)\n"
		"  --preemptions K              dfs preemption bound (default 2)\n"
		"  --no-reduction               dfs without sleep sets\n"
		"  --no-races                   silence the data-race detector\n"
		"  --no-lockdep                 silence lock-order and IRQ-safety checks\n"
		"  --plain-points               plain accesses are scheduling points too\n"
		"  --cpus N, --max-steps N, -p NAME=VALUE\n"
		"exit status: 0 no failure found, 1 failure found, 2 usage or input error\n");
}

static long kw_num(const char *opt, const char *v, long lo, long hi)
{
	char *e;
	long x;

	if (!v)
		kw_usage_error("%s needs a value", opt);
	errno = 0;
	x = strtol(v, &e, 10);
	if (!*v || *e || errno || x < lo || x > hi)
		kw_usage_error("%s: '%s' is not a number in %ld..%ld", opt, v, lo, hi);
	return x;
}

static const struct kw_scenario *kw_find_or_die(const char *name)
{
	const struct kw_scenario *sc = kw_scenario_find(name);

	if (!sc)
		kw_usage_error("unknown scenario '%s' (kweave list shows them)", name);
	return sc;
}

static void kw_set_param(struct kw_config *cfg, const char *nv)
{
	const char *eq = strchr(nv, '=');
	char name[64];
	int i;
	long v;

	if (!eq || eq == nv || (size_t)(eq - nv) >= sizeof(name))
		kw_usage_error("-p wants NAME=VALUE, not '%s'", nv);
	memcpy(name, nv, (size_t)(eq - nv));
	name[eq - nv] = 0;
	i = kw_param_index(cfg->sc, name);
	if (i < 0)
		kw_usage_error("scenario %s has no parameter '%s'", cfg->sc->name, name);
	v = kw_num(name, eq + 1, cfg->sc->params[i].min, cfg->sc->params[i].max);
	cfg->params[i] = v;
}

static int cmd_list(int argc, char **argv)
{
	bool verbose = false;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-v"))
			verbose = true;
		else
			kw_usage_error("list: unknown option '%s'", argv[i]);
	}
	for (size_t i = 0; i < kw_scenario_count(); i++) {
		const struct kw_scenario *sc = kw_scenario_at(i);

		printf("%-36s %-6s %s\n", sc->name,
		       sc->expect == KW_EXPECT_BUG ? "bug" : sc->expect == KW_EXPECT_CLEAN ? "clean" : "-",
		       sc->about ? sc->about : "");
		if (verbose)
			for (int k = 0; k < KW_MAX_PARAMS && sc->params[k].name; k++)
				printf("    -p %s=%ld  (%ld..%ld) %s\n", sc->params[k].name, sc->params[k].def,
				       sc->params[k].min, sc->params[k].max,
				       sc->params[k].about ? sc->params[k].about : "");
	}
	return 0;
}

/* Re-run a failure (or any decision list) with the trace on and print it; the same text
 * for `run --trace` and `replay`. Returns the run status. */
static int kw_show_run(const struct kw_config *cfg, const struct kw_decision *d, size_t n, bool trace)
{
	struct kw_sim *s = kw_sim_new();
	int st = kw_replay_run(s, cfg, d, n, true);

	if (st == KW_RUN_ERROR) {
		fprintf(stderr, "%s: %s\n", kw_prog, s->err);
		kw_sim_free(s);
		return st;
	}
	if (trace) {
		printf("%s: model %s, %zu decisions, %u preemption%s, %llu steps\n", cfg->sc->name,
		       kw_model_name(cfg->model), s->ndec, s->preemptions, s->preemptions == 1 ? "" : "s",
		       (unsigned long long)s->steps);
		kw_trace_print(s, stdout);
	}
	if (st == KW_RUN_FAIL) {
		printf("FAIL ");
		kw_report_print(stdout, s, &s->rep);
	} else {
		printf("OK: every check held\n");
	}
	kw_sim_free(s);
	return st;
}

static int cmd_run(int argc, char **argv)
{
	struct kw_config cfg;
	struct kw_search_opts so = { .strategy = KW_S_RANDOM, .seed = 1, .depth = 3, .preemptions = 2,
				     .reduction = true, .progress = true };
	struct kw_search_result r;
	const char *save = "kweave-out";
	bool trace = false, runs_set = false, minimize = true;
	const struct kw_scenario *sc;
	int i = 0;

	if (argc < 1 || argv[0][0] == '-')
		kw_usage_error("run: which scenario? (kweave list shows them)");
	sc = kw_find_or_die(argv[i++]);
	kw_config_defaults(&cfg, sc);
	for (; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--strategy")) {
			if (!v)
				kw_usage_error("--strategy needs a value");
			if (!strcmp(v, "random"))
				so.strategy = KW_S_RANDOM;
			else if (!strcmp(v, "pct"))
				so.strategy = KW_S_PCT;
			else if (!strcmp(v, "pos"))
				so.strategy = KW_S_POS;
			else if (!strcmp(v, "dfs"))
				so.strategy = KW_S_DFS;
			else
				kw_usage_error("unknown strategy '%s' (random, pct, pos, dfs)", v);
			i++;
		} else if (!strcmp(a, "--seed")) {
			so.seed = (uint64_t)kw_num(a, v, 0, 0x7fffffffffffffffL);
			i++;
		} else if (!strcmp(a, "--runs")) {
			so.runs = kw_num(a, v, 1, 0x7fffffffffffffffL);
			runs_set = true;
			i++;
		} else if (!strcmp(a, "--time")) {
			so.seconds = (double)kw_num(a, v, 1, 1000000000L);
			i++;
		} else if (!strcmp(a, "--save")) {
			if (!v)
				kw_usage_error("--save needs a directory");
			save = v;
			i++;
		} else if (!strcmp(a, "--trace")) {
			trace = true;
		} else if (!strcmp(a, "--no-minimize")) {
			minimize = false;
		} else if (!strcmp(a, "--model")) {
			if (!v || kw_model_parse(v) < 0)
				kw_usage_error("--model wants sc, tso or weak");
			cfg.model = kw_model_parse(v);
			i++;
		} else if (!strcmp(a, "--depth")) {
			so.depth = (int)kw_num(a, v, 1, 16);
			i++;
		} else if (!strcmp(a, "--preemptions")) {
			so.preemptions = (int)kw_num(a, v, 0, 1000);
			i++;
		} else if (!strcmp(a, "--no-reduction")) {
			so.reduction = false;
		} else if (!strcmp(a, "--no-races")) {
			cfg.races = false;
		} else if (!strcmp(a, "--races")) {
			cfg.races = true;
		} else if (!strcmp(a, "--no-lockdep")) {
			cfg.lockdep = false;
		} else if (!strcmp(a, "--plain-points")) {
			cfg.plain_points = true;
		} else if (!strcmp(a, "--cpus")) {
			cfg.cpus = (int)kw_num(a, v, 1, KW_MAX_CPUS);
			i++;
		} else if (!strcmp(a, "--max-steps")) {
			cfg.max_steps = kw_num(a, v, 1, 1000000000L);
			i++;
		} else if (!strcmp(a, "-p") || !strcmp(a, "--param")) {
			if (!v)
				kw_usage_error("%s needs NAME=VALUE", a);
			kw_set_param(&cfg, v);
			i++;
		} else {
			kw_usage_error("run: unknown option '%s' (kweave help)", a);
		}
	}
	if (so.seconds > 0 && !runs_set)
		so.runs = 0x7fffffffffffffffL;
	if (so.strategy == KW_S_DFS && !runs_set)
		so.runs = 0;
	kw_search(&cfg, &so, &r);
	if (r.error) {
		fprintf(stderr, "%s: %s: %s\n", kw_prog, sc->name, r.err);
		kw_search_result_free(&r);
		return 2;
	}
	if (so.strategy == KW_S_DFS)
		printf("dfs: %llu executions explored, %llu pruned by sleep sets, preemption bound %d%s%s\n",
		       (unsigned long long)r.dfs.explored, (unsigned long long)r.dfs.pruned, so.preemptions,
		       r.dfs.phase == 2 ? " (bound-aware sleep sets)" : "",
		       r.found ? "" : r.exhausted ? ": bounded space exhausted" : ": stopped before exhausting");
	if (!r.found) {
		printf("%s: no failure in %llu run%s (%s, model %s)\n", sc->name, (unsigned long long)r.runs,
		       r.runs == 1 ? "" : "s", r.found_by, kw_model_name(cfg.model));
		kw_search_result_free(&r);
		if (so.strategy == KW_S_DFS && !r.exhausted) {
			/* dfs says "clean" only for a bounded space it has covered */
			fprintf(stderr, "%s: dfs stopped before exhausting the bounded space: not verified (raise --runs or --time)\n",
				kw_prog);
			return 2;
		}
		return 0;
	}
	{
		char path[512];
		int st;

		printf("%s: failure found after %llu run%s (%s), %zu decisions, %u preemption%s\n", sc->name,
		       (unsigned long long)r.runs, r.runs == 1 ? "" : "s", r.found_by, r.ndec, r.preemptions,
		       r.preemptions == 1 ? "" : "s");
		if (minimize && r.preemptions + r.ndec > 0) {
			/* save the smallest schedule that fails the same check (bounded effort) */
			struct kw_min_opts mo = { .greedy_runs = 2000, .dfs_runs = 20000, .dfs_seconds = 5 };
			struct kw_min_result m;

			if (!kw_minimize(&cfg, r.dec, r.ndec, &mo, &m)) {
				if (m.pre_after < r.preemptions || (m.pre_after == r.preemptions && m.ndec_after < r.ndec)) {
					free(r.dec);
					r.dec = m.dec;
					r.ndec = m.ndec_after;
					r.preemptions = m.pre_after;
					m.dec = NULL;
				}
				printf("minimized: %u preemption%s, %zu decisions%s\n", r.preemptions,
				       r.preemptions == 1 ? "" : "s", r.ndec,
				       m.minimal ? " (minimal in preemptions)" : "");
				free(m.dec);
			}
		}
		if (kw_save_replay(save, &cfg, r.found_by, r.rep.check, r.dec, r.ndec, path, sizeof(path))) {
			fprintf(stderr, "%s: cannot write a replay into %s: %s\n", kw_prog, save, strerror(errno));
			kw_search_result_free(&r);
			return 2;
		}
		st = kw_show_run(&cfg, r.dec, r.ndec, trace);
		printf("replay: %s\n", path);
		kw_search_result_free(&r);
		if (st != KW_RUN_FAIL) {
			fprintf(stderr, "%s: the saved schedule did not fail again (nondeterministic scenario?)\n", kw_prog);
			return 2;
		}
	}
	return 1;
}

static void kw_load_replay_or_die(const char *path, struct kw_replay *r, struct kw_config *cfg)
{
	char err[300];

	if (kw_replay_load(path, r, err, sizeof(err)))
		kw_usage_error("%s: %s", path, err);
	if (kw_replay_config(r, cfg, err, sizeof(err)))
		kw_usage_error("%s: %s", path, err);
}

static int cmd_replay(int argc, char **argv)
{
	struct kw_replay r;
	struct kw_config cfg;
	int st;

	if (argc == 2 && !strcmp(argv[0], "--from-input")) {
		FILE *f;
		uint8_t *buf;
		long n;
		char err[300];

		f = fopen(argv[1], "rb");
		if (!f)
			kw_usage_error("%s: cannot open: %s", argv[1], strerror(errno));
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		fseek(f, 0, SEEK_SET);
		if (n < 0 || n > (64 << 20))
			kw_usage_error("%s: not a fuzz input", argv[1]);
		buf = malloc((size_t)n + 1);
		if (fread(buf, 1, (size_t)n, f) != (size_t)n)
			kw_usage_error("%s: read error", argv[1]);
		fclose(f);
		if (kw_fuzz_input_to_replay(buf, (size_t)n, &r, err, sizeof(err)))
			kw_usage_error("%s: %s", argv[1], err);
		free(buf);
		if (kw_replay_config(&r, &cfg, err, sizeof(err)))
			kw_usage_error("%s: %s", argv[1], err);
	} else {
		if (argc != 1 || argv[0][0] == '-')
			kw_usage_error("replay: want one replay FILE (or --from-input FILE)");
		kw_load_replay_or_die(argv[0], &r, &cfg);
	}
	st = kw_show_run(&cfg, r.dec, r.ndec, true);
	if (st == KW_RUN_FAIL && !strcmp(argv[0], "--from-input")) {
		char path[512];

		if (!kw_save_replay("kweave-out", &cfg, r.found_by, r.check, r.dec, r.ndec, path, sizeof(path)))
			printf("replay: %s\n", path);
	}
	kw_replay_clear(&r);
	return st == KW_RUN_FAIL ? 1 : st == KW_RUN_OK ? 0 : 2;
}

static int cmd_minimize(int argc, char **argv)
{
	struct kw_replay r;
	struct kw_config cfg;
	struct kw_min_opts mo = { .greedy_runs = 5000, .dfs_runs = 200000, .dfs_seconds = 60 };
	struct kw_min_result m;
	const char *file = NULL, *save = NULL;
	char path[512], dir[512];

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--save") && i + 1 < argc)
			save = argv[++i];
		else if (argv[i][0] == '-' || file)
			kw_usage_error("minimize: want FILE [--save DIR], not '%s'", argv[i]);
		else
			file = argv[i];
	}
	if (!file)
		kw_usage_error("minimize: which replay FILE?");
	kw_load_replay_or_die(file, &r, &cfg);
	if (kw_minimize(&cfg, r.dec, r.ndec, &mo, &m)) {
		fprintf(stderr, "%s: %s: %s\n", kw_prog, file, m.err);
		kw_replay_clear(&r);
		return 2;
	}
	if (!save) {
		const char *slash = strrchr(file, '/');

		snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - file) : 1, slash ? file : ".");
		save = dir;
	}
	printf("minimize %s: check %s\n", cfg.sc->name, m.check);
	printf("  preemptions: %u before, %u after%s\n", m.pre_before, m.pre_after,
	       m.minimal ? " (minimal)" : m.proved_to >= 0 ? "" : " (not proven minimal: search budget)");
	if (m.proved_to >= 0)
		printf("  no failure of this check with %d or fewer preemptions (dfs, %llu executions)\n",
		       m.proved_to, (unsigned long long)m.dfs_runs);
	printf("  decisions: %zu before, %zu after\n", m.ndec_before, m.ndec_after);
	if (kw_save_replay(save, &cfg, "minimize", m.check, m.dec, m.ndec_after, path, sizeof(path))) {
		fprintf(stderr, "%s: cannot write into %s\n", kw_prog, save);
		free(m.dec);
		kw_replay_clear(&r);
		return 2;
	}
	printf("replay: %s\n", path);
	free(m.dec);
	kw_replay_clear(&r);
	return 1;
}

static int cmd_verify(int argc, char **argv)
{
	struct kw_verify_opts vo = { .prefix = "", .dfs_runs = 2000000, .pct_runs = 100000, .preemptions = 2,
				     .model = KW_MODEL_WEAK, .save_dir = "kweave-out" };

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--format")) {
			if (!v || (strcmp(v, "tsv") && strcmp(v, "table")))
				kw_usage_error("--format wants table or tsv");
			vo.tsv = !strcmp(v, "tsv");
			i++;
		} else if (!strcmp(a, "--save")) {
			if (!v)
				kw_usage_error("--save needs a directory");
			vo.save_dir = v;
			i++;
		} else if (!strcmp(a, "--model")) {
			if (!v || kw_model_parse(v) < 0)
				kw_usage_error("--model wants sc, tso or weak");
			vo.model = kw_model_parse(v);
			i++;
		} else if (!strcmp(a, "--preemptions")) {
			vo.preemptions = (int)kw_num(a, v, 2, 1000);
			i++;
		} else if (a[0] == '-' || vo.prefix[0]) {
			kw_usage_error("verify: unknown argument '%s'", a);
		} else {
			vo.prefix = a;
		}
	}
	vo.progress = isatty(2);
	{
		size_t n = 0;

		for (size_t i = 0; i < kw_scenario_count(); i++)
			n += !strncmp(kw_scenario_at(i)->name, vo.prefix, strlen(vo.prefix));
		if (!n)
			kw_usage_error("verify: no scenario starts with '%s'", vo.prefix);
	}
	return kw_verify(&vo, stdout);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		kw_help(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "list"))
		return cmd_list(argc - 2, argv + 2);
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 2, argv + 2);
	if (!strcmp(argv[1], "replay"))
		return cmd_replay(argc - 2, argv + 2);
	if (!strcmp(argv[1], "minimize"))
		return cmd_minimize(argc - 2, argv + 2);
	if (!strcmp(argv[1], "verify"))
		return cmd_verify(argc - 2, argv + 2);
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		kw_help(stdout);
		return 0;
	}
	kw_usage_error("unknown command '%s' (kweave help)", argv[1]);
}
