// SPDX-License-Identifier: GPL-2.0-only
/*
 * api/atomic-*: the atomic_t API's ordering rules (Documentation/atomic_t.txt), as a kernel
 * developer meets them.
 *
 *  - A void RMW (atomic_inc) and a _relaxed value-returning one are unordered: publishing
 *    data with them lets an acquiring reader see the flag and stale data (bugs).
 *  - smp_mb__before_atomic() upgrades the void RMW; the _release form orders just what the
 *    publication needs (clean).
 *  - The last atomic_dec_and_test() (fully ordered) sees every other holder's stores; with
 *    atomic_dec_return_relaxed() it need not (bug).
 *  - A reader that busy-waits on atomic_read() without cpu_relax() is correct code: kweave's
 *    fair scheduling gives the writer its turn (clean, even under dfs).
 */
#include <kweave/kernel.h>

static int data;
static atomic_t ready;

static void pub_setup(void)
{
	data = 0;
	atomic_set(&ready, 0);
}

static void consumer(void *arg)
{
	/* pairs with the producer's ordering of data before ready (or fails to) */
	if (atomic_read_acquire(&ready))
		kw_check(READ_ONCE(data) == 42, "consumer saw ready but data %d", READ_ONCE(data));
}

static void producer_void_rmw(void *arg)
{
	WRITE_ONCE(data, 42);
	atomic_inc(&ready); /* unordered: nothing orders data before it */
}

static void producer_mb_before(void *arg)
{
	WRITE_ONCE(data, 42);
	smp_mb__before_atomic(); /* orders data before the increment: pairs with the acquire */
	atomic_inc(&ready);
}

static void producer_return_relaxed(void *arg)
{
	WRITE_ONCE(data, 42);
	(void)atomic_add_return_relaxed(1, &ready); /* _relaxed: unordered, like atomic_inc() */
}

static void producer_fetch_release(void *arg)
{
	WRITE_ONCE(data, 42);
	(void)atomic_fetch_add_release(1, &ready); /* RELEASE: pairs with atomic_read_acquire() */
}

KW_SCENARIO(api_atomic_void_rmw,
	.name = "api/atomic-void-rmw-publish",
	.about = "data published with atomic_inc(): a void RMW orders nothing",
	.setup = pub_setup,
	.threads = { { "producer", producer_void_rmw }, { "consumer", consumer } },
	.expect = KW_EXPECT_BUG,
	.expect_check = "assert")

KW_SCENARIO(api_atomic_return_relaxed,
	.name = "api/atomic-return-relaxed-publish",
	.about = "data published with atomic_add_return_relaxed(): unordered too",
	.setup = pub_setup,
	.threads = { { "producer", producer_return_relaxed }, { "consumer", consumer } },
	.expect = KW_EXPECT_BUG,
	.expect_check = "assert")

KW_SCENARIO(api_atomic_mb_before,
	.name = "api/atomic-mb-before-atomic",
	.about = "smp_mb__before_atomic() then atomic_inc() publishes",
	.setup = pub_setup,
	.threads = { { "producer", producer_mb_before }, { "consumer", consumer } },
	.expect = KW_EXPECT_CLEAN)

KW_SCENARIO(api_atomic_fetch_release,
	.name = "api/atomic-fetch-add-release",
	.about = "atomic_fetch_add_release() / atomic_read_acquire() publish",
	.setup = pub_setup,
	.threads = { { "producer", producer_fetch_release }, { "consumer", consumer } },
	.expect = KW_EXPECT_CLEAN)

/* ---- the last reference sees every holder's stores ------------------------------------------ */

struct holder_obj {
	atomic_t refs;
	int a, b;
};

static struct holder_obj *hobj;

static void hold_setup(void)
{
	hobj = kzalloc(sizeof(*hobj), GFP_KERNEL);
	atomic_set(&hobj->refs, 2);
}

static void last_one_checks(struct holder_obj *o)
{
	kw_check(READ_ONCE(o->a) == 1 && READ_ONCE(o->b) == 1, "the last holder saw a=%d b=%d",
		 READ_ONCE(o->a), READ_ONCE(o->b));
	kfree(o);
}

static void holder_full(void *arg)
{
	struct holder_obj *o = hobj;

	if (arg)
		WRITE_ONCE(o->b, 1);
	else
		WRITE_ONCE(o->a, 1);
	/* fully ordered: the other holder's decrement happened before, with its store */
	if (atomic_dec_and_test(&o->refs))
		last_one_checks(o);
}

static void holder_relaxed(void *arg)
{
	struct holder_obj *o = hobj;

	if (arg)
		WRITE_ONCE(o->b, 1);
	else
		WRITE_ONCE(o->a, 1);
	if (atomic_dec_return_relaxed(&o->refs) == 0) /* unordered: the other's store may not show */
		last_one_checks(o);
}

KW_SCENARIO(api_atomic_dec_and_test,
	.name = "api/atomic-dec-and-test-last",
	.about = "the holder that drops the last reference sees what the others stored",
	.setup = hold_setup,
	.threads = { { "holder-a", holder_full, NULL }, { "holder-b", holder_full, (void *)1 } },
	.expect = KW_EXPECT_CLEAN)

KW_SCENARIO(api_atomic_dec_return_relaxed,
	.name = "api/atomic-dec-return-relaxed-last",
	.about = "atomic_dec_return_relaxed() == 0 as the last reference: stores of the others may not show",
	.setup = hold_setup,
	.threads = { { "holder-a", holder_relaxed, NULL }, { "holder-b", holder_relaxed, (void *)1 } },
	.expect = KW_EXPECT_BUG,
	.expect_check = "assert")

/* ---- a busy-wait without cpu_relax(): fair scheduling lets the writer run ----------------- */

static atomic_t flag;
static int seen;

static void flag_setup(void)
{
	atomic_set(&flag, 0);
	data = 0;
	seen = 0;
}

static void busy_waiter(void *arg)
{
	while (!atomic_read_acquire(&flag)) /* pairs with atomic_set_release() */
		;
	seen = READ_ONCE(data);
}

static void flag_setter(void *arg)
{
	WRITE_ONCE(data, 7);
	atomic_set_release(&flag, 1);
}

static void busy_check(void)
{
	kw_check(seen == 7, "the waiter saw data %d", seen);
}

KW_SCENARIO(api_atomic_busy_wait,
	.name = "api/atomic-busy-wait",
	.about = "a reader spins on atomic_read_acquire() without cpu_relax(): not a livelock",
	.setup = flag_setup,
	.threads = { { "waiter", busy_waiter }, { "setter", flag_setter } },
	.check = busy_check,
	.max_steps = 2000, /* a few dozen steps: without fairness dfs would hit this at once */
	.expect = KW_EXPECT_CLEAN)
