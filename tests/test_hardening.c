// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_hardening: nothing hangs, nothing escapes, nothing lost. One test per breakage of the
 * hardening issue (b1 .. b10, named after it), a mutation corpus of replay files made from
 * real saved replays, odd command lines and random fuzz inputs.
 *
 * The command-line tests run $KWEAVE (the kweave command) and $KWEAVE_SELFTEST (the same
 * command with tests/scenarios/ linked in: fault/... scenarios whose code under test loops,
 * sleeps, exits, aborts, crashes and allocates absurd sizes), each under `timeout`, so a
 * hang is a failure and not a stuck suite.
 */
#define _GNU_SOURCE
#include "kwtest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- helpers ----------------------------------------------------------------------------- */

static const char *kw_bin(void)
{
	const char *k = getenv("KWEAVE");

	ck_assert_msg(k != NULL, "KWEAVE is not set (run the suites through ctest)");
	return k;
}

static const char *st_bin(void)
{
	const char *k = getenv("KWEAVE_SELFTEST");

	ck_assert_msg(k != NULL, "KWEAVE_SELFTEST is not set (run the suites through ctest)");
	return k;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	size_t n = 0, cap = 4096;

	if (!f) {
		b = calloc(1, 1);
		if (len)
			*len = 0;
		return b;
	}
	b = malloc(cap);
	for (;;) {
		size_t k;

		if (n + 1 >= cap)
			b = realloc(b, cap *= 2);
		k = fread(b + n, 1, cap - n - 1, f);
		if (!k)
			break;
		n += k;
	}
	fclose(f);
	b[n] = 0;
	if (len)
		*len = n;
	return b;
}

