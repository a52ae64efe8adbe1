// SPDX-License-Identifier: GPL-2.0-only
/*
 * api_scen.c - scenarios only tests/test_api.c drives ("apitest/..." with no stated verdict, so
 * `kweave verify` leaves them out): the values each kernel API returns, each check it fails,
 * the RCU litmus shapes, contexts and waits, and the two detector gaps of the kernel-API
 * issue (kfree as a write, fair scheduling of spinning readers).
 */
#include <kweave/kernel.h>

#include <string.h>

#define T(fn) { #fn, fn }

/* ---- atomics: every family's values --------------------------------------------------------- */

static void atomic_values(void *arg)
{
	atomic_t a = ATOMIC_INIT(5);
	atomic64_t b = ATOMIC64_INIT(1ll << 40);
	atomic_long_t c = ATOMIC_LONG_INIT(-3);
	int old = 5;

	kw_check(atomic_add_return(2, &a) == 7, "add_return");
	kw_check(atomic_fetch_sub_relaxed(3, &a) == 7 && atomic_read(&a) == 4, "fetch_sub_relaxed");
	kw_check(atomic_inc_return_acquire(&a) == 5 && atomic_dec_return_release(&a) == 4, "inc/dec_return");
	kw_check(atomic_fetch_or(3, &a) == 4 && atomic_read(&a) == 7, "fetch_or");
	kw_check(atomic_fetch_andnot(1, &a) == 7 && atomic_read(&a) == 6, "fetch_andnot");
	atomic_andnot(2, &a);
	kw_check(atomic_read(&a) == 4, "andnot");
	kw_check(atomic_fetch_xor_release(5, &a) == 4 && atomic_read(&a) == 1, "fetch_xor");
	kw_check(atomic_xchg(&a, 9) == 1 && atomic_cmpxchg(&a, 8, 0) == 9 && atomic_read(&a) == 9, "xchg/cmpxchg fail");
	kw_check(!atomic_try_cmpxchg(&a, &old, 1) && old == 9, "try_cmpxchg fail updates old");
	kw_check(atomic_try_cmpxchg_acquire(&a, &old, 1) && atomic_read(&a) == 1, "try_cmpxchg ok");
	kw_check(atomic_dec_and_test(&a) && !atomic_inc_and_test(&a), "dec/inc_and_test");
	kw_check(atomic_sub_and_test(1, &a) && atomic_add_negative(-1, &a), "sub_and_test/add_negative");
	atomic_set(&a, 0);
	kw_check(!atomic_inc_not_zero(&a) && atomic_read(&a) == 0, "inc_not_zero of 0");
	kw_check(atomic_add_unless(&a, 5, 1) && atomic_read(&a) == 5, "add_unless");
	kw_check(atomic_fetch_add_unless(&a, 1, 5) == 5 && atomic_read(&a) == 5, "fetch_add_unless at u");
	kw_check(atomic_dec_if_positive(&a) == 4 && atomic_read(&a) == 4, "dec_if_positive");
	atomic_set(&a, 0);
	kw_check(atomic_dec_if_positive(&a) == -1 && atomic_read(&a) == 0, "dec_if_positive of 0");
	kw_check(atomic_inc_unless_negative(&a) && atomic_read(&a) == 1, "inc_unless_negative");
	kw_check(!atomic_dec_unless_positive(&a) && atomic_read(&a) == 1, "dec_unless_positive");
	kw_check(atomic64_fetch_add(1, &b) == (1ll << 40) && atomic64_read(&b) == (1ll << 40) + 1, "atomic64");
	kw_check(atomic64_xchg_relaxed(&b, 2) == (1ll << 40) + 1 && atomic64_dec_return(&b) == 1, "atomic64 xchg");
	kw_check(atomic_long_inc_return(&c) == -2 && atomic_long_add_negative(1, &c), "atomic_long");
	kw_check(atomic_long_fetch_and(0, &c) == -1 && atomic_long_read(&c) == 0, "atomic_long_fetch_and");
	smp_store_mb(old, 3);
	kw_check(old == 3 && smp_cond_load_relaxed(&a.counter, VAL == 1) == 1, "smp_store_mb/cond_load");
}

KW_SCENARIO(apitest_atomic_values, .name = "apitest/atomic-values", .threads = { T(atomic_values) })

/* ---- bitops: values ------------------------------------------------------------------------------ */

static DECLARE_BITMAP(map, 130); /* shared memory: a local the compiler sees unshared is not instrumented */

static void bitops_values(void *arg)
{
	unsigned long bit, n = 0;

	memset(map, 0, sizeof(map));
	set_bit(0, map);
	set_bit(65, map);
	__set_bit(129, map);
	kw_check(test_bit(0, map) && test_bit(65, map) && test_bit(129, map) && !test_bit(1, map), "set_bit");
	kw_check(map[1] == (1UL << 1) && map[2] == (1UL << 1), "bit words");
	kw_check(test_and_set_bit(65, map) && !test_and_set_bit(66, map), "test_and_set_bit");
	kw_check(test_and_clear_bit(66, map) && !test_and_clear_bit(66, map), "test_and_clear_bit");
	change_bit(3, map);
	kw_check(test_bit(3, map) && test_and_change_bit(3, map) && !test_bit(3, map), "change_bit");
	kw_check(!test_and_set_bit_lock(7, map) && test_and_set_bit_lock(7, map), "test_and_set_bit_lock");
	clear_bit_unlock(7, map);
	kw_check(!test_bit_acquire(7, map), "clear_bit_unlock");
	kw_check(__test_and_clear_bit(129, map) && !__test_and_set_bit(128, map) && test_bit(128, map), "__ forms");
	__clear_bit(128, map);
	clear_bit(0, map);
	kw_check(find_first_bit(map, 130) == 65 && find_next_bit(map, 130, 66) == 130, "find_*_bit");
	kw_check(find_first_zero_bit(map, 130) == 0, "find_first_zero_bit");
	for_each_set_bit(bit, map, 130)
		n++;
	kw_check(n == 1, "for_each_set_bit saw %lu bits", n);
}

