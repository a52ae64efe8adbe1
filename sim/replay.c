// SPDX-License-Identifier: GPL-2.0-only
/*
 * replay.c - the replay file: a versioned text file holding the scenario, its parameters,
 * the run's configuration, how it was found, the check it failed, and the decisions (each
 * "value/alternatives") - decisions only, never a stored trace.
 *
 * Invariant: the parser accepts exactly what kw_replay_write() produces (plus comments and
 * blank lines) and rejects anything else with one line naming the line and the reason.
 */
#include "kw_internal.h"
#include "replay.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define KW_REPLAY_MAGIC "kweave-replay"
#define KW_REPLAY_VERSION 1
#define KW_REPLAY_MAX_BYTES (64u << 20)

static const char *kw_model_names[] = { "sc", "tso", "weak" };

const char *kw_model_name(int m)
{
	return m >= 0 && m < 3 ? kw_model_names[m] : "?";
}

int kw_model_parse(const char *s)
{
	for (int i = 0; i < 3; i++)
		if (!strcmp(s, kw_model_names[i]))
			return i;
	return -1;
}

void kw_replay_clear(struct kw_replay *r)
{
	free(r->dec);
	memset(r, 0, sizeof(*r));
}

void kw_replay_from_config(struct kw_replay *r, const struct kw_config *cfg)
{
	const struct kw_scenario *sc = cfg->sc;

	memset(r, 0, sizeof(*r));
	snprintf(r->scenario, sizeof(r->scenario), "%s", sc->name);
	for (int i = 0; i < KW_MAX_PARAMS && sc->params[i].name; i++) {
		snprintf(r->pname[i], sizeof(r->pname[i]), "%s", sc->params[i].name);
		r->pval[i] = cfg->params[i];
		r->nparams = i + 1;
	}
	r->model = cfg->model;
	r->races = cfg->races;
	r->plain_points = cfg->plain_points;
	r->cpus = cfg->cpus;
	r->max_steps = cfg->max_steps;
}

int kw_replay_set_decisions(struct kw_replay *r, const struct kw_decision *d, size_t n)
{
	free(r->dec);
	r->dec = malloc((n ? n : 1) * sizeof(*d));
	if (!r->dec)
		return -1;
	if (n)
		memcpy(r->dec, d, n * sizeof(*d));
	r->ndec = n;
	return 0;
}

int kw_replay_write(FILE *f, const struct kw_replay *r)
{
	fprintf(f, "# kweave replay: decisions only. Run it with: kweave replay FILE\n");
	fprintf(f, "%s %d\n", KW_REPLAY_MAGIC, KW_REPLAY_VERSION);
	fprintf(f, "scenario %s\n", r->scenario);
	for (int i = 0; i < r->nparams; i++)
		fprintf(f, "param %s %ld\n", r->pname[i], r->pval[i]);
	fprintf(f, "model %s\n", kw_model_name(r->model));
	fprintf(f, "races %s\n", r->races ? "on" : "off");
	fprintf(f, "plain-points %s\n", r->plain_points ? "on" : "off");
	fprintf(f, "cpus %d\n", r->cpus);
	fprintf(f, "max-steps %ld\n", r->max_steps);
	if (r->found_by[0])
		fprintf(f, "found-by %s\n", r->found_by);
	if (r->check[0])
		fprintf(f, "check %s\n", r->check);
	fprintf(f, "decisions %zu\n", r->ndec);
	for (size_t i = 0; i < r->ndec; i++)
		fprintf(f, "%u/%u%c", r->dec[i].v, r->dec[i].n, (i % 16 == 15 || i + 1 == r->ndec) ? '\n' : ' ');
	fprintf(f, "end\n");
	return ferror(f) ? -1 : 0;
}

/* ---- parsing ------------------------------------------------------------------------------- */

struct kw_lexer {
	const char *p, *end;	/* remaining text */
	int line;		/* current line number, 1-based */
};

static bool kw_next_line(struct kw_lexer *lx, char *buf, size_t n)
{
	for (;;) {
		const char *nl;
		size_t len;

		if (lx->p >= lx->end)
			return false;
		nl = memchr(lx->p, '\n', (size_t)(lx->end - lx->p));
		len = nl ? (size_t)(nl - lx->p) : (size_t)(lx->end - lx->p);
		lx->line++;
		if (len >= n)
			len = n - 1; /* an over-long line is cut; it then fails to parse */
		memcpy(buf, lx->p, len);
		buf[len] = 0;
		lx->p = nl ? nl + 1 : lx->end;
		while (len && (buf[len - 1] == '\r' || buf[len - 1] == ' ' || buf[len - 1] == '\t'))
			buf[--len] = 0;
		if (len && buf[0] != '#')
			return true;
	}
}

