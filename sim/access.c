// SPDX-License-Identifier: GPL-2.0-only
/*
 * access.c - marked accesses: kw_load()/kw_store()/kw_cmpxchg()..., each a scheduling point
 * whose value the memory model decides. The instrumentation runtime (tsan_rt.c) funnels C11
 * atomics of the code under test here too.
 *
 * Outside a run's threads (setup, final check) an access touches memory directly.
 */
#include "kw_internal.h"

static const char *kw_rmw_note(enum kw_rmw_op op)
{
	static const char *n[] = { "xchg", "fetch_add", "fetch_sub", "fetch_and", "fetch_or", "fetch_xor",
				   "fetch_nand" };

	return (unsigned)op < 7 ? n[op] : "rmw";
}

/* An address no access can reach (the NULL page, a non-canonical one such as LIST_POISON1):
 * the access is reported as the crash it would be, at the user's site, before the engine
 * touches it (the engine performs marked accesses itself, and must not fault inside). */
static bool kw_addr_invalid(const void *p)
{
	uintptr_t a = (uintptr_t)p;

	if (a < 4096)
		return true;
#if defined(__x86_64__)
	return (uint64_t)((int64_t)a >> 47) + 1 > 1; /* bits 63..47 neither all 0 nor all 1 */
#elif defined(__aarch64__)
	return (a >> 56) != 0 && (a >> 56) != 0xff;
#else
	return false;
#endif
}

static void kw_invalid_check(struct kw_sim *s, struct kw_thread *t, const void *p, unsigned size, unsigned kind,
			     uintptr_t pc)
{
	char b[96];

	if (!kw_addr_invalid(p))
		return;
	kw_report_set(s, "crash", pc, "SIGSEGV (invalid memory access) in %s: marked %s of %u bytes at %#llx",
		      kw_thread_label(t, b, sizeof(b)), kind == KW_OP_LOAD ? "load" : kind == KW_OP_STORE ? "store" :
		      "read-modify-write", size, (unsigned long long)(uintptr_t)p);
	kw_fail_now(s);
}

/* The checkers' view of a marked access: use after free, and the race detector's shadow. */
static void kw_marked_check(struct kw_sim *s, struct kw_thread *t, const void *p, unsigned size, unsigned kind,
			    uintptr_t pc)
{
	kw_invalid_check(s, t, p, size, kind, pc);
	if (!kw_alloc_check(s, t, p, size, kind != KW_OP_LOAD, pc))
		kw_fail_now(s);
	if (s->cfg.races && !t->data_race_depth)
		kw_race_access(s, t, p, size, kind, pc);
}

static inline struct kw_thread *kw_running(struct kw_sim **sp)
{
	struct kw_sim *s = kw_S;

	*sp = s;
	return s && s->in_run ? s->cur : NULL;
}

uint64_t kw_mem_load_at(const void *p, unsigned size, int mo, uintptr_t pc)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_running(&s);
	struct kw_op op = { .kind = KW_OP_LOAD, .size = (uint8_t)size, .mo = (uint8_t)mo, .addr = p, .pc = pc };
	uint64_t v;

	if (!t)
		return kw_raw_load(p, size);
	kw_sched_point(s, &op);
	kw_marked_check(s, t, p, size, KW_OP_LOAD, pc);
	v = kw_mm_load(s, t, p, size, mo, pc);
	kw_spin_note(s, t, t->last_load_loc, t->last_load_ts, pc); /* fairness: a spinning reader yields */
	kw_trace_event(s, t, KW_OP_LOAD, p, size, v, t->last_src_pc, pc, mo == KW_ACQUIRE ? " (acquire)" : NULL);
	if (s->tracing)
		s->ev[s->nev - 1].src = (int16_t)t->last_src;
	return v;
}

void kw_mem_store_at(void *p, unsigned size, uint64_t v, int mo, uintptr_t pc)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_running(&s);
	struct kw_op op = { .kind = KW_OP_STORE, .size = (uint8_t)size, .mo = (uint8_t)mo, .addr = p, .pc = pc,
			    .arg = v };

	if (!t) {
		kw_raw_store(p, size, v);
		return;
	}
	kw_sched_point(s, &op);
	kw_marked_check(s, t, p, size, KW_OP_STORE, pc);
	kw_mm_store(s, t, p, size, v, mo, pc);
	kw_trace_event(s, t, KW_OP_STORE, p, size, v, 0, pc, mo == KW_RELEASE ? " (release)" : NULL);
}

