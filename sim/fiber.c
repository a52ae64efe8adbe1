// SPDX-License-Identifier: GPL-2.0-only
/*
 * fiber.c - simulated threads' stacks and context switches.
 *
 * Invariants:
 *  - a stack is an mmap'd region whose lowest page is PROT_NONE (the guard): an overflow
 *    faults there and the signal handler reports it as one (kw_fiber_guard_hit);
 *  - stacks are allocated once per thread slot and reused by every later run;
 *  - x86-64 and AArch64 switch with a few lines of assembly; anything else (or
 *    -DKW_FIBER_UCONTEXT) falls back to swapcontext, ~20x slower;
 *  - in the tsan preset every switch is announced with __tsan_switch_to_fiber(...,
 *    __tsan_switch_to_fiber_no_sync): without no_sync, TSan would treat each switch as
 *    synchronisation and see no race between simulated threads.
 */
#define _GNU_SOURCE
#include "kw_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if (defined(__x86_64__) || defined(__aarch64__)) && !defined(KW_FIBER_UCONTEXT)
#define KW_ASM_SWITCH 1
void kw_ctx_switch(void **save_sp, void *new_sp);
void kw_ctx_trampoline(void);
#else
#include <ucontext.h>
#endif

#ifdef KW_REAL_TSAN
void *__tsan_get_current_fiber(void);
void *__tsan_create_fiber(unsigned flags);
void __tsan_switch_to_fiber(void *fiber, unsigned flags);
#define KW_TSAN_NO_SYNC 1u
#endif
#ifdef KW_ASAN
void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom, size_t size);
void __sanitizer_finish_switch_fiber(void *fake_stack_save, const void **bottom_old, size_t *size_old);
void __asan_unpoison_memory_region(const volatile void *addr, size_t size);
#endif

static size_t kw_page(void)
{
	static size_t pg;

	if (!pg)
		pg = (size_t)sysconf(_SC_PAGESIZE);
	return pg;
}

int kw_fiber_alloc(struct kw_fiber *f, size_t size)
{
	size_t pg = kw_page();
	size_t len = ((size + pg - 1) & ~(pg - 1)) + pg;
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);

	if (m == MAP_FAILED)
		return -1;
	if (mprotect(m, pg, PROT_NONE)) {
		munmap(m, len);
		return -1;
	}
	f->map = m;
	f->maplen = len;
#ifdef KW_REAL_TSAN
	f->tsan = __tsan_create_fiber(0);
#endif
#ifndef KW_ASM_SWITCH
	f->sp = calloc(1, sizeof(ucontext_t));
	if (!f->sp)
		return -1;
#endif
	return 0;
}

void kw_fiber_release(struct kw_fiber *f)
{
	if (f->map)
		munmap(f->map, f->maplen);
#ifndef KW_ASM_SWITCH
	free(f->sp);
#endif
	memset(f, 0, sizeof(*f));
}

bool kw_fiber_guard_hit(const struct kw_fiber *f, uintptr_t addr)
{
	uintptr_t lo = (uintptr_t)f->map;

	return f->map && addr >= lo && addr < lo + kw_page();
}

void kw_fiber_main_init(struct kw_fiber *f)
{
	memset(f, 0, sizeof(*f));
#ifdef KW_ASAN
	{
		pthread_attr_t a;
		void *lo;
		size_t len;

		if (!pthread_getattr_np(pthread_self(), &a)) {
			if (!pthread_attr_getstack(&a, &lo, &len)) {
				f->stack_lo = lo;
				f->stack_len = len;
			}
			pthread_attr_destroy(&a);
		}
	}
#endif
#ifdef KW_REAL_TSAN
	f->tsan = __tsan_get_current_fiber();
#endif
#ifndef KW_ASM_SWITCH
	f->sp = calloc(1, sizeof(ucontext_t));
#endif
}

