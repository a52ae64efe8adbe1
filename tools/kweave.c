// SPDX-License-Identifier: GPL-2.0-only
/*
 * kweave - the command line.
 *
 *   kweave list [-v]
 *   kweave run SCENARIO [--strategy random|pct|pos|dfs] [--seed N] [--runs N | --time SECONDS]
 *              [--save DIR] [--trace] [--model sc|tso|weak] [--depth D] [--preemptions K]
 *              [--no-reduction] [--no-races] [--no-lockdep] [--plain-points] [--cpus N]
 *              [--max-steps N] [-p NAME=VALUE]...
 *   kweave replay FILE | --from-input FUZZ_INPUT
 *   kweave minimize FILE [--save DIR]
 *   kweave verify [PREFIX] [--format table|tsv] [--save DIR] [--model M] [--preemptions K]
 *   kweave help [COMMAND], kweave COMMAND --help
 *
 * Invariants:
 *  - exit status 0 no failure found, 1 failure found, 2 usage, input, output or internal
 *    error - nothing else: the code under test cannot exit or crash the process (the engine
 *    turns that into a report), SIGPIPE and SIGXFSZ become write errors, and a fatal signal
 *    outside a run is one line and status 2;
 *  - an error is one line on stderr (full usage only with --help), with every control byte
 *    of an echoed name, path or file content escaped; results go to stdout, which never
 *    carries a raw control byte either (it is filtered), and whose write errors (a full
 *    disk, a closed pipe) are reported with status 2;
 *  - numbers are parsed strictly: decimal digits only (no sign, no spaces, no overflow);
 *  - a report is printed before its replay is saved; a replay that cannot be saved is an
 *    error (status 2), and nothing half-written is left behind (save.c).
 */
#define _GNU_SOURCE
#include "minimize.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KW_FUZZ_INPUT_MAX (1u << 20) /* a fuzz input: libFuzzer's and AFL++'s limits are below */

static const char *kw_prog = "kweave";

/* ---- messages ------------------------------------------------------------------------------ */

/* One line on stderr, "kweave: " and the message with its control bytes escaped. */
__attribute__((format(printf, 1, 0))) static void kw_verr(const char *fmt, va_list ap)
{
	char msg[1024], esc[4096];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fflush(stdout);
	fprintf(stderr, "%s: %s\n", kw_prog, kw_escape(msg, esc, sizeof(esc)));
}

__attribute__((format(printf, 1, 2))) static void kw_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kw_verr(fmt, ap);
	va_end(ap);
}

static void kw_exit(int rc) __attribute__((noreturn));

__attribute__((noreturn, format(printf, 1, 2))) static void kw_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kw_verr(fmt, ap);
	va_end(ap);
	kw_exit(2);
}

/* Flush stdout and leave: an output error is status 2, whatever the command found. */
static void kw_exit(int rc)
{
	if (fflush(stdout) || ferror(stdout)) {
		int e = errno ? errno : EIO;

		fprintf(stderr, "%s: cannot write to standard output: %s\n", kw_prog, strerror(e));
		_exit(2);
	}
	fflush(stderr);
	_exit(rc == 0 || rc == 1 ? rc : 2);
}

/* stdout passes through here: control bytes other than newline and tab come out as \xNN,
 * so a scenario's message or name cannot drive the terminal. */
static struct {
	bool carry;		/* a 0xc2 held back: it may start a C1 control */
} kw_out;

static bool kw_write_all(const char *p, size_t n)
{
	while (n) {
		ssize_t k = write(1, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		p += k;
		n -= (size_t)k;
	}
	return true;
}

static ssize_t kw_out_write(void *cookie, const char *buf, size_t n)
{
	char o[4096 + 64];
	size_t k = 0;

	(void)cookie;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (kw_out.carry) {
			kw_out.carry = false;
			if (c >= 0x80 && c <= 0x9f) {
				k += (size_t)snprintf(o + k, sizeof(o) - k, "\\xc2\\x%02x", c);
				goto flush;
			}
			o[k++] = (char)0xc2;
		}
		if (c == 0xc2) {
			kw_out.carry = true;
		} else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
			k += (size_t)snprintf(o + k, sizeof(o) - k, "\\x%02x", c);
		} else {
			o[k++] = (char)c;
		}
flush:
		if (k >= 4096) {
			if (!kw_write_all(o, k))
				return -1;
			k = 0;
		}
	}
	if (k && !kw_write_all(o, k))
		return -1;
	return (ssize_t)n;
}

