// SPDX-License-Identifier: GPL-2.0-only
/* Scenarios for the instrumentation, allocator, race-detector and memory-model suites. */
#include <kweave/kernel.h>
#include <string.h>

static int a, b, flag, seen;
static char buf[32];
static int *obj;
static DEFINE_PER_CPU(int, pcount);
static struct kw_thread *irq;

static void reset(void)
{
	int cpu;

	a = b = flag = seen = 0;
	memset(buf, 0, sizeof(buf));
	obj = NULL;
	for_each_possible_cpu(cpu)
		per_cpu(pcount, cpu) = 0;
}

/* data_race() silences a benign race */
static void dr_writer(void *x) { a = 1; }
static void dr_reader(void *x) { seen = data_race(a); }
KW_SCENARIO(st_data_race, .name = "selftest/data-race-annotated", .setup = reset,
	    .threads = { { "w", dr_writer }, { "r", dr_reader } })
static void plain_reader(void *x) { seen = a; }
KW_SCENARIO(st_plain_race, .name = "selftest/plain-race", .setup = reset,
	    .threads = { { "w", dr_writer }, { "r", plain_reader } })

/* memcpy/memset reach the checkers */
static void copier(void *x)
{
	/* the length is not a constant: a real memcpy call, which the link wraps */
	memcpy(buf, "0123456789", 10 + (size_t)(uintptr_t)x);
}
static void out_buf(void) { kw_outcome("%s", buf); }
KW_SCENARIO(st_memcpy, .name = "selftest/memcpy-race", .setup = reset, .check = out_buf,
	    .threads = { { "c1", copier }, { "c2", copier } })

static void free_then_memset(void *x)
{
	int *p = kmalloc(16, GFP_KERNEL);

	kfree(p);
	memset(p, 0, 16);
}
KW_SCENARIO(st_memset_uaf, .name = "selftest/memset-after-free", .setup = reset,
	    .threads = { { "t", free_then_memset } })

static void double_free(void *x)
{
	int *p = kmalloc(16, GFP_KERNEL);

	kfree(p);
	kfree(p);
}
KW_SCENARIO(st_double_free, .name = "selftest/double-free", .setup = reset, .threads = { { "t", double_free } })

static void overflow_write(void *x)
{
	char *p = kmalloc(10, GFP_KERNEL);

	p[12] = 1;
	kfree(p);
}
KW_SCENARIO(st_oob, .name = "selftest/out-of-bounds", .setup = reset, .threads = { { "t", overflow_write } })

/* a blocking allocation in IRQ context sleeps */
static void irq_alloc(void *x) { kfree(kmalloc(8, GFP_KERNEL)); }
static void irq_alloc_atomic(void *x) { kfree(kmalloc(8, GFP_ATOMIC)); }
KW_SCENARIO(st_gfp_irq, .name = "selftest/gfp-kernel-in-irq", .setup = reset,
	    .threads = { { "irq", irq_alloc, .kind = KW_IRQ } })
KW_SCENARIO(st_gfp_atomic, .name = "selftest/gfp-atomic-in-irq", .setup = reset,
	    .threads = { { "irq", irq_alloc_atomic, .kind = KW_IRQ } })

/* per-CPU counters: __this_cpu_inc() interrupted on its CPU loses an update (bug 4a) */
static void pc_irq(void *x) { this_cpu_inc(pcount); }
static void pc_task_racy(void *x) { __this_cpu_inc(pcount); }
static void pc_task_fixed(void *x) { this_cpu_inc(pcount); }
static void pc_setup(void)
{
	reset();
	irq = kw_irq_create("end_io", pc_irq, NULL, 0);
	kw_irq_raise(irq);
}
static void pc_check(void)
{
	int sum = 0, cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(pcount, cpu);
	kw_outcome("sum=%d", sum);
	kw_check(sum == 2, "per-CPU sum is %d, want 2", sum);
}
KW_SCENARIO(st_percpu_racy, .name = "selftest/percpu-irq-racy", .setup = pc_setup, .check = pc_check,
	    .threads = { { "task", pc_task_racy, .on_cpu = KW_ON_CPU(0) } })
KW_SCENARIO(st_percpu_fixed, .name = "selftest/percpu-irq-fixed", .setup = pc_setup, .check = pc_check,
	    .threads = { { "task", pc_task_fixed, .on_cpu = KW_ON_CPU(0) } })

/* recognised waits: cpu_relax() and smp_cond_load_acquire() keep dfs finite */
static void spin_waiter(void *x)
{
	while (!READ_ONCE(flag))
		cpu_relax();
	seen = READ_ONCE(a);
}
static void cond_waiter(void *x)
{
	smp_cond_load_acquire(&flag, VAL != 0);
	seen = READ_ONCE(a);
}
static void setter(void *x)
{
	WRITE_ONCE(a, 1);
	smp_store_release(&flag, 1);
}
static void out_seen(void) { kw_outcome("seen=%d", seen); }
KW_SCENARIO(st_spin, .name = "selftest/cpu-relax-wait", .setup = reset, .check = out_seen,
	    .threads = { { "waiter", spin_waiter }, { "setter", setter } })
KW_SCENARIO(st_cond, .name = "selftest/cond-load-wait", .setup = reset, .check = out_seen,
	    .threads = { { "waiter", cond_waiter }, { "setter", setter } })
KW_SCENARIO(st_spin_forever, .name = "selftest/cpu-relax-forever", .setup = reset, .check = out_seen,
	    .threads = { { "waiter", spin_waiter } })

/* same-CPU program order: an IRQ sees what its CPU's task stored, and the task the IRQ's */
static void po_task(void *x)
{
	WRITE_ONCE(a, 1);
	kw_irq_raise(irq);
	WRITE_ONCE(b, 2);
	seen = READ_ONCE(flag);
}
static void po_irq(void *x)
{
	kw_check(READ_ONCE(a) == 1, "the IRQ missed its own CPU's earlier store");
	WRITE_ONCE(flag, 1);
}
static void po_setup(void)
{
	reset();
	irq = kw_irq_create("irq", po_irq, NULL, 0);
}
static void po_check(void)
{
	kw_outcome("seen=%d", seen);
}
KW_SCENARIO(st_irq_po, .name = "selftest/irq-program-order", .setup = po_setup, .check = po_check,
	    .threads = { { "task", po_task, .on_cpu = KW_ON_CPU(0) } })
