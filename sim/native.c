// SPDX-License-Identifier: GPL-2.0-only
/*
 * native.c - the native preset: the same scenario API and kernel-style headers on real
 * pthreads and C11 atomics, so a scenario also runs as the ordinary stress test a kernel
 * developer would otherwise write (the baseline kweave is measured against).
 *
 * Nothing here is deterministic or replayable: failures are counted, not saved. Locks,
 * completions and wait queues are built from pthread mutexes and condition variables,
 * looked up by the kernel object's address; a sleep that lasts longer than two seconds is
 * reported as a hang, since a lost wakeup would otherwise hang the run.
 */
#define _GNU_SOURCE
#include <kweave/kweave.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "native.h"

#define KN_MAX_OBJS 4096
#define KN_MAX_THREADS 64
#define KN_HANG_NS (2ll * 1000 * 1000 * 1000)

struct kw_thread {
	pthread_t pt;			/* the real thread */
	char name[32];			/* role */
	enum kw_kind kind;		/* task, irq, worker */
	int cpu;			/* "CPU" for per-CPU slots */
	void (*fn)(void *);		/* body */
	void *arg;
	int state;			/* KW_TASK_RUNNING / UNINTERRUPTIBLE */
	const void *wq;			/* wait queue it is on */
	pthread_mutex_t m;		/* guards state */
	pthread_cond_t c;		/* signalled on wake-up */
	bool done;
};

struct kn_obj {
	const void *addr;		/* the kernel object */
	pthread_mutex_t m;		/* guards the fields below */
	pthread_cond_t c;		/* waiters */
	int writer;			/* lock held exclusively */
	int readers;			/* read holders */
	unsigned done;			/* completion count */
};

struct kw_worker {
	struct kw_thread *t;		/* its thread */
	pthread_mutex_t m;
	pthread_cond_t c;
	void (*fn[256])(void *);	/* FIFO */
	void *arg[256];
	unsigned head, tail, done;
	bool stop;
};

static struct {
	const struct kw_scenario *sc;	/* running scenario */
	long params[KW_MAX_PARAMS];
	int ncpus;
	pthread_mutex_t objs_lock;	/* guards objs */
	struct kn_obj objs[KN_MAX_OBJS];
	int nobjs;
	struct kw_thread *th[KN_MAX_THREADS];
	int nth;
	pthread_mutex_t fail_lock;
	char failure[512];		/* first failure of the run */
	char outcome[256];
	pthread_barrier_t start;	/* releases the spec threads together */
} kn = { .objs_lock = PTHREAD_MUTEX_INITIALIZER, .fail_lock = PTHREAD_MUTEX_INITIALIZER };

static __thread struct kw_thread *kn_self;
static __thread bool kn_in_irq;

static void kn_fail(const char *check, const char *fmt, va_list ap)
{
	char msg[400];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	pthread_mutex_lock(&kn.fail_lock);
	if (!kn.failure[0])
		snprintf(kn.failure, sizeof(kn.failure), "%s: %s (in %s)", check, msg,
			 kn_self ? kn_self->name : "final check");
	pthread_mutex_unlock(&kn.fail_lock);
}

static void kn_failf(const char *check, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kn_fail(check, fmt, ap);
	va_end(ap);
}

void kw_check_failed(const char *check, int warn, const char *fmt, ...)
{
	va_list ap;

	(void)warn;
	va_start(ap, fmt);
	kn_fail(check, fmt, ap);
	va_end(ap);
}

void kw_outcome(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(kn.outcome, sizeof(kn.outcome), fmt, ap);
	va_end(ap);
}

long kw_param(const char *name)
{
	for (int i = 0; i < KW_MAX_PARAMS && kn.sc->params[i].name; i++)
		if (!strcmp(kn.sc->params[i].name, name))
			return kn.params[i];
	return 0;
}

static struct kn_obj *kn_obj(const void *addr)
{
	struct kn_obj *o = NULL;

