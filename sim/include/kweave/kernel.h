// SPDX-License-Identifier: GPL-2.0-only
/*
 * kernel.h - the one header code under test includes: kernel-style names mapped onto the
 * engine (kweave.h). This file has the locks, completions, wait-queue basics, contexts and
 * BUG/WARN; each family has its own header, all included from here:
 *   types.h      u8..u64, container_of, BIT, error codes, jiffies helpers
 *   atomic.h     READ_ONCE/WRITE_ONCE, barriers, cmpxchg/xchg, atomic_t/atomic64_t/atomic_long_t
 *   bitops.h     set_bit ... test_and_set_bit_lock/clear_bit_unlock, __set_bit, find_*_bit
 *   refcount.h   refcount_t, kref
 *   percpu-refcount.h  percpu_ref (implemented in core/kernel/percpu-refcount.c)
 *   seqlock.h    seqcount_t, seqcount_spinlock_t, seqcount_latch_t, seqlock_t
 *   rcupdate.h   rcu_read_lock, synchronize_rcu, call_rcu, kfree_rcu, rcu_dereference...
 *   list.h, rculist.h, llist.h   list_head, hlist, their RCU variants, llist
 *   percpu.h     per-CPU variables, this_cpu_*, preempt_disable
 *   interrupt.h  local_bh_disable, tasklets, timers (softirq context)
 *   wait.h       wait_event*, signals, completion timeouts, wait_var_event, wait_on_bit
 *   slab.h       kmalloc family, kvfree, vmalloc, kmem_cache
 *   workqueue.h  alloc_workqueue, queue_work, flush_work, cancel_work_sync, delayed work
 *                (implemented in core/kernel/workqueue.c)
 */
#ifndef KWEAVE_KERNEL_H
#define KWEAVE_KERNEL_H

#include <kweave/kweave.h>
#include <kweave/types.h>
#include <kweave/atomic.h>
#include <kweave/percpu.h>
#include <kweave/interrupt.h>
#include <kweave/bitops.h>
#include <kweave/slab.h>

/* Object types: their state lives in the engine, keyed by address. */
struct mutex { int kw_unused; };
typedef struct spinlock { int kw_unused; } spinlock_t;
typedef struct raw_spinlock { int kw_unused; } raw_spinlock_t;
struct rw_semaphore { int kw_unused; };
struct completion { int kw_unused; };
typedef struct wait_queue_head { int kw_unused; } wait_queue_head_t;
struct task_struct;

#define DEFINE_MUTEX(n) struct mutex n
#define DEFINE_SPINLOCK(n) spinlock_t n
#define DEFINE_RAW_SPINLOCK(n) raw_spinlock_t n
#define DECLARE_RWSEM(n) struct rw_semaphore n
#define DECLARE_COMPLETION(n) struct completion n
#define DECLARE_WAIT_QUEUE_HEAD(n) wait_queue_head_t n

#define mutex_init(m) ((void)(m))
#define spin_lock_init(l) ((void)(l))
#define raw_spin_lock_init(l) ((void)(l))
#define init_rwsem(s) ((void)(s))
#define init_waitqueue_head(q) ((void)(q))

#define spin_lock(l) kw_spin_lock(l)
#define spin_trylock(l) kw_spin_trylock(l)
#define spin_unlock(l) kw_spin_unlock(l)
#define spin_lock_irqsave(l, f) ((f) = kw_spin_lock_irqsave(l))
#define spin_unlock_irqrestore(l, f) kw_spin_unlock_irqrestore(l, f)
#define spin_lock_irq(l) kw_spin_lock_irq(l)
#define spin_unlock_irq(l) kw_spin_unlock_irq(l)
#define spin_lock_bh(l) kw_spin_lock_bh(l)
#define spin_unlock_bh(l) kw_spin_unlock_bh(l)
#define spin_trylock_bh(l) kw_spin_trylock_bh(l)
#define spin_trylock_irqsave(l, f) ({ (f) = kw_local_irq_save(); kw_spin_trylock(l) ? 1 : (kw_local_irq_restore(f), 0); })
#define spin_lock_nested(l, sub) kw_spin_lock_nested((l), (sub))
#define spin_lock_irqsave_nested(l, f, sub) ((f) = kw_local_irq_save(), kw_spin_lock_nested((l), (sub)))
#define raw_spin_lock(l) kw_spin_lock(l)
#define raw_spin_trylock(l) kw_spin_trylock(l)
#define raw_spin_unlock(l) kw_spin_unlock(l)
#define raw_spin_lock_irqsave(l, f) ((f) = kw_spin_lock_irqsave(l))
#define raw_spin_unlock_irqrestore(l, f) kw_spin_unlock_irqrestore(l, f)
#define raw_spin_lock_irq(l) kw_spin_lock_irq(l)
#define raw_spin_unlock_irq(l) kw_spin_unlock_irq(l)
#define raw_spin_lock_bh(l) kw_spin_lock_bh(l)
#define raw_spin_unlock_bh(l) kw_spin_unlock_bh(l)
#define raw_spin_lock_nested(l, sub) kw_spin_lock_nested((l), (sub))
#define SINGLE_DEPTH_NESTING 1

