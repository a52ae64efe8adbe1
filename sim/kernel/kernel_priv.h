// SPDX-License-Identifier: GPL-2.0-only
/*
 * kernel_priv.h - what the engine's kernel-primitive files (sim/kernel/) share: the per-run
 * lock-order graph and worker pool, and the helpers each primitive's model calls.
 *
 * One file per family: objects.c (engine objects, the primitives' scheduling point),
 * contexts.c (tasks, IRQs, CPUs, sleeping in atomic context), lockdep.c (held locks, lock
 * order, IRQ safety), locks.c, completions.c, waits.c, workers.c, blocking.c (enabledness,
 * deadlock and hang reports).
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

struct kw_kstate {
	struct kw_edge e[KW_MAX_EDGES];	/* lock-order graph of this run */
	int ne;
	const void *cls_lock[64];	/* class -> lock address */
	uint8_t cls_irq[64];		/* bit0: taken in IRQ; bit1: taken in task with IRQs on */
	uintptr_t cls_irq_pc[64][2];	/* sites for the two usages */
	struct kw_worker wpool[16];	/* worker structures, reused */
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

/* contexts.c */
bool kw_atomic_ctx(const struct kw_thread *t, const char **why);
void kw_check_may_sleep(struct kw_sim *s, struct kw_thread *t, const char *what, uintptr_t pc);
void kw_cpu_owner_update(struct kw_sim *s, struct kw_thread *t);
void kw_join_at(struct kw_sim *s, struct kw_thread *t, struct kw_thread *u, uintptr_t pc);

/* lockdep.c */
int kw_lock_cls(struct kw_sim *s, struct kw_lock *l, const void *addr);
void kw_lockdep_acquire(struct kw_sim *s, struct kw_thread *t, const void *addr, struct kw_lock *l,
			unsigned mode, uintptr_t pc);
void kw_held_push(struct kw_sim *s, struct kw_thread *t, const void *lock, unsigned mode, uintptr_t pc);
bool kw_held_pop(struct kw_thread *t, const void *lock);
bool kw_holds(const struct kw_thread *t, const void *lock);

/* locks.c */
const char *kw_lm_name(unsigned mode);
bool kw_lock_free_for(const struct kw_lock *l, unsigned mode);
bool kw_writer_waiting(struct kw_sim *s, const void *lock, const struct kw_thread *self);

#endif /* KW_KERNEL_PRIV_H */
