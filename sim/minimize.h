// SPDX-License-Identifier: GPL-2.0-only
/* minimize.h - schedule minimization (minimize.c) and the verify table (verify.c). */
#ifndef KW_MINIMIZE_H
#define KW_MINIMIZE_H

#include "replay.h"

struct kw_min_opts {
	long greedy_runs;	/* run budget of the greedy phase (0: 5000) */
	long dfs_runs;		/* execution budget per dfs bound in the proof (0: no proof) */
	double dfs_seconds;	/* time budget per bound (0: none) */
};

struct kw_min_result {
	char check[48];			/* the check kept failing */
	unsigned pre_before, pre_greedy, pre_after;
	size_t ndec_before, ndec_after;
	bool minimal;			/* proven: no schedule with fewer preemptions fails it */
	int proved_to;			/* dfs found no such failure up to this bound (-1: none) */
	uint64_t dfs_runs;		/* executions spent proving */
	struct kw_decision *dec;	/* the minimized decisions (caller frees) */
	char err[256];
};

int kw_minimize(const struct kw_config *cfg, const struct kw_decision *dec, size_t ndec,
		const struct kw_min_opts *o, struct kw_min_result *res);

struct kw_verify_opts {
	const char *prefix;	/* scenarios whose name starts with this ("" = all) */
	long dfs_runs;		/* execution budget of dfs per variant */
	long pct_runs;		/* pct schedules when dfs cannot finish */
	int preemptions;	/* dfs bound */
	int model;		/* memory model */
	const char *save_dir;	/* where buggy variants' replays go */
	bool tsv;		/* tab-separated output */
	bool progress;		/* a progress line on stderr */
};

/* 0: every variant as expected; 1: not; 2: a replay could not be saved (after the table). */
int kw_verify(const struct kw_verify_opts *o, FILE *out);

#endif
