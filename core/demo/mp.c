// SPDX-License-Identifier: GPL-2.0-only
/*
 * demo/mp-relaxed: a publisher initialises an object and publishes its pointer with a
 * relaxed store (WRITE_ONCE); a consumer that sees the pointer checks the data. Under the
 * weak model the consumer may read the data's older value (bug 1b's shape): on x86 a stress
 * test never shows it. demo/mp-acqrel publishes with smp_store_release() and reads with
 * smp_load_acquire(), which pair.
 */
#include <kweave/kernel.h>

struct msg {
	int data;
};

static struct msg *gp;

static void setup(void)
{
	gp = NULL;
}

static void publish_relaxed(void *arg)
{
	struct msg *m = kzalloc(sizeof(*m), GFP_KERNEL);

	WRITE_ONCE(m->data, 42);
	WRITE_ONCE(gp, m); /* no ordering: the data may not be visible with the pointer */
}

static void consume_relaxed(void *arg)
{
	struct msg *m = READ_ONCE(gp);

	if (m) {
		int data = READ_ONCE(m->data);

		kw_check(data == 42, "consumer saw data %d, want 42 (a stale read)", data);
	}
}

static void publish_release(void *arg)
{
	struct msg *m = kzalloc(sizeof(*m), GFP_KERNEL);

	WRITE_ONCE(m->data, 42);
	smp_store_release(&gp, m); /* pairs with smp_load_acquire() in consume_acquire() */
}

static void consume_acquire(void *arg)
{
	struct msg *m = smp_load_acquire(&gp); /* pairs with smp_store_release() above */

	if (m) {
		int data = READ_ONCE(m->data);

		kw_check(data == 42, "consumer saw data %d, want 42 (a stale read)", data);
	}
}

static void check(void)
{
	kw_outcome("published=%d", gp != NULL);
	kfree(gp);
}

KW_SCENARIO(mp_relaxed,
	.name = "demo/mp-relaxed",
	.about = "data published with a relaxed store: a consumer can read it stale (weak model)",
	.setup = setup,
	.threads = { { "publisher", publish_relaxed }, { "consumer", consume_relaxed } },
	.check = check,
	.expect = KW_EXPECT_BUG,
	.expect_check = "assert")

KW_SCENARIO(mp_acqrel,
	.name = "demo/mp-acqrel",
	.about = "the same with smp_store_release / smp_load_acquire",
	.setup = setup,
	.threads = { { "publisher", publish_release }, { "consumer", consume_acquire } },
	.check = check,
	.expect = KW_EXPECT_CLEAN)
