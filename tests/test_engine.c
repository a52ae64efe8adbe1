// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_engine: Engine I - fibers, the scheduler, the decision stream, replay files, the
 * kweave command's contract (exit codes, one-line errors, byte-identical replays).
 */
#include "kwtest.h"

#include <stdio.h>
#include <unistd.h>

/* ---- fibers ---- */
static struct kw_fiber fm, ff;
static int fiber_count;

static void fiber_body(void)
{
	for (;;) {
		fiber_count++;
		kw_fiber_switch(&ff, &fm);
	}
}

START_TEST(fiber_switches_and_returns)
{
	kw_fiber_main_init(&fm);
	ck_assert_int_eq(kw_fiber_alloc(&ff, 64 * 1024), 0);
	kw_fiber_prepare(&ff, fiber_body);
	for (int i = 0; i < 1000; i++)
		kw_fiber_switch(&fm, &ff);
	ck_assert_int_eq(fiber_count, 1000);
	ck_assert(kw_fiber_guard_hit(&ff, (uintptr_t)ff.map));
	ck_assert(!kw_fiber_guard_hit(&ff, (uintptr_t)ff.map + ff.maplen - 1));
	kw_fiber_release(&ff);
}
END_TEST

/* ---- finding, saving and replaying ---- */
START_TEST(lost_update_found_and_replayed_exactly)
{
	struct kw_config cfg = kwt_cfg("demo/lost-update", KW_MODEL_SC);
	struct kw_search_result r = kwt_search(&cfg, KW_S_RANDOM, 1000, 0);
	struct kw_sim *s = kw_sim_new();
	char *t1, *t2;
	size_t n1, n2;
	FILE *f;

	ck_assert(r.found);
	ck_assert_str_eq(r.rep.check, "final-check");
	ck_assert_int_ge(r.preemptions, 1);
	/* the same decisions give the same trace, twice */
	f = open_memstream(&t1, &n1);
	ck_assert_int_eq(kw_replay_run(s, &cfg, r.dec, r.ndec, true), KW_RUN_FAIL);
	kw_trace_print(s, f);
	fclose(f);
	f = open_memstream(&t2, &n2);
	ck_assert_int_eq(kw_replay_run(s, &cfg, r.dec, r.ndec, true), KW_RUN_FAIL);
	kw_trace_print(s, f);
	fclose(f);
	ck_assert_str_eq(t1, t2);
	ck_assert_ptr_nonnull(strstr(t1, "core/demo/lost_update.c:"));
	ck_assert_ptr_null(strstr(t1, "0x"));
	free(t1);
	free(t2);
	kw_sim_free(s);
	kw_search_result_free(&r);
}
END_TEST

START_TEST(fixed_twin_is_clean)
{
	struct kw_config cfg = kwt_cfg("demo/lost-update-fixed", KW_MODEL_SC);
	struct kw_search_result r = kwt_search(&cfg, KW_S_RANDOM, 20000, 0);

	ck_assert(!r.found && !r.error);
	ck_assert_int_eq(r.runs, 20000);
	kw_search_result_free(&r);
}
END_TEST

START_TEST(bytes_past_the_end_is_non_preemptive)
{
	struct kw_config cfg = kwt_cfg("demo/lost-update", KW_MODEL_SC);
	struct kw_sim *s = kw_sim_new();
	uint8_t one[1] = { 1 };
	struct kw_strategy *b = kw_strategy_bytes(NULL, 0);

	/* no input: each thread runs to its end: no lost update */
	ck_assert_int_eq(kw_sim_run(s, &cfg, b, false), KW_RUN_OK);
	ck_assert_int_eq(s->preemptions, 0);
	kw_strategy_destroy(b);
	/* one byte: T1 first, then the fixed rule */
	b = kw_strategy_bytes(one, 1);
	ck_assert_int_eq(kw_sim_run(s, &cfg, b, false), KW_RUN_OK);
	ck_assert_int_eq(s->dec[0].v, 1);
	ck_assert_int_eq(s->dec[1].v, 0);
	kw_strategy_destroy(b);
	kw_sim_free(s);
}
END_TEST

/* ---- replay files ---- */
#define KWT_HEAD "kweave-replay 2\nscenario demo/lost-update\n"
#define KWT_CFG "model sc\nraces on\nplain-points off\ncpus 0\nmax-steps 0\nfound-by test\ncheck final-check\n"
static const char *good_replay = "# comment\n" KWT_HEAD KWT_CFG "decisions 3\n1/2 1/2 0/2\nend\n";

