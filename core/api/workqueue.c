// SPDX-License-Identifier: GPL-2.0-only
/*
 * api/workqueue-*: the workqueue API a driver uses (declared in <kweave/workqueue.h>, the
 * implementation under test in core/kernel/workqueue.c).
 *
 * A device's interrupt handler defers its processing to a work item embedded in the device;
 * closing the device waits for the interrupt (as free_irq() would), then frees it.
 *  - Freeing the device without cancel_work_sync(): the work may still be queued and runs
 *    on freed memory (bug: use after free); with cancel_work_sync() (clean).
 *  - The work takes the device's mutex; flush_work() called with that mutex held waits for
 *    a work item that waits for the mutex (bug: deadlock).
 *  - Delayed work: queue_delayed_work(), then cancel_delayed_work_sync() before freeing
 *    (clean); schedule_work() on system_wq with flush_work() (clean).
 */
#include <kweave/kernel.h>

struct device {
	struct work_struct work;
	struct delayed_work dwork;
	struct mutex lock;
	int events;
};

static struct workqueue_struct *dev_wq;
static struct device *dev;
static struct kw_thread *dev_irq;
static DECLARE_COMPLETION(irq_done);

static void dev_work_fn(struct work_struct *work)
{
	struct device *d = container_of(work, struct device, work);

	mutex_lock(&d->lock);
	d->events++;
	mutex_unlock(&d->lock);
}

static void dev_irq_handler(void *arg)
{
	queue_work(dev_wq, &dev->work); /* defer to task context */
	complete(&irq_done);
}

static void dev_setup(void)
{
	dev_wq = alloc_workqueue("dev/%d", WQ_MEM_RECLAIM, 0, 0);
	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	mutex_init(&dev->lock);
	INIT_WORK(&dev->work, dev_work_fn);
	init_completion(&irq_done);
	dev_irq = kw_irq_create("dev-irq", dev_irq_handler, NULL, 0);
	kw_irq_raise(dev_irq);
}

static void dev_close_no_cancel(void *arg)
{
	wait_for_completion(&irq_done); /* free_irq(): no handler runs any more */
	kfree(dev);			/* the work it queued may still be pending */
	destroy_workqueue(dev_wq);
}

static void dev_close(void *arg)
{
	wait_for_completion(&irq_done);
	cancel_work_sync(&dev->work); /* not pending, not running, after this */
	kfree(dev);
	destroy_workqueue(dev_wq);
}

KW_SCENARIO(api_workqueue_free_pending,
	.name = "api/workqueue-free-with-work-pending",
	.about = "kfree() of a device whose work item may still be queued",
	.setup = dev_setup,
	.threads = { { "close", dev_close_no_cancel, .on_cpu = KW_ON_CPU(1) } },
	.expect = KW_EXPECT_BUG,
	.expect_check = "use-after-free")

KW_SCENARIO(api_workqueue_cancel_sync,
	.name = "api/workqueue-cancel-work-sync",
	.about = "cancel_work_sync() before kfree()",
	.setup = dev_setup,
	.threads = { { "close", dev_close, .on_cpu = KW_ON_CPU(1) } },
	.expect = KW_EXPECT_CLEAN)

/* ---- flush_work() under the lock the work takes ------------------------------------------------ */

static void dev_reset_flush_locked(void *arg)
{
	wait_for_completion(&irq_done);
	mutex_lock(&dev->lock);
	dev->events = 0;
	flush_work(&dev->work); /* the work needs dev->lock */
	mutex_unlock(&dev->lock);
	cancel_work_sync(&dev->work);
	kfree(dev);
	destroy_workqueue(dev_wq);
}

KW_SCENARIO(api_workqueue_flush_deadlock,
	.name = "api/workqueue-flush-work-under-lock",
	.about = "flush_work() with the mutex its work function takes held",
	.setup = dev_setup,
	.threads = { { "reset", dev_reset_flush_locked, .on_cpu = KW_ON_CPU(1) } },
	.expect = KW_EXPECT_BUG,
	.expect_check = "deadlock")

/* ---- delayed work and system_wq -------------------------------------------------------------------- */

static void dev_poll_fn(struct work_struct *work)
{
	struct device *d = container_of(to_delayed_work(work), struct device, dwork);

	mutex_lock(&d->lock);
	d->events++;
	mutex_unlock(&d->lock);
}

static DECLARE_COMPLETION(poll_started);

static void poll_setup(void)
{
	init_completion(&poll_started);
	dev_wq = alloc_workqueue("poll", 0, 0);
	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	mutex_init(&dev->lock);
	INIT_DELAYED_WORK(&dev->dwork, dev_poll_fn);
}

static void poll_start(void *arg)
{
	queue_delayed_work(dev_wq, &dev->dwork, msecs_to_jiffies(10));
	complete(&poll_started);
}

static void poll_stop(void *arg)
{
	struct device *d = dev;

	wait_for_completion(&poll_started);
	msleep(1);
	cancel_delayed_work_sync(&d->dwork); /* neither the timer nor the work runs after this */
	kfree(d);
	destroy_workqueue(dev_wq);
}

KW_SCENARIO(api_workqueue_delayed,
	.name = "api/workqueue-delayed-work",
	.about = "queue_delayed_work(), cancel_delayed_work_sync(), kfree()",
	.setup = poll_setup,
	.threads = { { "start", poll_start, .on_cpu = KW_ON_CPU(0) }, { "stop", poll_stop, .on_cpu = KW_ON_CPU(1) } },
	.expect = KW_EXPECT_CLEAN)

static struct work_struct sys_work;
static int sys_ran;

static void sys_fn(struct work_struct *w)
{
	WRITE_ONCE(sys_ran, READ_ONCE(sys_ran) + 1);
}

static void sys_setup(void)
{
	INIT_WORK(&sys_work, sys_fn);
	sys_ran = 0;
}

static void sys_user(void *arg)
{
	schedule_work(&sys_work);
	flush_work(&sys_work); /* it has run (at least once more) when this returns */
	kw_check(READ_ONCE(sys_ran) >= 1, "flush_work() returned before the work ran");
}

KW_SCENARIO(api_workqueue_system_wq,
	.name = "api/workqueue-schedule-work",
	.about = "schedule_work() on system_wq, flush_work()",
	.setup = sys_setup,
	.threads = { { "user-a", sys_user }, { "user-b", sys_user } },
	.expect = KW_EXPECT_CLEAN)