KW_SCENARIO(apitest_bitops_values, .name = "apitest/bitops-values", .threads = { T(bitops_values) })

/* ---- refcount_t: saturation and its warnings ---------------------------------------------------- */

static refcount_t rc;

static void rc_inc_zero(void *arg) { refcount_set(&rc, 0); refcount_inc(&rc); }
static void rc_underflow(void *arg) { refcount_set(&rc, 0); (void)refcount_dec_and_test(&rc); }
static void rc_hit_zero(void *arg) { refcount_set(&rc, 1); refcount_dec(&rc); }
static void rc_saturate(void *arg) { refcount_set(&rc, REFCOUNT_MAX); refcount_inc(&rc); }
static void rc_not_zero_saturate(void *arg) { refcount_set(&rc, REFCOUNT_MAX); (void)refcount_inc_not_zero(&rc); }

static void rc_values(void *arg)
{
	refcount_set(&rc, 1);
	refcount_add(2, &rc);
	kw_check(refcount_read(&rc) == 3, "refcount_add");
	kw_check(!refcount_dec_if_one(&rc) && refcount_read(&rc) == 3, "dec_if_one of 3");
	kw_check(refcount_dec_not_one(&rc) && refcount_read(&rc) == 2, "dec_not_one of 3");
	kw_check(!refcount_sub_and_test(1, &rc) && refcount_read(&rc) == 1, "sub_and_test to 1");
	kw_check(!refcount_dec_not_one(&rc) && refcount_read(&rc) == 1, "dec_not_one of 1");
	kw_check(refcount_dec_if_one(&rc) && refcount_read(&rc) == 0, "dec_if_one of 1");
	kw_check(!refcount_inc_not_zero(&rc) && refcount_read(&rc) == 0, "inc_not_zero of 0");
	refcount_set(&rc, 1);
	kw_check(refcount_inc_not_zero(&rc) && refcount_dec_and_test(&rc) == false && refcount_dec_and_test(&rc),
		 "inc_not_zero, dec_and_test");
}

static DEFINE_SPINLOCK(rc_lock);
static int kref_released;

static void kref_rel(struct kref *k)
{
	kref_released++;
	kw_check(kref_read(k) == 0, "released at %u", kref_read(k));
}

static void kref_values(void *arg)
{
	struct kref k = KREF_INIT(1);

	kref_released = 0;
	kref_get(&k);
	kw_check(kref_read(&k) == 2 && kref_put(&k, kref_rel) == 0 && kref_released == 0, "kref_put of 2");
	kw_check(kref_get_unless_zero(&k) && kref_put_lock(&k, kref_rel, &rc_lock) == 0, "kref_put_lock of 2");
	kw_check(kref_put_lock(&k, kref_rel, &rc_lock) == 1 && kref_released == 1, "kref_put_lock of 1");
	spin_unlock(&rc_lock); /* kref_put_lock() returns with the lock held when it released */
	kw_check(!kref_get_unless_zero(&k), "get_unless_zero of 0");
}

/* the last put sees every other holder's stores: RELEASE on each put, ACQUIRE on the last */
static struct holder {
	refcount_t ref;
	int a, b;
} *hold;

static void hold_setup(void)
{
	hold = kzalloc(sizeof(*hold), GFP_KERNEL);
	refcount_set(&hold->ref, 2);
}

static void holder_put(void *arg)
{
	struct holder *h = hold;

	if (arg)
		WRITE_ONCE(h->b, 1);
	else
		WRITE_ONCE(h->a, 1);
	if (refcount_dec_and_test(&h->ref)) {
		kw_check(READ_ONCE(h->a) && READ_ONCE(h->b), "the last put saw a=%d b=%d", READ_ONCE(h->a),
			 READ_ONCE(h->b));
		kfree(h);
	}
}

KW_SCENARIO(apitest_rc_last_put, .name = "apitest/refcount-last-put", .setup = hold_setup,
	    .threads = { { "a", holder_put, NULL }, { "b", holder_put, (void *)1 } })
KW_SCENARIO(apitest_rc_inc_zero, .name = "apitest/refcount-inc-zero", .threads = { T(rc_inc_zero) })
KW_SCENARIO(apitest_rc_underflow, .name = "apitest/refcount-underflow", .threads = { T(rc_underflow) })
KW_SCENARIO(apitest_rc_hit_zero, .name = "apitest/refcount-hit-zero", .threads = { T(rc_hit_zero) })
KW_SCENARIO(apitest_rc_saturate, .name = "apitest/refcount-saturate", .threads = { T(rc_saturate) })
KW_SCENARIO(apitest_rc_nz_saturate, .name = "apitest/refcount-not-zero-saturate", .threads = { T(rc_not_zero_saturate) })
KW_SCENARIO(apitest_rc_values, .name = "apitest/refcount-values", .threads = { T(rc_values) })
KW_SCENARIO(apitest_kref_values, .name = "apitest/kref-values", .threads = { T(kref_values) })

/* ---- seqcount writers must hold the associated lock --------------------------------------------- */

