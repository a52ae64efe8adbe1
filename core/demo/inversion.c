// SPDX-License-Identifier: GPL-2.0-only
/*
 * demo/inversion: two tasks take A then B and B then A, serialized by a completion so that
 * they never deadlock. The lock-order checker still reports the inversion (both chains), as
 * lockdep does: the next schedule, or the next caller, could deadlock. The fixed twin takes
 * A then B in both.
 *
 * Lock order (fixed twin): A -> B.
 */
#include <kweave/kernel.h>

static DEFINE_MUTEX(lock_a);
static DEFINE_MUTEX(lock_b);
static DECLARE_COMPLETION(first_done);
static int shared;

static void setup(void)
{
	shared = 0;
}

static void first(void *arg)
{
	mutex_lock(&lock_a);
	mutex_lock(&lock_b);
	shared++;
	mutex_unlock(&lock_b);
	mutex_unlock(&lock_a);
	complete(&first_done);
}

static void second_ba(void *arg)
{
	wait_for_completion(&first_done);
	mutex_lock(&lock_b);
	mutex_lock(&lock_a);
	shared++;
	mutex_unlock(&lock_a);
	mutex_unlock(&lock_b);
}

static void second_ab(void *arg)
{
	wait_for_completion(&first_done);
	mutex_lock(&lock_a);
	mutex_lock(&lock_b);
	shared++;
	mutex_unlock(&lock_b);
	mutex_unlock(&lock_a);
}

static void check(void)
{
	kw_outcome("shared=%d", shared);
	kw_check(shared == 2, "shared is %d, want 2", shared);
}

KW_SCENARIO(inversion,
	.name = "demo/inversion",
	.about = "A->B then, later, B->A: no deadlock in this run, but an inverted lock order",
	.setup = setup,
	.threads = { { "first", first }, { "second", second_ba } },
	.check = check,
	.expect = KW_EXPECT_BUG,
	.expect_check = "lock-inversion",
	.why = "the lock-order checker is predictive: it needs no particular schedule")

KW_SCENARIO(inversion_fixed,
	.name = "demo/inversion-fixed",
	.about = "both take A then B",
	.setup = setup,
	.threads = { { "first", first }, { "second", second_ab } },
	.check = check,
	.expect = KW_EXPECT_CLEAN)
