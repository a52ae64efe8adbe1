// SPDX-License-Identifier: GPL-2.0-only
/*
 * atomic.h - the memory-access half of the kernel-style headers: READ_ONCE and friends,
 * barriers, cmpxchg/xchg, atomic_t, per-CPU variables, rcu_dereference, kmalloc/kfree,
 * data_race(), cpu_relax().
 *
 * Marked accesses are C11 atomics (__atomic builtins), never volatile casts: a volatile access
 * reaches the instrumentation as a plain one and could not be told apart. In the simulation
 * builds the compiler's ThreadSanitizer instrumentation hands each of them, with its memory
 * order, to kweave's runtime, which performs it under the memory model; in the native preset
 * they are ordinary atomics on real threads. Kernel semantics, mapped to C11:
 *  - READ_ONCE/WRITE_ONCE: relaxed; smp_load_acquire/smp_store_release: acquire/release;
 *  - value-returning RMWs (xchg, cmpxchg, atomic_*_return, atomic_fetch_*, *_and_test):
 *    fully ordered, passed as seq_cst, which kweave treats as smp_mb() before and after;
 *  - cmpxchg(): fully ordered on success, no ordering at all on failure;
 *  - void RMWs (atomic_inc, atomic_add...): relaxed;
 *  - smp_mb(): a seq_cst fence; smp_rmb()/smp_wmb(): kweave's load-only/store-only fences;
 *  - rcu_dereference(): acquire (consume promoted, as compilers do; address dependencies are
 *    not tracked otherwise - see the README).
 */
#ifndef KWEAVE_ATOMIC_H
#define KWEAVE_ATOMIC_H

#include <kweave/kweave.h>
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

#define rcu_dereference(p) __atomic_load_n(&(p), __ATOMIC_ACQUIRE)
#define rcu_dereference_protected(p, c) (p)
#define rcu_assign_pointer(p, v) __atomic_store_n(&(p), (v), __ATOMIC_RELEASE)
#define RCU_INIT_POINTER(p, v) WRITE_ONCE(p, v)

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

/* ---- atomic_t / atomic_long_t --------------------------------------------------------- */

typedef struct { int counter; } atomic_t;
typedef struct { long counter; } atomic_long_t;
#define ATOMIC_INIT(i) { (i) }

/* Macros, not inline functions: the access must carry the caller's file:line. */
#define atomic_read(v) __atomic_load_n(&(v)->counter, __ATOMIC_RELAXED)
#define atomic_long_read(v) __atomic_load_n(&(v)->counter, __ATOMIC_RELAXED)
#define atomic_read_acquire(v) __atomic_load_n(&(v)->counter, __ATOMIC_ACQUIRE)
#define atomic_long_read_acquire(v) __atomic_load_n(&(v)->counter, __ATOMIC_ACQUIRE)
#define atomic_set(v, i) __atomic_store_n(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic_long_set(v, i) __atomic_store_n(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic_set_release(v, i) __atomic_store_n(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic_long_set_release(v, i) __atomic_store_n(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic_add(i, v) ((void)__atomic_fetch_add(&(v)->counter, (i), __ATOMIC_RELAXED))
#define atomic_long_add(i, v) ((void)__atomic_fetch_add(&(v)->counter, (i), __ATOMIC_RELAXED))
#define atomic_sub(i, v) ((void)__atomic_fetch_sub(&(v)->counter, (i), __ATOMIC_RELAXED))
#define atomic_long_sub(i, v) ((void)__atomic_fetch_sub(&(v)->counter, (i), __ATOMIC_RELAXED))
#define atomic_inc(v) ((void)__atomic_fetch_add(&(v)->counter, 1, __ATOMIC_RELAXED))
#define atomic_long_inc(v) ((void)__atomic_fetch_add(&(v)->counter, 1, __ATOMIC_RELAXED))
#define atomic_dec(v) ((void)__atomic_fetch_sub(&(v)->counter, 1, __ATOMIC_RELAXED))
#define atomic_long_dec(v) ((void)__atomic_fetch_sub(&(v)->counter, 1, __ATOMIC_RELAXED))
#define atomic_or(i, v) ((void)__atomic_fetch_or(&(v)->counter, (i), __ATOMIC_RELAXED))
#define atomic_long_or(i, v) ((void)__atomic_fetch_or(&(v)->counter, (i), __ATOMIC_RELAXED))
#define atomic_and(i, v) ((void)__atomic_fetch_and(&(v)->counter, (i), __ATOMIC_RELAXED))
#define atomic_long_and(i, v) ((void)__atomic_fetch_and(&(v)->counter, (i), __ATOMIC_RELAXED))
#define atomic_add_return(i, v) __atomic_add_fetch(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_long_add_return(i, v) __atomic_add_fetch(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_sub_return(i, v) __atomic_sub_fetch(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_long_sub_return(i, v) __atomic_sub_fetch(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_inc_return(v) __atomic_add_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST)
#define atomic_long_inc_return(v) __atomic_add_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST)
#define atomic_dec_return(v) __atomic_sub_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST)
#define atomic_long_dec_return(v) __atomic_sub_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST)
#define atomic_fetch_add(i, v) __atomic_fetch_add(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_long_fetch_add(i, v) __atomic_fetch_add(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_fetch_sub(i, v) __atomic_fetch_sub(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_long_fetch_sub(i, v) __atomic_fetch_sub(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_fetch_or(i, v) __atomic_fetch_or(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_long_fetch_or(i, v) __atomic_fetch_or(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_fetch_and(i, v) __atomic_fetch_and(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_long_fetch_and(i, v) __atomic_fetch_and(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_fetch_add_relaxed(i, v) __atomic_fetch_add(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic_long_fetch_add_relaxed(i, v) __atomic_fetch_add(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic_fetch_add_acquire(i, v) __atomic_fetch_add(&(v)->counter, (i), __ATOMIC_ACQUIRE)
#define atomic_long_fetch_add_acquire(i, v) __atomic_fetch_add(&(v)->counter, (i), __ATOMIC_ACQUIRE)
#define atomic_fetch_add_release(i, v) __atomic_fetch_add(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic_long_fetch_add_release(i, v) __atomic_fetch_add(&(v)->counter, (i), __ATOMIC_RELEASE)
#define atomic_dec_and_test(v) (__atomic_sub_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST) == 0)
#define atomic_long_dec_and_test(v) (__atomic_sub_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST) == 0)
#define atomic_inc_and_test(v) (__atomic_add_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST) == 0)
#define atomic_long_inc_and_test(v) (__atomic_add_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST) == 0)
#define atomic_sub_and_test(i, v) (__atomic_sub_fetch(&(v)->counter, (i), __ATOMIC_SEQ_CST) == 0)
#define atomic_long_sub_and_test(i, v) (__atomic_sub_fetch(&(v)->counter, (i), __ATOMIC_SEQ_CST) == 0)
#define atomic_xchg(v, i) __atomic_exchange_n(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_long_xchg(v, i) __atomic_exchange_n(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_cmpxchg(v, o, n) kw__cmpxchg(&(v)->counter, o, n, __ATOMIC_SEQ_CST)
#define atomic_long_cmpxchg(v, o, n) kw__cmpxchg(&(v)->counter, o, n, __ATOMIC_SEQ_CST)
#define atomic_try_cmpxchg(v, po, n) try_cmpxchg(&(v)->counter, po, n)
#define atomic_long_try_cmpxchg(v, po, n) try_cmpxchg(&(v)->counter, po, n)