START_TEST(replay_parser_accepts_its_format_and_rejects_the_rest)
{
	struct kw_replay r;
	char err[300];
	char *buf;
	size_t n;
	FILE *f;
	static const char *bad[] = {
		"",
		"kweave-replay 3\nscenario x\n" KWT_CFG "decisions 0\nend\n",
		"kweave-replay 1\nscenario demo/lost-update\ndecisions 0\nend\n",
		KWT_HEAD KWT_CFG "decisions 2\n1/2\nend\n",
		KWT_HEAD KWT_CFG "decisions 1\n2/2\nend\n",
		KWT_HEAD KWT_CFG "decisions 1\n1/2\n",
		KWT_HEAD "bogus 1\n" KWT_CFG "decisions 0\nend\n",
		"kweave-replay 2\n" KWT_CFG "decisions 0\nend\n",
		KWT_HEAD KWT_CFG "decisions 1\n1-2\nend\n",
		KWT_HEAD "model alpha\nraces on\nplain-points off\ncpus 0\nmax-steps 0\nfound-by t\ncheck none\n"
		"decisions 0\nend\n",
		KWT_HEAD KWT_CFG "decisions 0\nend\nmore\n",
	};
	ck_assert_int_eq(kw_replay_parse(good_replay, strlen(good_replay), &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.ndec, 3);
	ck_assert_int_eq(r.model, KW_MODEL_SC);
	/* what the writer writes, the parser reads back */
	f = open_memstream(&buf, &n);
	kw_replay_write(f, &r);
	fclose(f);
	{
		struct kw_replay r2;

		ck_assert_int_eq(kw_replay_parse(buf, n, &r2, err, sizeof(err)), 0);
		ck_assert_int_eq(r2.ndec, 3);
		ck_assert_int_eq(memcmp(r2.dec, r.dec, 3 * sizeof(*r.dec)), 0);
		kw_replay_clear(&r2);
	}
	free(buf);
	kw_replay_clear(&r);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(kw_replay_parse(bad[i], strlen(bad[i]), &r, err, sizeof(err)) != 0, "accepted bad #%zu", i);
		ck_assert_msg(strchr(err, '\n') == NULL, "multi-line error");
		kw_replay_clear(&r);
	}
}
END_TEST

START_TEST(editing_a_decision_changes_the_trace_or_is_rejected)
{
	struct kw_config cfg = kwt_cfg("demo/interleave-2x2", KW_MODEL_SC);
	struct kw_decision d[8];
	struct kw_sim *s = kw_sim_new();
	char *t0;
	size_t n0;
	FILE *f;
	int st;

	/* record the non-preemptive run with the trace */
	f = open_memstream(&t0, &n0);
	{
		struct kw_strategy *b = kw_strategy_bytes(NULL, 0);

		ck_assert_int_eq(kw_sim_run(s, &cfg, b, true), KW_RUN_OK);
		kw_strategy_destroy(b);
	}
	kw_trace_print(s, f);
	fclose(f);
	ck_assert_int_le(s->ndec, 8);
	memcpy(d, s->dec, s->ndec * sizeof(*d));
	for (size_t i = 0; i < s->ndec; i++) {
		size_t nd = s->ndec;
		struct kw_decision e[8];

		memcpy(e, d, nd * sizeof(*e));
		e[i].v = (uint16_t)((e[i].v + 1) % e[i].n);
		st = kw_replay_run(s, &cfg, e, nd, true);
		if (st == KW_RUN_ERROR) {
			ck_assert_ptr_nonnull(strstr(s->err, "diverges"));
		} else {
			char *t1;
			size_t n1;

			f = open_memstream(&t1, &n1);
			kw_trace_print(s, f);
			fclose(f);
			ck_assert_msg(strcmp(t0, t1) != 0, "edit of decision %zu left the trace unchanged", i);
			free(t1);
		}
		kw_replay_run(s, &cfg, d, nd, false); /* restore s->ndec for the loop */
	}
	free(t0);
	kw_sim_free(s);
}
END_TEST