static struct kw_fiber *kw_fiber_incoming; /* the fiber being switched to (one OS thread) */

/* Every fiber starts here: finish the sanitizer's switch bookkeeping, then run its entry. */
static void kw_fiber_boot(void)
{
	struct kw_fiber *f = kw_fiber_incoming;

#ifdef KW_ASAN
	__sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
	f->entry();
	abort(); /* entries never return */
}

/* Make f start at entry() on its next switch-in (its previous contents are discarded). */
void kw_fiber_prepare(struct kw_fiber *f, void (*entry)(void))
{
	f->entry = entry;
	entry = kw_fiber_boot;
#ifdef KW_ASAN
	/* an abandoned run leaves its frames' redzones poisoned on this stack */
	__asan_unpoison_memory_region(f->map + kw_page(), f->maplen - kw_page());
#endif
#ifdef KW_ASM_SWITCH
	uintptr_t top = ((uintptr_t)f->map + f->maplen) & ~(uintptr_t)15;
	uint64_t *sp;
#if defined(__x86_64__)
	/* [mxcsr|fpucw] r15 r14 r13 r12 rbx rbp ret: ret pops to a 16-aligned top */
	sp = (uint64_t *)(top - 64);
	sp[0] = 0x1F80ull | (0x037Full << 32);
	sp[1] = 0;			/* r15 */
	sp[2] = 0;			/* r14 */
	sp[3] = 0;			/* r13 */
	sp[4] = (uint64_t)(uintptr_t)entry; /* r12 */
	sp[5] = 0;			/* rbx */
	sp[6] = 0;			/* rbp */
	sp[7] = (uint64_t)(uintptr_t)kw_ctx_trampoline;
#else
	/* x19..x30, d8..d15: x19 = entry, x30 = trampoline */
	sp = (uint64_t *)(top - 176);
	memset(sp, 0, 176);
	sp[0] = (uint64_t)(uintptr_t)entry;
	sp[11] = (uint64_t)(uintptr_t)kw_ctx_trampoline;
#endif
	f->sp = sp;
#else
	ucontext_t *uc = f->sp;

	getcontext(uc);
	uc->uc_stack.ss_sp = f->map + kw_page();
	uc->uc_stack.ss_size = f->maplen - kw_page();
	uc->uc_link = NULL;
	makecontext(uc, entry, 0);
#endif
}

#ifdef KW_REAL_TSAN
/* Every simulated thread releases into this before it switches away, and the main context
 * acquires it whenever it resumes: setup, the final check and the next run happen after
 * everything the fibers did, without making the fibers synchronise with each other. */
static char kw_tsan_world;
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#endif

void kw_fiber_switch(struct kw_fiber *from, struct kw_fiber *to)
{
#ifdef KW_REAL_TSAN
	if (from->map)
		__tsan_release(&kw_tsan_world);
	__tsan_switch_to_fiber(to->tsan, KW_TSAN_NO_SYNC);
#endif
	kw_fiber_incoming = to;
#ifdef KW_ASAN
	void *fake = NULL;
	size_t pg = kw_page();

	if (to->map)
		__sanitizer_start_switch_fiber(&fake, to->map + pg, to->maplen - pg);
	else
		__sanitizer_start_switch_fiber(&fake, to->stack_lo, to->stack_len);
#endif
#ifdef KW_ASM_SWITCH
	kw_ctx_switch(&from->sp, to->sp);
#else
	swapcontext(from->sp, to->sp);
#endif
#ifdef KW_ASAN
	__sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
#ifdef KW_REAL_TSAN
	if (!from->map)
		__tsan_acquire(&kw_tsan_world);
#endif
}

const char *kw_fiber_impl(void)
{
#if defined(KW_ASM_SWITCH) && defined(__x86_64__)
	return "asm x86-64";
#elif defined(KW_ASM_SWITCH)
	return "asm aarch64";
#else
	return "ucontext";
#endif
}