static void spit(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	ck_assert_msg(f != NULL, "cannot write %s", path);
	ck_assert_int_eq(fwrite(data, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

struct res {
	int rc;		/* exit status; 128 + signal when killed (timeout: 137) */
	char *out, *err;
	size_t nout, nerr;
};

static char tmpd[256];

static void mktmp(void)
{
	snprintf(tmpd, sizeof(tmpd), "/tmp/kwhard-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpd));
	ck_assert_int_eq(chdir(tmpd), 0); /* each test runs in a process of its own */
}

static void rmtmp(void)
{
	char cmd[600];

	ck_assert_int_eq(chdir("/"), 0);
	snprintf(cmd, sizeof(cmd), "umount '%s/full' 2>/dev/null; rm -rf '%s'", tmpd, tmpd);
	ck_assert_int_eq(system(cmd), 0);
}

/* Run a shell command line in tmpd with stdout and stderr captured apart. */
__attribute__((format(printf, 1, 2))) static struct res sh(const char *fmt, ...)
{
	char cmd[8192], line[9000], o[300], e[300];
	struct res r;
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(o, sizeof(o), "%s/.out", tmpd);
	snprintf(e, sizeof(e), "%s/.err", tmpd);
	snprintf(line, sizeof(line), "cd '%s' && { %s ; } >'%s' 2>'%s' </dev/null", tmpd, cmd, o, e);
	st = system(line);
	r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	r.out = slurp(o, &r.nout);
	r.err = slurp(e, &r.nerr);
	return r;
}

static void res_free(struct res *r)
{
	free(r->out);
	free(r->err);
}

static int lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* The replay path a run printed ("replay: PATH"), or "" */
static void replay_path(const struct res *r, char *path, size_t n)
{
	const char *p = strstr(r->out, "replay: ");

	path[0] = 0;
	if (p) {
		size_t k = strcspn(p + 8, "\n");

		snprintf(path, n, "%.*s", (int)k, p + 8);
	}
}

/* "tests/scenarios/fault_scen.c:N" for the line holding the marker "site:NAME" */
static void site_of(const char *name, char *buf, size_t n)
{
	char path[600], mark[80], *src, *p;
	int line = 1;

	snprintf(path, sizeof(path), "%s/tests/scenarios/fault_scen.c", getenv("KWEAVE_SRC"));
	src = slurp(path, NULL);
	snprintf(mark, sizeof(mark), "/* site:%s */", name);
	p = strstr(src, mark);
	ck_assert_msg(p != NULL, "no marker %s", mark);
	for (char *q = src; q < p; q++)
		line += *q == '\n';
	snprintf(buf, n, "tests/scenarios/fault_scen.c:%d", line);
	free(src);
}

/* A fault scenario through the command line: it fails with `check` at the marked site (if
 * any), exits 1, and its saved replay fails the same way. */
static void expect_fault_in(const char *scenario, const char *check, const char *site, const char *where);

static void expect_fault(const char *scenario, const char *check, const char *site)
{
	expect_fault_in(scenario, check, site, NULL);
}

/* ... and the report says where it was (" (setup)", " (final check)", " in T0 ..."). */
static void expect_fault_in(const char *scenario, const char *check, const char *site, const char *where)
{
	char want[200], path[600], at[200];
	struct res r, p;

	r = sh("timeout -s KILL 120 '%s' run '%s' --save s", st_bin(), scenario);
	snprintf(want, sizeof(want), "FAIL %s: ", check);
	ck_assert_msg(r.rc == 1, "%s: exit %d, want 1\n%s%s", scenario, r.rc, r.out, r.err);
	ck_assert_msg(strstr(r.out, want) != NULL, "%s: no '%s' in\n%s", scenario, want, r.out);
	if (site) {
		site_of(site, at, sizeof(at));
		ck_assert_msg(strstr(r.out, at) != NULL, "%s: the report does not name %s:\n%s", scenario, at, r.out);
	}
	if (where)
		ck_assert_msg(strstr(r.out, where) != NULL, "%s: the report does not say '%s':\n%s", scenario, where,
			      r.out);
	replay_path(&r, path, sizeof(path));
	ck_assert_msg(path[0], "%s: no replay saved\n%s", scenario, r.out);
	p = sh("timeout -s KILL 120 '%s' replay '%s'", st_bin(), path);
	ck_assert_msg(p.rc == 1, "%s: replay exit %d, want 1\n%s%s", scenario, p.rc, p.out, p.err);
	ck_assert_msg(strstr(p.out, want) != NULL, "%s: replay does not fail %s:\n%s", scenario, check, p.out);
	if (site)
		ck_assert_msg(strstr(p.out, at) != NULL, "%s: replay does not name %s", scenario, at);
	res_free(&r);
	res_free(&p);
}

/* ---- b1: loops without a scheduling point, sleeps, blocking calls ---------------------- */

START_TEST(b1_loop_without_points_is_a_livelock_that_replays)
{
	mktmp();
	expect_fault("fault/for-ever", "livelock", "for-ever");
	expect_fault("fault/hoisted-busy-wait", "livelock", "hoisted");
	expect_fault("fault/setup-for-ever", "livelock", "setup-for-ever");
	expect_fault("fault/check-for-ever", "livelock", "check-for-ever");
	rmtmp();
}
END_TEST

/* The watchdog counts, it does not time: the replay stops at the same block, same step. */
START_TEST(b1_watchdog_is_deterministic)
{
	struct kw_config cfg = kwt_cfg("fault/hoisted-busy-wait", KW_MODEL_WEAK);
	struct kw_search_result r = kwt_search(&cfg, KW_S_RANDOM, 10, 0);
	struct kw_sim *s = kw_sim_new();
	struct kw_replay rp;

	ck_assert(r.found);
	ck_assert_str_eq(r.rep.check, "livelock");
	memset(&rp, 0, sizeof(rp));
	snprintf(rp.check, sizeof(rp.check), "livelock");
	rp.dec = r.dec;
	rp.ndec = r.ndec;
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(kw_replay_play(s, &rp, &cfg, false), KW_RUN_FAIL);
		ck_assert_str_eq(s->rep.check, "livelock");
		ck_assert(s->rep.pc == r.rep.pc);
		ck_assert_int_eq(s->rep.tid, r.rep.tid);
	}
	/* and the budget is per segment: a long run of short segments is no livelock */
	cfg = kwt_cfg("fault/long-busy-run", KW_MODEL_WEAK);
	{
		struct kw_search_result ok = kwt_search(&cfg, KW_S_RANDOM, 1, 0);

		ck_assert_msg(!ok.found && !ok.error, "%s: %s", ok.rep.check, ok.rep.msg);
		kw_search_result_free(&ok);
	}
	kw_sim_free(s);
	kw_search_result_free(&r);
}
END_TEST

START_TEST(b1_sleep_goes_to_the_virtual_clock)
{
	struct res r;
	struct kw_config cfg = kwt_cfg("fault/sleep", KW_MODEL_WEAK);
	struct kwt_set o = { 0 };

	mktmp();
	/* sleep(1000), usleep(), nanosleep() in threads: every run passes, none waits */
	r = sh("timeout -s KILL 120 '%s' run fault/sleep --runs 300", st_bin());
	ck_assert_msg(r.rc == 0, "exit %d\n%s%s", r.rc, r.out, r.err);
	res_free(&r);
	r = sh("timeout -s KILL 120 '%s' run fault/sleep --strategy dfs", st_bin());
	ck_assert_msg(r.rc == 0 && strstr(r.out, "bounded space exhausted"), "exit %d\n%s%s", r.rc, r.out, r.err);
	res_free(&r);
	kwt_dfs_outcomes(&cfg, 2, true, &o, NULL);
	ck_assert_msg(o.n == 1 && kwt_set_has(&o, "ok|slept=1000000 napped=5 flag=1"), "%s", kwt_set_str(&o));
	kwt_set_free(&o);
	/* a sleep is a sleeping call: in an IRQ it is reported as one */
	expect_fault("fault/sleep-in-irq", "sleep-in-atomic", NULL);
	rmtmp();
}
END_TEST

START_TEST(b1_blocking_call_is_stopped_by_the_backstop)
{
	struct res r;

	static const char *const stuck[] = { "fault/blocking-syscall", "fault/pause-loop", "fault/library-spin" };

	mktmp();
	for (size_t i = 0; i < sizeof(stuck) / sizeof(stuck[0]); i++) {
		r = sh("KWEAVE_BACKSTOP_SECONDS=1 timeout -s KILL 120 '%s' run %s --save s", st_bin(), stuck[i]);
		ck_assert_msg(r.rc == 1, "%s: exit %d\n%s%s", stuck[i], r.rc, r.out, r.err);
		ck_assert_ptr_nonnull(strstr(r.out, "FAIL timeout: "));
		ck_assert_ptr_nonnull(strstr(r.out, "wall-clock backstop"));
		ck_assert_ptr_nonnull(strstr(r.out, "tests/scenarios/fault_scen.c:"));
		res_free(&r);
	}
	/* code that computes between two scheduling points is never stopped by it: the arena's
	 * 4 MiB fills, a long loop of the code under test */
	r = sh("KWEAVE_BACKSTOP_SECONDS=1 timeout -s KILL 300 '%s' run fault/arena-full --no-minimize --save s", st_bin());
	ck_assert_msg(r.rc == 1 && strstr(r.out, "FAIL engine-limit"), "arena: %d\n%s%s", r.rc, r.out, r.err);
	res_free(&r);
	rmtmp();
}
END_TEST

/* Another OS thread of the process (a fuzzer's helper, say) that sleeps while a simulation
 * runs sleeps for real: only the simulation's thread is the code under test's. */
static volatile int helper_stop;
static double helper_slept;

static void *sleepy_helper(void *arg)
{
	double t0 = kw_now();
	int n = 0;

	(void)arg;
	while (!helper_stop) {
		usleep(2000);
		n++;
	}
	helper_slept = (kw_now() - t0) / (n ? n : 1);
	return NULL;
}

START_TEST(b1_other_threads_sleep_for_real)
{
	struct kw_config cfg = kwt_cfg("once-init/v2", KW_MODEL_WEAK);
	pthread_t th;

	ck_assert_int_eq(pthread_create(&th, NULL, sleepy_helper, NULL), 0);
	for (int i = 0; i < 3; i++) {
		struct kw_search_result r = kwt_search(&cfg, KW_S_RANDOM, 20000, 0);

		ck_assert_msg(!r.found && !r.error, "%s: %s", r.rep.check, r.rep.msg);
		kw_search_result_free(&r);
	}
	helper_stop = 1;
	pthread_join(th, NULL);
	ck_assert_msg(helper_slept >= 0.0015, "the helper's usleep(2000) took %.6f s", helper_slept);
}
END_TEST

/* ---- b2: exit() in a simulated thread ------------------------------------------------------ */

START_TEST(b2_exit_in_a_thread_is_a_report)
{
	mktmp();
	expect_fault("fault/exit-in-thread", "exit", "exit3");
	expect_fault("fault/exit-in-spawned-thread", "exit", "exit3");
	expect_fault("fault/exit0-in-thread", "exit", NULL);
	expect_fault("fault/_exit-in-thread", "exit", NULL);
	expect_fault("fault/_Exit-in-thread", "exit", NULL);
	expect_fault("fault/quick_exit-in-thread", "exit", NULL);
	expect_fault("fault/raise-in-thread", "crash", NULL);
	rmtmp();
}
END_TEST

static enum kw_exit_verdict pass_exit0(struct kw_sim *s, struct kw_thread *t, const char *how, int status)
{
	(void)s;
	return t && !strcmp(how, "exit") && status == 0 ? KW_EXIT_PASS : KW_EXIT_FAIL;
}

START_TEST(b2_exit_hook_says_what_an_exit_means)
{
	struct kw_config c0 = kwt_cfg("fault/exit0-in-thread", KW_MODEL_WEAK);
	struct kw_config c3 = kwt_cfg("fault/exit-in-thread", KW_MODEL_WEAK);
	struct kw_search_result r;

	kw_exit_hook = pass_exit0;
	r = kwt_search(&c0, KW_S_DFS, 0, 2);
	ck_assert_msg(!r.found && !r.error && r.exhausted, "%s: %s", r.rep.check, r.rep.msg);
	kw_search_result_free(&r);
	r = kwt_search(&c3, KW_S_RANDOM, 10, 0);
	ck_assert(r.found);
	ck_assert_str_eq(r.rep.check, "exit");
	ck_assert_ptr_nonnull(strstr(r.rep.msg, "exit(3)"));
	kw_search_result_free(&r);
	kw_exit_hook = NULL;
	r = kwt_search(&c0, KW_S_RANDOM, 10, 0);
	ck_assert(r.found);
	ck_assert_str_eq(r.rep.check, "exit");
	kw_search_result_free(&r);
}
END_TEST

/* ---- b3: crashes in the setup or the final check ------------------------------------------ */

START_TEST(b3_crash_in_setup_or_check_is_a_report)
{
	mktmp();
	expect_fault_in("fault/abort-in-setup", "crash", "abort-setup", " (setup)");
	expect_fault_in("fault/abort-in-check", "crash", "abort-check", " (final check)");
	expect_fault_in("fault/null-in-setup", "crash", "null-setup", " (setup)");
	expect_fault_in("fault/null-in-check", "crash", "null-check", " (final check)");
	expect_fault_in("fault/exit-in-setup", "exit", "exit-setup", "exit(3) called in setup");
	expect_fault_in("fault/exit-in-check", "exit", "exit-check", "exit(3) called in the final check");
	expect_fault_in("fault/overflow-in-setup", "stack-overflow", NULL, " (setup)");
	rmtmp();
}
END_TEST

/* ---- b4: absurd kmalloc sizes ---------------------------------------------------------------- */

START_TEST(b4_kmalloc_sizes_are_checked)
{
	mktmp();
	expect_fault("fault/kmalloc-size-max", "alloc-size", "kmalloc-max");
	expect_fault("fault/kmalloc-size-max-16", "alloc-size", "kmalloc-max16");
	expect_fault("fault/kmalloc-negative", "alloc-size", NULL);
	expect_fault("fault/kmalloc-huge-in-setup", "alloc-size", NULL);
	expect_fault("fault/kmalloc-4mib-plus-1", "alloc-size", "kmalloc-4mib+1");
	expect_fault("fault/arena-full", "engine-limit", "arena");
	rmtmp();
	/* the largest block itself is fine */
	{
		struct kw_config c = kwt_cfg("fault/kmalloc-4mib", KW_MODEL_WEAK);
		struct kw_search_result ok = kwt_search(&c, KW_S_RANDOM, 5, 0);

		ck_assert_msg(!ok.found && !ok.error, "%s: %s", ok.rep.check, ok.rep.msg);
		kw_search_result_free(&ok);
	}
	/* the engine is intact afterwards: the same simulation runs a clean scenario */
	{
		struct kw_config bad = kwt_cfg("fault/kmalloc-size-max-16", KW_MODEL_WEAK);
		struct kw_config ok = kwt_cfg("demo/lost-update-fixed", KW_MODEL_WEAK);
		struct kw_sim *s = kw_sim_new();
		struct kw_strategy *b = kw_strategy_bytes(NULL, 0);

		for (int i = 0; i < 3; i++) {
			ck_assert_int_eq(kw_sim_run(s, &bad, b, false), KW_RUN_FAIL);
			ck_assert_str_eq(s->rep.check, "alloc-size");
			ck_assert_int_eq(kw_sim_run(s, &ok, b, false), KW_RUN_OK);
		}
		kw_strategy_destroy(b);
		kw_sim_free(s);
	}
}
END_TEST

/* ---- b5: saves are whole or absent ---------------------------------------------------------- */

static void no_empty_files(const char *dir)
{
	struct res r = sh("find '%s' -type f \\( -size 0 -o -name '.*.tmp-*' \\) 2>/dev/null", dir);

	ck_assert_msg(r.out[0] == 0, "empty or temporary files left behind:\n%s", r.out);
	res_free(&r);
}

/* Saving onto a full disk: the report, then one line, exit 2, no file left. With limit set
 * the commands run under a file size limit of 0 (every write fails with EFBIG, as on a full
 * disk) and their output goes through a pipe, which the limit does not cover. */
static void full_disk_checks(const char *dir, bool limit)
{
	static const char *const cmds[] = { "run demo/lost-update --strategy pct --seed 1", "verify demo/lost-update" };
	struct res r;

	for (int i = 0; i < 2; i++) {
		if (limit)
			r = sh("bash -c \"(ulimit -f 0; exec timeout -s KILL 600 '%s' %s --save '%s' 2>&1) | cat; "
			       "exit \\${PIPESTATUS[0]}\"", kw_bin(), cmds[i], dir);
		else
			r = sh("timeout -s KILL 600 '%s' %s --save '%s'", kw_bin(), cmds[i], dir);
		ck_assert_msg(r.rc == 2, "'%s' saving onto a full disk: exit %d\n%s%s", cmds[i], r.rc, r.out, r.err);
		/* the report (the table) came out, then the error */
		{
			const char *rep = strstr(r.out, i ? "demo/lost-update " : "FAIL final-check");
			const char *e = limit ? strstr(r.out, "kweave: ") : r.err;

			ck_assert_msg(rep && e && (!limit || e > rep), "'%s': no report before the error:\n%s%s", cmds[i],
				      r.out, r.err);
			ck_assert_msg(limit || lines(r.err) == 1, "'%s': stderr\n%s", cmds[i], r.err);
			ck_assert_msg(strstr(e, i ? "could not save" : "cannot save"), "'%s': %s", cmds[i], e);
		}
		res_free(&r);
		no_empty_files(dir);
	}
}

START_TEST(b5_full_disk_is_an_error_and_leaves_no_file)
{
	char full[400];

	mktmp();
	/* a file size limit of 0 blocks: every write fails (EFBIG), as on a full disk */
	full_disk_checks("fsize", true);
	/* a real full file system when one can be mounted */
	snprintf(full, sizeof(full), "%s/full", tmpd);
	mkdir(full, 0777);
	if (mount("tmpfs", full, "tmpfs", 0, "size=16k") == 0) {
		struct res r = sh("head -c 12k /dev/zero >full/fill 2>/dev/null; head -c 8k /dev/zero >full/fill2 2>/dev/null; true");

		res_free(&r);
		full_disk_checks("full/out", false);
		umount(full);
	} else {
		fprintf(stderr, "test_hardening: skipped the 16k tmpfs part (mount: %s); the file-size limit part ran\n",
			strerror(errno));
	}
	rmtmp();
}
END_TEST

START_TEST(b5_unsaved_replay_is_exit_2_everywhere)
{
	struct res r;
	char path[600], good[600];

	mktmp();
	/* a save directory that cannot exist */
	r = sh("timeout -s KILL 120 '%s' run demo/lost-update --save /dev/null/x", kw_bin());
	ck_assert_msg(r.rc == 2 && strstr(r.out, "FAIL final-check") && lines(r.err) == 1, "run: %d\n%s%s", r.rc, r.out,
		      r.err);
	res_free(&r);
	r = sh("timeout -s KILL 600 '%s' verify demo/lost-update --save /dev/null/x", kw_bin());
	ck_assert_msg(r.rc == 2 && strstr(r.err, "could not save"), "verify: %d\n%s%s", r.rc, r.out, r.err);
	res_free(&r);
	r = sh("timeout -s KILL 120 '%s' run demo/abba --strategy pct --seed 3 --save s", kw_bin());
	ck_assert_int_eq(r.rc, 1);
	replay_path(&r, good, sizeof(good));
	res_free(&r);
	r = sh("timeout -s KILL 120 '%s' minimize '%s' --save /dev/null/x", kw_bin(), good);
	ck_assert_msg(r.rc == 2 && lines(r.err) == 1, "minimize: %d\n%s%s", r.rc, r.out, r.err);
	res_free(&r);
	/* replay --from-input saves into ./kweave-out: a failing input, and no way to save it */
	{
		uint64_t rng = 5;
		uint8_t in[48];
		struct kw_replay rp;
		char err[400];
		bool failing = false;

		for (int tries = 0; tries < 100000 && !failing; tries++) {
			in[0] = 0;
			in[1] = 1;
			in[2] = 0;
			for (size_t i = 3; i < sizeof(in); i++)
				in[i] = (uint8_t)kw_rng_next(&rng);
			ck_assert_int_eq(kw_fuzz_input_to_replay(in, sizeof(in), &rp, err, sizeof(err)), 0);
			failing = rp.check[0] != 0;
			kw_replay_clear(&rp);
		}
		ck_assert(failing);
		spit("in", (const char *)in, sizeof(in));
		r = sh("touch kweave-out && timeout -s KILL 120 '%s' replay --from-input in", kw_bin());
		ck_assert_msg(r.rc == 2 && strstr(r.out, "FAIL ") && lines(r.err) == 1 && strstr(r.err, "cannot save"),
			      "from-input save: %d\n%s%s", r.rc, r.out, r.err);
		res_free(&r);
	}
	(void)path;
	rmtmp();
}
END_TEST

/* A child saves the same replay again and again; killed at any moment, the file on disk
 * is the previous good replay, whole. */
START_TEST(b5_kill_during_save_keeps_the_previous_replay)
{
	struct kw_config cfg = kwt_cfg("demo/lost-update", KW_MODEL_WEAK);
	struct kw_search_result r = kwt_search(&cfg, KW_S_RANDOM, 1000, 0);
	char dir[400], path[KW_PATH_MAX];
	uint64_t rng = 42;

	ck_assert(r.found);
	mktmp();
	snprintf(dir, sizeof(dir), "%s/k", tmpd);
	ck_assert_int_eq(kw_save_replay(dir, &cfg, r.found_by, r.rep.check, r.dec, r.ndec, path, sizeof(path)), 0);
	for (int round = 0; round < 40; round++) {
		pid_t pid = fork();

		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			char p2[KW_PATH_MAX];

			for (;;)
				kw_save_replay(dir, &cfg, r.found_by, r.rep.check, r.dec, r.ndec, p2, sizeof(p2));
		}
		usleep((useconds_t)(200 + kw_rng_next(&rng) % 3000));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		{
			struct kw_replay rp;
			char err[400];

			ck_assert_msg(kw_replay_load(path, &rp, err, sizeof(err)) == 0, "round %d: %s", round, err);
			ck_assert_int_eq(rp.ndec, r.ndec);
			ck_assert_str_eq(rp.check, r.rep.check);
			kw_replay_clear(&rp);
		}
	}
	rmtmp();
	kw_search_result_free(&r);
}
END_TEST

/* ---- b6: long --save paths ---------------------------------------------------------------- */

START_TEST(b6_long_save_paths_are_refused_not_cut)
{
	char longdir[700], mid[600];
	struct res r;

	mktmp();
	/* nested one-letter directories: no single name is too long for the file system */
	for (int i = 0; i < 600; i += 2)
		memcpy(longdir + i, "d/", 2);
	longdir[599] = 'd';
	longdir[600] = 0;
	r = sh("timeout -s KILL 120 '%s' run demo/lost-update --save %s", kw_bin(), longdir);
	ck_assert_msg(r.rc == 2 && lines(r.err) == 1 && r.out[0] == 0, "600-byte --save: %d\n%s%s", r.rc, r.out, r.err);
	res_free(&r);
	/* a directory that fits, a replay path that does not: the report, then the error */
	for (int i = 0; i < 440; i += 2)
		memcpy(mid + i, "m/", 2);
	mid[439] = 'm';
	mid[440] = 0;
	r = sh("timeout -s KILL 120 '%s' run %s --save %s", st_bin(),
	       "fault/long-name-0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
	       "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789", mid);
	ck_assert_msg(r.rc == 2 && strstr(r.out, "FAIL ") && lines(r.err) == 1 && strstr(r.err, "too long"),
		      "over-long replay path: %d\n%s%s", r.rc, r.out, r.err);
	res_free(&r);
	/* nothing was created under a cut name */
	r = sh("find . -mindepth 1 -not -name '.out' -not -name '.err'");
	ck_assert_msg(r.out[0] == 0, "left behind:\n%s", r.out);
	res_free(&r);
	rmtmp();
}
END_TEST

/* ---- b7: every accepted edit changes the trace; the recorded check is compared ------------- */

static char *trace_of(struct kw_sim *s)
{
	char *t;
	size_t n;
	FILE *f = open_memstream(&t, &n);

	kw_trace_print(s, f);
	fclose(f);
	return t;
}

/* For runs dfs reaches, every single-decision edit either diverges or changes the trace. */
static int edits_change_the_trace(const char *scenario, int model, int max_runs)
{
	struct kw_config cfg = kwt_cfg(scenario, model);
	struct kw_sim *s = kw_sim_new(), *e = kw_sim_new();
	struct kw_strategy *d = kw_strategy_dfs(3, false);
	int runs = 0, edits = 0, value_edits = 0;

	for (;;) {
		int st = kw_sim_run(s, &cfg, d, false);
		bool done = d->ops->end(d, s);
		struct kw_decision *dec;
		size_t n = s->ndec;
		char *t0;

		if (st == KW_RUN_PRUNED)
			goto next;
		dec = malloc((n ? n : 1) * sizeof(*dec));
		memcpy(dec, s->dec, n * sizeof(*dec));
		ck_assert(kw_replay_run(e, &cfg, dec, n, true) != KW_RUN_ERROR);
		t0 = trace_of(e);
		for (size_t i = 0; i < n; i++)
			for (unsigned v = 0; v < dec[i].n; v++) {
				struct kw_decision keep = dec[i];

				if (v == keep.v)
					continue;
				dec[i].v = (uint16_t)v;
				if (kw_replay_run(e, &cfg, dec, n, true) != KW_RUN_ERROR) {
					char *t1 = trace_of(e);

					ck_assert_msg(strcmp(t0, t1) != 0, "%s: decision %zu edited %u -> %u, same trace:\n%s",
						      scenario, i, keep.v, v, t1);
					free(t1);
					edits++;
				}
				value_edits += 1;
				dec[i] = keep;
			}
		free(t0);
		free(dec);
		runs++;
next:
		if (done || runs >= max_runs)
			break;
	}
	kw_strategy_destroy(d);
	kw_sim_free(s);
	kw_sim_free(e);
	ck_assert_int_gt(value_edits, 0);
	return edits;
}

START_TEST(b7_every_accepted_edit_changes_the_trace)
{
	/* store placements (2+2W, S: where a store goes in modification order), reads-from
	 * (MP, CoRR), tso drains (SB), schedules (interleave) */
	ck_assert_int_gt(edits_change_the_trace("litmus/2+2W", KW_MODEL_WEAK, 200), 0);
	ck_assert_int_gt(edits_change_the_trace("litmus/S", KW_MODEL_WEAK, 200), 0);
	ck_assert_int_gt(edits_change_the_trace("litmus/MP", KW_MODEL_WEAK, 200), 0);
	ck_assert_int_gt(edits_change_the_trace("litmus/CoRR", KW_MODEL_WEAK, 200), 0);
	ck_assert_int_gt(edits_change_the_trace("litmus/SB", KW_MODEL_TSO, 200), 0);
	ck_assert_int_gt(edits_change_the_trace("demo/interleave-2x2", KW_MODEL_SC, 200), 0);
}
END_TEST

/* Rewrite one line of a replay file (by its key), or drop it. */
static void edit_line(const char *in, const char *out, const char *key, const char *repl)
{
	char *t = slurp(in, NULL), *o = malloc(strlen(t) + 200), *p = t;
	size_t k = 0, kl = strlen(key);

	while (*p) {
		char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);

		if (!strncmp(p, key, kl)) {
			if (repl)
				k += (size_t)sprintf(o + k, "%s\n", repl);
		} else {
			memcpy(o + k, p, len);
			k += len;
		}
		p += len;
	}
	spit(out, o, k);
	free(t);
	free(o);
}

START_TEST(b7_replay_holds_the_run_to_the_file)
{
	char path[600], dl[200];
	struct res r;
	struct kw_replay rp;
	char err[400];

	mktmp();
	r = sh("'%s' run demo/lost-update --strategy pct --seed 1 --save s", kw_bin());
	replay_path(&r, path, sizeof(path));
	ck_assert(path[0]);
	res_free(&r);
	ck_assert_int_eq(kw_replay_load(path, &rp, err, sizeof(err)), 0);
	ck_assert_int_ge(rp.ndec, 2);
	/* the recorded check is compared */
	edit_line(path, "e1", "check ", "check deadlock");
	edit_line(path, "e2", "check ", "check none");
	/* a run that passes where the file records a failure: the non-preemptive schedule */
	{
		char o[4096];
		size_t k = 0;
		char *t = slurp(path, NULL), *d = strstr(t, "\ndecisions ") + 1;

		k = (size_t)snprintf(o, sizeof(o), "%.*sdecisions %zu\n", (int)(d - t), t, rp.ndec);
		for (size_t i = 0; i < rp.ndec; i++)
			k += (size_t)snprintf(o + k, sizeof(o) - k, "0/%u%c", rp.dec[i].n, i + 1 == rp.ndec ? '\n' : ' ');
		k += (size_t)snprintf(o + k, sizeof(o) - k, "end\n");
		spit("e3", o, k);
		free(t);
	}
	/* a wrong choice count, a missing decision, a leftover decision */
	snprintf(dl, sizeof(dl), "decisions %zu", rp.ndec);
	{
		char *t = slurp(path, NULL), o[4096], *d = strstr(t, "\ndecisions ") + 1;
		size_t k;

		k = (size_t)snprintf(o, sizeof(o), "%.*sdecisions %zu\n", (int)(d - t), t, rp.ndec);
		for (size_t i = 0; i < rp.ndec; i++)
			k += (size_t)snprintf(o + k, sizeof(o) - k, "%u/%u%c", rp.dec[i].v, i ? rp.dec[i].n : rp.dec[i].n + 1,
					      i + 1 == rp.ndec ? '\n' : ' ');
		k += (size_t)snprintf(o + k, sizeof(o) - k, "end\n");
		spit("e4", o, k);
		k = (size_t)snprintf(o, sizeof(o), "%.*sdecisions %zu\n", (int)(d - t), t, rp.ndec - 1);
		for (size_t i = 0; i + 1 < rp.ndec; i++)
			k += (size_t)snprintf(o + k, sizeof(o) - k, "%u/%u%c", rp.dec[i].v, rp.dec[i].n,
					      i + 2 == rp.ndec ? '\n' : ' ');
		k += (size_t)snprintf(o + k, sizeof(o) - k, "end\n");
		spit("e5", o, k);
		k = (size_t)snprintf(o, sizeof(o), "%.*sdecisions %zu\n", (int)(d - t), t, rp.ndec + 1);
		for (size_t i = 0; i < rp.ndec; i++)
			k += (size_t)snprintf(o + k, sizeof(o) - k, "%u/%u ", rp.dec[i].v, rp.dec[i].n);
		k += (size_t)snprintf(o + k, sizeof(o) - k, "1/2\nend\n");
		spit("e6", o, k);
		free(t);
	}
	for (int i = 1; i <= 6; i++) {
		r = sh("'%s' replay e%d", kw_bin(), i);
		ck_assert_msg(r.rc == 2, "e%d: exit %d, want 2 (divergence)\n%s%s", i, r.rc, r.out, r.err);
		ck_assert_msg(lines(r.err) == 1 && strstr(r.err, "diverges"), "e%d: stderr\n%s", i, r.err);
		res_free(&r);
	}
	/* the file itself replays */
	r = sh("'%s' replay '%s'", kw_bin(), path);
	ck_assert_int_eq(r.rc, 1);
	res_free(&r);
	kw_replay_clear(&rp);
	rmtmp();
}
END_TEST

/* ---- b8: the parser reads the writer's format and nothing else ------------------------------- */

#define H "kweave-replay 2\nscenario demo/lost-update\n"
#define C1 "model sc\nraces on\nplain-points off\ncpus 0\nmax-steps 0\n"
#define C2 "found-by test\ncheck final-check\n"
#define D "decisions 3\n1/2 1/2 0/2\nend\n"

START_TEST(b8_parser_accepts_only_the_writers_format)
{
	static const char *good[] = {
		H C1 C2 D,
		"# a comment\n" H "# another\n" C1 C2 D,
		"kweave-replay 2\nscenario once-init/original\nparam submitters 2\n" C1 C2 D,
	};
	static const char *bad[] = {
		H "races on\nplain-points off\ncpus 0\nmax-steps 0\n" C2 D,			/* no model */
		H C1 "check final-check\n" D,							/* no found-by */
		H C1 "found-by test\n" D,							/* no check */
		H C1 C2 "1/2 1/2 0/2\nend\n",							/* no decisions */
		H "model sc\nmodel sc\nraces on\nplain-points off\ncpus 0\nmax-steps 0\n" C2 D,	/* duplicate */
		H "races on\nmodel sc\nplain-points off\ncpus 0\nmax-steps 0\n" C2 D,		/* reordered */
		H C1 C2 "decisions 3\n1/2 1/2\n0/2\nend\n",					/* not 16 a line */
		H C1 C2 "decisions 3\n1/2  1/2 0/2\nend\n",					/* two spaces */
		H C1 C2 "decisions 3\n1/2 1/2 0/2 \nend\n",					/* trailing space */
		H C1 C2 "decisions 03\n1/2 1/2 0/2\nend\n",					/* leading zero */
		H C1 C2 "decisions +3\n1/2 1/2 0/2\nend\n",					/* sign */
		H C1 C2 "decisions 3\n1/2 1/2 0/2\r\nend\n",					/* CR */
		H C1 C2 "decisions 3\n1/2 1/2 0/2\n\nend\n",					/* blank line */
		H C1 C2 "decisions 3\n1/2 1/2 0/2\nend",					/* no final newline */
		H C1 C2 "decisions 3\n1/2 1/2 0/2\nend\nend\n",					/* twice */
		H C1 C2 "decisions 3\n1/2 1/2 0/65536\nend\n",					/* n too large */
		H C1 C2 "decisions 3\n1/2 1/2 0/1\nend\n",					/* n too small */
		H C1 C2 "decisions 99999999999999999999\n1/2 1/2 0/2\nend\n",			/* overflow */
		H "model sc\nraces yes\nplain-points off\ncpus 0\nmax-steps 0\n" C2 D,
		H "model sc\nraces on\nplain-points off\ncpus 9\nmax-steps 0\n" C2 D,
		H "model sc\nraces on\nplain-points off\ncpus 0\nmax-steps -1\n" C2 D,
		H C1 "found-by test\ncheck final check\n" D,					/* space in a name */
		"kweave-replay 1\nscenario demo/lost-update\n" C1 C2 D,				/* old version */
		"kweave-replay 02\nscenario demo/lost-update\n" C1 C2 D,
		"kweave-replay  2\nscenario demo/lost-update\n" C1 C2 D,
		"kweave-replay 2\nscenario demo/lost-update\nparam x\n" C1 C2 D,
		"kweave-replay 2\nscenario demo/lost-update\nparam x 1\nparam x 2\n" C1 C2 D,
		"kweave-replay 2\nscenario \x1b[2Jdemo\n" C1 C2 D,
		"kweave-replay 2\nscenario once-init/original\nparam submitters -0\n" C1 C2 D,
	};
	struct kw_replay r;
	char err[400];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_msg(kw_replay_parse(good[i], strlen(good[i]), &r, err, sizeof(err)) == 0, "good #%zu: %s", i,
			      err);
		kw_replay_clear(&r);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(kw_replay_parse(bad[i], strlen(bad[i]), &r, err, sizeof(err)) != 0, "accepted bad #%zu", i);
		ck_assert_msg(err[0] && !strchr(err, '\n'), "bad #%zu: error '%s'", i, err);
		kw_replay_clear(&r);
	}
	/* a line longer than the limit is an error, never cut */
	{
		size_t n = 10000;
		char *t = malloc(n + 200);
		int k = sprintf(t, H C1 "found-by ");

		memset(t + k, 'x', 5000);
		sprintf(t + k + 5000, "\ncheck final-check\n" D);
		ck_assert_int_ne(kw_replay_parse(t, strlen(t), &r, err, sizeof(err)), 0);
		ck_assert_ptr_nonnull(strstr(err, "longer than"));
		/* a found-by that fits the line but not the field */
		memset(t + k, 'x', 300);
		sprintf(t + k + 300, "\ncheck final-check\n" D);
		ck_assert_int_ne(kw_replay_parse(t, strlen(t), &r, err, sizeof(err)), 0);
		free(t);
	}
	/* the parameters are the scenario's, all of them, in order: no defaults */
	{
		const char *t = "kweave-replay 2\nscenario once-init/original\n" C1 C2 D;
		struct kw_config cfg;

		ck_assert_int_eq(kw_replay_parse(t, strlen(t), &r, err, sizeof(err)), 0);
		ck_assert_int_ne(kw_replay_config(&r, &cfg, err, sizeof(err)), 0);
		ck_assert_ptr_nonnull(strstr(err, "submitters"));
		kw_replay_clear(&r);
	}
}
END_TEST

