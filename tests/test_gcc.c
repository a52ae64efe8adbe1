// SPDX-License-Identifier: GPL-2.0-only
/* test_gcc: kweave's runtime answers gcc 12's ThreadSanitizer entry points too. */
#include "kwtest.h"

static struct kw_search_result dfs(const char *name, int model)
{
	struct kw_config cfg = kwt_cfg(name, model);

	return kwt_search(&cfg, KW_S_DFS, 0, 3);
}

START_TEST(gcc_instrumented_code)
{
	struct kw_search_result r = dfs("gcc/racy", KW_MODEL_WEAK);
	struct kwt_set o = { 0 };
	struct kw_config cfg = kwt_cfg("gcc/cmpxchg", KW_MODEL_WEAK);

	ck_assert(r.found);
	ck_assert_str_eq(r.rep.check, "data-race");
	ck_assert_ptr_nonnull(strstr(r.rep.msg, "tests/gcc/gcc_scen.c:"));
	kw_search_result_free(&r);
	kwt_dfs_outcomes(&cfg, 3, true, &o, NULL);
	ck_assert_msg(o.n == 2 && kwt_set_has(&o, "ok|p=1") && kwt_set_has(&o, "ok|p=2"), "%s", kwt_set_str(&o));
	kwt_set_free(&o);
	r = dfs("gcc/mp-acqrel", KW_MODEL_WEAK);
	ck_assert_msg(!r.found && r.exhausted, "%s: %s", r.rep.check, r.rep.msg);
	kw_search_result_free(&r);
	r = dfs("gcc/mp-relaxed", KW_MODEL_WEAK);
	ck_assert(r.found);
	ck_assert_str_eq(r.rep.check, "assert");
	kw_search_result_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gcc");
	TCase *tc = tcase_create("gcc");

	tcase_add_test(tc, gcc_instrumented_code);
	suite_add_tcase(s, tc);
	return kwt_run_suite(s);
}
