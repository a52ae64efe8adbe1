// SPDX-License-Identifier: GPL-2.0-only
/*
 * refcount.h - refcount_t and kref, with the kernel's saturation semantics, its warnings as
 * checks, and the orderings of Documentation/core-api/refcount-vs-atomic.rst:
 *  - refcount_set/read, refcount_inc/add, refcount_inc_not_zero/add_not_zero: unordered
 *    (a control dependency orders the stores after a successful inc_not_zero);
 *  - refcount_dec, refcount_dec_and_test/sub_and_test, dec_not_one, dec_if_one: RELEASE;
 *    a decrement that reaches zero (returns true) is also ACQUIRE, so the releaser sees
 *    everything every other holder did before its own decrement.
 * Checks (each fails the run with the kernel's message; the counter is saturated first, as
 * the kernel does, so a WARN_ON-tolerant caller would see REFCOUNT_SATURATED):
 *  "refcount-addition-on-0"     refcount_inc/add of 0: "addition on 0; use-after-free"
 *  "refcount-saturated"         an increment overflowed: "saturated; leaking memory"
 *  "refcount-underflow"         a decrement below 0: "underflow; use-after-free"
 *  "refcount-decrement-hit-0"   refcount_dec() reached 0: "decrement hit 0; leaking memory"
 * kref: kref_init/get/put/put_mutex/put_lock/get_unless_zero/read over refcount_t;
 * kref_put() calls release() with the last reference.
 */
#ifndef KWEAVE_REFCOUNT_H
#define KWEAVE_REFCOUNT_H

#include <kweave/kweave.h>
#include <kweave/types.h>
#include <kweave/atomic.h>

typedef struct refcount_struct {
	atomic_t refs;
} refcount_t;

#define REFCOUNT_INIT(n) { .refs = ATOMIC_INIT(n) }
#define REFCOUNT_MAX INT_MAX
#define REFCOUNT_SATURATED (INT_MIN / 2)

/* int arithmetic that wraps, as the kernel's (-fno-strict-overflow) */
#define kw__rc_add(a, b) ((int)((unsigned)(a) + (unsigned)(b)))
#define kw__rc_sub(a, b) ((int)((unsigned)(a) - (unsigned)(b)))

#define kw__refcount_warn(r, check, msg)                                               \
	do {                                                                           \
		atomic_set(&(r)->refs, REFCOUNT_SATURATED);                            \
		kw_check_failed((check), 1, "refcount_t: %s", (msg));                  \
	} while (0)

#define refcount_set(r, n) atomic_set(&(r)->refs, (n))
#define refcount_set_release(r, n) atomic_set_release(&(r)->refs, (n))
#define refcount_read(r) atomic_read(&(r)->refs)

#define refcount_add(i, r)                                                             \
	do {                                                                           \
		refcount_t *kw__ra = (r);                                              \
		int kw__ri = (i);                                                      \
		int kw__ro = atomic_fetch_add_relaxed(kw__ri, &kw__ra->refs);          \
		if (unlikely(!kw__ro))                                                 \
			kw__refcount_warn(kw__ra, "refcount-addition-on-0",            \
					  "addition on 0; use-after-free");            \
		else if (unlikely(kw__ro < 0 || kw__rc_add(kw__ro, kw__ri) < 0))                  \
			kw__refcount_warn(kw__ra, "refcount-saturated",                \
					  "saturated; leaking memory");                \
	} while (0)
#define refcount_inc(r) refcount_add(1, r)

#define refcount_add_not_zero(i, r)                                                    \
	({                                                                             \
		refcount_t *kw__rz = (r);                                              \
		int kw__rzi = (i), kw__rzo = refcount_read(kw__rz);                    \
		do {                                                                   \
			if (!kw__rzo)                                                  \
				break;                                                 \
		} while (!atomic_try_cmpxchg_relaxed(&kw__rz->refs, &kw__rzo, kw__rc_add(kw__rzo, kw__rzi))); \
		if (unlikely(kw__rzo < 0 || kw__rc_add(kw__rzo, kw__rzi) < 0))                    \
			kw__refcount_warn(kw__rz, "refcount-saturated", "saturated; leaking memory"); \
		kw__rzo != 0;                                                          \
	})
#define refcount_inc_not_zero(r) refcount_add_not_zero(1, r)

#define refcount_sub_and_test(i, r)                                                    \
	({                                                                             \
		refcount_t *kw__rs = (r);                                              \
		int kw__rsi = (i);                                                     \
		int kw__rso = atomic_fetch_sub_release(kw__rsi, &kw__rs->refs);        \
		bool kw__rsz = kw__rso == kw__rsi;                                     \
		if (kw__rsz)                                                           \
			smp_acquire__after_ctrl_dep(); /* pairs with the RELEASE of the other decrements */ \
		else if (unlikely(kw__rso < 0 || kw__rc_sub(kw__rso, kw__rsi) < 0))               \
			kw__refcount_warn(kw__rs, "refcount-underflow", "underflow; use-after-free"); \
		kw__rsz;                                                               \
	})
