// SPDX-License-Identifier: GPL-2.0-only
/*
 * Code under test that tries to escape the simulation (test_hardening drives these): loops
 * without a scheduling point, sleeps, exit() and its relatives, abort(), NULL dereferences
 * and stack overflows in threads, in setup and in the final check, absurd kmalloc sizes, an
 * engine limit, a system call that blocks. Each must end as a report with a replay.
 */
#include <kweave/kernel.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int plain_flag, marked_flag, sink;
static volatile int *volatile nowhere;
static uint64_t slept;
static volatile int depth_limit = 1 << 30;

static void reset(void)
{
	plain_flag = marked_flag = sink = 0;
	nowhere = NULL;
	slept = 0;
}

/* ---- loops that never reach a scheduling point ---- */
static void forever(void *arg)
{
	WRITE_ONCE(marked_flag, 1);
	for (;;) {} /* site:for-ever */
}
KW_SCENARIO(ft_forever, .name = "fault/for-ever", .setup = reset, .threads = { { "spinner", forever } })

/* while (!flag) {} on a plain int: the compiler reads it once and loops on a register */
static void hoisted_waiter(void *arg)
{
	while (!plain_flag) {} /* site:hoisted */
	sink = 1;
}
static void hoisted_setter(void *arg)
{
	WRITE_ONCE(marked_flag, 1);
	plain_flag = 1;
}
KW_SCENARIO(ft_hoisted, .name = "fault/hoisted-busy-wait", .setup = reset, .no_races = true,
	    .threads = { { "waiter", hoisted_waiter }, { "setter", hoisted_setter } })

static void setup_forever(void)
{
	reset();
	for (;;) {} /* site:setup-for-ever */
}
static void nop_thread(void *arg) { WRITE_ONCE(sink, 1); }
KW_SCENARIO(ft_setup_forever, .name = "fault/setup-for-ever", .setup = setup_forever,
	    .threads = { { "t", nop_thread } })

static void check_forever(void)
{
	while (READ_ONCE(sink) != 2) {} /* site:check-for-ever */
}
KW_SCENARIO(ft_check_forever, .name = "fault/check-for-ever", .setup = reset, .check = check_forever,
	    .threads = { { "t", nop_thread } })

/* ---- sleeping: the virtual clock ---- */
static void sleeper(void *arg)
{
	uint64_t t0 = jiffies;

	sleep(1000);
	slept = jiffies - t0;
	WRITE_ONCE(marked_flag, 1);
}
static uint64_t napped;
static void napper(void *arg)
{
	struct timespec ts = { 0, 2500000 }; /* 2.5 ms: 3 jiffies, rounded up */
	uint64_t t0 = jiffies;

	usleep(1500); /* 2 jiffies, rounded up */
	nanosleep(&ts, NULL);
	napped = jiffies - t0;
	WRITE_ONCE(sink, 1);
}
static void sleep_check(void)
{
	kw_outcome("slept=%llu napped=%llu flag=%d", (unsigned long long)slept, (unsigned long long)napped,
		   marked_flag);
	kw_check(slept == 1000000, "sleep(1000) took %llu jiffies, want 1000000", (unsigned long long)slept);
}
KW_SCENARIO(ft_sleep, .name = "fault/sleep", .setup = reset, .check = sleep_check,
	    .threads = { { "sleeper", sleeper }, { "napper", napper } })
static void irq_sleeper(void *arg) { usleep(10); }
KW_SCENARIO(ft_sleep_irq, .name = "fault/sleep-in-irq", .setup = reset,
	    .threads = { { "irq", irq_sleeper, .kind = KW_IRQ } })

/* ---- exit() and its relatives ---- */
static void exit3(void *arg)
{
	WRITE_ONCE(marked_flag, 1);
	exit(3); /* site:exit3 */
}
static void exit0(void *arg)
{
	WRITE_ONCE(marked_flag, 1);
	exit(0);
}
static void under_exit(void *arg)
{
	WRITE_ONCE(marked_flag, 1);
	_exit(4);
}
static void under_Exit(void *arg)
{
	WRITE_ONCE(marked_flag, 1);
	_Exit(5);
}
static void quick(void *arg)
{
	WRITE_ONCE(marked_flag, 1);
	quick_exit(6);
}
KW_SCENARIO(ft_exit_thread, .name = "fault/exit-in-thread", .setup = reset,
	    .threads = { { "other", nop_thread }, { "exiter", exit3 } })
KW_SCENARIO(ft_exit0_thread, .name = "fault/exit0-in-thread", .setup = reset,
	    .threads = { { "exiter", exit0 }, { "other", nop_thread } })
