// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_engine2: Engine II - CPUs and IRQ context, the kernel's sleeping primitives, the
 * checkers, pct/pos/dfs (exact execution counts, and reduction that never loses an outcome),
 * and minimize.
 */
#include "kwtest.h"

static void expect_found(const char *scenario, int strategy, const char *check)
{
	struct kw_config cfg = kwt_cfg(scenario, KW_MODEL_SC);
	struct kw_search_result r = kwt_search(&cfg, strategy, 100000, 2);

	ck_assert_msg(r.found, "%s: not found by strategy %d (%llu runs)", scenario, strategy,
		      (unsigned long long)r.runs);
	if (check)
		ck_assert_msg(!strcmp(r.rep.check, check), "%s: check %s, want %s", scenario, r.rep.check, check);
	/* the failure replays */
	{
		struct kw_sim *s = kw_sim_new();

		ck_assert_int_eq(kw_replay_run(s, &cfg, r.dec, r.ndec, false), KW_RUN_FAIL);
		ck_assert_str_eq(s->rep.check, r.rep.check);
		kw_sim_free(s);
	}
	kw_search_result_free(&r);
}

static void expect_clean_dfs(const char *scenario, int bound)
{
	struct kw_config cfg = kwt_cfg(scenario, KW_MODEL_SC);
	struct kw_search_result r = kwt_search(&cfg, KW_S_DFS, 0, bound);

	ck_assert_msg(!r.found, "%s: %s: %s", scenario, r.rep.check, r.rep.msg);
	ck_assert_msg(r.exhausted, "%s: dfs did not finish", scenario);
	kw_search_result_free(&r);
}

static const char *demo_pairs[][2] = {
	{ "demo/abba", "deadlock" },
	{ "demo/lost-wakeup", "hang" },
	{ "demo/sleep-in-irq", "sleep-in-atomic" },
	{ "demo/inversion", "lock-inversion" },
};

START_TEST(buggy_demos_found_by_pct_pos_dfs_fixed_twins_clean)
{
	for (size_t i = 0; i < 4; i++) {
		char fixed[64];

		expect_found(demo_pairs[i][0], KW_S_PCT, demo_pairs[i][1]);
		expect_found(demo_pairs[i][0], KW_S_POS, demo_pairs[i][1]);
		expect_found(demo_pairs[i][0], KW_S_DFS, demo_pairs[i][1]);
		snprintf(fixed, sizeof(fixed), "%s-fixed", demo_pairs[i][0]);
		expect_clean_dfs(fixed, 2);
		expect_clean_dfs(fixed, 4);
	}
}
END_TEST

START_TEST(dfs_counts_are_exact)
{
	struct kw_dfs_stats st;
	struct kwt_set o = { 0 };
	struct kw_config cfg = kwt_cfg("demo/interleave-2x2", KW_MODEL_SC);

	kwt_dfs_outcomes(&cfg, 10, true, &o, &st);
	ck_assert_int_eq(st.explored, 6);
	/* final values: the last store is x=2 or x=4 */
	ck_assert_int_eq(o.n, 2);
	kwt_set_free(&o);
	kwt_dfs_outcomes(&cfg, 10, false, &o, &st);
	ck_assert_int_eq(st.explored, 6);
	kwt_set_free(&o);
	cfg = kwt_cfg("demo/independent-2x2", KW_MODEL_SC);
	kwt_dfs_outcomes(&cfg, 10, true, &o, &st);
	ck_assert_int_eq(st.explored, 1);
	ck_assert_int_ge(st.pruned, 1);
	kwt_set_free(&o);
	kwt_dfs_outcomes(&cfg, 10, false, &o, &st);
	ck_assert_int_eq(st.explored, 6);
	kwt_set_free(&o);
	/* bound 0: only the two non-preemptive orders */
	cfg = kwt_cfg("demo/interleave-2x2", KW_MODEL_SC);
	kwt_dfs_outcomes(&cfg, 0, false, &o, &st);
	ck_assert_int_eq(st.explored, 2);
	kwt_set_free(&o);
}
END_TEST

/* Sleep sets must never lose an outcome, at any bound (Coons et al. 2013). */
START_TEST(reduction_reaches_the_same_outcomes)
{
	size_t n = kw_scenario_count(), checked = 0;

	for (size_t i = 0; i < n; i++) {
		const struct kw_scenario *sc = kw_scenario_at(i);

		if (strncmp(sc->name, "demo/", 5) && strncmp(sc->name, "selftest/", 9))
			continue;
		if (!strcmp(sc->name, "selftest/livelock") || !strcmp(sc->name, "selftest/overflow"))
			continue;
		for (int b = 0; b <= 3; b++)
		for (int m = 0; m < 3; m++) {
			struct kw_config cfg = kwt_cfg(sc->name, m);
			struct kwt_set red = { 0 }, full = { 0 };

			kwt_dfs_outcomes(&cfg, b, true, &red, NULL);
			kwt_dfs_outcomes(&cfg, b, false, &full, NULL);
			if (!kwt_set_eq(&red, &full)) {
				char *a = kwt_set_str(&red), *c = kwt_set_str(&full);

				ck_abort_msg("%s at bound %d, model %d: reduced %s, full %s", sc->name, b, m, a, c);
			}
			kwt_set_free(&red);
			kwt_set_free(&full);
		}
		checked++;
	}
	ck_assert_int_ge(checked, 20);
}
END_TEST