#define mutex_lock(m) kw_mutex_lock(m)
#define mutex_trylock(m) kw_mutex_trylock(m)
#define mutex_unlock(m) kw_mutex_unlock(m)
#define mutex_is_locked(m) kw_mutex_is_locked(m)
#define mutex_lock_nested(m, sub) kw_mutex_lock_nested((m), (sub))
#define mutex_lock_interruptible(m) (kw_mutex_lock(m), 0)
#define mutex_lock_killable(m) (kw_mutex_lock(m), 0)
#define mutex_destroy(m) ((void)(m))

#define down_read(s) kw_down_read(s)
#define down_read_trylock(s) kw_down_read_trylock(s)
#define up_read(s) kw_up_read(s)
#define down_write(s) kw_down_write(s)
#define down_write_trylock(s) kw_down_write_trylock(s)
#define up_write(s) kw_up_write(s)
#define down_write_nested(s, sub) kw_down_write_nested((s), (sub))
#define down_read_nested(s, sub) kw_down_read(s)
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
#define current ((struct task_struct *)kw_current())
#define set_current_state(s) kw_set_current_state(s)
#define __set_current_state(s) kw_set_current_state(s)
#define prepare_to_wait(q, w, s) kw_prepare_to_wait((q), (s))
#define finish_wait(q, w) kw_finish_wait(q)
#define DEFINE_WAIT(w) int w __attribute__((unused)) = 0
#define schedule() kw_schedule()
#define schedule_timeout(t) kw_schedule_timeout(t)
#define wake_up(q) kw_wake_up(q)
#define wake_up_all(q) kw_wake_up_all(q)
#define wake_up_process(t) kw_wake_up_process((struct kw_thread *)(t))
#define jiffies kw_jiffies()
#define might_sleep() kw_might_sleep()

#define in_task() kw_in_task()
#define in_irq() kw_in_irq()
#define in_hardirq() kw_in_irq()
#define irqs_disabled() kw_irqs_disabled()
#define local_irq_save(f) ((f) = kw_local_irq_save())
#define local_irq_restore(f) kw_local_irq_restore(f)
#define local_irq_disable() kw_local_irq_disable()
#define local_irq_enable() kw_local_irq_enable()

#define lockdep_assert_held(l) kw_lockdep_assert_held(l)
#define lockdep_assert_held_once(l) kw_lockdep_assert_held(l)
#define lockdep_assert_held_write(l) kw_lockdep_assert_held(l)
#define lockdep_assert_held_read(l) kw_lockdep_assert_held(l)
#define lockdep_is_held(l) kw_lockdep_is_held((void *)(l))
#define lockdep_assert_not_held(l) kw_check_named("lockdep_assert_not_held", !kw_lockdep_is_held((void *)(l)), "%s is held here", #l)
#define lockdep_assert_irqs_disabled() kw_check_named("lockdep_assert_irqs_disabled", kw_irqs_disabled(), "IRQs are enabled here")
#define lockdep_assert_irqs_enabled() kw_check_named("lockdep_assert_irqs_enabled", !kw_irqs_disabled(), "IRQs are disabled here")
#define lockdep_assert_preemption_disabled() kw_check_named("lockdep_assert_preemption_disabled", kw_preempt_count() != 0, "preemption is enabled here")
#define lockdep_assert_in_softirq() kw_check_named("lockdep_assert_in_softirq", kw_in_serving_softirq(), "not in softirq context")
#define might_lock(l) kw_might_lock((l), 0)
#define might_lock_read(l) kw_might_lock((l), 1)
#define might_lock_nested(l, sub) kw_might_lock((l), 0)
#define lockdep_set_class(l, key) ((void)(l))
#define lockdep_set_subclass(l, sub) ((void)(l))

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

#define BUILD_BUG_ON(c) _Static_assert(!(c), #c)
#define WARN(c, ...)                                                                   \
	({                                                                             \
		int kw__w2 = !!(c);                                                    \
		if (kw__w2)                                                            \
			kw_check_failed("WARN_ON", 1, __VA_ARGS__);                    \
		kw__w2;                                                                \
	})
#define WARN_ONCE(c, ...) WARN(c, __VA_ARGS__)

#include <kweave/wait.h>
#include <kweave/refcount.h>
#include <kweave/seqlock.h>
#include <kweave/rcupdate.h>
#include <kweave/list.h>
#include <kweave/rculist.h>
#include <kweave/llist.h>
#include <kweave/workqueue.h>
#include <kweave/percpu-refcount.h>

#endif /* KWEAVE_KERNEL_H */
