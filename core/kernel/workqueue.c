// SPDX-License-Identifier: GPL-2.0-only
/*
 * workqueue.c - alloc_workqueue(), queue_work(), flush_workqueue(), destroy_workqueue(),
 * flush_work(), cancel_work(_sync)(), delayed work and system_wq, written from the kernel's
 * documented behaviour over kweave's worker threads (the API is declared in
 * <kweave/workqueue.h>).
 *
 * Invariants:
 *  - alloc_workqueue() may sleep (GFP_KERNEL, kthread creation): calling it in atomic context
 *    is reported by the engine's might_sleep check;
 *  - a workqueue's fields are written by alloc_workqueue() before anyone can see the pointer,
 *    and queue_work() reads them with READ_ONCE(): a caller that sees the pointer without
 *    happens-before on that initialisation may read them uninitialised, and queue_work()
 *    fails invariant I2 ("every observer of a non-NULL workqueue happens after its
 *    initialisation") instead of crashing somewhere later;
 *  - queue_work() may be called in IRQ context; the work runs later on the kworker, in task
 *    context, after everything its queuer did;
 *  - destroy_workqueue() drains (flushes) first; work still pending after that, or queued
 *    afterwards, is a reported bug (I5); the memory is freed, so a late queue_work() is a use
 *    after free;
 *  - a work item remembers (in the engine) the worker it was last queued on, as the kernel's
 *    work_struct remembers its pool: flush_work()/cancel_work_sync() act there;
 *  - delayed work: a timer whose handler (softirq context) queues the work; the timer may
 *    fire at any time after queue_delayed_work() (virtual time);
 *  - system_wq is a static workqueue whose worker is the run's system worker.
 */
#include "kernel/workqueue.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static struct workqueue_struct kw_system_wq = { .magic = WQ_MAGIC, .name = "events" };
struct workqueue_struct *const system_wq = &kw_system_wq;

/* The worker behind wq (system_wq has none of its own). */
static struct kw_worker *wq_worker(struct kw_worker *w)
{
	return w ? w : kw_system_worker();
}

__attribute__((noinline)) struct workqueue_struct *alloc_workqueue(const char *fmt, unsigned int flags,
								   int max_active, ...)
{
	struct workqueue_struct *wq;
	char name[sizeof(wq->name)];
	const char *src = fmt;
	va_list ap;
	size_t i;

	va_start(ap, max_active);
	if (strchr(fmt, '%')) {
		vsnprintf(name, sizeof(name), fmt, ap);
		src = name;
	}
	va_end(ap);
	might_sleep();
	wq = kmalloc(sizeof(*wq), GFP_KERNEL); /* not zeroed: uninitialised reads show */
	for (i = 0; src[i] && i < sizeof(wq->name) - 1; i++)
		wq->name[i] = src[i];
	wq->name[i] = 0;
	WRITE_ONCE(wq->flags, flags);
	WRITE_ONCE(wq->max_active, max_active);
	WRITE_ONCE(wq->destroyed, 0);
	WRITE_ONCE(wq->worker, kw_worker_create(wq->name, -1));
	WRITE_ONCE(wq->magic, WQ_MAGIC);
	return wq;
}

static void wq_run_work(void *arg)
{
	struct work_struct *work = arg;

	work->func(work);
}

/* kmalloc() fills fresh memory with 0xa5 bytes: a field that still holds them was read
 * before (or without seeing) its initialisation. */
#define WQ_POISON_PTR ((struct kw_worker *)(uintptr_t)0xa5a5a5a5a5a5a5a5ull)

