// SPDX-License-Identifier: GPL-2.0-only
/*
 * kweave (native preset) - run a scenario as an ordinary stress test on real threads:
 *
 *   kweave list
 *   kweave run SCENARIO [--runs N | --time SECONDS] [-p NAME=VALUE]...
 *
 * Failures are counted, not replayable: rerun the scenario under the default preset to find
 * and replay them. Exit status: 0 no failure seen, 1 a failure seen, 2 usage error.
 */
#define _GNU_SOURCE
#include "native.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long num(const char *opt, const char *v)
{
	char *e;
	long x;

	errno = 0;
	x = v ? strtol(v, &e, 10) : 0;
	if (!v || !*v || *e || errno || x < 1) {
		fprintf(stderr, "kweave: %s wants a positive number\n", opt);
		exit(2);
	}
	return x;
}

int main(int argc, char **argv)
{
	const struct kw_scenario *sc;
	long params[KW_MAX_PARAMS] = { 0 }, runs = 1000, fails = 0, done = 0;
	double secs = 0, t0;
	char first[512] = "", failure[512], outcome[256];

	if (argc >= 2 && !strcmp(argv[1], "list")) {
		for (size_t i = 0; i < kw_scenario_count(); i++)
			printf("%s\n", kw_scenario_at(i)->name);
		return 0;
	}
	if (argc < 3 || strcmp(argv[1], "run")) {
		fprintf(stderr, "kweave (native preset): usage: kweave list | kweave run SCENARIO [--runs N | --time S] [-p NAME=VALUE]\n");
		return 2;
	}
	sc = kw_scenario_find(argv[2]);
	if (!sc) {
		fprintf(stderr, "kweave: unknown scenario '%s' (kweave list shows them)\n", argv[2]);
		return 2;
	}
	for (int i = 0; i < KW_MAX_PARAMS && sc->params[i].name; i++)
		params[i] = sc->params[i].def;
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--runs") && i + 1 < argc) {
			runs = num("--runs", argv[++i]);
		} else if (!strcmp(argv[i], "--time") && i + 1 < argc) {
			secs = (double)num("--time", argv[++i]);
			runs = 0x7fffffffffffffffL;
		} else if (!strcmp(argv[i], "-p") && i + 1 < argc) {
			char *eq = strchr(argv[++i], '=');
			int k;

			if (!eq) {
				fprintf(stderr, "kweave: -p wants NAME=VALUE\n");
				return 2;
			}
			*eq = 0;
			k = kw_param_index(sc, argv[i]);
			if (k < 0) {
				fprintf(stderr, "kweave: scenario %s has no parameter '%s'\n", sc->name, argv[i]);
				return 2;
			}
			params[k] = strtol(eq + 1, NULL, 10);
		} else {
			fprintf(stderr, "kweave: unknown option '%s' (the native preset runs stress tests only)\n", argv[i]);
			return 2;
		}
	}
	t0 = now();
	for (done = 0; done < runs; done++) {
		if (kn_run_once(sc, params, failure, sizeof(failure), outcome, sizeof(outcome))) {
			if (!fails++)
				snprintf(first, sizeof(first), "%s", failure);
		}
		if (secs > 0 && (done & 63) == 0 && now() - t0 >= secs)
			break;
	}
	printf("%s (native, real threads): %ld runs, %ld failing", sc->name, done, fails);
	if (fails)
		printf("; first: %s\n(not replayable: run it under the default preset to find and replay it)\n", first);
	else
		printf("\n");
	return fails ? 1 : 0;
}