#define refcount_dec_and_test(r) refcount_sub_and_test(1, r)

#define refcount_dec(r)                                                                \
	do {                                                                           \
		refcount_t *kw__rd = (r);                                              \
		int kw__rdo = atomic_fetch_sub_release(1, &kw__rd->refs);              \
		if (unlikely(kw__rdo == 1))                                            \
			kw__refcount_warn(kw__rd, "refcount-decrement-hit-0",          \
					  "decrement hit 0; leaking memory");          \
		else if (unlikely(kw__rdo <= 0))                                       \
			kw__refcount_warn(kw__rd, "refcount-underflow", "underflow; use-after-free"); \
	} while (0)

/* 1 -> 0 only (RELEASE on success) */
#define refcount_dec_if_one(r)                                                         \
	({                                                                             \
		int kw__r1 = 1;                                                        \
		atomic_try_cmpxchg_release(&(r)->refs, &kw__r1, 0);                    \
	})

/* decrement unless that would reach 0 (RELEASE on success); true if it decremented */
#define refcount_dec_not_one(r)                                                        \
	({                                                                             \
		refcount_t *kw__rn = (r);                                              \
		int kw__rno = refcount_read(kw__rn);                                   \
		bool kw__rnr = true;                                                   \
		for (;;) {                                                             \
			if (unlikely(kw__rno == REFCOUNT_SATURATED))                   \
				break;                                                 \
			if (kw__rno == 1) {                                            \
				kw__rnr = false;                                       \
				break;                                                 \
			}                                                              \
			if (unlikely(kw__rc_sub(kw__rno, 1) < 0)) {                               \
				kw__refcount_warn(kw__rn, "refcount-underflow", "underflow; use-after-free"); \
				break;                                                 \
			}                                                              \
			if (atomic_try_cmpxchg_release(&kw__rn->refs, &kw__rno, kw__rc_sub(kw__rno, 1))) \
				break;                                                 \
		}                                                                      \
		kw__rnr;                                                               \
	})

/* decrement; if that reaches 0, return true with the lock held */
#define refcount_dec_and_lock(r, lock)                                                 \
	({                                                                             \
		refcount_t *kw__rl = (r);                                              \
		bool kw__rlr = false;                                                  \
		if (!refcount_dec_not_one(kw__rl)) {                                   \
			spin_lock(lock);                                               \
			kw__rlr = refcount_dec_and_test(kw__rl);                       \
			if (!kw__rlr)                                                  \
				spin_unlock(lock);                                     \
		}                                                                      \
		kw__rlr;                                                               \
	})
#define refcount_dec_and_mutex_lock(r, lock)                                           \
	({                                                                             \
		refcount_t *kw__rm = (r);                                              \
		bool kw__rmr = false;                                                  \
		if (!refcount_dec_not_one(kw__rm)) {                                   \
			mutex_lock(lock);                                              \
			kw__rmr = refcount_dec_and_test(kw__rm);                       \
			if (!kw__rmr)                                                  \
				mutex_unlock(lock);                                    \
		}                                                                      \
		kw__rmr;                                                               \
	})

/* ---- kref ----------------------------------------------------------------------------------- */

struct kref {
	refcount_t refcount;
};

#define KREF_INIT(n) { .refcount = REFCOUNT_INIT(n) }
#define kref_init(k) refcount_set(&(k)->refcount, 1)
#define kref_read(k) ((unsigned int)refcount_read(&(k)->refcount))
#define kref_get(k) refcount_inc(&(k)->refcount)
#define kref_get_unless_zero(k) refcount_inc_not_zero(&(k)->refcount)
#define kref_put(k, release)                                                           \
	({                                                                             \
		struct kref *kw__kp = (k);                                             \
		int kw__kpr = 0;                                                       \
		if (refcount_dec_and_test(&kw__kp->refcount)) {                        \
			(release)(kw__kp);                                             \
			kw__kpr = 1;                                                   \
		}                                                                      \
		kw__kpr;                                                               \
	})
#define kref_put_mutex(k, release, lock)                                               \
	({                                                                             \
		struct kref *kw__km = (k);                                             \
		int kw__kmr = 0;                                                       \
		if (refcount_dec_and_mutex_lock(&kw__km->refcount, (lock))) {          \
			(release)(kw__km);                                             \
			kw__kmr = 1;                                                   \
		}                                                                      \
		kw__kmr;                                                               \
	})
#define kref_put_lock(k, release, lock)                                                \
	({                                                                             \
		struct kref *kw__kl = (k);                                             \
		int kw__klr = 0;                                                       \
		if (refcount_dec_and_lock(&kw__kl->refcount, (lock))) {                \
			(release)(kw__kl);                                             \
			kw__klr = 1;                                                   \
		}                                                                      \
		kw__klr;                                                               \
	})

#endif /* KWEAVE_REFCOUNT_H */