static int kw_out_close(void *cookie)
{
	(void)cookie;
	if (kw_out.carry) {
		kw_out.carry = false;
		return kw_write_all("\xc2", 1) ? 0 : -1;
	}
	return 0;
}

/* A fatal signal outside a run is a bug in kweave: one line, status 2. (In a run the
 * engine's handler makes it the run's report; it chains here otherwise.) */
static void kw_internal_error(int sig)
{
	static const char m1[] = "kweave: internal error: fatal signal ";
	char num[4] = { (char)('0' + sig / 10), (char)('0' + sig % 10), '\n', 0 };

	if (write(2, m1, sizeof(m1) - 1) < 0 || write(2, num, 3) < 0)
		_exit(2);
	_exit(2);
}

static void kw_process_setup(void)
{
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGTRAP, SIGSYS };
	cookie_io_functions_t io = { .write = kw_out_write, .close = kw_out_close };
	FILE *f;

	/* a closed pipe or a file size limit is a write error, not a death */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		signal(fatal[i], kw_internal_error);
	f = fopencookie(NULL, "w", io);
	if (f) {
		setvbuf(f, NULL, _IOFBF, 1 << 16);
		stdout = f;
	}
}

/* ---- usage -------------------------------------------------------------------------------- */

struct kw_cmd_help {
	const char *name;
	const char *usage;
};

static const struct kw_cmd_help kw_helps[] = {
	{ "list",
	  "usage: kweave list [-v]\n"
	  "  registered scenarios, one a line: name, expectation (bug/clean/-), what it is;\n"
	  "  -v adds each scenario's parameters (-p NAME=VALUE, default, range)\n" },
	{ "run",
	  "usage: kweave run SCENARIO [OPTIONS]\n"
	  "  search schedules until one fails; print its report, save its replay\n"
	  "  --strategy random|pct|pos|dfs (default random)   --seed N (default 1)\n"
	  "  --runs N (default 100000; dfs: until exhausted)  --time SECONDS\n"
	  "  --save DIR                   where the replay goes (default ./kweave-out)\n"
	  "  --trace                      print the failing run's trace (as replay prints it)\n"
	  "  --no-minimize                save the schedule as found (default: minimized first)\n"
	  "  --model M                    memory model (%s; default weak)\n"
	  "  --depth D                    pct depth (default 3)\n"
	  "  --preemptions K              dfs preemption bound (default 2)\n"
	  "  --no-reduction               dfs without sleep sets\n"
	  "  --no-races                   silence the data-race detector\n"
	  "  --no-lockdep                 silence lock-order and IRQ-safety checks\n"
	  "  --plain-points               plain accesses are scheduling points too\n"
	  "  --cpus N, --max-steps N, -p NAME=VALUE (see kweave list -v)\n" },
	{ "replay",
	  "usage: kweave replay FILE\n"
	  "       kweave replay --from-input FUZZ_INPUT\n"
	  "  re-run a saved failure and print its trace and report; the run must follow the\n"
	  "  file exactly and end with the check it records, or it diverges (status 2).\n"
	  "  --from-input runs a fuzzer's input and saves its replay into ./kweave-out\n" },
	{ "minimize",
	  "usage: kweave minimize FILE [--save DIR]\n"
	  "  fewest preemptions, then fewest decisions, that still fail the same check;\n"
	  "  the result goes beside FILE (or into DIR)\n" },
	{ "verify",
	  "usage: kweave verify [PREFIX] [--format table|tsv] [--save DIR] [--model M] [--preemptions K]\n"
	  "  every variant (whose name starts with PREFIX) against its expectation, as a table;\n"
	  "  replays of the failures go into DIR (default ./kweave-out)\n" },
};

static void kw_print_cmd_help(FILE *f, const struct kw_cmd_help *h)
{
	fprintf(f, h->usage, kw_model_list());
}

static void kw_help(FILE *f)
{
	fprintf(f,
		"usage: kweave COMMAND [ARGS]\n"
		"  list [-v]                    registered scenarios, one a line, name first\n"
		"  run SCENARIO [OPTIONS]       search schedules until one fails\n"
		"  replay FILE                  re-run a saved failure, print its trace\n"
		"  replay --from-input FILE     the same for a fuzzer's input (saves a replay)\n"
		"  minimize FILE [--save DIR]   fewest preemptions and decisions that still fail\n"
		"  verify [PREFIX] [--format tsv] [--save DIR]\n"
		"                               every variant against its expectation, as a table\n"
		"  help [COMMAND]               this text, or a command's (also: kweave COMMAND --help)\n\n");
	kw_print_cmd_help(f, &kw_helps[1]);
	fprintf(f, "exit status: 0 no failure found, 1 failure found, 2 usage, input or output error\n");
}

