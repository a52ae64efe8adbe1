// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz/once_init.c - the once-init fuzz target: one source for libFuzzer
 * (clang -fsanitize=fuzzer) and AFL++ (afl-clang-fast -fsanitize=fuzzer, libAFLDriver).
 *
 * The input picks a once-init variant and its parameters (a 3-byte header, sim/fuzzinput.c)
 * and the rest are scheduling decisions; every input is valid. A failing run prints kweave's
 * report and aborts, so the fuzzer saves the input; `kweave replay --from-input FILE` turns
 * it into a replay with the same verdict.
 *
 * Feedback: edge coverage, plus interleaving coverage - hashed (preempted site, next site)
 * pairs and (store site, load site) reads-from pairs - into libFuzzer's extra counters and,
 * under AFL++, its shared map.
 */
#define _GNU_SOURCE
#include "replay.h"

#include <dlfcn.h>
#include <stdlib.h>


#define KW_COV 2048
__attribute__((used, section("__libfuzzer_extra_counters"))) static uint8_t kw_counters[KW_COV];
/* AFL++'s shared map and its size, looked up at run time (afl-clang-fast's pass owns the
 * symbols; the map is sized to the instrumented edges, so stay inside it) */
static unsigned char **kw_afl_map;
static unsigned int *kw_afl_map_size;

static void kw_fuzz_cov(uintptr_t a, uintptr_t b)
{
	uint64_t h = (a * 0x9E3779B97F4A7C15ull) ^ (b * 0xC2B2AE3D27D4EB4Full);
	unsigned i = (unsigned)(h >> 40);

	if (kw_counters[i % KW_COV] < 255)
		kw_counters[i % KW_COV]++;
	if (kw_afl_map && *kw_afl_map && kw_afl_map_size && *kw_afl_map_size)
		(*kw_afl_map)[i % *kw_afl_map_size]++;
}

static struct kw_sim *kw_fuzz_sim;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kw_config cfg;
	size_t h;
	struct kw_strategy *st;
	int status;

	if (!kw_fuzz_sim) {
		kw_fuzz_sim = kw_sim_new();
		kw_cov_hook = kw_fuzz_cov;
		kw_afl_map = dlsym(RTLD_DEFAULT, "__afl_area_ptr");
		kw_afl_map_size = dlsym(RTLD_DEFAULT, "__afl_map_size");
	}
	h = kw_fuzz_config(data, size, &cfg);
	if (!h)
		kw_fuzz_config((const uint8_t *)"", 0, &cfg);
	st = kw_strategy_bytes(data + h, size - h);
	status = kw_sim_run(kw_fuzz_sim, &cfg, st, false);
	kw_strategy_destroy(st);
	if (status == KW_RUN_FAIL) {
		fprintf(stderr, "kweave: %s: ", cfg.sc->name);
		kw_report_print(stderr, kw_fuzz_sim, &kw_fuzz_sim->rep);
		fprintf(stderr, "kweave: replay it with: kweave replay --from-input <this input>\n");
		abort();
	}
	return 0;
}
