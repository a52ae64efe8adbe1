// SPDX-License-Identifier: GPL-2.0-only
/* kwtest.c - helpers shared by the Check suites. */
#include "kwtest.h"

#include <stdarg.h>
#include <stdio.h>

void kwt_set_add(struct kwt_set *s, const char *x)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s->v[mid], x);

		if (!c)
			return;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	s->v = realloc(s->v, (s->n + 1) * sizeof(*s->v));
	memmove(&s->v[lo + 1], &s->v[lo], (s->n - lo) * sizeof(*s->v));
	s->v[lo] = strdup(x);
	s->n++;
}

bool kwt_set_has(const struct kwt_set *s, const char *x)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], x))
			return true;
	return false;
}

bool kwt_set_eq(const struct kwt_set *a, const struct kwt_set *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]))
			return false;
	return true;
}

char *kwt_set_str(const struct kwt_set *s)
{
	size_t len = 3;
	char *r;

	for (size_t i = 0; i < s->n; i++)
		len += strlen(s->v[i]) + 2;
	r = malloc(len);
	strcpy(r, "{");
	for (size_t i = 0; i < s->n; i++) {
		strcat(r, s->v[i]);
		if (i + 1 < s->n)
			strcat(r, ", ");
	}
	strcat(r, "}");
	return r;
}

void kwt_set_free(struct kwt_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

struct kw_config kwt_cfg(const char *scenario, int model)
{
	struct kw_config cfg;
	const struct kw_scenario *sc = kw_scenario_find(scenario);

	ck_assert_msg(sc != NULL, "no scenario %s", scenario);
	kw_config_defaults(&cfg, sc);
	cfg.model = model;
	return cfg;
}

uint64_t kwt_dfs_outcomes(const struct kw_config *cfg, int bound, bool reduction, struct kwt_set *out,
			  struct kw_dfs_stats *st)
{
	struct kw_sim *s = kw_sim_new();
	struct kw_strategy *d = kw_strategy_dfs(bound, reduction);
	uint64_t runs = 0;

	for (;;) {
		int r = kw_sim_run(s, cfg, d, false);
		bool done = d->ops->end(d, s);

		ck_assert_msg(r != KW_RUN_ERROR, "dfs error: %s", s->err);
		if (r != KW_RUN_PRUNED) {
			char buf[400];

			snprintf(buf, sizeof(buf), "%s|%s", r == KW_RUN_FAIL ? s->rep.check : "ok", s->outcome);
			kwt_set_add(out, buf);
		}
		runs++;
		ck_assert_msg(runs < 5000000, "dfs does not end");
		if (done)
			break;
	}
	if (st)
		kw_dfs_stats(d, st);
	kw_strategy_destroy(d);
	kw_sim_free(s);
	return runs;
}

struct kw_search_result kwt_search(const struct kw_config *cfg, int strategy, long runs, int bound)
{
	struct kw_search_opts o = { .strategy = strategy, .seed = 1, .runs = runs, .depth = 3,
				    .preemptions = bound, .reduction = true };
	struct kw_search_result r;

	kw_search(cfg, &o, &r);
	return r;
}

int kwt_cmd(char **out, const char *fmt, ...)
{
	const char *kw = getenv("KWEAVE");
	char cmd[4096], args[3500];
	va_list ap;
	FILE *p;
	size_t len = 0, cap = 4096;
	int st;

	ck_assert_msg(kw != NULL, "KWEAVE is not set (run the suites through ctest)");
	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "'%s' %s 2>&1", kw, args);
	p = popen(cmd, "r");
	ck_assert(p != NULL);
	*out = malloc(cap);
	for (;;) {
		size_t k;

		if (len + 1024 > cap)
			*out = realloc(*out, cap *= 2);
		k = fread(*out + len, 1, cap - len - 1, p);
		if (!k)
			break;
		len += k;
	}
	(*out)[len] = 0;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

int kwt_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
