// SPDX-License-Identifier: GPL-2.0-only
/*
 * demo/lost-wakeup: the waiter tests its condition before prepare_to_wait(): if the waker
 * sets the flag and calls wake_up() in between, the wakeup finds nobody on the queue and the
 * waiter sleeps forever. The fixed twin tests after prepare_to_wait(), as wait_event() does.
 *
 * Barriers: prepare_to_wait() (set_current_state) implies smp_mb(), pairing with the one
 * wake_up() implies before it looks at the queue.
 */
#include <kweave/kernel.h>

static DECLARE_WAIT_QUEUE_HEAD(wq);
static int flag;

static void setup(void)
{
	flag = 0;
}

static void waiter_buggy(void *arg)
{
	DEFINE_WAIT(wait);

	if (!kw_load(&flag)) {
		prepare_to_wait(&wq, &wait, TASK_UNINTERRUPTIBLE);
		schedule();
		finish_wait(&wq, &wait);
	}
}

static void waiter_fixed(void *arg)
{
	DEFINE_WAIT(wait);

	for (;;) {
		prepare_to_wait(&wq, &wait, TASK_UNINTERRUPTIBLE);
		if (kw_load(&flag))
			break;
		schedule();
	}
	finish_wait(&wq, &wait);
}

static void waker(void *arg)
{
	kw_store(&flag, 1);
	wake_up(&wq);
}

static void check(void)
{
	kw_outcome("flag=%d", flag);
}

KW_SCENARIO(lost_wakeup,
	.name = "demo/lost-wakeup",
	.about = "condition tested before prepare_to_wait: the waiter can sleep forever",
	.setup = setup,
	.threads = { { "waiter", waiter_buggy }, { "waker", waker } },
	.check = check,
	.expect = KW_EXPECT_BUG,
	.expect_check = "hang")

KW_SCENARIO(lost_wakeup_fixed,
	.name = "demo/lost-wakeup-fixed",
	.about = "prepare_to_wait, then test, then schedule",
	.setup = setup,
	.threads = { { "waiter", waiter_fixed }, { "waker", waker } },
	.check = check,
	.expect = KW_EXPECT_CLEAN)