/* ---- the command line ---- */
START_TEST(cli_run_replay_byte_identical_in_two_processes)
{
	char dir[] = "/tmp/kwtest-XXXXXX", *out, *r1, *r2, *tr, path[512];
	int rc;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	rc = kwt_cmd(&out, "run demo/lost-update --strategy random --seed 1 --save %s --trace", dir);
	ck_assert_int_eq(rc, 1);
	{
		char *p = strstr(out, "replay: ");

		ck_assert_ptr_nonnull(p);
		sscanf(p, "replay: %511s", path);
	}
	ck_assert_int_eq(kwt_cmd(&r1, "replay %s", path), 1);
	ck_assert_int_eq(kwt_cmd(&r2, "replay %s", path), 1);
	ck_assert_str_eq(r1, r2);
	/* run --trace printed the same block replay prints */
	tr = strstr(out, "demo/lost-update: model");
	ck_assert_ptr_nonnull(tr);
	ck_assert_int_eq(strncmp(tr, r1, strlen(r1)), 0);
	free(out);
	free(r1);
	free(r2);
	{
		char rm[600];

		snprintf(rm, sizeof(rm), "rm -rf '%s'", dir);
		ck_assert_int_eq(system(rm), 0);
	}
}
END_TEST

START_TEST(cli_bad_input_is_one_line_and_exit_2)
{
	char *out;
	FILE *f = fopen("/tmp/kwtest-garbage", "wb");

	for (int i = 0; i < 300; i++)
		fputc((i * 7919) & 0xff, f);
	fclose(f);
	ck_assert_int_eq(kwt_cmd(&out, "replay /tmp/kwtest-garbage"), 2);
	ck_assert_int_le(strlen(out) - (strchr(out, '\n') ? 1 : 0), strcspn(out, "\n"));
	free(out);
	ck_assert_int_eq(kwt_cmd(&out, "run no/such-scenario"), 2);
	ck_assert_ptr_nonnull(strstr(out, "unknown scenario"));
	free(out);
	ck_assert_int_eq(kwt_cmd(&out, "run demo/lost-update --bogus"), 2);
	free(out);
	ck_assert_int_eq(kwt_cmd(&out, "run demo/lost-update --runs many"), 2);
	free(out);
	ck_assert_int_eq(kwt_cmd(&out, "replay /nonexistent/file"), 2);
	free(out);
	ck_assert_int_eq(kwt_cmd(&out, "frobnicate"), 2);
	free(out);
	ck_assert_int_eq(kwt_cmd(&out, "run demo/lost-update-fixed --runs 2000"), 0);
	free(out);
	ck_assert_int_eq(kwt_cmd(&out, "list"), 0);
	ck_assert_ptr_nonnull(strstr(out, "\ndemo/lost-update "));
	free(out);
}
END_TEST

/* ---- crashes become reports, and replay ---- */
static void expect_check(const char *scenario, const char *check)
{
	struct kw_config cfg = kwt_cfg(scenario, KW_MODEL_SC);
	struct kw_search_result r = kwt_search(&cfg, KW_S_RANDOM, 100, 0);
	struct kw_sim *s;

	ck_assert_msg(r.found, "%s: no failure", scenario);
	ck_assert_str_eq(r.rep.check, check);
	s = kw_sim_new();
	ck_assert_int_eq(kw_replay_run(s, &cfg, r.dec, r.ndec, false), KW_RUN_FAIL);
	ck_assert_str_eq(s->rep.check, check);
	kw_sim_free(s);
	kw_search_result_free(&r);
}

START_TEST(signals_in_fibers_become_reports)
{
	expect_check("selftest/overflow", "stack-overflow");
	expect_check("selftest/segv", "crash");
	expect_check("selftest/abort", "crash");
	/* and the simulation goes on afterwards */
	expect_check("demo/lost-update", "final-check");
}
END_TEST

START_TEST(cli_crash_is_a_report_and_exit_1)
{
	char *out;

	ck_assert_int_eq(kwt_cmd(&out, "run demo/lost-update --save /tmp/kwtest-cli --runs 5"), 1);
	free(out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("engine");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, fiber_switches_and_returns);
	tcase_add_test(tc, lost_update_found_and_replayed_exactly);
	tcase_add_test(tc, fixed_twin_is_clean);
	tcase_add_test(tc, bytes_past_the_end_is_non_preemptive);
	tcase_add_test(tc, replay_parser_accepts_its_format_and_rejects_the_rest);
	tcase_add_test(tc, editing_a_decision_changes_the_trace_or_is_rejected);
	tcase_add_test(tc, cli_run_replay_byte_identical_in_two_processes);
	tcase_add_test(tc, cli_bad_input_is_one_line_and_exit_2);
	tcase_add_test(tc, signals_in_fibers_become_reports);
	tcase_add_test(tc, cli_crash_is_a_report_and_exit_1);
	suite_add_tcase(s, tc);
	return kwt_run_suite(s);
}
