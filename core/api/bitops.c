// SPDX-License-Identifier: GPL-2.0-only
/*
 * api/bitops-*: bit locks and waiting on a bit (Documentation/atomic_bitops.txt).
 *
 *  - A bit lock is test_and_set_bit_lock() (ACQUIRE) ... clear_bit_unlock() (RELEASE).
 *    Releasing it with clear_bit(), which is unordered, lets the next holder see stale data
 *    (bug); clear_bit_unlock() is correct (clean).
 *  - wake_up_bit() tests for waiters without a barrier: after clear_bit() the waker needs
 *    smp_mb__after_atomic() (clear_and_wake_up_bit() has it), or the wakeup can be lost
 *    (bug: a hang; clean with the barrier).
 */
#include <kweave/kernel.h>

#define OBJ_LOCKED 0
#define OBJ_BUSY 1

static unsigned long obj_flags;
static int obj_counter;

static void bitlock_setup(void)
{
	obj_flags = 0;
	obj_counter = 0;
}

static void bit_lock(void)
{
	while (test_and_set_bit_lock(OBJ_LOCKED, &obj_flags)) /* ACQUIRE: pairs with the unlock */
		cpu_relax();
}

static void inc_unlock_right(void *arg)
{
	bit_lock();
	WRITE_ONCE(obj_counter, READ_ONCE(obj_counter) + 1);
	clear_bit_unlock(OBJ_LOCKED, &obj_flags); /* RELEASE: pairs with test_and_set_bit_lock() */
}

static void inc_unlock_wrong(void *arg)
{
	bit_lock();
	WRITE_ONCE(obj_counter, READ_ONCE(obj_counter) + 1);
	clear_bit(OBJ_LOCKED, &obj_flags); /* unordered: the counter store may not go first */
}

static void bitlock_check(void)
{
	kw_check(obj_counter == 2, "two locked increments left the counter at %d", obj_counter);
}

KW_SCENARIO(api_bitops_clear_bit,
	.name = "api/bitops-clear-bit-as-unlock",
	.about = "a bit lock released with clear_bit() instead of clear_bit_unlock()",
	.setup = bitlock_setup,
	.threads = { { "a", inc_unlock_wrong }, { "b", inc_unlock_wrong } },
	.check = bitlock_check,
	.expect = KW_EXPECT_BUG,
	.expect_check = "final-check")

KW_SCENARIO(api_bitops_bit_lock,
	.name = "api/bitops-bit-lock",
	.about = "test_and_set_bit_lock() / clear_bit_unlock()",
	.setup = bitlock_setup,
	.threads = { { "a", inc_unlock_right }, { "b", inc_unlock_right } },
	.check = bitlock_check,
	.expect = KW_EXPECT_CLEAN)

/* ---- waiting for a bit to clear ------------------------------------------------------------------ */

static void busy_setup(void)
{
	obj_flags = 1UL << OBJ_BUSY;
}

static void bit_waiter(void *arg)
{
	wait_on_bit(&obj_flags, OBJ_BUSY, TASK_UNINTERRUPTIBLE);
	kw_check(!test_bit(OBJ_BUSY, &obj_flags), "woken with the bit still set");
}

static void bit_clearer_no_barrier(void *arg)
{
	clear_bit(OBJ_BUSY, &obj_flags);
	wake_up_bit(&obj_flags, OBJ_BUSY); /* no smp_mb__after_atomic(): may miss the waiter */
}

static void bit_clearer(void *arg)
{
	clear_and_wake_up_bit(OBJ_BUSY, &obj_flags);
}

KW_SCENARIO(api_bitops_wake_up_bit_no_mb,
	.name = "api/bitops-wake-up-bit-no-barrier",
	.about = "clear_bit() then wake_up_bit() without smp_mb__after_atomic(): a lost wakeup",
	.setup = busy_setup,
	.threads = { { "waiter", bit_waiter }, { "clearer", bit_clearer_no_barrier } },
	.expect = KW_EXPECT_BUG,
	.expect_check = "hang")

KW_SCENARIO(api_bitops_clear_and_wake,
	.name = "api/bitops-clear-and-wake-up-bit",
	.about = "clear_and_wake_up_bit(): the barrier between the clear and the waiter test",
	.setup = busy_setup,
	.threads = { { "waiter", bit_waiter }, { "clearer", bit_clearer } },
	.expect = KW_EXPECT_CLEAN)