START_TEST(b8_long_names_survive_the_round_trip)
{
	char name[300], path[600];
	struct res r;

	mktmp();
	snprintf(name, sizeof(name), "fault/long-name-%s%s",
		 "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789",
		 "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789");
	r = sh("'%s' run '%s' --save s", st_bin(), name);
	ck_assert_msg(r.rc == 1, "exit %d\n%s%s", r.rc, r.out, r.err);
	replay_path(&r, path, sizeof(path));
	res_free(&r);
	r = sh("'%s' replay '%s'", st_bin(), path);
	ck_assert_msg(r.rc == 1 && strstr(r.out, name), "replay of a %zu-byte name: %d\n%s%s", strlen(name), r.rc,
		      r.out, r.err);
	res_free(&r);
	rmtmp();
}
END_TEST

/* ---- the mutation corpus: every mutant is rejected in one line, or replays to its verdict -- */

struct mut_stats {
	unsigned total, rejected, diverged, replayed;
};

static void check_mutant(const char *text, size_t len, struct mut_stats *ms, const char *what)
{
	struct kw_replay r;
	struct kw_config cfg;
	char err[400];

	ms->total++;
	if (kw_replay_parse(text, len, &r, err, sizeof(err)) || kw_replay_config(&r, &cfg, err, sizeof(err))) {
		ck_assert_msg(err[0] && !strchr(err, '\n'), "%s: multi-line or empty error '%s'", what, err);
		ms->rejected++;
		kw_replay_clear(&r);
		return;
	}
	/* accepted: the writer writes it back byte for byte (comment lines aside) */
	{
		char *w, *stripped = malloc(len + 1);
		size_t wn, k = 0;
		FILE *f = open_memstream(&w, &wn);
		const char *p = text;

		ck_assert_int_eq(kw_replay_write(f, &r), 0);
		fclose(f);
		while (p < text + len) {
			const char *nl = memchr(p, '\n', (size_t)(text + len - p));
			size_t l = nl ? (size_t)(nl - p + 1) : (size_t)(text + len - p);

			if (*p != '#') {
				memcpy(stripped + k, p, l);
				k += l;
			}
			p += l;
		}
		stripped[k] = 0;
		ck_assert_msg(!strcmp(strchr(w, '\n') + 1, stripped), "%s: accepted, but not the writer's format:\n%s",
			      what, stripped);
		free(w);
		free(stripped);
	}
	{
		struct kw_sim *s = kw_sim_new();
		int st = kw_replay_play(s, &r, &cfg, false);

		if (st == KW_RUN_ERROR) {
			ck_assert_msg(!strchr(s->err, '\n'), "%s: multi-line divergence", what);
			ms->diverged++;
		} else {
			/* replayed to its recorded verdict */
			ck_assert_str_eq(st == KW_RUN_FAIL ? s->rep.check : "", r.check);
			ms->replayed++;
		}
		kw_sim_free(s);
	}
	kw_replay_clear(&r);
}

