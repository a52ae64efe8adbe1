// SPDX-License-Identifier: GPL-2.0-only
/*
 * variants.c - sb_init_dio_done_wq() in every form of the threads (seed 000, seed 002,
 * kernel-mechanisms.md item 1), the seeded bugs 1a-1e, and barrier mutants: one variant per
 * barrier deleted from the correct forms.
 *
 * Invariants (checked by harness.c): I1 published at most once; I2 every observer of a
 * non-NULL workqueue happens after its initialisation; I3 a losing workqueue is never
 * published and always destroyed; I4 non-NULL before any async write is submitted; I5
 * destroyed only after every completion has drained.
 *
 * Lock order: sb_init_mutex is a leaf (alloc_workqueue() may sleep under it: a mutex).
 *
 * Barrier pairs, named as the comments below name them:
 *   [R] the release that publishes the workqueue: smp_store_release(), cmpxchg_release(),
 *       or the full barrier of a successful cmpxchg();
 *   [A] the acquire of a reader that then uses the workqueue: smp_load_acquire();
 *   [A'] the acquire a loser needs after a failed cmpxchg, which orders nothing.
 */
#include "once_init/once_init.h"

#define ENOMEM 12

static DEFINE_MUTEX(sb_init_mutex);

static struct workqueue_struct *dio_alloc_wq(struct super_block *sb)
{
	return alloc_workqueue("dio/sda1", WQ_MEM_RECLAIM, 0);
}

/* ---- mainline (fs/super.c): plain pre-check in the callers, cmpxchg() publish ------------ */

static int sb_init_dio_done_wq_mainline(struct super_block *sb)
{
	struct workqueue_struct *old;
	struct workqueue_struct *wq = dio_alloc_wq(sb);

	if (!wq)
		return -ENOMEM;
	/* This has to be atomic as more DIOs can race to create the workqueue. [R] on success,
	 * but nothing pairs with it: the pre-check below is plain, and a failed cmpxchg() is no
	 * acquire */
	old = cmpxchg(&sb->s_dio_done_wq, NULL, wq);
	if (old)
		destroy_workqueue(wq);
	else
		dio_note_published();
	return 0;
}

static int original_prepare(struct super_block *sb)
{
	if (!sb->s_dio_done_wq) /* the plain, unlocked pre-check of dio_set_defer_completion() */
		return sb_init_dio_done_wq_mainline(sb);
	return 0;
}

/* ---- Eric Biggers' v2: acquire fast path, mutex, re-check, release publish ----------------- */

#define V2_INIT(name, LOAD_FAST, PUBLISH)                                                        \
	static int name(struct super_block *sb)                                                  \
	{                                                                                        \
		struct workqueue_struct *wq;                                                     \
		int ret = 0;                                                                     \
                                                                                                 \
		/* [A]: pairs with [R] below */                                                  \
		if (LOAD_FAST(&sb->s_dio_done_wq))                                               \
			return 0;                                                                \
		mutex_lock(&sb_init_mutex);                                                      \
		if (sb->s_dio_done_wq) /* re-check: the mutex orders it after the publish */     \
			goto out;                                                                \
		wq = dio_alloc_wq(sb);                                                           \
		if (!wq) {                                                                       \
			ret = -ENOMEM;                                                           \
			goto out;                                                                \
		}                                                                                \
		/* [R]: pairs with [A] above */                                                  \
		PUBLISH(&sb->s_dio_done_wq, wq);                                                 \
		dio_note_published();                                                            \
	out:                                                                                     \
		mutex_unlock(&sb_init_mutex);                                                    \
		return ret;                                                                      \
	}

#define KW_LOAD_ACQUIRE(p) smp_load_acquire(p)
#define KW_LOAD_ONCE(p) READ_ONCE(*(p))
#define KW_STORE_RELEASE(p, v) smp_store_release(p, v)
#define KW_STORE_ONCE(p, v) WRITE_ONCE(*(p), v)

V2_INIT(sb_init_dio_done_wq_v2, KW_LOAD_ACQUIRE, KW_STORE_RELEASE)
V2_INIT(v2_mut_acquire, KW_LOAD_ONCE, KW_STORE_RELEASE)
V2_INIT(v2_mut_release, KW_LOAD_ACQUIRE, KW_STORE_ONCE)

