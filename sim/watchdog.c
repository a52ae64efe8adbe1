// SPDX-License-Identifier: GPL-2.0-only
/*
 * watchdog.c - code under test that stops making scheduling points.
 *
 * Invariants:
 *  - Every basic block of the code under test calls __sanitizer_cov_trace_pc (compiled with
 *    -fsanitize-coverage=trace-pc,no-prune; the link wraps the name to
 *    __wrap___sanitizer_cov_trace_pc). The callback counts kw_wd_left down; kw_wd_refill()
 *    sets it back to KW_EDGE_BUDGET at every scheduling point, thread start, and before the
 *    setup and the final check. Reaching zero inside a run is a "livelock" report at the
 *    block that made the call (the loop), in whatever context runs it. The count is a pure
 *    function of the code and the decisions: a replay stops at the same block.
 *  - Outside a run, an exhausted count is only refilled.
 *  - The wall-clock backstop is the one place the engine looks at time during a run, and it
 *    decides nothing but "this run is stuck": while a simulation exists, a once-a-second
 *    timer signal (to the simulation's thread) looks at what changed since the previous
 *    tick. A tick is "stuck" when no scheduling point began a segment (kw_wd_seg) and the
 *    thread either ran no block of the code under test (kw_wd_left: blocked in a system call,
 *    or spinning in a library) or used almost no CPU time (a blocking call in a loop, woken
 *    by the tick itself). KW_BACKSTOP_SECONDS stuck ticks in a row end the run with a
 *    "timeout" report that names itself as the backstop. Code that computes - the code under
 *    test looping (the deterministic watchdog's case), the engine working for it (a 4 MiB
 *    kmalloc's fill on a loaded machine) - is never stuck.
 */
#define _GNU_SOURCE
#include "kw_internal.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

uint64_t kw_wd_left = KW_EDGE_BUDGET;
uint64_t kw_wd_seg;

static __attribute__((noinline, cold)) void kw_wd_exhausted(uintptr_t pc)
{
	struct kw_sim *s = kw_S;
	char who[96];

	kw_wd_left = KW_EDGE_BUDGET;
	if (!s || !s->in_run || !kw_sim_thread)
		return;
	kw_report_set(s, "livelock", pc,
		      "%llu basic blocks without a scheduling point in %s: a loop that never reaches a marked "
		      "access, a lock or a wait (a busy-wait on a plain variable, for (;;) {})",
		      (unsigned long long)KW_EDGE_BUDGET, kw_context_label(s, who, sizeof(who)));
	kw_fail_now(s);
}

/* The code under test's per-block callback (the link wraps the sanitizer's name to this). */
void __wrap___sanitizer_cov_trace_pc(void)
{
	if (__builtin_expect(--kw_wd_left == 0, 0))
		kw_wd_exhausted(KW_RET_PC);
}

/* A program linked without the wrap still gets the watchdog; a runtime that defines the
 * callback itself (libFuzzer) wins, and the wrap keeps the code under test on ours. */
__attribute__((weak)) void __sanitizer_cov_trace_pc(void)
{
	if (__builtin_expect(--kw_wd_left == 0, 0))
		kw_wd_exhausted(KW_RET_PC);
}

/* ---- the wall-clock backstop ------------------------------------------------------------ */

static struct {
	int refs;		/* simulations alive */
	bool armed;		/* the timer exists in this process */
	bool atfork;		/* the fork handler is registered */
	timer_t timer;
	unsigned seconds;	/* KWEAVE_BACKSTOP_SECONDS, default KW_BACKSTOP_SECONDS; 0: off */
	uint64_t last_seg;	/* kw_wd_seg at the previous tick */
	uint64_t last_left;	/* kw_wd_left at the previous tick */
	double last_cpu;	/* the thread's CPU time at the previous tick */
	unsigned still;		/* stuck ticks in a row */
} kw_bs;

static double kw_thread_cpu(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts))
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#define KW_BACKSTOP_SIG (SIGRTMIN + 4)

static void kw_backstop_tick(int sig, siginfo_t *si, void *ucv)
{
	struct kw_sim *s = kw_S;
	int saved = errno;
	char who[96];

	(void)sig;
	(void)si;
	(void)ucv;
	if (!kw_sim_thread) {
		errno = saved;
		return; /* the timer targets the simulation's thread; anything else is not ours */
	}
	{
		double cpu = kw_thread_cpu();
		bool ran = kw_wd_left != kw_bs.last_left, busy = cpu - kw_bs.last_cpu >= 0.1;
		bool stuck = s && s->in_run && kw_wd_seg == kw_bs.last_seg && (!ran || !busy);

		kw_bs.last_seg = kw_wd_seg;
		kw_bs.last_left = kw_wd_left;
		kw_bs.last_cpu = cpu;
		if (!stuck)
			kw_bs.still = 0;
		if (!stuck || ++kw_bs.still < kw_bs.seconds) {
			errno = saved;
			return;
		}
	}
	kw_bs.still = 0;
	kw_report_set(s, "timeout", kw_user_site(KW_RET_PC),
		      "no scheduling point for %u s of wall-clock time in %s, and no progress in between "
		      "(blocked in a system call, or spinning outside the instrumented code): stopped by "
		      "the wall-clock backstop, not by the deterministic watchdog; a replay may stop "
		      "elsewhere", kw_bs.seconds,
		      kw_context_label(s, who, sizeof(who)));
	kw_escape_unwind(s);
}

static void kw_backstop_forked(void)
{
	/* timers are not inherited: the child arms its own when it runs */
	kw_bs.armed = false;
}

static void kw_backstop_arm(void)
{
	struct sigevent ev;
	struct sigaction sa;
	struct itimerspec it = { { 1, 0 }, { 1, 0 } };
	const char *env = getenv("KWEAVE_BACKSTOP_SECONDS");

	kw_bs.seconds = KW_BACKSTOP_SECONDS;
	if (env && *env) {
		char *e;
		unsigned long v = strtoul(env, &e, 10);

		if (!*e && v <= 86400)
			kw_bs.seconds = (unsigned)v;
	}
	kw_bs.armed = true; /* even when off or failing: try once per process */
	if (!kw_bs.seconds)
		return;
	if (!kw_bs.atfork) {
		pthread_atfork(NULL, NULL, kw_backstop_forked);
		kw_bs.atfork = true;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = kw_backstop_tick;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(KW_BACKSTOP_SIG, &sa, NULL);
	memset(&ev, 0, sizeof(ev));
	/* to this thread (the simulation's), not to whichever thread of the process */
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = KW_BACKSTOP_SIG;
	ev._sigev_un._tid = gettid();
	if (timer_create(CLOCK_MONOTONIC, &ev, &kw_bs.timer)) {
		kw_bs.seconds = 0;
		return;
	}
	kw_bs.last_seg = kw_wd_seg;
	kw_bs.last_left = kw_wd_left;
	kw_bs.last_cpu = kw_thread_cpu();
	kw_bs.still = 0;
	timer_settime(kw_bs.timer, 0, &it, NULL);
}

void kw_backstop_hold(void)
{
	kw_bs.refs++;
}

void kw_backstop_release(void)
{
	if (kw_bs.refs > 0 && --kw_bs.refs == 0 && kw_bs.armed) {
		if (kw_bs.seconds)
			timer_delete(kw_bs.timer);
		kw_bs.armed = false;
	}
}

/* Called as a run begins: the timer ticks while simulations exist. */
void kw_backstop_run(void)
{
	if (!kw_bs.armed && kw_bs.refs)
		kw_backstop_arm();
}
