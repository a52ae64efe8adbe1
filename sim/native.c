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
	int rcu_nest;			/* rcu_read_lock() nesting */
	int preempt;			/* preempt_disable() + local_bh_disable() nesting */
	int bh;				/* local_bh_disable() nesting */
	uint8_t sig;			/* send_sig(): 1 pending, 2 fatal */
};

struct kn_obj {
	const void *addr;		/* the kernel object */
	pthread_mutex_t m;		/* guards the fields below */
	pthread_cond_t c;		/* waiters */
	int writer;			/* lock held exclusively */
	int readers;			/* read holders */
	unsigned done;			/* completion count */
	bool pending, running;		/* tasklet/timer */
	unsigned gen;			/* timer: arming generation (a re-arm or delete cancels) */
	void (*run)(void *);		/* tasklet/timer trampoline */
	struct kw_worker *worker;	/* work item: the worker it was last queued on */
};

struct kw_worker {
	struct kw_thread *t;		/* its thread */
	pthread_mutex_t m;
	pthread_cond_t c;
	void (*fn[256])(void *);	/* FIFO (fn NULL: a cancelled item) */
	void *arg[256];
	unsigned head, tail, done;
	bool stop;
	bool busy;			/* running item cur */
	unsigned cur;
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
	struct kw_worker *sysw;		/* system_wq's worker of this run */
	pthread_mutex_t rcu_m;		/* guards rcu_pending */
	pthread_cond_t rcu_c;
	int rcu_pending;		/* callbacks queued, not yet run */
} kn = { .objs_lock = PTHREAD_MUTEX_INITIALIZER, .fail_lock = PTHREAD_MUTEX_INITIALIZER,
	 .rcu_m = PTHREAD_MUTEX_INITIALIZER, .rcu_c = PTHREAD_COND_INITIALIZER };

static __thread struct kw_thread *kn_self;
static void kn_percpu_reset(void);
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
		w->cur = w->head++;
		if (fn) {
			w->busy = true;
			pthread_mutex_unlock(&w->m);
			fn(a);
			pthread_mutex_lock(&w->m);
			w->busy = false;
		}
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
		kn_obj(arg)->worker = w;
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

/* ---- per-CPU areas: as the engine's (sim/kernel/percpu.c), without its checks ---------------- */

#define KN_PCPU_CHUNK (1u << 20)
#define KN_PCPU_DYN (KN_PCPU_CHUNK / 2)

extern char __start_kw_percpu[] __attribute__((weak));
extern char __stop_kw_percpu[] __attribute__((weak));

static struct {
	char *chunks, *dyn_canon;
	size_t static_len, dyn_used;
	pthread_mutex_t m;
} kn_pcpu = { .m = PTHREAD_MUTEX_INITIALIZER };

static void kn_percpu_init(void)
{
	pthread_mutex_lock(&kn_pcpu.m);
	if (!kn_pcpu.chunks) {
		kn_pcpu.static_len = __start_kw_percpu ? (size_t)(__stop_kw_percpu - __start_kw_percpu) : 0;
		kn_pcpu.chunks = calloc(KW_PERCPU_MAX, KN_PCPU_CHUNK);
		kn_pcpu.dyn_canon = malloc(KN_PCPU_CHUNK - KN_PCPU_DYN);
		if (!kn_pcpu.chunks || !kn_pcpu.dyn_canon || kn_pcpu.static_len > KN_PCPU_DYN) {
			fputs("kweave (native): cannot set up the per-CPU areas\n", stderr);
			exit(2);
		}
	}
	pthread_mutex_unlock(&kn_pcpu.m);
}

static void kn_percpu_reset(void)
{
	kn_percpu_init();
	for (int c = 0; c < KW_PERCPU_MAX; c++) {
		memcpy(kn_pcpu.chunks + (size_t)c * KN_PCPU_CHUNK, __start_kw_percpu, kn_pcpu.static_len);
		memset(kn_pcpu.chunks + (size_t)c * KN_PCPU_CHUNK + KN_PCPU_DYN, 0, kn_pcpu.dyn_used);
	}
	kn_pcpu.dyn_used = 0;
}