KW_SCENARIO(ft_under_exit, .name = "fault/_exit-in-thread", .setup = reset, .threads = { { "t", under_exit } })
KW_SCENARIO(ft_under_Exit, .name = "fault/_Exit-in-thread", .setup = reset, .threads = { { "t", under_Exit } })
KW_SCENARIO(ft_quick_exit, .name = "fault/quick_exit-in-thread", .setup = reset, .threads = { { "t", quick } })
static void exit_setup(void)
{
	reset();
	exit(3); /* site:exit-setup */
}
KW_SCENARIO(ft_exit_setup, .name = "fault/exit-in-setup", .setup = exit_setup, .threads = { { "t", nop_thread } })
static void exit_check(void) { exit(3); } /* site:exit-check */
KW_SCENARIO(ft_exit_check, .name = "fault/exit-in-check", .setup = reset, .check = exit_check,
	    .threads = { { "t", nop_thread } })
/* the exit comes from a thread another thread started (not the scenario's own) */
static void spawner(void *arg) { kw_thread_join(kw_thread_run("child", exit3, NULL, KW_TASK, -1)); }
KW_SCENARIO(ft_exit_child, .name = "fault/exit-in-spawned-thread", .setup = reset,
	    .threads = { { "parent", spawner } })

/* ---- abort() and fatal signals outside the threads ---- */
static void abort_setup(void)
{
	reset();
	abort(); /* site:abort-setup */
}
KW_SCENARIO(ft_abort_setup, .name = "fault/abort-in-setup", .setup = abort_setup, .threads = { { "t", nop_thread } })
static void abort_check(void) { abort(); } /* site:abort-check */
KW_SCENARIO(ft_abort_check, .name = "fault/abort-in-check", .setup = reset, .check = abort_check,
	    .threads = { { "t", nop_thread } })
static void null_setup(void)
{
	reset();
	*nowhere = 1; /* site:null-setup */
}
KW_SCENARIO(ft_null_setup, .name = "fault/null-in-setup", .setup = null_setup, .threads = { { "t", nop_thread } })
static void null_check(void) { sink = *nowhere; } /* site:null-check */
KW_SCENARIO(ft_null_check, .name = "fault/null-in-check", .setup = reset, .check = null_check,
	    .threads = { { "t", nop_thread } })
static void raise_thread(void *arg)
{
	WRITE_ONCE(marked_flag, 1);
	raise(SIGFPE);
}
KW_SCENARIO(ft_raise, .name = "fault/raise-in-thread", .setup = reset, .threads = { { "t", raise_thread } })

/* ---- stack overflows: in setup, and deep in the engine's hooks ---- */
static int __attribute__((noinline)) recurse(int n)
{
	volatile char pad[256];

	pad[0] = (char)n;
	return n < depth_limit ? recurse(n + 1) + pad[0] : 0;
}
static void overflow_setup(void)
{
	reset();
	sink = recurse(0);
}
KW_SCENARIO(ft_overflow_setup, .name = "fault/overflow-in-setup", .setup = overflow_setup,
	    .threads = { { "t", nop_thread } })
/* every level makes a marked access: the guard page is often hit inside an engine hook */
static int __attribute__((noinline)) recurse_marked(int n)
{
	volatile char pad[64];

	pad[0] = (char)READ_ONCE(sink);
	return n < depth_limit ? recurse_marked(n + 1) + pad[0] : 0;
}
static void overflow_in_hook(void *arg) { sink = recurse_marked(0); }
KW_SCENARIO(ft_overflow_hook, .name = "fault/overflow-through-hooks", .setup = reset,
	    .threads = { { "deep", overflow_in_hook } })

/* a frame far larger than the stack: probed page by page, it meets the guard page */
static void __attribute__((noinline)) huge_frame(void *arg)
{
	char big[16 << 20];
	unsigned at = (unsigned)depth_limit % sizeof(big); /* not a constant: the array stays */

	big[at] = (char)READ_ONCE(sink);
	__asm__ volatile("" : : "r"(big) : "memory"); /* the array escapes: it must exist */
	sink = big[at];
}
KW_SCENARIO(ft_huge_frame, .name = "fault/huge-frame", .setup = reset, .threads = { { "big", huge_frame } })

/* ---- the allocator's sizes ---- */
static void *volatile kept;
static void kmalloc_max(void *arg) { kept = kmalloc(SIZE_MAX, GFP_KERNEL); } /* site:kmalloc-max */
static void kmalloc_max16(void *arg) { kept = kmalloc(SIZE_MAX - 16, GFP_KERNEL); } /* site:kmalloc-max16 */
static void kmalloc_neg(void *arg)
{
	int n = -1;

	kept = kmalloc((size_t)n * sizeof(int), GFP_ATOMIC);
}
static void kfree_kept(void) { kfree(kept); }
KW_SCENARIO(ft_kmalloc_max, .name = "fault/kmalloc-size-max", .setup = reset, .check = kfree_kept,
	    .threads = { { "t", kmalloc_max } })
