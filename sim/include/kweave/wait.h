// SPDX-License-Identifier: GPL-2.0-only
/*
 * wait.h - sleeping until a condition holds: wait_event() and its _timeout, _interruptible
 * and _killable forms, completions with a timeout or a signal, schedule_timeout_*(), signals,
 * and the hashed waits on a variable or a bit (wait_var_event(), wait_on_bit()).
 *
 *  - Virtual time: a sleep with a timeout may time out at any scheduling point (which is a
 *    decision); jiffies then jumps to its deadline. Without a wake-up or a timeout a sleeper
 *    stays asleep: if nothing else can run, that is a hang.
 *  - Signals: send_sig() from another thread (when it arrives is a scheduling decision) wakes
 *    an interruptible (killable: fatal) sleep, which returns -ERESTARTSYS; it stays pending.
 *  - wait_event*(): the kernel's loop (prepare_to_wait, test, schedule); wake_up() implies a
 *    full barrier and takes the queue's lock, so waker and waiter need no barrier of their own.
 *  - wake_up_var()/wake_up_bit() (and waitqueue_active()) test for waiters without any
 *    barrier, as the kernel does: the waker must order its condition store before the call
 *    (smp_mb(), smp_mb__after_atomic(), or a fully ordered atomic), else the wakeup can be
 *    lost - kweave finds that under the weak model.
 */
#ifndef KWEAVE_WAIT_H
#define KWEAVE_WAIT_H

#include <kweave/kweave.h>
#include <kweave/types.h>
#include <kweave/bitops.h>

#define TASK_INTERRUPTIBLE KW_TASK_INTERRUPTIBLE
#define TASK_KILLABLE KW_TASK_KILLABLE
#define TASK_WAKEKILL KW_TASK_WAKEKILL
#define TASK_IDLE KW_TASK_UNINTERRUPTIBLE

/* signals */
#define SIGINT 2
#define SIGKILL 9
#define SIGTERM 15
#define send_sig(sig, task, priv) kw_send_sig((struct kw_thread *)(task), (sig) == SIGKILL)
#define force_sig(sig) kw_send_sig(kw_current(), (sig) == SIGKILL)
#define signal_pending(task) kw_signal_pending((struct kw_thread *)(task))
#define fatal_signal_pending(task) kw_fatal_signal_pending((struct kw_thread *)(task))
#define kw__signal_for(state) (((state) == TASK_INTERRUPTIBLE && kw_signal_pending(kw_current())) || \
			       (((state) & TASK_WAKEKILL) && kw_fatal_signal_pending(kw_current())))

/* schedule_timeout() variants: set the state, then sleep */
#define schedule_timeout_uninterruptible(t) ({ kw_set_current_state(KW_TASK_UNINTERRUPTIBLE); kw_schedule_timeout(t); })
#define schedule_timeout_interruptible(t) ({ kw_set_current_state(KW_TASK_INTERRUPTIBLE); kw_schedule_timeout(t); })
#define schedule_timeout_killable(t) ({ kw_set_current_state(KW_TASK_KILLABLE); kw_schedule_timeout(t); })
#define schedule_timeout_idle(t) schedule_timeout_uninterruptible(t)
#define msleep(ms)                                                                     \
	do {                                                                           \
		long kw__ms = (long)msecs_to_jiffies(ms) + 1;                          \
		while (kw__ms)                                                         \
			kw__ms = schedule_timeout_uninterruptible(kw__ms);             \
	} while (0)
#define msleep_interruptible(ms) ({ long kw__ml = schedule_timeout_interruptible(msecs_to_jiffies(ms) + 1); \
				    (unsigned long)jiffies_to_msecs(kw__ml); })
#define ssleep(s) msleep((s) * 1000)
#define usleep_range(a, b) msleep(((a) + 999) / 1000)

/*
 * The one wait loop (prepare_to_wait first, then the condition: the kernel's fast-path test
 * before the loop is left out, it changes nothing but the number of loads): state, timeout
 * (0: none), and whether a signal ends it. Its value is
 * the timeout's ticks left (at least 1) or 1 when the condition held, 0 when the time ran
 * out first, -ERESTARTSYS when a signal came first.
 */
#define kw__wait_event(wq, cond, state, tmo)                                           \
	({                                                                             \
		long kw__wt = (tmo), kw__wr = 1;                                       \
		for (;;) {                                                             \
			kw_prepare_to_wait(&(wq), (state));                            \
			if (cond)                                                      \
				break;                                                 \
			if (kw__signal_for(state)) {                                   \
				kw__wr = -ERESTARTSYS;                                 \
				break;                                                 \
			}                                                              \
			if (kw__wt) {                                                  \
				kw__wt = kw_schedule_timeout(kw__wt);                  \
				if (!kw__wt) {                                         \
					kw__wr = (cond) ? 1 : 0;                       \
					break;                                         \
				}                                                      \
			} else {                                                       \
				kw_schedule();                                         \
			}                                                              \
		}                                                                      \
		kw_finish_wait(&(wq));                                                 \
		if (kw__wr == 1 && kw__wt > 1)                                         \
			kw__wr = kw__wt;                                               \
		kw__wr;                                                                \
	})

