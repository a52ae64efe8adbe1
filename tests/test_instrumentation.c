// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_instrumentation: plain accesses seen without annotations, the race detector (both
 * sites, data_race()), the simulated allocator (use after free, double free, out of bounds,
 * leaks), the kernel-style headers (GFP, per-CPU, cmpxchg), and the demos.
 */
#include "kwtest.h"

static struct kw_search_result run(const char *scenario, int strategy, long runs, int model)
{
	struct kw_config cfg = kwt_cfg(scenario, model);

	return kwt_search(&cfg, strategy, runs, 2);
}

static void expect(const char *scenario, int strategy, long runs, const char *check)
{
	struct kw_search_result r = run(scenario, strategy, runs, KW_MODEL_WEAK);

	if (check) {
		ck_assert_msg(r.found, "%s: no failure", scenario);
		ck_assert_msg(!strcmp(r.rep.check, check), "%s: %s (%s), want %s", scenario, r.rep.check, r.rep.msg,
			      check);
	} else {
		ck_assert_msg(!r.found, "%s: %s: %s", scenario, r.rep.check, r.rep.msg);
		if (strategy == KW_S_DFS)
			ck_assert_msg(r.exhausted, "%s: dfs did not finish", scenario);
	}
	kw_search_result_free(&r);
}

START_TEST(racy_counter_on_the_first_run)
{
	struct kw_search_result r = run("demo/racy-counter", KW_S_RANDOM, 1, KW_MODEL_WEAK);

	ck_assert(r.found);
	ck_assert_int_eq(r.runs, 1);
	ck_assert_str_eq(r.rep.check, "data-race");
	ck_assert_ptr_nonnull(strstr(r.rep.msg, "racy_counter.c:"));
	ck_assert_ptr_nonnull(strstr(r.rep.detail, "racy_counter.c:"));
	kw_search_result_free(&r);
	expect("demo/racy-counter-fixed", KW_S_DFS, 0, NULL);
}
END_TEST

START_TEST(plain_precheck_names_both_lines)
{
	struct kw_search_result r = run("demo/plain-precheck", KW_S_PCT, 1000, KW_MODEL_WEAK);
	const char *a, *b;

	ck_assert(r.found);
	ck_assert_str_eq(r.rep.check, "data-race");
	/* the plain pre-check (a read) and the cmpxchg (a marked read-modify-write) */
	a = strstr(r.rep.msg, "plain_precheck.c:");
	b = strstr(r.rep.detail, "plain_precheck.c:");
	ck_assert(a && b);
	ck_assert_msg(strncmp(a, b, 21) != 0, "both sites are the same line");
	ck_assert_ptr_nonnull(strstr(r.rep.msg, "read-modify-write") ? r.rep.msg : strstr(r.rep.detail, "read-modify-write"));
	ck_assert_ptr_nonnull(strstr(r.rep.msg, "plain read") ? r.rep.msg : strstr(r.rep.detail, "plain read"));
	kw_search_result_free(&r);
	expect("demo/plain-precheck-fixed", KW_S_DFS, 0, NULL);
}
END_TEST

START_TEST(annotations_and_plain_accesses)
{
	expect("selftest/data-race-annotated", KW_S_DFS, 0, NULL);
	expect("selftest/plain-race", KW_S_RANDOM, 1, "data-race");
	expect("selftest/memcpy-race", KW_S_RANDOM, 1, "data-race");
}
END_TEST

START_TEST(allocator)
{
	expect("demo/use-after-free", KW_S_DFS, 0, "use-after-free");
	expect("demo/use-after-free-fixed", KW_S_DFS, 0, NULL);
	expect("demo/leak", KW_S_DFS, 0, "leak");
	expect("demo/leak-fixed", KW_S_DFS, 0, NULL);
	expect("selftest/memset-after-free", KW_S_RANDOM, 1, "use-after-free");
	expect("selftest/double-free", KW_S_RANDOM, 1, "double-free");
	expect("selftest/out-of-bounds", KW_S_RANDOM, 1, "out-of-bounds");
}
END_TEST

START_TEST(use_after_free_report_names_sites)
{
	struct kw_search_result r = run("demo/use-after-free", KW_S_DFS, 0, KW_MODEL_WEAK);

	ck_assert(r.found);
	ck_assert_ptr_nonnull(strstr(r.rep.detail, "allocated at"));
	ck_assert_ptr_nonnull(strstr(r.rep.detail, "freed at core/demo/memory_errors.c:"));
	kw_search_result_free(&r);
}
END_TEST

START_TEST(kernel_headers)
{
	expect("selftest/gfp-kernel-in-irq", KW_S_RANDOM, 1, "sleep-in-atomic");
	expect("selftest/gfp-atomic-in-irq", KW_S_DFS, 0, NULL);
	expect("selftest/percpu-irq-racy", KW_S_DFS, 0, "final-check");
	expect("selftest/percpu-irq-fixed", KW_S_DFS, 0, NULL);
}
END_TEST

/* --plain-points: a plain n++ is a load and a store with a scheduling point between */
START_TEST(plain_points_split_plain_accesses)
{
	struct kw_config cfg = kwt_cfg("demo/racy-counter", KW_MODEL_SC);
	struct kw_search_result r;

	cfg.races = false;
	r = kwt_search(&cfg, KW_S_DFS, 0, 2);
	ck_assert_msg(!r.found, "without plain points n++ cannot be interleaved");
	kw_search_result_free(&r);
	cfg.plain_points = true;
	r = kwt_search(&cfg, KW_S_DFS, 0, 2);
	ck_assert(r.found);
	ck_assert_str_eq(r.rep.check, "final-check");
	kw_search_result_free(&r);
}
END_TEST

START_TEST(cli_plain_precheck)
{
	char *out;

	ck_assert_int_eq(kwt_cmd(&out, "run demo/plain-precheck --strategy pct --seed 1 --save /tmp/kwtest-pp"), 1);
	ck_assert_ptr_nonnull(strstr(out, "data race on p"));
	free(out);
	ck_assert_int_eq(kwt_cmd(&out, "run demo/plain-precheck --strategy pct --seed 1 --no-races --save /tmp/kwtest-pp"), 0);
	free(out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("instrumentation");
	TCase *tc = tcase_create("instrumentation");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, racy_counter_on_the_first_run);
	tcase_add_test(tc, plain_precheck_names_both_lines);
	tcase_add_test(tc, annotations_and_plain_accesses);
	tcase_add_test(tc, allocator);
	tcase_add_test(tc, use_after_free_report_names_sites);
	tcase_add_test(tc, kernel_headers);
	tcase_add_test(tc, plain_points_split_plain_accesses);
	tcase_add_test(tc, cli_plain_precheck);
	suite_add_tcase(s, tc);
	return kwt_run_suite(s);
}