static void mutate_file(const char *text, size_t len, struct mut_stats *ms)
{
	char *m = malloc(len + 8192);
	static const unsigned char flips[] = { 0x01, 0x02, 0x04, 0x10, 0x20, 0x40, 0x80 };
	static const char sets[] = { '\n', '\0', ' ', '9', '0', '#', '/', '-', '\r', '\x1b' };
	char what[64];

	/* byte flips and byte sets */
	for (size_t i = 0; i < len; i++) {
		for (size_t f = 0; f < sizeof(flips); f++) {
			memcpy(m, text, len);
			m[i] = (char)(m[i] ^ flips[f]);
			snprintf(what, sizeof(what), "flip %zu^%02x", i, flips[f]);
			check_mutant(m, len, ms, what);
		}
		for (size_t f = 0; f < sizeof(sets); f++) {
			if (text[i] == sets[f])
				continue;
			memcpy(m, text, len);
			m[i] = sets[f];
			snprintf(what, sizeof(what), "set %zu=%02x", i, (unsigned char)sets[f]);
			check_mutant(m, len, ms, what);
		}
	}
	/* truncations */
	for (size_t i = 0; i < len; i++) {
		snprintf(what, sizeof(what), "truncated at %zu", i);
		check_mutant(text, i, ms, what);
	}
	/* line operations: drop, duplicate, swap with the next, make it long */
	{
		size_t starts[256], nl = 0;

		for (size_t i = 0; i < len && nl < 255; i++)
			if (i == 0 || text[i - 1] == '\n')
				starts[nl++] = i;
		starts[nl] = len;
		for (size_t l = 0; l < nl; l++) {
			size_t a = starts[l], b = starts[l + 1], k;

			/* drop */
			memcpy(m, text, a);
			memcpy(m + a, text + b, len - b);
			snprintf(what, sizeof(what), "line %zu dropped", l + 1);
			check_mutant(m, len - (b - a), ms, what);
			/* duplicate */
			memcpy(m, text, b);
			memcpy(m + b, text + a, b - a);
			memcpy(m + b + (b - a), text + b, len - b);
			snprintf(what, sizeof(what), "line %zu twice", l + 1);
			check_mutant(m, len + (b - a), ms, what);
			/* swap with the next */
			if (l + 1 < nl) {
				size_t c = starts[l + 2];

				memcpy(m, text, a);
				memcpy(m + a, text + b, c - b);
				memcpy(m + a + (c - b), text + a, b - a);
				memcpy(m + c, text + c, len - c);
				snprintf(what, sizeof(what), "lines %zu and %zu swapped", l + 1, l + 2);
				check_mutant(m, len, ms, what);
			}
			/* a long line: 5000 more bytes before its newline */
			k = b > a ? b - 1 : a;
			memcpy(m, text, k);
			memset(m + k, '7', 5000);
			memcpy(m + k + 5000, text + k, len - k);
			snprintf(what, sizeof(what), "line %zu made long", l + 1);
			check_mutant(m, len + 5000, ms, what);
		}
	}
	/* every number replaced by huge or edge values */
	{
		static const char *nums[] = { "99999999999999999999", "18446744073709551616", "4294967296", "65536",
					      "65535", "-1", "0", "1", "2" };

		for (size_t i = 0; i < len; i++) {
			size_t j = i;

			if (!(text[i] >= '0' && text[i] <= '9') || (i && text[i - 1] >= '0' && text[i - 1] <= '9'))
				continue;
			while (j < len && text[j] >= '0' && text[j] <= '9')
				j++;
			for (size_t n = 0; n < sizeof(nums) / sizeof(nums[0]); n++) {
				size_t nl2 = strlen(nums[n]);

				memcpy(m, text, i);
				memcpy(m + i, nums[n], nl2);
				memcpy(m + i + nl2, text + j, len - j);
				snprintf(what, sizeof(what), "number at %zu = %s", i, nums[n]);
				check_mutant(m, len - (j - i) + nl2, ms, what);
			}
		}
	}
	free(m);
}