static DEFINE_SPINLOCK(sq_lock);
static seqcount_spinlock_t sq = SEQCNT_SPINLOCK_ZERO(sq, &sq_lock);

static void seq_writer_unlocked(void *arg)
{
	write_seqcount_begin(&sq);
	write_seqcount_end(&sq);
}

static void seq_writer_locked(void *arg)
{
	spin_lock(&sq_lock);
	write_seqcount_begin(&sq);
	write_seqcount_end(&sq);
	spin_unlock(&sq_lock);
	kw_check(raw_read_seqcount(&sq) == 2, "two increments, count %u", raw_read_seqcount(&sq));
}

static void sq_setup(void) { seqcount_spinlock_init(&sq, &sq_lock); }

KW_SCENARIO(apitest_seq_unlocked, .name = "apitest/seqcount-writer-unlocked", .setup = sq_setup,
	    .threads = { T(seq_writer_unlocked) })
KW_SCENARIO(apitest_seq_locked, .name = "apitest/seqcount-writer-locked", .setup = sq_setup,
	    .threads = { T(seq_writer_locked) })

/* ---- RCU: the kernel's RCU litmus shapes ------------------------------------------------------ */

static int x, y, z, r0, r1;
static int *yp;

static void lit_setup(void)
{
	x = 1;
	y = 0;
	z = 1;
	yp = &x;
	r0 = r1 = -1;
}

/* RCU+sync+read: after a grace period the updater sees what earlier readers stored */
static void srd_reader(void *arg)
{
	rcu_read_lock();
	WRITE_ONCE(x, 1);
	WRITE_ONCE(y, 1);
	rcu_read_unlock();
}

static void srd_updater(void *arg)
{
	r0 = READ_ONCE(x);
	synchronize_rcu();
	r1 = READ_ONCE(y);
}

static void srd_updater_nosync(void *arg)
{
	r0 = READ_ONCE(x);
	smp_mb(); /* what synchronize_rcu() implies, without the grace period */
	r1 = READ_ONCE(y);
}

static void srd_setup(void) { x = y = 0; r0 = r1 = -1; }
static void r_out(void) { kw_outcome("r0=%d r1=%d", r0, r1); }

KW_SCENARIO(apitest_rcu_sync_read, .name = "apitest/rcu-sync-read", .setup = srd_setup, .check = r_out,
	    .threads = { T(srd_reader), T(srd_updater) })
KW_SCENARIO(apitest_rcu_nosync_read, .name = "apitest/rcu-mb-read", .setup = srd_setup, .check = r_out,
	    .threads = { T(srd_reader), T(srd_updater_nosync) })

/* RCU+sync+free: a reader never sees the write after the grace period without the one before */
static void sfr_reader(void *arg)
{
	int *p;

	rcu_read_lock();
	p = rcu_dereference(yp);
	r0 = p == &x ? 0 : 1;
	r1 = READ_ONCE(*p);
	rcu_read_unlock();
}

static void sfr_updater(void *arg)
{
	rcu_assign_pointer(yp, &z);
	synchronize_rcu();
	WRITE_ONCE(x, 0);
}

KW_SCENARIO(apitest_rcu_sync_free, .name = "apitest/rcu-sync-free", .setup = lit_setup, .check = r_out,
	    .threads = { T(sfr_reader), T(sfr_updater) })

/* ---- RCU: what a grace period waits for ----------------------------------------------------- */

struct robj {
	int val;
	struct rcu_head rcu;
};

static struct robj __rcu *rp;
static DEFINE_SPINLOCK(rlock);
static int cb_ctx, cb_count;

static void rp_setup(void)
{
	struct robj *o = kzalloc(sizeof(*o), GFP_KERNEL);

	o->val = 1;
	RCU_INIT_POINTER(rp, o);
	cb_ctx = cb_count = 0;
}

static void rp_check(void) { kfree(rcu_dereference_protected(rp, 1)); }

static void rp_replace_sync_free(void *arg)
{
	struct robj *n = kzalloc(sizeof(*n), GFP_KERNEL), *old;

	n->val = 2;
	old = rcu_replace_pointer(rp, n, 1);
	synchronize_rcu();
	kfree(old);
}

static void spinlock_reader(void *arg)
{
	struct robj *o;

	spin_lock(&rlock); /* preemption off: a reader region for synchronize_rcu() */
	o = rcu_dereference_sched(rp);
	kw_check(READ_ONCE(o->val) > 0, "val %d", READ_ONCE(o->val));
	spin_unlock(&rlock);
}

static void irq_reader(void *arg)
{
	struct robj *o = rcu_dereference_sched(rp); /* a handler is a reader region */

	kw_check(READ_ONCE(o->val) > 0, "val %d", READ_ONCE(o->val));
}

static void irq_reader_raiser(void *arg)
{
	kw_irq_raise(kw_irq_create("irq-reader", irq_reader, NULL, kw_cpu()));
}

KW_SCENARIO(apitest_rcu_spinlock_reader, .name = "apitest/rcu-spinlock-reader", .setup = rp_setup, .check = rp_check,
	    .threads = { T(spinlock_reader), T(rp_replace_sync_free) })
KW_SCENARIO(apitest_rcu_irq_reader, .name = "apitest/rcu-irq-reader", .setup = rp_setup, .check = rp_check,
	    .threads = { T(irq_reader_raiser), T(rp_replace_sync_free) })

static void cb_note(struct rcu_head *h)
{
	struct robj *o = container_of(h, struct robj, rcu);

	cb_ctx = in_serving_softirq() && !in_task() && in_interrupt() && preempt_count() > 0;
	cb_count++;
	kfree(o);
}

