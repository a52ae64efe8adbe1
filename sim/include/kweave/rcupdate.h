// SPDX-License-Identifier: GPL-2.0-only
/*
 * rcupdate.h - RCU: read-side critical sections, grace periods, callbacks, and the pointer
 * accessors (the engine's model is sim/kernel/rcu.c).
 *
 *  - Readers: rcu_read_lock()/rcu_read_unlock() (and _bh, _sched) nest; so does any region
 *    with preemption, bottom halves or IRQs disabled, and an interrupt handler (the
 *    consolidated RCU of Linux 4.20 and later: synchronize_rcu() waits for all of them).
 *    Sleeping inside rcu_read_lock() is reported ("sleep-in-rcu-reader"), so is
 *    synchronize_rcu() or rcu_barrier() inside a reader ("deadlock").
 *  - Grace periods: synchronize_rcu() returns once every reader region that was active when
 *    it started has ended, and happens after each of them (and after every region that had
 *    ended before it started); a region that begins after a grace period has started happens
 *    after that start. That is the LKMM's fundamental law of RCU.
 *  - Callbacks: call_rcu()/kfree_rcu() run the callback (or kfree) in softirq context on
 *    the calling CPU after a grace period; rcu_barrier() waits for every callback queued
 *    before it. Memory freed this way is a use after free for a reader that keeps using it
 *    after its read-side critical section.
 *  - Pointers: rcu_dereference*() is an acquire load (consume promoted: address dependencies
 *    are not tracked - see the README), checked against the reader state as CONFIG_PROVE_RCU
 *    does ("suspicious-rcu-usage"); rcu_assign_pointer() a release store (a plain
 *    WRITE_ONCE for NULL); rcu_dereference_protected() a plain load under the caller's
 *    condition; rcu_access_pointer() a READ_ONCE for comparisons only.
 */
#ifndef KWEAVE_RCUPDATE_H
#define KWEAVE_RCUPDATE_H

#include <kweave/kweave.h>
#include <kweave/types.h>
#include <kweave/atomic.h>

struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
};
#define callback_head rcu_head
typedef void (*rcu_callback_t)(struct rcu_head *head);

#define rcu_read_lock() kw_rcu_read_lock()
#define rcu_read_unlock() kw_rcu_read_unlock()
#define rcu_read_lock_bh() (kw_local_bh_disable(), kw_rcu_read_lock())
#define rcu_read_unlock_bh() (kw_rcu_read_unlock(), kw_local_bh_enable())
#define rcu_read_lock_sched() (kw_preempt_disable(), kw_rcu_read_lock())
#define rcu_read_unlock_sched() (kw_rcu_read_unlock(), kw_preempt_enable())
#define rcu_read_lock_sched_notrace() rcu_read_lock_sched()
#define rcu_read_unlock_sched_notrace() rcu_read_unlock_sched()
#define rcu_read_lock_held() kw_rcu_read_lock_held()
#define rcu_read_lock_bh_held() kw_rcu_read_lock_any_held()
#define rcu_read_lock_sched_held() kw_rcu_read_lock_any_held()
#define rcu_read_lock_any_held() kw_rcu_read_lock_any_held()

#define synchronize_rcu() kw_synchronize_rcu()
#define synchronize_rcu_expedited() kw_synchronize_rcu()
#define synchronize_net() kw_synchronize_rcu()
#define call_rcu(head, fn) kw_call_rcu((head), (fn))
#define call_rcu_hurry(head, fn) kw_call_rcu((head), (fn))
#define rcu_barrier() kw_rcu_barrier()
/* kfree_rcu(ptr, rhf) / kfree_rcu(ptr): kfree after a grace period */
#define kw__kfree_rcu2(p, f) kw_kfree_rcu((const void *)(p))
#define kw__kfree_rcu1(p) kw_kfree_rcu((const void *)(p))
#define kw__kfree_rcu_pick(_1, _2, name, ...) name
#define kfree_rcu(...) kw__kfree_rcu_pick(__VA_ARGS__, kw__kfree_rcu2, kw__kfree_rcu1, x)(__VA_ARGS__)
#define kvfree_rcu(...) kfree_rcu(__VA_ARGS__)
#define kfree_rcu_mightsleep(p) (kw_might_sleep(), kw_kfree_rcu((const void *)(p)))
#define kvfree_rcu_mightsleep(p) kfree_rcu_mightsleep(p)

/* ---- pointers ------------------------------------------------------------------------------- */

#define RCU_INITIALIZER(v) (v)
#define RCU_INIT_POINTER(p, v) WRITE_ONCE(p, v)
#define rcu_access_pointer(p) READ_ONCE(p)
#define kw__rcu_deref(p, ok, what)                                                     \
	({                                                                             \
		kw_rcu_check((ok), what);                                              \
		__atomic_load_n(&(p), __ATOMIC_ACQUIRE);                               \
	})
#define rcu_dereference_check(p, c) kw__rcu_deref(p, kw_rcu_read_lock_any_held() || (c), "rcu_dereference_check() outside an RCU read-side critical section and without the condition")
#define rcu_dereference(p) kw__rcu_deref(p, kw_rcu_read_lock_any_held(), "rcu_dereference() outside an RCU read-side critical section")
#define rcu_dereference_bh(p) kw__rcu_deref(p, kw_rcu_read_lock_any_held(), "rcu_dereference_bh() outside an RCU-bh read-side critical section")
#define rcu_dereference_sched(p) kw__rcu_deref(p, kw_rcu_read_lock_any_held(), "rcu_dereference_sched() outside an RCU-sched read-side critical section")
#define rcu_dereference_raw(p) __atomic_load_n(&(p), __ATOMIC_ACQUIRE)
#define rcu_dereference_protected(p, c)                                                \
	({                                                                             \
		kw_rcu_check(!!(c), "rcu_dereference_protected() without its protection"); \
		(p);                                                                   \
	})
#define rcu_assign_pointer(p, v)                                                       \
	do {                                                                           \
		if (__builtin_constant_p(v) && !(uintptr_t)(v))                        \
			__atomic_store_n(&(p), (v), __ATOMIC_RELAXED);                 \
		else                                                                   \
			__atomic_store_n(&(p), (v), __ATOMIC_RELEASE);                 \
	} while (0)
#define rcu_replace_pointer(p, v, c)                                                   \
	({                                                                             \
		__typeof__(p) kw__rp = rcu_dereference_protected(p, c);                \
		rcu_assign_pointer(p, v);                                              \
		kw__rp;                                                                \
	})
#define rcu_pointer_handoff(p) (p)

#endif /* KWEAVE_RCUPDATE_H */