/* 1d: v2 without the re-check under the mutex: two allocations, the first overwritten */
static int v2_no_recheck(struct super_block *sb)
{
	struct workqueue_struct *wq;

	/* [A]: pairs with [R] below */
	if (smp_load_acquire(&sb->s_dio_done_wq))
		return 0;
	mutex_lock(&sb_init_mutex);
	wq = dio_alloc_wq(sb);
	/* [R]: pairs with [A] above */
	smp_store_release(&sb->s_dio_done_wq, wq);
	dio_note_published();
	mutex_unlock(&sb_init_mutex);
	return 0;
}

/* ---- recipe (b): always take the mutex, plain accesses under it ----------------------------- */

static int mutex_prepare(struct super_block *sb)
{
	mutex_lock(&sb_init_mutex); /* orders every check after the publish: no barrier needed */
	if (!sb->s_dio_done_wq) {
		sb->s_dio_done_wq = dio_alloc_wq(sb);
		dio_note_published();
	}
	mutex_unlock(&sb_init_mutex);
	return 0;
}

/* ---- Dave Chinner: allocate eagerly in ->fill_super(), or at the first O_DIRECT open -------- */

static void eager_fill_super(struct super_block *sb)
{
	struct workqueue_struct *wq = dio_alloc_wq(sb);

	/* Defensive [R]: nothing needs it - mount completes before any file can be opened, and
	 * that start of every I/O path already happens after it (see mut-eager-release). */
	smp_store_release(&sb->s_dio_done_wq, wq);
	dio_note_published();
}

static void eager_fill_super_plain(struct super_block *sb)
{
	sb->s_dio_done_wq = dio_alloc_wq(sb);
	dio_note_published();
}

/* do_dentry_open(): concurrent opens still need one-time init (Eric's answer): v2 there */
static int open_dio(struct super_block *sb)
{
	return sb_init_dio_done_wq_v2(sb);
}

/* ---- recipe (f): non-blocking, cmpxchg_release(), acquire again after a failure ----------- */

#define CMPXCHG_REL_INIT(name, LOAD_FAST, CMPXCHG, LOAD_AGAIN)                                   \
	static int name(struct super_block *sb)                                                  \
	{                                                                                        \
		struct workqueue_struct *wq, *old;                                               \
                                                                                                 \
		/* [A]: pairs with [R] below */                                                  \
		if (LOAD_FAST(&sb->s_dio_done_wq))                                               \
			return 0;                                                                \
		wq = dio_alloc_wq(sb);                                                           \
		if (!wq)                                                                         \
			return -ENOMEM;                                                          \
		/* [R]: pairs with [A] above and [A'] below */                                   \
		old = CMPXCHG(&sb->s_dio_done_wq, NULL, wq);                                     \
		if (old) {                                                                       \
			destroy_workqueue(wq);                                                   \
			/* [A']: the failed cmpxchg ordered nothing; pairs with [R] */           \
			(void)LOAD_AGAIN(&sb->s_dio_done_wq);                                    \
		} else {                                                                         \
			dio_note_published();                                                    \
		}                                                                                \
		return 0;                                                                        \
	}

CMPXCHG_REL_INIT(cmpxchg_rel_init, KW_LOAD_ACQUIRE, cmpxchg_release, KW_LOAD_ACQUIRE)
CMPXCHG_REL_INIT(cmpxchg_rel_mut_acquire, KW_LOAD_ONCE, cmpxchg_release, KW_LOAD_ACQUIRE)
CMPXCHG_REL_INIT(cmpxchg_rel_mut_release, KW_LOAD_ACQUIRE, cmpxchg_relaxed, KW_LOAD_ACQUIRE)
CMPXCHG_REL_INIT(cmpxchg_rel_mut_reacquire, KW_LOAD_ACQUIRE, cmpxchg_release, KW_LOAD_ONCE)

/* ---- a generic INIT_ONCE_PTR() helper (recipe (c)/(d): the pointer is the flag) ------------ */

#define INIT_ONCE_PTR(pp, mtx, LOAD_FAST, PUBLISH, init_expr)                                    \
	({                                                                                       \
		__typeof__(*(pp)) kw__p = LOAD_FAST(pp); /* [A]: pairs with [R] below */         \
		if (!kw__p) {                                                                    \
			mutex_lock(mtx);                                                         \
			kw__p = *(pp);                                                           \
			if (!kw__p) {                                                            \
				kw__p = (init_expr);                                             \
				if (kw__p) {                                                     \
					PUBLISH(pp, kw__p); /* [R]: pairs with [A] above */      \
					dio_note_published();                                    \
				}                                                                \
			}                                                                        \
			mutex_unlock(mtx);                                                       \
		}                                                                                \
		kw__p;                                                                           \
	})