	pthread_mutex_lock(&kn.objs_lock);
	for (int i = 0; i < kn.nobjs; i++)
		if (kn.objs[i].addr == addr) {
			o = &kn.objs[i];
			break;
		}
	if (!o && kn.nobjs < KN_MAX_OBJS) {
		o = &kn.objs[kn.nobjs++];
		memset(o, 0, sizeof(*o));
		o->addr = addr;
		pthread_mutex_init(&o->m, NULL);
		pthread_cond_init(&o->c, NULL);
	}
	pthread_mutex_unlock(&kn.objs_lock);
	if (!o) {
		fputs("kweave (native): too many kernel objects\n", stderr);
		exit(2);
	}
	return o;
}

static bool kn_wait(pthread_cond_t *c, pthread_mutex_t *m, struct timespec *deadline)
{
	return pthread_cond_timedwait(c, m, deadline) != ETIMEDOUT;
}

static void kn_deadline(struct timespec *ts, long long ns)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += (time_t)(ns / 1000000000ll);
	ts->tv_nsec += (long)(ns % 1000000000ll);
	if (ts->tv_nsec >= 1000000000l) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000l;
	}
}

/* ---- memory ---------------------------------------------------------------------------- */

uint64_t kw_mem_load(const void *p, unsigned size, int mo)
{
	(void)mo;
	switch (size) {
	case 1: return __atomic_load_n((const uint8_t *)p, __ATOMIC_SEQ_CST);
	case 2: return __atomic_load_n((const uint16_t *)p, __ATOMIC_SEQ_CST);
	case 4: return __atomic_load_n((const uint32_t *)p, __ATOMIC_SEQ_CST);
	default: return __atomic_load_n((const uint64_t *)p, __ATOMIC_SEQ_CST);
	}
}

void kw_mem_store(void *p, unsigned size, uint64_t v, int mo)
{
	(void)mo;
	switch (size) {
	case 1: __atomic_store_n((uint8_t *)p, (uint8_t)v, __ATOMIC_SEQ_CST); break;
	case 2: __atomic_store_n((uint16_t *)p, (uint16_t)v, __ATOMIC_SEQ_CST); break;
	case 4: __atomic_store_n((uint32_t *)p, (uint32_t)v, __ATOMIC_SEQ_CST); break;
	default: __atomic_store_n((uint64_t *)p, v, __ATOMIC_SEQ_CST); break;
	}
}

#define KN_RMW(T)                                                                      \
	switch (op) {                                                                  \
	case KW_RMW_XCHG: return __atomic_exchange_n((T *)p, (T)v, __ATOMIC_SEQ_CST);  \
	case KW_RMW_ADD: return __atomic_fetch_add((T *)p, (T)v, __ATOMIC_SEQ_CST);    \
	case KW_RMW_SUB: return __atomic_fetch_sub((T *)p, (T)v, __ATOMIC_SEQ_CST);    \
	case KW_RMW_AND: return __atomic_fetch_and((T *)p, (T)v, __ATOMIC_SEQ_CST);    \
	case KW_RMW_OR: return __atomic_fetch_or((T *)p, (T)v, __ATOMIC_SEQ_CST);      \
	case KW_RMW_XOR: return __atomic_fetch_xor((T *)p, (T)v, __ATOMIC_SEQ_CST);    \
	case KW_RMW_NAND: return __atomic_fetch_nand((T *)p, (T)v, __ATOMIC_SEQ_CST);  \
	}

uint64_t kw_mem_rmw(void *p, unsigned size, enum kw_rmw_op op, uint64_t v, int mo)
{
	(void)mo;
	if (size == 4)
		KN_RMW(uint32_t)
	if (size == 8)
		KN_RMW(uint64_t)
	if (size == 2)
		KN_RMW(uint16_t)
	KN_RMW(uint8_t)
	return 0;
}

