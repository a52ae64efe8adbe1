// SPDX-License-Identifier: GPL-2.0-only
/*
 * api/context-*: softirq context, preemption and per-CPU data.
 *
 *  - A lock that a tasklet takes (softirq context) and a task takes with plain spin_lock()
 *    on the same CPU: the tasklet can arrive while the task holds it and spin forever (bug:
 *    a deadlock, found by search); lockdep's rule says so on any run where both usages
 *    happen (bug, predictive: "softirq-unsafe-lock"); spin_lock_bh() is right (clean).
 *  - __this_cpu_inc() in a task is a load and a store: a timer on that CPU incrementing the
 *    same counter between them loses an update (bug); local_bh_disable() around it, or
 *    this_cpu_inc(), keeps it (clean).
 *  - A task that sleeps with preemption disabled is reported (bug, when it meets the path
 *    that makes it sleep).
 *  - del_timer() does not wait for a running handler: freeing the timer's object after it
 *    is a use after free (bug); del_timer_sync() waits (clean).
 */
#include <kweave/kernel.h>

static DEFINE_SPINLOCK(stats_lock);
static int stats;
static struct tasklet_struct stats_tasklet;

static void stats_tasklet_fn(struct tasklet_struct *t)
{
	spin_lock(&stats_lock); /* softirq context: bottom halves are off already */
	stats++;
	spin_unlock(&stats_lock);
}

static void stats_setup(void)
{
	stats = 0;
	tasklet_setup(&stats_tasklet, stats_tasklet_fn);
}

static void stats_task_no_bh(void *arg)
{
	tasklet_schedule(&stats_tasklet); /* runs on this CPU, in softirq context */
	spin_lock(&stats_lock);		  /* bottom halves on: the tasklet may interrupt us here */
	stats++;
	spin_unlock(&stats_lock);
}

static void stats_task_bh(void *arg)
{
	tasklet_schedule(&stats_tasklet);
	spin_lock_bh(&stats_lock); /* no softirq on this CPU while we hold it */
	stats++;
	spin_unlock_bh(&stats_lock);
}

static void stats_check(void)
{
	kw_check(stats == 2, "stats is %d", stats);
}

KW_SCENARIO(api_context_softirq_deadlock,
	.name = "api/context-softirq-lock-without-bh",
	.about = "a task takes with spin_lock() a lock its CPU's tasklet takes: the tasklet spins on it",
	.setup = stats_setup,
	.threads = { { "task", stats_task_no_bh, .on_cpu = KW_ON_CPU(0) } },
	.check = stats_check,
	.no_lockdep = true, /* the concrete deadlock, not lockdep's prediction (next scenario) */
	.expect = KW_EXPECT_BUG,
	.expect_check = "deadlock")

KW_SCENARIO(api_context_softirq_unsafe,
	.name = "api/context-softirq-unsafe-lock",
	.about = "lockdep: a lock taken in softirq context and with softirqs enabled in a task",
	.setup = stats_setup,
	.threads = { { "task", stats_task_no_bh, .on_cpu = KW_ON_CPU(0) } },
	.check = stats_check,
	.expect = KW_EXPECT_BUG,
	.expect_check = "softirq-unsafe-lock",
	.why = "lockdep's rule is predictive: any run in which the tasklet and the task both take the lock breaks it, the non-preemptive one included")

KW_SCENARIO(api_context_spin_lock_bh,
	.name = "api/context-spin-lock-bh",
	.about = "spin_lock_bh() in the task: the tasklet runs before or after, never inside",
	.setup = stats_setup,
	.threads = { { "task", stats_task_bh, .on_cpu = KW_ON_CPU(0) } },
	.check = stats_check,
	.expect = KW_EXPECT_CLEAN)

/* ---- per-CPU counters against a timer on the same CPU ---------------------------------------- */

static DEFINE_PER_CPU(int, hits);
static struct timer_list hit_timer;

static void hit_timer_fn(struct timer_list *t)
{
	this_cpu_inc(hits); /* softirq context on the arming CPU */
}

static void hits_setup(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		per_cpu(hits, cpu) = 0;
	timer_setup(&hit_timer, hit_timer_fn, 0);
}

static void hits_task_racy(void *arg)
{
	mod_timer(&hit_timer, jiffies + 1);
	__this_cpu_inc(hits); /* a load and a store: the timer can fire in between */
}