static const struct kw_cmd_help *kw_cmd_help_find(const char *name)
{
	for (size_t i = 0; i < sizeof(kw_helps) / sizeof(kw_helps[0]); i++)
		if (!strcmp(kw_helps[i].name, name))
			return &kw_helps[i];
	return NULL;
}

/* `kweave CMD --help` anywhere among its arguments: that command's usage, status 0. */
static void kw_maybe_help(const char *cmd, int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			kw_print_cmd_help(stdout, kw_cmd_help_find(cmd));
			kw_exit(0);
		}
}

/* ---- arguments ----------------------------------------------------------------------------- */

/* A decimal number in lo..hi: digits only (a '-' first when lo < 0), no spaces, no '+',
 * no overflow. */
static long kw_num(const char *opt, const char *v, long lo, long hi)
{
	const char *p = v;
	bool neg = false;
	unsigned long long x = 0;

	if (!v)
		kw_usage_error("%s needs a value", opt);
	if (*p == '-' && lo < 0) {
		neg = true;
		p++;
	}
	if (!*p)
		goto bad;
	for (; *p; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (*p < '0' || *p > '9' || x > ((unsigned long long)LONG_MAX + 1 - d) / 10)
			goto bad;
		x = x * 10 + d;
	}
	if (!neg && x > (unsigned long long)LONG_MAX)
		goto bad;
	if ((neg ? -(long long)x : (long long)x) < lo || (neg ? -(long long)x : (long long)x) > hi)
		goto bad;
	return neg ? (long)(0 - x) : (long)x;
bad:
	kw_usage_error("%s: '%s' is not a number in %ld..%ld", opt, v, lo, hi);
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

static int kw_model_or_die(const char *v)
{
	int m = v ? kw_model_parse(v) : -1;

	if (m < 0)
		kw_usage_error("--model wants %s%s%s%s", kw_model_list(), v ? ", not '" : "", v ? v : "", v ? "'" : "");
	return m;
}

/* A directory replays are saved into: one that cannot hold a replay's path is refused
 * before any search. */
static const char *kw_save_dir_or_die(const char *v)
{
	if (!v)
		kw_usage_error("--save needs a directory");
	if (!*v)
		kw_usage_error("--save: empty directory name");
	if (strlen(v) + 1 + 64 >= KW_PATH_MAX)
		kw_usage_error("--save: directory name of %zu bytes is too long (at most %d)", strlen(v),
			       KW_PATH_MAX - 1 - 64 - 1);
	return v;
}

/* ---- commands ------------------------------------------------------------------------------ */

static int cmd_list(int argc, char **argv)
{
	bool verbose = false;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-v"))
			verbose = true;
		else
			kw_usage_error("list: unknown option '%s' (kweave list --help)", argv[i]);
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

/* Print a run that was held to its expected check (KW_RUN_ERROR: an error, printed). The
 * same text for `run --trace` and `replay`. */
static int kw_show(struct kw_sim *s, const struct kw_config *cfg, int st, bool trace)
{
	if (st == KW_RUN_ERROR) {
		kw_err("%s", s->err);
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
	return st;
}

/* Re-run decisions with the trace on, held to the check the search saw, and print it. */
static int kw_show_run(const struct kw_config *cfg, const struct kw_decision *d, size_t n, const char *check,
		       bool trace)
{
	struct kw_sim *s = kw_sim_new();
	struct kw_replay r;
	int st;

	memset(&r, 0, sizeof(r));
	snprintf(r.check, sizeof(r.check), "%s", check);
	r.dec = (struct kw_decision *)d;
	r.ndec = n;
	st = kw_show(s, cfg, kw_replay_play(s, &r, cfg, true), trace);
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
			so.seed = (uint64_t)kw_num(a, v, 0, LONG_MAX);
			i++;
		} else if (!strcmp(a, "--runs")) {
			so.runs = kw_num(a, v, 1, LONG_MAX);
			runs_set = true;
			i++;
		} else if (!strcmp(a, "--time")) {
			so.seconds = (double)kw_num(a, v, 1, 1000000000L);
			i++;
		} else if (!strcmp(a, "--save")) {
			save = kw_save_dir_or_die(v);
			i++;
		} else if (!strcmp(a, "--trace")) {
			trace = true;
		} else if (!strcmp(a, "--no-minimize")) {
			minimize = false;
		} else if (!strcmp(a, "--model")) {
			cfg.model = kw_model_or_die(v);
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
			cfg.max_steps = kw_num(a, v, 1, KW_REPLAY_MAX_STEPS);
			i++;
		} else if (!strcmp(a, "-p") || !strcmp(a, "--param")) {
			if (!v)
				kw_usage_error("%s needs NAME=VALUE", a);
			kw_set_param(&cfg, v);
			i++;
		} else {
			kw_usage_error("run: unknown option '%s' (kweave run --help)", a);
		}
	}
	if (so.seconds > 0 && !runs_set)
		so.runs = LONG_MAX;
	if (so.strategy == KW_S_DFS && !runs_set)
		so.runs = 0;
	kw_search(&cfg, &so, &r);
	if (r.error) {
		kw_err("%s: %s", sc->name, r.err);
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
			kw_err("dfs stopped before exhausting the bounded space: not verified (raise --runs or --time)");
			return 2;
		}
		return 0;
	}
	{
		char path[KW_PATH_MAX];
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
		/* the report first: a replay that cannot be saved does not hide what was found */
		st = kw_show_run(&cfg, r.dec, r.ndec, r.rep.check, trace);
		if (st != KW_RUN_FAIL) {
			kw_err("the failing schedule did not fail the same way again (a nondeterministic scenario?)");
			kw_search_result_free(&r);
			return 2;
		}
		if (kw_save_replay(save, &cfg, r.found_by, r.rep.check, r.dec, r.ndec, path, sizeof(path))) {
			kw_err("cannot save the replay into %s: %s", save, strerror(errno));
			kw_search_result_free(&r);
			return 2;
		}
		printf("replay: %s\n", path);
		kw_search_result_free(&r);
	}
	return 1;
}