bool kw_mem_cmpxchg(void *p, unsigned size, uint64_t *expected, uint64_t desired, int mo_ok, int mo_fail)
{
	(void)mo_ok;
	(void)mo_fail;
	switch (size) {
	case 4: {
		uint32_t e = (uint32_t)*expected;
		bool ok = __atomic_compare_exchange_n((uint32_t *)p, &e, (uint32_t)desired, 0, __ATOMIC_SEQ_CST,
						      __ATOMIC_RELAXED);
		*expected = e;
		return ok;
	}
	default: {
		uint64_t e = *expected;
		bool ok = __atomic_compare_exchange_n((uint64_t *)p, &e, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
		*expected = e;
		return ok;
	}
	}
}

void kw_fence(enum kw_fence f)
{
	(void)f;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void kw_yield(void)
{
	sched_yield();
}

void kw_cpu_relax(void)
{
	sched_yield();
}

void *kw_malloc(size_t size, bool zero)
{
	return zero ? calloc(1, size ? size : 1) : malloc(size ? size : 1);
}

void *kw_kmalloc(size_t size, unsigned gfp)
{
	return kw_malloc(size, (gfp & 0x100u) != 0);
}

void kw_free(const void *p)
{
	free((void *)p);
}

void kw_data_race_begin(void) {}
void kw_data_race_end(void) {}
void kw_might_sleep(void) {}
void kw_syscall_return(void) {}
void kw_lockdep_assert_held(void *l) { (void)l; }
void kw_lock_name(void *l, const char *n) { (void)l; (void)n; }

/* ---- locks: one sleeping lock type serves them all (and allows non-owner release) ------- */

static void kn_lock(void *l, bool read)
{
	struct kn_obj *o = kn_obj(l);
	struct timespec dl;

	kn_deadline(&dl, KN_HANG_NS);
	pthread_mutex_lock(&o->m);
	while (o->writer || (!read && o->readers))
		if (!kn_wait(&o->c, &o->m, &dl)) {
			kn_failf("hang", "waited two seconds for a lock");
			break;
		}
	if (read)
		o->readers++;
	else
		o->writer = 1;
	pthread_mutex_unlock(&o->m);
}

static bool kn_trylock(void *l, bool read)
{
	struct kn_obj *o = kn_obj(l);
	bool ok;

	pthread_mutex_lock(&o->m);
	ok = !o->writer && (read || !o->readers);
	if (ok) {
		if (read)
			o->readers++;
		else
			o->writer = 1;
	}
	pthread_mutex_unlock(&o->m);
	return ok;
}

static void kn_unlock(void *l, bool read)
{
	struct kn_obj *o = kn_obj(l);

	pthread_mutex_lock(&o->m);
	if (read && o->readers)
		o->readers--;
	else if (!read)
		o->writer = 0;
	pthread_cond_broadcast(&o->c);
	pthread_mutex_unlock(&o->m);
}

void kw_spin_lock(void *l) { kn_lock(l, false); }
bool kw_spin_trylock(void *l) { return kn_trylock(l, false); }
void kw_spin_unlock(void *l) { kn_unlock(l, false); }
unsigned long kw_spin_lock_irqsave(void *l) { kn_lock(l, false); return 0; }
void kw_spin_unlock_irqrestore(void *l, unsigned long f) { (void)f; kn_unlock(l, false); }
void kw_spin_lock_irq(void *l) { kn_lock(l, false); }
void kw_spin_unlock_irq(void *l) { kn_unlock(l, false); }
void kw_mutex_lock(void *m) { kn_lock(m, false); }
bool kw_mutex_trylock(void *m) { return kn_trylock(m, false); }
void kw_mutex_unlock(void *m) { kn_unlock(m, false); }
bool kw_mutex_is_locked(void *m) { return kn_obj(m)->writer != 0; }
void kw_down_read(void *s) { kn_lock(s, true); }
bool kw_down_read_trylock(void *s) { return kn_trylock(s, true); }
void kw_up_read(void *s) { kn_unlock(s, true); }
void kw_down_write(void *s) { kn_lock(s, false); }
bool kw_down_write_trylock(void *s) { return kn_trylock(s, false); }
void kw_up_write(void *s) { kn_unlock(s, false); }
void kw_down_read_non_owner(void *s) { kn_lock(s, true); }
void kw_up_read_non_owner(void *s) { kn_unlock(s, true); }
void kw_lock_release_handoff(void *l) { (void)l; }
void kw_lock_acquire_handoff(void *l) { (void)l; }

void kw_downgrade_write(void *s)
{
	struct kn_obj *o = kn_obj(s);

	pthread_mutex_lock(&o->m);
	o->writer = 0;
	o->readers++;
	pthread_cond_broadcast(&o->c);
	pthread_mutex_unlock(&o->m);
}

/* ---- completions ------------------------------------------------------------------------ */

void kw_init_completion(void *c) { kn_obj(c)->done = 0; }
void kw_reinit_completion(void *c) { kn_obj(c)->done = 0; }

static void kn_complete(void *c, unsigned n)
{
	struct kn_obj *o = kn_obj(c);

	pthread_mutex_lock(&o->m);
	o->done = n ? o->done + n : 1u << 30;
	pthread_cond_broadcast(&o->c);
	pthread_mutex_unlock(&o->m);
}

void kw_complete(void *c) { kn_complete(c, 1); }
void kw_complete_all(void *c) { kn_complete(c, 0); }

void kw_wait_for_completion(void *c)
{
	struct kn_obj *o = kn_obj(c);
	struct timespec dl;

	kn_deadline(&dl, KN_HANG_NS);
	pthread_mutex_lock(&o->m);
	while (!o->done)
		if (!kn_wait(&o->c, &o->m, &dl)) {
			kn_failf("hang", "wait_for_completion() waited two seconds");
			break;
		}
	if (o->done && o->done < (1u << 30))
		o->done--;
	pthread_mutex_unlock(&o->m);
}

bool kw_try_wait_for_completion(void *c)
{
	struct kn_obj *o = kn_obj(c);
	bool ok;

	pthread_mutex_lock(&o->m);
	ok = o->done > 0;
	if (ok && o->done < (1u << 30))
		o->done--;
	pthread_mutex_unlock(&o->m);
	return ok;
}

bool kw_completion_done(void *c) { return kn_obj(c)->done > 0; }

/* ---- sleeping and waking ------------------------------------------------------------------- */

struct kw_thread *kw_current(void) { return kn_self; }

uint64_t kw_jiffies(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void kw_set_current_state(int state)
{
	struct kw_thread *t = kn_self;

	pthread_mutex_lock(&t->m);
	t->state = state;
	pthread_mutex_unlock(&t->m);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void kw_prepare_to_wait(void *wq, int state)
{
	struct kw_thread *t = kn_self;

	pthread_mutex_lock(&t->m);
	t->wq = wq;
	t->state = state;
	pthread_mutex_unlock(&t->m);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void kw_finish_wait(void *wq)
{
	struct kw_thread *t = kn_self;

	pthread_mutex_lock(&t->m);
	t->state = KW_TASK_RUNNING;
	if (t->wq == wq)
		t->wq = NULL;
	pthread_mutex_unlock(&t->m);
}

long kw_schedule_timeout(long ticks)
{
	struct kw_thread *t = kn_self;
	struct timespec dl;
	bool woken = true;

	kn_deadline(&dl, ticks > 0 ? ticks * 1000000ll : KN_HANG_NS);
	pthread_mutex_lock(&t->m);
	while (t->state != KW_TASK_RUNNING)
		if (!kn_wait(&t->c, &t->m, &dl)) {
			woken = false;
			break;
		}
	t->state = KW_TASK_RUNNING;
	pthread_mutex_unlock(&t->m);
	if (!woken && ticks <= 0)
		kn_failf("hang", "schedule() slept two seconds: nobody woke it");
	return woken && ticks > 0 ? 1 : 0;
}

void kw_schedule(void) { kw_schedule_timeout(0); }

static void kn_wake(struct kw_thread *u)
{
	pthread_mutex_lock(&u->m);
	u->state = KW_TASK_RUNNING;
	pthread_cond_broadcast(&u->c);
	pthread_mutex_unlock(&u->m);
}

void kw_wake_up(void *wq)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (int i = 0; i < kn.nth; i++) {
		struct kw_thread *u = kn.th[i];
		bool on;

		pthread_mutex_lock(&u->m);
		on = u->wq == wq && u->state != KW_TASK_RUNNING;
		pthread_mutex_unlock(&u->m);
		if (on)
			kn_wake(u);
	}
}

void kw_wake_up_all(void *wq) { kw_wake_up(wq); }
void kw_wake_up_process(struct kw_thread *t) { kn_wake(t); }

/* ---- threads, IRQs, workers ------------------------------------------------------------------ */

static void *kn_thread_main(void *arg)
{
	struct kw_thread *t = arg;

	kn_self = t;
	kn_in_irq = t->kind == KW_IRQ;
	t->fn(t->arg);
	t->done = true;
	return NULL;
}

static struct kw_thread *kn_thread_new(const char *name, void (*fn)(void *), void *arg, enum kw_kind kind, int cpu)
{
	struct kw_thread *t = calloc(1, sizeof(*t));

	snprintf(t->name, sizeof(t->name), "%s", name);
	t->kind = kind;
	t->cpu = cpu >= 0 ? cpu % kn.ncpus : kn.nth % kn.ncpus;
	t->fn = fn;
	t->arg = arg;
	pthread_mutex_init(&t->m, NULL);
	pthread_cond_init(&t->c, NULL);
	pthread_mutex_lock(&kn.objs_lock);
	if (kn.nth < KN_MAX_THREADS)
		kn.th[kn.nth++] = t;
	pthread_mutex_unlock(&kn.objs_lock);
	return t;
}

struct kw_thread *kw_thread_run(const char *name, void (*fn)(void *), void *arg, enum kw_kind kind, int cpu)
{
	struct kw_thread *t = kn_thread_new(name, fn, arg, kind, cpu);

	pthread_create(&t->pt, NULL, kn_thread_main, t);
	return t;
}

void kw_thread_join(struct kw_thread *t)
{
	pthread_join(t->pt, NULL);
	t->pt = 0;
}

struct kw_thread *kw_irq_create(const char *name, void (*fn)(void *), void *arg, int cpu)
{
	return kn_thread_new(name, fn, arg, KW_IRQ, cpu);
}

/* An interrupt on real threads: the handler runs at once, on a thread of its own. */
void kw_irq_raise(struct kw_thread *irq)
{
	if (irq->pt)
		pthread_join(irq->pt, NULL);
	pthread_create(&irq->pt, NULL, kn_thread_main, irq);
}

bool kw_in_irq(void) { return kn_in_irq; }
bool kw_in_task(void) { return !kn_in_irq; }
bool kw_irqs_disabled(void) { return kn_in_irq; }
int kw_cpu(void) { return kn_self ? kn_self->cpu : 0; }
int kw_ncpus(void) { return kn.ncpus; }
unsigned long kw_local_irq_save(void) { return 0; }
void kw_local_irq_restore(unsigned long f) { (void)f; }
void kw_local_irq_disable(void) {}
void kw_local_irq_enable(void) {}

static void kn_worker_main(void *arg)
{
	struct kw_worker *w = arg;

	pthread_mutex_lock(&w->m);
	for (;;) {
		void (*fn)(void *);
		void *a;

		while (w->head == w->tail && !w->stop)
			pthread_cond_wait(&w->c, &w->m);
		if (w->head == w->tail)
			break;
		fn = w->fn[w->head % 256];
		a = w->arg[w->head % 256];
		w->head++;
		pthread_mutex_unlock(&w->m);
		fn(a);
		pthread_mutex_lock(&w->m);
		w->done++;
		pthread_cond_broadcast(&w->c);
	}
	pthread_mutex_unlock(&w->m);
}

struct kw_worker *kw_worker_create(const char *name, int cpu)
{
	struct kw_worker *w = calloc(1, sizeof(*w));

	pthread_mutex_init(&w->m, NULL);
	pthread_cond_init(&w->c, NULL);
	w->t = kw_thread_run(name, kn_worker_main, w, KW_WORKER, cpu);
	return w;
}

bool kw_worker_queue(struct kw_worker *w, void (*fn)(void *), void *arg)
{
	bool ok = true;

	pthread_mutex_lock(&w->m);
	for (unsigned i = w->head; i != w->tail; i++)
		if (w->fn[i % 256] == fn && w->arg[i % 256] == arg)
			ok = false;
	if (ok && w->tail - w->head < 256) {
		w->fn[w->tail % 256] = fn;
		w->arg[w->tail % 256] = arg;
		w->tail++;
		pthread_cond_broadcast(&w->c);
	}
	pthread_mutex_unlock(&w->m);
	return ok;
}

void kw_worker_flush(struct kw_worker *w)
{
	unsigned want;

	pthread_mutex_lock(&w->m);
	want = w->tail;
	while (w->done < want)
		pthread_cond_wait(&w->c, &w->m);
	pthread_mutex_unlock(&w->m);
}

void kw_worker_destroy(struct kw_worker *w)
{
	pthread_mutex_lock(&w->m);
	w->stop = true;
	pthread_cond_broadcast(&w->c);
	pthread_mutex_unlock(&w->m);
	kw_thread_join(w->t);
}

unsigned kw_worker_pending(struct kw_worker *w)
{
	unsigned n;

	pthread_mutex_lock(&w->m);
	n = w->tail - w->done;
	pthread_mutex_unlock(&w->m);
	return n;
}

/* ---- one stress run ------------------------------------------------------------------------- */

static void *kn_spec_main(void *arg)
{
	struct kw_thread *t = arg;

	pthread_barrier_wait(&kn.start);
	return kn_thread_main(t);
}

int kn_run_once(const struct kw_scenario *sc, const long *params, char *failure, size_t n, char *outcome,
		size_t on)
{
	int nspec = 0;

	kn.sc = sc;
	memcpy(kn.params, params, sizeof(kn.params));
	kn.ncpus = sc->cpus > 0 ? sc->cpus : 2;
	kn.nobjs = 0;
	kn.nth = 0;
	kn.failure[0] = 0;
	kn.outcome[0] = 0;
	kn_self = NULL;
	if (sc->setup)
		sc->setup();
	while (nspec < KW_MAX_SPEC_THREADS && sc->threads[nspec].fn)
		nspec++;
	pthread_barrier_init(&kn.start, NULL, (unsigned)nspec + 1);
	{
		struct kw_thread *spec[KW_MAX_SPEC_THREADS];

		for (int i = 0; i < nspec; i++) {
			const struct kw_thread_spec *ts = &sc->threads[i];

			spec[i] = kn_thread_new(ts->name, ts->fn, ts->arg, ts->kind, ts->on_cpu - 1);
			pthread_create(&spec[i]->pt, NULL, kn_spec_main, spec[i]);
		}
		pthread_barrier_wait(&kn.start);
		for (int i = 0; i < nspec; i++)
			pthread_join(spec[i]->pt, NULL);
	}
	/* threads the scenario started itself, then IRQ handlers (raised by them) */
	for (int i = 0; i < kn.nth; i++) {
		struct kw_thread *t = kn.th[i];

		if (t->kind == KW_TASK && t->pt) {
			pthread_join(t->pt, NULL);
			t->pt = 0;
		}
	}
	for (int i = 0; i < kn.nth; i++) {
		struct kw_thread *t = kn.th[i];

		if (t->kind == KW_IRQ && t->pt) {
			pthread_join(t->pt, NULL);
			t->pt = 0;
		}
	}
	for (int i = 0; i < kn.nth; i++)
		if (kn.th[i]->kind == KW_WORKER && !kn.th[i]->done) {
			struct kw_worker *w = kn.th[i]->arg;

			pthread_mutex_lock(&w->m);
			w->stop = true;
			pthread_cond_broadcast(&w->c);
			pthread_mutex_unlock(&w->m);
			pthread_join(kn.th[i]->pt, NULL);
		}
	pthread_barrier_destroy(&kn.start);
	kn_self = NULL;
	if (!kn.failure[0] && sc->check)
		sc->check();
	for (int i = 0; i < kn.nth; i++) {
		if (kn.th[i]->kind == KW_WORKER)
			free(kn.th[i]->arg);
		free(kn.th[i]);
	}
	snprintf(failure, n, "%s", kn.failure);
	snprintf(outcome, on, "%s", kn.outcome);
	return kn.failure[0] ? 1 : 0;
}