START_TEST(replay_mutants_are_rejected_or_replay_their_verdict)
{
	static const char *runs[] = {
		"run demo/lost-update --strategy pct --seed 1 --save m",
		"run demo/mp-relaxed --strategy pct --seed 1 --save m",
		"run demo/lost-update --model tso --strategy pct --seed 2 --save m",
		"run once-init/original --no-races --strategy pct --seed 1 --save m",
	};
	struct mut_stats ms = { 0 };
	struct res r;
	DIR *d;
	struct dirent *e;
	char dir[400];

	mktmp();
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		r = sh("'%s' %s", kw_bin(), runs[i]);
		ck_assert_msg(r.rc == 1, "%s: exit %d", runs[i], r.rc);
		res_free(&r);
	}
	snprintf(dir, sizeof(dir), "%s/m", tmpd);
	d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		char path[700], *t;
		size_t n;

		if (!strstr(e->d_name, ".replay"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		t = slurp(path, &n);
		{
			unsigned before = ms.replayed;

			check_mutant(t, n, &ms, "the file itself");
			ck_assert_int_eq(ms.replayed, before + 1); /* unmutated: replays */
		}
		mutate_file(t, n, &ms);
		free(t);
	}
	closedir(d);
	fprintf(stderr, "test_hardening: %u replay mutants: %u rejected, %u diverged, %u replayed their verdict\n",
		ms.total, ms.rejected, ms.diverged, ms.replayed);
	ck_assert_int_gt(ms.total, 5000);
	ck_assert_int_gt(ms.rejected, 0);
	ck_assert_int_gt(ms.replayed, 4);
	/* and a sample through the command line: exit 2 and one line, or the verdict */
	for (int i = 0; i < 60; i++) {
		char cmd[200];

		snprintf(cmd, sizeof(cmd), "f=$(ls m/*.replay | head -%d | tail -1); head -c %d \"$f\" >mut; "
			 "printf 'x' | dd of=mut bs=1 seek=%d conv=notrunc 2>/dev/null", 1 + i % 4, 40 + i * 7, 20 + i * 3);
		r = sh("%s; timeout -s KILL 60 '%s' replay mut", cmd, kw_bin());
		if (r.rc == 2) {
			ck_assert_msg(lines(r.err) == 1 && r.out[0] == 0, "mutant %d: exit 2 with\n%s%s", i, r.out, r.err);
		} else {
			/* accepted: it replays to the verdict it records */
			size_t n;
			char *t = slurp("mut", &n);
			struct kw_replay rp;
			char err[400];

			ck_assert_msg(r.rc == 0 || r.rc == 1, "mutant %d: exit %d", i, r.rc);
			ck_assert_int_eq(kw_replay_parse(t, n, &rp, err, sizeof(err)), 0);
			ck_assert_int_eq(r.rc, rp.check[0] ? 1 : 0);
			ck_assert(strstr(r.out, rp.check[0] ? "FAIL " : "OK: ") != NULL);
			kw_replay_clear(&rp);
			free(t);
		}
		res_free(&r);
	}
	rmtmp();
}
END_TEST

