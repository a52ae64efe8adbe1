// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scenarios the engine suites drive (code under test, instrumented like core/). They are
 * linked into the test programs only, not into the kweave command.
 */
#include <kweave/kernel.h>
#include <signal.h>
#include <stdlib.h>

static int x, y, flag, in_cs, r1, r2, users, writer_in, readers_in;
static DEFINE_MUTEX(m);
static DEFINE_SPINLOCK(sl);
static DECLARE_RWSEM(sem);
static DECLARE_COMPLETION(done);
static DECLARE_COMPLETION(done2);

static void reset(void)
{
	x = y = flag = in_cs = r1 = r2 = users = writer_in = readers_in = 0;
}

/* ---- crashes in fibers ---- */
static int __attribute__((noinline)) deep(int n)
{
	volatile char pad[512];

	pad[0] = (char)n;
	return n ? deep(n - 1) + pad[0] : 0;
}

static void overflow(void *arg)
{
	kw_yield();
	x = deep(1 << 20);
}

static void segv(void *arg)
{
	kw_yield();
	*(volatile int *)(uintptr_t)kw_load(&x) = 1;
}

static void do_abort(void *arg)
{
	kw_yield();
	abort();
}

KW_SCENARIO(st_overflow, .name = "selftest/overflow", .setup = reset, .threads = { { "deep", overflow } })
KW_SCENARIO(st_segv, .name = "selftest/segv", .setup = reset, .threads = { { "segv", segv }, { "other", segv } })
KW_SCENARIO(st_abort, .name = "selftest/abort", .setup = reset, .threads = { { "abort", do_abort } })

/* ---- IRQs ---- */
static void irq_mask_task(void *arg)
{
	unsigned long f;

	local_irq_save(f);
	kw_store(&in_cs, 1);
	kw_yield();
	kw_store(&in_cs, 0);
	local_irq_restore(f);
	kw_store(&x, 1);
}

static void irq_mask_handler(void *arg)
{
	kw_check(kw_load(&in_cs) == 0, "the IRQ ran inside an IRQs-off section");
}

KW_SCENARIO(st_irq_mask, .name = "selftest/irq-mask", .setup = reset,
	    .threads = { { "task", irq_mask_task, .on_cpu = KW_ON_CPU(0) },
			 { "irq", irq_mask_handler, .kind = KW_IRQ, .on_cpu = KW_ON_CPU(0) } })

static void same_cpu_writer(void *arg)
{
	kw_store(&x, 1);
	kw_store(&x, 2);
	kw_store(&x, 3);
}

static void same_cpu_irq(void *arg)
{
	r1 = kw_load(&x);
	kw_yield();
	r2 = kw_load(&x);
	kw_check(r1 == r2, "a task of the IRQ's CPU ran inside the handler (%d then %d)", r1, r2);
	kw_check(kw_in_irq() && irqs_disabled(), "not in IRQ context");
}

KW_SCENARIO(st_irq_cpu, .name = "selftest/irq-runs-to-completion", .setup = reset,
	    .threads = { { "task", same_cpu_writer, .on_cpu = KW_ON_CPU(0) },
			 { "irq", same_cpu_irq, .kind = KW_IRQ, .on_cpu = KW_ON_CPU(0) } })

KW_SCENARIO(st_irq_other_cpu, .name = "selftest/irq-other-cpu", .setup = reset,
	    .threads = { { "task", same_cpu_writer, .on_cpu = KW_ON_CPU(1) },
			 { "irq", same_cpu_irq, .kind = KW_IRQ, .on_cpu = KW_ON_CPU(0) } })

/* ---- a spinlock holder keeps its CPU ---- */
static void spin_holder(void *arg)
{
	spin_lock(&sl);
	kw_store(&in_cs, 1);
	kw_yield();
	kw_store(&in_cs, 0);
	spin_unlock(&sl);
}

static void same_cpu_reader(void *arg)
{
	kw_check(kw_load(&in_cs) == 0, "a task ran on a CPU whose task holds a spinlock");
}

KW_SCENARIO(st_spin_cpu, .name = "selftest/spin-keeps-cpu", .setup = reset,
	    .threads = { { "holder", spin_holder, .on_cpu = KW_ON_CPU(0) },
			 { "reader", same_cpu_reader, .on_cpu = KW_ON_CPU(0) } })

/* ---- lock misuse ---- */
static void lock_and_signal(void *arg)
{
	mutex_lock(&m);
	complete(&done);
	wait_for_completion(&done2);
}

static void unlock_other(void *arg)
{
	wait_for_completion(&done);
	mutex_unlock(&m);
	complete(&done2);
}

