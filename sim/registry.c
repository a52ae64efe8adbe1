// SPDX-License-Identifier: GPL-2.0-only
/*
 * registry.c - scenarios register themselves (KW_SCENARIO's constructor); the engine knows
 * none by name. Lists are sorted by name so that every listing is the same in every process.
 */
#include "kw_internal.h"

#include <stdlib.h>
#include <string.h>

#define KW_MAX_SCENARIOS 1024

static const struct kw_scenario *kw_scenarios[KW_MAX_SCENARIOS];
static size_t kw_nscenarios;
static bool kw_sorted;

void kw_register(const struct kw_scenario *sc)
{
	if (kw_nscenarios == KW_MAX_SCENARIOS) {
		fprintf(stderr, "kweave: more than %d scenarios registered\n", KW_MAX_SCENARIOS);
		exit(2);
	}
	kw_scenarios[kw_nscenarios++] = sc;
	kw_sorted = false;
}

static int kw_cmp_sc(const void *a, const void *b)
{
	const struct kw_scenario *x = *(const struct kw_scenario *const *)a;
	const struct kw_scenario *y = *(const struct kw_scenario *const *)b;

	return strcmp(x->name, y->name);
}

static void kw_sort(void)
{
	if (kw_sorted)
		return;
	qsort(kw_scenarios, kw_nscenarios, sizeof(kw_scenarios[0]), kw_cmp_sc);
	for (size_t i = 1; i < kw_nscenarios; i++)
		if (!strcmp(kw_scenarios[i - 1]->name, kw_scenarios[i]->name)) {
			fprintf(stderr, "kweave: scenario '%s' registered twice\n", kw_scenarios[i]->name);
			exit(2);
		}
	kw_sorted = true;
}

size_t kw_scenario_count(void)
{
	kw_sort();
	return kw_nscenarios;
}

const struct kw_scenario *kw_scenario_at(size_t i)
{
	kw_sort();
	return i < kw_nscenarios ? kw_scenarios[i] : NULL;
}

const struct kw_scenario *kw_scenario_find(const char *name)
{
	kw_sort();
	for (size_t i = 0; i < kw_nscenarios; i++)
		if (!strcmp(kw_scenarios[i]->name, name))
			return kw_scenarios[i];
	return NULL;
}

int kw_param_index(const struct kw_scenario *sc, const char *name)
{
	for (int i = 0; i < KW_MAX_PARAMS && sc->params[i].name; i++)
		if (!strcmp(sc->params[i].name, name))
			return i;
	return -1;
}

void kw_config_defaults(struct kw_config *cfg, const struct kw_scenario *sc)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->sc = sc;
	for (int i = 0; i < KW_MAX_PARAMS && sc->params[i].name; i++)
		cfg->params[i] = sc->params[i].def;
	cfg->model = KW_MODEL_WEAK;
	cfg->races = !sc->no_races;
	cfg->lockdep = !sc->no_lockdep;
}