static void kw_load_replay_or_die(const char *path, struct kw_replay *r, struct kw_config *cfg)
{
	char err[400];

	if (kw_replay_load(path, r, err, sizeof(err)))
		kw_usage_error("%s: %s", path, err);
	if (kw_replay_config(r, cfg, err, sizeof(err))) {
		kw_replay_clear(r);
		kw_usage_error("%s: %s", path, err);
	}
}

/* A fuzz input: a file or a stream, read to its end but never past KW_FUZZ_INPUT_MAX. */
static uint8_t *kw_read_input_or_die(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n = 0;

	if (!f)
		kw_usage_error("%s: cannot open: %s", path, strerror(errno));
	buf = malloc(KW_FUZZ_INPUT_MAX + 1);
	if (!buf)
		kw_usage_error("out of memory");
	for (;;) {
		size_t k = fread(buf + n, 1, KW_FUZZ_INPUT_MAX + 1 - n, f);

		n += k;
		if (!k || n > KW_FUZZ_INPUT_MAX)
			break;
	}
	if (ferror(f))
		kw_usage_error("%s: read error: %s", path, strerror(errno ? errno : EIO));
	fclose(f);
	if (n > KW_FUZZ_INPUT_MAX)
		kw_usage_error("%s: longer than %u bytes: not a fuzz input", path, KW_FUZZ_INPUT_MAX);
	*len = n;
	return buf;
}

