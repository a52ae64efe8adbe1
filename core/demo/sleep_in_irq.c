// SPDX-License-Identifier: GPL-2.0-only
/*
 * demo/sleep-in-irq: a submitter raises an interrupt whose completer takes a mutex: sleeping
 * in hard-IRQ context. The fixed twin's completer hands the work to a worker thread, which
 * takes the mutex in task context (the deferred-completion pattern of fs/direct-io.c).
 */
#include <kweave/kernel.h>

static DEFINE_MUTEX(stats_lock);
static struct kw_thread *completer;
static struct kw_worker *worker;
static int completed;

static void account(void *arg)
{
	mutex_lock(&stats_lock);
	completed++;
	mutex_unlock(&stats_lock);
}

static void end_io_buggy(void *arg)
{
	account(arg);
}

static void end_io_fixed(void *arg)
{
	kw_worker_queue(worker, account, NULL);
}

static void submit(void *arg)
{
	mutex_lock(&stats_lock);
	completed = 0;
	mutex_unlock(&stats_lock);
	kw_irq_raise(completer);
}

static void setup_buggy(void)
{
	completed = -1;
	completer = kw_irq_create("end_io", end_io_buggy, NULL, 0);
}

static void setup_fixed(void)
{
	completed = -1;
	worker = kw_worker_create("kworker", 1);
	completer = kw_irq_create("end_io", end_io_fixed, NULL, 0);
}

static void check(void)
{
	kw_outcome("completed=%d", completed);
	kw_check(completed == 1, "completed is %d, want 1", completed);
}

KW_SCENARIO(sleep_in_irq,
	.name = "demo/sleep-in-irq",
	.about = "an IRQ completer takes a mutex",
	.setup = setup_buggy,
	.threads = { { "submitter", submit } },
	.check = check,
	.expect = KW_EXPECT_BUG,
	.expect_check = "sleep-in-atomic",
	.why = "a context rule: any schedule that runs the completer breaks it")

KW_SCENARIO(sleep_in_irq_fixed,
	.name = "demo/sleep-in-irq-fixed",
	.about = "the completer queues the work to a worker thread",
	.setup = setup_fixed,
	.threads = { { "submitter", submit } },
	.check = check,
	.expect = KW_EXPECT_CLEAN)
