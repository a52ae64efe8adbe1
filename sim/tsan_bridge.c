// SPDX-License-Identifier: GPL-2.0-only
/*
 * tsan_bridge.c - the tsan preset: after the engine performed an access of the code under
 * test, tell the real ThreadSanitizer runtime about it, at the user's site.
 *
 *  - plain accesses: __tsan_readN_pc/__tsan_writeN_pc with the caller's pc;
 *  - marked accesses: the real runtime's atomic entry points, relaxed (the engine models the
 *    ordering), inside a __tsan_func_entry(pc) frame so that the report names the user's
 *    line; a write is a fetch_add of 0, which changes nothing the engine decided;
 *  - happens-before: the engine's edges (locks, completions, wake-ups, work, spawn/join,
 *    IRQs on a CPU, release/acquire of the memory model, smp_mb) become
 *    __tsan_release/__tsan_acquire pairs (KW_TSAN_* in the engine); memory-model edges use
 *    one token per releasing store, an address in a private region.
 * Fibers are switched with __tsan_switch_to_fiber(..., no_sync), so TSan sees no other
 * synchronisation between simulated threads.
 */
#ifdef KW_REAL_TSAN
#include "kw_internal.h"

#include <stdlib.h>
#include <sys/mman.h>

void __tsan_func_entry(void *pc);
void __tsan_func_exit(void);
void __tsan_read1_pc(void *a, void *pc);
void __tsan_read2_pc(void *a, void *pc);
void __tsan_read4_pc(void *a, void *pc);
void __tsan_read8_pc(void *a, void *pc);
void __tsan_read16_pc(void *a, void *pc);
void __tsan_write1_pc(void *a, void *pc);
void __tsan_write2_pc(void *a, void *pc);
void __tsan_write4_pc(void *a, void *pc);
void __tsan_write8_pc(void *a, void *pc);
void __tsan_write16_pc(void *a, void *pc);
void __tsan_read_range_pc(void *a, unsigned long n, void *pc);
void __tsan_write_range_pc(void *a, unsigned long n, void *pc);
unsigned char __real___tsan_atomic8_load(const volatile unsigned char *a, int mo);
unsigned short __real___tsan_atomic16_load(const volatile unsigned short *a, int mo);
unsigned int __real___tsan_atomic32_load(const volatile unsigned int *a, int mo);
unsigned long long __real___tsan_atomic64_load(const volatile unsigned long long *a, int mo);
unsigned char __real___tsan_atomic8_fetch_add(volatile unsigned char *a, unsigned char v, int mo);
unsigned short __real___tsan_atomic16_fetch_add(volatile unsigned short *a, unsigned short v, int mo);
unsigned int __real___tsan_atomic32_fetch_add(volatile unsigned int *a, unsigned int v, int mo);
unsigned long long __real___tsan_atomic64_fetch_add(volatile unsigned long long *a, unsigned long long v, int mo);

#define KW_TOKENS (1u << 20)
static char *kw_tokens;

static void *kw_token(uint64_t tok)
{
	if (!kw_tokens) {
		kw_tokens = mmap(NULL, KW_TOKENS, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				 -1, 0);
		if (kw_tokens == MAP_FAILED)
			abort();
	}
	return kw_tokens + (tok % KW_TOKENS);
}

void kw_tsan_acquire_token(uint64_t tok)
{
	__tsan_acquire(kw_token(tok));
}

void kw_tsan_release_token(uint64_t tok)
{
	__tsan_release(kw_token(tok));
}

void kw_tsan_note_plain(const void *p, size_t n, bool write, uintptr_t pc)
{
	void *a = (void *)p, *c = (void *)pc;

	switch (n) {
	case 1: write ? __tsan_write1_pc(a, c) : __tsan_read1_pc(a, c); break;
	case 2: write ? __tsan_write2_pc(a, c) : __tsan_read2_pc(a, c); break;
	case 4: write ? __tsan_write4_pc(a, c) : __tsan_read4_pc(a, c); break;
	case 8: write ? __tsan_write8_pc(a, c) : __tsan_read8_pc(a, c); break;
	case 16: write ? __tsan_write16_pc(a, c) : __tsan_read16_pc(a, c); break;
	default: write ? __tsan_write_range_pc(a, n, c) : __tsan_read_range_pc(a, n, c); break;
	}
}

void kw_tsan_note_atomic(const void *p, unsigned size, bool write, int mo, uintptr_t pc)
{
	(void)mo; /* the engine decided the ordering: the runtime sees relaxed accesses */
	__tsan_func_entry((void *)pc);
	switch (size) {
	case 1:
		write ? (void)__real___tsan_atomic8_fetch_add((volatile unsigned char *)p, 0, 0)
		      : (void)__real___tsan_atomic8_load((const volatile unsigned char *)p, 0);
		break;
	case 2:
		write ? (void)__real___tsan_atomic16_fetch_add((volatile unsigned short *)p, 0, 0)
		      : (void)__real___tsan_atomic16_load((const volatile unsigned short *)p, 0);
		break;
	case 4:
		write ? (void)__real___tsan_atomic32_fetch_add((volatile unsigned int *)p, 0, 0)
		      : (void)__real___tsan_atomic32_load((const volatile unsigned int *)p, 0);
		break;
	default:
		write ? (void)__real___tsan_atomic64_fetch_add((volatile unsigned long long *)p, 0, 0)
		      : (void)__real___tsan_atomic64_load((const volatile unsigned long long *)p, 0);
		break;
	}
	__tsan_func_exit();
}
#endif

#ifdef KW_REAL_TSAN
/* The engine's own libc calls (formatting reports, copying its tables) run on the fibers but
 * are not the code under test: the runtime should not watch interceptors. The code under
 * test's memcpy/memset still reach it, through the bridge, as ranges at the user's site.
 * A race TSan reports makes the exit status 1, kweave's "failure found". */
const char *__tsan_default_options(void)
{
	return "ignore_interceptors_accesses=1:exitcode=1";
}
#endif
