// SPDX-License-Identifier: GPL-2.0-only
/*
 * tsan_rt.c - kweave's own runtime for the compiler's ThreadSanitizer instrumentation, as the
 * kernel's KCSAN does it: the code under test is compiled with -fsanitize=thread, and every
 * plain read and write, every C11 atomic (with its memory order) and every fence calls in here.
 *
 *  - plain accesses go to the checkers (use after free, data races) and, with --plain-points,
 *    become scheduling points;
 *  - atomics go to the engine, which performs them under the memory model and returns the
 *    value it chose (so READ_ONCE() may read an older store);
 *  - clang and gcc differ in a few entry points (compare_exchange_val against
 *    compare_exchange_strong/weak): both are here;
 *  - memcpy/memset/memmove from instrumented code are plain calls: the link wraps them
 *    (-Wl,--wrap) and the wrapper checks whether its caller is code under test (the engine's
 *    own files, under sim/, are never checked).
 *
 * In the tsan preset the real ThreadSanitizer runtime owns the __tsan_* names: the link wraps
 * those too (__wrap___tsan_*), the engine still decides, and the real runtime is told about
 * every access afterwards (see tsan_bridge.c).
 */
#include "kw_internal.h"

#include <string.h>

#ifdef KW_REAL_TSAN
#define KW_HOOK(n) __wrap_##n
#else
#define KW_HOOK(n) n
#endif

/* Called by the tsan preset's bridge after the engine acted (tsan_bridge.c); no-ops here. */
#ifdef KW_REAL_TSAN
void kw_tsan_note_plain(const void *p, size_t n, bool write, uintptr_t pc);
void kw_tsan_note_atomic(const void *p, unsigned size, bool write, int mo, uintptr_t pc);
#else
static inline void kw_tsan_note_plain(const void *p, size_t n, bool write, uintptr_t pc)
{
	(void)p; (void)n; (void)write; (void)pc;
}
static inline void kw_tsan_note_atomic(const void *p, unsigned size, bool write, int mo, uintptr_t pc)
{
	(void)p; (void)size; (void)write; (void)mo; (void)pc;
}
#endif

/* ---- plain accesses -------------------------------------------------------------------- */

#define KW_MAX_PLAIN_WITHOUT_POINT 50000000ull

/* The fuzz presets' coverage counters are bumped by the code under test with plain writes
 * that the ThreadSanitizer pass instruments too: they are the fuzzer's, not the code's. */
extern char __start___sancov_cntrs[] __attribute__((weak));
extern char __stop___sancov_cntrs[] __attribute__((weak));

static bool kw_not_ours(const void *p)
{
	return __start___sancov_cntrs && (const char *)p >= __start___sancov_cntrs &&
	       (const char *)p < __stop___sancov_cntrs;
}

static void kw_plain(const void *p, size_t n, bool write, uintptr_t pc)
{
	struct kw_sim *s = kw_S;
	struct kw_thread *t;

	if (!s || !s->in_run || !(t = s->cur) || kw_not_ours(p))
		return;
	if (s->cfg.plain_points) {
		struct kw_op op = { .kind = (uint8_t)(write ? KW_OP_PLAIN_WRITE : KW_OP_PLAIN_READ),
				    .size = (uint8_t)(n > 255 ? 255 : n), .addr = p, .pc = pc };

		kw_sched_point(s, &op);
		if (s->tracing)
			kw_trace_event(s, t, op.kind, p, (unsigned)op.size,
				       write ? 0 : kw_raw_load(p, n == 1 || n == 2 || n == 4 ? (unsigned)n : 8), 0, pc,
				       write ? " (plain)" : " (plain)");
	} else if (++s->plain_since_point > KW_MAX_PLAIN_WITHOUT_POINT) {
		kw_report_set(s, "livelock", pc,
			      "%llu plain accesses without a scheduling point: a plain busy-wait loop? (wait with cpu_relax(), wait_event() or smp_cond_load_acquire())",
			      (unsigned long long)KW_MAX_PLAIN_WITHOUT_POINT);
		kw_fail_now(s);
	}
	if (!kw_alloc_check(s, t, p, n, write, pc))
		kw_fail_now(s);
	if (s->cfg.races && !t->data_race_depth)
		kw_race_access(s, t, p, n, write ? KW_OP_PLAIN_WRITE : KW_OP_PLAIN_READ, pc);
	if (write) {
		kw_mm_plain_write(s, t, p, n);
		t->spin_fresh = false; /* an effect: not spinning (sched.c) */
	}
	kw_tsan_note_plain(p, n, write, pc);
}