static int do_once_prepare(struct super_block *sb)
{
	return INIT_ONCE_PTR(&sb->s_dio_done_wq, &sb_init_mutex, KW_LOAD_ACQUIRE, KW_STORE_RELEASE,
			     dio_alloc_wq(sb)) ? 0 : -ENOMEM;
}

static int do_once_mut_acquire(struct super_block *sb)
{
	return INIT_ONCE_PTR(&sb->s_dio_done_wq, &sb_init_mutex, KW_LOAD_ONCE, KW_STORE_RELEASE,
			     dio_alloc_wq(sb)) ? 0 : -ENOMEM;
}

static int do_once_mut_release(struct super_block *sb)
{
	return INIT_ONCE_PTR(&sb->s_dio_done_wq, &sb_init_mutex, KW_LOAD_ACQUIRE, KW_STORE_ONCE,
			     dio_alloc_wq(sb)) ? 0 : -ENOMEM;
}

/* ---- seeded bugs ---------------------------------------------------------------------------- */

/* 1a: plain check-then-store: two tasks see NULL, both publish, the first leaks */
static int bug_1a(struct super_block *sb)
{
	if (!sb->s_dio_done_wq) {
		sb->s_dio_done_wq = dio_alloc_wq(sb);
		dio_note_published();
	}
	return 0;
}

/* 1b: relaxed publish: the workqueue's fields may become visible after the pointer */
static int bug_1b(struct super_block *sb)
{
	struct workqueue_struct *wq;

	if (READ_ONCE(sb->s_dio_done_wq))
		return 0;
	wq = dio_alloc_wq(sb);
	if (cmpxchg_relaxed(&sb->s_dio_done_wq, NULL, wq)) /* no [R]: the bug */
		destroy_workqueue(wq);
	else
		dio_note_published();
	return 0;
}

/* 1c: a failed cmpxchg treated as an acquire: the loser uses the winner's workqueue */
static int bug_1c(struct super_block *sb)
{
	struct workqueue_struct *wq, *old;

	/* [A]: pairs with [R] below */
	if (smp_load_acquire(&sb->s_dio_done_wq))
		return 0;
	wq = dio_alloc_wq(sb);
	/* [R] on success; on failure nothing - and the loser below needs [A'] */
	old = cmpxchg(&sb->s_dio_done_wq, NULL, wq);
	if (old) {
		destroy_workqueue(wq);
		/* uses old as if the cmpxchg had acquired it (it did not) */
		kw_check_named("I2", READ_ONCE(old->magic) == WQ_MAGIC,
			       "the loser of the cmpxchg reads the winner's workqueue uninitialised (magic %#x)",
			       READ_ONCE(old->magic));
	} else {
		dio_note_published();
	}
	return 0;
}

/* ---- registrations ---------------------------------------------------------------------------- */

