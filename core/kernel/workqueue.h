// SPDX-License-Identifier: GPL-2.0-only
/* workqueue.h - the port's side of the workqueue API: the public declarations are in
 * <kweave/workqueue.h> (included from <kweave/kernel.h>); this adds struct workqueue_struct. */
#ifndef CORE_WORKQUEUE_H
#define CORE_WORKQUEUE_H

#include <kweave/kernel.h>

#define WQ_MAGIC 0x57510001u

struct workqueue_struct {
	unsigned int magic;		/* WQ_MAGIC once initialised (I2 checks it) */
	unsigned int flags;		/* WQ_* */
	int max_active;			/* concurrency limit (recorded only) */
	struct kw_worker *worker;	/* its kworker (NULL for system_wq: the run's system worker) */
	int destroyed;			/* destroy_workqueue() ran */
	char name[24];			/* "dio/<s_id>" */
};

#endif
