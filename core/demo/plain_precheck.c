// SPDX-License-Identifier: GPL-2.0-only
/*
 * demo/plain-precheck: the shape of sb_init_dio_done_wq()'s callers. Three tasks each do
 *
 *	if (!p) {                        plain, unlocked pre-check
 *		new = kmalloc(); new->ready = 42;
 *		if (cmpxchg(&p, NULL, new))  publish; the loser frees its own
 *			kfree(new);
 *	}
 *	use p
 *
 * The plain pre-check races with the cmpxchg() that publishes p: kweave names both lines.
 * The fixed twin pre-checks with smp_load_acquire() (pairs with the full barrier of the
 * successful cmpxchg) and reads p again with acquire after a failed cmpxchg (which orders
 * nothing), as Eric Biggers' one-time-init recipe says.
 *
 * Invariants: p is published once; every user sees ready == 42.
 */
#include <kweave/kernel.h>

struct obj {
	int ready;
};

static struct obj *p;

static void setup(void)
{
	p = NULL;
}

static void init_buggy(void *arg)
{
	struct obj *o;

	if (!p) {
		struct obj *new = kmalloc(sizeof(*new), GFP_KERNEL);

		new->ready = 42;
		if (cmpxchg(&p, NULL, new))
			kfree(new);
	}
	o = p;
	kw_check(o && o->ready == 42, "user saw %s", o ? "an uninitialised object" : "no object");
}

static void init_fixed(void *arg)
{
	struct obj *o = smp_load_acquire(&p); /* pairs with the successful cmpxchg() */

	if (!o) {
		struct obj *new = kmalloc(sizeof(*new), GFP_KERNEL);

		new->ready = 42;
		/* cmpxchg() is fully ordered on success: it publishes new->ready */
		o = cmpxchg(&p, NULL, new);
		if (o) {
			kfree(new);
			/* a failed cmpxchg() orders nothing: acquire again */
			o = smp_load_acquire(&p);
		} else {
			o = new;
		}
	}
	kw_check(o && o->ready == 42, "user saw %s", o ? "an uninitialised object" : "no object");
}

static void check(void)
{
	kw_outcome("published=%d", p != NULL);
	kw_check(p && p->ready == 42, "p not published");
	kfree(p);
}

KW_SCENARIO(plain_precheck,
	.name = "demo/plain-precheck",
	.about = "plain if (!p) pre-check, then cmpxchg(&p, NULL, new): a data race",
	.setup = setup,
	.threads = { { "user-a", init_buggy }, { "user-b", init_buggy }, { "user-c", init_buggy } },
	.check = check,
	.expect = KW_EXPECT_BUG,
	.expect_check = "data-race",
	.why = "a happens-before race: found on the first run whatever the schedule")

KW_SCENARIO(plain_precheck_fixed,
	.name = "demo/plain-precheck-fixed",
	.about = "smp_load_acquire pre-check, acquire again after a failed cmpxchg",
	.setup = setup,
	.threads = { { "user-a", init_fixed }, { "user-b", init_fixed }, { "user-c", init_fixed } },
	.check = check,
	.expect = KW_EXPECT_CLEAN)