/* call_rcu() inside a reader: the callback waits for the caller's own section */
static void call_in_reader(void *arg)
{
	struct robj *o;

	rcu_read_lock();
	o = rcu_dereference(rp);
	RCU_INIT_POINTER(rp, NULL);
	call_rcu(&o->rcu, cb_note);
	kw_check(READ_ONCE(o->val) == 1, "val %d", READ_ONCE(o->val)); /* still ours */
	rcu_read_unlock();
	rcu_barrier();
	kw_check(cb_count == 1 && cb_ctx == 1, "callback ran %d times, in softirq context: %d", cb_count, cb_ctx);
}

KW_SCENARIO(apitest_rcu_call_in_reader, .name = "apitest/rcu-call-in-reader", .setup = rp_setup, .check = rp_check,
	    .threads = { T(call_in_reader) })

static void rcu_deref_outside(void *arg) { (void)rcu_dereference(rp); }
static void rcu_unlock_unheld(void *arg) { rcu_read_unlock(); }
static void rcu_exit_locked(void *arg) { rcu_read_lock(); }
static void rcu_sleeps(void *arg) { rcu_read_lock(); msleep(1); rcu_read_unlock(); }
static void rcu_sync_inside(void *arg) { rcu_read_lock(); synchronize_rcu(); rcu_read_unlock(); }
static void rcu_bh_sleeps(void *arg) { rcu_read_lock_bh(); msleep(1); rcu_read_unlock_bh(); }

static void rcu_nesting(void *arg)
{
	rcu_read_lock();
	rcu_read_lock();
	kw_check(rcu_read_lock_held(), "nested");
	rcu_read_unlock();
	kw_check(rcu_read_lock_held(), "still held after one unlock");
	rcu_read_unlock();
	kw_check(!rcu_read_lock_held() && !rcu_read_lock_any_held(), "released");
	preempt_disable();
	kw_check(!rcu_read_lock_held() && rcu_read_lock_any_held(), "preempt_disable is a reader region");
	preempt_enable();
	kw_check(rcu_dereference_check(rp, 1) != NULL, "rcu_dereference_check() with its condition");
	kfree(rcu_dereference_protected(rp, lockdep_is_held(&rlock) || 1));
	RCU_INIT_POINTER(rp, NULL);
}

KW_SCENARIO(apitest_rcu_deref_outside, .name = "apitest/rcu-deref-outside", .setup = rp_setup, .check = rp_check,
	    .threads = { T(rcu_deref_outside) })
KW_SCENARIO(apitest_rcu_unlock_unheld, .name = "apitest/rcu-unlock-unheld", .threads = { T(rcu_unlock_unheld) })
KW_SCENARIO(apitest_rcu_exit_locked, .name = "apitest/rcu-exit-locked", .threads = { T(rcu_exit_locked) })
KW_SCENARIO(apitest_rcu_sleeps, .name = "apitest/rcu-sleeps", .threads = { T(rcu_sleeps) })
KW_SCENARIO(apitest_rcu_sync_inside, .name = "apitest/rcu-sync-inside", .threads = { T(rcu_sync_inside) })
KW_SCENARIO(apitest_rcu_bh_sleeps, .name = "apitest/rcu-bh-sleeps", .threads = { T(rcu_bh_sleeps) })
KW_SCENARIO(apitest_rcu_nesting, .name = "apitest/rcu-nesting", .setup = rp_setup, .threads = { T(rcu_nesting) })

/* ---- contexts ------------------------------------------------------------------------------------- */

static DEFINE_PER_CPU(int, pcv);

static void pcv_setup(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		per_cpu(pcv, cpu) = 0;
}

static int pcv_sum(void)
{
	int cpu, sum = 0;

	for_each_possible_cpu(cpu)
		sum += per_cpu(pcv, cpu);
	return sum;
}

static void pcv_check2(void) { kw_check(pcv_sum() == 2, "per-CPU sum %d, want 2", pcv_sum()); }

/* a hard IRQ preempts a softirq handler on its CPU */
static void sirq_irq(void *arg) { this_cpu_inc(pcv); }
static struct kw_thread *pcv_irq;

static void sirq_racy(void *arg)
{
	kw_irq_raise(pcv_irq);
	__this_cpu_inc(pcv);
}

static void sirq_irqsave(void *arg)
{
	unsigned long f;

	kw_irq_raise(pcv_irq);
	local_irq_save(f);
	__this_cpu_inc(pcv);
	local_irq_restore(f);
}

static void sirq_setup(void)
{
	pcv_setup();
	pcv_irq = kw_irq_create("irq", sirq_irq, NULL, 0);
}

KW_SCENARIO(apitest_softirq_vs_irq, .name = "apitest/softirq-preempted-by-irq", .setup = sirq_setup, .check = pcv_check2,
	    .threads = { { "softirq", sirq_racy, .kind = KW_SOFTIRQ, .on_cpu = KW_ON_CPU(0) } })
KW_SCENARIO(apitest_softirq_irqsave, .name = "apitest/softirq-irqsave", .setup = sirq_setup, .check = pcv_check2,
	    .threads = { { "softirq", sirq_irqsave, .kind = KW_SOFTIRQ, .on_cpu = KW_ON_CPU(0) } })

/* preempt_disable() keeps the other tasks of the CPU out */
static void pc_task_racy(void *arg) { __this_cpu_inc(pcv); }

static void pc_task_preempt(void *arg)
{
	preempt_disable();
	__this_cpu_inc(pcv);
	preempt_enable();
}

