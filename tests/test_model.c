// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_model: the weak model on the demos (a stale read found, named and replayed;
 * release/acquire verified), recognised waits, same-CPU program order for IRQs.
 */
#include "kwtest.h"

static struct kw_search_result dfs(const char *scenario, int model)
{
	struct kw_config cfg = kwt_cfg(scenario, model);

	return kwt_search(&cfg, KW_S_DFS, 0, 2);
}

START_TEST(mp_relaxed_stale_read_found_and_replayed)
{
	struct kw_config cfg = kwt_cfg("demo/mp-relaxed", KW_MODEL_WEAK);
	struct kw_search_result r = kwt_search(&cfg, KW_S_DFS, 0, 2);
	struct kw_sim *s = kw_sim_new();

	ck_assert(r.found);
	ck_assert_str_eq(r.rep.check, "assert");
	ck_assert_ptr_nonnull(strstr(r.rep.detail, "stale read"));
	ck_assert_int_eq(r.preemptions, 0); /* the stale read needs no preemption: only the model */
	ck_assert_int_eq(kw_replay_run(s, &cfg, r.dec, r.ndec, false), KW_RUN_FAIL);
	ck_assert_ptr_nonnull(strstr(s->rep.detail, "stale read"));
	kw_sim_free(s);
	kw_search_result_free(&r);
	r = dfs("demo/mp-relaxed", KW_MODEL_SC);
	ck_assert(!r.found && r.exhausted);
	kw_search_result_free(&r);
	r = dfs("demo/mp-relaxed", KW_MODEL_TSO);
	ck_assert(!r.found && r.exhausted);
	kw_search_result_free(&r);
	r = dfs("demo/mp-acqrel", KW_MODEL_WEAK);
	ck_assert(!r.found && r.exhausted);
	kw_search_result_free(&r);
}
END_TEST

START_TEST(recognised_waits_stay_finite)
{
	const char *ok[] = { "selftest/cpu-relax-wait", "selftest/cond-load-wait" };

	for (int m = 0; m < 3; m++)
		for (int i = 0; i < 2; i++) {
			struct kw_config cfg = kwt_cfg(ok[i], m);
			struct kwt_set o = { 0 };
			struct kw_dfs_stats st;

			kwt_dfs_outcomes(&cfg, 10, true, &o, &st);
			ck_assert(st.exhausted);
			if (i == 0 && m == KW_MODEL_WEAK) {
				/* READ_ONCE() in the loop is no acquire: under the weak model the waiter
				 * may leave the loop and still read a stale 0 */
				ck_assert_msg(o.n == 2 && kwt_set_has(&o, "ok|seen=0"), "%s", kwt_set_str(&o));
			} else {
				/* release/acquire (or a strong model): the waiter always sees a == 1 */
				ck_assert_msg(o.n == 1 && !strcmp(o.v[0], "ok|seen=1"), "%s model %d: %s", ok[i],
					      m, kwt_set_str(&o));
			}
			kwt_set_free(&o);
		}
	{
		struct kw_search_result r = dfs("selftest/cpu-relax-forever", KW_MODEL_WEAK);

		ck_assert(r.found);
		ck_assert_str_eq(r.rep.check, "hang");
		kw_search_result_free(&r);
	}
}
END_TEST

START_TEST(irq_same_cpu_program_order)
{
	for (int m = 0; m < 3; m++) {
		struct kw_config cfg = kwt_cfg("selftest/irq-program-order", m);
		struct kwt_set o = { 0 };

		kwt_dfs_outcomes(&cfg, 10, true, &o, NULL);
		/* never "assert|": the IRQ sees its CPU's earlier store; the task may or may not
		 * have read the IRQ's flag, depending on when the IRQ arrived */
		for (size_t i = 0; i < o.n; i++)
			ck_assert_msg(!strncmp(o.v[i], "ok|", 3), "model %d: %s", m, o.v[i]);
		ck_assert(kwt_set_has(&o, "ok|seen=1"));
		kwt_set_free(&o);
	}
}
END_TEST

START_TEST(cli_memory_model_contract)
{
	char *out;

	ck_assert_int_eq(kwt_cmd(&out, "run demo/mp-relaxed --model weak --strategy dfs --save /tmp/kwtest-mm"), 1);
	ck_assert_ptr_nonnull(strstr(out, "stale read"));
	free(out);
	ck_assert_int_eq(kwt_cmd(&out, "run demo/mp-relaxed --model sc --strategy dfs"), 0);
	free(out);
	ck_assert_int_eq(kwt_cmd(&out, "run demo/mp-acqrel --model weak --strategy dfs"), 0);
	free(out);
	ck_assert_int_eq(kwt_cmd(&out, "run demo/mp-relaxed --model alpha"), 2);
	free(out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("model");
	TCase *tc = tcase_create("model");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, mp_relaxed_stale_read_found_and_replayed);
	tcase_add_test(tc, recognised_waits_stay_finite);
	tcase_add_test(tc, irq_same_cpu_program_order);
	tcase_add_test(tc, cli_memory_model_contract);
	suite_add_tcase(s, tc);
	return kwt_run_suite(s);
}
