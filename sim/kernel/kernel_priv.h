// SPDX-License-Identifier: GPL-2.0-only
/*
 * kernel_priv.h - what the engine's kernel-primitive files (sim/kernel/) share: the per-run
 * lock-order graph and worker pool, and the helpers each primitive's model calls.
 *
 * One file per family: objects.c (engine objects, the primitives' scheduling point),
 * contexts.c (tasks, IRQs, CPUs, preemption and bottom halves, sleeping in atomic context),
 * lockdep.c (held locks, lock order, IRQ and softirq safety), locks.c, completions.c,
 * waits.c (wait queues, timeouts, signals, hashed var/bit waits), workers.c, softirq.c
 * (softirq threads, tasklets, timers), rcu.c (reader regions, grace periods, callbacks),
 * percpu.c (per-CPU areas), slab.c (kmem_cache), blocking.c (enabledness, deadlock and hang
 * reports).
 */
#ifndef KW_KERNEL_PRIV_H
#define KW_KERNEL_PRIV_H

#include "kw_internal.h"

#define KW_MAX_EDGES 256

struct kw_edge {
	int a, b;		/* lock classes: a was held when b was taken */
	uintptr_t pc_a, pc_b;	/* where a had been taken, where b was taken */
	int tid;		/* thread that did it */
};

/* RCU (rcu.c): a grace period being waited for. */
struct kw_rcu_gp {
	uint32_t wait;		/* threads whose reader region (active at the start) has not ended */
	kw_vc_t vc;		/* start clock, regions ended before it, ends of the waited regions */
};

#define KW_RCU_MAX_CB 128

/* A queued RCU callback (call_rcu, kfree_rcu): runs in softirq context after its GP. */
struct kw_rcu_cb {
	struct kw_rcu_gp gp;
	void (*fn)(struct rcu_head *head);	/* NULL: kfree(obj) */
	void *arg;				/* the rcu_head, or the object to free */
	uintptr_t pc;				/* where it was queued */
	int cpu;				/* runs on this CPU's softirq thread */
	bool done;
};

struct kw_rcu {
	kw_vc_t ended;			/* join of every reader-region end so far */
	kw_vc_t started;		/* join of every grace-period start so far */
	bool any_gp;			/* a grace period has started this run */
	struct kw_rcu_gp sync[KW_MAX_THREADS]; /* synchronize_rcu() in progress, by waiter */
	uint32_t syncing;		/* threads in synchronize_rcu() */
	struct kw_rcu_cb cb[KW_RCU_MAX_CB]; /* callbacks of this run, in queuing order */
	unsigned ncb;			/* queued so far */
	unsigned cb_first;		/* every callback before this one has run */
	kw_vc_t cb_done;		/* join of the clocks after each callback (rcu_barrier) */
};

/* A slab cache of the run (slab.c). */
#define KW_MAX_CACHES 16
struct kmem_cache {
	char name[32];		/* for reports */
	size_t size;		/* object size */
	unsigned long flags;	/* SLAB_* */
	void (*ctor)(void *);	/* constructor, or NULL */
	long live;		/* objects allocated and not freed */
	bool dead;		/* destroyed */
};

/* "Waiters present" words of wait queues (waitqueue_active(), wake_up_var()). */
#define KW_WQ_WORDS 64

struct kw_kstate {
	struct kw_edge e[KW_MAX_EDGES];	/* lock-order graph of this run */
	int ne;
	const void *cls_lock[64];	/* class -> lock address */
	uint8_t cls_irq[64];		/* bit0: taken in IRQ; bit1: taken in task with IRQs on */
	uintptr_t cls_irq_pc[64][2];	/* sites for the two usages */
	struct kw_worker wpool[16];	/* worker structures, reused */
	struct kw_worker *sysw;		/* system_wq's worker of this run (created on first use) */
	struct kw_rcu rcu;		/* RCU state of this run */
	struct kw_thread *softirqd[KW_MAX_CPUS]; /* per-CPU softirq threads of this run */
	uint64_t softirq_seq;		/* tasklet/timer arming order */
	uint64_t wq_words[KW_WQ_WORDS];	/* waiter counts, hashed by queue (a memory-model location each) */
	const void *wq_keys[KW_WQ_WORDS]; /* ... the queue each word belongs to (first-use order) */
	unsigned nwq_shared;		/* queues past KW_WQ_WORDS: shared words, round robin */
	struct kmem_cache caches[KW_MAX_CACHES]; /* slab caches of this run */
	int ncaches;
	uint8_t cls_soft[64];		/* lockdep: bit0 taken in softirq; bit1 with softirqs on; bit2 reported */
	uintptr_t cls_soft_pc[64][2];	/* sites of the two usages */
};

