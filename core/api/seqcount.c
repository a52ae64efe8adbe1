// SPDX-License-Identifier: GPL-2.0-only
/*
 * api/seqcount-*: sequence counters and seqlock_t, with the barriers of
 * include/linux/seqlock.h.
 *
 *  - A reader that re-checks the count with __read_seqcount_retry() leaves out the smp_rmb()
 *    read_seqcount_retry() has: its data loads may be satisfied after the re-check, so it can
 *    accept a torn pair (bug, a stale read under the weak model).
 *  - read_seqcount_begin()/read_seqcount_retry() with a seqcount_spinlock_t whose writers
 *    hold the lock (write_seqcount_begin() asserts it); seqlock_t; the latch (clean).
 * The pair (a, b) is written as (n, n) by the writer: a reader must never accept a != b.
 */
#include <kweave/kernel.h>

static DEFINE_SPINLOCK(pair_lock);
static seqcount_spinlock_t pair_seq = SEQCNT_SPINLOCK_ZERO(pair_seq, &pair_lock);
static int pair_a, pair_b;

static void pair_setup(void)
{
	seqcount_spinlock_init(&pair_seq, &pair_lock);
	pair_a = pair_b = 0;
}

static void pair_writer(void *arg)
{
	spin_lock(&pair_lock);
	write_seqcount_begin(&pair_seq);
	WRITE_ONCE(pair_a, 1);
	WRITE_ONCE(pair_b, 1);
	write_seqcount_end(&pair_seq);
	spin_unlock(&pair_lock);
}

static void pair_reader(void *arg)
{
	unsigned seq;
	int a, b;

	do {
		seq = read_seqcount_begin(&pair_seq);
		a = READ_ONCE(pair_a);
		b = READ_ONCE(pair_b);
	} while (read_seqcount_retry(&pair_seq, seq));
	kw_check(a == b, "reader accepted a torn pair a=%d b=%d", a, b);
}

static void pair_reader_no_rmb(void *arg)
{
	unsigned seq;
	int a, b;

	do {
		seq = read_seqcount_begin(&pair_seq);
		a = READ_ONCE(pair_a);
		b = READ_ONCE(pair_b);
		/* missing smp_rmb(): the loads above may still be satisfied after the re-check */
	} while (__read_seqcount_retry(&pair_seq, seq));
	kw_check(a == b, "reader accepted a torn pair a=%d b=%d", a, b);
}

KW_SCENARIO(api_seqcount_no_rmb,
	.name = "api/seqcount-missing-rmb",
	.about = "__read_seqcount_retry() without the smp_rmb() before it: a torn read is accepted",
	.setup = pair_setup,
	.threads = { { "writer", pair_writer }, { "reader", pair_reader_no_rmb } },
	.expect = KW_EXPECT_BUG,
	.expect_check = "assert")

KW_SCENARIO(api_seqcount_retry,
	.name = "api/seqcount-read-retry",
	.about = "read_seqcount_begin()/read_seqcount_retry() against a seqcount_spinlock_t writer",
	.setup = pair_setup,
	.threads = { { "writer", pair_writer }, { "reader", pair_reader } },
	.expect = KW_EXPECT_CLEAN)

/* ---- seqlock_t, plain data (readers are not race-checked inside their section) ------------- */

static DEFINE_SEQLOCK(clock_lock);
static unsigned long clock_sec, clock_nsec;

static void clock_setup(void)
{
	seqlock_init(&clock_lock);
	clock_sec = clock_nsec = 0;
}

static void clock_writer(void *arg)
{
	write_seqlock(&clock_lock);
	clock_sec = 1;
	clock_nsec = 1;
	write_sequnlock(&clock_lock);
}

static void clock_reader(void *arg)
{
	unsigned seq;
	unsigned long s, ns;

	do {
		seq = read_seqbegin(&clock_lock);
		s = clock_sec;
		ns = clock_nsec;
	} while (read_seqretry(&clock_lock, seq));
	kw_check(s == ns, "reader accepted sec=%lu nsec=%lu", s, ns);
}

KW_SCENARIO(api_seqcount_seqlock,
	.name = "api/seqcount-seqlock",
	.about = "seqlock_t: write_seqlock() writers, read_seqbegin()/read_seqretry() readers",
	.setup = clock_setup,
	.threads = { { "writer", clock_writer }, { "reader", clock_reader } },
	.expect = KW_EXPECT_CLEAN)

/* ---- the latch: readers use the copy the count points at --------------------------------------- */

static seqcount_latch_t latch;
static int copy_a[2], copy_b[2];

static void latch_setup(void)
{
	seqcount_latch_init(&latch);
	copy_a[0] = copy_b[0] = copy_a[1] = copy_b[1] = 0;
}

static void latch_writer(void *arg)
{
	raw_write_seqcount_latch(&latch); /* readers move to copy 1 */
	WRITE_ONCE(copy_a[0], 1);
	WRITE_ONCE(copy_b[0], 1);
	raw_write_seqcount_latch(&latch); /* readers move back to copy 0 */
	WRITE_ONCE(copy_a[1], 1);
	WRITE_ONCE(copy_b[1], 1);
}

static void latch_reader(void *arg)
{
	unsigned seq, idx;
	int a, b;

	do {
		seq = raw_read_seqcount_latch(&latch);
		idx = seq & 1;
		a = READ_ONCE(copy_a[idx]);
		b = READ_ONCE(copy_b[idx]);
	} while (read_seqcount_latch_retry(&latch, seq));
	kw_check(a == b, "latch reader accepted a=%d b=%d", a, b);
}

KW_SCENARIO(api_seqcount_latch,
	.name = "api/seqcount-latch",
	.about = "raw_write_seqcount_latch() writer, raw_read_seqcount_latch() reader",
	.setup = latch_setup,
	.threads = { { "writer", latch_writer }, { "reader", latch_reader } },
	.expect = KW_EXPECT_CLEAN)
