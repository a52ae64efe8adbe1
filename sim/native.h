// SPDX-License-Identifier: GPL-2.0-only
/* native.h - the native preset's stress runner (native.c). */
#ifndef KW_NATIVE_H
#define KW_NATIVE_H

#include <kweave/kweave.h>

/* One run on real threads: setup, the threads started together, join, final check.
 * Returns 1 with the first failure in failure[], or 0. */
int kn_run_once(const struct kw_scenario *sc, const long *params, char *failure, size_t n, char *outcome,
		size_t on);

/* registry.c */
const struct kw_scenario *kw_scenario_find(const char *name);
size_t kw_scenario_count(void);
const struct kw_scenario *kw_scenario_at(size_t i);
int kw_param_index(const struct kw_scenario *sc, const char *name);

#endif