/* The running simulated thread (NULL in setup, the final check, or outside a run). */
static inline struct kw_thread *kw_cur_thread(struct kw_sim **sp)
{
	struct kw_sim *s = kw_S;

	*sp = s;
	return s && s->in_run ? s->cur : NULL;
}

/* objects.c */
struct kw_kstate *kw_ks(struct kw_sim *s);
struct kw_lock *kw_lock_of(struct kw_sim *s, const void *l);
void kw_point(struct kw_sim *s, unsigned kind, const void *addr, unsigned mode, uint64_t arg,
	      struct kw_thread *target, uintptr_t pc);

/* An interrupt handler (hard IRQ or softirq): runs on its CPU, preempting its tasks. */
static inline bool kw_intr(const struct kw_thread *t)
{
	return t->kind == KW_IRQ || t->kind == KW_SOFTIRQ;
}

/* contexts.c */
bool kw_atomic_ctx(const struct kw_thread *t, const char **why);
bool kw_ctx_leak_check(struct kw_sim *s, struct kw_thread *t, const char *when);
void kw_bh_change(struct kw_sim *s, struct kw_thread *t, int d, uintptr_t pc, const char *what);
void kw_check_may_sleep(struct kw_sim *s, struct kw_thread *t, const char *what, uintptr_t pc);
void kw_cpu_owner_update(struct kw_sim *s, struct kw_thread *t);
unsigned long kw_irq_flags_set(int off, uintptr_t pc, const char *what);
void kw_join_at(struct kw_sim *s, struct kw_thread *t, struct kw_thread *u, uintptr_t pc);

/* lockdep.c */
int kw_lock_cls(struct kw_sim *s, struct kw_lock *l, const void *addr);
void kw_lockdep_acquire(struct kw_sim *s, struct kw_thread *t, const void *addr, struct kw_lock *l,
			unsigned mode, uintptr_t pc);
void kw_held_push(struct kw_sim *s, struct kw_thread *t, const void *lock, unsigned mode, uintptr_t pc);
bool kw_held_pop(struct kw_thread *t, const void *lock);
bool kw_holds(const struct kw_thread *t, const void *lock);

/* rcu.c */
bool kw_rcu_reader(const struct kw_thread *t);
void kw_rcu_thread_end(struct kw_sim *s, struct kw_thread *t);
void kw_rcu_reset(struct kw_sim *s);
bool kw_rcu_cb_ready(struct kw_sim *s, int cpu);
void kw_rcu_queue(struct kw_sim *s, struct kw_thread *t, void (*fn)(struct rcu_head *), void *arg, uintptr_t pc,
		  const char *what);
bool kw_rcu_run_one(struct kw_sim *s, struct kw_thread *t);
bool kw_rcu_wait_enabled(struct kw_sim *s, struct kw_thread *t, const struct kw_op *op);
struct kw_thread *kw_rcu_waits_for(struct kw_sim *s, struct kw_thread *t);

/* blocking.c */
uint64_t kw_kernel_time_next(struct kw_sim *s);

/* softirq.c */
struct kw_thread *kw_softirqd(struct kw_sim *s, int cpu, uintptr_t pc);
bool kw_softirq_wait_enabled(struct kw_sim *s, const struct kw_op *op);

/* waits.c */
void kw_wq_word_add(struct kw_sim *s, struct kw_thread *t, const void *wq, int d);

/* percpu.c, slab.c */
void kw_percpu_reset(struct kw_sim *s);
void kw_slab_reset(struct kw_sim *s);

/* locks.c */
const char *kw_lm_name(unsigned mode);
bool kw_lock_free_for(const struct kw_lock *l, unsigned mode);
bool kw_writer_waiting(struct kw_sim *s, const void *lock, const struct kw_thread *self);

#endif /* KW_KERNEL_PRIV_H */
