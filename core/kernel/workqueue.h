// SPDX-License-Identifier: GPL-2.0-only
/* workqueue.h - a port of the kernel's workqueue API (the part the DIO paths use). */
#ifndef CORE_WORKQUEUE_H
#define CORE_WORKQUEUE_H

#include <kweave/kernel.h>

#define WQ_MEM_RECLAIM (1u << 3)
#define WQ_MAGIC 0x57510001u

struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);

struct work_struct {
	work_func_t func;		/* what the worker runs */
};

#define INIT_WORK(w, f) ((w)->func = (f))

struct workqueue_struct {
	unsigned int magic;		/* WQ_MAGIC once initialised (I2 checks it) */
	unsigned int flags;		/* WQ_* */
	int max_active;			/* concurrency limit (recorded only) */
	struct kw_worker *worker;	/* its kworker */
	int destroyed;			/* destroy_workqueue() ran */
	char name[24];			/* "dio/<s_id>" */
};

struct workqueue_struct *alloc_workqueue(const char *name, unsigned int flags, int max_active);
void destroy_workqueue(struct workqueue_struct *wq);
bool queue_work(struct workqueue_struct *wq, struct work_struct *work);
void flush_workqueue(struct workqueue_struct *wq);

#endif