/* ---- b9: output hygiene ---------------------------------------------------------------------- */

START_TEST(b9_usage_errors_are_one_line)
{
	struct res r;

	mktmp();
	r = sh("'%s'", kw_bin());
	ck_assert_msg(r.rc == 2 && lines(r.err) == 1 && r.out[0] == 0, "no argument: %d\n%s", r.rc, r.err);
	res_free(&r);
	/* numbers: strict */
	{
		static const char *nums[] = { "+5", " 5", "5 ", "5x", "0x10", "99999999999999999999", "-1", "", "1e3" };

		for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
			r = sh("'%s' run demo/lost-update --runs '%s'", kw_bin(), nums[i]);
			ck_assert_msg(r.rc == 2 && lines(r.err) == 1, "--runs '%s': exit %d", nums[i], r.rc);
			res_free(&r);
		}
		r = sh("'%s' run once-init/original -p submitters=+2", kw_bin());
		ck_assert_int_eq(r.rc, 2);
		res_free(&r);
	}
	/* odd command lines: one line, exit 2, never a crash */
	{
		static const char *odd[] = {
			"frobnicate", "run", "run --runs 5", "run demo/lost-update --runs", "run demo/lost-update --seed",
			"run demo/lost-update --strategy", "run demo/lost-update --strategy bogus",
			"run demo/lost-update --model", "run demo/lost-update --model alpha", "run demo/lost-update --save",
			"run demo/lost-update --save ''", "run demo/lost-update --depth 0", "run demo/lost-update --cpus 99",
			"run demo/lost-update -p", "run demo/lost-update -p x", "run demo/lost-update -p =1",
			"run demo/lost-update -p nope=1", "run demo/lost-update --runs=5", "run '' ",
			"run demo/lost-update --time 0", "replay", "replay a b", "replay --from-input",
			"replay /nonexistent", "replay /", "replay /dev/null", "minimize", "minimize /nonexistent",
			"minimize a b", "minimize a --save", "verify --format", "verify --format xml", "verify nosuchprefix",
			"verify --preemptions 1", "list -x", "help nosuchcommand", "help run extra",
			"run demo/lost-update --max-steps 0",
		};

		for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
			r = sh("timeout -s KILL 60 '%s' %s", kw_bin(), odd[i]);
			ck_assert_msg(r.rc == 2 && lines(r.err) == 1, "'kweave %s': exit %d, %d lines on stderr:\n%s", odd[i],
				      r.rc, lines(r.err), r.err);
			res_free(&r);
		}
	}
	/* --help for every command: its usage on stdout, status 0 */
	{
		static const char *cmds[] = { "list", "run", "replay", "minimize", "verify" };

		for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
			r = sh("'%s' %s --help", kw_bin(), cmds[i]);
			ck_assert_msg(r.rc == 0 && strstr(r.out, "usage: kweave ") && strstr(r.out, cmds[i]) && !r.err[0],
				      "%s --help: %d\n%s%s", cmds[i], r.rc, r.out, r.err);
			res_free(&r);
			r = sh("'%s' help %s", kw_bin(), cmds[i]);
			ck_assert_int_eq(r.rc, 0);
			res_free(&r);
		}
		r = sh("'%s' --help", kw_bin());
		ck_assert_msg(r.rc == 0 && lines(r.out) > 10, "--help: %d", r.rc);
		res_free(&r);
	}
	rmtmp();
}
END_TEST

