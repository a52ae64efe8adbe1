// SPDX-License-Identifier: GPL-2.0-only
/*
 * interrupt.h - softirq context: bottom halves, tasklets and timers.
 *
 * Softirq handlers run on a CPU in softirq context (a KW_SOFTIRQ thread): they preempt the
 * tasks of that CPU whenever bottom halves are enabled there (not while a task of the CPU
 * holds local_bh_disable()/spin_lock_bh() or has IRQs off), hard IRQs preempt them, they may
 * not sleep, and a lock they take must be taken with bottom halves disabled everywhere else
 * (lockdep's SOFTIRQ-safe/unsafe rule, and a real deadlock when the softirq arrives on the
 * holder's CPU).
 *  - A tasklet runs once per tasklet_schedule() on the scheduling CPU, never concurrently
 *    with itself; tasklet_kill() waits until it is neither scheduled nor running.
 *  - A timer fires once per mod_timer()/add_timer() on the arming CPU, at any time after it
 *    is armed (virtual time then jumps to its expiry); del_timer() deactivates it,
 *    del_timer_sync() also waits for a running handler.
 *  - Happens-before: tasklet_schedule()/mod_timer() -> the handler run it causes;
 *    the handler's end -> the return of del_timer_sync()/tasklet_kill() that waited for it.
 */
#ifndef KWEAVE_INTERRUPT_H
#define KWEAVE_INTERRUPT_H

#include <kweave/kweave.h>
#include <kweave/types.h>
/* libc declares a POSIX timer_delete(): declare it first, so that the kernel's timer_delete()
 * macro below cannot break a later #include of <time.h> or <pthread.h> */
#include <time.h>

#define local_bh_disable() kw_local_bh_disable()
#define local_bh_enable() kw_local_bh_enable()
#define in_softirq() kw_in_softirq()
#define in_serving_softirq() kw_in_serving_softirq()
#define in_interrupt() kw_in_interrupt()
#define softirq_count() (kw_in_softirq() ? 1 : 0)

/* ---- tasklets ---------------------------------------------------------------------------- */

struct tasklet_struct {
	bool use_callback;				/* callback (tasklet_setup) or func(data) */
	void (*func)(unsigned long data);		/* old style */
	void (*callback)(struct tasklet_struct *t);	/* new style */
	unsigned long data;
};

#define DECLARE_TASKLET(name, cb) struct tasklet_struct name = { .use_callback = true, .callback = (cb) }
#define DECLARE_TASKLET_OLD(name, fn) struct tasklet_struct name = { .func = (fn) }
#define from_tasklet(var, t, field) container_of(t, __typeof__(*(var)), field)

static inline void kw__tasklet_run(void *p)
{
	struct tasklet_struct *t = (struct tasklet_struct *)p;

	if (t->use_callback)
		t->callback(t);
	else
		t->func(t->data);
}

#define tasklet_setup(t, cb)                                                           \
	do {                                                                           \
		(t)->use_callback = true;                                              \
		(t)->callback = (cb);                                                  \
		kw_tasklet_init(t);                                                    \
	} while (0)
#define tasklet_init(t, fn, d)                                                         \
	do {                                                                           \
		(t)->use_callback = false;                                             \
		(t)->func = (fn);                                                      \
		(t)->data = (d);                                                       \
		kw_tasklet_init(t);                                                    \
	} while (0)
#define tasklet_schedule(t) kw_tasklet_schedule((t), kw__tasklet_run)
#define tasklet_hi_schedule(t) kw_tasklet_schedule((t), kw__tasklet_run)
#define tasklet_kill(t) kw_tasklet_kill(t)
#define tasklet_disable(t) kw_tasklet_disable((t), true)
#define tasklet_disable_nosync(t) kw_tasklet_disable((t), false)
#define tasklet_enable(t) kw_tasklet_enable(t)

/* ---- timers --------------------------------------------------------------------------------- */

struct timer_list {
	unsigned long expires;				/* for add_timer() */
	void (*function)(struct timer_list *t);		/* the handler */
	u32 flags;
};

#define DEFINE_TIMER(name, fn) struct timer_list name = { .function = (fn) }
#define from_timer(var, t, field) container_of(t, __typeof__(*(var)), field)
#define timer_container_of(var, t, field) from_timer(var, t, field)

static inline void kw__timer_run(void *p)
{
	struct timer_list *t = (struct timer_list *)p;

	t->function(t);
}

#define timer_setup(t, fn, fl)                                                         \
	do {                                                                           \
		(t)->function = (fn);                                                  \
		(t)->flags = (fl);                                                     \
		kw_timer_init(t);                                                      \
	} while (0)
#define mod_timer(t, exp) kw_mod_timer((t), (exp), kw__timer_run)
#define add_timer(t) ((void)kw_mod_timer((t), (t)->expires, kw__timer_run))
#define del_timer(t) kw_del_timer((t), false)
#define del_timer_sync(t) kw_del_timer((t), true)
#define timer_delete(t) kw_del_timer((t), false)
#define timer_delete_sync(t) kw_del_timer((t), true)
#define timer_shutdown_sync(t) kw_del_timer((t), true)
#define timer_pending(t) kw_timer_pending(t)

#endif /* KWEAVE_INTERRUPT_H */
