// SPDX-License-Identifier: GPL-2.0-only
/*
 * demo/abba: two tasks take mutexes A and B in opposite orders: a preemption between the
 * first and the second lock deadlocks them. The fixed twin takes them in one order.
 *
 * Lock order (fixed twin): A -> B.
 *
 * lockdep-lite is off here: it would flag the inverted order on the very first run (that is
 * demo/inversion's job); this pair shows the deadlock checker finding the cycle itself.
 */
#include <kweave/kernel.h>

static DEFINE_MUTEX(lock_a);
static DEFINE_MUTEX(lock_b);
static int shared;

static void setup(void)
{
	shared = 0;
}

static void take_ab(void *arg)
{
	mutex_lock(&lock_a);
	mutex_lock(&lock_b);
	shared++;
	mutex_unlock(&lock_b);
	mutex_unlock(&lock_a);
}

static void take_ba(void *arg)
{
	mutex_lock(&lock_b);
	mutex_lock(&lock_a);
	shared++;
	mutex_unlock(&lock_a);
	mutex_unlock(&lock_b);
}

static void check(void)
{
	kw_outcome("shared=%d", shared);
	kw_check(shared == 2, "shared is %d, want 2", shared);
}

KW_SCENARIO(abba,
	.name = "demo/abba",
	.about = "A then B against B then A: a deadlock",
	.setup = setup,
	.threads = { { "ab", take_ab }, { "ba", take_ba } },
	.check = check,
	.expect = KW_EXPECT_BUG,
	.expect_check = "deadlock",
	.no_lockdep = true)

KW_SCENARIO(abba_fixed,
	.name = "demo/abba-fixed",
	.about = "both take A then B",
	.setup = setup,
	.threads = { { "ab", take_ab }, { "ab-too", take_ab } },
	.check = check,
	.expect = KW_EXPECT_CLEAN)