static void hits_task_bh(void *arg)
{
	mod_timer(&hit_timer, jiffies + 1);
	local_bh_disable(); /* no softirq on this CPU until local_bh_enable() */
	__this_cpu_inc(hits);
	local_bh_enable();
}

static void hits_check(void)
{
	int cpu, sum = 0;

	for_each_possible_cpu(cpu)
		sum += per_cpu(hits, cpu);
	kw_check(sum == 2, "per-CPU hits sum to %d, want 2", sum);
}

KW_SCENARIO(api_context_this_cpu_racy,
	.name = "api/context-this-cpu-vs-timer",
	.about = "__this_cpu_inc() in a task, this_cpu_inc() in its CPU's timer: an update is lost",
	.setup = hits_setup,
	.threads = { { "task", hits_task_racy, .on_cpu = KW_ON_CPU(0) } },
	.check = hits_check,
	.expect = KW_EXPECT_BUG,
	.expect_check = "final-check")

KW_SCENARIO(api_context_this_cpu_bh,
	.name = "api/context-this-cpu-bh-off",
	.about = "__this_cpu_inc() with bottom halves disabled: the timer cannot come between",
	.setup = hits_setup,
	.threads = { { "task", hits_task_bh, .on_cpu = KW_ON_CPU(0) } },
	.check = hits_check,
	.expect = KW_EXPECT_CLEAN)

/* ---- sleeping with preemption disabled ---------------------------------------------------------- */

static int cfg_busy;
static DEFINE_PER_CPU(int, cfg_cache);

static void cfg_setup(void)
{
	cfg_busy = 0;
}

static void cfg_user(void *arg)
{
	preempt_disable();
	if (READ_ONCE(cfg_busy))
		msleep(1); /* sleeping with preemption off */
	this_cpu_write(cfg_cache, 1);
	preempt_enable();
}

static void cfg_updater(void *arg)
{
	WRITE_ONCE(cfg_busy, 1);
	WRITE_ONCE(cfg_busy, 0);
}

KW_SCENARIO(api_context_sleep_preempt_off,
	.name = "api/context-sleep-preempt-off",
	.about = "a task sleeps between preempt_disable() and preempt_enable()",
	.setup = cfg_setup,
	.threads = { { "updater", cfg_updater }, { "user", cfg_user } },
	.expect = KW_EXPECT_BUG,
	.expect_check = "sleep-in-atomic")

/* ---- del_timer() vs del_timer_sync() before freeing ------------------------------------------------ */

struct conn {
	struct timer_list timer;
	spinlock_t lock;
	int timeouts;
};

static struct conn *conn;
static DECLARE_COMPLETION(conn_armed);

static void conn_timeout(struct timer_list *t)
{
	struct conn *c = from_timer(c, t, timer);

	spin_lock(&c->lock);
	c->timeouts++;
	spin_unlock(&c->lock);
}

static void conn_setup(void)
{
	conn = kzalloc(sizeof(*conn), GFP_KERNEL);
	timer_setup(&conn->timer, conn_timeout, 0);
	init_completion(&conn_armed);
}

static void conn_user(void *arg)
{
	mod_timer(&conn->timer, jiffies + 10);
	complete(&conn_armed);
}

static void conn_close_racy(void *arg)
{
	struct conn *c = conn;

	wait_for_completion(&conn_armed); /* no new arming after this */
	del_timer(&c->timer); /* a handler already running goes on */
	kfree(c);
}

static void conn_close(void *arg)
{
	struct conn *c = conn;

	wait_for_completion(&conn_armed);
	del_timer_sync(&c->timer); /* waits for a running handler */
	kfree(c);
}

KW_SCENARIO(api_context_del_timer_free,
	.name = "api/context-del-timer-then-free",
	.about = "del_timer() then kfree(): the handler may still be running",
	.setup = conn_setup,
	.threads = { { "user", conn_user, .on_cpu = KW_ON_CPU(0) }, { "close", conn_close_racy, .on_cpu = KW_ON_CPU(1) } },
	.expect = KW_EXPECT_BUG,
	.expect_check = "use-after-free")

KW_SCENARIO(api_context_del_timer_sync,
	.name = "api/context-del-timer-sync",
	.about = "del_timer_sync() then kfree()",
	.setup = conn_setup,
	.threads = { { "user", conn_user, .on_cpu = KW_ON_CPU(0) }, { "close", conn_close, .on_cpu = KW_ON_CPU(1) } },
	.expect = KW_EXPECT_CLEAN)