static void pc_task_get_cpu(void *arg)
{
	int cpu = get_cpu();

	(*per_cpu_ptr(&pcv, cpu))++;
	put_cpu();
}

KW_SCENARIO(apitest_preempt_racy, .name = "apitest/preempt-racy", .setup = pcv_setup, .check = pcv_check2,
	    .threads = { { "a", pc_task_racy, .on_cpu = KW_ON_CPU(0) }, { "b", pc_task_racy, .on_cpu = KW_ON_CPU(0) } })
KW_SCENARIO(apitest_preempt_off, .name = "apitest/preempt-off", .setup = pcv_setup, .check = pcv_check2,
	    .threads = { { "a", pc_task_preempt, .on_cpu = KW_ON_CPU(0) }, { "b", pc_task_preempt, .on_cpu = KW_ON_CPU(0) } })
KW_SCENARIO(apitest_get_cpu, .name = "apitest/get-cpu", .setup = pcv_setup, .check = pcv_check2,
	    .threads = { { "a", pc_task_get_cpu, .on_cpu = KW_ON_CPU(0) }, { "b", pc_task_get_cpu, .on_cpu = KW_ON_CPU(0) } })

/* per-CPU copies: one per CPU, fresh every run; dynamic ones too */
static unsigned long plain_var;

static void percpu_copies(void *arg)
{
	int *dyn = alloc_percpu(int);

	kw_check(per_cpu(pcv, 0) == 0 && per_cpu(pcv, 1) == 0, "a run starts with zeroed copies");
	this_cpu_add(pcv, 5);
	kw_check(per_cpu(pcv, kw_cpu()) == 5 && per_cpu(pcv, 1 - kw_cpu()) == 0, "this CPU's copy only");
	kw_check(per_cpu_ptr(&pcv, 0) != per_cpu_ptr(&pcv, 1), "distinct copies");
	kw_check(*per_cpu_ptr(dyn, 0) == 0 && *per_cpu_ptr(dyn, 1) == 0, "alloc_percpu() is zeroed");
	this_cpu_inc(*dyn);
	kw_check(this_cpu_read(*dyn) == 1 && *per_cpu_ptr(dyn, 1 - kw_cpu()) == 0, "dynamic copies");
	kw_check(this_cpu_cmpxchg(*dyn, 1, 3) == 1 && this_cpu_xchg(*dyn, 4) == 3 && this_cpu_add_return(*dyn, 1) == 5,
		 "this_cpu value ops");
	free_percpu(dyn);
}

static void percpu_not_percpu(void *arg) { this_cpu_inc(plain_var); }

KW_SCENARIO(apitest_percpu_copies, .name = "apitest/percpu-copies", .threads = { { "t", percpu_copies, .on_cpu = KW_ON_CPU(0) } })
KW_SCENARIO(apitest_percpu_not, .name = "apitest/percpu-not-percpu", .threads = { T(percpu_not_percpu) })

static DEFINE_MUTEX(ml_a);
static DEFINE_MUTEX(ml_b);

static void might_lock_held(void *arg)
{
	mutex_lock(&ml_a);
	might_lock(&ml_a);
	mutex_unlock(&ml_a);
}

static void might_lock_ab(void *arg)
{
	mutex_lock(&ml_a);
	might_lock(&ml_b); /* records a -> b without taking b */
	mutex_unlock(&ml_a);
}

static void lock_ba(void *arg)
{
	mutex_lock(&ml_b);
	mutex_lock_nested(&ml_a, SINGLE_DEPTH_NESTING);
	mutex_unlock(&ml_a);
	mutex_unlock(&ml_b);
}

static void bh_sleeps(void *arg) { local_bh_disable(); msleep(1); local_bh_enable(); }
static void preempt_sleeps(void *arg) { preempt_disable(); might_sleep(); preempt_enable(); }
static void preempt_underflow(void *arg) { preempt_enable(); }
static void preempt_leak(void *arg) { local_bh_disable(); }

static void ctx_queries(void *arg)
{
	kw_check(in_task() && !in_interrupt() && !in_softirq() && preempt_count() == 0, "task context");
	local_bh_disable();
	kw_check(in_softirq() && in_interrupt() && !in_serving_softirq() && in_atomic(), "bh off");
	local_bh_enable();
	spin_lock_nested(&rlock, SINGLE_DEPTH_NESTING);
	kw_check(in_atomic() && lockdep_is_held(&rlock), "spin_lock_nested");
	spin_unlock(&rlock);
}

KW_SCENARIO(apitest_might_lock_held, .name = "apitest/might-lock-held", .threads = { T(might_lock_held) })
KW_SCENARIO(apitest_might_lock_order, .name = "apitest/might-lock-order",
	    .threads = { T(might_lock_ab), T(lock_ba) })
KW_SCENARIO(apitest_bh_sleeps, .name = "apitest/bh-off-sleeps", .threads = { T(bh_sleeps) })
KW_SCENARIO(apitest_preempt_sleeps, .name = "apitest/preempt-off-sleeps", .threads = { T(preempt_sleeps) })
KW_SCENARIO(apitest_preempt_underflow, .name = "apitest/preempt-underflow", .threads = { T(preempt_underflow) })
KW_SCENARIO(apitest_preempt_leak, .name = "apitest/bh-off-at-exit", .threads = { T(preempt_leak) })
KW_SCENARIO(apitest_ctx_queries, .name = "apitest/context-queries", .threads = { T(ctx_queries) })

/* ---- timers and tasklets ------------------------------------------------------------------------ */

static struct timer_list tl;
static struct tasklet_struct tk;
static int step_seen, fired, tk_runs;
static unsigned long fired_at;

