// SPDX-License-Identifier: GPL-2.0-only
/*
 * objects.c - engine objects keyed by the address of the kernel object they model (locks,
 * completions), their labels in reports, and the scheduling point every primitive goes through.
 *
 * Invariants:
 *  - Every primitive's state lives in an engine object keyed by the kernel object's address
 *    (struct kw_obj), created on first use in a run and discarded with the run: a static or
 *    zeroed lock is ready, and no run sees another's state.
 *  - Each blocking call is one scheduling point whose op is enabled exactly when the call
 *    could return (lock free, completion done, task woken...); blocking is "not enabled".
 *  - A lock, completion, tasklet or timer operation on freed memory is a use after free.
 */
#include "kernel_priv.h"

#include <stdlib.h>
#include <string.h>

struct kw_kstate *kw_ks(struct kw_sim *s)
{
	if (!s->kstate)
		s->kstate = calloc(1, sizeof(struct kw_kstate));
	return s->kstate;
}

void kw_kernel_reset(struct kw_sim *s)
{
	struct kw_kstate *ks = kw_ks(s);

	kw_amap_clear(&s->objmap);
	s->nobjs = 0;
	s->nworkers = 0;
	s->nlockcls = 0;
	s->spin_yielders = 0;
	ks->ne = 0;
	ks->sysw = NULL;
	ks->softirq_seq = 0;
	memset(ks->softirqd, 0, sizeof(ks->softirqd));
	memset(ks->wq_words, 0, sizeof(ks->wq_words));
	memset(ks->wq_keys, 0, sizeof(ks->wq_keys));
	ks->nwq_shared = 0;
	kw_rcu_reset(s);
	kw_percpu_reset(s);
	kw_slab_reset(s);
}

struct kw_obj *kw_obj_find(struct kw_sim *s, const void *addr)
{
	uint32_t *v = kw_amap_get(&s->objmap, (uintptr_t)addr);

	return v ? &s->objs[*v] : NULL;
}

struct kw_obj *kw_obj_get(struct kw_sim *s, const void *addr, enum kw_objtype type)
{
	uint32_t *v = kw_amap_get(&s->objmap, (uintptr_t)addr);
	struct kw_obj *o;

	if (v)
		return &s->objs[*v];
	if (s->nobjs == s->capobjs) {
		s->capobjs = s->capobjs ? 2 * s->capobjs : 64;
		s->objs = kw_xrealloc(s->objs, s->capobjs * sizeof(*s->objs));
	}
	o = &s->objs[s->nobjs];
	memset(o, 0, sizeof(*o));
	o->addr = addr;
	o->type = (uint8_t)type;
	if (type == KW_OBJ_LOCK)
		o->u.lock.cls = -1;
	*kw_amap_put(&s->objmap, (uintptr_t)addr) = s->nobjs++;
	return o;
}

/* Forget engine objects inside freed memory (kfree of a struct holding a lock). Freeing an
 * armed timer or a scheduled tasklet is reported, as the kernel's debugobjects does: it
 * would fire on freed memory. */
void kw_obj_forget_range(struct kw_sim *s, const void *p, size_t n)
{
	for (uint32_t i = 0; i < s->nobjs; i++) {
		struct kw_obj *o = &s->objs[i];
		uintptr_t a = (uintptr_t)o->addr;

		if (a < (uintptr_t)p || a >= (uintptr_t)p + n || !o->type)
			continue;
		if ((o->type == KW_OBJ_TIMER || o->type == KW_OBJ_TASKLET) && o->u.soft.pending) {
			char l[96];

			kw_report_set(s, "free-active-object", s->cur ? s->cur->op.pc : 0,
				      "kfree of memory holding an active %s (%s): it would run on freed memory",
				      o->type == KW_OBJ_TIMER ? "timer_list" : "tasklet_struct",
				      kw_addr_label(s, o->addr, l, sizeof(l)));
			kw_fail_now(s);
		}
		kw_amap_del(&s->objmap, a);
		o->type = 0;
	}
}

struct kw_lock *kw_lock_of(struct kw_sim *s, const void *l)
{
	return &kw_obj_get(s, l, KW_OBJ_LOCK)->u.lock;
}

const char *kw_lock_label(struct kw_sim *s, const void *lock, char *buf, size_t n)
{
	struct kw_obj *o = kw_obj_find(s, lock);

	if (o && o->type == KW_OBJ_LOCK && o->u.lock.name)
		snprintf(buf, n, "%s", o->u.lock.name);
	else
		kw_addr_label(s, lock, buf, n);
	return buf;
}

void kw_lock_name(void *lock, const char *name)
{
	struct kw_sim *s = kw_S;

	if (s && s->in_run)
		kw_lock_of(s, lock)->name = name;
}

/* ---- scheduling points of the primitives ---------------------------------------------- */

void kw_point(struct kw_sim *s, unsigned kind, const void *addr, unsigned mode, uint64_t arg,
		     struct kw_thread *target, uintptr_t pc)
{
	struct kw_op op = { .kind = (uint8_t)kind, .mode = (uint8_t)mode, .addr = addr, .pc = pc,
			    .arg = arg, .target = target };

	if (kind == KW_OP_LOCK)
		op.obj = (uint32_t)(kw_obj_get(s, addr, KW_OBJ_LOCK) - s->objs) + 1;
	else if (kind == KW_OP_WAIT_COMPLETION)
		op.obj = (uint32_t)(kw_obj_get(s, addr, KW_OBJ_COMPLETION) - s->objs) + 1;
	kw_sched_point(s, &op);
	/* a sleep chosen while it could only time out: virtual time moves to its deadline */
	if (s->cur->deadline && s->jiffies < s->cur->deadline && kw_kernel_timing_out(s, s->cur))
		s->jiffies = s->cur->deadline;
	kw_mm_sync_op(s, s->cur); /* tso: locked instructions drain the store buffer */
	/* the kernel object is memory the primitive writes: freed memory is a use after free */
	switch (kind) {
	case KW_OP_LOCK:
	case KW_OP_TRYLOCK:
	case KW_OP_UNLOCK:
	case KW_OP_COMPLETE:
	case KW_OP_WAIT_COMPLETION:
	case KW_OP_SOFTIRQ:
	case KW_OP_SOFTIRQ_WAIT:
		if (!kw_alloc_check(s, s->cur, addr, 1, true, pc))
			kw_fail_now(s);
		break;
	default:
		break;
	}
}
