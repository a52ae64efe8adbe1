// SPDX-License-Identifier: GPL-2.0-only
/* replay.h - replay files (replay.c) and the search driver (search.c), for the command line,
 * the fuzz harness and the tests. */
#ifndef KW_REPLAY_H
#define KW_REPLAY_H

#include "kw_internal.h"

struct kw_replay {
	char scenario[128];			/* scenario name */
	int nparams;				/* parameters given */
	char pname[KW_MAX_PARAMS][32];		/* their names */
	long pval[KW_MAX_PARAMS];		/* and values */
	int model;				/* enum kw_model */
	bool races;				/* race detector on */
	bool plain_points;			/* plain accesses are scheduling points */
	int cpus;				/* 0 = scenario default */
	long max_steps;				/* 0 = scenario default */
	char found_by[128];			/* strategy that found it (informational) */
	char check[48];				/* the check it fails ("" = none) */
	struct kw_decision *dec;		/* the decisions */
	size_t ndec;
};

const char *kw_model_name(int m);
int kw_model_parse(const char *s);
void kw_replay_clear(struct kw_replay *r);
void kw_replay_from_config(struct kw_replay *r, const struct kw_config *cfg);
int kw_replay_set_decisions(struct kw_replay *r, const struct kw_decision *d, size_t n);
int kw_replay_write(FILE *f, const struct kw_replay *r);
int kw_replay_parse(const char *text, size_t len, struct kw_replay *r, char *err, size_t errn);
int kw_replay_load(const char *path, struct kw_replay *r, char *err, size_t errn);
int kw_replay_config(const struct kw_replay *r, struct kw_config *cfg, char *err, size_t errn);
void kw_replay_filename(const struct kw_replay *r, char *buf, size_t n);

/* ---- search (search.c) ---------------------------------------------------------------- */

enum kw_strat_kind { KW_S_RANDOM, KW_S_PCT, KW_S_POS, KW_S_DFS, KW_S_BYTES, KW_S_REPLAY };

struct kw_search_opts {
	int strategy;		/* enum kw_strat_kind */
	uint64_t seed;		/* random, pct, pos */
	long runs;		/* run at most this many (0: default 100000; dfs: no limit) */
	double seconds;		/* or stop after this long (0: no limit) */
	int depth;		/* pct */
	int preemptions;	/* dfs bound */
	bool reduction;		/* dfs sleep sets */
	bool progress;		/* one-line progress on stderr when it is a terminal */
	const char *want_check;	/* count only failures of this check (minimize, verify) */
};

struct kw_search_result {
	bool found;			/* a run failed */
	bool error;			/* a run could not proceed (err) */
	bool exhausted;			/* dfs: the bounded space was covered */
	uint64_t runs;			/* runs made */
	double secs;			/* wall time (display only) */
	struct kw_report rep;		/* the failure */
	struct kw_decision *dec;	/* its decisions */
	size_t ndec;
	unsigned preemptions;		/* its preemptions */
	char found_by[128];		/* strategy description */
	struct kw_dfs_stats dfs;	/* dfs figures */
	char err[256];
};

struct kw_strategy *kw_strategy_make(const struct kw_search_opts *o);
int kw_search(const struct kw_config *cfg, const struct kw_search_opts *o, struct kw_search_result *res);
void kw_search_result_free(struct kw_search_result *res);
/* Re-run decisions once; returns the run status (sim kept for trace/report). */
int kw_replay_run(struct kw_sim *s, const struct kw_config *cfg, const struct kw_decision *d, size_t n,
		  bool trace);
void kw_report_print(FILE *out, struct kw_sim *s, const struct kw_report *rep);
double kw_now(void);

/* fuzzinput.c: what a fuzz input means (header, then decision bytes) */
size_t kw_fuzz_config(const uint8_t *buf, size_t n, struct kw_config *cfg);
int kw_fuzz_input_to_replay(const uint8_t *buf, size_t n, struct kw_replay *r, char *err, size_t errn);

#endif
