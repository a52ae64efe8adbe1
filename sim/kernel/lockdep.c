// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockdep.c - the lock checker in the spirit of lockdep: the per-thread held-lock stack,
 * the lock-order graph with its circular-dependency check, IRQ-safe/unsafe usage, and
 * lockdep_assert_held().
 *
 * Invariants:
 *  - Lock-order edges are recorded per lock (instance) for the run; a new edge A->B is
 *    checked against a path B->...->A (lockdep's circular dependency), reported with both
 *    chains even when the run itself does not deadlock.
 *  - A spinlock taken in hard-IRQ context and, elsewhere, in task context with IRQs on is
 *    reported once per run (the IRQ could arrive on that CPU and spin for ever); likewise one
 *    taken in softirq context and, elsewhere, in task context with bottom halves and IRQs on
 *    (lockdep's {IN-SOFTIRQ-W} -> {SOFTIRQ-ON-W}: use spin_lock_bh()).
 */
#include "kernel_priv.h"

#include <stdlib.h>
#include <string.h>

/* ---- lock-order graph (lockdep-lite) -------------------------------------------------------- */

int kw_lock_cls(struct kw_sim *s, struct kw_lock *l, const void *addr)
{
	struct kw_kstate *ks = kw_ks(s);

	if (l->cls < 0 && s->nlockcls < 64) {
		l->cls = s->nlockcls++;
		ks->cls_lock[l->cls] = addr;
		ks->cls_irq[l->cls] = 0;
		ks->cls_soft[l->cls] = 0;
	}
	return l->cls;
}

static bool kw_edge_path(struct kw_kstate *ks, int from, int to, int *via, int depth)
{
	if (from == to)
		return true;
	if (depth > 64)
		return false;
	for (int i = 0; i < ks->ne; i++)
		if (ks->e[i].a == from && kw_edge_path(ks, ks->e[i].b, to, via, depth + 1)) {
			if (depth == 0)
				*via = i;
			return true;
		}
	return false;
}

void kw_lockdep_acquire(struct kw_sim *s, struct kw_thread *t, const void *addr,
			       struct kw_lock *l, unsigned mode, uintptr_t pc)
{
	struct kw_kstate *ks = kw_ks(s);
	int b = kw_lock_cls(s, l, addr);

	if (b < 0 || !s->cfg.lockdep)
		return;
	/* IRQ safety: a lock taken in hard-IRQ context must never be taken with IRQs on in task
	 * context (the IRQ could arrive on that CPU and spin on it forever) */
	if (mode == KW_LM_SPIN) {
		unsigned bit = t->kind == KW_IRQ ? 1u : (!t->irqs_off ? 2u : 0u);

		if (bit && !(ks->cls_irq[b] & bit)) {
			ks->cls_irq[b] |= (uint8_t)bit;
			ks->cls_irq_pc[b][bit - 1] = pc;
		}
		if ((ks->cls_irq[b] & 7u) == 3u) {
			char ln[64], s1[160], s2[160];

			kw_report_set(s, "irq-unsafe-lock", pc,
				      "inconsistent lock state: %s is taken in hard-IRQ context and with IRQs enabled in task context",
				      kw_lock_label(s, addr, ln, sizeof(ln)));
			kw_report_detail(s, "  taken in IRQ context at %s\n",
					 kw_site(ks->cls_irq_pc[b][0], s1, sizeof(s1)));
			kw_report_detail(s, "  taken with IRQs on at %s (use spin_lock_irqsave)\n",
					 kw_site(ks->cls_irq_pc[b][1], s2, sizeof(s2)));
			kw_report_defer(s);
			ks->cls_irq[b] |= 4u; /* reported once */
		}
		/* softirq safety: the same rule one level down */
		bit = t->kind == KW_SOFTIRQ ? 1u : (t->kind != KW_IRQ && !t->bh_off && !t->irqs_off) ? 2u : 0u;
		if (bit && !(ks->cls_soft[b] & bit)) {
			ks->cls_soft[b] |= (uint8_t)bit;
			ks->cls_soft_pc[b][bit - 1] = pc;
		}
		if ((ks->cls_soft[b] & 7u) == 3u) {
			char ln[64], s1[160], s2[160];

			kw_report_set(s, "softirq-unsafe-lock", pc,
				      "inconsistent lock state: %s is taken in softirq context and with softirqs enabled in task context",
				      kw_lock_label(s, addr, ln, sizeof(ln)));
			kw_report_detail(s, "  taken in softirq context at %s\n",
					 kw_site(ks->cls_soft_pc[b][0], s1, sizeof(s1)));
			kw_report_detail(s, "  taken with softirqs on at %s (use spin_lock_bh)\n",
					 kw_site(ks->cls_soft_pc[b][1], s2, sizeof(s2)));
			kw_report_defer(s);
			ks->cls_soft[b] |= 4u; /* reported once */
		}
	}
	for (int i = 0; i < t->nheld; i++) {
		struct kw_obj *ho = kw_obj_find(s, t->held[i].lock);
		int a, via = -1;
		bool have = false;

		if (!ho || ho->type != KW_OBJ_LOCK || ho->u.lock.cls < 0)
			continue;
		a = ho->u.lock.cls;
		if (a == b)
			continue;
		for (int k = 0; k < ks->ne; k++)
			if (ks->e[k].a == a && ks->e[k].b == b)
				have = true;
		if (have)
			continue;
		if (kw_edge_path(ks, b, a, &via, 0)) {
			const struct kw_edge *e = &ks->e[via];
			char la[64], lb[64], x1[160], x2[160], tb[96];

			kw_report_set(s, "lock-inversion", pc,
				      "possible circular locking dependency: %s then %s here, %s then %s earlier",
				      kw_lock_label(s, t->held[i].lock, la, sizeof(la)),
				      kw_lock_label(s, addr, lb, sizeof(lb)), lb, la);
			kw_report_detail(s, "  %s takes %s at %s\n", kw_thread_label(t, tb, sizeof(tb)), lb,
					 kw_site(pc, x1, sizeof(x1)));
			kw_report_detail(s, "    while holding %s, taken at %s\n", la,
					 kw_site(t->held[i].pc, x2, sizeof(x2)));
			kw_report_detail(s, "  %s took %s at %s\n",
					 kw_thread_label(&s->th[e->tid], tb, sizeof(tb)),
					 kw_lock_label(s, ks->cls_lock[e->b], la, sizeof(la)),
					 kw_site(e->pc_b, x1, sizeof(x1)));
			kw_report_detail(s, "    while holding %s, taken at %s\n",
					 kw_lock_label(s, ks->cls_lock[e->a], lb, sizeof(lb)),
					 kw_site(e->pc_a, x2, sizeof(x2)));
			kw_report_defer(s);
		}
		if (ks->ne < KW_MAX_EDGES)
			ks->e[ks->ne++] = (struct kw_edge){ .a = a, .b = b, .pc_a = t->held[i].pc, .pc_b = pc,
							    .tid = t->id };
	}
}

void kw_held_push(struct kw_sim *s, struct kw_thread *t, const void *lock, unsigned mode,
			 uintptr_t pc)
{
	if (t->nheld == KW_MAX_HELD) {
		kw_report_set(s, "engine-limit", pc, "more than %d locks held", KW_MAX_HELD);
		kw_fail_now(s);
	}
	t->held[t->nheld++] = (struct kw_held){ .lock = lock, .mode = (uint8_t)mode, .pc = pc };
}

bool kw_held_pop(struct kw_thread *t, const void *lock)
{
	for (int i = t->nheld - 1; i >= 0; i--)
		if (t->held[i].lock == lock) {
			memmove(&t->held[i], &t->held[i + 1], (size_t)(t->nheld - i - 1) * sizeof(t->held[0]));
			t->nheld--;
			return true;
		}
	return false;
}

bool kw_holds(const struct kw_thread *t, const void *lock)
{
	for (int i = 0; i < t->nheld; i++)
		if (t->held[i].lock == lock)
			return true;
	return false;
}

__attribute__((noinline)) void kw_lockdep_assert_held(void *lock)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);

	if (t && !kw_holds(t, lock)) {
		char ln[64];

		kw_report_set(s, "lockdep_assert_held", KW_RET_PC, "%s is not held here",
			      kw_lock_label(s, lock, ln, sizeof(ln)));
		kw_fail_now(s);
	}
}