void *kw_percpu_ptr(const void *p, int cpu)
{
	uintptr_t a = (uintptr_t)p;
	size_t off;

	kn_percpu_init();
	if (__start_kw_percpu && a >= (uintptr_t)__start_kw_percpu && a < (uintptr_t)__stop_kw_percpu)
		off = a - (uintptr_t)__start_kw_percpu;
	else if (a >= (uintptr_t)kn_pcpu.dyn_canon && a < (uintptr_t)kn_pcpu.dyn_canon + (KN_PCPU_CHUNK - KN_PCPU_DYN))
		off = KN_PCPU_DYN + (a - (uintptr_t)kn_pcpu.dyn_canon);
	else
		return (void *)p;
	if (cpu < 0 || cpu >= KW_PERCPU_MAX)
		cpu = 0;
	return kn_pcpu.chunks + (size_t)cpu * KN_PCPU_CHUNK + off;
}

void *kw_alloc_percpu(size_t size, size_t align)
{
	size_t off;

	kn_percpu_init();
	pthread_mutex_lock(&kn_pcpu.m);
	off = (kn_pcpu.dyn_used + (align ? align : 1) - 1) / (align ? align : 1) * (align ? align : 1);
	kn_pcpu.dyn_used = off + size;
	pthread_mutex_unlock(&kn_pcpu.m);
	return kn_pcpu.dyn_canon + off;
}

void kw_free_percpu(void *p) { (void)p; }

/* ---- contexts: counted, nothing enforced ------------------------------------------------------ */

static __thread int kn_main_preempt;

static int *kn_preempt_cnt(void) { return kn_self ? &kn_self->preempt : &kn_main_preempt; }
void kw_preempt_disable(void) { (*kn_preempt_cnt())++; }
void kw_preempt_enable(void) { (*kn_preempt_cnt())--; }
int kw_preempt_count(void) { return *kn_preempt_cnt() + (kn_self && kn_self->kind != KW_TASK && kn_self->kind != KW_WORKER); }
void kw_local_bh_disable(void) { if (kn_self) kn_self->bh++; kw_preempt_disable(); }
void kw_local_bh_enable(void) { if (kn_self) kn_self->bh--; kw_preempt_enable(); }
bool kw_in_serving_softirq(void) { return kn_self && kn_self->kind == KW_SOFTIRQ; }
bool kw_in_softirq(void) { return kw_in_serving_softirq() || (kn_self && kn_self->bh); }
bool kw_in_interrupt(void) { return kn_in_irq || kw_in_softirq(); }
void kw_spin_lock_bh(void *l) { kw_local_bh_disable(); kn_lock(l, false); }
void kw_spin_unlock_bh(void *l) { kn_unlock(l, false); kw_local_bh_enable(); }
bool kw_spin_trylock_bh(void *l)
{
	kw_local_bh_disable();
	if (kn_trylock(l, false))
		return true;
	kw_local_bh_enable();
	return false;
}
void kw_spin_lock_nested(void *l, int sub) { (void)sub; kn_lock(l, false); }
void kw_mutex_lock_nested(void *m, int sub) { (void)sub; kn_lock(m, false); }
void kw_down_write_nested(void *s, int sub) { (void)sub; kn_lock(s, false); }
void kw_might_lock(void *l, int mode) { (void)l; (void)mode; }
bool kw_lockdep_is_held(void *l) { (void)l; return true; }

/* ---- tasklets and timers: a real thread per handler run --------------------------------------- */

static void kn_soft_main(void *arg)
{
	struct kn_obj *o = arg;

	pthread_mutex_lock(&o->m);
	if (!o->pending) {
		pthread_mutex_unlock(&o->m);
		return;
	}
	o->pending = false;
	o->running = true;
	pthread_mutex_unlock(&o->m);
	o->run((void *)o->addr);
	pthread_mutex_lock(&o->m);
	o->running = false;
	pthread_cond_broadcast(&o->c);
	pthread_mutex_unlock(&o->m);
}