static int kw_perr(char *err, size_t n, int line, const char *fmt, const char *arg)
{
	char m[160];

	snprintf(m, sizeof(m), fmt, arg);
	snprintf(err, n, "line %d: %s", line, m);
	return -1;
}

static bool kw_parse_long(const char *s, long *out)
{
	char *e;

	errno = 0;
	*out = strtol(s, &e, 10);
	return *s && !*e && !errno;
}

static bool kw_parse_onoff(const char *s, bool *out)
{
	if (!strcmp(s, "on"))
		*out = true;
	else if (!strcmp(s, "off"))
		*out = false;
	else
		return false;
	return true;
}

int kw_replay_parse(const char *text, size_t len, struct kw_replay *r, char *err, size_t errn)
{
	struct kw_lexer lx = { text, text + len, 0 };
	char line[4096];
	long want = -1;
	size_t cap = 0;
	bool have_scenario = false, ended = false;

	memset(r, 0, sizeof(*r));
	if (len > KW_REPLAY_MAX_BYTES)
		return kw_perr(err, errn, 0, "%s", "file too large for a replay");
	if (memchr(text, 0, len))
		return kw_perr(err, errn, 1, "%s", "not a kweave replay file (binary data)");
	if (!kw_next_line(&lx, line, sizeof(line)))
		return kw_perr(err, errn, lx.line, "%s", "empty file: not a kweave replay");
	{
		long v;
		char *sp = strchr(line, ' ');

		if (!sp || (size_t)(sp - line) != strlen(KW_REPLAY_MAGIC) ||
		    strncmp(line, KW_REPLAY_MAGIC, strlen(KW_REPLAY_MAGIC)))
			return kw_perr(err, errn, lx.line, "%s", "not a kweave replay file (no 'kweave-replay' header)");
		if (!kw_parse_long(sp + 1, &v))
			return kw_perr(err, errn, lx.line, "bad version '%s'", sp + 1);
		if (v != KW_REPLAY_VERSION)
			return kw_perr(err, errn, lx.line, "replay version %s is not supported (this kweave reads version 1)",
				       sp + 1);
	}
	r->races = true;
	while (kw_next_line(&lx, line, sizeof(line))) {
		char *key = line, *val = strchr(line, ' ');

		if (ended)
			return kw_perr(err, errn, lx.line, "%s", "text after 'end'");
		if (want >= 0 && (size_t)want > r->ndec) {
			/* decision lines */
			for (char *tok = strtok(line, " \t"); tok; tok = strtok(NULL, " \t")) {
				unsigned long v, n;
				char *slash = strchr(tok, '/'), *e;

				if (!strcmp(tok, "end"))
					return kw_perr(err, errn, lx.line, "%s", "fewer decisions than announced");
				if (!slash || slash == tok || !isdigit((unsigned char)slash[1]))
					return kw_perr(err, errn, lx.line, "bad decision '%s' (want VALUE/CHOICES)", tok);
				v = strtoul(tok, &e, 10);
				if (e != slash)
					return kw_perr(err, errn, lx.line, "bad decision '%s'", tok);
				n = strtoul(slash + 1, &e, 10);
				if (*e)
					return kw_perr(err, errn, lx.line, "bad decision '%s'", tok);
				if (n < 2 || n > 65535 || v >= n)
					return kw_perr(err, errn, lx.line, "impossible decision '%s'", tok);
				if ((long)r->ndec == want)
					return kw_perr(err, errn, lx.line, "%s", "more decisions than announced");
				if (r->ndec == cap) {
					cap = cap ? 2 * cap : 64;
					r->dec = kw_xrealloc(r->dec, cap * sizeof(*r->dec));
				}
				r->dec[r->ndec].v = (uint16_t)v;
				r->dec[r->ndec].n = (uint16_t)n;
				r->ndec++;
			}
			continue;
		}
		if (!strcmp(line, "end")) {
			if (want < 0)
				return kw_perr(err, errn, lx.line, "%s", "'end' before 'decisions'");
			ended = true;
			continue;
		}
		if (!val)
			return kw_perr(err, errn, lx.line, "malformed line '%s'", line);
		*val++ = 0;
		if (!strcmp(key, "scenario")) {
			snprintf(r->scenario, sizeof(r->scenario), "%s", val);
			have_scenario = true;
		} else if (!strcmp(key, "param")) {
			char *sp = strchr(val, ' ');

			if (!sp || r->nparams == KW_MAX_PARAMS)
				return kw_perr(err, errn, lx.line, "bad param line '%s'", val);
			*sp++ = 0;
			snprintf(r->pname[r->nparams], sizeof(r->pname[0]), "%s", val);
			if (!kw_parse_long(sp, &r->pval[r->nparams]))
				return kw_perr(err, errn, lx.line, "bad param value '%s'", sp);
			r->nparams++;
		} else if (!strcmp(key, "model")) {
			r->model = kw_model_parse(val);
			if (r->model < 0)
				return kw_perr(err, errn, lx.line, "unknown model '%s'", val);
		} else if (!strcmp(key, "races")) {
			if (!kw_parse_onoff(val, &r->races))
				return kw_perr(err, errn, lx.line, "races: want on or off, not '%s'", val);
		} else if (!strcmp(key, "plain-points")) {
			if (!kw_parse_onoff(val, &r->plain_points))
				return kw_perr(err, errn, lx.line, "plain-points: want on or off, not '%s'", val);
		} else if (!strcmp(key, "cpus")) {
			long v;

			if (!kw_parse_long(val, &v) || v < 0 || v > KW_MAX_CPUS)
				return kw_perr(err, errn, lx.line, "bad cpus '%s'", val);
			r->cpus = (int)v;
		} else if (!strcmp(key, "max-steps")) {
			if (!kw_parse_long(val, &r->max_steps) || r->max_steps < 0)
				return kw_perr(err, errn, lx.line, "bad max-steps '%s'", val);
		} else if (!strcmp(key, "found-by")) {
			snprintf(r->found_by, sizeof(r->found_by), "%s", val);
		} else if (!strcmp(key, "check")) {
			snprintf(r->check, sizeof(r->check), "%s", val);
		} else if (!strcmp(key, "decisions")) {
			if (!kw_parse_long(val, &want) || want < 0 || want > 50000000)
				return kw_perr(err, errn, lx.line, "bad decision count '%s'", val);
		} else {
			return kw_perr(err, errn, lx.line, "unknown key '%s'", key);
		}
	}
	if (!have_scenario)
		return kw_perr(err, errn, lx.line, "%s", "no 'scenario' line");
	if (want < 0)
		return kw_perr(err, errn, lx.line, "%s", "no 'decisions' line");
	if ((long)r->ndec != want)
		return kw_perr(err, errn, lx.line, "%s", "fewer decisions than announced");
	if (!ended)
		return kw_perr(err, errn, lx.line, "%s", "truncated: no 'end' line");
	return 0;
}