static void tl_fn(struct timer_list *t)
{
	step_seen = READ_ONCE(z);
	fired_at = jiffies;
	fired++;
}

static void tk_fn(struct tasklet_struct *t) { tk_runs++; }

static void soft_setup(void)
{
	timer_setup(&tl, tl_fn, 0);
	tasklet_setup(&tk, tk_fn);
	z = 0;
	step_seen = -1;
	fired = tk_runs = 0;
	fired_at = 0;
}

static void timer_armer(void *arg)
{
	mod_timer(&tl, jiffies + 100);
	WRITE_ONCE(z, 1);
}

static void timer_out(void)
{
	kw_check(fired == 1 && fired_at >= 100, "fired %d times at %lu", fired, fired_at);
	kw_outcome("step=%d", step_seen);
}

static void timer_deleter(void *arg)
{
	kw_check(!timer_pending(&tl), "pending before mod_timer()");
	mod_timer(&tl, jiffies + 5);
	if (del_timer_sync(&tl))
		kw_check(!fired, "del_timer_sync() of a pending timer: it had fired");
	kw_check(!timer_pending(&tl), "pending after del_timer_sync()");
}

static void tasklet_twice(void *arg)
{
	tasklet_schedule(&tk);
	tasklet_schedule(&tk);
	tasklet_kill(&tk);
	kw_check(tk_runs >= 1, "tasklet_kill() returned before the tasklet ran");
}

static void tk_out(void) { kw_outcome("runs=%d", tk_runs); }

static void free_armed(void *arg)
{
	struct timer_list *t = kzalloc(sizeof(*t), GFP_KERNEL);

	timer_setup(t, tl_fn, 0);
	mod_timer(t, jiffies + 10);
	kfree(t);
}

KW_SCENARIO(apitest_timer_anytime, .name = "apitest/timer-fires-any-time", .setup = soft_setup, .check = timer_out,
	    .threads = { T(timer_armer) })
KW_SCENARIO(apitest_timer_del_sync, .name = "apitest/timer-del-sync", .setup = soft_setup,
	    .threads = { T(timer_deleter) })
KW_SCENARIO(apitest_tasklet_twice, .name = "apitest/tasklet-twice", .setup = soft_setup, .check = tk_out,
	    .threads = { T(tasklet_twice) })
KW_SCENARIO(apitest_free_armed, .name = "apitest/free-armed-timer", .setup = soft_setup,
	    .threads = { T(free_armed) })

/* ---- waits: timeouts and signals ------------------------------------------------------------------ */

static DECLARE_WAIT_QUEUE_HEAD(wq);
static DECLARE_COMPLETION(comp);
static struct task_struct *sleeper;
static long wret;
static int cond;

static void wait_setup(void)
{
	init_completion(&comp);
	sleeper = NULL;
	wret = -100;
	cond = 0;
}

static void wait_out(void) { kw_outcome("ret=%ld cond=%d", wret, cond); }

static void timeout_alone(void *arg)
{
	unsigned long t0 = jiffies;

	wret = wait_event_timeout(wq, READ_ONCE(cond), 10);
	kw_check(wret == 0 && jiffies - t0 >= 10, "ret %ld after %lu ticks", wret, jiffies - t0);
	wret = wait_for_completion_timeout(&comp, 5);
	kw_check(wret == 0, "wait_for_completion_timeout() of nothing returned %ld", wret);
	wret = schedule_timeout_uninterruptible(3);
	kw_check(wret == 0 && jiffies - t0 >= 18, "schedule_timeout_uninterruptible() %ld", wret);
}

static void timeout_waiter(void *arg)
{
	wret = wait_event_timeout(wq, READ_ONCE(cond), 10);
}

static void timeout_waker(void *arg)
{
	WRITE_ONCE(cond, 1);
	wake_up(&wq);
}

static void killable_waiter(void *arg)
{
	WRITE_ONCE(sleeper, current);
	wret = wait_event_killable(wq, READ_ONCE(cond));
	kw_check(wret == 0 || fatal_signal_pending(current), "returned %ld without a fatal signal", wret);
}

static void interruptible_waiter(void *arg)
{
	WRITE_ONCE(sleeper, current);
	wret = wait_for_completion_interruptible(&comp);
}

static void sig_kill(void *arg)
{
	struct task_struct *t = READ_ONCE(sleeper);

	if (t)
		send_sig(SIGKILL, t, 0);
}

static void sig_int(void *arg)
{
	struct task_struct *t = READ_ONCE(sleeper);

	if (t)
		send_sig(SIGINT, t, 0);
}

static void completer(void *arg)
{
	WRITE_ONCE(cond, 1);
	complete(&comp);
	wake_up(&wq);
}

KW_SCENARIO(apitest_timeout_alone, .name = "apitest/timeout-alone", .setup = wait_setup, .threads = { T(timeout_alone) })
KW_SCENARIO(apitest_timeout_race, .name = "apitest/timeout-race", .setup = wait_setup, .check = wait_out,
	    .threads = { T(timeout_waiter), T(timeout_waker) })
KW_SCENARIO(apitest_killable_int, .name = "apitest/killable-sigint", .setup = wait_setup, .check = wait_out,
	    .threads = { T(killable_waiter), T(sig_int), T(completer) })
KW_SCENARIO(apitest_killable_kill, .name = "apitest/killable-sigkill", .setup = wait_setup, .check = wait_out,
	    .threads = { T(killable_waiter), T(sig_kill), T(completer) })