struct kn_timer_arg {
	struct kn_obj *o;
	unsigned gen;
	uint64_t expires;
};

static void kn_timer_main(void *arg)
{
	struct kn_timer_arg *ta = arg;
	struct kn_obj *o = ta->o;
	struct timespec dl;
	uint64_t now = kw_jiffies();

	kn_deadline(&dl, ta->expires > now ? (long long)(ta->expires - now) * 1000000ll : 0);
	pthread_mutex_lock(&o->m);
	while (o->gen == ta->gen && o->pending && kn_wait(&o->c, &o->m, &dl))
		;
	if (o->gen != ta->gen || !o->pending) {
		pthread_mutex_unlock(&o->m);
		free(ta);
		return;
	}
	pthread_mutex_unlock(&o->m);
	free(ta);
	kn_soft_main(o);
}

void kw_tasklet_init(void *t) { kn_obj(t)->pending = false; }

void kw_tasklet_schedule(void *t, void (*run)(void *))
{
	struct kn_obj *o = kn_obj(t);
	bool go;

	pthread_mutex_lock(&o->m);
	go = !o->pending;
	o->pending = true;
	o->run = run;
	pthread_mutex_unlock(&o->m);
	if (go)
		kw_thread_run("tasklet", kn_soft_main, o, KW_SOFTIRQ, kn_self ? kn_self->cpu : 0);
}

static void kn_soft_wait(struct kn_obj *o, bool sched)
{
	pthread_mutex_lock(&o->m);
	while (o->running || (sched && o->pending))
		pthread_cond_wait(&o->c, &o->m);
	pthread_mutex_unlock(&o->m);
}

void kw_tasklet_kill(void *t) { kn_soft_wait(kn_obj(t), true); }
void kw_tasklet_disable(void *t, bool wait) { if (wait) kn_soft_wait(kn_obj(t), false); }
void kw_tasklet_enable(void *t) { (void)t; }
void kw_timer_init(void *timer) { kn_obj(timer)->pending = false; }

int kw_mod_timer(void *timer, unsigned long expires, void (*run)(void *))
{
	struct kn_obj *o = kn_obj(timer);
	struct kn_timer_arg *ta = malloc(sizeof(*ta));
	int was;

	pthread_mutex_lock(&o->m);
	was = o->pending;
	o->pending = true;
	o->run = run;
	ta->o = o;
	ta->gen = ++o->gen;
	ta->expires = expires;
	pthread_cond_broadcast(&o->c);
	pthread_mutex_unlock(&o->m);
	kw_thread_run("timer", kn_timer_main, ta, KW_SOFTIRQ, kn_self ? kn_self->cpu : 0);
	return was;
}

int kw_del_timer(void *timer, bool sync)
{
	struct kn_obj *o = kn_obj(timer);
	int was;

	pthread_mutex_lock(&o->m);
	was = o->pending;
	o->pending = false;
	o->gen++;
	pthread_cond_broadcast(&o->c);
	pthread_mutex_unlock(&o->m);
	if (sync)
		kn_soft_wait(o, false);
	return was;
}

bool kw_timer_pending(void *timer) { return kn_obj(timer)->pending; }

/* ---- RCU: readers hold a reader-preferring rwlock; a grace period takes it for write -------- */

static pthread_rwlock_t kn_rcu_lock = PTHREAD_RWLOCK_INITIALIZER;
static __thread int kn_main_rcu;

static int *kn_rcu_nest(void) { return kn_self ? &kn_self->rcu_nest : &kn_main_rcu; }

void kw_rcu_read_lock(void)
{
	if ((*kn_rcu_nest())++ == 0)
		pthread_rwlock_rdlock(&kn_rcu_lock);
}

void kw_rcu_read_unlock(void)
{
	if (--(*kn_rcu_nest()) == 0)
		pthread_rwlock_unlock(&kn_rcu_lock);
}

