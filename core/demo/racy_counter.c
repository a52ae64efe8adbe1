// SPDX-License-Identifier: GPL-2.0-only
/*
 * demo/racy-counter: two tasks do a plain `n++`: a data race, reported on the first run
 * whatever the schedule (happens-before, not luck). The fixed twin takes a spinlock.
 *
 * Invariant: n is only written under counter_lock (fixed twin).
 */
#include <kweave/kernel.h>

static DEFINE_SPINLOCK(counter_lock);
static int n;

static void setup(void)
{
	n = 0;
}

static void inc_racy(void *arg)
{
	n++;
}

static void inc_locked(void *arg)
{
	spin_lock(&counter_lock);
	n++;
	spin_unlock(&counter_lock);
}

static void check(void)
{
	kw_outcome("n=%d", n);
	kw_check(n == 2, "n is %d, want 2", n);
}

KW_SCENARIO(racy_counter,
	.name = "demo/racy-counter",
	.about = "plain n++ from two tasks: a data race",
	.setup = setup,
	.threads = { { "inc-a", inc_racy }, { "inc-b", inc_racy } },
	.check = check,
	.expect = KW_EXPECT_BUG,
	.expect_check = "data-race",
	.why = "a happens-before race: found on the first run whatever the schedule")

KW_SCENARIO(racy_counter_fixed,
	.name = "demo/racy-counter-fixed",
	.about = "n++ under a spinlock",
	.setup = setup,
	.threads = { { "inc-a", inc_locked }, { "inc-b", inc_locked } },
	.check = check,
	.expect = KW_EXPECT_CLEAN)
