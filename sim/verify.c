// SPDX-License-Identifier: GPL-2.0-only
/*
 * verify.c - `kweave verify [PREFIX]`: run every registered variant against its stated
 * expectation and print one table.
 *
 *  - A buggy variant must fail, found by search: pct (depth 3, seed 1), then dfs within the
 *    preemption bound. "schedules" counts the runs of the strategy that found it. Races are silenced while searching (a happens-before race
 *    is found on the first run whatever the schedule, so it would say nothing about search)
 *    unless the expected check is the race itself. It must also pass under the non-preemptive
 *    schedule (so finding it took search), unless the scenario says why not.
 *  - A clean variant must pass dfs to exhaustion within the bound, or, where dfs cannot
 *    finish within its budget, the stated number of pct schedules.
 * The table says which strategy decided each row and how many schedules it took.
 */
#include "minimize.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

struct kw_vrow {
	const char *name, *expected;	/* scenario, "bug"/"clean"/"-" */
	char verdict[16];		/* found, clean, FAILED, MISSED, ... */
	char check[48];			/* the check that fired, or "-" */
	char strategy[48];		/* what decided the row */
	unsigned long long schedules;	/* to the first failure, or explored */
	char replay[300];		/* path, or "-" */
	char note[200];			/* why, budget notes */
	bool ok;			/* as expected */
	int save_errno;			/* the replay could not be saved (errno), 0: saved or none */
};

/* Save the row's failing schedule (save.c); a failure is remembered for verify's status. */
static void kw_verify_save(const struct kw_verify_opts *o, const struct kw_config *cfg,
			   const struct kw_search_result *r, struct kw_vrow *row)
{
	if (o->save_dir && kw_save_replay(o->save_dir, cfg, r->found_by, r->rep.check, r->dec, r->ndec, row->replay,
					  sizeof(row->replay))) {
		row->save_errno = errno ? errno : EIO;
		snprintf(row->replay, sizeof(row->replay), "(could not save)");
	}
}

static void kw_verify_bug(const struct kw_scenario *sc, const struct kw_verify_opts *o, struct kw_vrow *row)
{
	struct kw_config cfg;
	struct kw_search_result r;
	struct kw_search_opts po = { .strategy = KW_S_PCT, .seed = 1, .depth = 3, .runs = o->pct_runs,
				     .want_check = sc->expect_check };
	bool race = sc->expect_check && !strcmp(sc->expect_check, "data-race");

	kw_config_defaults(&cfg, sc);
	cfg.model = o->model;
	cfg.races = race;
	kw_search(&cfg, &po, &r);
	snprintf(row->strategy, sizeof(row->strategy), "pct d=3");
	if (!r.found && !r.error) {
		struct kw_search_opts so = { .strategy = KW_S_DFS, .preemptions = o->preemptions, .reduction = true,
					     .runs = o->dfs_runs, .want_check = sc->expect_check };

		kw_search_result_free(&r);
		kw_search(&cfg, &so, &r);
		snprintf(row->strategy, sizeof(row->strategy), "dfs b=%d", o->preemptions);
	}
	if (r.error) {
		snprintf(row->verdict, sizeof(row->verdict), "ERROR");
		snprintf(row->note, sizeof(row->note), "%s", r.err);
		kw_search_result_free(&r);
		return;
	}
	if (!r.found) {
		snprintf(row->verdict, sizeof(row->verdict), "MISSED");
		row->schedules = r.runs;
		kw_search_result_free(&r);
		return;
	}
	snprintf(row->verdict, sizeof(row->verdict), "found");
	snprintf(row->check, sizeof(row->check), "%s", r.rep.check);
	row->schedules = r.runs;
	row->ok = true;
	kw_verify_save(o, &cfg, &r, row);
	kw_search_result_free(&r);

	/* finding it must have taken search: the non-preemptive schedule passes */
	{
		struct kw_sim *s = kw_sim_new();
		struct kw_strategy *z = kw_strategy_bytes(NULL, 0);
		int st = kw_sim_run(s, &cfg, z, false);

		if (st == KW_RUN_FAIL) {
			if (sc->why) {
				snprintf(row->note, sizeof(row->note), "fails without preemption: %s", sc->why);
			} else {
				snprintf(row->note, sizeof(row->note),
					 "fails without preemption (%s): found without search", s->rep.check);
				row->ok = false;
			}
		}
		kw_strategy_destroy(z);
		kw_sim_free(s);
	}
}

