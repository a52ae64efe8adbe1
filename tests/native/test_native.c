// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_native (native preset): the scenarios run on real threads - the stress-test baseline
 * a kernel developer would otherwise write.
 */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "native.h"

static pthread_t seen[2];
static int arrived;

/* Two threads that can only both finish if they run at the same time. */
static void meet(void *arg)
{
	long me = (long)arg;

	seen[me] = pthread_self();
	__atomic_fetch_add(&arrived, 1, __ATOMIC_SEQ_CST);
	for (long spins = 0; __atomic_load_n(&arrived, __ATOMIC_SEQ_CST) < 2 && spins < 200000000; spins++)
		kw_yield();
}

static void reset(void)
{
	arrived = 0;
}

static void check(void)
{
	kw_check(arrived == 2, "the threads never overlapped");
}

KW_SCENARIO(native_meet, .name = "native/meet", .setup = reset, .check = check,
	    .threads = { { "a", meet, (void *)0L }, { "b", meet, (void *)1L } })

static int run(const char *name, int n)
{
	const struct kw_scenario *sc = kw_scenario_find(name);
	long params[KW_MAX_PARAMS] = { 0 };
	char f[512], o[256];
	int fails = 0;

	ck_assert_msg(sc != NULL, "no scenario %s", name);
	for (int i = 0; i < KW_MAX_PARAMS && sc->params[i].name; i++)
		params[i] = sc->params[i].def;
	for (int i = 0; i < n; i++)
		fails += kn_run_once(sc, params, f, sizeof(f), o, sizeof(o));
	return fails;
}

START_TEST(scenarios_run_on_real_threads)
{
	ck_assert_int_eq(run("native/meet", 20), 0);
	ck_assert(!pthread_equal(seen[0], seen[1]));
	ck_assert(!pthread_equal(seen[0], pthread_self()));
	/* the demos run as stress tests; the fixed ones never fail */
	run("demo/racy-counter", 200);
	ck_assert_int_eq(run("demo/racy-counter-fixed", 200), 0);
	ck_assert_int_eq(run("demo/lost-update-fixed", 200), 0);
	ck_assert_int_eq(run("demo/mp-acqrel", 200), 0);
	ck_assert_int_eq(run("demo/plain-precheck-fixed", 200), 0);
	ck_assert_int_eq(run("demo/sleep-in-irq-fixed", 100), 0);
	ck_assert_int_eq(run("demo/lost-wakeup-fixed", 100), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("native");
	TCase *tc = tcase_create("native");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, scenarios_run_on_real_threads);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
