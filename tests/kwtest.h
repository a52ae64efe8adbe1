// SPDX-License-Identifier: GPL-2.0-only
/* kwtest.h - helpers shared by the Check suites. */
#ifndef KWTEST_H
#define KWTEST_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "minimize.h"

/* Outcome sets: sorted, deduplicated strings "verdict|outcome". */
struct kwt_set {
	char **v;
	size_t n;
};

void kwt_set_add(struct kwt_set *s, const char *x);
bool kwt_set_has(const struct kwt_set *s, const char *x);
bool kwt_set_eq(const struct kwt_set *a, const struct kwt_set *b);
char *kwt_set_str(const struct kwt_set *s);
void kwt_set_free(struct kwt_set *s);

struct kw_config kwt_cfg(const char *scenario, int model);
/* Every outcome dfs reaches (all runs, failing ones included: "check|outcome"). */
uint64_t kwt_dfs_outcomes(const struct kw_config *cfg, int bound, bool reduction, struct kwt_set *out,
			  struct kw_dfs_stats *st);
/* Search with a strategy; returns the result (caller frees). */
struct kw_search_result kwt_search(const struct kw_config *cfg, int strategy, long runs, int bound);
/* Run the kweave binary ($KWEAVE): returns its exit status, output in *out (caller frees). */
int kwt_cmd(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int kwt_run_suite(Suite *s);

#endif
