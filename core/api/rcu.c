// SPDX-License-Identifier: GPL-2.0-only
/*
 * api/rcu-*: RCU as its users write it. One published object (gp); readers look at it under
 * rcu_read_lock(); an updater replaces it and frees the old one.
 *
 *  - Freeing the old object right after rcu_assign_pointer() (no grace period) frees it under
 *    a reader that already has it: a use after free (bug).
 *  - synchronize_rcu() then kfree(), kfree_rcu(), call_rcu() + rcu_barrier() (clean).
 *  - A reader that keeps the pointer past rcu_read_unlock() uses memory kfree_rcu() may have
 *    freed (bug: use after free).
 *  - A reader that sleeps inside its critical section (it waits for an update in progress)
 *    is reported; so is synchronize_rcu() called inside one (bugs, each found only when the
 *    reader meets the updater).
 */
#include <kweave/kernel.h>

struct rcu_obj {
	int val;
	int busy;
	struct rcu_head rcu;
};

static struct rcu_obj __rcu *gp;
static int cb_ran;

static void gp_setup(void)
{
	struct rcu_obj *o = kzalloc(sizeof(*o), GFP_KERNEL);

	o->val = 1;
	RCU_INIT_POINTER(gp, o);
	cb_ran = 0;
}

static void gp_check(void)
{
	kfree(rcu_dereference_protected(gp, 1)); /* the scenario owns the last object */
}

static void reader(void *arg)
{
	struct rcu_obj *o;

	rcu_read_lock();
	o = rcu_dereference(gp); /* pairs with rcu_assign_pointer() */
	if (o)
		kw_check(READ_ONCE(o->val) >= 1, "reader saw val %d", READ_ONCE(o->val));
	rcu_read_unlock();
}

static struct rcu_obj *replace(void)
{
	struct rcu_obj *n = kzalloc(sizeof(*n), GFP_KERNEL), *old;

	n->val = 2;
	old = rcu_replace_pointer(gp, n, 1);
	return old;
}

static void updater_no_gp(void *arg)
{
	struct rcu_obj *old = replace();

	kfree(old); /* no grace period: a reader may still be using it */
}

static void updater_sync(void *arg)
{
	struct rcu_obj *old = replace();

	synchronize_rcu(); /* every reader that could have old is done */
	kfree(old);
}

static void updater_kfree_rcu(void *arg)
{
	struct rcu_obj *old = replace();

	kfree_rcu(old, rcu);
}

static void free_cb(struct rcu_head *head)
{
	struct rcu_obj *o = container_of(head, struct rcu_obj, rcu);

	WRITE_ONCE(cb_ran, 1);
	kfree(o);
}

static void updater_call_rcu(void *arg)
{
	struct rcu_obj *old = replace();

	call_rcu(&old->rcu, free_cb);
	rcu_barrier(); /* the callback has run */
	kw_check(READ_ONCE(cb_ran) == 1, "rcu_barrier() returned before the callback ran");
}

KW_SCENARIO(api_rcu_free_before_gp,
	.name = "api/rcu-free-before-grace-period",
	.about = "the updater frees the old object without waiting for a grace period",
	.setup = gp_setup,
	.threads = { { "reader", reader }, { "updater", updater_no_gp } },
	.check = gp_check,
	.expect = KW_EXPECT_BUG,
	.expect_check = "use-after-free")

KW_SCENARIO(api_rcu_synchronize,
	.name = "api/rcu-synchronize-then-free",
	.about = "rcu_replace_pointer(), synchronize_rcu(), kfree()",
	.setup = gp_setup,
	.threads = { { "reader-0", reader }, { "updater", updater_sync }, { "reader-1", reader } },
	.check = gp_check,
	.expect = KW_EXPECT_CLEAN)

KW_SCENARIO(api_rcu_kfree_rcu,
	.name = "api/rcu-kfree-rcu",
	.about = "kfree_rcu(): freed in softirq context after a grace period",
	.setup = gp_setup,
	.threads = { { "reader", reader }, { "updater", updater_kfree_rcu } },
	.check = gp_check,
	.expect = KW_EXPECT_CLEAN)

KW_SCENARIO(api_rcu_call_rcu,
	.name = "api/rcu-call-rcu-barrier",
	.about = "call_rcu() frees in its callback; rcu_barrier() waits for it",
	.setup = gp_setup,
	.threads = { { "reader", reader }, { "updater", updater_call_rcu } },
	.check = gp_check,
	.expect = KW_EXPECT_CLEAN)

/* ---- a reader that keeps the pointer past its critical section ----------------------------- */

static void reader_leaks_pointer(void *arg)
{
	struct rcu_obj *o;

	rcu_read_lock();
	o = rcu_dereference(gp);
	rcu_read_unlock();
	if (o) /* no longer protected: the grace period may have ended */
		kw_check(READ_ONCE(o->val) >= 1, "reader saw val %d", READ_ONCE(o->val));
}

KW_SCENARIO(api_rcu_use_after_unlock,
	.name = "api/rcu-use-after-unlock",
	.about = "a reader uses the object after rcu_read_unlock() while it is kfree_rcu()'d",
	.setup = gp_setup,
	.threads = { { "reader", reader_leaks_pointer }, { "updater", updater_kfree_rcu } },
	.check = gp_check,
	.expect = KW_EXPECT_BUG,
	.expect_check = "use-after-free")

/* ---- waiting inside a read-side critical section ------------------------------------------------- */

static DECLARE_WAIT_QUEUE_HEAD(busy_wq);

static void reader_waits_for_update(void *arg)
{
	struct rcu_obj *o;

	rcu_read_lock();
	o = rcu_dereference(gp);
	if (o && READ_ONCE(o->busy))
		wait_event(busy_wq, !READ_ONCE(o->busy)); /* sleeps inside the reader */
	rcu_read_unlock();
}

static void reader_syncs_on_update(void *arg)
{
	struct rcu_obj *o;

	rcu_read_lock();
	o = rcu_dereference(gp);
	if (o && READ_ONCE(o->busy))
		synchronize_rcu(); /* waits for itself */
	rcu_read_unlock();
}

static void busy_updater(void *arg)
{
	struct rcu_obj *o = rcu_dereference_protected(gp, 1);

	WRITE_ONCE(o->busy, 1);
	WRITE_ONCE(o->val, 3);
	WRITE_ONCE(o->busy, 0);
	wake_up(&busy_wq);
}

KW_SCENARIO(api_rcu_reader_sleeps,
	.name = "api/rcu-reader-sleeps",
	.about = "a reader sleeps inside rcu_read_lock() while an update is in progress",
	.setup = gp_setup,
	.threads = { { "updater", busy_updater }, { "reader", reader_waits_for_update } },
	.check = gp_check,
	.expect = KW_EXPECT_BUG,
	.expect_check = "sleep-in-rcu-reader")

KW_SCENARIO(api_rcu_sync_in_reader,
	.name = "api/rcu-synchronize-in-reader",
	.about = "synchronize_rcu() inside rcu_read_lock(): the grace period waits for its caller",
	.setup = gp_setup,
	.threads = { { "updater", busy_updater }, { "reader", reader_syncs_on_update } },
	.check = gp_check,
	.expect = KW_EXPECT_BUG,
	.expect_check = "deadlock")