#define wait_event(wq, cond) ((void)kw__wait_event(wq, cond, KW_TASK_UNINTERRUPTIBLE, 0))
#define wait_event_timeout(wq, cond, t) kw__wait_event(wq, cond, KW_TASK_UNINTERRUPTIBLE, (long)(t))
#define wait_event_interruptible(wq, cond) ((int)(kw__wait_event(wq, cond, KW_TASK_INTERRUPTIBLE, 0) < 0 ? -ERESTARTSYS : 0))
#define wait_event_killable(wq, cond) ((int)(kw__wait_event(wq, cond, KW_TASK_KILLABLE, 0) < 0 ? -ERESTARTSYS : 0))
#define wait_event_interruptible_timeout(wq, cond, t) kw__wait_event(wq, cond, KW_TASK_INTERRUPTIBLE, (long)(t))
#define wait_event_killable_timeout(wq, cond, t) kw__wait_event(wq, cond, KW_TASK_KILLABLE, (long)(t))
#define wait_event_idle(wq, cond) wait_event(wq, cond)

/* lockless tests for waiters: no barrier (waitqueue_active) or smp_mb() first */
#define waitqueue_active(wq) kw_waitqueue_active(wq)
#define wq_has_sleeper(wq) ({ smp_mb(); kw_waitqueue_active(wq); })

/* completions with a timeout or a signal */
#define wait_for_completion_timeout(c, t) ((unsigned long)kw_wait_for_completion_timeout((c), (long)(t), KW_TASK_UNINTERRUPTIBLE))
#define wait_for_completion_interruptible(c) ((int)(kw_wait_for_completion_timeout((c), 0, KW_TASK_INTERRUPTIBLE) < 0 ? -ERESTARTSYS : 0))
#define wait_for_completion_killable(c) ((int)(kw_wait_for_completion_timeout((c), 0, KW_TASK_KILLABLE) < 0 ? -ERESTARTSYS : 0))
#define wait_for_completion_interruptible_timeout(c, t) kw_wait_for_completion_timeout((c), (long)(t), KW_TASK_INTERRUPTIBLE)
#define wait_for_completion_killable_timeout(c, t) kw_wait_for_completion_timeout((c), (long)(t), KW_TASK_KILLABLE)
#define wait_for_completion_io(c) kw_wait_for_completion(c)
#define wait_for_completion_io_timeout(c, t) wait_for_completion_timeout(c, t)

/* ---- waiting on a variable or a bit (hashed wait queues) ---------------------------------- */

#define kw__wait_key(key, bit, cond, state, tmo)                                       \
	({                                                                             \
		long kw__kt = (tmo), kw__kr = 1;                                       \
		for (;;) {                                                             \
			kw_prepare_to_wait_key((key), (bit), (state));                 \
			if (cond)                                                      \
				break;                                                 \
			if (kw__signal_for(state)) {                                   \
				kw__kr = -ERESTARTSYS;                                 \
				break;                                                 \
			}                                                              \
			if (kw__kt) {                                                  \
				kw__kt = kw_schedule_timeout(kw__kt);                  \
				if (!kw__kt) {                                         \
					kw__kr = (cond) ? 1 : 0;                       \
					break;                                         \
				}                                                      \
			} else {                                                       \
				kw_schedule();                                         \
			}                                                              \
		}                                                                      \
		kw_finish_wait_key((key), (bit));                                      \
		if (kw__kr == 1 && kw__kt > 1)                                         \
			kw__kr = kw__kt;                                               \
		kw__kr;                                                                \
	})

#define wait_var_event(var, cond) ((void)kw__wait_key((var), -1, cond, KW_TASK_UNINTERRUPTIBLE, 0))
#define wait_var_event_timeout(var, cond, t) kw__wait_key((var), -1, cond, KW_TASK_UNINTERRUPTIBLE, (long)(t))
#define wait_var_event_interruptible(var, cond) ((int)(kw__wait_key((var), -1, cond, KW_TASK_INTERRUPTIBLE, 0) < 0 ? -ERESTARTSYS : 0))
#define wait_var_event_killable(var, cond) ((int)(kw__wait_key((var), -1, cond, KW_TASK_KILLABLE, 0) < 0 ? -ERESTARTSYS : 0))
#define wake_up_var(var) kw_wake_up_key((var), -1)

/* wait_on_bit(): until the bit is clear (acquire), 0 or -EINTR after a signal */
#define wait_on_bit(word, bit, mode)                                                   \
	((int)(kw__wait_key((word), (int)(bit), !test_bit_acquire((bit), (word)), (mode), 0) < 0 ? -EINTR : 0))
#define wait_on_bit_timeout(word, bit, mode, t)                                        \
	({                                                                             \
		long kw__bt = kw__wait_key((word), (int)(bit), !test_bit_acquire((bit), (word)), (mode), (long)(t)); \
		kw__bt < 0 ? -EINTR : kw__bt == 0 ? -EAGAIN : 0;                       \
	})
/* wait_on_bit_lock(): until this thread has set the bit (acquire) */
#define wait_on_bit_lock(word, bit, mode)                                              \
	((int)(kw__wait_key((word), (int)(bit), !test_and_set_bit_lock((bit), (word)), (mode), 0) < 0 ? -EINTR : 0))
#define wake_up_bit(word, bit) kw_wake_up_key((word), (int)(bit))
#define clear_and_wake_up_bit(bit, word)                                               \
	do {                                                                           \
		clear_bit_unlock((bit), (word));                                       \
		smp_mb__after_atomic(); /* pairs with the barrier in prepare_to_wait */ \
		wake_up_bit((word), (bit));                                            \
	} while (0)

#endif /* KWEAVE_WAIT_H */
