// SPDX-License-Identifier: GPL-2.0-only
/*
 * seqlock.h - sequence counters and sequential locks, with the barriers of the kernel's
 * include/linux/seqlock.h:
 *  - read_seqcount_begin(): wait (a recognised wait) for an even count, then smp_rmb()
 *    (pairs with the writer's smp_wmb() in write_seqcount_end());
 *  - read_seqcount_retry(): smp_rmb() (pairs with the smp_wmb() in write_seqcount_begin()),
 *    then compare; __read_seqcount_retry() and raw_read_seqcount() leave the barrier to the
 *    caller, as in the kernel;
 *  - write_seqcount_begin(): count++ then smp_wmb(); write_seqcount_end(): smp_wmb() then
 *    count++; writers must be serialized (seqlock_t's spinlock, or the lock of a
 *    seqcount_spinlock_t/seqcount_mutex_t, which write_seqcount_begin() asserts is held);
 *  - the latch (raw_write_seqcount_latch(), raw_read_seqcount_latch()): the reader's load of
 *    the count is an acquire, since kweave does not track the address dependency through the
 *    index it computes (see the README).
 * As KCSAN does, the accesses of a read section (begin to retry) are not race-checked: they
 * may race with the writer by design, and the retry discards what they read. Mark the data
 * accesses (READ_ONCE/WRITE_ONCE) to let the memory model show a reader stale values.
 */
#ifndef KWEAVE_SEQLOCK_H
#define KWEAVE_SEQLOCK_H

#include <kweave/kweave.h>
#include <kweave/types.h>
#include <kweave/atomic.h>

typedef struct seqcount {
	unsigned sequence;
} seqcount_t;

typedef struct seqcount_latch {
	seqcount_t seqcount;
} seqcount_latch_t;

/* seqcount_LOCKNAME_t: a seqcount whose writers hold the associated lock */
typedef struct seqcount_spinlock {
	seqcount_t seqcount;
	void *lock;
} seqcount_spinlock_t;
typedef seqcount_spinlock_t seqcount_raw_spinlock_t;
typedef seqcount_spinlock_t seqcount_mutex_t;
typedef seqcount_spinlock_t seqcount_rwlock_t;

#define SEQCNT_ZERO(name) { .sequence = 0 }
#define SEQCNT_SPINLOCK_ZERO(name, l) { .seqcount = SEQCNT_ZERO(name), .lock = (l) }
#define SEQCNT_MUTEX_ZERO(name, l) SEQCNT_SPINLOCK_ZERO(name, l)
#define SEQCNT_LATCH_ZERO(name) { .seqcount = SEQCNT_ZERO(name) }
#define seqcount_init(s) ((s)->sequence = 0)
#define seqcount_spinlock_init(s, l) ((s)->seqcount.sequence = 0, (s)->lock = (l))
#define seqcount_raw_spinlock_init(s, l) seqcount_spinlock_init(s, l)
#define seqcount_mutex_init(s, l) seqcount_spinlock_init(s, l)
#define seqcount_latch_init(s) seqcount_init(&(s)->seqcount)

/* Any seqcount flavour -> its seqcount_t, and the lock its writers must hold (or NULL). */
#define kw__seqc(s)                                                                    \
	_Generic((s), seqcount_t *: (seqcount_t *)(void *)(s),                          \
		 const seqcount_t *: (seqcount_t *)(void *)(s),                         \
		 seqcount_latch_t *: &((seqcount_latch_t *)(void *)(s))->seqcount,      \
		 seqcount_spinlock_t *: &((seqcount_spinlock_t *)(void *)(s))->seqcount)
#define kw__seqlock_of(s)                                                              \
	_Generic((s), seqcount_spinlock_t *: ((seqcount_spinlock_t *)(void *)(s))->lock, default: (void *)0)

/* ---- readers -------------------------------------------------------------------------------- */

#define raw_read_seqcount(s) READ_ONCE(kw__seqc(s)->sequence)
#define __read_seqcount_begin(s)                                                       \
	({                                                                             \
		seqcount_t *kw__sb = kw__seqc(s);                                      \
		unsigned kw__sv;                                                       \
		while ((kw__sv = READ_ONCE(kw__sb->sequence)) & 1)                     \
			cpu_relax();                                                   \
		kw_data_race_begin(); /* the read section: see the top of the file */  \
		kw__sv;                                                                \
	})
#define raw_read_seqcount_begin(s)                                                     \
	({                                                                             \
		unsigned kw__rb = __read_seqcount_begin(s);                            \
		smp_rmb(); /* pairs with the smp_wmb() in write_seqcount_end() */      \
		kw__rb;                                                                \
	})
#define read_seqcount_begin(s) raw_read_seqcount_begin(s)
#define __read_seqcount_retry(s, start)                                                \
	({                                                                             \
		kw_data_race_end();                                                    \
		unlikely(READ_ONCE(kw__seqc(s)->sequence) != (start));                 \
	})
#define read_seqcount_retry(s, start)                                                  \
	({                                                                             \
		smp_rmb(); /* pairs with the smp_wmb() in write_seqcount_begin() */    \
		__read_seqcount_retry(s, start);                                       \
	})
#define raw_seqcount_begin(s) (raw_read_seqcount(s) & ~1u)

/* ---- writers ---------------------------------------------------------------------------------- */

#define raw_write_seqcount_begin(s)                                                    \
	do {                                                                           \
		seqcount_t *kw__wb = kw__seqc(s);                                      \
		WRITE_ONCE(kw__wb->sequence, READ_ONCE(kw__wb->sequence) + 1);         \
		smp_wmb(); /* pairs with the smp_rmb() in read_seqcount_retry() */     \
	} while (0)
