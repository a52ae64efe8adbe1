// SPDX-License-Identifier: GPL-2.0-only
/*
 * percpu-refcount.c - percpu_ref, written from the kernel's documented design
 * (include/linux/percpu-refcount.h, lib/percpu-refcount.c) over kweave's per-CPU variables,
 * RCU and atomics.
 *
 * Invariants:
 *  - While live, the count is the sum of the per-CPU counters plus data->count, which holds
 *    PERCPU_COUNT_BIAS on top of the initial reference so that it cannot reach zero early;
 *    gets and puts touch only their CPU's counter, inside an RCU reader section, after
 *    reading percpu_count_ptr (READ_ONCE: the mode bits may change under them).
 *  - The switch to atomic mode (percpu_ref_kill) sets __PERCPU_REF_ATOMIC, then waits a grace
 *    period (call_rcu) before summing the per-CPU counters into data->count: every get/put
 *    that saw per-CPU mode was in a reader section that began before the grace period, so
 *    its counter update happens before the sum (RCU's guarantee); every later one sees atomic
 *    mode (it began after the grace period started). The switch holds its own reference,
 *    dropped after the sum; the kill drops the initial one.
 *  - release() runs in whatever context drops the last reference (a put, or the RCU
 *    callback in softirq context).
 * Lock order: percpu_ref_switch_lock is a leaf (IRQ-safe).
 */
#include <kweave/kernel.h>

#define __PERCPU_REF_ATOMIC (1UL << 0)
#define __PERCPU_REF_DEAD (1UL << 1)
#define __PERCPU_REF_ATOMIC_DEAD (__PERCPU_REF_ATOMIC | __PERCPU_REF_DEAD)
#define PERCPU_COUNT_BIAS (1UL << (BITS_PER_LONG - 1))

static DEFINE_SPINLOCK(percpu_ref_switch_lock);

static unsigned long __percpu *percpu_count_ptr(struct percpu_ref *ref)
{
	return (unsigned long __percpu *)(READ_ONCE(ref->percpu_count_ptr) & ~__PERCPU_REF_ATOMIC_DEAD);
}

/* In per-CPU mode: its counters. READ_ONCE: the mode bits change under a reader. */
static bool __ref_is_percpu(struct percpu_ref *ref, unsigned long __percpu **pcount)
{
	unsigned long p = READ_ONCE(ref->percpu_count_ptr);

	if (p & __PERCPU_REF_ATOMIC_DEAD)
		return false;
	*pcount = (unsigned long __percpu *)p;
	return true;
}

__attribute__((noinline)) int percpu_ref_init(struct percpu_ref *ref, percpu_ref_func_t *release,
					      unsigned int flags, gfp_t gfp)
{
	unsigned long __percpu *counts = alloc_percpu(unsigned long);
	struct percpu_ref_data *data = kzalloc(sizeof(*data), gfp);
	unsigned long start = 1, ptr = (unsigned long)counts;

	if (!counts || !data) {
		kfree(data);
		return -ENOMEM;
	}
	if (flags & (PERCPU_REF_INIT_ATOMIC | PERCPU_REF_INIT_DEAD))
		ptr |= __PERCPU_REF_ATOMIC;
	else
		start += PERCPU_COUNT_BIAS;
	if (flags & PERCPU_REF_INIT_DEAD) {
		ptr |= __PERCPU_REF_DEAD;
		start--;
	}
	atomic_long_set(&data->count, (long)start);
	data->release = release;
	data->ref = ref;
	ref->data = data;
	WRITE_ONCE(ref->percpu_count_ptr, ptr);
	return 0;
}

__attribute__((noinline)) void percpu_ref_exit(struct percpu_ref *ref)
{
	unsigned long __percpu *counts = percpu_count_ptr(ref);

	if (counts)
		free_percpu(counts);
	kfree(ref->data);
	ref->data = NULL;
	WRITE_ONCE(ref->percpu_count_ptr, __PERCPU_REF_ATOMIC_DEAD);
}

__attribute__((noinline)) void percpu_ref_get_many(struct percpu_ref *ref, unsigned long nr)
{
	unsigned long __percpu *pcount;

	rcu_read_lock();
	if (__ref_is_percpu(ref, &pcount))
		this_cpu_add(*pcount, nr);
	else
		atomic_long_add((long)nr, &ref->data->count);
	rcu_read_unlock();
}

