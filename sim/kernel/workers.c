// SPDX-License-Identifier: GPL-2.0-only
/*
 * workers.c - worker threads fed by a FIFO (the engine side of the workqueue port in
 * core/kernel/workqueue.c).
 *
 * Invariants:
 *  - Happens-before: queue -> the item's run, the last item run -> flush return.
 *  - An item is queued at most once while pending; a work item returning with a lock held is
 *    reported.
 */
#include "kernel_priv.h"

#include <stdlib.h>
#include <string.h>

static void kw_worker_main(void *arg)
{
	struct kw_worker *w = arg;
	struct kw_sim *s = kw_S;
	struct kw_thread *t = s->cur; /* w->t is not set yet during the prerun */

	for (;;) {
		struct kw_work it;

		kw_point(s, KW_OP_WORKER_WAIT, w, 0, 0, NULL, (uintptr_t)0);
		if (w->head == w->tail)
			break; /* stopping, nothing left */
		it = w->q[w->head % 64];
		w->head++;
		w->busy = true;
		kw_vc_join(t->vc, it.vc);
		KW_TSAN_ACQUIRE(&w->q[(w->head - 1) % 64]); /* pairs with kw_worker_queue() */
		kw_trace_event(s, t, KW_OP_WORKER_WAIT, NULL, 0, it.seq, 0, 0, "run work");
		it.fn(it.arg);
		if (t->nheld) {
			char ln[64], site[160];

			kw_report_set(s, "lock-held-at-exit", t->held[0].pc,
				      "work item returned with %s held (taken at %s)",
				      kw_lock_label(s, t->held[0].lock, ln, sizeof(ln)),
				      kw_site(t->held[0].pc, site, sizeof(site)));
			kw_fail_now(s);
		}
		w->busy = false;
		w->done_seq = it.seq;
		kw_vc_join(w->done_vc, t->vc);
		KW_TSAN_RELEASE(&w->done_vc); /* pairs with kw_worker_flush() */
		kw_vc_tick(t);
	}
}

__attribute__((noinline)) struct kw_worker *kw_worker_create(const char *name, int cpu)
{
	struct kw_sim *s = kw_S;
	struct kw_kstate *ks;
	struct kw_worker *w;

	if (!s || !s->in_run)
		return NULL;
	ks = kw_ks(s);
	if (s->nworkers == 16) {
		kw_report_set(s, "engine-limit", KW_RET_PC, "more than 16 workers in one run");
		kw_fail_now(s);
	}
	w = &ks->wpool[s->nworkers];
	s->workers[s->nworkers++] = w;
	memset(w, 0, sizeof(*w));
	if (s->cur)
		kw_point(s, KW_OP_SPAWN, NULL, 0, 0, NULL, KW_RET_PC);
	w->t = kw_thread_new(s, name, kw_worker_main, w, KW_WORKER, cpu, true);
	w->t->worker = w;
	return w;
}

__attribute__((noinline)) bool kw_worker_queue(struct kw_worker *w, void (*fn)(void *), void *arg)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	uintptr_t pc = KW_RET_PC;
	struct kw_work *it;

	if (!t || !w)
		return false;
	kw_point(s, KW_OP_QUEUE, w, 0, 0, NULL, pc);
	for (unsigned i = w->head; i != w->tail; i++)
		if (w->q[i % 64].fn == fn && w->q[i % 64].arg == arg) {
			kw_trace_event(s, t, KW_OP_QUEUE, w, 0, 0, 0, pc, "queue (already pending)");
			return false;
		}
	if (w->tail - w->head == 64) {
		kw_report_set(s, "engine-limit", pc, "more than 64 work items pending on one worker");
		kw_fail_now(s);
	}
	it = &w->q[w->tail % 64];
	it->fn = fn;
	it->arg = arg;
	it->seq = ++w->tail;
	memcpy(it->vc, t->vc, sizeof(it->vc));
	KW_TSAN_RELEASE(it);
	kw_vc_tick(t);
	kw_trace_event(s, t, KW_OP_QUEUE, w, 0, it->seq, 0, pc, "queue work");
	return true;
}

__attribute__((noinline)) void kw_worker_flush(struct kw_worker *w)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	uintptr_t pc = KW_RET_PC;

	if (!t || !w)
		return;
	kw_check_may_sleep(s, t, "flush_workqueue", pc);
	if (w->t == t) {
		kw_report_set(s, "deadlock", pc, "a worker flushes its own queue");
		kw_fail_now(s);
	}
	kw_point(s, KW_OP_FLUSH, w, 0, w->tail, NULL, pc);
	kw_vc_join(t->vc, w->done_vc);
	KW_TSAN_ACQUIRE(&w->done_vc);
	kw_trace_event(s, t, KW_OP_FLUSH, w, 0, w->tail, 0, pc, "flush");
}

__attribute__((noinline)) void kw_worker_destroy(struct kw_worker *w)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	uintptr_t pc = KW_RET_PC;

	if (!t || !w)
		return;
	kw_check_may_sleep(s, t, "destroy_workqueue", pc);
	kw_point(s, KW_OP_QUEUE, w, 0, 0, NULL, pc);
	w->stopping = true;
	kw_trace_event(s, t, KW_OP_QUEUE, w, 0, 0, 0, pc, "stop worker");
	kw_join_at(s, t, w->t, pc);
}

__attribute__((noinline)) unsigned kw_worker_pending(struct kw_worker *w)
{
	struct kw_sim *s = kw_S;

	if (!w)
		return 0;
	if (s && s->in_run && s->cur)
		kw_point(s, KW_OP_QUEUE, w, 0, 0, NULL, KW_RET_PC);
	return (w->tail - w->head) + (w->busy ? 1u : 0u);
}
