// SPDX-License-Identifier: GPL-2.0-only
/*
 * workers.c - worker threads fed by a FIFO (the engine side of the workqueue port in
 * core/kernel/workqueue.c).
 *
 * Invariants:
 *  - Happens-before: queue -> the item's run; every item run so far -> the return of a
 *    flush (of the queue or of one item) or of cancel_work_sync(), which look at the worker
 *    under its lock in the kernel.
 *  - An item is queued at most once while pending; a work item returning with a lock held (or
 *    inside rcu_read_lock(), or with preemption or bottom halves off) is reported.
 *  - Items run in FIFO order; a cancelled item stays in the FIFO as a tombstone (fn NULL), so
 *    sequence numbers stay in queue order and "done_seq >= n" still means "everything queued
 *    up to n has finished".
 *  - An item (fn, arg) remembers the worker it was last queued on (an engine object keyed by
 *    arg), as the kernel's work_struct remembers its pool: flush/cancel of the item find it.
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
		if (!it.fn) {
			w->done_seq = it.seq; /* a cancelled item */
			continue;
		}
		w->busy = true;
		w->cur_fn = it.fn;
		w->cur_arg = it.arg;
		w->cur_seq = it.seq;
		kw_vc_join(t->vc, it.vc);
		KW_TSAN_ACQUIRE(&w->q[(w->head - 1) % 64]); /* pairs with kw_worker_queue() */
		kw_trace_event(s, t, KW_OP_WORKER_WAIT, NULL, 0, it.seq, 0, 0, "run work");
		it.fn(it.arg);
		if (kw_ctx_leak_check(s, t, "work item returned"))
			kw_fail_now(s);
		w->busy = false;
		w->done_seq = it.seq;
		kw_vc_join(w->done_vc, t->vc);
		KW_TSAN_RELEASE(&w->done_vc); /* pairs with kw_worker_flush() */
		kw_vc_tick(t);
	}
}

static struct kw_worker *kw_worker_new(struct kw_sim *s, const char *name, int cpu, uintptr_t pc, bool point)
{
	struct kw_kstate *ks = kw_ks(s);
	struct kw_worker *w;

	if (s->nworkers == 16) {
		kw_report_set(s, "engine-limit", pc, "more than 16 workers in one run");
		kw_fail_now(s);
	}
	w = &ks->wpool[s->nworkers];
	s->workers[s->nworkers++] = w;
	memset(w, 0, sizeof(*w));
	if (s->cur && point)
		kw_point(s, KW_OP_SPAWN, NULL, 0, 0, NULL, pc);
	w->t = kw_thread_new(s, name, kw_worker_main, w, KW_WORKER, cpu, true);
	w->t->worker = w;
	return w;
}

__attribute__((noinline)) struct kw_worker *kw_worker_create(const char *name, int cpu)
{
	struct kw_sim *s = kw_S;

	if (!s || !s->in_run)
		return NULL;
	return kw_worker_new(s, name, cpu, KW_RET_PC, true);
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
	{
		struct kw_obj *o = kw_obj_get(s, arg, KW_OBJ_WQ);

		if (o->type == KW_OBJ_WQ)
			o->u.worker = w;
	}
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
	{
		unsigned n = w->busy ? 1u : 0u;

		for (unsigned i = w->head; i != w->tail; i++)
			n += w->q[i % 64].fn != NULL;
		return n;
	}
}

/* ---- one item: flush, cancel, pending ---------------------------------------------------------- */

/* The worker item (fn, arg) was last queued on, if w is NULL. */
static struct kw_worker *kw_item_worker(struct kw_sim *s, struct kw_worker *w, const void *arg)
{
	struct kw_obj *o;

	if (w)
		return w;
	o = kw_obj_find(s, arg);
	return o && o->type == KW_OBJ_WQ ? o->u.worker : NULL;
}

/* Sequence number of the item's pending instance (0: none). */
static uint64_t kw_item_pending_seq(const struct kw_worker *w, void (*fn)(void *), const void *arg)
{
	for (unsigned i = w->head; i != w->tail; i++)
		if (w->q[i % 64].fn == fn && w->q[i % 64].arg == arg)
			return w->q[i % 64].seq;
	return 0;
}

static void kw_item_self_wait(struct kw_sim *s, struct kw_thread *t, struct kw_worker *w, void (*fn)(void *),
			      const void *arg, uintptr_t pc, const char *what)
{
	if (w->t == t && w->busy && w->cur_fn == fn && w->cur_arg == arg) {
		kw_report_set(s, "deadlock", pc, "%s of the running work item from itself", what);
		kw_fail_now(s);
	}
}