static int cmd_replay(int argc, char **argv)
{
	struct kw_replay r;
	struct kw_config cfg;
	struct kw_sim *s;
	bool from_input = argc >= 1 && !strcmp(argv[0], "--from-input");
	int st;

	if (from_input) {
		uint8_t *buf;
		size_t n;
		char err[400];

		if (argc != 2)
			kw_usage_error("replay --from-input wants one FUZZ_INPUT file");
		buf = kw_read_input_or_die(argv[1], &n);
		if (kw_fuzz_input_to_replay(buf, n, &r, err, sizeof(err)))
			kw_usage_error("%s: %s", argv[1], err);
		free(buf);
		if (kw_replay_config(&r, &cfg, err, sizeof(err)))
			kw_usage_error("%s: %s", argv[1], err);
	} else {
		if (argc != 1 || argv[0][0] == '-')
			kw_usage_error("replay: want one replay FILE (or --from-input FILE)");
		kw_load_replay_or_die(argv[0], &r, &cfg);
	}
	s = kw_sim_new();
	st = kw_show(s, &cfg, kw_replay_play(s, &r, &cfg, true), true);
	kw_sim_free(s);
	if (st == KW_RUN_FAIL && from_input) {
		char path[KW_PATH_MAX];

		if (kw_save_replay("kweave-out", &cfg, r.found_by, r.check, r.dec, r.ndec, path, sizeof(path))) {
			kw_err("cannot save the replay into kweave-out: %s", strerror(errno));
			kw_replay_clear(&r);
			return 2;
		}
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
	char path[KW_PATH_MAX], dir[KW_PATH_MAX];

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--save"))
			save = kw_save_dir_or_die(i + 1 < argc ? argv[++i] : NULL);
		else if (argv[i][0] == '-' || file)
			kw_usage_error("minimize: want FILE [--save DIR], not '%s'", argv[i]);
		else
			file = argv[i];
	}
	if (!file)
		kw_usage_error("minimize: which replay FILE?");
	kw_load_replay_or_die(file, &r, &cfg);
	{
		/* the file must replay as it says before it is worth shrinking */
		struct kw_sim *s = kw_sim_new();
		int st = kw_replay_play(s, &r, &cfg, false);

		if (st != KW_RUN_FAIL) {
			if (st == KW_RUN_ERROR)
				kw_err("%s: %s", file, s->err);
			else
				kw_err("%s: the replay passes: nothing to minimize", file);
			kw_sim_free(s);
			kw_replay_clear(&r);
			return 2;
		}
		kw_sim_free(s);
	}
	if (kw_minimize(&cfg, r.dec, r.ndec, &mo, &m)) {
		kw_err("%s: %s", file, m.err);
		kw_replay_clear(&r);
		return 2;
	}
	if (!save) {
		const char *slash = strrchr(file, '/');

		if ((size_t)snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - file) : 1, slash ? file : ".") >=
		    sizeof(dir))
			kw_usage_error("minimize: the directory of %s is too long to save into", file);
		save = slash == file ? "/" : dir;
	}
	printf("minimize %s: check %s\n", cfg.sc->name, m.check);
	printf("  preemptions: %u before, %u after%s\n", m.pre_before, m.pre_after,
	       m.minimal ? " (minimal)" : m.proved_to >= 0 ? "" : " (not proven minimal: search budget)");
	if (m.proved_to >= 0)
		printf("  no failure of this check with %d or fewer preemptions (dfs, %llu executions)\n",
		       m.proved_to, (unsigned long long)m.dfs_runs);
	printf("  decisions: %zu before, %zu after\n", m.ndec_before, m.ndec_after);
	if (kw_save_replay(save, &cfg, "minimize", m.check, m.dec, m.ndec_after, path, sizeof(path))) {
		kw_err("cannot save the replay into %s: %s", save, strerror(errno));
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
			vo.save_dir = kw_save_dir_or_die(v);
			i++;
		} else if (!strcmp(a, "--model")) {
			vo.model = kw_model_or_die(v);
			i++;
		} else if (!strcmp(a, "--preemptions")) {
			vo.preemptions = (int)kw_num(a, v, 2, 1000);
			i++;
		} else if (a[0] == '-' || vo.prefix[0]) {
			kw_usage_error("verify: unknown argument '%s' (kweave verify --help)", a);
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
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{ "list", cmd_list }, { "run", cmd_run }, { "replay", cmd_replay },
		{ "minimize", cmd_minimize }, { "verify", cmd_verify },
	};

	kw_process_setup();
	if (argc < 2)
		kw_usage_error("no command (kweave help lists them)");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name)) {
			kw_maybe_help(cmds[i].name, argc - 2, argv + 2);
			kw_exit(cmds[i].fn(argc - 2, argv + 2));
		}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		const struct kw_cmd_help *h = argc > 2 ? kw_cmd_help_find(argv[2]) : NULL;

		if (argc > 3 || (argc == 3 && !h))
			kw_usage_error("help: no command '%s' (kweave help lists them)", argv[2]);
		if (h)
			kw_print_cmd_help(stdout, h);
		else
			kw_help(stdout);
		kw_exit(0);
	}
	kw_usage_error("unknown command '%s' (kweave help lists them)", argv[1]);
}
