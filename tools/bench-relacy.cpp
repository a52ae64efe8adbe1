// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench-relacy.cpp - the peer measurement for tools/bench: the Relacy-shaped test
 * (core/bench/bench_scen.c, bench/mp-3threads: a publisher writes data and releases a flag,
 * two consumers acquire the flag and check the data) written for Relacy and run with its
 * random scheduler. Built by tools/bench only when RELACY_DIR names a Relacy checkout; never
 * part of kweave's build.
 *
 *   bench-relacy ITERATIONS   prints "ITERATIONS SECONDS" (wall time of the simulation)
 */
#include <relacy/relacy_std.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>

struct mp3_test : rl::test_suite<mp3_test, 3> {
	std::atomic<int> flag;
	rl::var<int> data;

	void before()
	{
		flag($).store(0, std::memory_order_relaxed);
		data($) = 0;
	}

	void thread(unsigned idx)
	{
		if (idx == 0) {
			data($) = 1;
			flag($).store(1, std::memory_order_release);
		} else if (flag($).load(std::memory_order_acquire)) {
			RL_ASSERT(data($) == 1);
		}
	}
};

int main(int argc, char **argv)
{
	std::ostringstream quiet;
	rl::test_params p;
	unsigned long n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1000000;

	p.iteration_count = n;
	p.search_type = rl::random_scheduler_type;
	p.output_stream = &quiet;
	p.progress_stream = &quiet;
	auto t0 = std::chrono::steady_clock::now();
	bool ok = rl::simulate<mp3_test>(p);
	auto t1 = std::chrono::steady_clock::now();
	std::printf("%lu %.6f\n", n, std::chrono::duration<double>(t1 - t0).count());
	return ok ? 0 : 1;
}