__attribute__((noinline)) bool percpu_ref_tryget_many(struct percpu_ref *ref, unsigned long nr)
{
	unsigned long __percpu *pcount;
	bool ret;

	rcu_read_lock();
	if (__ref_is_percpu(ref, &pcount)) {
		this_cpu_add(*pcount, nr);
		ret = true;
	} else {
		ret = atomic_long_add_unless(&ref->data->count, (long)nr, 0);
	}
	rcu_read_unlock();
	return ret;
}

__attribute__((noinline)) bool percpu_ref_tryget_live(struct percpu_ref *ref)
{
	unsigned long __percpu *pcount;
	bool ret = false;

	rcu_read_lock();
	if (__ref_is_percpu(ref, &pcount)) {
		this_cpu_inc(*pcount);
		ret = true;
	} else if (!(READ_ONCE(ref->percpu_count_ptr) & __PERCPU_REF_DEAD)) {
		ret = atomic_long_inc_not_zero(&ref->data->count);
	}
	rcu_read_unlock();
	return ret;
}

__attribute__((noinline)) void percpu_ref_put_many(struct percpu_ref *ref, unsigned long nr)
{
	unsigned long __percpu *pcount;

	rcu_read_lock();
	if (__ref_is_percpu(ref, &pcount))
		this_cpu_sub(*pcount, nr);
	else if (unlikely(atomic_long_sub_and_test((long)nr, &ref->data->count)))
		ref->data->release(ref);
	rcu_read_unlock();
}

__attribute__((noinline)) bool percpu_ref_is_dying(struct percpu_ref *ref)
{
	return READ_ONCE(ref->percpu_count_ptr) & __PERCPU_REF_DEAD;
}

__attribute__((noinline)) bool percpu_ref_is_zero(struct percpu_ref *ref)
{
	unsigned long __percpu *pcount;

	if (__ref_is_percpu(ref, &pcount))
		return false;
	return !atomic_long_read(&ref->data->count);
}

/* After the grace period, in softirq context: every per-CPU update is visible; fold them in. */
static void percpu_ref_switch_to_atomic_rcu(struct rcu_head *rcu)
{
	struct percpu_ref_data *data = container_of(rcu, struct percpu_ref_data, rcu);
	struct percpu_ref *ref = data->ref;
	unsigned long __percpu *counts = percpu_count_ptr(ref);
	unsigned long count = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		count += *per_cpu_ptr(counts, cpu);
	atomic_long_add((long)count - (long)PERCPU_COUNT_BIAS, &data->count);
	kw_check_named("percpu-ref-underflow", atomic_long_read(&data->count) > 0,
		       "percpu ref <= 0 (%ld) after switching to atomic", atomic_long_read(&data->count));
	if (data->confirm_switch)
		data->confirm_switch(ref);
	data->confirm_switch = NULL;
	percpu_ref_put(ref); /* the switch's own reference */
}

__attribute__((noinline)) void percpu_ref_kill_and_confirm(struct percpu_ref *ref, percpu_ref_func_t *confirm_kill)
{
	unsigned long flags, p;

	spin_lock_irqsave(&percpu_ref_switch_lock, flags);
	p = READ_ONCE(ref->percpu_count_ptr);
	kw_check_named("percpu-ref-double-kill", !(p & __PERCPU_REF_DEAD),
		       "percpu_ref_kill() called more than once");
	WRITE_ONCE(ref->percpu_count_ptr, p | __PERCPU_REF_DEAD);
	if (p & __PERCPU_REF_ATOMIC) {
		if (confirm_kill)
			confirm_kill(ref);
	} else {
		WRITE_ONCE(ref->percpu_count_ptr, p | __PERCPU_REF_ATOMIC_DEAD);
		ref->data->confirm_switch = confirm_kill;
		percpu_ref_get(ref); /* dropped by percpu_ref_switch_to_atomic_rcu() */
		call_rcu_hurry(&ref->data->rcu, percpu_ref_switch_to_atomic_rcu);
	}
	spin_unlock_irqrestore(&percpu_ref_switch_lock, flags);
	percpu_ref_put(ref); /* the initial reference */
}