__attribute__((noinline)) bool queue_work(struct workqueue_struct *wq, struct work_struct *work)
{
	unsigned int magic = READ_ONCE(wq->magic);
	int destroyed = READ_ONCE(wq->destroyed);
	struct kw_worker *worker = READ_ONCE(wq->worker);

	kw_check_named("I2", magic == WQ_MAGIC && (destroyed == 0 || destroyed == 1) && worker != WQ_POISON_PTR,
		       "queue_work() on a workqueue whose initialisation it does not see (magic %#x, destroyed %d): no happens-before between alloc_workqueue() and this use",
		       magic, destroyed);
	kw_check_named("I5", !destroyed, "queue_work() on a destroyed workqueue");
	return kw_worker_queue(wq_worker(worker), wq_run_work, work);
}

__attribute__((noinline)) void flush_workqueue(struct workqueue_struct *wq)
{
	kw_worker_flush(wq_worker(READ_ONCE(wq->worker)));
}

__attribute__((noinline)) bool flush_work(struct work_struct *work)
{
	might_sleep();
	return kw_worker_flush_one(NULL, wq_run_work, work);
}

__attribute__((noinline)) bool cancel_work(struct work_struct *work)
{
	return kw_worker_cancel(NULL, wq_run_work, work, false);
}

__attribute__((noinline)) bool cancel_work_sync(struct work_struct *work)
{
	might_sleep();
	return kw_worker_cancel(NULL, wq_run_work, work, true);
}

__attribute__((noinline)) bool work_pending(struct work_struct *work)
{
	return kw_worker_item_pending(NULL, wq_run_work, work);
}

/* ---- delayed work ------------------------------------------------------------------------------ */

/* The timer's handler, in softirq context: the delay is over, queue the work. */
void delayed_work_timer_fn(struct timer_list *t)
{
	struct delayed_work *dwork = from_timer(dwork, t, timer);

	/* READ_ONCE: pairs with the WRITE_ONCE in queue_delayed_work(), ordered by mod_timer() */
	queue_work(READ_ONCE(dwork->wq), &dwork->work);
}

__attribute__((noinline)) bool delayed_work_pending(struct delayed_work *dwork)
{
	return timer_pending(&dwork->timer) || work_pending(&dwork->work);
}

__attribute__((noinline)) bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *dwork,
						  unsigned long delay)
{
	if (delayed_work_pending(dwork))
		return false;
	if (!delay)
		return queue_work(wq, &dwork->work);
	WRITE_ONCE(dwork->wq, wq);
	mod_timer(&dwork->timer, jiffies + delay);
	return true;
}

__attribute__((noinline)) bool mod_delayed_work(struct workqueue_struct *wq, struct delayed_work *dwork,
						unsigned long delay)
{
	bool was = del_timer(&dwork->timer);

	was |= cancel_work(&dwork->work);
	WRITE_ONCE(dwork->wq, wq);
	if (!delay)
		queue_work(wq, &dwork->work);
	else
		mod_timer(&dwork->timer, jiffies + delay);
	return was;
}

__attribute__((noinline)) bool cancel_delayed_work(struct delayed_work *dwork)
{
	bool was = del_timer(&dwork->timer);

	return cancel_work(&dwork->work) || was;
}

__attribute__((noinline)) bool cancel_delayed_work_sync(struct delayed_work *dwork)
{
	/* the timer first: once it cannot fire, no new queueing can follow the cancel */
	bool was = del_timer_sync(&dwork->timer);

	return cancel_work_sync(&dwork->work) || was;
}

__attribute__((noinline)) bool flush_delayed_work(struct delayed_work *dwork)
{
	if (del_timer_sync(&dwork->timer))
		queue_work(READ_ONCE(dwork->wq), &dwork->work);
	return flush_work(&dwork->work);
}

__attribute__((noinline)) void destroy_workqueue(struct workqueue_struct *wq)
{
	struct kw_worker *w = wq_worker(READ_ONCE(wq->worker));

	might_sleep();
	kw_worker_flush(w);
	kw_check_named("I5", kw_worker_pending(w) == 0,
		       "destroy_workqueue() with work still pending after the drain");
	WRITE_ONCE(wq->destroyed, 1);
	kw_worker_destroy(w);
	kfree(wq);
}