#define raw_write_seqcount_end(s)                                                      \
	do {                                                                           \
		seqcount_t *kw__we = kw__seqc(s);                                      \
		smp_wmb(); /* pairs with the smp_rmb() in read_seqcount_begin() */     \
		WRITE_ONCE(kw__we->sequence, READ_ONCE(kw__we->sequence) + 1);         \
	} while (0)
#define write_seqcount_begin(s)                                                        \
	do {                                                                           \
		void *kw__wl = kw__seqlock_of(s);                                      \
		if (kw__wl)                                                            \
			kw_lockdep_assert_held(kw__wl);                                \
		raw_write_seqcount_begin(s);                                           \
	} while (0)
#define write_seqcount_end(s) raw_write_seqcount_end(s)
#define write_seqcount_invalidate(s)                                                   \
	do {                                                                           \
		seqcount_t *kw__wi = kw__seqc(s);                                      \
		smp_wmb();                                                             \
		WRITE_ONCE(kw__wi->sequence, READ_ONCE(kw__wi->sequence) + 2);         \
	} while (0)

/* ---- latch: two copies of the data, readers take the one the count's low bit names ------- */

#define raw_write_seqcount_latch(s)                                                    \
	do {                                                                           \
		seqcount_t *kw__wl2 = kw__seqc(s);                                     \
		smp_wmb(); /* prior stores before the flip: pairs with the reader's acquire */ \
		WRITE_ONCE(kw__wl2->sequence, READ_ONCE(kw__wl2->sequence) + 1);       \
		smp_wmb(); /* the flip before the stores to the copy it hands over */ \
	} while (0)
#define write_seqcount_latch_begin(s) raw_write_seqcount_latch(s)
#define write_seqcount_latch(s) raw_write_seqcount_latch(s)
#define write_seqcount_latch_end(s) ((void)(s))
#define raw_read_seqcount_latch(s) smp_load_acquire(&kw__seqc(s)->sequence)
#define read_seqcount_latch(s) raw_read_seqcount_latch(s)
#define raw_read_seqcount_latch_retry(s, start)                                        \
	({                                                                             \
		smp_rmb(); /* pairs with the second smp_wmb() of the latch writer */   \
		unlikely(READ_ONCE(kw__seqc(s)->sequence) != (start));                 \
	})
#define read_seqcount_latch_retry(s, start) raw_read_seqcount_latch_retry(s, start)

/* ---- seqlock_t: a seqcount and the spinlock that serializes its writers ------------------ */

typedef struct {
	seqcount_t seqcount;
	int lock;	/* a spinlock_t's state lives in the engine, keyed by address */
} seqlock_t;

#define __SEQLOCK_UNLOCKED(name) { .seqcount = SEQCNT_ZERO(name) }
#define DEFINE_SEQLOCK(name) seqlock_t name = __SEQLOCK_UNLOCKED(name)
#define seqlock_init(sl) seqcount_init(&(sl)->seqcount)
#define read_seqbegin(sl) read_seqcount_begin(&(sl)->seqcount)
#define read_seqretry(sl, start) read_seqcount_retry(&(sl)->seqcount, (start))
#define write_seqlock(sl)                                                              \
	do {                                                                           \
		kw_spin_lock(&(sl)->lock);                                             \
		raw_write_seqcount_begin(&(sl)->seqcount);                             \
	} while (0)
#define write_sequnlock(sl)                                                            \
	do {                                                                           \
		raw_write_seqcount_end(&(sl)->seqcount);                               \
		kw_spin_unlock(&(sl)->lock);                                           \
	} while (0)
#define write_seqlock_bh(sl)                                                           \
	do {                                                                           \
		kw_spin_lock_bh(&(sl)->lock);                                          \
		raw_write_seqcount_begin(&(sl)->seqcount);                             \
	} while (0)
#define write_sequnlock_bh(sl)                                                         \
	do {                                                                           \
		raw_write_seqcount_end(&(sl)->seqcount);                               \
		kw_spin_unlock_bh(&(sl)->lock);                                        \
	} while (0)
#define write_seqlock_irq(sl)                                                          \
	do {                                                                           \
		kw_spin_lock_irq(&(sl)->lock);                                         \
		raw_write_seqcount_begin(&(sl)->seqcount);                             \
	} while (0)
#define write_sequnlock_irq(sl)                                                        \
	do {                                                                           \
		raw_write_seqcount_end(&(sl)->seqcount);                               \
		kw_spin_unlock_irq(&(sl)->lock);                                       \
	} while (0)
#define write_seqlock_irqsave(sl, flags)                                               \
	do {                                                                           \
		(flags) = kw_spin_lock_irqsave(&(sl)->lock);                           \
		raw_write_seqcount_begin(&(sl)->seqcount);                             \
	} while (0)
#define write_sequnlock_irqrestore(sl, flags)                                          \
	do {                                                                           \
		raw_write_seqcount_end(&(sl)->seqcount);                               \
		kw_spin_unlock_irqrestore(&(sl)->lock, (flags));                       \
	} while (0)
/* exclusive readers: the writers' lock, no count change */
#define read_seqlock_excl(sl) kw_spin_lock(&(sl)->lock)
#define read_sequnlock_excl(sl) kw_spin_unlock(&(sl)->lock)

#endif /* KWEAVE_SEQLOCK_H */
