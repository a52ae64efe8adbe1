// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_once_init: one-time init of s_dio_done_wq end to end - verify's table all as expected
 * (every buggy variant found, every clean one verified, mutants killed), every regression
 * replay in corpus/regressions/ reproducing its verdict, and fuzz inputs replaying.
 */
#include "kwtest.h"

#include <dirent.h>
#include <stdio.h>


START_TEST(verify_once_init_all_as_expected)
{
	struct kw_verify_opts vo = { .prefix = "once-init", .dfs_runs = 2000000, .pct_runs = 100000,
				     .preemptions = 2, .model = KW_MODEL_WEAK, .tsv = true };
	char *buf = NULL;
	size_t n = 0, rows = 0;
	FILE *f = open_memstream(&buf, &n);
	int rc = kw_verify(&vo, f);

	fclose(f);
	for (char *p = buf; (p = strchr(p, '\n')); p++)
		rows++;
	ck_assert_msg(rc == 0, "verify once-init: %s", buf);
	ck_assert_int_ge(rows - 1, 12);
	/* every buggy row found by search, every clean row proved by dfs at bound 2 */
	ck_assert_ptr_null(strstr(buf, "\tMISSED\t"));
	ck_assert_ptr_null(strstr(buf, "\tFAILED\t"));
	ck_assert_ptr_nonnull(strstr(buf, "once-init/v2\tclean\tclean\t-\tdfs b=2 (all)"));
	ck_assert_ptr_nonnull(strstr(buf, "once-init/original\tbug\tfound\tI2\t"));
	free(buf);
}
END_TEST

static const char *srcdir(void)
{
	const char *s = getenv("KWEAVE_SRC");

	ck_assert_msg(s != NULL, "KWEAVE_SRC is not set (run the suites through ctest)");
	return s;
}

START_TEST(every_regression_replays_its_verdict)
{
	char dir[512];
	DIR *d;
	struct dirent *e;
	int files = 0;

	snprintf(dir, sizeof(dir), "%s/corpus/regressions", srcdir());
	d = opendir(dir);
	ck_assert_msg(d != NULL, "no %s", dir);
	while ((e = readdir(d))) {
		char path[1024], err[300];
		struct kw_replay r;
		struct kw_config cfg;
		struct kw_sim *s;

		if (!strstr(e->d_name, ".replay"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		ck_assert_msg(kw_replay_load(path, &r, err, sizeof(err)) == 0, "%s: %s", e->d_name, err);
		ck_assert_msg(kw_replay_config(&r, &cfg, err, sizeof(err)) == 0, "%s: %s", e->d_name, err);
		s = kw_sim_new();
		ck_assert_msg(kw_replay_run(s, &cfg, r.dec, r.ndec, false) == KW_RUN_FAIL, "%s: %s", e->d_name,
			      s->status == KW_RUN_ERROR ? s->err : "did not fail (regenerate with tools/regen-regressions?)");
		ck_assert_msg(!strcmp(s->rep.check, r.check), "%s: failed %s, the file says %s", e->d_name,
			      s->rep.check, r.check);
		kw_sim_free(s);
		kw_replay_clear(&r);
		files++;
	}
	closedir(d);
	/* every known bug has its regression */
	for (size_t i = 0; i < kw_scenario_count(); i++) {
		const struct kw_scenario *sc = kw_scenario_at(i);
		char path[1024], name[256];
		FILE *f;

		if (sc->expect != KW_EXPECT_BUG)
			continue;
		snprintf(name, sizeof(name), "%s", sc->name);
		for (char *c = name; *c; c++)
			if (*c == '/')
				*c = '-';
		snprintf(path, sizeof(path), "%s/%s.replay", dir, name);
		f = fopen(path, "r");
		ck_assert_msg(f != NULL, "no regression replay for %s", sc->name);
		fclose(f);
	}
	ck_assert_int_ge(files, 13);
}
END_TEST

START_TEST(fuzz_inputs_replay)
{
	char dir[512];
	DIR *d;
	struct dirent *e;
	uint64_t rng = 7;
	int seeds = 0;

	/* the seeds pass (a seed must not crash) */
	snprintf(dir, sizeof(dir), "%s/corpus/once_init", srcdir());
	d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		char path[1024], err[300];
		uint8_t buf[64];
		size_t n;
		struct kw_replay r;
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "rb");
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		ck_assert_int_eq(kw_fuzz_input_to_replay(buf, n, &r, err, sizeof(err)), 0);
		ck_assert_msg(r.check[0] == 0, "seed %s fails: %s", e->d_name, r.check);
		kw_replay_clear(&r);
		seeds++;
	}
	closedir(d);
	ck_assert_int_ge(seeds, 5);
	/* a random input that fails, as a fuzzer would find it, replays to the same verdict */
	for (int tries = 0; tries < 100000; tries++) {
		uint8_t in[40];
		struct kw_replay r;
		char err[300];

		in[0] = 0; /* once-init/original */
		in[1] = 1;
		in[2] = 0;
		for (size_t i = 3; i < sizeof(in); i++)
			in[i] = (uint8_t)kw_rng_next(&rng);
		ck_assert_int_eq(kw_fuzz_input_to_replay(in, sizeof(in), &r, err, sizeof(err)), 0);
		if (r.check[0]) {
			struct kw_config cfg;
			struct kw_sim *s = kw_sim_new();

			ck_assert_int_eq(kw_replay_config(&r, &cfg, err, sizeof(err)), 0);
			ck_assert_int_eq(kw_replay_run(s, &cfg, r.dec, r.ndec, false), KW_RUN_FAIL);
			ck_assert_str_eq(s->rep.check, r.check);
			kw_sim_free(s);
			kw_replay_clear(&r);
			return;
		}
		kw_replay_clear(&r);
	}
	ck_abort_msg("no failing input in 100000 random ones");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("once-init");
	TCase *tc = tcase_create("once-init");

	tcase_set_timeout(tc, 900);
	tcase_add_test(tc, verify_once_init_all_as_expected);
	tcase_add_test(tc, every_regression_replays_its_verdict);
	tcase_add_test(tc, fuzz_inputs_replay);
	suite_add_tcase(s, tc);
	return kwt_run_suite(s);
}
