// SPDX-License-Identifier: GPL-2.0-only
/*
 * api/list-*: linked lists with lockless readers.
 *
 *  - An RCU-protected list: readers walk it with list_for_each_entry_rcu() under
 *    rcu_read_lock(); the updater (under its spinlock) adds with list_add_rcu(), removes with
 *    list_del_rcu(), waits for a grace period and frees (clean). Removing with list_del()
 *    poisons the entry's ->next under a reader that is on it: the reader follows the poison
 *    and crashes (bug).
 *  - An hlist bucket read under RCU while an entry is replaced (clean).
 *  - llist: two producers llist_add() nodes they have just filled in, a consumer takes them
 *    all with llist_del_all() and sees their contents (clean, races checked).
 */
#include <kweave/kernel.h>

struct item {
	int val;
	struct list_head node;
	struct hlist_node hnode;
	struct llist_node lnode;
};

static LIST_HEAD(items);
static DEFINE_SPINLOCK(items_lock);
static struct item *first, *second;

static void items_setup(void)
{
	INIT_LIST_HEAD(&items);
	first = kzalloc(sizeof(*first), GFP_KERNEL);
	second = kzalloc(sizeof(*second), GFP_KERNEL);
	first->val = 1;
	second->val = 2;
	list_add_tail(&first->node, &items);
	list_add_tail(&second->node, &items);
}

static void items_check(void)
{
	struct item *it, *n;

	list_for_each_entry_safe(it, n, &items, node) {
		list_del(&it->node);
		kfree(it);
	}
}

static void items_reader(void *arg)
{
	struct item *it;
	int sum = 0;

	rcu_read_lock();
	list_for_each_entry_rcu(it, &items, node)
		sum += READ_ONCE(it->val);
	rcu_read_unlock();
	kw_check(sum >= 1 && sum <= 6, "reader summed %d", sum);
}

static void items_updater(void *arg)
{
	struct item *n = kzalloc(sizeof(*n), GFP_KERNEL), *old;

	n->val = 3;
	spin_lock(&items_lock);
	old = first;
	list_add_rcu(&n->node, &items);
	list_del_rcu(&old->node); /* ->next stays: a reader on it goes on */
	spin_unlock(&items_lock);
	synchronize_rcu();
	kfree(old);
}

static void items_updater_plain_del(void *arg)
{
	struct item *old;

	spin_lock(&items_lock);
	old = first;
	list_del(&old->node); /* poisons ->next under a reader */
	spin_unlock(&items_lock);
	synchronize_rcu();
	kfree(old);
}

KW_SCENARIO(api_list_rcu,
	.name = "api/list-rcu",
	.about = "list_add_rcu()/list_del_rcu() + synchronize_rcu() against list_for_each_entry_rcu()",
	.setup = items_setup,
	.threads = { { "reader", items_reader }, { "updater", items_updater } },
	.check = items_check,
	.expect = KW_EXPECT_CLEAN)

KW_SCENARIO(api_list_del_under_reader,
	.name = "api/list-del-under-rcu-reader",
	.about = "list_del() instead of list_del_rcu(): a reader on the entry follows the poison",
	.setup = items_setup,
	.threads = { { "reader", items_reader }, { "updater", items_updater_plain_del } },
	.check = items_check,
	.expect = KW_EXPECT_BUG,
	.expect_check = "crash")

/* ---- an hlist bucket ---------------------------------------------------------------------------- */

static HLIST_HEAD(bucket);

static void bucket_setup(void)
{
	items_setup();
	INIT_HLIST_HEAD(&bucket);
	hlist_add_head(&first->hnode, &bucket);
}

static void bucket_check(void)
{
	struct item *it;
	struct hlist_node *n;

	hlist_for_each_entry_safe(it, n, &bucket, hnode)
		hlist_del(&it->hnode);
	items_check();
}

static void bucket_reader(void *arg)
{
	struct item *it;
	int n = 0;

	rcu_read_lock();
	hlist_for_each_entry_rcu(it, &bucket, hnode) {
		kw_check(READ_ONCE(it->val) == 1 || READ_ONCE(it->val) == 2, "bucket entry %d", READ_ONCE(it->val));
		n++;
	}
	rcu_read_unlock();
	kw_check(n == 1, "the bucket had %d entries", n);
}

static void bucket_replacer(void *arg)
{
	spin_lock(&items_lock);
	hlist_replace_rcu(&first->hnode, &second->hnode);
	spin_unlock(&items_lock);
	synchronize_rcu(); /* no reader is on first's node any more */
	INIT_HLIST_NODE(&first->hnode);
}

KW_SCENARIO(api_list_hlist_rcu,
	.name = "api/list-hlist-rcu",
	.about = "hlist_replace_rcu() against hlist_for_each_entry_rcu()",
	.setup = bucket_setup,
	.threads = { { "reader", bucket_reader }, { "replacer", bucket_replacer } },
	.check = bucket_check,
	.expect = KW_EXPECT_CLEAN)

/* ---- llist: lock-less producers, one consumer ------------------------------------------------ */

static LLIST_HEAD(inbox);
static int consumed;

static void inbox_setup(void)
{
	init_llist_head(&inbox);
	consumed = 0;
}

static void producer(void *arg)
{
	struct item *it = kmalloc(sizeof(*it), GFP_KERNEL);

	it->val = 10; /* plain: published by llist_add()'s fully ordered cmpxchg */
	llist_add(&it->lnode, &inbox);
}

static void drain(void)
{
	struct llist_node *batch = llist_del_all(&inbox); /* fully ordered: sees the contents */
	struct item *it, *n;

	llist_for_each_entry_safe(it, n, llist_reverse_order(batch), lnode) {
		kw_check(it->val == 10, "consumed an item with val %d", it->val);
		consumed++;
		kfree(it);
	}
}

static void consumer(void *arg)
{
	drain();
}

static void inbox_check(void)
{
	drain(); /* what the consumer did not see yet */
	kw_check(consumed == 2, "consumed %d items, want 2", consumed);
}

KW_SCENARIO(api_list_llist,
	.name = "api/list-llist",
	.about = "llist_add() producers, an llist_del_all() consumer",
	.setup = inbox_setup,
	.threads = { { "producer-a", producer }, { "producer-b", producer }, { "consumer", consumer } },
	.check = inbox_check,
	.expect = KW_EXPECT_CLEAN)
