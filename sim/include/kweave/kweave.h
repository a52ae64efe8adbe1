// SPDX-License-Identifier: GPL-2.0-only
/*
 * kweave.h - the scenario API: what a scenario (and the code under test it drives) may call.
 *
 * A scenario names its threads, a setup and a final check, and registers itself with
 * KW_SCENARIO(); the engine knows no scenario by name. Everything a simulated thread does
 * that another thread can observe goes through a scheduling point: a marked access
 * (kw_load(), READ_ONCE(), C11 atomics seen through the instrumentation), a lock or wait
 * operation, kw_yield(), thread start and end. The engine decides, at each point, which
 * thread runs next; the decision comes from one stream, so every run replays.
 *
 * Kernel-style names (READ_ONCE, mutex_lock, queue_work...) live in <kweave/kernel.h>,
 * which maps them onto the calls below.
 */
#ifndef KWEAVE_KWEAVE_H
#define KWEAVE_KWEAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- scenarios -------------------------------------------------------------------- */

enum kw_kind {
	KW_TASK,	/* process context: may sleep; pinned to its CPU */
	KW_IRQ,		/* hard-IRQ context: may not sleep; interrupts its CPU; runs to completion there */
	KW_WORKER,	/* a workqueue worker (kworker): task context, fed by a queue */
	KW_SOFTIRQ,	/* softirq context: may not sleep; runs on its CPU when bottom halves are
			 * enabled there, preempting its tasks; hard IRQs preempt it */
};

enum kw_expect {
	KW_EXPECT_NONE,		/* a demo with no stated verdict */
	KW_EXPECT_CLEAN,	/* no schedule fails */
	KW_EXPECT_BUG,		/* some schedule fails (the check named in .expect_check) */
	KW_EXPECT_EQUIVALENT,	/* a barrier mutant that cannot fail: no schedule fails (.why says why) */
};

struct kw_thread_spec {
	const char *name;	/* role, shown in traces: "submitter", "completer" */
	void (*fn)(void *arg);	/* body */
	void *arg;		/* passed to fn */
	enum kw_kind kind;	/* task, irq or worker */
	int on_cpu;		/* 1 + the CPU it is pinned to (an IRQ fires on it); 0: thread index mod CPUs */
	long max_own_steps;	/* progress bound: fail if it takes more of its own steps; 0 = none */
};

struct kw_param {
	const char *name;	/* "submitters" */
	long def, min, max;	/* default and accepted range */
	const char *about;	/* one line for `kweave list -v` */
};

#define KW_MAX_SPEC_THREADS 12
#define KW_MAX_PARAMS 6

struct kw_scenario {
	const char *name;		/* "demo/lost-update": family/variant */
	const char *about;		/* one line for `kweave list` */
	void (*setup)(void);		/* runs before the threads, outside any thread */
	struct kw_thread_spec threads[KW_MAX_SPEC_THREADS];	/* ends at the first .fn == NULL */
	void (*check)(void);		/* final check, after every thread has ended */
	enum kw_expect expect;		/* for `kweave verify` */
	const char *expect_check;	/* the check a buggy variant must fail ("deadlock"); NULL: any */
	const char *why;		/* verify: why a buggy variant may pass non-preemptively, or
					 * why a mutant is equivalent */
	struct kw_param params[KW_MAX_PARAMS];	/* ends at the first .name == NULL */
	int cpus;			/* simulated CPUs; 0 = 2 */
	long max_steps;			/* livelock bound for a run; 0 = engine default */
	bool no_races;			/* the scenario is about something else: silence races */
	bool no_lockdep;		/* silence the predictive lock-order checks (a deadlock demo) */
	bool mutant;			/* a barrier mutant: verify reports the kill rate */
};

void kw_register(const struct kw_scenario *sc);

#define KW_ON_CPU(n) ((n) + 1)

/* Record the run's outcome (its final state, in words) from the final check: tests compare
 * the sets of outcomes that different searches reach. */
__attribute__((format(printf, 1, 2))) void kw_outcome(const char *fmt, ...);