/* ---- per-CPU variables: one slot per simulated CPU ---------------------------------------- */

#define DEFINE_PER_CPU(type, name) __typeof__(type) name[KW_PERCPU_MAX]
#define DECLARE_PER_CPU(type, name) extern __typeof__(type) name[KW_PERCPU_MAX]
#define per_cpu(var, cpu) ((var)[(cpu)])
#define per_cpu_ptr(var, cpu) (&(var)[(cpu)])
#define this_cpu_ptr(var) (&(*(var))[kw_cpu()])
#define raw_cpu_ptr(var) this_cpu_ptr(var)
#define for_each_possible_cpu(cpu) for ((cpu) = 0; (cpu) < kw_ncpus(); (cpu)++)
#define for_each_online_cpu(cpu) for_each_possible_cpu(cpu)
#define nr_cpu_ids kw_ncpus()
/* this_cpu_*: one marked RMW, atomic against interrupts on the same CPU */
#define this_cpu_read(var) READ_ONCE((var)[kw_cpu()])
#define this_cpu_write(var, v) WRITE_ONCE((var)[kw_cpu()], (v))
#define this_cpu_add(var, v) ((void)__atomic_fetch_add(&(var)[kw_cpu()], (v), __ATOMIC_RELAXED))
#define this_cpu_sub(var, v) ((void)__atomic_fetch_sub(&(var)[kw_cpu()], (v), __ATOMIC_RELAXED))
#define this_cpu_inc(var) this_cpu_add(var, 1)
#define this_cpu_dec(var) this_cpu_sub(var, 1)
/* __this_cpu_*: a load then a store, so an interrupt on this CPU can arrive in between */
#define __this_cpu_read(var) READ_ONCE((var)[kw_cpu()])
#define __this_cpu_write(var, v) WRITE_ONCE((var)[kw_cpu()], (v))
#define __this_cpu_add(var, v)                                                         \
	do {                                                                           \
		int kw__c = kw_cpu();                                                  \
		WRITE_ONCE((var)[kw__c], READ_ONCE((var)[kw__c]) + (v));               \
	} while (0)
#define __this_cpu_sub(var, v) __this_cpu_add(var, -(v))
#define __this_cpu_inc(var) __this_cpu_add(var, 1)
#define __this_cpu_dec(var) __this_cpu_add(var, -1)

/* ---- allocation ---------------------------------------------------------------------------- */

typedef unsigned int gfp_t;
#define __GFP_DIRECT_RECLAIM 0x400u
#define GFP_KERNEL (__GFP_DIRECT_RECLAIM | 0xc0u)
#define GFP_NOFS (__GFP_DIRECT_RECLAIM | 0x40u)
#define GFP_ATOMIC 0x20u
#define GFP_NOWAIT 0u
#define __GFP_ZERO 0x100u

void *kw_kmalloc(size_t size, unsigned gfp);
#define kmalloc(size, gfp) kw_kmalloc((size), (gfp))
#define kzalloc(size, gfp) kw_kmalloc((size), (gfp) | __GFP_ZERO)
#define kcalloc(n, size, gfp) kw_kmalloc((n) * (size), (gfp) | __GFP_ZERO)
#define kfree(p) kw_free(p)

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
