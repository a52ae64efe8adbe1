// SPDX-License-Identifier: GPL-2.0-only
/*
 * percpu-refcount.h - percpu_ref: a reference count that is a per-CPU counter while it is
 * live (gets and puts touch only the local CPU's copy, inside an RCU-sched reader region),
 * and an atomic_long_t after percpu_ref_kill(), which switches it over through a grace
 * period (call_rcu) and drops the initial reference; release() runs when the count reaches
 * zero. Declarations only: the implementation is code under test
 * (core/kernel/percpu-refcount.c), so the RCU, per-CPU and atomic operations it is made of
 * are all exercised by kweave.
 *  - percpu_ref_tryget_live() fails once the ref is dying (killed); percpu_ref_tryget()
 *    fails only at zero;
 *  - killing twice, or a count at or below zero after the switch, fails the run (the kernel
 *    WARNs: "percpu-ref-double-kill", "percpu-ref-underflow");
 *  - not ported: percpu_ref_reinit/resurrect/switch_to_percpu (back to per-CPU mode).
 */
#ifndef KWEAVE_PERCPU_REFCOUNT_H
#define KWEAVE_PERCPU_REFCOUNT_H

#include <kweave/types.h>
#include <kweave/atomic.h>
#include <kweave/rcupdate.h>
#include <kweave/slab.h>

struct percpu_ref;
typedef void (percpu_ref_func_t)(struct percpu_ref *ref);

#define PERCPU_REF_INIT_ATOMIC (1u << 0)
#define PERCPU_REF_INIT_DEAD (1u << 1)
#define PERCPU_REF_ALLOW_REINIT (1u << 2)

struct percpu_ref_data {
	atomic_long_t count;			/* the count in atomic mode (biased while per-CPU) */
	percpu_ref_func_t *release;		/* called when the count reaches zero */
	percpu_ref_func_t *confirm_switch;	/* called once the switch to atomic is visible to all */
	struct rcu_head rcu;			/* the switch's grace period */
	struct percpu_ref *ref;
};

struct percpu_ref {
	/* per-CPU counters' address | __PERCPU_REF_ATOMIC | __PERCPU_REF_DEAD */
	unsigned long percpu_count_ptr;
	struct percpu_ref_data *data;
};

int percpu_ref_init(struct percpu_ref *ref, percpu_ref_func_t *release, unsigned int flags, gfp_t gfp);
void percpu_ref_exit(struct percpu_ref *ref);
void percpu_ref_get_many(struct percpu_ref *ref, unsigned long nr);
void percpu_ref_put_many(struct percpu_ref *ref, unsigned long nr);
#define percpu_ref_get(ref) percpu_ref_get_many((ref), 1)
#define percpu_ref_put(ref) percpu_ref_put_many((ref), 1)
bool percpu_ref_tryget_many(struct percpu_ref *ref, unsigned long nr);
#define percpu_ref_tryget(ref) percpu_ref_tryget_many((ref), 1)
bool percpu_ref_tryget_live(struct percpu_ref *ref);
void percpu_ref_kill_and_confirm(struct percpu_ref *ref, percpu_ref_func_t *confirm_kill);
#define percpu_ref_kill(ref) percpu_ref_kill_and_confirm((ref), NULL)
bool percpu_ref_is_zero(struct percpu_ref *ref);
bool percpu_ref_is_dying(struct percpu_ref *ref);

#endif /* KWEAVE_PERCPU_REFCOUNT_H */