uint64_t kw_mem_rmw_at(void *p, unsigned size, enum kw_rmw_op rop, uint64_t v, int mo, uintptr_t pc)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_running(&s);
	struct kw_op op = { .kind = KW_OP_RMW, .size = (uint8_t)size, .mo = (uint8_t)mo, .mode = (uint8_t)rop,
			    .addr = p, .pc = pc, .arg = v };
	uint64_t old;

	if (!t) {
		old = kw_raw_load(p, size);
		kw_mm_rmw(s, NULL, p, size, rop, v, mo, pc);
		return old;
	}
	kw_sched_point(s, &op);
	kw_marked_check(s, t, p, size, KW_OP_RMW, pc);
	old = kw_mm_rmw(s, t, p, size, rop, v, mo, pc);
	kw_trace_event(s, t, KW_OP_RMW, p, size, old, kw_raw_load(p, size), pc, kw_rmw_note(rop));
	return old;
}

bool kw_mem_cmpxchg_at(void *p, unsigned size, uint64_t *expected, uint64_t desired, int mo_ok, int mo_fail,
		       uintptr_t pc)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_running(&s);
	struct kw_op op = { .kind = KW_OP_RMW, .size = (uint8_t)size, .mo = (uint8_t)mo_ok, .mode = 0xff,
			    .addr = p, .pc = pc, .arg = desired };
	uint32_t epoch;
	bool ok;

	if (!t)
		return kw_mm_cmpxchg(s, NULL, p, size, expected, desired, mo_ok, mo_fail, pc);
	kw_sched_point(s, &op);
	kw_invalid_check(s, t, p, size, KW_OP_RMW, pc);
	if (!kw_alloc_check(s, t, p, size, true, pc))
		kw_fail_now(s);
	/* the access happens at the clock value before the operation ticks it (a release
	 * clock taken by the operation must cover the access) */
	epoch = t->vc[t->id];
	ok = kw_mm_cmpxchg(s, t, p, size, expected, desired, mo_ok, mo_fail, pc);
	if (s->cfg.races && !t->data_race_depth)
		kw_race_access_at(s, t, p, size, ok ? KW_OP_RMW : KW_OP_LOAD, pc, epoch);
	if (ok)
		t->spin_fresh = false; /* a failed one has no effect: spinning is judged by the loads */
	kw_trace_event(s, t, KW_OP_RMW, p, size, *expected, ok ? desired : *expected, pc,
		       ok ? "cmpxchg ok" : "cmpxchg failed");
	return ok;
}

/* A wait-loop step: the thread sleeps until a store newer than the one its last load read
 * exists (see kw_mm_wait_enabled), so spinning costs no steps and dfs stays finite. */
__attribute__((noinline)) void kw_cpu_relax(void)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_running(&s);
	struct kw_op op = { .kind = KW_OP_SPIN, .size = 1, .pc = KW_RET_PC };

	if (!t)
		return;
	kw_mm_wait_begin(s, t);
	op.addr = (const void *)t->wait_loc;
	kw_sched_point(s, &op);
	kw_trace_event(s, t, KW_OP_SPIN, op.addr, 0, 0, 0, op.pc, "cpu_relax");
}

void kw_fence_at(enum kw_fence f, uintptr_t pc)
{
	static const char *names[] = { "smp_mb", "acquire fence", "release fence", "smp_wmb", "smp_rmb" };
	struct kw_sim *s;
	struct kw_thread *t = kw_running(&s);
	struct kw_op op = { .kind = KW_OP_FENCE, .mode = (uint8_t)f, .pc = pc };

	if (!t)
		return;
	kw_sched_point(s, &op);
	kw_mm_fence(s, t, f);
	kw_trace_event(s, t, KW_OP_FENCE, NULL, 0, 0, 0, pc, names[f]);
}

__attribute__((noinline)) uint64_t kw_mem_load(const void *p, unsigned size, int mo)
{
	return kw_mem_load_at(p, size, mo, KW_RET_PC);
}

__attribute__((noinline)) void kw_mem_store(void *p, unsigned size, uint64_t v, int mo)
{
	kw_mem_store_at(p, size, v, mo, KW_RET_PC);
}

__attribute__((noinline)) uint64_t kw_mem_rmw(void *p, unsigned size, enum kw_rmw_op op, uint64_t v, int mo)
{
	return kw_mem_rmw_at(p, size, op, v, mo, KW_RET_PC);
}

__attribute__((noinline)) bool kw_mem_cmpxchg(void *p, unsigned size, uint64_t *expected, uint64_t desired,
					      int mo_ok, int mo_fail)
{
	return kw_mem_cmpxchg_at(p, size, expected, desired, mo_ok, mo_fail, KW_RET_PC);
}

__attribute__((noinline)) void kw_fence(enum kw_fence f)
{
	kw_fence_at(f, KW_RET_PC);
}
