// SPDX-License-Identifier: GPL-2.0-only
/*
 * demo/lost-update: two tasks each load a counter and store it plus one, with marked
 * accesses but no atomicity: one increment can be lost. The fixed twin uses an atomic
 * fetch-and-add.
 *
 * Invariant (final check): counter == 2.
 */
#include <kweave/kweave.h>

static int counter;

static void setup(void)
{
	counter = 0;
}

static void inc(void *arg)
{
	int v = kw_load(&counter);

	kw_store(&counter, v + 1);
}

static void inc_fixed(void *arg)
{
	kw_fetch_add(&counter, 1);
}

static void check(void)
{
	kw_outcome("counter=%d", counter);
	kw_check(counter == 2, "counter is %d, want 2: an increment was lost", counter);
}

KW_SCENARIO(lost_update,
	.name = "demo/lost-update",
	.about = "two tasks load then store a counter: an increment can be lost",
	.setup = setup,
	.threads = { { "inc-a", inc }, { "inc-b", inc } },
	.check = check,
	.expect = KW_EXPECT_BUG,
	.expect_check = "final-check")

KW_SCENARIO(lost_update_fixed,
	.name = "demo/lost-update-fixed",
	.about = "the same with an atomic fetch-and-add",
	.setup = setup,
	.threads = { { "inc-a", inc_fixed }, { "inc-b", inc_fixed } },
	.check = check,
	.expect = KW_EXPECT_CLEAN)
