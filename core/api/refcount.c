// SPDX-License-Identifier: GPL-2.0-only
/*
 * api/refcount-*: refcount_t, kref and percpu_ref as kernel code uses them.
 *
 *  - A lookup table hands out references under a spinlock. If the last put drops the count
 *    to zero before taking the lock to unpublish the object, a lookup in between finds an
 *    object whose count is 0 and refcount_inc() warns "addition on 0; use-after-free" (bug);
 *    refcount_dec_and_lock() (or kref_put_lock()) drops the last reference under the lock
 *    (clean).
 *  - Two paths that both think they own the registration reference put it twice: the
 *    second refcount_dec_and_test() underflows (bug); claiming the reference with
 *    test_and_clear_bit() first puts it exactly once (clean).
 *  - percpu_ref: users take and drop references on their CPU's counter while a killer
 *    switches it to atomic mode through a grace period; release() runs exactly once, after
 *    every user's put (clean).
 */
#include <kweave/kernel.h>

struct cache_obj {
	refcount_t ref;
	int val;
};

static DEFINE_SPINLOCK(cache_lock);
static struct cache_obj *cache;	/* the table: one slot, protected by cache_lock */

static void cache_setup(void)
{
	cache = kzalloc(sizeof(*cache), GFP_KERNEL);
	refcount_set(&cache->ref, 1); /* the table's reference */
	cache->val = 5;
}

static struct cache_obj *cache_lookup(void)
{
	struct cache_obj *o;

	spin_lock(&cache_lock);
	o = cache;
	if (o)
		refcount_inc(&o->ref);
	spin_unlock(&cache_lock);
	return o;
}

/* the buggy put: the count reaches zero before the object leaves the table */
static void cache_put_racy(struct cache_obj *o)
{
	if (refcount_dec_and_test(&o->ref)) {
		spin_lock(&cache_lock);
		if (cache == o)
			cache = NULL;
		spin_unlock(&cache_lock);
		kfree(o);
	}
}

/* the right one: the last reference is dropped with the lock held */
static void cache_put(struct cache_obj *o)
{
	if (refcount_dec_and_lock(&o->ref, &cache_lock)) {
		if (cache == o)
			cache = NULL;
		spin_unlock(&cache_lock);
		kfree(o);
	}
}

static void user_racy(void *arg)
{
	struct cache_obj *o = cache_lookup();

	if (o) {
		kw_check(o->val == 5, "object value %d", o->val);
		cache_put_racy(o);
	}
}

static void evict_racy(void *arg)
{
	struct cache_obj *o;

	spin_lock(&cache_lock);
	o = cache;
	spin_unlock(&cache_lock);
	if (o)
		cache_put_racy(o); /* drop the table's reference */
}

static void user(void *arg)
{
	struct cache_obj *o = cache_lookup();

	if (o) {
		kw_check(o->val == 5, "object value %d", o->val);
		cache_put(o);
	}
}

static void evict(void *arg)
{
	struct cache_obj *o;

	spin_lock(&cache_lock);
	o = cache;
	spin_unlock(&cache_lock);
	if (o)
		cache_put(o);
}

static void cache_check(void)
{
	kfree(cache); /* still in the table: the scenario frees it */
}

KW_SCENARIO(api_refcount_inc_from_zero,
	.name = "api/refcount-inc-from-zero",
	.about = "the last put drops to zero before unpublishing: a lookup increments from 0",
	.setup = cache_setup,
	.threads = { { "user", user_racy }, { "evict", evict_racy } },
	.check = cache_check,
	.expect = KW_EXPECT_BUG,
	.expect_check = "refcount-addition-on-0")

KW_SCENARIO(api_refcount_dec_and_lock,
	.name = "api/refcount-dec-and-lock",
	.about = "refcount_dec_and_lock(): the last reference goes with the lock held",
	.setup = cache_setup,
	.threads = { { "user", user }, { "evict", evict } },
	.check = cache_check,
	.expect = KW_EXPECT_CLEAN)