void kw_synchronize_rcu(void)
{
	pthread_rwlock_wrlock(&kn_rcu_lock);
	pthread_rwlock_unlock(&kn_rcu_lock);
}

struct kn_rcu_cb {
	void (*fn)(struct rcu_head *);
	void *arg;
};

static void kn_rcu_cb_main(void *arg)
{
	struct kn_rcu_cb *cb = arg;

	kw_synchronize_rcu();
	if (cb->fn)
		cb->fn(cb->arg);
	else
		free(cb->arg);
	free(cb);
	pthread_mutex_lock(&kn.rcu_m);
	kn.rcu_pending--;
	pthread_cond_broadcast(&kn.rcu_c);
	pthread_mutex_unlock(&kn.rcu_m);
}

static void kn_rcu_queue(void (*fn)(struct rcu_head *), void *arg)
{
	struct kn_rcu_cb *cb = malloc(sizeof(*cb));

	cb->fn = fn;
	cb->arg = arg;
	pthread_mutex_lock(&kn.rcu_m);
	kn.rcu_pending++;
	pthread_mutex_unlock(&kn.rcu_m);
	kw_thread_run("rcu", kn_rcu_cb_main, cb, KW_SOFTIRQ, kn_self ? kn_self->cpu : 0);
}

void kw_call_rcu(struct rcu_head *head, void (*fn)(struct rcu_head *head)) { kn_rcu_queue(fn, head); }
void kw_kfree_rcu(const void *p) { if (p) kn_rcu_queue(NULL, (void *)p); }

void kw_rcu_barrier(void)
{
	pthread_mutex_lock(&kn.rcu_m);
	while (kn.rcu_pending)
		pthread_cond_wait(&kn.rcu_c, &kn.rcu_m);
	pthread_mutex_unlock(&kn.rcu_m);
}

bool kw_rcu_read_lock_held(void) { return *kn_rcu_nest() > 0; }
bool kw_rcu_read_lock_any_held(void) { return *kn_rcu_nest() > 0 || *kn_preempt_cnt() > 0 || kn_in_irq || kw_in_serving_softirq(); }
void kw_rcu_check(bool ok, const char *what)
{
	if (!ok)
		kn_failf("suspicious-rcu-usage", "suspicious RCU usage: %s", what);
}

/* ---- waits: hashed queues, signals, completion timeouts --------------------------------------- */

void kw_prepare_to_wait_key(const void *key, int bit, int state) { (void)bit; kw_prepare_to_wait((void *)key, state); }
void kw_finish_wait_key(const void *key, int bit) { (void)bit; kw_finish_wait((void *)key); }
void kw_wake_up_key(const void *key, int bit) { (void)bit; kw_wake_up((void *)key); }
bool kw_waitqueue_active(void *wq) { (void)wq; return true; }

void kw_send_sig(struct kw_thread *t, bool fatal)
{
	uint8_t lvl = fatal ? 2 : 1;

	if (!t)
		return;
	pthread_mutex_lock(&t->m);
	if (t->sig < lvl)
		t->sig = lvl;
	if (t->state == KW_TASK_INTERRUPTIBLE || ((t->state & KW_TASK_WAKEKILL) && fatal))
		t->state = KW_TASK_RUNNING;
	pthread_cond_broadcast(&t->c);
	pthread_mutex_unlock(&t->m);
}

bool kw_signal_pending(struct kw_thread *t) { return t && t->sig; }
bool kw_fatal_signal_pending(struct kw_thread *t) { return t && t->sig == 2; }

long kw_wait_for_completion_timeout(void *c, long ticks, int state)
{
	struct kn_obj *o = kn_obj(c);
	struct kw_thread *t = kn_self;
	struct timespec dl;
	long ret = 1;

	kn_deadline(&dl, ticks > 0 ? ticks * 1000000ll : KN_HANG_NS);
	pthread_mutex_lock(&o->m);
	while (!o->done) {
		if (t && ((state == KW_TASK_INTERRUPTIBLE && t->sig) || ((state & KW_TASK_WAKEKILL) && t->sig == 2))) {
			ret = -512;
			break;
		}
		if (!kn_wait(&o->c, &o->m, &dl)) {
			ret = 0;
			break;
		}
	}
	if (ret > 0 && o->done < (1u << 30))
		o->done--;
	pthread_mutex_unlock(&o->m);
	if (!ret && ticks <= 0)
		kn_failf("hang", "wait_for_completion() slept two seconds: nobody completed it");
	return ret;
}

