// SPDX-License-Identifier: GPL-2.0-only
/* mm.c - sequentially consistent memory (the weak model replaces this). */
#include "kw_internal.h"
#include <string.h>

struct kw_mm { int unused; };
struct kw_mm *kw_mm_new(void) { static struct kw_mm m; return &m; }
void kw_mm_free(struct kw_mm *mm) { (void)mm; }
void kw_mm_reset(struct kw_sim *s) { (void)s; }

uint64_t kw_raw_load(const void *p, unsigned size)
{
	switch (size) {
	case 1: return __atomic_load_n((const uint8_t *)p, __ATOMIC_RELAXED);
	case 2: return __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED);
	case 4: return __atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED);
	default: return __atomic_load_n((const uint64_t *)p, __ATOMIC_RELAXED);
	}
}

void kw_raw_store(void *p, unsigned size, uint64_t v)
{
	switch (size) {
	case 1: __atomic_store_n((uint8_t *)p, (uint8_t)v, __ATOMIC_RELAXED); break;
	case 2: __atomic_store_n((uint16_t *)p, (uint16_t)v, __ATOMIC_RELAXED); break;
	case 4: __atomic_store_n((uint32_t *)p, (uint32_t)v, __ATOMIC_RELAXED); break;
	default: __atomic_store_n((uint64_t *)p, v, __ATOMIC_RELAXED); break;
	}
}

static uint64_t kw_rmw_apply(enum kw_rmw_op op, uint64_t old, uint64_t v)
{
	switch (op) {
	case KW_RMW_XCHG: return v;
	case KW_RMW_ADD: return old + v;
	case KW_RMW_SUB: return old - v;
	case KW_RMW_AND: return old & v;
	case KW_RMW_OR: return old | v;
	case KW_RMW_XOR: return old ^ v;
	case KW_RMW_NAND: return ~(old & v);
	}
	return v;
}

uint64_t kw_mm_load(struct kw_sim *s, struct kw_thread *t, const void *p, unsigned size, int mo, uintptr_t pc)
{
	(void)s; (void)t; (void)mo; (void)pc;
	return kw_raw_load(p, size);
}

void kw_mm_store(struct kw_sim *s, struct kw_thread *t, void *p, unsigned size, uint64_t v, int mo, uintptr_t pc)
{
	(void)s; (void)t; (void)mo; (void)pc;
	kw_raw_store(p, size, v);
}

uint64_t kw_mm_rmw(struct kw_sim *s, struct kw_thread *t, void *p, unsigned size, enum kw_rmw_op op,
		   uint64_t v, int mo, uintptr_t pc)
{
	uint64_t old = kw_raw_load(p, size);

	(void)s; (void)t; (void)mo; (void)pc;
	kw_raw_store(p, size, kw_rmw_apply(op, old, v));
	return old;
}

bool kw_mm_cmpxchg(struct kw_sim *s, struct kw_thread *t, void *p, unsigned size, uint64_t *expected,
		   uint64_t desired, int mo_ok, int mo_fail, uintptr_t pc)
{
	uint64_t mask = size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
	uint64_t old = kw_raw_load(p, size);
	bool ok = old == (*expected & mask);

	(void)s; (void)t; (void)mo_ok; (void)mo_fail; (void)pc;
	if (ok)
		kw_raw_store(p, size, desired);
	*expected = old;
	return ok;
}

void kw_mm_fence(struct kw_sim *s, struct kw_thread *t, enum kw_fence f) { (void)s; (void)t; (void)f; }
void kw_mm_plain_write(struct kw_sim *s, struct kw_thread *t, const void *p, size_t n) { (void)s; (void)t; (void)p; (void)n; }
void kw_mm_thread_end(struct kw_sim *s, struct kw_thread *t) { (void)s; (void)t; }
void kw_mm_forget(struct kw_sim *s, const void *p, size_t n) { (void)s; (void)p; (void)n; }