#define ONCE_VARIANT(id, nm, ab, exp, chk, ...)                                                   \
	static const struct once_init_variant var_##id = { __VA_ARGS__ };                        \
	static void setup_##id(void)                                                              \
	{                                                                                         \
		dio_setup(&var_##id);                                                             \
	}                                                                                         \
	KW_SCENARIO(once_##id, .name = "once-init/" nm, .about = ab, .setup = setup_##id,         \
		    .check = dio_check, .expect = exp, .expect_check = chk, .params = DIO_PARAMS)

#define ONCE_MUTANT(id, nm, ab, exp, why_, ...)                                                   \
	static const struct once_init_variant var_##id = { __VA_ARGS__ };                        \
	static void setup_##id(void)                                                              \
	{                                                                                         \
		dio_setup(&var_##id);                                                             \
	}                                                                                         \
	KW_SCENARIO(once_##id, .name = "once-init/mut-" nm, .about = ab, .setup = setup_##id,     \
		    .check = dio_check, .expect = exp, .why = why_, .mutant = true,               \
		    .params = DIO_PARAMS)

ONCE_VARIANT(original, "original", "mainline: plain pre-check, cmpxchg(), loser destroys its own",
	     KW_EXPECT_BUG, "I2", .dio_prepare = original_prepare)
ONCE_VARIANT(v2, "v2", "Eric Biggers' v2: smp_load_acquire, mutex, re-check, smp_store_release",
	     KW_EXPECT_CLEAN, NULL, .dio_prepare = sb_init_dio_done_wq_v2)
ONCE_VARIANT(mutex, "mutex", "always take a mutex; plain check and store under it",
	     KW_EXPECT_CLEAN, NULL, .dio_prepare = mutex_prepare)
ONCE_VARIANT(eager, "eager", "allocate at fill_super (Dave Chinner)", KW_EXPECT_CLEAN, NULL,
	     .fill_super = eager_fill_super)
ONCE_VARIANT(open, "open", "allocate at the first O_DIRECT open, with its own one-time init",
	     KW_EXPECT_CLEAN, NULL, .dio_open = open_dio)
ONCE_VARIANT(cmpxchg_release, "cmpxchg-release",
	     "non-blocking recipe: acquire, cmpxchg_release, acquire again after failure", KW_EXPECT_CLEAN, NULL,
	     .dio_prepare = cmpxchg_rel_init)
ONCE_VARIANT(do_once, "do-once", "a generic INIT_ONCE_PTR() helper", KW_EXPECT_CLEAN, NULL,
	     .dio_prepare = do_once_prepare)
ONCE_VARIANT(b1a, "1a-plain-check-then-store", "plain if (!p) p = alloc(): published twice, one leaks",
	     KW_EXPECT_BUG, "I1", .dio_prepare = bug_1a)
ONCE_VARIANT(b1b, "1b-relaxed-publish", "cmpxchg_relaxed publish: a user sees the pointer before the fields",
	     KW_EXPECT_BUG, "I2", .dio_prepare = bug_1b)
ONCE_VARIANT(b1c, "1c-failed-cas-as-acquire", "the loser uses the winner's workqueue with no acquire",
	     KW_EXPECT_BUG, "I2", .dio_prepare = bug_1c)
ONCE_VARIANT(b1d, "1d-v2-no-recheck", "v2 without the re-check under the mutex: two allocations",
	     KW_EXPECT_BUG, "I1", .dio_prepare = v2_no_recheck)
ONCE_VARIANT(b1e, "1e-destroy-while-pending", "unmount destroys the workqueue without waiting for end_io",
	     KW_EXPECT_BUG, NULL, .dio_prepare = sb_init_dio_done_wq_v2, .unmount_no_wait = true)

ONCE_MUTANT(v2_acquire, "v2-acquire", "v2 with READ_ONCE for the fast-path acquire", KW_EXPECT_BUG, NULL,
	    .dio_prepare = v2_mut_acquire)
ONCE_MUTANT(v2_release, "v2-release", "v2 publishing with WRITE_ONCE", KW_EXPECT_BUG, NULL,
	    .dio_prepare = v2_mut_release)
ONCE_MUTANT(cr_acquire, "cmpxchg-release-acquire", "recipe (f) with READ_ONCE for the fast path",
	    KW_EXPECT_BUG, NULL, .dio_prepare = cmpxchg_rel_mut_acquire)
ONCE_MUTANT(cr_release, "cmpxchg-release-release", "recipe (f) publishing with cmpxchg_relaxed",
	    KW_EXPECT_BUG, NULL, .dio_prepare = cmpxchg_rel_mut_release)
ONCE_MUTANT(cr_reacquire, "cmpxchg-release-reacquire", "recipe (f) without the acquire after a failure",
	    KW_EXPECT_BUG, NULL, .dio_prepare = cmpxchg_rel_mut_reacquire)
ONCE_MUTANT(do_once_acquire, "do-once-acquire", "INIT_ONCE_PTR with READ_ONCE for the fast path",
	    KW_EXPECT_BUG, NULL, .dio_prepare = do_once_mut_acquire)
ONCE_MUTANT(do_once_release, "do-once-release", "INIT_ONCE_PTR publishing with WRITE_ONCE",
	    KW_EXPECT_BUG, NULL, .dio_prepare = do_once_mut_release)
ONCE_MUTANT(eager_release, "eager-release", "eager with a plain store at fill_super",
	    KW_EXPECT_EQUIVALENT,
	    "equivalent: mount happens before every submitter starts (thread start is a happens-before edge), so the release orders nothing that is not already ordered",
	    .fill_super = eager_fill_super_plain)