KW_SCENARIO(ft_kmalloc_max16, .name = "fault/kmalloc-size-max-16", .setup = reset, .check = kfree_kept,
	    .threads = { { "t", kmalloc_max16 } })
KW_SCENARIO(ft_kmalloc_neg, .name = "fault/kmalloc-negative", .setup = reset, .check = kfree_kept,
	    .threads = { { "t", kmalloc_neg } })
static void kmalloc_big_setup(void)
{
	reset();
	kept = kmalloc((size_t)1 << 40, GFP_KERNEL);
}
KW_SCENARIO(ft_kmalloc_setup, .name = "fault/kmalloc-huge-in-setup", .setup = kmalloc_big_setup,
	    .check = kfree_kept, .threads = { { "t", nop_thread } })

/* exactly the largest block, and one byte more */
static void kmalloc_limit(void *arg)
{
	char *p = kmalloc(4 << 20, GFP_KERNEL);

	WRITE_ONCE(p[(4 << 20) - 1], 1);
	kfree(p);
}
KW_SCENARIO(ft_kmalloc_limit, .name = "fault/kmalloc-4mib", .setup = reset, .threads = { { "t", kmalloc_limit } })
static void kmalloc_limit1(void *arg) { kept = kmalloc((4 << 20) + 1, GFP_KERNEL); } /* site:kmalloc-4mib+1 */
KW_SCENARIO(ft_kmalloc_limit1, .name = "fault/kmalloc-4mib-plus-1", .setup = reset, .check = kfree_kept,
	    .threads = { { "t", kmalloc_limit1 } })
/* blocks that each fit, until the simulated allocator's arena does not */
static void arena_filler(void *arg)
{
	for (int i = 0; i < 80; i++)
		kmalloc(4 << 20, GFP_KERNEL); /* site:arena */
}
KW_SCENARIO(ft_arena, .name = "fault/arena-full", .setup = reset, .threads = { { "t", arena_filler } })

/* a long run of short segments is no livelock: 200 x 2M blocks, a yield between */
static void long_busy(void *arg)
{
	for (int k = 0; k < 200; k++) {
		for (unsigned long i = 0; i < 2000000UL; i++)
			__asm__ volatile("" : "+r"(i));
		kw_yield();
	}
}
KW_SCENARIO(ft_long_busy, .name = "fault/long-busy-run", .setup = reset, .threads = { { "t", long_busy } })

/* ---- an engine limit: more threads than a run holds ---- */
static void many(void *arg)
{
	for (int i = 0; i < 20; i++)
		kw_thread_run("child", nop_thread, NULL, KW_TASK, -1); /* site:many */
}
KW_SCENARIO(ft_many, .name = "fault/too-many-threads", .setup = reset, .threads = { { "spawner", many } })

/* ---- a system call that blocks: only the wall-clock backstop ends it ---- */
static void blocker(void *arg)
{
	int p[2];
	char c;

	WRITE_ONCE(marked_flag, 1);
	if (pipe(p) == 0) {
		while (read(p[0], &c, 1) < 0) {
		}
	}
}
KW_SCENARIO(ft_block, .name = "fault/blocking-syscall", .setup = reset, .threads = { { "reader", blocker } })
/* a blocking call in a loop: every signal wakes it, and it blocks again */
static void pauser(void *arg)
{
	WRITE_ONCE(marked_flag, 1);
	for (;;)
		pause();
}
KW_SCENARIO(ft_pause, .name = "fault/pause-loop", .setup = reset, .threads = { { "pauser", pauser } })
/* a spin inside the C library: no block of the code under test runs while it spins */
static pthread_spinlock_t spin;
static void spinner(void *arg)
{
	WRITE_ONCE(marked_flag, 1);
	pthread_spin_init(&spin, 0);
	pthread_spin_lock(&spin);
	pthread_spin_lock(&spin);
}
KW_SCENARIO(ft_libspin, .name = "fault/library-spin", .setup = reset, .threads = { { "spinner", spinner } })

/* ---- names: a long one survives a replay's round trip; control bytes never reach a terminal ---- */
#define KW_LONG_NAME "fault/long-name-" \
	"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789" \
	"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
static void long_check(void) { kw_check(READ_ONCE(sink) == 2, "sink is %d", sink); }
KW_SCENARIO(ft_long_name, .name = KW_LONG_NAME, .setup = reset, .check = long_check, .threads = { { "t", nop_thread } })

static void ctl_thread(void *arg)
{
	WRITE_ONCE(sink, 1);
	kw_check(0, "a message with \033]0;TITLE\007 and \033[2J in it");
}
KW_SCENARIO(ft_ctl, .name = "fault/control-bytes", .setup = reset, .threads = { { "t\033[31m", ctl_thread } })