/* ---- one work item ---------------------------------------------------------------------------- */

static struct kw_worker *kn_item_worker(struct kw_worker *w, void *arg)
{
	return w ? w : kn_obj(arg)->worker;
}

bool kw_worker_cancel(struct kw_worker *w, void (*fn)(void *), void *arg, bool wait)
{
	bool was = false;

	w = kn_item_worker(w, arg);
	if (!w)
		return false;
	pthread_mutex_lock(&w->m);
	for (unsigned i = w->head; i != w->tail; i++)
		if (w->fn[i % 256] == fn && w->arg[i % 256] == arg) {
			w->fn[i % 256] = NULL;
			was = true;
		}
	if (wait && w->busy && w->arg[w->cur % 256] == arg && kn_self != w->t) {
		unsigned want = w->cur + 1;

		while (w->done < want)
			pthread_cond_wait(&w->c, &w->m);
	}
	pthread_mutex_unlock(&w->m);
	return was;
}

bool kw_worker_flush_one(struct kw_worker *w, void (*fn)(void *), void *arg)
{
	unsigned want = 0;

	w = kn_item_worker(w, arg);
	if (!w)
		return false;
	pthread_mutex_lock(&w->m);
	for (unsigned i = w->head; i != w->tail; i++)
		if (w->fn[i % 256] == fn && w->arg[i % 256] == arg)
			want = i + 1;
	if (!want && w->busy && w->arg[w->cur % 256] == arg)
		want = w->cur + 1;
	while (want && w->done < want)
		pthread_cond_wait(&w->c, &w->m);
	pthread_mutex_unlock(&w->m);
	return want != 0;
}

bool kw_worker_item_pending(struct kw_worker *w, void (*fn)(void *), void *arg)
{
	bool p = false;

	w = kn_item_worker(w, arg);
	if (!w)
		return false;
	pthread_mutex_lock(&w->m);
	for (unsigned i = w->head; i != w->tail; i++)
		p |= w->fn[i % 256] == fn && w->arg[i % 256] == arg;
	pthread_mutex_unlock(&w->m);
	return p;
}

struct kw_worker *kw_system_worker(void)
{
	pthread_mutex_lock(&kn.rcu_m);
	if (!kn.sysw)
		kn.sysw = kw_worker_create("events", -1);
	pthread_mutex_unlock(&kn.rcu_m);
	return kn.sysw;
}

/* ---- slab caches ------------------------------------------------------------------------------- */

struct kmem_cache {
	size_t size;
	unsigned long flags;
	void (*ctor)(void *);
};

struct kmem_cache *kw_kmem_cache_create(const char *name, size_t size, unsigned long flags, void (*ctor)(void *))
{
	struct kmem_cache *c = calloc(1, sizeof(*c));

	(void)name;
	c->size = size;
	c->flags = flags;
	c->ctor = ctor;
	return c;
}

void *kw_kmem_cache_alloc(struct kmem_cache *c, unsigned gfp)
{
	void *p = kw_kmalloc(c->size, gfp);

	if (c->ctor)
		c->ctor(p);
	return p;
}

void kw_kmem_cache_free(struct kmem_cache *c, void *p)
{
	if (c->flags & 0x80000ul)
		kw_kfree_rcu(p);
	else
		kw_free(p);
}

void kw_kmem_cache_destroy(struct kmem_cache *c) { free(c); }

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
	kn.sysw = NULL;
	kn.rcu_pending = 0;
	kn_self = NULL;
	kn_percpu_reset();
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

		if ((t->kind == KW_IRQ || t->kind == KW_SOFTIRQ) && t->pt) {
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
