// SPDX-License-Identifier: GPL-2.0-only
/*
 * workqueue.h - the workqueue API a kernel developer calls. Declarations only: the
 * implementation is code under test (core/kernel/workqueue.c, instrumented like the code
 * that uses it), over kweave's worker threads, so that its races and stale reads are
 * exercised too.
 *
 *  - A workqueue has one worker (a kworker, task context) running its items in FIFO order;
 *    queue_work() of a work item already pending returns false; the item runs after
 *    everything its queuer did.
 *  - flush_work() waits for the last queueing of the item to finish; cancel_work_sync()
 *    removes it if pending and waits for a running instance; both return whether there was
 *    something to cancel or wait for. flush_workqueue() waits for everything queued so far.
 *  - Delayed work: a timer (<kweave/interrupt.h>) queues the work when it fires, at any time
 *    after queue_delayed_work(); cancel_delayed_work_sync() stops both.
 *  - destroy_workqueue() drains and frees the workqueue; queueing on it afterwards is a bug.
 *  - system_wq (schedule_work() and friends) is a workqueue of the run, created on first use.
 */
#ifndef KWEAVE_WORKQUEUE_H
#define KWEAVE_WORKQUEUE_H

#include <kweave/types.h>
#include <kweave/interrupt.h>

struct workqueue_struct;
struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);

struct work_struct {
	work_func_t func;		/* what the worker runs */
};

struct delayed_work {
	struct work_struct work;
	struct timer_list timer;		/* queues the work when it fires */
	struct workqueue_struct *wq;		/* where (set by queue_delayed_work()) */
};

#define WQ_UNBOUND (1u << 1)
#define WQ_FREEZABLE (1u << 2)
#define WQ_MEM_RECLAIM (1u << 3)
#define WQ_HIGHPRI (1u << 4)
#define WQ_CPU_INTENSIVE (1u << 5)
#define WQ_SYSFS (1u << 6)
#define WQ_POWER_EFFICIENT (1u << 7)
#define __WQ_ORDERED (1u << 17)
#define WORK_CPU_UNBOUND 8

#define __WORK_INITIALIZER(n, f) { .func = (f) }
#define DECLARE_WORK(n, f) struct work_struct n = __WORK_INITIALIZER(n, f)
#define INIT_WORK(w, f) ((w)->func = (f))
#define INIT_WORK_ONSTACK(w, f) INIT_WORK(w, f)
void delayed_work_timer_fn(struct timer_list *t);
#define INIT_DELAYED_WORK(dw, f)                                                       \
	do {                                                                           \
		INIT_WORK(&(dw)->work, (f));                                           \
		timer_setup(&(dw)->timer, delayed_work_timer_fn, 0);                   \
	} while (0)
#define DECLARE_DELAYED_WORK(n, f)                                                     \
	struct delayed_work n = { .work = __WORK_INITIALIZER(n.work, f),              \
				  .timer = { .function = delayed_work_timer_fn } }
#define to_delayed_work(w) container_of(w, struct delayed_work, work)

struct workqueue_struct *alloc_workqueue(const char *fmt, unsigned int flags, int max_active, ...);
#define alloc_ordered_workqueue(fmt, flags, ...) alloc_workqueue(fmt, (flags) | __WQ_ORDERED, 1, ##__VA_ARGS__)
void destroy_workqueue(struct workqueue_struct *wq);
bool queue_work(struct workqueue_struct *wq, struct work_struct *work);
#define queue_work_on(cpu, wq, work) queue_work((wq), (work))
void flush_workqueue(struct workqueue_struct *wq);
#define drain_workqueue(wq) flush_workqueue(wq)
bool flush_work(struct work_struct *work);
bool cancel_work(struct work_struct *work);
bool cancel_work_sync(struct work_struct *work);
bool work_pending(struct work_struct *work);

bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *dwork, unsigned long delay);
bool mod_delayed_work(struct workqueue_struct *wq, struct delayed_work *dwork, unsigned long delay);
bool cancel_delayed_work(struct delayed_work *dwork);
bool cancel_delayed_work_sync(struct delayed_work *dwork);
bool flush_delayed_work(struct delayed_work *dwork);
bool delayed_work_pending(struct delayed_work *dwork);

extern struct workqueue_struct *const system_wq;
#define system_unbound_wq system_wq
#define system_long_wq system_wq
#define system_highpri_wq system_wq
#define schedule_work(w) queue_work(system_wq, (w))
#define schedule_delayed_work(dw, d) queue_delayed_work(system_wq, (dw), (d))
#define flush_scheduled_work() flush_workqueue(system_wq)

#endif /* KWEAVE_WORKQUEUE_H */
