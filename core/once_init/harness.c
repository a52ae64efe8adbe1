// SPDX-License-Identifier: GPL-2.0-only
/*
 * harness.c - the DIO paths that drive sb_init_dio_done_wq(): async direct-I/O writers that
 * initialise the workqueue (each variant its own way) and submit a bio; the bio's completion
 * in hard-IRQ context (dio_bio_end_aio) that queues the deferred completion on
 * sb->s_dio_done_wq; the kworker that runs it (inode_dio_end, ki_complete); and an unmount
 * that waits for in-flight DIO (inode_dio_wait) and destroys the workqueue
 * (generic_shutdown_super).
 *
 * Invariants checked (kernel-mechanisms.md, item 1):
 *  I1 the workqueue is published at most once per superblock lifetime (dio_check);
 *  I2 every observer of a non-NULL workqueue happens after its initialisation (queue_work);
 *  I3 a losing workqueue is never published and always destroyed (the allocator's leak check:
 *     a workqueue never destroyed is a kmalloc block never freed);
 *  I4 the workqueue is non-NULL before any async write bio is submitted (the completion);
 *  I5 it is destroyed only after every completion has drained (destroy_workqueue, and a use
 *     after free when a completion comes late).
 *
 * Lock order: i_rwsem (shared) -> the variants' own mutexes.
 */
#include "once_init/once_init.h"

#include <string.h>

#define DIO_MAX 3

struct dio {
	int id;				/* which submitter */
	struct work_struct complete_work;	/* deferred completion */
	int completed;			/* ki_complete ran */
};

struct super_block dio_sb;
const struct once_init_variant *dio_variant;
int dio_published;

static struct dio dios[DIO_MAX];
static struct kw_thread *dio_irq[DIO_MAX];
static atomic_t i_dio_count;		/* inode_dio_begin/end */
static DECLARE_WAIT_QUEUE_HEAD(dio_wait);	/* inode_dio_wait sleeps here */
static DECLARE_COMPLETION(submitted);	/* every submitter has issued its write */
static DECLARE_RWSEM(i_rwsem);		/* the inode lock, shared for direct I/O */
static int nsub;

void dio_note_published(void)
{
	data_race(dio_published++); /* the harness's own count, not the code under test */
}

/* dio_aio_complete_work(): the deferred completion, on the kworker (task context). */
static void dio_complete_work(struct work_struct *work)
{
	struct dio *dio = (struct dio *)((char *)work - offsetof(struct dio, complete_work));

	might_sleep(); /* generic_write_sync() may sleep: that is why completion is deferred */
	dio->completed = 1;
	/* inode_dio_end(): the last one wakes inode_dio_wait(); atomic_dec_and_test() is fully
	 * ordered, pairing with the atomic_read() after prepare_to_wait() in dio_unmount() */
	if (atomic_dec_and_test(&i_dio_count))
		wake_up(&dio_wait);
}

/* dio_bio_end_aio(): the bio completes, in hard-IRQ context. */
static void dio_end_io(void *arg)
{
	struct dio *dio = arg;
	struct workqueue_struct *wq = dio_sb.s_dio_done_wq; /* plain, as the kernel reads it */

	kw_check_named("I4", wq != NULL, "bio completion with no sb->s_dio_done_wq to defer to");
	queue_work(wq, &dio->complete_work);
}

/* The async O_DIRECT write (do_blockdev_direct_IO / __iomap_dio_rw with !wait). */
static void dio_submitter(void *arg)
{
	long id = (long)arg;
	struct dio *dio = &dios[id];
	int rc;

	if (dio_variant->dio_open) {
		rc = dio_variant->dio_open(&dio_sb); /* open(O_DIRECT) */
		kw_check_named("open", rc == 0, "open(O_DIRECT) failed: %d", rc);
	}
	down_read(&i_rwsem); /* inode_lock_shared(): direct I/O takes the inode lock shared */
	rc = dio_variant->dio_prepare ? dio_variant->dio_prepare(&dio_sb) : 0;
	kw_check_named("dio", rc == 0, "sb_init_dio_done_wq failed: %d", rc);
	INIT_WORK(&dio->complete_work, dio_complete_work);
	atomic_inc(&i_dio_count);	/* inode_dio_begin() */
	kw_irq_raise(dio_irq[id]);	/* submit_bio(): the device completes it later */
	up_read(&i_rwsem);
	complete(&submitted);
	kw_syscall_return();		/* -EIOCBQUEUED */
}

/* umount: inode_dio_wait(), then generic_shutdown_super(). */
static void dio_unmount(void *arg)
{
	for (int i = 0; i < nsub; i++)
		wait_for_completion(&submitted); /* the files are closed: no new I/O */
	if (!dio_variant->unmount_no_wait)
		wait_event(dio_wait, atomic_read(&i_dio_count) == 0);
	if (dio_sb.s_dio_done_wq) {
		destroy_workqueue(dio_sb.s_dio_done_wq);
		dio_sb.s_dio_done_wq = NULL;
	}
}

void dio_setup(const struct once_init_variant *v)
{
	dio_variant = v;
	memset(&dio_sb, 0, sizeof(dio_sb));
	memcpy(dio_sb.s_id, "sda1", 5);
	memset(dios, 0, sizeof(dios));
	atomic_set(&i_dio_count, 0);
	init_completion(&submitted);
	dio_published = 0;
	nsub = (int)kw_param("submitters");
	if (v->fill_super)
		v->fill_super(&dio_sb); /* mount */
	for (int i = 0; i < nsub; i++) {
		static const char *names[DIO_MAX] = { "submitter-0", "submitter-1", "submitter-2" };
		static const char *irqs[DIO_MAX] = { "end_io-0", "end_io-1", "end_io-2" };

		dios[i].id = i;
		dio_irq[i] = kw_irq_create(irqs[i], dio_end_io, &dios[i], i % 2);
		kw_thread_run(names[i], dio_submitter, (void *)(long)i, KW_TASK, i % 2);
	}
	kw_thread_run("unmount", dio_unmount, NULL, KW_TASK, 1);
}

void dio_check(void)
{
	int done = 0;

	for (int i = 0; i < nsub; i++)
		done += dios[i].completed;
	kw_outcome("completed=%d published=%d", done, dio_published);
	kw_check_named("I1", dio_published <= 1, "the workqueue was published %d times", dio_published);
	kw_check_named("I5", done == nsub, "%d of %d DIO completions ran before unmount finished", done, nsub);
}
