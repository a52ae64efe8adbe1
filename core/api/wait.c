// SPDX-License-Identifier: GPL-2.0-only
/*
 * api/wait-*: sleeping until something happens, with the kernel's wait primitives.
 *
 *  - wake_up_var() tests for waiters locklessly: a plain WRITE_ONCE() of the condition then
 *    wake_up_var() without smp_mb() can miss a waiter that misses the condition (bug: a
 *    hang under the weak model); with smp_mb() between them it cannot (clean).
 *  - A request whose waiter gives up after wait_for_completion_timeout() and frees it while
 *    the completer still completes it: a use after free when the timeout expires first (bug);
 *    a reference count shared by waiter and completer frees it exactly when both are done
 *    (clean).
 *  - wait_event_interruptible() returns -ERESTARTSYS when a signal comes first: using the
 *    result as if the condition held reads data that is not there (bug); checking the return
 *    value is right (clean).
 */
#include <kweave/kernel.h>

static int done_flag;

static void var_setup(void)
{
	done_flag = 0;
}

static void var_waiter(void *arg)
{
	wait_var_event(&done_flag, READ_ONCE(done_flag));
}

static void var_waker_no_mb(void *arg)
{
	WRITE_ONCE(done_flag, 1);
	wake_up_var(&done_flag); /* no barrier: its waiter test may come before the store */
}

static void var_waker(void *arg)
{
	WRITE_ONCE(done_flag, 1);
	smp_mb(); /* orders the condition before wake_up_var()'s test: pairs with prepare_to_wait */
	wake_up_var(&done_flag);
}

KW_SCENARIO(api_wait_var_no_mb,
	.name = "api/wait-var-event-no-barrier",
	.about = "WRITE_ONCE() then wake_up_var() without smp_mb(): a lost wakeup",
	.setup = var_setup,
	.threads = { { "waiter", var_waiter }, { "waker", var_waker_no_mb } },
	.expect = KW_EXPECT_BUG,
	.expect_check = "hang")

KW_SCENARIO(api_wait_var,
	.name = "api/wait-var-event",
	.about = "wait_var_event() / smp_mb() + wake_up_var()",
	.setup = var_setup,
	.threads = { { "waiter", var_waiter }, { "waker", var_waker } },
	.expect = KW_EXPECT_CLEAN)

/* ---- a request with a timeout ------------------------------------------------------------------- */

struct request {
	struct completion done;
	refcount_t ref;
	int result;
};

static struct request *req;

static void req_setup(void)
{
	req = kzalloc(sizeof(*req), GFP_KERNEL);
	init_completion(&req->done);
	refcount_set(&req->ref, 2); /* the waiter's and the completer's */
}

static void req_put(struct request *r)
{
	if (refcount_dec_and_test(&r->ref))
		kfree(r);
}

static void completer(void *arg)
{
	struct request *r = req;

	WRITE_ONCE(r->result, 1);
	complete(&r->done);
}

static void completer_ref(void *arg)
{
	struct request *r = req;

	WRITE_ONCE(r->result, 1);
	complete(&r->done);
	req_put(r);
}

static void waiter_frees(void *arg)
{
	struct request *r = req;

	if (!wait_for_completion_timeout(&r->done, 10)) {
		/* timed out: give up on it */
	}
	kfree(r); /* the completer may not be done with it */
}

static void waiter_puts(void *arg)
{
	struct request *r = req;

	if (wait_for_completion_timeout(&r->done, 10))
		kw_check(READ_ONCE(r->result) == 1, "completed without a result");
	req_put(r);
}

KW_SCENARIO(api_wait_timeout_free,
	.name = "api/wait-timeout-then-free",
	.about = "the waiter times out and frees the request the completer is completing",
	.setup = req_setup,
	.threads = { { "completer", completer }, { "waiter", waiter_frees } },
	.expect = KW_EXPECT_BUG,
	.expect_check = "use-after-free")

KW_SCENARIO(api_wait_timeout_ref,
	.name = "api/wait-timeout-refcount",
	.about = "wait_for_completion_timeout() with a reference each: the last one frees",
	.setup = req_setup,
	.threads = { { "completer", completer_ref }, { "waiter", waiter_puts } },
	.expect = KW_EXPECT_CLEAN)

/* ---- signals ----------------------------------------------------------------------------------------- */

static DECLARE_WAIT_QUEUE_HEAD(data_wq);
static int data_ready, data_val;
static struct task_struct *waiter_task;

static void sig_setup(void)
{
	data_ready = data_val = 0;
	waiter_task = NULL;
}

static void data_producer(void *arg)
{
	WRITE_ONCE(data_val, 42);
	smp_store_release(&data_ready, 1); /* pairs with the waiter's acquire */
	wake_up(&data_wq);
}

static void data_waiter_ignores(void *arg)
{
	WRITE_ONCE(waiter_task, current);
	(void)wait_event_interruptible(data_wq, smp_load_acquire(&data_ready));
	kw_check(READ_ONCE(data_val) == 42, "read data %d after the wait", READ_ONCE(data_val));
}

static void data_waiter(void *arg)
{
	WRITE_ONCE(waiter_task, current);
	if (wait_event_interruptible(data_wq, smp_load_acquire(&data_ready)))
		return; /* -ERESTARTSYS: interrupted, no data */
	kw_check(READ_ONCE(data_val) == 42, "read data %d after the wait", READ_ONCE(data_val));
}

static void signaller(void *arg)
{
	struct task_struct *t = READ_ONCE(waiter_task);

	if (t)
		send_sig(SIGINT, t, 0);
}

KW_SCENARIO(api_wait_signal_ignored,
	.name = "api/wait-interruptible-ignored",
	.about = "wait_event_interruptible()'s -ERESTARTSYS ignored: the data is read anyway",
	.setup = sig_setup,
	.threads = { { "producer", data_producer }, { "waiter", data_waiter_ignores }, { "signaller", signaller } },
	.expect = KW_EXPECT_BUG,
	.expect_check = "assert")

KW_SCENARIO(api_wait_signal,
	.name = "api/wait-interruptible",
	.about = "wait_event_interruptible(): an interrupted wait returns without the data",
	.setup = sig_setup,
	.threads = { { "producer", data_producer }, { "waiter", data_waiter }, { "signaller", signaller } },
	.expect = KW_EXPECT_CLEAN)
