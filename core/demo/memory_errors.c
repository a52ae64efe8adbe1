// SPDX-License-Identifier: GPL-2.0-only
/*
 * demo/use-after-free: an updater unpublishes an object and frees it at once, while a reader
 * that fetched the pointer before may still use it. The fixed twin waits for the reader to
 * finish (a completion standing in for a grace period) before kfree().
 *
 * demo/leak: two tasks allocate when they see no object and publish with a plain
 * check-then-store (bug 1a): when both see NULL, the first object is overwritten and leaks.
 * The fixed twin publishes with cmpxchg() and the loser frees its own.
 */
#include <kweave/kernel.h>

struct obj {
	int val;
};

static struct obj *gp;
static DECLARE_COMPLETION(reader_done);

static void setup(void)
{
	gp = NULL;
	init_completion(&reader_done);
	WRITE_ONCE(gp, NULL);
}

static void uaf_setup(void)
{
	struct obj *o = kmalloc(sizeof(*o), GFP_KERNEL);

	init_completion(&reader_done);
	o->val = 1;
	gp = o;
}

static void reader(void *arg)
{
	struct obj *o = smp_load_acquire(&gp);

	if (o)
		kw_check(READ_ONCE(o->val) == 1, "reader saw val %d", o->val);
	complete(&reader_done);
}

static void updater_buggy(void *arg)
{
	struct obj *o = READ_ONCE(gp);

	WRITE_ONCE(gp, NULL);
	kfree(o); /* the reader may still hold o */
}

static void updater_fixed(void *arg)
{
	struct obj *o = READ_ONCE(gp);

	WRITE_ONCE(gp, NULL);
	wait_for_completion(&reader_done); /* every reader that could see o is done */
	kfree(o);
}

static void uaf_check(void)
{
	kw_outcome("gp=%d", gp != NULL);
}

KW_SCENARIO(use_after_free,
	.name = "demo/use-after-free",
	.about = "unpublish then kfree at once while a reader may hold the pointer",
	.setup = uaf_setup,
	.threads = { { "reader", reader }, { "updater", updater_buggy } },
	.check = uaf_check,
	.expect = KW_EXPECT_BUG,
	.expect_check = "use-after-free",
	/* the kfree() is a write to the whole block, so it also races with the reader's load
	 * in the schedules where the load comes first: this demo is about the use after free */
	.no_races = true)

KW_SCENARIO(use_after_free_fixed,
	.name = "demo/use-after-free-fixed",
	.about = "wait for the reader before kfree",
	.setup = uaf_setup,
	.threads = { { "reader", reader }, { "updater", updater_fixed } },
	.check = uaf_check,
	.expect = KW_EXPECT_CLEAN)

static void publish_plain(void *arg)
{
	if (!READ_ONCE(gp)) {
		struct obj *new = kzalloc(sizeof(*new), GFP_KERNEL);

		WRITE_ONCE(gp, new); /* may overwrite another task's object */
	}
}

static void publish_cmpxchg(void *arg)
{
	if (!READ_ONCE(gp)) {
		struct obj *new = kzalloc(sizeof(*new), GFP_KERNEL);

		if (cmpxchg(&gp, NULL, new))
			kfree(new);
	}
}

static void leak_check(void)
{
	kw_outcome("gp=%d", gp != NULL);
	kfree(gp); /* the published object is the scenario's to free */
}

KW_SCENARIO(leak,
	.name = "demo/leak",
	.about = "plain check-then-store publish: the overwritten object leaks",
	.setup = setup,
	.threads = { { "a", publish_plain }, { "b", publish_plain } },
	.check = leak_check,
	.expect = KW_EXPECT_BUG,
	.expect_check = "leak")

KW_SCENARIO(leak_fixed,
	.name = "demo/leak-fixed",
	.about = "cmpxchg publish, the loser frees its own",
	.setup = setup,
	.threads = { { "a", publish_cmpxchg }, { "b", publish_cmpxchg } },
	.check = leak_check,
	.expect = KW_EXPECT_CLEAN)
