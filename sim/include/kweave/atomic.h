// SPDX-License-Identifier: GPL-2.0-only
/*
 * atomic.h - the memory-access half of the kernel-style headers: READ_ONCE and friends,
 * barriers, cmpxchg/xchg, the whole atomic_t/atomic64_t/atomic_long_t API (every operation
 * of Documentation/atomic_t.txt with its _relaxed/_acquire/_release forms), data_race(),
 * cpu_relax() and smp_cond_load_*().
 *
 * Marked accesses are C11 atomics (__atomic builtins), never volatile casts: a volatile access
 * reaches the instrumentation as a plain one and could not be told apart. In the simulation
 * builds the compiler's ThreadSanitizer instrumentation hands each of them, with its memory
 * order, to kweave's runtime, which performs it under the memory model; in the native preset
 * they are ordinary atomics on real threads. Kernel semantics, mapped to C11:
 *  - READ_ONCE/WRITE_ONCE: relaxed; smp_load_acquire/smp_store_release: acquire/release;
 *  - value-returning RMWs (xchg, cmpxchg, atomic_*_return, atomic_fetch_*, *_and_test,
 *    add_negative): fully ordered, passed as seq_cst, which kweave treats as smp_mb() before
 *    and after; their _acquire/_release/_relaxed forms pass that order;
 *  - cmpxchg() and the conditional RMWs (add_unless, inc_not_zero, dec_if_positive...):
 *    ordered as above on success, no ordering at all on failure;
 *  - void RMWs (atomic_inc, atomic_add, atomic_andnot...), atomic_read/atomic_set: relaxed;
 *  - smp_mb(), smp_mb__{before,after}_atomic(), smp_mb__after_spinlock(),
 *    smp_mb__after_unlock_lock(), smp_store_mb(): a seq_cst fence; smp_rmb()/smp_wmb():
 *    kweave's load-only/store-only fences; smp_acquire__after_ctrl_dep(): an acquire fence.
 * Macros, not inline functions: every access carries the caller's file:line.
 */
#ifndef KWEAVE_ATOMIC_H
#define KWEAVE_ATOMIC_H

#include <kweave/kweave.h>
#include <kweave/types.h>
#include <stddef.h>

#define barrier() __asm__ __volatile__("" ::: "memory")

#define READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define smp_load_acquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define smp_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

#ifdef KW_NATIVE
#define smp_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#else
#define smp_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_rmb() kw_fence(KW_FENCE_RMB)
#define smp_wmb() kw_fence(KW_FENCE_WMB)
#endif
#define smp_mb__before_atomic() smp_mb()
#define smp_mb__after_atomic() smp_mb()
#define smp_mb__after_spinlock() smp_mb()
#define smp_mb__after_unlock_lock() smp_mb()
#define smp_acquire__after_ctrl_dep() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_store_mb(var, v)                                                           \
	do {                                                                           \
		WRITE_ONCE(var, v);                                                    \
		smp_mb();                                                              \
	} while (0)

/* cmpxchg family: returns the old value. */
#define kw__cmpxchg(p, o, n, mo)                                                        \
	({                                                                              \
		__typeof__(*(p)) kw__old = (o);                                         \
		__atomic_compare_exchange_n((p), &kw__old, (n), 0, (mo), __ATOMIC_RELAXED); \
		kw__old;                                                                \
	})
#define cmpxchg(p, o, n) kw__cmpxchg(p, o, n, __ATOMIC_SEQ_CST)
#define cmpxchg_relaxed(p, o, n) kw__cmpxchg(p, o, n, __ATOMIC_RELAXED)
#define cmpxchg_acquire(p, o, n) kw__cmpxchg(p, o, n, __ATOMIC_ACQUIRE)
#define cmpxchg_release(p, o, n) kw__cmpxchg(p, o, n, __ATOMIC_RELEASE)
/* try_cmpxchg: bool; on failure *po gets the current value. */
#define try_cmpxchg(p, po, n) __atomic_compare_exchange_n((p), (po), (n), 0, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)
#define try_cmpxchg_relaxed(p, po, n) __atomic_compare_exchange_n((p), (po), (n), 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)
#define try_cmpxchg_acquire(p, po, n) __atomic_compare_exchange_n((p), (po), (n), 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)
#define try_cmpxchg_release(p, po, n) __atomic_compare_exchange_n((p), (po), (n), 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED)
#define xchg(p, v) __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#define xchg_relaxed(p, v) __atomic_exchange_n((p), (v), __ATOMIC_RELAXED)
#define xchg_acquire(p, v) __atomic_exchange_n((p), (v), __ATOMIC_ACQUIRE)
#define xchg_release(p, v) __atomic_exchange_n((p), (v), __ATOMIC_RELEASE)
#define cmpxchg64(p, o, n) cmpxchg(p, o, n)
#define cmpxchg64_relaxed(p, o, n) cmpxchg_relaxed(p, o, n)
#define try_cmpxchg64(p, po, n) try_cmpxchg(p, po, n)

