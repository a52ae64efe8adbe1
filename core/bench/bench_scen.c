// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scenarios the benchmarks (tools/bench) run. Each isolates one cost: a scheduling decision,
 * an instrumented plain access, a weak-model load, a basic block under the watchdog's count,
 * and a whole small test (the shape Relacy's users measure: one publisher, two consumers).
 */
#include <kweave/kernel.h>

#define BENCH_STEPS 1000

static int data, flag, sink;
static int arr[64];

static void reset(void)
{
	data = flag = sink = 0;
}

/* two threads yielding: every step a decision */
static void yielder(void *a)
{
	for (int i = 0; i < BENCH_STEPS; i++)
		kw_yield();
}
KW_SCENARIO(bench_yield, .name = "bench/yield", .about = "two threads, 1000 yields each", .setup = reset,
	    .threads = { { "a", yielder }, { "b", yielder } })

/* one thread, plain accesses only: the instrumentation's cost */
static void plain_loop(void *a)
{
	for (int i = 0; i < 64 * BENCH_STEPS; i++)
		arr[i & 63] += i;
}
KW_SCENARIO(bench_plain, .name = "bench/plain", .about = "64000 instrumented plain accesses", .setup = reset,
	    .threads = { { "t", plain_loop } })

/* weak-model loads: a writer leaves a history, a reader loads it over and over */
static void weak_writer(void *a)
{
	for (int i = 1; i <= 8; i++)
		WRITE_ONCE(data, i);
}
static void weak_reader(void *a)
{
	int s = 0;

	for (int i = 0; i < BENCH_STEPS; i++)
		s += READ_ONCE(data);
	sink = s;
}
KW_SCENARIO(bench_weak, .name = "bench/weak-loads", .about = "1000 weak-model loads against a history",
	    .setup = reset, .threads = { { "w", weak_writer }, { "r", weak_reader } })

/* Relacy's shape: publish data, release a flag; two consumers acquire it and check the data */
static void publisher(void *a)
{
	data = 1;
	smp_store_release(&flag, 1);
}
static void consumer(void *a)
{
	if (smp_load_acquire(&flag))
		kw_check(data == 1, "consumer saw stale data");
}
KW_SCENARIO(bench_mp3, .name = "bench/mp-3threads", .about = "publisher and two acquiring consumers",
	    .setup = reset, .threads = { { "pub", publisher }, { "c1", consumer }, { "c2", consumer } },
	    .expect = KW_EXPECT_CLEAN)

/* basic blocks only: one per iteration, no memory access (the watchdog's callback is the
 * only instrumentation that runs); tools/bench compares it with the same loop in the engine */
static void block_loop(void *a)
{
	unsigned long i;

	for (i = 0; i < 1000UL * BENCH_STEPS; i++)
		__asm__ volatile("" : "+r"(i));
	sink = (int)i;
}
KW_SCENARIO(bench_blocks, .name = "bench/blocks", .about = "one thread, 1000000 empty loop iterations",
	    .setup = reset, .threads = { { "t", block_loop } })
