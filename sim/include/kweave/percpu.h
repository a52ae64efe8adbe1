// SPDX-License-Identifier: GPL-2.0-only
/*
 * percpu.h - per-CPU variables and preemption, with the kernel's names and argument order.
 *
 * A per-CPU variable has one copy per simulated CPU, each at the same distance from the
 * variable's canonical address, as in the kernel: DEFINE_PER_CPU() places the canonical
 * copy in the "kw_percpu" section (a template the engine copies for every CPU at the start of
 * each run), alloc_percpu() hands out an address with copies in the same per-CPU area. So
 * per_cpu_ptr(&var, cpu), this_cpu_ptr(p), this_cpu_inc(p->field) and per_cpu(var, cpu) all
 * work on any per-CPU lvalue. Never dereference the canonical address itself.
 *
 *  - this_cpu_*(): one marked access (an RMW for the arithmetic ones), atomic against
 *    interrupts on the same CPU (the kernel's guarantee);
 *  - __this_cpu_*() and raw_cpu_*(): a marked load then a marked store, so an interrupt or
 *    softirq on this CPU may arrive in between (the caller must have made that impossible);
 *  - preempt_disable(): no other task runs on this CPU until preempt_enable(); interrupts
 *    still arrive; sleeping is reported; the region is an RCU reader (rcupdate.h).
 * Tasks never migrate between CPUs in kweave: smp_processor_id() is the thread's CPU.
 */
#ifndef KWEAVE_PERCPU_H
#define KWEAVE_PERCPU_H

#include <kweave/kweave.h>
#include <kweave/types.h>

#define NR_CPUS KW_PERCPU_MAX
#define nr_cpu_ids kw_ncpus()
#define num_possible_cpus() kw_ncpus()
#define num_online_cpus() kw_ncpus()
#define for_each_possible_cpu(cpu) for ((cpu) = 0; (cpu) < kw_ncpus(); (cpu)++)
#define for_each_online_cpu(cpu) for_each_possible_cpu(cpu)
#define for_each_present_cpu(cpu) for_each_possible_cpu(cpu)
#define smp_processor_id() kw_cpu()
#define raw_smp_processor_id() kw_cpu()

#define DEFINE_PER_CPU(type, name) __attribute__((section("kw_percpu"), used)) __typeof__(type) name
#define DECLARE_PER_CPU(type, name) extern __attribute__((section("kw_percpu"))) __typeof__(type) name
#define DEFINE_PER_CPU_ALIGNED(type, name) DEFINE_PER_CPU(type, name)

#define per_cpu_ptr(ptr, cpu) ((__typeof__(ptr))kw_percpu_ptr((ptr), (cpu)))
#define per_cpu(var, cpu) (*per_cpu_ptr(&(var), (cpu)))
#define this_cpu_ptr(ptr) per_cpu_ptr((ptr), kw_cpu())
#define raw_cpu_ptr(ptr) this_cpu_ptr(ptr)
#define get_cpu_ptr(ptr) ({ preempt_disable(); this_cpu_ptr(ptr); })
#define put_cpu_ptr(ptr) ((void)(ptr), preempt_enable())
#define get_cpu_var(var) (*({ preempt_disable(); this_cpu_ptr(&(var)); }))
#define put_cpu_var(var) ((void)&(var), preempt_enable())

#define alloc_percpu(type) ((__typeof__(type) *)kw_alloc_percpu(sizeof(type), __alignof__(type)))
#define alloc_percpu_gfp(type, gfp) alloc_percpu(type)
#define __alloc_percpu(size, align) kw_alloc_percpu((size), (align))
#define free_percpu(p) kw_free_percpu((void *)(p))

/* this_cpu_*: one marked access on this CPU's copy */
#define this_cpu_read(pcp) READ_ONCE(*this_cpu_ptr(&(pcp)))
#define this_cpu_write(pcp, v) WRITE_ONCE(*this_cpu_ptr(&(pcp)), (v))
#define this_cpu_add(pcp, v) ((void)__atomic_fetch_add(this_cpu_ptr(&(pcp)), (v), __ATOMIC_RELAXED))
#define this_cpu_sub(pcp, v) ((void)__atomic_fetch_sub(this_cpu_ptr(&(pcp)), (v), __ATOMIC_RELAXED))
#define this_cpu_and(pcp, v) ((void)__atomic_fetch_and(this_cpu_ptr(&(pcp)), (v), __ATOMIC_RELAXED))
#define this_cpu_or(pcp, v) ((void)__atomic_fetch_or(this_cpu_ptr(&(pcp)), (v), __ATOMIC_RELAXED))
#define this_cpu_inc(pcp) this_cpu_add(pcp, 1)
#define this_cpu_dec(pcp) this_cpu_sub(pcp, 1)
#define this_cpu_add_return(pcp, v) __atomic_add_fetch(this_cpu_ptr(&(pcp)), (v), __ATOMIC_RELAXED)
#define this_cpu_sub_return(pcp, v) __atomic_sub_fetch(this_cpu_ptr(&(pcp)), (v), __ATOMIC_RELAXED)
#define this_cpu_inc_return(pcp) this_cpu_add_return(pcp, 1)
#define this_cpu_dec_return(pcp) this_cpu_sub_return(pcp, 1)
#define this_cpu_xchg(pcp, v) __atomic_exchange_n(this_cpu_ptr(&(pcp)), (v), __ATOMIC_RELAXED)
#define this_cpu_cmpxchg(pcp, o, n) cmpxchg_relaxed(this_cpu_ptr(&(pcp)), (o), (n))

/* __this_cpu_* / raw_cpu_*: a load then a store; an interrupt on this CPU may come between */
#define __this_cpu_read(pcp) READ_ONCE(*this_cpu_ptr(&(pcp)))
#define __this_cpu_write(pcp, v) WRITE_ONCE(*this_cpu_ptr(&(pcp)), (v))
#define __this_cpu_add(pcp, v)                                                         \
	do {                                                                           \
		__typeof__(&(pcp)) kw__pc = this_cpu_ptr(&(pcp));                      \
		WRITE_ONCE(*kw__pc, READ_ONCE(*kw__pc) + (v));                         \
	} while (0)
#define __this_cpu_sub(pcp, v) __this_cpu_add(pcp, -(v))
#define __this_cpu_inc(pcp) __this_cpu_add(pcp, 1)
#define __this_cpu_dec(pcp) __this_cpu_add(pcp, -1)
#define raw_cpu_read(pcp) __this_cpu_read(pcp)
#define raw_cpu_write(pcp, v) __this_cpu_write(pcp, v)
#define raw_cpu_add(pcp, v) __this_cpu_add(pcp, v)
#define raw_cpu_inc(pcp) __this_cpu_inc(pcp)
#define raw_cpu_dec(pcp) __this_cpu_dec(pcp)

/* ---- preemption ------------------------------------------------------------------------ */

#define preempt_disable() kw_preempt_disable()
#define preempt_enable() kw_preempt_enable()
#define preempt_enable_no_resched() kw_preempt_enable()
#define preempt_count() kw_preempt_count()
#define preemptible() (kw_preempt_count() == 0 && !kw_irqs_disabled())
#define in_atomic() (kw_preempt_count() != 0)
#define get_cpu() ({ preempt_disable(); smp_processor_id(); })
#define put_cpu() preempt_enable()
#define migrate_disable() ((void)0) /* tasks never migrate in kweave */
#define migrate_enable() ((void)0)
#define cond_resched() ({ kw_might_sleep(); kw_yield(); 0; })

#endif /* KWEAVE_PERCPU_H */