int kw_replay_load(const char *path, struct kw_replay *r, char *err, size_t errn)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc;

	if (!f) {
		snprintf(err, errn, "cannot open: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		size_t k;

		if (len == cap) {
			cap = cap ? 2 * cap : 4096;
			if (cap > KW_REPLAY_MAX_BYTES + 4096) {
				fclose(f);
				free(buf);
				snprintf(err, errn, "file too large for a replay");
				return -1;
			}
			buf = kw_xrealloc(buf, cap);
		}
		k = fread(buf + len, 1, cap - len, f);
		len += k;
		if (k == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errn, "read error");
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	rc = kw_replay_parse(buf, len, r, err, errn);
	free(buf);
	return rc;
}

int kw_replay_config(const struct kw_replay *r, struct kw_config *cfg, char *err, size_t errn)
{
	const struct kw_scenario *sc = kw_scenario_find(r->scenario);

	if (!sc) {
		snprintf(err, errn, "unknown scenario '%s' (kweave list shows them)", r->scenario);
		return -1;
	}
	kw_config_defaults(cfg, sc);
	for (int i = 0; i < r->nparams; i++) {
		int k = kw_param_index(sc, r->pname[i]);

		if (k < 0) {
			snprintf(err, errn, "scenario %s has no parameter '%s'", sc->name, r->pname[i]);
			return -1;
		}
		if (r->pval[i] < sc->params[k].min || r->pval[i] > sc->params[k].max) {
			snprintf(err, errn, "parameter %s=%ld outside %ld..%ld", r->pname[i], r->pval[i],
				 sc->params[k].min, sc->params[k].max);
			return -1;
		}
		cfg->params[k] = r->pval[i];
	}
	cfg->model = r->model;
	cfg->races = r->races;
	cfg->plain_points = r->plain_points;
	cfg->cpus = r->cpus;
	cfg->max_steps = r->max_steps;
	return 0;
}

/* A file name that says what failed and is the same for the same decisions. */
void kw_replay_filename(const struct kw_replay *r, char *buf, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	char name[128];
	size_t k = 0;

	for (size_t i = 0; i < r->ndec; i++)
		h = (h ^ ((uint64_t)r->dec[i].v << 16 | r->dec[i].n)) * 0x100000001b3ull;
	for (const char *p = r->scenario; *p && k < sizeof(name) - 1; p++)
		name[k++] = (char)(isalnum((unsigned char)*p) || *p == '-' || *p == '_' ? *p : '-');
	name[k] = 0;
	snprintf(buf, n, "%s--%s--%08llx.replay", name, r->check[0] ? r->check : "ok",
		 (unsigned long long)(h & 0xffffffffull));
}