/* ---- atomic_t / atomic64_t / atomic_long_t ------------------------------------------------ */

typedef struct { int counter; } atomic_t;
typedef struct { s64 counter; } atomic64_t;
typedef struct { long counter; } atomic_long_t;
#define ATOMIC_INIT(i) { (i) }
#define ATOMIC64_INIT(i) { (i) }
#define ATOMIC_LONG_INIT(i) { (i) }

/* Conditional RMWs: a try_cmpxchg() loop, fully ordered on success, unordered on failure. */
#define kw__fetch_add_unless(T, p, a, u)                                                 \
	({                                                                               \
		T *kw__fp = (p), kw__fa = (a), kw__fu = (u);                             \
		T kw__fc = __atomic_load_n(kw__fp, __ATOMIC_RELAXED);                    \
		while (kw__fc != kw__fu &&                                               \
		       !__atomic_compare_exchange_n(kw__fp, &kw__fc, kw__fc + kw__fa, 0,   \
						    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))        \
			;                                                                \
		kw__fc;                                                                  \
	})
#define kw__step_unless(T, p, d, cmp)                                                    \
	({                                                                               \
		T *kw__sp = (p);                                                         \
		T kw__sc = __atomic_load_n(kw__sp, __ATOMIC_RELAXED);                    \
		bool kw__sok;                                                            \
		for (;;) {                                                               \
			if (kw__sc cmp 0) {                                              \
				kw__sok = false;                                         \
				break;                                                   \
			}                                                                \
			if (__atomic_compare_exchange_n(kw__sp, &kw__sc, kw__sc + (d), 0, \
							__ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) { \
				kw__sok = true;                                          \
				break;                                                   \
			}                                                                \
		}                                                                        \
		kw__sok;                                                                 \
	})
#define kw__dec_if_positive(T, p)                                                        \
	({                                                                               \
		T *kw__dp = (p);                                                         \
		T kw__dc = __atomic_load_n(kw__dp, __ATOMIC_RELAXED), kw__dd;            \
		for (;;) {                                                               \
			kw__dd = kw__dc - 1;                                             \
			if (kw__dd < 0)                                                  \
				break;                                                   \
			if (__atomic_compare_exchange_n(kw__dp, &kw__dc, kw__dd, 0,        \
							__ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) \
				break;                                                   \
		}                                                                        \
		kw__dd;                                                                  \
	})

/* atomic_* */
#define atomic_read(v) __atomic_load_n(&(v)->counter, __ATOMIC_RELAXED)
#define atomic_read_acquire(v) __atomic_load_n(&(v)->counter, __ATOMIC_ACQUIRE)
#define atomic_set(v, i) __atomic_store_n(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic_set_release(v, i) __atomic_store_n(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic_add(i, v) ((void)__atomic_fetch_add(&(v)->counter, (i), __ATOMIC_RELAXED))
#define atomic_sub(i, v) ((void)__atomic_fetch_sub(&(v)->counter, (i), __ATOMIC_RELAXED))
#define atomic_and(i, v) ((void)__atomic_fetch_and(&(v)->counter, (i), __ATOMIC_RELAXED))
#define atomic_or(i, v) ((void)__atomic_fetch_or(&(v)->counter, (i), __ATOMIC_RELAXED))
#define atomic_xor(i, v) ((void)__atomic_fetch_xor(&(v)->counter, (i), __ATOMIC_RELAXED))
#define atomic_andnot(i, v) ((void)__atomic_fetch_and(&(v)->counter, ~(int)(i), __ATOMIC_RELAXED))
#define atomic_inc(v) ((void)__atomic_fetch_add(&(v)->counter, 1, __ATOMIC_RELAXED))
#define atomic_dec(v) ((void)__atomic_fetch_sub(&(v)->counter, 1, __ATOMIC_RELAXED))
#define atomic_add_return(i, v) __atomic_add_fetch(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_sub_return(i, v) __atomic_sub_fetch(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_inc_return(v) __atomic_add_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST)
#define atomic_dec_return(v) __atomic_sub_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST)
#define atomic_fetch_add(i, v) __atomic_fetch_add(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_fetch_sub(i, v) __atomic_fetch_sub(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_fetch_and(i, v) __atomic_fetch_and(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_fetch_or(i, v) __atomic_fetch_or(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_fetch_xor(i, v) __atomic_fetch_xor(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_fetch_andnot(i, v) __atomic_fetch_and(&(v)->counter, ~(int)(i), __ATOMIC_SEQ_CST)
#define atomic_fetch_inc(v) __atomic_fetch_add(&(v)->counter, 1, __ATOMIC_SEQ_CST)
#define atomic_fetch_dec(v) __atomic_fetch_sub(&(v)->counter, 1, __ATOMIC_SEQ_CST)
#define atomic_xchg(v, i) __atomic_exchange_n(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_cmpxchg(v, o, n) kw__cmpxchg(&(v)->counter, o, n, __ATOMIC_SEQ_CST)
#define atomic_try_cmpxchg(v, po, n) __atomic_compare_exchange_n(&(v)->counter, (po), (n), 0, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)
#define atomic_add_negative(i, v) (__atomic_add_fetch(&(v)->counter, (i), __ATOMIC_SEQ_CST) < 0)
#define atomic_add_return_relaxed(i, v) __atomic_add_fetch(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic_sub_return_relaxed(i, v) __atomic_sub_fetch(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic_inc_return_relaxed(v) __atomic_add_fetch(&(v)->counter, 1, __ATOMIC_RELAXED)
#define atomic_dec_return_relaxed(v) __atomic_sub_fetch(&(v)->counter, 1, __ATOMIC_RELAXED)
#define atomic_fetch_add_relaxed(i, v) __atomic_fetch_add(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic_fetch_sub_relaxed(i, v) __atomic_fetch_sub(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic_fetch_and_relaxed(i, v) __atomic_fetch_and(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic_fetch_or_relaxed(i, v) __atomic_fetch_or(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic_fetch_xor_relaxed(i, v) __atomic_fetch_xor(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic_fetch_andnot_relaxed(i, v) __atomic_fetch_and(&(v)->counter, ~(int)(i), __ATOMIC_RELAXED)
#define atomic_fetch_inc_relaxed(v) __atomic_fetch_add(&(v)->counter, 1, __ATOMIC_RELAXED)
#define atomic_fetch_dec_relaxed(v) __atomic_fetch_sub(&(v)->counter, 1, __ATOMIC_RELAXED)
#define atomic_xchg_relaxed(v, i) __atomic_exchange_n(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic_cmpxchg_relaxed(v, o, n) kw__cmpxchg(&(v)->counter, o, n, __ATOMIC_RELAXED)
#define atomic_try_cmpxchg_relaxed(v, po, n) __atomic_compare_exchange_n(&(v)->counter, (po), (n), 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)
#define atomic_add_negative_relaxed(i, v) (__atomic_add_fetch(&(v)->counter, (i), __ATOMIC_RELAXED) < 0)
#define atomic_add_return_acquire(i, v) __atomic_add_fetch(&(v)->counter, (i), __ATOMIC_ACQUIRE)
#define atomic_sub_return_acquire(i, v) __atomic_sub_fetch(&(v)->counter, (i), __ATOMIC_ACQUIRE)
#define atomic_inc_return_acquire(v) __atomic_add_fetch(&(v)->counter, 1, __ATOMIC_ACQUIRE)
#define atomic_dec_return_acquire(v) __atomic_sub_fetch(&(v)->counter, 1, __ATOMIC_ACQUIRE)
#define atomic_fetch_add_acquire(i, v) __atomic_fetch_add(&(v)->counter, (i), __ATOMIC_ACQUIRE)
#define atomic_fetch_sub_acquire(i, v) __atomic_fetch_sub(&(v)->counter, (i), __ATOMIC_ACQUIRE)
#define atomic_fetch_and_acquire(i, v) __atomic_fetch_and(&(v)->counter, (i), __ATOMIC_ACQUIRE)
#define atomic_fetch_or_acquire(i, v) __atomic_fetch_or(&(v)->counter, (i), __ATOMIC_ACQUIRE)
#define atomic_fetch_xor_acquire(i, v) __atomic_fetch_xor(&(v)->counter, (i), __ATOMIC_ACQUIRE)
#define atomic_fetch_andnot_acquire(i, v) __atomic_fetch_and(&(v)->counter, ~(int)(i), __ATOMIC_ACQUIRE)
#define atomic_fetch_inc_acquire(v) __atomic_fetch_add(&(v)->counter, 1, __ATOMIC_ACQUIRE)
#define atomic_fetch_dec_acquire(v) __atomic_fetch_sub(&(v)->counter, 1, __ATOMIC_ACQUIRE)
#define atomic_xchg_acquire(v, i) __atomic_exchange_n(&(v)->counter, (i), __ATOMIC_ACQUIRE)
#define atomic_cmpxchg_acquire(v, o, n) kw__cmpxchg(&(v)->counter, o, n, __ATOMIC_ACQUIRE)
#define atomic_try_cmpxchg_acquire(v, po, n) __atomic_compare_exchange_n(&(v)->counter, (po), (n), 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)
#define atomic_add_negative_acquire(i, v) (__atomic_add_fetch(&(v)->counter, (i), __ATOMIC_ACQUIRE) < 0)
#define atomic_add_return_release(i, v) __atomic_add_fetch(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic_sub_return_release(i, v) __atomic_sub_fetch(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic_inc_return_release(v) __atomic_add_fetch(&(v)->counter, 1, __ATOMIC_RELEASE)
#define atomic_dec_return_release(v) __atomic_sub_fetch(&(v)->counter, 1, __ATOMIC_RELEASE)
#define atomic_fetch_add_release(i, v) __atomic_fetch_add(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic_fetch_sub_release(i, v) __atomic_fetch_sub(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic_fetch_and_release(i, v) __atomic_fetch_and(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic_fetch_or_release(i, v) __atomic_fetch_or(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic_fetch_xor_release(i, v) __atomic_fetch_xor(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic_fetch_andnot_release(i, v) __atomic_fetch_and(&(v)->counter, ~(int)(i), __ATOMIC_RELEASE)
#define atomic_fetch_inc_release(v) __atomic_fetch_add(&(v)->counter, 1, __ATOMIC_RELEASE)
#define atomic_fetch_dec_release(v) __atomic_fetch_sub(&(v)->counter, 1, __ATOMIC_RELEASE)
#define atomic_xchg_release(v, i) __atomic_exchange_n(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic_cmpxchg_release(v, o, n) kw__cmpxchg(&(v)->counter, o, n, __ATOMIC_RELEASE)
#define atomic_try_cmpxchg_release(v, po, n) __atomic_compare_exchange_n(&(v)->counter, (po), (n), 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED)
#define atomic_add_negative_release(i, v) (__atomic_add_fetch(&(v)->counter, (i), __ATOMIC_RELEASE) < 0)
#define atomic_sub_and_test(i, v) (__atomic_sub_fetch(&(v)->counter, (i), __ATOMIC_SEQ_CST) == 0)
#define atomic_dec_and_test(v) (__atomic_sub_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST) == 0)
#define atomic_inc_and_test(v) (__atomic_add_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST) == 0)
#define atomic_fetch_add_unless(v, a, u) kw__fetch_add_unless(int, &(v)->counter, a, u)
#define atomic_add_unless(v, a, u) (atomic_fetch_add_unless(v, a, u) != (int)(u))
#define atomic_inc_not_zero(v) atomic_add_unless(v, 1, 0)
#define atomic_inc_unless_negative(v) kw__step_unless(int, &(v)->counter, 1, <)
#define atomic_dec_unless_positive(v) kw__step_unless(int, &(v)->counter, -1, >)
#define atomic_dec_if_positive(v) kw__dec_if_positive(int, &(v)->counter)
#define atomic_cond_read_relaxed(v, c) smp_cond_load_relaxed(&(v)->counter, (c))
#define atomic_cond_read_acquire(v, c) smp_cond_load_acquire(&(v)->counter, (c))

/* atomic64_* */
#define atomic64_read(v) __atomic_load_n(&(v)->counter, __ATOMIC_RELAXED)
#define atomic64_read_acquire(v) __atomic_load_n(&(v)->counter, __ATOMIC_ACQUIRE)
#define atomic64_set(v, i) __atomic_store_n(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic64_set_release(v, i) __atomic_store_n(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic64_add(i, v) ((void)__atomic_fetch_add(&(v)->counter, (i), __ATOMIC_RELAXED))
#define atomic64_sub(i, v) ((void)__atomic_fetch_sub(&(v)->counter, (i), __ATOMIC_RELAXED))
#define atomic64_and(i, v) ((void)__atomic_fetch_and(&(v)->counter, (i), __ATOMIC_RELAXED))
#define atomic64_or(i, v) ((void)__atomic_fetch_or(&(v)->counter, (i), __ATOMIC_RELAXED))
#define atomic64_xor(i, v) ((void)__atomic_fetch_xor(&(v)->counter, (i), __ATOMIC_RELAXED))
#define atomic64_andnot(i, v) ((void)__atomic_fetch_and(&(v)->counter, ~(s64)(i), __ATOMIC_RELAXED))
#define atomic64_inc(v) ((void)__atomic_fetch_add(&(v)->counter, 1, __ATOMIC_RELAXED))
#define atomic64_dec(v) ((void)__atomic_fetch_sub(&(v)->counter, 1, __ATOMIC_RELAXED))
#define atomic64_add_return(i, v) __atomic_add_fetch(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic64_sub_return(i, v) __atomic_sub_fetch(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic64_inc_return(v) __atomic_add_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST)
#define atomic64_dec_return(v) __atomic_sub_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST)
#define atomic64_fetch_add(i, v) __atomic_fetch_add(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic64_fetch_sub(i, v) __atomic_fetch_sub(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic64_fetch_and(i, v) __atomic_fetch_and(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic64_fetch_or(i, v) __atomic_fetch_or(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic64_fetch_xor(i, v) __atomic_fetch_xor(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic64_fetch_andnot(i, v) __atomic_fetch_and(&(v)->counter, ~(s64)(i), __ATOMIC_SEQ_CST)
#define atomic64_fetch_inc(v) __atomic_fetch_add(&(v)->counter, 1, __ATOMIC_SEQ_CST)
#define atomic64_fetch_dec(v) __atomic_fetch_sub(&(v)->counter, 1, __ATOMIC_SEQ_CST)
#define atomic64_xchg(v, i) __atomic_exchange_n(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic64_cmpxchg(v, o, n) kw__cmpxchg(&(v)->counter, o, n, __ATOMIC_SEQ_CST)
#define atomic64_try_cmpxchg(v, po, n) __atomic_compare_exchange_n(&(v)->counter, (po), (n), 0, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)
#define atomic64_add_negative(i, v) (__atomic_add_fetch(&(v)->counter, (i), __ATOMIC_SEQ_CST) < 0)
#define atomic64_add_return_relaxed(i, v) __atomic_add_fetch(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic64_sub_return_relaxed(i, v) __atomic_sub_fetch(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic64_inc_return_relaxed(v) __atomic_add_fetch(&(v)->counter, 1, __ATOMIC_RELAXED)
#define atomic64_dec_return_relaxed(v) __atomic_sub_fetch(&(v)->counter, 1, __ATOMIC_RELAXED)
#define atomic64_fetch_add_relaxed(i, v) __atomic_fetch_add(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic64_fetch_sub_relaxed(i, v) __atomic_fetch_sub(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic64_fetch_and_relaxed(i, v) __atomic_fetch_and(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic64_fetch_or_relaxed(i, v) __atomic_fetch_or(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic64_fetch_xor_relaxed(i, v) __atomic_fetch_xor(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic64_fetch_andnot_relaxed(i, v) __atomic_fetch_and(&(v)->counter, ~(s64)(i), __ATOMIC_RELAXED)
#define atomic64_fetch_inc_relaxed(v) __atomic_fetch_add(&(v)->counter, 1, __ATOMIC_RELAXED)
#define atomic64_fetch_dec_relaxed(v) __atomic_fetch_sub(&(v)->counter, 1, __ATOMIC_RELAXED)
#define atomic64_xchg_relaxed(v, i) __atomic_exchange_n(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic64_cmpxchg_relaxed(v, o, n) kw__cmpxchg(&(v)->counter, o, n, __ATOMIC_RELAXED)
#define atomic64_try_cmpxchg_relaxed(v, po, n) __atomic_compare_exchange_n(&(v)->counter, (po), (n), 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)
#define atomic64_add_negative_relaxed(i, v) (__atomic_add_fetch(&(v)->counter, (i), __ATOMIC_RELAXED) < 0)
#define atomic64_add_return_acquire(i, v) __atomic_add_fetch(&(v)->counter, (i), __ATOMIC_ACQUIRE)
#define atomic64_sub_return_acquire(i, v) __atomic_sub_fetch(&(v)->counter, (i), __ATOMIC_ACQUIRE)
#define atomic64_inc_return_acquire(v) __atomic_add_fetch(&(v)->counter, 1, __ATOMIC_ACQUIRE)
#define atomic64_dec_return_acquire(v) __atomic_sub_fetch(&(v)->counter, 1, __ATOMIC_ACQUIRE)
#define atomic64_fetch_add_acquire(i, v) __atomic_fetch_add(&(v)->counter, (i), __ATOMIC_ACQUIRE)
#define atomic64_fetch_sub_acquire(i, v) __atomic_fetch_sub(&(v)->counter, (i), __ATOMIC_ACQUIRE)
#define atomic64_fetch_and_acquire(i, v) __atomic_fetch_and(&(v)->counter, (i), __ATOMIC_ACQUIRE)
#define atomic64_fetch_or_acquire(i, v) __atomic_fetch_or(&(v)->counter, (i), __ATOMIC_ACQUIRE)
#define atomic64_fetch_xor_acquire(i, v) __atomic_fetch_xor(&(v)->counter, (i), __ATOMIC_ACQUIRE)
#define atomic64_fetch_andnot_acquire(i, v) __atomic_fetch_and(&(v)->counter, ~(s64)(i), __ATOMIC_ACQUIRE)
#define atomic64_fetch_inc_acquire(v) __atomic_fetch_add(&(v)->counter, 1, __ATOMIC_ACQUIRE)
#define atomic64_fetch_dec_acquire(v) __atomic_fetch_sub(&(v)->counter, 1, __ATOMIC_ACQUIRE)
#define atomic64_xchg_acquire(v, i) __atomic_exchange_n(&(v)->counter, (i), __ATOMIC_ACQUIRE)
#define atomic64_cmpxchg_acquire(v, o, n) kw__cmpxchg(&(v)->counter, o, n, __ATOMIC_ACQUIRE)
#define atomic64_try_cmpxchg_acquire(v, po, n) __atomic_compare_exchange_n(&(v)->counter, (po), (n), 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)
#define atomic64_add_negative_acquire(i, v) (__atomic_add_fetch(&(v)->counter, (i), __ATOMIC_ACQUIRE) < 0)
#define atomic64_add_return_release(i, v) __atomic_add_fetch(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic64_sub_return_release(i, v) __atomic_sub_fetch(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic64_inc_return_release(v) __atomic_add_fetch(&(v)->counter, 1, __ATOMIC_RELEASE)
#define atomic64_dec_return_release(v) __atomic_sub_fetch(&(v)->counter, 1, __ATOMIC_RELEASE)
#define atomic64_fetch_add_release(i, v) __atomic_fetch_add(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic64_fetch_sub_release(i, v) __atomic_fetch_sub(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic64_fetch_and_release(i, v) __atomic_fetch_and(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic64_fetch_or_release(i, v) __atomic_fetch_or(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic64_fetch_xor_release(i, v) __atomic_fetch_xor(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic64_fetch_andnot_release(i, v) __atomic_fetch_and(&(v)->counter, ~(s64)(i), __ATOMIC_RELEASE)
#define atomic64_fetch_inc_release(v) __atomic_fetch_add(&(v)->counter, 1, __ATOMIC_RELEASE)
#define atomic64_fetch_dec_release(v) __atomic_fetch_sub(&(v)->counter, 1, __ATOMIC_RELEASE)
#define atomic64_xchg_release(v, i) __atomic_exchange_n(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic64_cmpxchg_release(v, o, n) kw__cmpxchg(&(v)->counter, o, n, __ATOMIC_RELEASE)
#define atomic64_try_cmpxchg_release(v, po, n) __atomic_compare_exchange_n(&(v)->counter, (po), (n), 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED)
#define atomic64_add_negative_release(i, v) (__atomic_add_fetch(&(v)->counter, (i), __ATOMIC_RELEASE) < 0)
#define atomic64_sub_and_test(i, v) (__atomic_sub_fetch(&(v)->counter, (i), __ATOMIC_SEQ_CST) == 0)
#define atomic64_dec_and_test(v) (__atomic_sub_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST) == 0)
#define atomic64_inc_and_test(v) (__atomic_add_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST) == 0)
#define atomic64_fetch_add_unless(v, a, u) kw__fetch_add_unless(s64, &(v)->counter, a, u)
#define atomic64_add_unless(v, a, u) (atomic64_fetch_add_unless(v, a, u) != (s64)(u))
#define atomic64_inc_not_zero(v) atomic64_add_unless(v, 1, 0)
#define atomic64_inc_unless_negative(v) kw__step_unless(s64, &(v)->counter, 1, <)
#define atomic64_dec_unless_positive(v) kw__step_unless(s64, &(v)->counter, -1, >)
#define atomic64_dec_if_positive(v) kw__dec_if_positive(s64, &(v)->counter)
#define atomic64_cond_read_relaxed(v, c) smp_cond_load_relaxed(&(v)->counter, (c))
#define atomic64_cond_read_acquire(v, c) smp_cond_load_acquire(&(v)->counter, (c))

/* atomic_long_* */
#define atomic_long_read(v) __atomic_load_n(&(v)->counter, __ATOMIC_RELAXED)
#define atomic_long_read_acquire(v) __atomic_load_n(&(v)->counter, __ATOMIC_ACQUIRE)
#define atomic_long_set(v, i) __atomic_store_n(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic_long_set_release(v, i) __atomic_store_n(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic_long_add(i, v) ((void)__atomic_fetch_add(&(v)->counter, (i), __ATOMIC_RELAXED))
#define atomic_long_sub(i, v) ((void)__atomic_fetch_sub(&(v)->counter, (i), __ATOMIC_RELAXED))
#define atomic_long_and(i, v) ((void)__atomic_fetch_and(&(v)->counter, (i), __ATOMIC_RELAXED))
#define atomic_long_or(i, v) ((void)__atomic_fetch_or(&(v)->counter, (i), __ATOMIC_RELAXED))
#define atomic_long_xor(i, v) ((void)__atomic_fetch_xor(&(v)->counter, (i), __ATOMIC_RELAXED))
#define atomic_long_andnot(i, v) ((void)__atomic_fetch_and(&(v)->counter, ~(long)(i), __ATOMIC_RELAXED))
#define atomic_long_inc(v) ((void)__atomic_fetch_add(&(v)->counter, 1, __ATOMIC_RELAXED))
#define atomic_long_dec(v) ((void)__atomic_fetch_sub(&(v)->counter, 1, __ATOMIC_RELAXED))
#define atomic_long_add_return(i, v) __atomic_add_fetch(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_long_sub_return(i, v) __atomic_sub_fetch(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_long_inc_return(v) __atomic_add_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST)
#define atomic_long_dec_return(v) __atomic_sub_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST)
#define atomic_long_fetch_add(i, v) __atomic_fetch_add(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_long_fetch_sub(i, v) __atomic_fetch_sub(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_long_fetch_and(i, v) __atomic_fetch_and(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_long_fetch_or(i, v) __atomic_fetch_or(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_long_fetch_xor(i, v) __atomic_fetch_xor(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_long_fetch_andnot(i, v) __atomic_fetch_and(&(v)->counter, ~(long)(i), __ATOMIC_SEQ_CST)
#define atomic_long_fetch_inc(v) __atomic_fetch_add(&(v)->counter, 1, __ATOMIC_SEQ_CST)
#define atomic_long_fetch_dec(v) __atomic_fetch_sub(&(v)->counter, 1, __ATOMIC_SEQ_CST)
#define atomic_long_xchg(v, i) __atomic_exchange_n(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_long_cmpxchg(v, o, n) kw__cmpxchg(&(v)->counter, o, n, __ATOMIC_SEQ_CST)
#define atomic_long_try_cmpxchg(v, po, n) __atomic_compare_exchange_n(&(v)->counter, (po), (n), 0, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)
#define atomic_long_add_negative(i, v) (__atomic_add_fetch(&(v)->counter, (i), __ATOMIC_SEQ_CST) < 0)
#define atomic_long_add_return_relaxed(i, v) __atomic_add_fetch(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic_long_sub_return_relaxed(i, v) __atomic_sub_fetch(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic_long_inc_return_relaxed(v) __atomic_add_fetch(&(v)->counter, 1, __ATOMIC_RELAXED)
#define atomic_long_dec_return_relaxed(v) __atomic_sub_fetch(&(v)->counter, 1, __ATOMIC_RELAXED)
#define atomic_long_fetch_add_relaxed(i, v) __atomic_fetch_add(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic_long_fetch_sub_relaxed(i, v) __atomic_fetch_sub(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic_long_fetch_and_relaxed(i, v) __atomic_fetch_and(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic_long_fetch_or_relaxed(i, v) __atomic_fetch_or(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic_long_fetch_xor_relaxed(i, v) __atomic_fetch_xor(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic_long_fetch_andnot_relaxed(i, v) __atomic_fetch_and(&(v)->counter, ~(long)(i), __ATOMIC_RELAXED)
#define atomic_long_fetch_inc_relaxed(v) __atomic_fetch_add(&(v)->counter, 1, __ATOMIC_RELAXED)
#define atomic_long_fetch_dec_relaxed(v) __atomic_fetch_sub(&(v)->counter, 1, __ATOMIC_RELAXED)
#define atomic_long_xchg_relaxed(v, i) __atomic_exchange_n(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic_long_cmpxchg_relaxed(v, o, n) kw__cmpxchg(&(v)->counter, o, n, __ATOMIC_RELAXED)
#define atomic_long_try_cmpxchg_relaxed(v, po, n) __atomic_compare_exchange_n(&(v)->counter, (po), (n), 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)
#define atomic_long_add_negative_relaxed(i, v) (__atomic_add_fetch(&(v)->counter, (i), __ATOMIC_RELAXED) < 0)
#define atomic_long_add_return_acquire(i, v) __atomic_add_fetch(&(v)->counter, (i), __ATOMIC_ACQUIRE)
#define atomic_long_sub_return_acquire(i, v) __atomic_sub_fetch(&(v)->counter, (i), __ATOMIC_ACQUIRE)
#define atomic_long_inc_return_acquire(v) __atomic_add_fetch(&(v)->counter, 1, __ATOMIC_ACQUIRE)
#define atomic_long_dec_return_acquire(v) __atomic_sub_fetch(&(v)->counter, 1, __ATOMIC_ACQUIRE)
#define atomic_long_fetch_add_acquire(i, v) __atomic_fetch_add(&(v)->counter, (i), __ATOMIC_ACQUIRE)
#define atomic_long_fetch_sub_acquire(i, v) __atomic_fetch_sub(&(v)->counter, (i), __ATOMIC_ACQUIRE)
#define atomic_long_fetch_and_acquire(i, v) __atomic_fetch_and(&(v)->counter, (i), __ATOMIC_ACQUIRE)
#define atomic_long_fetch_or_acquire(i, v) __atomic_fetch_or(&(v)->counter, (i), __ATOMIC_ACQUIRE)
#define atomic_long_fetch_xor_acquire(i, v) __atomic_fetch_xor(&(v)->counter, (i), __ATOMIC_ACQUIRE)
#define atomic_long_fetch_andnot_acquire(i, v) __atomic_fetch_and(&(v)->counter, ~(long)(i), __ATOMIC_ACQUIRE)
#define atomic_long_fetch_inc_acquire(v) __atomic_fetch_add(&(v)->counter, 1, __ATOMIC_ACQUIRE)
#define atomic_long_fetch_dec_acquire(v) __atomic_fetch_sub(&(v)->counter, 1, __ATOMIC_ACQUIRE)
#define atomic_long_xchg_acquire(v, i) __atomic_exchange_n(&(v)->counter, (i), __ATOMIC_ACQUIRE)
#define atomic_long_cmpxchg_acquire(v, o, n) kw__cmpxchg(&(v)->counter, o, n, __ATOMIC_ACQUIRE)
#define atomic_long_try_cmpxchg_acquire(v, po, n) __atomic_compare_exchange_n(&(v)->counter, (po), (n), 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)
#define atomic_long_add_negative_acquire(i, v) (__atomic_add_fetch(&(v)->counter, (i), __ATOMIC_ACQUIRE) < 0)
#define atomic_long_add_return_release(i, v) __atomic_add_fetch(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic_long_sub_return_release(i, v) __atomic_sub_fetch(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic_long_inc_return_release(v) __atomic_add_fetch(&(v)->counter, 1, __ATOMIC_RELEASE)
#define atomic_long_dec_return_release(v) __atomic_sub_fetch(&(v)->counter, 1, __ATOMIC_RELEASE)
#define atomic_long_fetch_add_release(i, v) __atomic_fetch_add(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic_long_fetch_sub_release(i, v) __atomic_fetch_sub(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic_long_fetch_and_release(i, v) __atomic_fetch_and(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic_long_fetch_or_release(i, v) __atomic_fetch_or(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic_long_fetch_xor_release(i, v) __atomic_fetch_xor(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic_long_fetch_andnot_release(i, v) __atomic_fetch_and(&(v)->counter, ~(long)(i), __ATOMIC_RELEASE)
#define atomic_long_fetch_inc_release(v) __atomic_fetch_add(&(v)->counter, 1, __ATOMIC_RELEASE)
#define atomic_long_fetch_dec_release(v) __atomic_fetch_sub(&(v)->counter, 1, __ATOMIC_RELEASE)
#define atomic_long_xchg_release(v, i) __atomic_exchange_n(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic_long_cmpxchg_release(v, o, n) kw__cmpxchg(&(v)->counter, o, n, __ATOMIC_RELEASE)
#define atomic_long_try_cmpxchg_release(v, po, n) __atomic_compare_exchange_n(&(v)->counter, (po), (n), 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED)
#define atomic_long_add_negative_release(i, v) (__atomic_add_fetch(&(v)->counter, (i), __ATOMIC_RELEASE) < 0)
#define atomic_long_sub_and_test(i, v) (__atomic_sub_fetch(&(v)->counter, (i), __ATOMIC_SEQ_CST) == 0)
#define atomic_long_dec_and_test(v) (__atomic_sub_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST) == 0)
#define atomic_long_inc_and_test(v) (__atomic_add_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST) == 0)
#define atomic_long_fetch_add_unless(v, a, u) kw__fetch_add_unless(long, &(v)->counter, a, u)
#define atomic_long_add_unless(v, a, u) (atomic_long_fetch_add_unless(v, a, u) != (long)(u))
#define atomic_long_inc_not_zero(v) atomic_long_add_unless(v, 1, 0)
#define atomic_long_inc_unless_negative(v) kw__step_unless(long, &(v)->counter, 1, <)
#define atomic_long_dec_unless_positive(v) kw__step_unless(long, &(v)->counter, -1, >)
#define atomic_long_dec_if_positive(v) kw__dec_if_positive(long, &(v)->counter)
#define atomic_long_cond_read_relaxed(v, c) smp_cond_load_relaxed(&(v)->counter, (c))
#define atomic_long_cond_read_acquire(v, c) smp_cond_load_acquire(&(v)->counter, (c))


/* ---- annotations and waits ------------------------------------------------------------------ */

#define data_race(expr)                                                                \
	({                                                                             \
		kw_data_race_begin();                                                  \
		__typeof__(expr) kw__v = (expr);                                       \
		kw_data_race_end();                                                    \
		kw__v;                                                                 \
	})

/* A spin-wait step: blocks the waiter until another thread stores to what it last read. */
void kw_cpu_relax(void);
#define cpu_relax() kw_cpu_relax()

/* smp_cond_load_*(ptr, cond): wait until cond holds for VAL = *ptr (a recognised wait). */
#define kw__cond_load(p, cond, mo)                                                     \
	({                                                                             \
		__typeof__(*(p)) VAL;                                                  \
		for (;;) {                                                             \
			VAL = __atomic_load_n((p), mo);                                \
			if (cond)                                                      \
				break;                                                 \
			kw_cpu_relax();                                                \
		}                                                                      \
		VAL;                                                                   \
	})
#define smp_cond_load_relaxed(p, cond) kw__cond_load(p, cond, __ATOMIC_RELAXED)
#define smp_cond_load_acquire(p, cond) kw__cond_load(p, cond, __ATOMIC_ACQUIRE)

#endif /* KWEAVE_ATOMIC_H */