/* ---- who owns the registration reference ------------------------------------------------------ */

#define REG_REGISTERED 0

struct reg_obj {
	struct kref kref;
	unsigned long flags;
	int registered;
};

static struct reg_obj regobj;
static int released;

static void reg_release(struct kref *kref)
{
	struct reg_obj *o = container_of(kref, struct reg_obj, kref);

	WRITE_ONCE(released, READ_ONCE(released) + 1);
	kw_check(kref_read(&o->kref) == 0, "released with %u references", kref_read(&o->kref));
}

static void reg_setup(void)
{
	kref_init(&regobj.kref); /* the registration's reference */
	kref_get(&regobj.kref);	 /* the owner's */
	regobj.flags = 1UL << REG_REGISTERED;
	regobj.registered = 1;
	released = 0;
}

static void reg_setup_one(void)
{
	kref_init(&regobj.kref); /* the registration's reference, the only one */
	regobj.registered = 1;
	released = 0;
}

static void unregister_racy(void *arg)
{
	if (READ_ONCE(regobj.registered)) { /* check, then act: both paths may see 1 */
		WRITE_ONCE(regobj.registered, 0);
		kref_put(&regobj.kref, reg_release); /* drop the registration's reference */
	}
}

static void unregister_once(void *arg)
{
	if (test_and_clear_bit(REG_REGISTERED, &regobj.flags)) /* exactly one path claims it */
		kref_put(&regobj.kref, reg_release);
}

static void owner_put(void *arg)
{
	kref_put(&regobj.kref, reg_release);
}

static void reg_check(void)
{
	kw_check(released <= 1, "released %d times", released);
}

KW_SCENARIO(api_refcount_underflow,
	.name = "api/refcount-double-put",
	.about = "two unregister paths both drop the registration reference: refcount_t underflows",
	.setup = reg_setup_one,
	.threads = { { "unregister-a", unregister_racy }, { "unregister-b", unregister_racy } },
	.check = reg_check,
	.expect = KW_EXPECT_BUG,
	.expect_check = "refcount-underflow")

KW_SCENARIO(api_refcount_claim_once,
	.name = "api/refcount-kref-claim-once",
	.about = "test_and_clear_bit() claims the registration reference; kref_put() releases once",
	.setup = reg_setup,
	.threads = { { "unregister-a", unregister_once }, { "unregister-b", unregister_once },
		     { "owner", owner_put } },
	.check = reg_check,
	.expect = KW_EXPECT_CLEAN)

/* ---- percpu_ref ----------------------------------------------------------------------------------- */

static struct percpu_ref pref;
static DECLARE_COMPLETION(pref_released);
static atomic_t pref_users_in;

static void pref_release(struct percpu_ref *ref)
{
	kw_check(atomic_read(&pref_users_in) == 0, "released while %d users hold it", atomic_read(&pref_users_in));
	complete(&pref_released);
}

static void pref_setup(void)
{
	kw_check(percpu_ref_init(&pref, pref_release, 0, GFP_KERNEL) == 0, "percpu_ref_init failed");
	init_completion(&pref_released);
	atomic_set(&pref_users_in, 0);
}

static void pref_user(void *arg)
{
	if (percpu_ref_tryget_live(&pref)) {
		atomic_inc(&pref_users_in);
		atomic_dec(&pref_users_in);
		percpu_ref_put(&pref);
	}
}

static void pref_killer(void *arg)
{
	percpu_ref_kill(&pref);
	wait_for_completion(&pref_released);
	kw_check(percpu_ref_is_zero(&pref), "released but not zero");
	percpu_ref_exit(&pref);
}

KW_SCENARIO(api_refcount_percpu_ref,
	.name = "api/refcount-percpu-ref",
	.about = "percpu_ref: per-CPU gets and puts, kill through a grace period, one release",
	.setup = pref_setup,
	.threads = { { "user", pref_user }, { "killer", pref_killer } },
	.expect = KW_EXPECT_CLEAN)
