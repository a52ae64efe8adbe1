// SPDX-License-Identifier: GPL-2.0-only
/*
 * wraps.c - the C library calls the link redirects into the engine (-Wl,--wrap=NAME, see
 * KW_WRAP_FLAGS in CMakeLists.txt): exit(), _exit(), _Exit(), quick_exit() and abort() from
 * code under test end the run, not the process (escape.c); sleep(), usleep(), nanosleep()
 * and clock_nanosleep() sleep on the virtual clock.
 *
 * Invariants:
 *  - outside a run, on another OS thread than the simulation's (a fuzzer's helper thread
 *    sleeps too), and when the caller is not code under test (the engine, a library), every
 *    wrapper is exactly the C library's call;
 *  - a sleep in a simulated thread is a sleep until the virtual clock reaches its deadline
 *    (one jiffy per millisecond): other threads run meanwhile, and when every thread is
 *    asleep time jumps to the earliest deadline; it is a sleeping call, so in atomic context
 *    it is reported as one. In the setup or the final check the clock just moves on.
 *
 * This file is only linked into programs whose link wraps these names: nothing else refers
 * to its symbols, so a program linked without the wraps never needs the __real_ names.
 */
#define _GNU_SOURCE
#include "kernel/kernel_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define KW_SLEEP_HZ 1000u	/* jiffies per second of a sleep() */

void __real_exit(int status) __attribute__((noreturn));
void __real__exit(int status) __attribute__((noreturn));
void __real__Exit(int status) __attribute__((noreturn));
void __real_quick_exit(int status) __attribute__((noreturn));
void __real_abort(void) __attribute__((noreturn));
unsigned int __real_sleep(unsigned int secs);
int __real_usleep(useconds_t us);
int __real_nanosleep(const struct timespec *req, struct timespec *rem);
int __real_clock_nanosleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem);

__attribute__((noreturn)) void __wrap_exit(int status)
{
	kw_escape_exit("exit", status, KW_RET_PC);
	__real_exit(status);
}

__attribute__((noreturn)) void __wrap__exit(int status)
{
	kw_escape_exit("_exit", status, KW_RET_PC);
	__real__exit(status);
}

__attribute__((noreturn)) void __wrap__Exit(int status)
{
	kw_escape_exit("_Exit", status, KW_RET_PC);
	__real__Exit(status);
}

__attribute__((noreturn)) void __wrap_quick_exit(int status)
{
	kw_escape_exit("quick_exit", status, KW_RET_PC);
	__real_quick_exit(status);
}

__attribute__((noreturn)) void __wrap_abort(void)
{
	kw_escape_abort(KW_RET_PC);
	__real_abort();
}

/* ---- sleeping on the virtual clock -------------------------------------------------------- */

/* Returns false when the call is not the simulation's (the caller then really sleeps). */
static bool kw_virtual_sleep(uint64_t ns, uintptr_t pc, const char *what)
{
	struct kw_sim *s = kw_S;
	struct kw_thread *t;
	uint64_t ticks, until;

	if (!s || !s->in_run || !kw_sim_thread || kw_pc_owner(pc) != KW_PC_USER)
		return false;
	ticks = ns / (1000000000u / KW_SLEEP_HZ) + (ns % (1000000000u / KW_SLEEP_HZ) != 0);
	until = s->jiffies + ticks < s->jiffies ? UINT64_MAX : s->jiffies + ticks;
	t = s->cur;
	if (!t) {
		s->jiffies = until; /* setup or final check: nobody else runs */
		return true;
	}
	kw_check_may_sleep(s, t, what, pc);
	if (!ticks) {
		kw_point(s, KW_OP_YIELD, NULL, 0, 0, NULL, pc);
	} else {
		while (s->jiffies < until) {
			t->task_state = KW_TASK_UNINTERRUPTIBLE;
			t->deadline = until;
			kw_point(s, KW_OP_SCHEDULE, NULL, 0, ticks, NULL, pc);
		}
		t->deadline = 0;
		t->task_state = KW_TASK_RUNNING;
	}
	kw_trace_event(s, t, KW_OP_SCHEDULE, NULL, 0, ticks, 0, pc, what);
	return true;
}

unsigned int __wrap_sleep(unsigned int secs)
{
	if (kw_virtual_sleep((uint64_t)secs * 1000000000u, KW_RET_PC, "sleep"))
		return 0;
	return __real_sleep(secs);
}

int __wrap_usleep(useconds_t us)
{
	if (kw_virtual_sleep((uint64_t)us * 1000u, KW_RET_PC, "usleep"))
		return 0;
	return __real_usleep(us);
}

static bool kw_timespec_ok(const struct timespec *ts)
{
	return ts && ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000;
}

static uint64_t kw_timespec_ns(const struct timespec *ts)
{
	uint64_t sec = (uint64_t)ts->tv_sec;

	if (sec > UINT64_MAX / 1000000000u - 1)
		return UINT64_MAX;
	return sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

int __wrap_nanosleep(const struct timespec *req, struct timespec *rem)
{
	struct kw_sim *s = kw_S;

	if (s && s->in_run && kw_sim_thread && kw_pc_owner(KW_RET_PC) == KW_PC_USER && !kw_timespec_ok(req)) {
		errno = EINVAL;
		return -1;
	}
	if (s && s->in_run && kw_virtual_sleep(kw_timespec_ns(req), KW_RET_PC, "nanosleep")) {
		if (rem)
			rem->tv_sec = rem->tv_nsec = 0;
		return 0;
	}
	return __real_nanosleep(req, rem);
}

int __wrap_clock_nanosleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem)
{
	struct kw_sim *s = kw_S;
	uint64_t ns;

	if (!s || !s->in_run || !kw_sim_thread || kw_pc_owner(KW_RET_PC) != KW_PC_USER)
		return __real_clock_nanosleep(clk, flags, req, rem);
	if (!kw_timespec_ok(req))
		return EINVAL;
	ns = kw_timespec_ns(req);
	if (flags & TIMER_ABSTIME) {
		/* an absolute deadline on the virtual clock, which starts at 0 with each run */
		uint64_t now = s->jiffies * (1000000000u / KW_SLEEP_HZ);

		ns = ns > now ? ns - now : 0;
	}
	kw_virtual_sleep(ns, KW_RET_PC, "clock_nanosleep");
	if (rem && !(flags & TIMER_ABSTIME))
		rem->tv_sec = rem->tv_nsec = 0;
	return 0;
}