START_TEST(b9_output_errors_and_control_bytes)
{
	struct res r;

	mktmp();
	r = sh("'%s' list >/dev/full", kw_bin());
	ck_assert_msg(r.rc == 2 && lines(r.err) == 1, "list >/dev/full: exit %d\n%s", r.rc, r.err);
	res_free(&r);
	/* a closed pipe is a write error (status 2), not a death by SIGPIPE */
	r = sh("bash -c \"'%s' list -v | (exec 0<&-; sleep 1); exit \\${PIPESTATUS[0]}\"", kw_bin());
	ck_assert_msg(r.rc == 2 || r.rc == 0, "list into a closed pipe: exit %d", r.rc);
	res_free(&r);
	/* control bytes from the command line, a file name, a file's content */
	r = sh("'%s' run \"$(printf 'demo/\\033]0;X\\007')\"", kw_bin());
	ck_assert_msg(r.rc == 2 && !strchr(r.err, '\033') && !strchr(r.err, '\007') && strstr(r.err, "\\x1b"),
		      "scenario name: %s", r.err);
	res_free(&r);
	r = sh("f=\"$(printf 'a\\033[2Jb')\"; printf 'kweave-replay 2\\nscenario \\033[2J\\n' >\"$f\"; '%s' replay \"$f\"",
	       kw_bin());
	ck_assert_msg(r.rc == 2 && lines(r.err) == 1 && !strchr(r.err, '\033'), "file name/content: %s", r.err);
	res_free(&r);
	/* and on stdout: a scenario's own message and thread name */
	r = sh("'%s' run fault/control-bytes --save s", st_bin());
	ck_assert_msg(r.rc == 1 && !strchr(r.out, '\033') && !strchr(r.out, '\007') && strstr(r.out, "\\x1b]0;TITLE"),
		      "stdout: %s", r.out);
	res_free(&r);
	rmtmp();
}
END_TEST