KW_SCENARIO(apitest_interruptible_int, .name = "apitest/completion-interruptible", .setup = wait_setup, .check = wait_out,
	    .threads = { T(interruptible_waiter), T(sig_int), T(completer) })

/* waitqueue_active() before wake_up() needs the waker's smp_mb() */
static void wq_waiter(void *arg) { wait_event(wq, READ_ONCE(cond)); }

static void wq_waker_active(void *arg)
{
	WRITE_ONCE(cond, 1);
	if (waitqueue_active(&wq)) /* no barrier before the lockless test */
		wake_up(&wq);
}

static void wq_waker_sleeper(void *arg)
{
	WRITE_ONCE(cond, 1);
	if (wq_has_sleeper(&wq)) /* smp_mb() first: pairs with the waiter's set_current_state() */
		wake_up(&wq);
}

KW_SCENARIO(apitest_wq_active, .name = "apitest/waitqueue-active", .setup = wait_setup,
	    .threads = { T(wq_waiter), T(wq_waker_active) })
KW_SCENARIO(apitest_wq_has_sleeper, .name = "apitest/wq-has-sleeper", .setup = wait_setup,
	    .threads = { T(wq_waiter), T(wq_waker_sleeper) })

/* ---- lists: values --------------------------------------------------------------------------------- */

struct node {
	int v;
	struct list_head l;
	struct hlist_node h;
	struct llist_node ll;
};

static void list_values(void *arg)
{
	struct node n[4];
	LIST_HEAD(a);
	LIST_HEAD(b);
	HLIST_HEAD(hh);
	LLIST_HEAD(lh);
	struct node *p, *q;
	struct llist_node *ln;
	int sum = 0, order = 0;

	for (int i = 0; i < 4; i++)
		n[i].v = i + 1;
	kw_check(list_empty(&a) && list_first_entry_or_null(&a, struct node, l) == NULL, "empty");
	list_add(&n[0].l, &a);		/* 1 */
	list_add_tail(&n[1].l, &a);	/* 1 2 */
	list_add(&n[2].l, &a);		/* 3 1 2 */
	kw_check(list_count_nodes(&a) == 3 && list_first_entry(&a, struct node, l)->v == 3 &&
		 list_last_entry(&a, struct node, l)->v == 2, "add/add_tail");
	list_for_each_entry(p, &a, l)
		order = order * 10 + p->v;
	kw_check(order == 312, "order %d", order);
	list_move_tail(&n[2].l, &a);	/* 1 2 3 */
	list_del(&n[1].l);		/* 1 3 */
	kw_check(list_is_last(&n[2].l, &a) && n[1].l.next == LIST_POISON1, "move_tail/del");
	list_add(&n[3].l, &b);
	list_splice_init(&b, &a);	/* 4 1 3 */
	kw_check(list_empty(&b) && list_count_nodes(&a) == 3 && list_next_entry(&n[3], l)->v == 1, "splice_init");
	list_for_each_entry_safe(p, q, &a, l) {
		sum += p->v;
		list_del_init(&p->l);
	}
	kw_check(sum == 8 && list_empty(&a) && list_empty(&n[0].l), "for_each_entry_safe/del_init");
	hlist_add_head(&n[0].h, &hh);
	hlist_add_head(&n[1].h, &hh);
	sum = 0;
	hlist_for_each_entry(p, &hh, h)
		sum = sum * 10 + p->v;
	kw_check(sum == 21, "hlist order %d", sum);
	hlist_del_init(&n[1].h);
	kw_check(hlist_unhashed(&n[1].h) && !hlist_empty(&hh) && hh.first == &n[0].h, "hlist_del_init");
	for (int i = 0; i < 3; i++)
		kw_check(llist_add(&n[i].ll, &lh) == (i == 0), "llist_add returns whether it was empty");
	ln = llist_reverse_order(llist_del_all(&lh));
	sum = 0;
	llist_for_each_entry(p, ln, ll)
		sum = sum * 10 + p->v;
	kw_check(sum == 123 && llist_empty(&lh), "llist order %d", sum);
	llist_add(&n[3].ll, &lh);
	kw_check(llist_del_first(&lh) == &n[3].ll && llist_del_first(&lh) == NULL, "llist_del_first");
}

KW_SCENARIO(apitest_list_values, .name = "apitest/list-values", .threads = { T(list_values) })

/* ---- workqueue: values ----------------------------------------------------------------------------- */

static struct workqueue_struct *twq;
static struct work_struct tw;
static struct delayed_work tdw;
static int tw_runs, tdw_runs;

static void tw_fn(struct work_struct *w) { tw_runs++; }
static void tdw_fn(struct work_struct *w) { tdw_runs++; }

static void wq_setup(void)
{
	twq = alloc_workqueue("t%d", 0, 0, 1);
	INIT_WORK(&tw, tw_fn);
	INIT_DELAYED_WORK(&tdw, tdw_fn);
	tw_runs = tdw_runs = 0;
}

/* what holds in every schedule (the worker and the timer may run at any point) */
static void wq_values(void *arg)
{
	bool was;

	kw_check(!flush_work(&tw) && !cancel_work_sync(&tw), "never queued: nothing to flush or cancel");
	kw_check(queue_work(twq, &tw), "queue_work of an idle work");
	was = cancel_work_sync(&tw);
	kw_check(!work_pending(&tw) && was == (tw_runs == 0), "cancel_work_sync: was pending %d, runs %d", was, tw_runs);
	queue_work(twq, &tw);
	flush_work(&tw); /* true if it waited; false if the worker had run it already */
	kw_check(tw_runs == 2 - was, "flush_work: it has run (runs %d)", tw_runs);
	kw_check(queue_delayed_work(twq, &tdw, 50), "queue_delayed_work of an idle one");
	flush_delayed_work(&tdw); /* true if it waited; false if the timer and the work were done */
	kw_check(tdw_runs == 1 && !delayed_work_pending(&tdw), "flush_delayed_work: runs %d", tdw_runs);
	kw_check(!mod_delayed_work(twq, &tdw, 5), "mod_delayed_work of an idle one");
	was = cancel_delayed_work_sync(&tdw);
	kw_check(!delayed_work_pending(&tdw) && tdw_runs == (was ? 1 : 2), "cancel_delayed_work_sync: %d, runs %d",
		 was, tdw_runs);
	destroy_workqueue(twq);
}

