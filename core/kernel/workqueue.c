// SPDX-License-Identifier: GPL-2.0-only
/*
 * workqueue.c - alloc_workqueue(), queue_work(), flush_workqueue(), destroy_workqueue(),
 * written from the kernel's documented behaviour over kweave's worker threads.
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
 *    after free.
 */
#include "kernel/workqueue.h"

#include <string.h>

__attribute__((noinline)) struct workqueue_struct *alloc_workqueue(const char *name, unsigned int flags,
								   int max_active)
{
	struct workqueue_struct *wq;
	size_t i;

	might_sleep();
	wq = kmalloc(sizeof(*wq), GFP_KERNEL); /* not zeroed: uninitialised reads show */
	for (i = 0; name[i] && i < sizeof(wq->name) - 1; i++)
		wq->name[i] = name[i];
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
	return kw_worker_queue(worker, wq_run_work, work);
}

__attribute__((noinline)) void flush_workqueue(struct workqueue_struct *wq)
{
	kw_worker_flush(READ_ONCE(wq->worker));
}

__attribute__((noinline)) void destroy_workqueue(struct workqueue_struct *wq)
{
	struct kw_worker *w = READ_ONCE(wq->worker);

	might_sleep();
	kw_worker_flush(w);
	kw_check_named("I5", kw_worker_pending(w) == 0,
		       "destroy_workqueue() with work still pending after the drain");
	WRITE_ONCE(wq->destroyed, 1);
	kw_worker_destroy(w);
	kfree(wq);
}