START_TEST(b9_from_input_reads_streams_with_a_bound)
{
	struct res r, f;

	mktmp();
	/* an endless stream is not read as empty */
	r = sh("timeout -s KILL 60 '%s' replay --from-input /dev/urandom", kw_bin());
	ck_assert_msg(r.rc == 2 && lines(r.err) == 1 && strstr(r.err, "longer than"), "/dev/urandom: %d\n%s%s", r.rc,
		      r.out, r.err);
	res_free(&r);
	/* a pipe is read whole: the same verdict as the file */
	spit("in", "\0\1\0\1\1\1\0\1\1\0\0\1", 12);
	f = sh("timeout -s KILL 60 '%s' replay --from-input in", kw_bin());
	r = sh("cat in | timeout -s KILL 60 '%s' replay --from-input /dev/stdin", kw_bin());
	ck_assert_msg(f.rc == r.rc && f.rc <= 1, "file %d, pipe %d", f.rc, r.rc);
	ck_assert_str_eq(f.out, r.out);
	res_free(&r);
	res_free(&f);
	/* random inputs: a verdict (0 or 1) every time, and a failure's replay fails again */
	{
		uint64_t rng = 99;

		for (int i = 0; i < 40; i++) {
			char in[80], path[600];
			size_t n = (size_t)(kw_rng_next(&rng) % sizeof(in));

			for (size_t k = 0; k < n; k++)
				in[k] = (char)kw_rng_next(&rng);
			spit("in", in, n);
			r = sh("rm -rf kweave-out; timeout -s KILL 60 '%s' replay --from-input in", kw_bin());
			ck_assert_msg(r.rc == 0 || r.rc == 1, "input %d: exit %d\n%s", i, r.rc, r.err);
			if (r.rc == 1) {
				replay_path(&r, path, sizeof(path));
				res_free(&r);
				r = sh("timeout -s KILL 60 '%s' replay '%s'", kw_bin(), path);
				ck_assert_msg(r.rc == 1, "input %d: its replay exits %d\n%s", i, r.rc, r.err);
			}
			res_free(&r);
		}
	}
	rmtmp();
}
END_TEST

/* ---- b10: reports name the scenario's site ---------------------------------------------------- */

START_TEST(b10_sites_are_the_scenarios)
{
	static const char *const which[][2] = {
		{ "fault/overflow-through-hooks", "stack-overflow" },
		{ "fault/too-many-threads", "engine-limit" },
		{ "selftest/overflow", "stack-overflow" },
		{ "selftest/abort", "crash" },
		{ "fault/huge-frame", "stack-overflow" },
	};
	struct res r;

	mktmp();
	for (size_t i = 0; i < sizeof(which) / sizeof(which[0]); i++) {
		const char *at;

		r = sh("timeout -s KILL 120 '%s' run %s --save s", st_bin(), which[i][0]);
		ck_assert_msg(r.rc == 1 && strstr(r.out, which[i][1]), "%s: %d\n%s%s", which[i][0], r.rc, r.out, r.err);
		at = strstr(r.out, "\n  at ");
		ck_assert_ptr_nonnull(at);
		ck_assert_msg(!strncmp(at, "\n  at tests/scenarios/", 22), "%s: reported at an engine site:%.80s",
			      which[i][0], at);
		res_free(&r);
	}
	expect_fault("fault/too-many-threads", "engine-limit", "many");
	rmtmp();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hardening");
	TCase *tc = tcase_create("hardening");

	tcase_set_timeout(tc, 900);
	tcase_add_test(tc, b1_loop_without_points_is_a_livelock_that_replays);
	tcase_add_test(tc, b1_watchdog_is_deterministic);
	tcase_add_test(tc, b1_sleep_goes_to_the_virtual_clock);
	tcase_add_test(tc, b1_blocking_call_is_stopped_by_the_backstop);
	tcase_add_test(tc, b1_other_threads_sleep_for_real);
	tcase_add_test(tc, b2_exit_in_a_thread_is_a_report);
	tcase_add_test(tc, b2_exit_hook_says_what_an_exit_means);
	tcase_add_test(tc, b3_crash_in_setup_or_check_is_a_report);
	tcase_add_test(tc, b4_kmalloc_sizes_are_checked);
	tcase_add_test(tc, b5_full_disk_is_an_error_and_leaves_no_file);
	tcase_add_test(tc, b5_unsaved_replay_is_exit_2_everywhere);
	tcase_add_test(tc, b5_kill_during_save_keeps_the_previous_replay);
	tcase_add_test(tc, b6_long_save_paths_are_refused_not_cut);
	tcase_add_test(tc, b7_every_accepted_edit_changes_the_trace);
	tcase_add_test(tc, b7_replay_holds_the_run_to_the_file);
	tcase_add_test(tc, b8_parser_accepts_only_the_writers_format);
	tcase_add_test(tc, b8_long_names_survive_the_round_trip);
	tcase_add_test(tc, replay_mutants_are_rejected_or_replay_their_verdict);
	tcase_add_test(tc, b9_usage_errors_are_one_line);
	tcase_add_test(tc, b9_output_errors_and_control_bytes);
	tcase_add_test(tc, b9_from_input_reads_streams_with_a_bound);
	tcase_add_test(tc, b10_sites_are_the_scenarios);
	suite_add_tcase(s, tc);
	return kwt_run_suite(s);
}