static void kw_verify_clean(const struct kw_scenario *sc, const struct kw_verify_opts *o, struct kw_vrow *row,
			    bool judge)
{
	struct kw_config cfg;
	struct kw_search_result r;
	struct kw_search_opts so = { .strategy = KW_S_DFS, .preemptions = o->preemptions, .reduction = true,
				     .runs = o->dfs_runs };

	kw_config_defaults(&cfg, sc);
	cfg.model = o->model;
	kw_search(&cfg, &so, &r);
	snprintf(row->strategy, sizeof(row->strategy), "dfs b=%d", o->preemptions);
	row->schedules = r.runs;
	if (!r.found && !r.error && !r.exhausted) {
		struct kw_search_opts po = { .strategy = KW_S_PCT, .seed = 1, .depth = 3, .runs = o->pct_runs };

		snprintf(row->note, sizeof(row->note), "dfs did not finish in %llu executions",
			 (unsigned long long)r.runs);
		kw_search_result_free(&r);
		kw_search(&cfg, &po, &r);
		snprintf(row->strategy, sizeof(row->strategy), "pct d=3");
		row->schedules = r.runs;
	} else if (r.exhausted) {
		snprintf(row->strategy, sizeof(row->strategy), "dfs b=%d (all)", o->preemptions);
	}
	if (r.error) {
		snprintf(row->verdict, sizeof(row->verdict), "ERROR");
		snprintf(row->note, sizeof(row->note), "%s", r.err);
	} else if (r.found) {
		snprintf(row->verdict, sizeof(row->verdict), judge ? "FAILED" : "fails");
		snprintf(row->check, sizeof(row->check), "%s", r.rep.check);
		row->ok = !judge;
		kw_verify_save(o, &cfg, &r, row);
	} else {
		snprintf(row->verdict, sizeof(row->verdict), "clean");
		row->ok = true;
	}
	kw_search_result_free(&r);
}

int kw_verify(const struct kw_verify_opts *o, FILE *out)
{
	size_t n = kw_scenario_count(), rows = 0, good = 0, bugs = 0, found = 0;
	size_t mutants = 0, killed = 0, equivalent = 0;
	const struct kw_scenario *eqv[64];
	const char *prefix = o->prefix ? o->prefix : "";
	bool tty = o->progress;
	size_t unsaved = 0;
	int save_errno = 0;

	if (o->tsv)
		fprintf(out, "scenario\texpected\tverdict\tcheck\tstrategy\tschedules\treplay\tnote\n");
	else
		fprintf(out, "%-42s %-8s %-8s %-16s %-14s %10s  %s\n", "scenario", "expected", "verdict", "check",
			"strategy", "schedules", "replay / note");
	for (size_t i = 0; i < n; i++) {
		const struct kw_scenario *sc = kw_scenario_at(i);
		struct kw_vrow row;

		if (strncmp(sc->name, prefix, strlen(prefix)))
			continue;
		if (sc->expect == KW_EXPECT_NONE && !prefix[0])
			continue; /* litmus shapes and demos without a verdict: only when asked by name */
		memset(&row, 0, sizeof(row));
		row.name = sc->name;
		snprintf(row.check, sizeof(row.check), "-");
		snprintf(row.replay, sizeof(row.replay), "-");
		if (tty)
			fprintf(stderr, "\r\033[Kkweave verify: %s", sc->name);
		if (sc->expect == KW_EXPECT_BUG) {
			row.expected = "bug";
			bugs++;
			kw_verify_bug(sc, o, &row);
			found += row.verdict[0] == 'f';
		} else {
			row.expected = sc->expect == KW_EXPECT_CLEAN ? "clean" :
				       sc->expect == KW_EXPECT_EQUIVALENT ? "equiv" : "-";
			kw_verify_clean(sc, o, &row, sc->expect != KW_EXPECT_NONE);
			if (sc->expect == KW_EXPECT_EQUIVALENT && equivalent < 64)
				eqv[equivalent++] = sc;
		}
		if (sc->mutant && sc->expect == KW_EXPECT_BUG) {
			mutants++;
			killed += row.verdict[0] == 'f';
		}
		rows++;
		good += row.ok;
		if (row.save_errno) {
			unsaved++;
			save_errno = row.save_errno;
		}
		if (tty)
			fputs("\r\033[K", stderr);
		if (o->tsv)
			fprintf(out, "%s\t%s\t%s\t%s\t%s\t%llu\t%s\t%s\n", row.name, row.expected, row.verdict, row.check,
				row.strategy, row.schedules, row.replay, row.note[0] ? row.note : "-");
		else {
			fprintf(out, "%-42s %-8s %-8s %-16s %-14s %10llu  %s%s%s\n", row.name, row.expected,
				row.verdict, row.check, row.strategy, row.schedules,
				strcmp(row.replay, "-") ? row.replay : "", strcmp(row.replay, "-") && row.note[0] ? "; " : "",
				row.note);
		}
		fflush(out);
	}
	{
		FILE *sum = o->tsv ? stderr : out;

		fprintf(sum, "%zu of %zu variants as expected; %zu of %zu bugs found\n", good, rows, found, bugs);
		if (mutants || equivalent) {
			fprintf(sum, "barrier mutants: %zu of %zu killed (%.0f%%)", killed, mutants,
				mutants ? 100.0 * (double)killed / (double)mutants : 100.0);
			fprintf(sum, "%s%zu equivalent, not counted:\n", mutants ? "; " : "", equivalent);
			for (size_t i = 0; i < equivalent; i++)
				fprintf(sum, "  %s: %s\n", eqv[i]->name, eqv[i]->why ? eqv[i]->why : "(no reason given)");
		}
	}
	if (unsaved) {
		/* the table is out; a replay that could not be written is an error (exit 2) */
		fprintf(stderr, "kweave: verify: could not save %zu replay%s into %s: %s\n", unsaved,
			unsaved == 1 ? "" : "s", o->save_dir, strerror(save_errno));
		return 2;
	}
	return good == rows && rows > 0 ? 0 : 1;
}