#define KW_PLAIN(sz)                                                                   \
	__attribute__((noinline)) void KW_HOOK(__tsan_read##sz)(void *p)               \
	{                                                                              \
		kw_plain(p, sz, false, KW_RET_PC);                                     \
	}                                                                              \
	__attribute__((noinline)) void KW_HOOK(__tsan_write##sz)(void *p)              \
	{                                                                              \
		kw_plain(p, sz, true, KW_RET_PC);                                      \
	}                                                                              \
	__attribute__((noinline)) void KW_HOOK(__tsan_unaligned_read##sz)(void *p)     \
	{                                                                              \
		kw_plain(p, sz, false, KW_RET_PC);                                     \
	}                                                                              \
	__attribute__((noinline)) void KW_HOOK(__tsan_unaligned_write##sz)(void *p)    \
	{                                                                              \
		kw_plain(p, sz, true, KW_RET_PC);                                      \
	}
KW_PLAIN(1)
KW_PLAIN(2)
KW_PLAIN(4)
KW_PLAIN(8)
KW_PLAIN(16)

__attribute__((noinline)) void KW_HOOK(__tsan_read_range)(void *p, unsigned long n)
{
	kw_plain(p, n, false, KW_RET_PC);
}

__attribute__((noinline)) void KW_HOOK(__tsan_write_range)(void *p, unsigned long n)
{
	kw_plain(p, n, true, KW_RET_PC);
}

#ifndef KW_REAL_TSAN
void __tsan_init(void) {}
void __tsan_func_entry(void *pc) { (void)pc; }
void __tsan_func_exit(void) {}
void __tsan_vptr_update(void **p, void *v) { (void)p; (void)v; }
void __tsan_vptr_read(void **p) { (void)p; }
void __tsan_volatile_read1(void *p) { kw_plain(p, 1, false, KW_RET_PC); }
void __tsan_volatile_read2(void *p) { kw_plain(p, 2, false, KW_RET_PC); }
void __tsan_volatile_read4(void *p) { kw_plain(p, 4, false, KW_RET_PC); }
void __tsan_volatile_read8(void *p) { kw_plain(p, 8, false, KW_RET_PC); }
void __tsan_volatile_write1(void *p) { kw_plain(p, 1, true, KW_RET_PC); }
void __tsan_volatile_write2(void *p) { kw_plain(p, 2, true, KW_RET_PC); }
void __tsan_volatile_write4(void *p) { kw_plain(p, 4, true, KW_RET_PC); }
void __tsan_volatile_write8(void *p) { kw_plain(p, 8, true, KW_RET_PC); }
#endif

/* ---- memcpy & co. from the code under test ---------------------------------------------- */

void *__real_memcpy(void *d, const void *s, size_t n);
void *__real_memset(void *d, int c, size_t n);
void *__real_memmove(void *d, const void *s, size_t n);

static bool kw_wrap_wanted(uintptr_t pc, size_t n)
{
	struct kw_sim *s = kw_S;

	return n && s && s->in_run && s->cur && kw_pc_owner(pc) == KW_PC_USER;
}

#ifdef KW_REAL_TSAN
void __tsan_ignore_thread_begin(void);
void __tsan_ignore_thread_end(void);
/* the engine's own copies are none of TSan's business (and the plain access was noted) */
#define KW_QUIET(call)                                                                  \
	do {                                                                            \
		__tsan_ignore_thread_begin();                                           \
		call;                                                                   \
		__tsan_ignore_thread_end();                                             \
	} while (0)
#else
#define KW_QUIET(call) call
#endif

void *__wrap_memcpy(void *d, const void *src, size_t n)
{
	uintptr_t pc = KW_RET_PC;

	if (kw_wrap_wanted(pc, n)) {
		kw_plain(src, n, false, pc);
		kw_plain(d, n, true, pc);
	}
	KW_QUIET(__real_memcpy(d, src, n));
	return d;
}

void *__wrap_memmove(void *d, const void *src, size_t n)
{
	uintptr_t pc = KW_RET_PC;

	if (kw_wrap_wanted(pc, n)) {
		kw_plain(src, n, false, pc);
		kw_plain(d, n, true, pc);
	}
	KW_QUIET(__real_memmove(d, src, n));
	return d;
}

void *__wrap_memset(void *d, int c, size_t n)
{
	uintptr_t pc = KW_RET_PC;

	if (kw_wrap_wanted(pc, n))
		kw_plain(d, n, true, pc);
	KW_QUIET(__real_memset(d, c, n));
	return d;
}

/* ---- atomics ---------------------------------------------------------------------------- */

typedef unsigned char kw_a8;
typedef unsigned short kw_a16;
typedef unsigned int kw_a32;
typedef unsigned long long kw_a64;

static enum kw_rmw_op kw_rmw_ops[] = { KW_RMW_XCHG, KW_RMW_ADD, KW_RMW_SUB, KW_RMW_AND, KW_RMW_OR, KW_RMW_XOR,
				       KW_RMW_NAND };

#define KW_ATOMICS(bits, T)                                                                            \
	__attribute__((noinline)) T KW_HOOK(__tsan_atomic##bits##_load)(const volatile T *a, int mo)     \
	{                                                                                              \
		uintptr_t pc = KW_RET_PC;                                                              \
		T v = (T)kw_mem_load_at((const void *)a, sizeof(T), mo, pc);                           \
		kw_tsan_note_atomic((const void *)a, sizeof(T), false, mo, pc);                        \
		return v;                                                                              \
	}                                                                                              \
	__attribute__((noinline)) void KW_HOOK(__tsan_atomic##bits##_store)(volatile T *a, T v, int mo)  \
	{                                                                                              \
		uintptr_t pc = KW_RET_PC;                                                              \
		kw_mem_store_at((void *)a, sizeof(T), (uint64_t)v, mo, pc);                            \
		kw_tsan_note_atomic((const void *)a, sizeof(T), true, mo, pc);                         \
	}                                                                                              \
	static T kw_rmw##bits(volatile T *a, T v, int mo, int op, uintptr_t pc)                        \
	{                                                                                              \
		T old = (T)kw_mem_rmw_at((void *)a, sizeof(T), kw_rmw_ops[op], (uint64_t)v, mo, pc);   \
		kw_tsan_note_atomic((const void *)a, sizeof(T), true, mo, pc);                         \
		return old;                                                                            \
	}                                                                                              \
	__attribute__((noinline)) T KW_HOOK(__tsan_atomic##bits##_exchange)(volatile T *a, T v, int mo)  \
	{                                                                                              \
		return kw_rmw##bits(a, v, mo, 0, KW_RET_PC);                                           \
	}                                                                                              \
	__attribute__((noinline)) T KW_HOOK(__tsan_atomic##bits##_fetch_add)(volatile T *a, T v, int mo) \
	{                                                                                              \
		return kw_rmw##bits(a, v, mo, 1, KW_RET_PC);                                           \
	}                                                                                              \
	__attribute__((noinline)) T KW_HOOK(__tsan_atomic##bits##_fetch_sub)(volatile T *a, T v, int mo) \
	{                                                                                              \
		return kw_rmw##bits(a, v, mo, 2, KW_RET_PC);                                           \
	}                                                                                              \
	__attribute__((noinline)) T KW_HOOK(__tsan_atomic##bits##_fetch_and)(volatile T *a, T v, int mo) \
	{                                                                                              \
		return kw_rmw##bits(a, v, mo, 3, KW_RET_PC);                                           \
	}                                                                                              \
	__attribute__((noinline)) T KW_HOOK(__tsan_atomic##bits##_fetch_or)(volatile T *a, T v, int mo)  \
	{                                                                                              \
		return kw_rmw##bits(a, v, mo, 4, KW_RET_PC);                                           \
	}                                                                                              \
	__attribute__((noinline)) T KW_HOOK(__tsan_atomic##bits##_fetch_xor)(volatile T *a, T v, int mo) \
	{                                                                                              \
		return kw_rmw##bits(a, v, mo, 5, KW_RET_PC);                                           \
	}                                                                                              \
	__attribute__((noinline)) T KW_HOOK(__tsan_atomic##bits##_fetch_nand)(volatile T *a, T v, int mo)\
	{                                                                                              \
		return kw_rmw##bits(a, v, mo, 6, KW_RET_PC);                                           \
	}                                                                                              \
	static int kw_cas##bits(volatile T *a, T *c, T v, int mo, int fmo, uintptr_t pc)               \
	{                                                                                              \
		uint64_t e = (uint64_t)*c;                                                             \
		bool ok = kw_mem_cmpxchg_at((void *)a, sizeof(T), &e, (uint64_t)v, mo, fmo, pc);       \
		kw_tsan_note_atomic((const void *)a, sizeof(T), ok, ok ? mo : fmo, pc);                \
		*c = (T)e;                                                                             \
		return ok;                                                                             \
	}                                                                                              \
	__attribute__((noinline)) int KW_HOOK(__tsan_atomic##bits##_compare_exchange_strong)(          \
		volatile T *a, T *c, T v, int mo, int fmo)                                             \
	{                                                                                              \
		return kw_cas##bits(a, c, v, mo, fmo, KW_RET_PC);                                      \
	}                                                                                              \
	__attribute__((noinline)) int KW_HOOK(__tsan_atomic##bits##_compare_exchange_weak)(            \
		volatile T *a, T *c, T v, int mo, int fmo)                                             \
	{                                                                                              \
		return kw_cas##bits(a, c, v, mo, fmo, KW_RET_PC);                                      \
	}                                                                                              \
	__attribute__((noinline)) T KW_HOOK(__tsan_atomic##bits##_compare_exchange_val)(               \
		volatile T *a, T c, T v, int mo, int fmo)                                              \
	{                                                                                              \
		kw_cas##bits(a, &c, v, mo, fmo, KW_RET_PC);                                            \
		return c;                                                                              \
	}

KW_ATOMICS(8, kw_a8)
KW_ATOMICS(16, kw_a16)
KW_ATOMICS(32, kw_a32)
KW_ATOMICS(64, kw_a64)

__attribute__((noinline)) void KW_HOOK(__tsan_atomic_thread_fence)(int mo)
{
	enum kw_fence f = mo == KW_SEQ_CST || mo == KW_ACQ_REL ? KW_FENCE_MB :
			  mo == KW_RELEASE ? KW_FENCE_REL : KW_FENCE_ACQ;

	if (mo == KW_RELAXED)
		return;
	kw_fence_at(f, KW_RET_PC);
}

__attribute__((noinline)) void KW_HOOK(__tsan_atomic_signal_fence)(int mo)
{
	(void)mo; /* a compiler barrier: nothing to model on one simulated CPU's program order */
}
