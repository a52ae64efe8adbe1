// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scenarios compiled by gcc 12 with -fsanitize=thread (gcc's instrumentation calls other
 * entry points than clang's: compare_exchange_strong instead of compare_exchange_val, and
 * __tsan_func_entry/exit always). test_gcc checks that kweave's runtime answers them.
 */
#include <kweave/kernel.h>

static long p;
static int n, data, flag;

static void reset(void)
{
	p = 0;
	n = data = flag = 0;
}

static void racer(void *a) { n++; }
KW_SCENARIO(gcc_racy, .name = "gcc/racy", .setup = reset, .threads = { { "a", racer }, { "b", racer } })

static void caser(void *a)
{
	long old = cmpxchg(&p, 0L, (long)a);

	if (old)
		kw_check(old != (long)a, "two winners");
}
static void cas_check(void) { kw_outcome("p=%ld", p); }
KW_SCENARIO(gcc_cas, .name = "gcc/cmpxchg", .setup = reset, .check = cas_check,
	    .threads = { { "a", caser, (void *)1L }, { "b", caser, (void *)2L } })

static void pub(void *a) { data = 42; smp_store_release(&flag, 1); }
static void sub(void *a)
{
	if (smp_load_acquire(&flag))
		kw_check(data == 42, "stale data %d", data);
}
KW_SCENARIO(gcc_mp, .name = "gcc/mp-acqrel", .setup = reset, .threads = { { "pub", pub }, { "sub", sub } })

static void pub_relaxed(void *a) { WRITE_ONCE(data, 42); WRITE_ONCE(flag, 1); }
static void sub_relaxed(void *a)
{
	if (READ_ONCE(flag))
		kw_check(READ_ONCE(data) == 42, "stale data");
}
KW_SCENARIO(gcc_mp_relaxed, .name = "gcc/mp-relaxed", .setup = reset,
	    .threads = { { "pub", pub_relaxed }, { "sub", sub_relaxed } })