/* The shape that makes plain sleep sets unsound under a bound: both outcomes at bound 0. */
START_TEST(bounded_sleep_sets_keep_every_outcome)
{
	for (int m = 0; m < 3; m++) {
		struct kw_config cfg = kwt_cfg("selftest/bounded-sleep-sets", m);
		struct kwt_set red = { 0 };
		struct kw_dfs_stats st;

		kwt_dfs_outcomes(&cfg, 0, true, &red, &st);
		ck_assert_msg(kwt_set_has(&red, "ok|r1=0") && kwt_set_has(&red, "ok|r1=1"), "model %d: %s", m,
			      kwt_set_str(&red));
		ck_assert_int_eq(st.phase, 2); /* the bound cut a branch: bound-aware sleep sets ran */
		kwt_set_free(&red);
	}
}
END_TEST

START_TEST(minimize_keeps_the_check_and_never_grows)
{
	struct kw_config cfg = kwt_cfg("demo/abba", KW_MODEL_SC);
	struct kw_search_result r = kwt_search(&cfg, KW_S_RANDOM, 10000, 0);
	struct kw_min_opts mo = { .greedy_runs = 2000, .dfs_runs = 100000 };
	struct kw_min_result m;
	struct kw_sim *s = kw_sim_new();

	ck_assert(r.found);
	ck_assert_int_eq(kw_minimize(&cfg, r.dec, r.ndec, &mo, &m), 0);
	ck_assert_int_le(m.pre_after, m.pre_before);
	ck_assert_int_eq(m.pre_after, 1); /* abba needs exactly one preemption */
	ck_assert(m.minimal);
	ck_assert_int_eq(kw_replay_run(s, &cfg, m.dec, m.ndec_after, false), KW_RUN_FAIL);
	ck_assert_str_eq(s->rep.check, "deadlock");
	ck_assert_int_eq(s->preemptions, m.pre_after);
	free(m.dec);
	kw_sim_free(s);
	kw_search_result_free(&r);
}
END_TEST

START_TEST(cpus_and_irqs)
{
	expect_clean_dfs("selftest/irq-mask", 4);
	expect_clean_dfs("selftest/irq-runs-to-completion", 4);
	expect_found("selftest/irq-other-cpu", KW_S_DFS, "assert");
	expect_clean_dfs("selftest/spin-keeps-cpu", 4);
}
END_TEST

START_TEST(lock_checkers)
{
	expect_found("selftest/non-owner-unlock", KW_S_DFS, "non-owner-unlock");
	expect_clean_dfs("selftest/handoff", 3);
	expect_found("selftest/syscall-return-held", KW_S_DFS, "lock-held-at-syscall-return");
	expect_found("selftest/exit-held", KW_S_DFS, "lock-held-at-exit");
	expect_found("selftest/sleep-under-spinlock", KW_S_DFS, "sleep-in-atomic");
	expect_clean_dfs("selftest/rwsem", 3);
	expect_clean_dfs("selftest/spawn-join", 3);
}
END_TEST

START_TEST(time_livelock_progress)
{
	expect_clean_dfs("selftest/timeout", 2);
	expect_found("selftest/livelock", KW_S_RANDOM, "livelock");
	expect_found("selftest/progress", KW_S_RANDOM, "progress");
}
END_TEST

START_TEST(cli_dfs_prints_counts_and_minimize_works)
{
	char *out, path[512];

	ck_assert_int_eq(kwt_cmd(&out, "run demo/independent-2x2 --strategy dfs --preemptions 10"), 0);
	ck_assert_ptr_nonnull(strstr(out, "1 executions explored"));
	free(out);
	ck_assert_int_eq(kwt_cmd(&out, "run demo/independent-2x2 --strategy dfs --preemptions 10 --no-reduction"), 0);
	ck_assert_ptr_nonnull(strstr(out, "6 executions explored"));
	free(out);
	ck_assert_int_eq(kwt_cmd(&out, "run demo/abba --strategy pct --seed 3 --save /tmp/kwtest-min"), 1);
	sscanf(strstr(out, "replay: "), "replay: %511s", path);
	free(out);
	ck_assert_int_eq(kwt_cmd(&out, "minimize %s", path), 1);
	ck_assert_ptr_nonnull(strstr(out, "after"));
	sscanf(strstr(out, "replay: "), "replay: %511s", path);
	free(out);
	ck_assert_int_eq(kwt_cmd(&out, "replay %s", path), 1);
	ck_assert_ptr_nonnull(strstr(out, "FAIL deadlock"));
	free(out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("engine2");
	TCase *tc = tcase_create("engine2");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, buggy_demos_found_by_pct_pos_dfs_fixed_twins_clean);
	tcase_add_test(tc, dfs_counts_are_exact);
	tcase_add_test(tc, reduction_reaches_the_same_outcomes);
	tcase_add_test(tc, bounded_sleep_sets_keep_every_outcome);
	tcase_add_test(tc, minimize_keeps_the_check_and_never_grows);
	tcase_add_test(tc, cpus_and_irqs);
	tcase_add_test(tc, lock_checkers);
	tcase_add_test(tc, time_livelock_progress);
	tcase_add_test(tc, cli_dfs_prints_counts_and_minimize_works);
	suite_add_tcase(s, tc);
	return kwt_run_suite(s);
}
