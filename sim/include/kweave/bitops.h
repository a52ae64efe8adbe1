// SPDX-License-Identifier: GPL-2.0-only
/*
 * bitops.h - single-bit operations on unsigned long bitmaps, ordered as
 * Documentation/atomic_bitops.txt says:
 *  - test_bit(): a relaxed load; test_bit_acquire(): an acquire load;
 *  - set_bit(), clear_bit(), change_bit(): atomic RMWs, unordered;
 *  - test_and_{set,clear,change}_bit(): atomic RMWs, fully ordered;
 *  - test_and_set_bit_lock(): ACQUIRE when it takes the bit; clear_bit_unlock(): RELEASE;
 *    __clear_bit_unlock(): a release store (non-atomic: only the lock holder may call it);
 *  - __set_bit() and the other '__' forms: plain, non-atomic accesses (the race detector
 *    checks them as plain).
 * Waiting for a bit (wait_on_bit(), wake_up_bit()) is in <kweave/wait.h>.
 */
#ifndef KWEAVE_BITOPS_H
#define KWEAVE_BITOPS_H

#include <kweave/types.h>

/* The word that holds bit nr, type-checked as the kernel's unsigned long * argument. */
static inline unsigned long *kw__bitword(const volatile unsigned long *addr, unsigned long nr)
{
	return (unsigned long *)addr + BIT_WORD(nr);
}

#define kw__bitrmw(nr, addr, op, v, mo) __atomic_##op(kw__bitword((addr), (nr)), (v), (mo))

#define test_bit(nr, addr) ((int)((__atomic_load_n(kw__bitword((addr), (nr)), __ATOMIC_RELAXED) >> ((nr) % BITS_PER_LONG)) & 1UL))
#define test_bit_acquire(nr, addr) ((int)((__atomic_load_n(kw__bitword((addr), (nr)), __ATOMIC_ACQUIRE) >> ((nr) % BITS_PER_LONG)) & 1UL))

#define set_bit(nr, addr) ((void)kw__bitrmw(nr, addr, fetch_or, BIT_MASK(nr), __ATOMIC_RELAXED))
#define clear_bit(nr, addr) ((void)kw__bitrmw(nr, addr, fetch_and, ~BIT_MASK(nr), __ATOMIC_RELAXED))
#define change_bit(nr, addr) ((void)kw__bitrmw(nr, addr, fetch_xor, BIT_MASK(nr), __ATOMIC_RELAXED))
#define test_and_set_bit(nr, addr) ((kw__bitrmw(nr, addr, fetch_or, BIT_MASK(nr), __ATOMIC_SEQ_CST) & BIT_MASK(nr)) != 0)
#define test_and_clear_bit(nr, addr) ((kw__bitrmw(nr, addr, fetch_and, ~BIT_MASK(nr), __ATOMIC_SEQ_CST) & BIT_MASK(nr)) != 0)
#define test_and_change_bit(nr, addr) ((kw__bitrmw(nr, addr, fetch_xor, BIT_MASK(nr), __ATOMIC_SEQ_CST) & BIT_MASK(nr)) != 0)

/* A bit lock: the test first (no RMW while it is held), then an acquiring RMW. */
#define test_and_set_bit_lock(nr, addr)                                                \
	(test_bit(nr, addr) ? 1 :                                                      \
	 (kw__bitrmw(nr, addr, fetch_or, BIT_MASK(nr), __ATOMIC_ACQUIRE) & BIT_MASK(nr)) != 0)
#define clear_bit_unlock(nr, addr) ((void)kw__bitrmw(nr, addr, fetch_and, ~BIT_MASK(nr), __ATOMIC_RELEASE))
#define __clear_bit_unlock(nr, addr)                                                   \
	do {                                                                           \
		unsigned long *kw__bw = kw__bitword((addr), (nr));                     \
		__atomic_store_n(kw__bw, *kw__bw & ~BIT_MASK(nr), __ATOMIC_RELEASE);   \
	} while (0)

/* non-atomic forms: plain accesses */
#define __set_bit(nr, addr) ((void)(*kw__bitword((addr), (nr)) |= BIT_MASK(nr)))
#define __clear_bit(nr, addr) ((void)(*kw__bitword((addr), (nr)) &= ~BIT_MASK(nr)))
#define __change_bit(nr, addr) ((void)(*kw__bitword((addr), (nr)) ^= BIT_MASK(nr)))
#define __assign_bit(nr, addr, v) ((v) ? __set_bit(nr, addr) : __clear_bit(nr, addr))
#define assign_bit(nr, addr, v) ((v) ? set_bit(nr, addr) : clear_bit(nr, addr))
#define kw__test_and_op(nr, addr, expr)                                                \
	({                                                                             \
		unsigned long *kw__tw = kw__bitword((addr), (nr));                     \
		unsigned long kw__to = *kw__tw;                                        \
		*kw__tw = (expr);                                                      \
		(kw__to & BIT_MASK(nr)) != 0;                                          \
	})
#define __test_and_set_bit(nr, addr) kw__test_and_op(nr, addr, kw__to | BIT_MASK(nr))
#define __test_and_clear_bit(nr, addr) kw__test_and_op(nr, addr, kw__to & ~BIT_MASK(nr))
#define __test_and_change_bit(nr, addr) kw__test_and_op(nr, addr, kw__to ^ BIT_MASK(nr))

/* searching: plain reads */
static inline unsigned long find_next_bit(const unsigned long *addr, unsigned long size, unsigned long off)
{
	for (; off < size; off++)
		if (addr[BIT_WORD(off)] & BIT_MASK(off))
			return off;
	return size;
}

static inline unsigned long find_next_zero_bit(const unsigned long *addr, unsigned long size, unsigned long off)
{
	for (; off < size; off++)
		if (!(addr[BIT_WORD(off)] & BIT_MASK(off)))
			return off;
	return size;
}

#define find_first_bit(addr, size) find_next_bit((addr), (size), 0)
#define find_first_zero_bit(addr, size) find_next_zero_bit((addr), (size), 0)
#define for_each_set_bit(bit, addr, size)                                              \
	for ((bit) = find_first_bit((addr), (size)); (bit) < (size);                   \
	     (bit) = find_next_bit((addr), (size), (bit) + 1))
#define for_each_clear_bit(bit, addr, size)                                            \
	for ((bit) = find_first_zero_bit((addr), (size)); (bit) < (size);              \
	     (bit) = find_next_zero_bit((addr), (size), (bit) + 1))
#define hweight_long(w) __builtin_popcountl(w)

#endif /* KWEAVE_BITOPS_H */