KW_SCENARIO(apitest_wq_values, .name = "apitest/workqueue-values", .setup = wq_setup, .threads = { T(wq_values) })

/* ---- slab caches ------------------------------------------------------------------------------------ */

struct cobj {
	int magic;
	int val;
};

static struct kmem_cache *cache, *tcache;
static struct cobj __rcu *cgp;

static void cobj_ctor(void *p) { ((struct cobj *)p)->magic = 0x5a; }

static void cache_setup(void)
{
	cache = kmem_cache_create("cobj", sizeof(struct cobj), 0, SLAB_HWCACHE_ALIGN, cobj_ctor);
	tcache = KMEM_CACHE(cobj, SLAB_TYPESAFE_BY_RCU);
	RCU_INIT_POINTER(cgp, NULL);
}

static void cache_values(void *arg)
{
	struct cobj *a = kmem_cache_alloc(cache, GFP_KERNEL), *b = kmem_cache_zalloc(tcache, GFP_KERNEL);

	kw_check(a->magic == 0x5a && b->magic == 0 && b->val == 0, "constructed %#x, zeroed %d", a->magic, b->val);
	kmem_cache_free(cache, a);
	kmem_cache_free(tcache, b); /* freed after a grace period */
	kmem_cache_destroy(cache);
	kmem_cache_destroy(tcache); /* rcu_barrier() first: b is gone after it */
}

static void cache_busy(void *arg)
{
	struct cobj *a = kmem_cache_alloc(cache, GFP_ATOMIC);

	kmem_cache_destroy(cache);
	kfree(a);
}

/* a reader that found an object under rcu_read_lock() may still read it after the updater
 * freed it to a SLAB_TYPESAFE_BY_RCU cache; with an ordinary cache that is a use after free */
static void cache_reader(void *arg)
{
	struct cobj *o;

	rcu_read_lock();
	o = rcu_dereference(cgp);
	if (o)
		(void)READ_ONCE(o->val);
	rcu_read_unlock();
}

static void cache_updater(void *arg)
{
	struct kmem_cache *c = arg ? tcache : cache;
	struct cobj *o = kmem_cache_zalloc(c, GFP_KERNEL);

	rcu_assign_pointer(cgp, o);
	rcu_assign_pointer(cgp, NULL);
	kmem_cache_free(c, o); /* no grace period of its own */
}

KW_SCENARIO(apitest_cache_values, .name = "apitest/kmem-cache-values", .setup = cache_setup,
	    .threads = { T(cache_values) })
KW_SCENARIO(apitest_cache_busy, .name = "apitest/kmem-cache-busy", .setup = cache_setup, .threads = { T(cache_busy) })
KW_SCENARIO(apitest_cache_typesafe, .name = "apitest/kmem-cache-typesafe-by-rcu", .setup = cache_setup,
	    .threads = { { "reader", cache_reader }, { "updater", cache_updater, (void *)1 } })
KW_SCENARIO(apitest_cache_plain, .name = "apitest/kmem-cache-plain", .setup = cache_setup,
	    .threads = { { "reader", cache_reader }, { "updater", cache_updater, NULL } })

/* ---- the detector gaps: a free is a write; spinning readers yield ------------------------------ */

struct blk {
	int field;
};

static struct blk *blk;
static DECLARE_COMPLETION(blk_done);

static void blk_setup(void)
{
	blk = kzalloc(sizeof(*blk), GFP_KERNEL);
	init_completion(&blk_done);
}

static void blk_writer(void *arg)
{
	blk->field = 1;
	complete(&blk_done);
}

static void blk_freer(void *arg) { kfree(blk); }

static void blk_freer_ordered(void *arg)
{
	wait_for_completion(&blk_done);
	kfree(blk);
}

KW_SCENARIO(apitest_free_race, .name = "apitest/free-races", .setup = blk_setup,
	    .threads = { T(blk_writer), T(blk_freer) })
KW_SCENARIO(apitest_free_ordered, .name = "apitest/free-ordered", .setup = blk_setup,
	    .threads = { T(blk_writer), T(blk_freer_ordered) })

static int spin_flag;

static void spin_setup(void) { spin_flag = 0; }

static void spin_reader(void *arg)
{
	while (!READ_ONCE(spin_flag))
		;
}

static void spin_writer(void *arg)
{
	WRITE_ONCE(z, 1);
	WRITE_ONCE(z, 2);
	WRITE_ONCE(spin_flag, 1);
}

KW_SCENARIO(apitest_spin_alone, .name = "apitest/spin-nobody-sets", .setup = spin_setup, .max_steps = 2000,
	    .threads = { T(spin_reader) })
KW_SCENARIO(apitest_spin_two, .name = "apitest/spin-two-readers", .setup = spin_setup, .max_steps = 2000,
	    .threads = { { "reader-a", spin_reader }, { "reader-b", spin_reader }, { "writer", spin_writer } })
