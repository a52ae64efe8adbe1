// SPDX-License-Identifier: GPL-2.0-only
/* replay.h - replay files (replay.c) and the search driver (search.c), for the command line,
 * the fuzz harness and the tests. */
#ifndef KW_REPLAY_H
#define KW_REPLAY_H

#include "kw_internal.h"

/* Limits of the format (replay.c): anything beyond is an error, never cut or clamped. */
#define KW_REPLAY_LINE_MAX 4095			/* bytes in a line, without its '\n' */
#define KW_REPLAY_MAX_BYTES (64u << 20)		/* a whole file */
#define KW_REPLAY_MAX_DECISIONS 8000000L	/* the decision count */
#define KW_REPLAY_MAX_STEPS 1000000000L		/* max-steps */
#define KW_PATH_MAX 512				/* a path kweave writes, with its NUL */

struct kw_replay {
	char scenario[256];			/* scenario name */
	int nparams;				/* parameters given */
	char pname[KW_MAX_PARAMS][64];		/* their names */
	long pval[KW_MAX_PARAMS];		/* and values */
	int model;				/* enum kw_model */
	bool races;				/* race detector on */
	bool plain_points;			/* plain accesses are scheduling points */
	int cpus;				/* 0 = scenario default */
	long max_steps;				/* 0 = scenario default */
	char found_by[256];			/* strategy that found it (informational) */
	char check[48];				/* the check it fails ("" = none: the run passes) */
	struct kw_decision *dec;		/* the decisions */
	size_t ndec;
};

/* Memory models by name: canonical names (written in replay files) and aliases (accepted
 * on the command line); kw_model_list() is "sc, tso or weak" for messages. */
const char *kw_model_name(int m);
int kw_model_parse(const char *s);
const char *kw_model_list(void);
void kw_replay_clear(struct kw_replay *r);
/* -1 when a name does not fit the format (the replay then cannot be written). */
int kw_replay_from_config(struct kw_replay *r, const struct kw_config *cfg);
int kw_replay_set_text(char *dst, size_t n, const char *src);
int kw_replay_set_decisions(struct kw_replay *r, const struct kw_decision *d, size_t n);
/* -1 (errno EINVAL) for a replay the parser would not read back, or a write error. */
int kw_replay_write(FILE *f, const struct kw_replay *r);
int kw_replay_parse(const char *text, size_t len, struct kw_replay *r, char *err, size_t errn);
int kw_replay_load(const char *path, struct kw_replay *r, char *err, size_t errn);
int kw_replay_config(const struct kw_replay *r, struct kw_config *cfg, char *err, size_t errn);
void kw_replay_filename(const struct kw_replay *r, char *buf, size_t n);
/* Replay a file's decisions, held to the file: any divergence, a check other than the
 * recorded one included, is KW_RUN_ERROR with s->err. */
int kw_replay_play(struct kw_sim *s, const struct kw_replay *r, const struct kw_config *cfg, bool trace);

/* ---- writing files (save.c) ------------------------------------------------------------- */

/* Write path whole or not at all (temporary file, fsync, rename); -1 with errno. */
int kw_write_atomic(const char *path, int (*fill)(FILE *f, const void *arg), const void *arg);
/* mkdir -p; ENAMETOOLONG past KW_PATH_MAX. */
int kw_mkdirs(const char *dir);
/* Save a failing schedule as a replay file in dir (created); path gets its name. -1 with
 * errno: nothing was written (a previous file of that name is intact). */
int kw_save_replay(const char *dir, const struct kw_config *cfg, const char *found_by, const char *check,
		   const struct kw_decision *d, size_t n, char *path, size_t pathn);
/* s with its control bytes shown as \xNN (for messages that echo input). */
const char *kw_escape(const char *s, char *buf, size_t n);

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
