// SPDX-License-Identifier: GPL-2.0-only
/*
 * once_init.h - one-time init of sb->s_dio_done_wq (seed threads 000 and 002): the
 * superblock, the forms of sb_init_dio_done_wq(), and the DIO harness that drives them.
 */
#ifndef CORE_ONCE_INIT_H
#define CORE_ONCE_INIT_H

#include "kernel/workqueue.h"

struct super_block {
	struct workqueue_struct *s_dio_done_wq;	/* NULL -> W once; destroyed at unmount */
	char s_id[16];				/* device name */
};

/* How a variant initialises the workqueue, and where. */
struct once_init_variant {
	/* called by each async DIO submitter before it submits (mainline: with the plain
	 * pre-check); returns 0 or -ENOMEM */
	int (*dio_prepare)(struct super_block *sb);
	/* called at mount (fill_super) and at each O_DIRECT open, or NULL */
	void (*fill_super)(struct super_block *sb);
	int (*dio_open)(struct super_block *sb);
	/* bug 1e: unmount does not wait for in-flight DIO before destroying */
	bool unmount_no_wait;
};

extern struct super_block dio_sb;
extern const struct once_init_variant *dio_variant;
extern int dio_published;	/* I1: how many workqueues were published */

/* setup: mount, then start the submitters, their completion IRQs and the unmount task */
void dio_setup(const struct once_init_variant *v);
void dio_check(void);
/* a workqueue was made visible through sb->s_dio_done_wq (I1 counts them) */
void dio_note_published(void);

#define DIO_PARAMS { { "submitters", 2, 1, 3, "async DIO writers (each with its own completion IRQ)" } }

#endif
