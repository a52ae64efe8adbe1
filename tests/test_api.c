// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_api: the kernel API families of <kweave/kernel.h> - the values each operation
 * returns, the orderings the weak model gives them, the checks they fail, RCU's grace-period
 * guarantee (the kernel's RCU litmus shapes), softirq and preemption contexts, timeouts and
 * signals, lists, the workqueue API - plus the two detector gaps of the issue (a kfree() is a
 * write; spinning readers yield) and the `kweave verify api` table.
 */
#include "kwtest.h"

/* dfs (bound 2, reduction) over the weak model (or model m) finds check, or nothing. */
static void expect_m(const char *scenario, int model, const char *check)
{
	struct kw_config cfg = kwt_cfg(scenario, model);
	struct kw_search_result r;

	/* as verify does: a bug other than a race is searched for with races silenced */
	if (check && strcmp(check, "data-race"))
		cfg.races = false;
	r = kwt_search(&cfg, KW_S_DFS, 0, 2);
	if (check) {
		ck_assert_msg(r.found, "%s (model %d): no failure, want %s", scenario, model, check);
		ck_assert_msg(!strcmp(r.rep.check, check), "%s: %s (%s), want %s", scenario, r.rep.check, r.rep.msg,
			      check);
	} else {
		ck_assert_msg(!r.found, "%s (model %d): %s: %s", scenario, model, r.rep.check, r.rep.msg);
		ck_assert_msg(r.exhausted, "%s: dfs did not finish", scenario);
	}
	kw_search_result_free(&r);
}

static void expect(const char *scenario, const char *check)
{
	expect_m(scenario, KW_MODEL_WEAK, check);
}

/* Every outcome dfs reaches ("check|outcome"), weak model, bound b. */
static struct kwt_set outcomes(const char *scenario, int bound)
{
	struct kw_config cfg = kwt_cfg(scenario, KW_MODEL_WEAK);
	struct kwt_set o = { 0 };

	kwt_dfs_outcomes(&cfg, bound, true, &o, NULL);
	return o;
}

static void assert_outcome(const struct kwt_set *o, const char *x, bool want, const char *scenario)
{
	char *all = kwt_set_str(o);

	ck_assert_msg(kwt_set_has(o, x) == want, "%s: outcome '%s' %s; outcomes %s", scenario, x,
		      want ? "never reached" : "reached", all);
	free(all);
}

START_TEST(atomics_values_and_orderings)
{
	expect("apitest/atomic-values", NULL);
	/* void and _relaxed RMWs do not order a publication; under sc nothing is stale */
	expect("api/atomic-void-rmw-publish", "assert");
	expect_m("api/atomic-void-rmw-publish", KW_MODEL_SC, NULL);
	expect("api/atomic-return-relaxed-publish", "assert");
	expect("api/atomic-dec-return-relaxed-last", "assert");
	/* smp_mb__before_atomic(), _release/_acquire forms, fully ordered dec_and_test do */
	expect("api/atomic-mb-before-atomic", NULL);
	expect("api/atomic-fetch-add-release", NULL);
	expect("api/atomic-dec-and-test-last", NULL);
}
END_TEST

START_TEST(bitops_values_and_orderings)
{
	expect("apitest/bitops-values", NULL);
	expect("api/bitops-clear-bit-as-unlock", "final-check");
	expect_m("api/bitops-clear-bit-as-unlock", KW_MODEL_SC, NULL);
	expect("api/bitops-bit-lock", NULL);
	/* wake_up_bit() reads the waiter count with no barrier: only the weak model loses it */
	expect("api/bitops-wake-up-bit-no-barrier", "hang");
	expect_m("api/bitops-wake-up-bit-no-barrier", KW_MODEL_SC, NULL);
	expect("api/bitops-clear-and-wake-up-bit", NULL);
}
END_TEST

START_TEST(refcount_checks)
{
	expect("apitest/refcount-values", NULL);
	expect("apitest/refcount-last-put", NULL);
	expect("apitest/kref-values", NULL);
	expect("apitest/refcount-inc-zero", "refcount-addition-on-0");
	expect("apitest/refcount-underflow", "refcount-underflow");
	expect("apitest/refcount-hit-zero", "refcount-decrement-hit-0");
	expect("apitest/refcount-saturate", "refcount-saturated");
	expect("apitest/refcount-not-zero-saturate", "refcount-saturated");
	expect("api/refcount-inc-from-zero", "refcount-addition-on-0");
	expect("api/refcount-double-put", "refcount-underflow");
	expect("api/refcount-dec-and-lock", NULL);
	expect("api/refcount-kref-claim-once", NULL);
	expect("api/refcount-percpu-ref", NULL);
}
END_TEST

START_TEST(seqcount_barriers)
{
	expect("api/seqcount-missing-rmb", "assert");
	expect_m("api/seqcount-missing-rmb", KW_MODEL_SC, NULL);
	expect("api/seqcount-read-retry", NULL);
	expect("api/seqcount-seqlock", NULL); /* plain data, races on: the read section is exempt */
	expect("api/seqcount-latch", NULL);
	expect("apitest/seqcount-writer-unlocked", "lockdep_assert_held");
	expect("apitest/seqcount-writer-locked", NULL);
}
END_TEST

/* The kernel's RCU litmus tests (tools/memory-model/litmus-tests), both "Result: Never". */
START_TEST(rcu_grace_period_guarantee)
{
	struct kwt_set o = outcomes("apitest/rcu-sync-read", 3);

	/* RCU+sync+read: the updater that saw the reader's first store sees its second */
	assert_outcome(&o, "ok|r0=1 r1=0", false, "apitest/rcu-sync-read");
	assert_outcome(&o, "ok|r0=1 r1=1", true, "apitest/rcu-sync-read");
	assert_outcome(&o, "ok|r0=0 r1=0", true, "apitest/rcu-sync-read");
	assert_outcome(&o, "ok|r0=0 r1=1", true, "apitest/rcu-sync-read");
	kwt_set_free(&o);
	/* without the grace period (an smp_mb() only) the outcome is allowed, and reached */
	o = outcomes("apitest/rcu-mb-read", 3);
	assert_outcome(&o, "ok|r0=1 r1=0", true, "apitest/rcu-mb-read");
	kwt_set_free(&o);
	/* RCU+sync+free: a reader that read the old pointer cannot see the write after the GP */
	o = outcomes("apitest/rcu-sync-free", 3);
	assert_outcome(&o, "ok|r0=0 r1=0", false, "apitest/rcu-sync-free");
	assert_outcome(&o, "ok|r0=0 r1=1", true, "apitest/rcu-sync-free");
	assert_outcome(&o, "ok|r0=1 r1=1", true, "apitest/rcu-sync-free");
	kwt_set_free(&o);
}
END_TEST

START_TEST(rcu_readers_and_callbacks)
{
	/* consolidated RCU: spinlock-held regions and interrupt handlers are readers */
	expect("apitest/rcu-spinlock-reader", NULL);
	expect("apitest/rcu-irq-reader", NULL);
	/* a callback queued inside a reader waits for that reader; it runs in softirq context */
	expect("apitest/rcu-call-in-reader", NULL);
	expect("api/rcu-synchronize-then-free", NULL);
	expect("api/rcu-kfree-rcu", NULL);
	expect("api/rcu-call-rcu-barrier", NULL);
	expect("api/rcu-free-before-grace-period", "use-after-free");
	expect("api/rcu-use-after-unlock", "use-after-free");
	expect("apitest/rcu-nesting", NULL);
}
END_TEST

START_TEST(rcu_misuse_checks)
{
	expect("apitest/rcu-deref-outside", "suspicious-rcu-usage");
	expect("apitest/rcu-unlock-unheld", "unlock-unheld");
	expect("apitest/rcu-exit-locked", "lock-held-at-exit");
	expect("apitest/rcu-sleeps", "sleep-in-rcu-reader");
	expect("apitest/rcu-sync-inside", "deadlock");
	expect("apitest/rcu-bh-sleeps", "sleep-in-atomic");
	expect("api/rcu-reader-sleeps", "sleep-in-rcu-reader");
	expect("api/rcu-synchronize-in-reader", "deadlock");
}
END_TEST

START_TEST(softirq_and_preemption)
{
	/* a softirq preempts its CPU's task unless bottom halves are off; an IRQ preempts it */
	expect("api/context-this-cpu-vs-timer", "final-check");
	expect("api/context-this-cpu-bh-off", NULL);
	expect("apitest/softirq-preempted-by-irq", "final-check");
	expect("apitest/softirq-irqsave", NULL);
	/* a concrete deadlock on the CPU, and lockdep's prediction */
	expect("api/context-softirq-lock-without-bh", "deadlock");
	expect("api/context-softirq-unsafe-lock", "softirq-unsafe-lock");
	expect("api/context-spin-lock-bh", NULL);
	/* preempt_disable() keeps the CPU's other tasks out (sc, races off: two tasks of one CPU
	 * do not get each other's view in kweave, see the README) */
	{
		static const char *const pre[] = { "apitest/preempt-racy", "apitest/preempt-off", "apitest/get-cpu" };

		for (int i = 0; i < 3; i++) {
			struct kw_config cfg = kwt_cfg(pre[i], KW_MODEL_SC);
			struct kw_search_result r;

			cfg.races = false;
			r = kwt_search(&cfg, KW_S_DFS, 0, 2);
			ck_assert_msg(r.found == (i == 0) && (i || !strcmp(r.rep.check, "final-check")), "%s: %s %s", pre[i],
				      r.found ? r.rep.check : "clean", r.rep.msg);
			ck_assert(r.exhausted || r.found);
			kw_search_result_free(&r);
		}
	}
	expect("apitest/context-queries", NULL);
	expect("apitest/bh-off-sleeps", "sleep-in-atomic");
	expect("apitest/preempt-off-sleeps", "sleep-in-atomic");
	expect("api/context-sleep-preempt-off", "sleep-in-atomic");
	expect("apitest/preempt-underflow", "preempt-count-underflow");
	expect("apitest/bh-off-at-exit", "preempt-count-leak");
	expect("apitest/might-lock-held", "deadlock");
	expect("apitest/might-lock-order", "lock-inversion");
}
END_TEST

START_TEST(percpu_variables)
{
	struct kw_sim *s = kw_sim_new();
	struct kw_config cfg = kwt_cfg("apitest/percpu-copies", KW_MODEL_WEAK);

	/* copies are reset every run: the same scenario twice in one simulation */
	for (int i = 0; i < 2; i++) {
		struct kw_strategy *st = kw_strategy_bytes(NULL, 0);

		ck_assert_msg(kw_sim_run(s, &cfg, st, false) == KW_RUN_OK, "run %d: %s: %s", i, s->rep.check, s->rep.msg);
		kw_strategy_destroy(st);
	}
	kw_sim_free(s);
	expect("apitest/percpu-not-percpu", "percpu");
}
END_TEST

START_TEST(timers_and_tasklets)
{
	struct kwt_set o = outcomes("apitest/timer-fires-any-time", 2);

	/* the timer may fire before or after the armer's next store; jiffies jumps to 100 */
	assert_outcome(&o, "ok|step=0", true, "apitest/timer-fires-any-time");
	assert_outcome(&o, "ok|step=1", true, "apitest/timer-fires-any-time");
	ck_assert_int_eq(o.n, 2);
	kwt_set_free(&o);
	o = outcomes("apitest/tasklet-twice", 2);
	/* scheduled twice: once or twice, never more, and always by tasklet_kill()'s return */
	assert_outcome(&o, "ok|runs=1", true, "apitest/tasklet-twice");
	assert_outcome(&o, "ok|runs=2", true, "apitest/tasklet-twice");
	ck_assert_int_eq(o.n, 2);
	kwt_set_free(&o);
	expect("apitest/timer-del-sync", NULL);
	expect("apitest/free-armed-timer", "free-active-object");
	expect("api/context-del-timer-then-free", "use-after-free");
	expect("api/context-del-timer-sync", NULL);
}
END_TEST

START_TEST(timeouts_and_signals)
{
	struct kwt_set o;

	expect("apitest/timeout-alone", NULL);
	o = outcomes("apitest/timeout-race", 2);
	/* woken with ticks left (10: no time passed), timed out with the condition false (0) or
	 * true by then (1); the waker always sets it in the end */
	assert_outcome(&o, "ok|ret=10 cond=1", true, "apitest/timeout-race");
	assert_outcome(&o, "ok|ret=0 cond=1", true, "apitest/timeout-race");
	assert_outcome(&o, "ok|ret=1 cond=1", true, "apitest/timeout-race");
	ck_assert_int_eq(o.n, 3);
	kwt_set_free(&o);
	/* a killable sleep ignores SIGINT, not SIGKILL */
	o = outcomes("apitest/killable-sigint", 2);
	assert_outcome(&o, "ok|ret=0 cond=1", true, "apitest/killable-sigint");
	ck_assert_int_eq(o.n, 1);
	kwt_set_free(&o);
	o = outcomes("apitest/killable-sigkill", 2);
	assert_outcome(&o, "ok|ret=-512 cond=1", true, "apitest/killable-sigkill");
	assert_outcome(&o, "ok|ret=0 cond=1", true, "apitest/killable-sigkill");
	ck_assert_int_eq(o.n, 2);
	kwt_set_free(&o);
	o = outcomes("apitest/completion-interruptible", 2);
	assert_outcome(&o, "ok|ret=-512 cond=1", true, "apitest/completion-interruptible");
	assert_outcome(&o, "ok|ret=0 cond=1", true, "apitest/completion-interruptible");
	ck_assert_int_eq(o.n, 2);
	kwt_set_free(&o);
	expect("api/wait-timeout-then-free", "use-after-free");
	expect("api/wait-timeout-refcount", NULL);
	expect("api/wait-interruptible-ignored", "assert");
	expect("api/wait-interruptible", NULL);
}
END_TEST

START_TEST(lockless_waiter_tests)
{
	expect("api/wait-var-event-no-barrier", "hang");
	expect_m("api/wait-var-event-no-barrier", KW_MODEL_SC, NULL);
	expect("api/wait-var-event", NULL);
	expect("apitest/waitqueue-active", "hang");
	expect("apitest/wq-has-sleeper", NULL);
}
END_TEST

START_TEST(lists)
{
	expect("apitest/list-values", NULL);
	expect("api/list-rcu", NULL);
	expect("api/list-hlist-rcu", NULL);
	expect("api/list-llist", NULL);
	expect("api/list-del-under-rcu-reader", "crash");
	expect("apitest/kmem-cache-values", NULL);
	expect("apitest/kmem-cache-busy", "kmem-cache-busy");
	expect("apitest/kmem-cache-typesafe-by-rcu", NULL);
	expect("apitest/kmem-cache-plain", "use-after-free");
}
END_TEST

START_TEST(workqueues)
{
	expect("apitest/workqueue-values", NULL);
	expect("api/workqueue-free-with-work-pending", "use-after-free");
	expect("api/workqueue-cancel-work-sync", NULL);
	expect("api/workqueue-flush-work-under-lock", "deadlock");
	expect("api/workqueue-delayed-work", NULL);
	expect("api/workqueue-schedule-work", NULL);
}
END_TEST

/* Gap (a): a kfree() not ordered after another context's access is a data race. */
START_TEST(kfree_is_a_write)
{
	struct kw_config cfg = kwt_cfg("apitest/free-races", KW_MODEL_WEAK);
	struct kw_search_result r = kwt_search(&cfg, KW_S_RANDOM, 1, 2);

	ck_assert(r.found);
	ck_assert_int_eq(r.runs, 1);
	ck_assert_str_eq(r.rep.check, "data-race");
	ck_assert_ptr_nonnull(strstr(r.rep.msg, "kfree at tests/scenarios/api_scen.c:"));
	ck_assert_ptr_nonnull(strstr(r.rep.detail, "plain write at tests/scenarios/api_scen.c:"));
	kw_search_result_free(&r);
	cfg.races = false;
	r = kwt_search(&cfg, KW_S_DFS, 0, 2);
	ck_assert_msg(!r.found, "without the race detector: %s", r.rep.check);
	kw_search_result_free(&r);
	expect("apitest/free-ordered", NULL);
}
END_TEST

/* Gap (b): a reader that spins without cpu_relax() yields to the writer (fair scheduling). */
START_TEST(spinning_readers_yield)
{
	struct kw_dfs_stats st;
	struct kwt_set o = { 0 };
	struct kw_config cfg;

	for (int m = 0; m < 3; m++) {
		expect_m("api/atomic-busy-wait", m, NULL);
		expect_m("apitest/spin-two-readers", m, NULL);
	}
	/* a handful of executions, not a step-bound run per branch */
	cfg = kwt_cfg("api/atomic-busy-wait", KW_MODEL_SC);
	kwt_dfs_outcomes(&cfg, 2, true, &o, &st);
	ck_assert_msg(st.explored <= 20, "%llu executions", (unsigned long long)st.explored);
	kwt_set_free(&o);
	/* a spin nothing ends is still a livelock */
	expect_m("apitest/spin-nobody-sets", KW_MODEL_SC, "livelock");
	expect("apitest/spin-nobody-sets", "livelock");
}
END_TEST

/* Sleep sets stay sound with the new dependences (RCU grace periods, softirq state, yields). */
START_TEST(reduction_keeps_outcomes)
{
	static const char *const names[] = {
		"apitest/rcu-sync-read", "apitest/rcu-sync-free", "apitest/rcu-spinlock-reader",
		"apitest/timer-fires-any-time", "apitest/tasklet-twice", "apitest/spin-two-readers",
		"apitest/timeout-race", "apitest/killable-sigkill", "api/rcu-call-rcu-barrier",
		"api/context-this-cpu-vs-timer", "api/wait-var-event-no-barrier", "api/refcount-percpu-ref",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		for (int b = 0; b <= 2; b++) {
			struct kw_config cfg = kwt_cfg(names[i], KW_MODEL_WEAK);
			struct kwt_set red = { 0 }, full = { 0 };

			kwt_dfs_outcomes(&cfg, b, true, &red, NULL);
			kwt_dfs_outcomes(&cfg, b, false, &full, NULL);
			if (!kwt_set_eq(&red, &full)) {
				char *a = kwt_set_str(&red), *c = kwt_set_str(&full);

				ck_abort_msg("%s at bound %d: reduced %s, full %s", names[i], b, a, c);
			}
			kwt_set_free(&red);
			kwt_set_free(&full);
		}
}
END_TEST

/* The table: every family has a found misuse and a clean use, and no row fails. */
START_TEST(verify_api_table)
{
	static const char *const families[] = { "atomic", "bitops", "refcount", "seqcount", "rcu",
						 "context", "wait", "list", "workqueue" };
	bool bug[9] = { false }, clean[9] = { false };
	char *out, *save = NULL;
	int rows = 0;

	ck_assert_int_eq(kwt_cmd(&out, "verify api --format tsv --save /tmp/kwtest-api"), 0);
	for (char *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (strncmp(l, "api/", 4))
			continue;
		rows++;
		ck_assert_msg(!strstr(l, "FAILED") && !strstr(l, "MISSED") && !strstr(l, "ERROR"), "%s", l);
		for (size_t i = 0; i < 9; i++) {
			size_t k = strlen(families[i]);

			if (strncmp(l + 4, families[i], k) || l[4 + k] != '-')
				continue;
			bug[i] |= strstr(l, "\tbug\tfound\t") != NULL;
			clean[i] |= strstr(l, "\tclean\tclean\t") != NULL;
		}
	}
	for (size_t i = 0; i < 9; i++)
		ck_assert_msg(bug[i] && clean[i], "api/%s: a found bug row %d, a clean row %d", families[i], bug[i],
			      clean[i]);
	ck_assert_int_ge(rows, 40);
	free(out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("api");
	TCase *tc = tcase_create("api");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, atomics_values_and_orderings);
	tcase_add_test(tc, bitops_values_and_orderings);
	tcase_add_test(tc, refcount_checks);
	tcase_add_test(tc, seqcount_barriers);
	tcase_add_test(tc, rcu_grace_period_guarantee);
	tcase_add_test(tc, rcu_readers_and_callbacks);
	tcase_add_test(tc, rcu_misuse_checks);
	tcase_add_test(tc, softirq_and_preemption);
	tcase_add_test(tc, percpu_variables);
	tcase_add_test(tc, timers_and_tasklets);
	tcase_add_test(tc, timeouts_and_signals);
	tcase_add_test(tc, lockless_waiter_tests);
	tcase_add_test(tc, lists);
	tcase_add_test(tc, workqueues);
	tcase_add_test(tc, kfree_is_a_write);
	tcase_add_test(tc, spinning_readers_yield);
	tcase_add_test(tc, reduction_keeps_outcomes);
	tcase_add_test(tc, verify_api_table);
	suite_add_tcase(s, tc);
	return kwt_run_suite(s);
}