KW_SCENARIO(st_nonowner, .name = "selftest/non-owner-unlock", .setup = reset,
	    .threads = { { "owner", lock_and_signal }, { "other", unlock_other } })

static void aio_submit(void *arg)
{
	down_write(&sem);
	kw_store(&x, 1);
	kw_lock_release_handoff(&sem);
	kw_syscall_return();
	complete(&done);
}

static void aio_complete(void *arg)
{
	wait_for_completion(&done);
	kw_lock_acquire_handoff(&sem);
	kw_check(kw_load(&x) == 1, "hand-off lost the holder's store");
	up_write(&sem);
}

KW_SCENARIO(st_handoff, .name = "selftest/handoff", .setup = reset,
	    .threads = { { "submit", aio_submit }, { "complete", aio_complete } })

static void ret_with_lock(void *arg)
{
	mutex_lock(&m);
	kw_syscall_return();
	mutex_unlock(&m);
}

KW_SCENARIO(st_syscall, .name = "selftest/syscall-return-held", .setup = reset,
	    .threads = { { "task", ret_with_lock } })

static void exit_with_lock(void *arg)
{
	mutex_lock(&m);
}

KW_SCENARIO(st_exit_held, .name = "selftest/exit-held", .setup = reset, .threads = { { "task", exit_with_lock } })

static void spin_then_sleep(void *arg)
{
	spin_lock(&sl);
	mutex_lock(&m);
	mutex_unlock(&m);
	spin_unlock(&sl);
}

KW_SCENARIO(st_sleep_spin, .name = "selftest/sleep-under-spinlock", .setup = reset,
	    .threads = { { "task", spin_then_sleep } })

/* ---- virtual time ---- */
static void sleeper(void *arg)
{
	long left;

	set_current_state(TASK_UNINTERRUPTIBLE);
	left = schedule_timeout(10);
	kw_check(left == 0 && jiffies >= 10, "schedule_timeout(10) returned %ld at jiffies %llu", left,
		 (unsigned long long)jiffies);
}

KW_SCENARIO(st_timeout, .name = "selftest/timeout", .setup = reset, .threads = { { "sleeper", sleeper } })

/* ---- livelock and progress ---- */
static void spinner(void *arg)
{
	while (!kw_load(&flag))
		kw_yield();
}

KW_SCENARIO(st_livelock, .name = "selftest/livelock", .setup = reset, .max_steps = 1000,
	    .threads = { { "spinner", spinner } })

static void ten_steps(void *arg)
{
	for (int i = 0; i < 10; i++)
		kw_yield();
}

KW_SCENARIO(st_progress, .name = "selftest/progress", .setup = reset,
	    .threads = { { "slow", ten_steps, .max_own_steps = 5 } })

/* ---- rwsem ---- */
static void reader(void *arg)
{
	down_read(&sem);
	kw_fetch_add(&readers_in, 1);
	kw_check(!kw_load(&writer_in), "reader inside with a writer");
	kw_fetch_add(&readers_in, -1);
	up_read(&sem);
}

static void writer(void *arg)
{
	down_write(&sem);
	kw_store(&writer_in, 1);
	kw_check(!kw_load(&readers_in), "writer inside with readers");
	kw_store(&writer_in, 0);
	up_write(&sem);
}

KW_SCENARIO(st_rwsem, .name = "selftest/rwsem", .setup = reset,
	    .threads = { { "r1", reader }, { "w", writer }, { "r2", reader } })

/* ---- spawn and join ---- */
static void child(void *arg)
{
	x = 42;
}

static void parent(void *arg)
{
	struct kw_thread *c = kw_thread_run("child", child, NULL, KW_TASK, -1);

	kw_thread_join(c);
	kw_check(x == 42, "join did not order the child's write");
}

KW_SCENARIO(st_join, .name = "selftest/spawn-join", .setup = reset, .threads = { { "parent", parent } })

/* Sleep sets and a preemption bound (Coons et al. 2013): at bound 0, "T1 then T0" is one of
 * the two schedules, and its outcome (r1 = 1) is equivalent to "a1, b1, a2", which needs a
 * preemption. Plain sleep sets put T0 to sleep in T1's branch and lose it. */
static void coons_t0(void *arg)
{
	kw_store(&x, 1);
	r1 = kw_load(&y);
}

static void coons_t1(void *arg)
{
	kw_store(&y, 1);
}

static void coons_check(void)
{
	kw_outcome("r1=%d", r1);
}

KW_SCENARIO(st_coons, .name = "selftest/bounded-sleep-sets", .setup = reset, .check = coons_check,
	    .threads = { { "t0", coons_t0 }, { "t1", coons_t1 } })