static void kw_item_wait(struct kw_sim *s, struct kw_thread *t, struct kw_worker *w, uint64_t seq, uintptr_t pc,
			 const char *what)
{
	kw_point(s, KW_OP_FLUSH, w, 0, seq, NULL, pc);
	kw_vc_join(t->vc, w->done_vc);
	KW_TSAN_ACQUIRE(&w->done_vc);
	kw_trace_event(s, t, KW_OP_FLUSH, w, 0, seq, 0, pc, what);
}

/* flush_work(): wait for the last queueing of the item to finish; true if it had to. */
__attribute__((noinline)) bool kw_worker_flush_one(struct kw_worker *w, void (*fn)(void *), void *arg)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	uintptr_t pc = KW_RET_PC;
	uint64_t seq;

	if (!t)
		return false;
	kw_check_may_sleep(s, t, "flush_work", pc);
	w = kw_item_worker(s, w, arg);
	if (!w)
		return false;
	kw_item_self_wait(s, t, w, fn, arg, pc, "flush_work()");
	kw_point(s, KW_OP_QUEUE, w, 0, 0, NULL, pc);
	/* it looks at the worker's state under the pool's lock: after every item done so far */
	kw_vc_join(t->vc, w->done_vc);
	KW_TSAN_ACQUIRE(&w->done_vc);
	seq = kw_item_pending_seq(w, fn, arg);
	if (!seq && w->busy && w->cur_fn == fn && w->cur_arg == arg)
		seq = w->cur_seq;
	if (!seq)
		return false;
	kw_item_wait(s, t, w, seq, pc, "flush_work");
	return true;
}

/* cancel_work(_sync)(): remove the pending instance (true if there was one); with wait, also
 * wait for a running one. */
__attribute__((noinline)) bool kw_worker_cancel(struct kw_worker *w, void (*fn)(void *), void *arg, bool wait)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	uintptr_t pc = KW_RET_PC;
	bool was = false;

	if (!t)
		return false;
	if (wait)
		kw_check_may_sleep(s, t, "cancel_work_sync", pc);
	w = kw_item_worker(s, w, arg);
	if (!w)
		return false;
	if (wait)
		kw_item_self_wait(s, t, w, fn, arg, pc, "cancel_work_sync()");
	kw_point(s, KW_OP_QUEUE, w, 0, 0, NULL, pc);
	if (wait) {
		/* like flush_work(): under the pool's lock, after every item done so far */
		kw_vc_join(t->vc, w->done_vc);
		KW_TSAN_ACQUIRE(&w->done_vc);
	}
	for (unsigned i = w->head; i != w->tail; i++)
		if (w->q[i % 64].fn == fn && w->q[i % 64].arg == arg) {
			w->q[i % 64].fn = NULL;
			was = true;
		}
	kw_trace_event(s, t, KW_OP_QUEUE, w, 0, was, 0, pc, was ? "cancel work (was pending)" : "cancel work");
	if (wait && w->busy && w->cur_fn == fn && w->cur_arg == arg)
		kw_item_wait(s, t, w, w->cur_seq, pc, "cancel_work_sync: wait for it");
	return was;
}

__attribute__((noinline)) bool kw_worker_item_pending(struct kw_worker *w, void (*fn)(void *), void *arg)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);

	if (!s || !s->in_run)
		return false;
	w = kw_item_worker(s, w, arg);
	if (!w)
		return false;
	if (t)
		kw_point(s, KW_OP_QUEUE, w, 0, 0, NULL, KW_RET_PC);
	return kw_item_pending_seq(w, fn, arg) != 0;
}

/* system_wq's worker: one per run, created on first use. */
__attribute__((noinline)) struct kw_worker *kw_system_worker(void)
{
	struct kw_sim *s = kw_S;
	struct kw_kstate *ks;

	if (!s || !s->in_run)
		return NULL;
	ks = kw_ks(s);
	if (!ks->sysw && s->cur)
		kw_point(s, KW_OP_SPAWN, NULL, 0, 0, NULL, KW_RET_PC);
	if (!ks->sysw) /* checked again after the point: another thread may have created it */
		ks->sysw = kw_worker_new(s, "events", -1, KW_RET_PC, false);
	return ks->sysw;
}