#define KW_SCENARIO(id, ...)                                                          \
	static const struct kw_scenario kw_scenario_##id = { __VA_ARGS__ };           \
	__attribute__((constructor)) static void kw_scenario_register_##id(void)      \
	{                                                                             \
		kw_register(&kw_scenario_##id);                                       \
	}

/* Value of a scenario parameter for this run. */
long kw_param(const char *name);

/* ---- checks ------------------------------------------------------------------------ */

/*
 * A failed check ends the run and becomes the report (with the site of the call).
 * `check` names the checker in reports and replays: "assert", "BUG_ON", "invariant-I2"...
 */
__attribute__((format(printf, 3, 4))) void kw_check_failed(const char *check, int warn,
							    const char *fmt, ...);
#define kw_check(cond, ...)                                                            \
	do {                                                                           \
		if (!(cond))                                                           \
			kw_check_failed("assert", 0, __VA_ARGS__);                     \
	} while (0)
#define kw_check_named(name, cond, ...)                                                \
	do {                                                                           \
		if (!(cond))                                                           \
			kw_check_failed((name), 0, __VA_ARGS__);                       \
	} while (0)

/* ---- scheduling points and marked accesses ------------------------------------------- */

/* Memory orders: the C11 / __ATOMIC_* numbering. */
#define KW_RELAXED 0
#define KW_CONSUME 1
#define KW_ACQUIRE 2
#define KW_RELEASE 3
#define KW_ACQ_REL 4
#define KW_SEQ_CST 5

enum kw_rmw_op { KW_RMW_XCHG, KW_RMW_ADD, KW_RMW_SUB, KW_RMW_AND, KW_RMW_OR, KW_RMW_XOR, KW_RMW_NAND };

void kw_yield(void);
uint64_t kw_mem_load(const void *p, unsigned size, int mo);
void kw_mem_store(void *p, unsigned size, uint64_t v, int mo);
/* Returns the old value. */
uint64_t kw_mem_rmw(void *p, unsigned size, enum kw_rmw_op op, uint64_t v, int mo);
/* Returns the old value; succeeded iff it equals *expected (which is updated to the old value). */
bool kw_mem_cmpxchg(void *p, unsigned size, uint64_t *expected, uint64_t desired, int mo_ok, int mo_fail);
/* smp_mb() (KW_SEQ_CST), release and acquire fences, and the kernel's store/load-only fences. */
enum kw_fence { KW_FENCE_MB, KW_FENCE_ACQ, KW_FENCE_REL, KW_FENCE_WMB, KW_FENCE_RMB };
void kw_fence(enum kw_fence f);

#define kw__u64(v) ((uint64_t)(uintptr_t)(v))
#define kw__as(p, v) ((__typeof__(*(p)))(uintptr_t)(v))
/* Marked accesses: relaxed loads and stores, fully ordered value-returning RMWs. */
#define kw_load(p) kw__as(p, kw_mem_load((p), sizeof(*(p)), KW_RELAXED))
#define kw_store(p, v) kw_mem_store((p), sizeof(*(p)), kw__u64(v), KW_RELAXED)
#define kw_load_acquire(p) kw__as(p, kw_mem_load((p), sizeof(*(p)), KW_ACQUIRE))
#define kw_store_release(p, v) kw_mem_store((p), sizeof(*(p)), kw__u64(v), KW_RELEASE)
#define kw_fetch_add(p, v) kw__as(p, kw_mem_rmw((p), sizeof(*(p)), KW_RMW_ADD, kw__u64(v), KW_SEQ_CST))
#define kw_xchg(p, v) kw__as(p, kw_mem_rmw((p), sizeof(*(p)), KW_RMW_XCHG, kw__u64(v), KW_SEQ_CST))
/* cmpxchg() as the kernel has it: returns the old value; ordered on success only. */
#define kw_cmpxchg(p, o, n)                                                            \
	({                                                                             \
		uint64_t kw__e = kw__u64(o);                                           \
		kw_mem_cmpxchg((p), sizeof(*(p)), &kw__e, kw__u64(n), KW_SEQ_CST,      \
			       KW_RELAXED);                                            \
		kw__as(p, kw__e);                                                      \
	})

/* ---- threads, CPUs and interrupts ----------------------------------------------------- */

struct kw_thread;
/* Start a thread (it becomes runnable at its first scheduling point). */
struct kw_thread *kw_thread_run(const char *name, void (*fn)(void *), void *arg, enum kw_kind kind,
				int cpu);
/* Wait for it to end. */
void kw_thread_join(struct kw_thread *t);
/* An interrupt handler bound to a CPU; raise it to make its arrival possible. */
struct kw_thread *kw_irq_create(const char *name, void (*fn)(void *), void *arg, int cpu);
void kw_irq_raise(struct kw_thread *irq);

bool kw_in_task(void);
bool kw_in_irq(void);
bool kw_irqs_disabled(void);
int kw_cpu(void);
int kw_ncpus(void);
unsigned long kw_local_irq_save(void);
void kw_local_irq_restore(unsigned long flags);
void kw_local_irq_disable(void);
void kw_local_irq_enable(void);

/* Per-CPU variables: one copy per simulated CPU at a fixed distance from the variable's
 * canonical address (static ones live in the "kw_percpu" section, dynamic ones come from
 * kw_alloc_percpu()); kw_percpu_ptr() gives a CPU's copy. Copies are reset every run. */
#define KW_PERCPU_MAX 8
void *kw_percpu_ptr(const void *p, int cpu);
void *kw_alloc_percpu(size_t size, size_t align);
void kw_free_percpu(void *p);

/* Preemption and bottom halves (softirqs) of the running context. */
void kw_preempt_disable(void);
void kw_preempt_enable(void);
int kw_preempt_count(void);		/* nonzero: atomic context (any reason) */
void kw_local_bh_disable(void);
void kw_local_bh_enable(void);
bool kw_in_softirq(void);		/* serving a softirq, or bottom halves disabled */
bool kw_in_serving_softirq(void);
bool kw_in_interrupt(void);

/* Tasklets and timers: run later on the caller's CPU in softirq context, through `run`
 * (a trampoline that calls the kernel object's own function). A timer may fire at any time
 * after it is armed: virtual time then jumps to its expiry. */
void kw_tasklet_init(void *t);
void kw_tasklet_schedule(void *t, void (*run)(void *));
void kw_tasklet_kill(void *t);
void kw_tasklet_disable(void *t, bool wait);
void kw_tasklet_enable(void *t);
void kw_timer_init(void *timer);
int kw_mod_timer(void *timer, unsigned long expires, void (*run)(void *));
int kw_del_timer(void *timer, bool sync);
bool kw_timer_pending(void *timer);

/* ---- kernel sleeping primitives (state lives in the engine, keyed by the object's address,
 * so a zeroed or static object is ready and every run starts clean) ---------------------- */

void kw_spin_lock(void *lock);
bool kw_spin_trylock(void *lock);
void kw_spin_unlock(void *lock);
unsigned long kw_spin_lock_irqsave(void *lock);
void kw_spin_unlock_irqrestore(void *lock, unsigned long flags);
void kw_spin_lock_irq(void *lock);
void kw_spin_unlock_irq(void *lock);
void kw_spin_lock_bh(void *lock);
void kw_spin_unlock_bh(void *lock);
bool kw_spin_trylock_bh(void *lock);
/* lockdep subclass annotations (the order graph is per lock instance: see README) */
void kw_spin_lock_nested(void *lock, int subclass);
void kw_mutex_lock_nested(void *m, int subclass);
void kw_down_write_nested(void *sem, int subclass);
/* lockdep: this context could take `lock` here (order and context checks, no acquisition);
 * mode: 0 exclusive, 1 shared */
void kw_might_lock(void *lock, int mode);
bool kw_lockdep_is_held(void *lock);

void kw_mutex_lock(void *m);
bool kw_mutex_trylock(void *m);
void kw_mutex_unlock(void *m);
bool kw_mutex_is_locked(void *m);

void kw_down_read(void *sem);
bool kw_down_read_trylock(void *sem);
void kw_up_read(void *sem);
void kw_down_write(void *sem);
bool kw_down_write_trylock(void *sem);
void kw_up_write(void *sem);
void kw_downgrade_write(void *sem);
/* Reader holds that another context may release (aio's pattern). */
void kw_down_read_non_owner(void *sem);
void kw_up_read_non_owner(void *sem);

/*
 * Explicit ownership hand-off: the holder gives a held lock up (it stays held, by nobody in
 * particular: the lock is "released for userspace" and may cross a syscall return); a later
 * context takes it over with kw_lock_acquire_handoff() and may then release it.
 */
void kw_lock_release_handoff(void *lock);
void kw_lock_acquire_handoff(void *lock);
/* Lock name for reports (optional; default: the symbol that holds it). */
void kw_lock_name(void *lock, const char *name);

void kw_init_completion(void *c);
void kw_reinit_completion(void *c);
void kw_complete(void *c);
void kw_complete_all(void *c);
void kw_wait_for_completion(void *c);
bool kw_try_wait_for_completion(void *c);
bool kw_completion_done(void *c);

/* Wait queues, the kernel's way: prepare_to_wait(), test the condition, schedule(). */
#define KW_TASK_RUNNING 0
#define KW_TASK_INTERRUPTIBLE 1
#define KW_TASK_UNINTERRUPTIBLE 2
#define KW_TASK_WAKEKILL 0x100
#define KW_TASK_KILLABLE (KW_TASK_WAKEKILL | KW_TASK_UNINTERRUPTIBLE)
void kw_set_current_state(int state);
void kw_prepare_to_wait(void *wq, int state);
void kw_finish_wait(void *wq);
void kw_schedule(void);
/* Sleep until woken or `ticks` of virtual time pass; returns the ticks left (0: timed out). */
long kw_schedule_timeout(long ticks);
void kw_wake_up(void *wq);
void kw_wake_up_all(void *wq);
void kw_wake_up_process(struct kw_thread *t);
struct kw_thread *kw_current(void);
uint64_t kw_jiffies(void);
void kw_might_sleep(void);
/* A signal: sent by another thread (send_sig), so when it arrives is a scheduling decision;
 * it wakes an interruptible (or, fatal, a killable) sleep, and stays pending. */
void kw_send_sig(struct kw_thread *t, bool fatal);
bool kw_signal_pending(struct kw_thread *t);
bool kw_fatal_signal_pending(struct kw_thread *t);
/* Hashed wait queues keyed by an address (and a bit): wait_var_event/wait_on_bit. The wake
 * side tests for waiters without a barrier, as waitqueue_active() does: the caller orders
 * its condition store before it (smp_mb__after_atomic(), smp_mb()). */
void kw_prepare_to_wait_key(const void *key, int bit, int state);
void kw_finish_wait_key(const void *key, int bit);
void kw_wake_up_key(const void *key, int bit);
/* waitqueue_active(): a lockless test for waiters (no barrier); wq_has_sleeper(): smp_mb() first */
bool kw_waitqueue_active(void *wq);
/* Completions with a timeout or a signal: > 0 (ticks left, or 1) when done, 0 on timeout,
 * -ERESTARTSYS (-512) when a signal interrupted the wait. */
long kw_wait_for_completion_timeout(void *c, long ticks, int state);

/* Worker threads fed by a simple FIFO queue. */
struct kw_worker;
struct kw_worker *kw_worker_create(const char *name, int cpu);
/* Queue fn(arg); returns false when that exact (fn, arg) is already queued and not started. */
bool kw_worker_queue(struct kw_worker *w, void (*fn)(void *), void *arg);
/* Wait until every item queued so far has run. */
void kw_worker_flush(struct kw_worker *w);
/* Stop the worker once its queue is empty, and wait for it. */
void kw_worker_destroy(struct kw_worker *w);
unsigned kw_worker_pending(struct kw_worker *w);
/* One item (w NULL: the worker it was last queued on). cancel: remove its pending instance
 * (true if there was one), and with wait, wait for a running one; flush_one: wait for its last
 * queueing to finish (true if there was one). */
bool kw_worker_cancel(struct kw_worker *w, void (*fn)(void *), void *arg, bool wait);
bool kw_worker_flush_one(struct kw_worker *w, void (*fn)(void *), void *arg);
bool kw_worker_item_pending(struct kw_worker *w, void (*fn)(void *), void *arg);
/* The worker of system_wq (schedule_work()), created on first use in a run. */
struct kw_worker *kw_system_worker(void);

/* A marked syscall boundary: returning to userspace with a lock held is a bug. */
void kw_syscall_return(void);

/* Lock checker annotations (lockdep_assert_held). */
void kw_lockdep_assert_held(void *lock);

/* The simulated allocator (kmalloc/kfree): use after free, double free and leaks. A free is
 * a write to the whole block for the race detector. */
void *kw_malloc(size_t size, bool zero);
void kw_free(const void *p);
/* Slab caches: objects are kmalloc blocks; a SLAB_TYPESAFE_BY_RCU cache frees them only after
 * a grace period. The cache itself lives in the engine (no leak report for it). */
struct kmem_cache;
struct kmem_cache *kw_kmem_cache_create(const char *name, size_t size, unsigned long flags,
					void (*ctor)(void *));
void *kw_kmem_cache_alloc(struct kmem_cache *c, unsigned gfp);
void kw_kmem_cache_free(struct kmem_cache *c, void *p);
void kw_kmem_cache_destroy(struct kmem_cache *c);

/* RCU (sim/kernel/rcu.c). A reader region is rcu_read_lock() (any flavour) or any region
 * with preemption, bottom halves or IRQs disabled, or an interrupt handler; a grace period
 * waits for every region active when it began. Callbacks run in softirq context on the
 * queuing CPU after their grace period. */
struct rcu_head;
void kw_rcu_read_lock(void);
void kw_rcu_read_unlock(void);
void kw_synchronize_rcu(void);
void kw_call_rcu(struct rcu_head *head, void (*fn)(struct rcu_head *head));
void kw_kfree_rcu(const void *p);
void kw_rcu_barrier(void);
bool kw_rcu_read_lock_held(void);	/* inside rcu_read_lock() */
bool kw_rcu_read_lock_any_held(void);	/* inside any reader region */
/* RCU-lockdep ("suspicious RCU usage"): fails the run when !ok */
void kw_rcu_check(bool ok, const char *what);

/* Plain accesses wrapped in data_race() are not race-checked. */
void kw_data_race_begin(void);
void kw_data_race_end(void);

#ifdef __cplusplus
}
#endif
#endif /* KWEAVE_KWEAVE_H */
