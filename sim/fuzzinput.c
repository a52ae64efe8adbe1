// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzzinput.c - what a fuzz input means, shared by the fuzz targets and
 * `kweave replay --from-input`, so that a crash input replays to the same verdict.
 *
 * An input is a short header, then decision bytes for the bytes strategy (past their end,
 * the fixed rule: the current thread goes on, the latest store is read):
 *   byte 0: which variant: an index into kw_fuzz_variants (modulo its length)
 *   byte 1: the first parameter (e.g. submitters): min + byte % (max - min + 1)
 *   byte 2: bits 0-1 the memory model (0 and 3: weak, 1: sc, 2: tso)
 * A missing header byte takes its default (0, the parameter's default, weak): every input is
 * valid (KWEAVE_FUZZ_VARIANT=NAME pins the variant). Races are silenced (KWEAVE_FUZZ_RACES=1
 * turns them on): a happens-before race is
 * found on the first run whatever the schedule, so the fuzzer's time is better spent on
 * schedules and stale reads.
 *
 * The once-init target fuzzes the correct forms and the memory-model bugs (original's failed
 * cmpxchg without acquire, 1b, 1c); the schedule bugs 1a, 1d, 1e and the mutants are found by
 * `kweave verify` within a few pct runs.
 */
#include "replay.h"

#include <stdlib.h>
#include <string.h>

#define KW_FUZZ_HEADER 3

static const char *const kw_fuzz_variants[] = {
	"once-init/original", "once-init/1b-relaxed-publish", "once-init/1c-failed-cas-as-acquire",
	"once-init/v2", "once-init/mutex", "once-init/eager", "once-init/open", "once-init/cmpxchg-release",
	"once-init/do-once",
};
#define KW_FUZZ_NVARIANTS (sizeof(kw_fuzz_variants) / sizeof(kw_fuzz_variants[0]))

static struct {
	bool ready;
	const struct kw_scenario *sc[KW_FUZZ_NVARIANTS];	/* kw_fuzz_variants, resolved */
	const struct kw_scenario *pin;	/* KWEAVE_FUZZ_VARIANT, or NULL */
	bool races;			/* KWEAVE_FUZZ_RACES=1 */
} kw_fz;

/* Resolve names and read the environment once: a fuzzer runs this for every input. */
static void kw_fuzz_init(void)
{
	const char *pin = getenv("KWEAVE_FUZZ_VARIANT"), *races = getenv("KWEAVE_FUZZ_RACES");

	for (size_t i = 0; i < KW_FUZZ_NVARIANTS; i++)
		kw_fz.sc[i] = kw_scenario_find(kw_fuzz_variants[i]);
	kw_fz.pin = pin && *pin ? kw_scenario_find(pin) : NULL;
	kw_fz.races = races && *races == '1';
	kw_fz.ready = true;
}

/* KWEAVE_FUZZ_VARIANT=NAME pins the variant (a campaign on one form); byte 0 is then unused. */
static const struct kw_scenario *kw_fuzz_pick(unsigned i)
{
	if (!kw_fz.ready)
		kw_fuzz_init();
	return kw_fz.pin ? kw_fz.pin : kw_fz.sc[i % KW_FUZZ_NVARIANTS];
}

/* Fill cfg from the header; returns how many bytes the header used. */
size_t kw_fuzz_config(const uint8_t *buf, size_t n, struct kw_config *cfg)
{
	const struct kw_scenario *sc = kw_fuzz_pick(n > 0 ? buf[0] : 0);

	if (!sc)
		return 0;
	kw_config_defaults(cfg, sc);
	cfg->races = false;
	if (n > 1 && sc->params[0].name) {
		long span = sc->params[0].max - sc->params[0].min + 1;

		cfg->params[0] = sc->params[0].min + (long)(buf[1] % (unsigned long)(span > 0 ? span : 1));
	}
	if (n > 2) {
		static const int models[4] = { KW_MODEL_WEAK, KW_MODEL_SC, KW_MODEL_TSO, KW_MODEL_WEAK };

		cfg->model = models[buf[2] & 3];
	}
	cfg->races = kw_fz.races;
	return n < KW_FUZZ_HEADER ? n : KW_FUZZ_HEADER;
}

int kw_fuzz_input_to_replay(const uint8_t *buf, size_t n, struct kw_replay *r, char *err, size_t errn)
{
	struct kw_config cfg;
	size_t h = kw_fuzz_config(buf, n, &cfg);
	struct kw_sim *s;
	struct kw_strategy *st;
	int status;

	if (!h && !n) {
		/* an empty input is valid: variant 0, defaults */
	}
	if (!kw_fuzz_pick(0)) {
		snprintf(err, errn, "this build has no once-init scenarios");
		return -1;
	}
	if (!h)
		kw_fuzz_config((const uint8_t *)"", 0, &cfg);
	s = kw_sim_new();
	st = kw_strategy_bytes(buf + h, n - h);
	status = kw_sim_run(s, &cfg, st, false);
	kw_replay_from_config(r, &cfg);
	snprintf(r->found_by, sizeof(r->found_by), "fuzz input (%zu bytes)", n);
	if (status == KW_RUN_FAIL)
		snprintf(r->check, sizeof(r->check), "%s", s->rep.check);
	kw_replay_set_decisions(r, s->dec, s->ndec);
	kw_strategy_destroy(st);
	kw_sim_free(s);
	return 0;
}
