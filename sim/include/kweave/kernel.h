// SPDX-License-Identifier: GPL-2.0-only
/*
 * kernel.h - kernel-style names for code under test, mapped onto the engine (kweave.h).
 * Sleeping primitives; the memory-access half (READ_ONCE, smp_*, atomics) is in
 * <kweave/atomic.h>, included from here.
 */
#ifndef KWEAVE_KERNEL_H
#define KWEAVE_KERNEL_H

#include <kweave/kweave.h>
#include <kweave/atomic.h>

/* Object types: their state lives in the engine, keyed by address. */
struct mutex { int kw_unused; };
typedef struct spinlock { int kw_unused; } spinlock_t;
struct rw_semaphore { int kw_unused; };
struct completion { int kw_unused; };
typedef struct wait_queue_head { int kw_unused; } wait_queue_head_t;
struct task_struct;

#define DEFINE_MUTEX(n) struct mutex n
#define DEFINE_SPINLOCK(n) spinlock_t n
#define DECLARE_RWSEM(n) struct rw_semaphore n
#define DECLARE_COMPLETION(n) struct completion n
#define DECLARE_WAIT_QUEUE_HEAD(n) wait_queue_head_t n

#define mutex_init(m) ((void)(m))
#define spin_lock_init(l) ((void)(l))
#define init_rwsem(s) ((void)(s))
#define init_waitqueue_head(q) ((void)(q))

#define spin_lock(l) kw_spin_lock(l)
#define spin_trylock(l) kw_spin_trylock(l)
#define spin_unlock(l) kw_spin_unlock(l)
#define spin_lock_irqsave(l, f) ((f) = kw_spin_lock_irqsave(l))
#define spin_unlock_irqrestore(l, f) kw_spin_unlock_irqrestore(l, f)
#define spin_lock_irq(l) kw_spin_lock_irq(l)
#define spin_unlock_irq(l) kw_spin_unlock_irq(l)

#define mutex_lock(m) kw_mutex_lock(m)
#define mutex_trylock(m) kw_mutex_trylock(m)
#define mutex_unlock(m) kw_mutex_unlock(m)
#define mutex_is_locked(m) kw_mutex_is_locked(m)

#define down_read(s) kw_down_read(s)
#define down_read_trylock(s) kw_down_read_trylock(s)
#define up_read(s) kw_up_read(s)
#define down_write(s) kw_down_write(s)
#define down_write_trylock(s) kw_down_write_trylock(s)
#define up_write(s) kw_up_write(s)
#define downgrade_write(s) kw_downgrade_write(s)
#define down_read_non_owner(s) kw_down_read_non_owner(s)
#define up_read_non_owner(s) kw_up_read_non_owner(s)

#define init_completion(c) kw_init_completion(c)
#define reinit_completion(c) kw_reinit_completion(c)
#define complete(c) kw_complete(c)
#define complete_all(c) kw_complete_all(c)
#define wait_for_completion(c) kw_wait_for_completion(c)
#define try_wait_for_completion(c) kw_try_wait_for_completion(c)
#define completion_done(c) kw_completion_done(c)

#define TASK_RUNNING KW_TASK_RUNNING
#define TASK_UNINTERRUPTIBLE KW_TASK_UNINTERRUPTIBLE
#define current kw_current()
#define set_current_state(s) kw_set_current_state(s)
#define __set_current_state(s) kw_set_current_state(s)
#define prepare_to_wait(q, w, s) kw_prepare_to_wait((q), (s))
#define finish_wait(q, w) kw_finish_wait(q)
#define DEFINE_WAIT(w) int w __attribute__((unused)) = 0
#define schedule() kw_schedule()
#define schedule_timeout(t) kw_schedule_timeout(t)
#define wake_up(q) kw_wake_up(q)
#define wake_up_all(q) kw_wake_up_all(q)
#define wake_up_process(t) kw_wake_up_process(t)
#define jiffies kw_jiffies()
#define might_sleep() kw_might_sleep()

/* wait_event(): the kernel's loop, with a recognised wait (prepare_to_wait + schedule). */
#define wait_event(wq, cond)                                                           \
	do {                                                                           \
		for (;;) {                                                             \
			kw_prepare_to_wait(&(wq), KW_TASK_UNINTERRUPTIBLE);            \
			if (cond)                                                      \
				break;                                                 \
			kw_schedule();                                                 \
		}                                                                      \
		kw_finish_wait(&(wq));                                                 \
	} while (0)

#define in_task() kw_in_task()
#define in_irq() kw_in_irq()
#define in_hardirq() kw_in_irq()
#define irqs_disabled() kw_irqs_disabled()
#define smp_processor_id() kw_cpu()
#define local_irq_save(f) ((f) = kw_local_irq_save())
#define local_irq_restore(f) kw_local_irq_restore(f)
#define local_irq_disable() kw_local_irq_disable()
#define local_irq_enable() kw_local_irq_enable()

#define lockdep_assert_held(l) kw_lockdep_assert_held(l)

#define BUG_ON(c)                                                                      \
	do {                                                                           \
		if (c)                                                                 \
			kw_check_failed("BUG_ON", 0, "BUG_ON(%s)", #c);                \
	} while (0)
#define WARN_ON(c)                                                                     \
	({                                                                             \
		int kw__w = !!(c);                                                     \
		if (kw__w)                                                             \
			kw_check_failed("WARN_ON", 1, "WARN_ON(%s)", #c);              \
		kw__w;                                                                 \
	})
#define WARN_ON_ONCE(c) WARN_ON(c)

#endif /* KWEAVE_KERNEL_H */
