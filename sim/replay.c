// SPDX-License-Identifier: GPL-2.0-only
/*
 * replay.c - the replay file: a versioned text file holding the scenario, its parameters,
 * the run's configuration, how it was found, the check it failed, and the decisions (each
 * "value/alternatives") - decisions only, never a stored trace.
 *
 * Format version 2, exactly as kw_replay_write() writes it (one '\n'-ended line each):
 *
 *   # kweave replay: decisions only. Run it with: kweave replay FILE
 *   kweave-replay 2
 *   scenario NAME
 *   param NAME VALUE          one per scenario parameter, in the scenario's order
 *   model sc|tso|weak
 *   races on|off
 *   plain-points on|off
 *   cpus N                    0: the scenario's
 *   max-steps N               0: the scenario's
 *   found-by TEXT
 *   check CHECK               "none": the run passes
 *   decisions N
 *   V/N V/N ...               16 a line, the last line holding the rest
 *   end
 *
 * Invariants:
 *  - the parser accepts exactly what the writer produces, plus lines starting with '#':
 *    every key exactly once and in that order, no defaults, single spaces, decimal numbers
 *    without signs or leading zeros (a parameter value may be negative), no control bytes,
 *    names of printable non-space ASCII; a line longer than KW_REPLAY_LINE_MAX, a name longer
 *    than its field, a number out of range is an error, never cut or clamped. For an
 *    accepted file, writing what was parsed gives the file back (comments aside);
 *  - anything else is rejected with one line naming the line and the reason; the version
 *    line is checked first, so an older format is rejected by its version;
 *  - the writer refuses what the parser would refuse (a name that does not fit, a byte
 *    outside printable ASCII): it never writes a file it cannot read back.
 *  - Replaying holds the run to the file (kw_replay_play): a decision with another number
 *    of alternatives, a run that needs more decisions or leaves some over, and a run that
 *    ends with another check than the recorded one (or passes where the file records a
 *    failure, or fails where it records none) is a divergence.
 */
#include "kw_internal.h"
#include "replay.h"

#include <ctype.h>
#include <limits.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define KW_REPLAY_MAGIC "kweave-replay"
#define KW_REPLAY_VERSION 2
#define KW_REPLAY_PER_LINE 16

/* ---- memory models ------------------------------------------------------------------------- */

/* One row per name: the first row of a model is its canonical name (written, and printed);
 * alias rows are accepted on the command line only. Add a model or an alias here. */
static const struct {
	const char *name;
	int model;
	bool alias;
} kw_models[] = {
	{ "sc", KW_MODEL_SC, false },
	{ "tso", KW_MODEL_TSO, false },
	{ "weak", KW_MODEL_WEAK, false },
};
#define KW_NMODELS (sizeof(kw_models) / sizeof(kw_models[0]))

const char *kw_model_name(int m)
{
	for (size_t i = 0; i < KW_NMODELS; i++)
		if (kw_models[i].model == m && !kw_models[i].alias)
			return kw_models[i].name;
	return "?";
}

static int kw_model_lookup(const char *s, bool aliases)
{
	for (size_t i = 0; i < KW_NMODELS; i++)
		if (!strcmp(s, kw_models[i].name) && (aliases || !kw_models[i].alias))
			return kw_models[i].model;
	return -1;
}

int kw_model_parse(const char *s)
{
	return kw_model_lookup(s, true);
}

const char *kw_model_list(void)
{
	static char buf[256];
	size_t k = 0, n = 0, names = 0;

	for (size_t i = 0; i < KW_NMODELS; i++)
		names++;
	for (size_t i = 0; i < KW_NMODELS; i++) {
		const char *sep = !n ? "" : n + 1 == names ? " or " : ", ";

		k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s%s", sep, kw_models[i].name);
		n++;
		if (k >= sizeof(buf))
			break;
	}
	return buf;
}

/* ---- the structure ---------------------------------------------------------------------------- */

void kw_replay_clear(struct kw_replay *r)
{
	free(r->dec);
	memset(r, 0, sizeof(*r));
}

/* A name (no spaces) or a text (spaces allowed) the format can hold: printable ASCII. */
static bool kw_text_ok(const char *s, bool spaces)
{
	if (!*s)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p > 0x7e || (*p == ' ' && !spaces))
			return false;
	return true;
}

int kw_replay_set_text(char *dst, size_t n, const char *src)
{
	size_t len = strlen(src ? src : "");

	if (len >= n)
		return -1;
	memcpy(dst, src ? src : "", len + 1);
	return 0;
}

int kw_replay_from_config(struct kw_replay *r, const struct kw_config *cfg)
{
	const struct kw_scenario *sc = cfg->sc;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	rc |= kw_replay_set_text(r->scenario, sizeof(r->scenario), sc->name);
	for (int i = 0; i < KW_MAX_PARAMS && sc->params[i].name; i++) {
		rc |= kw_replay_set_text(r->pname[i], sizeof(r->pname[i]), sc->params[i].name);
		r->pval[i] = cfg->params[i];
		r->nparams = i + 1;
	}
	r->model = cfg->model;
	r->races = cfg->races;
	r->plain_points = cfg->plain_points;
	r->cpus = cfg->cpus;
	r->max_steps = cfg->max_steps;
	return rc ? -1 : 0;
}

int kw_replay_set_decisions(struct kw_replay *r, const struct kw_decision *d, size_t n)
{
	free(r->dec);
	r->ndec = 0;
	r->dec = malloc((n ? n : 1) * sizeof(*d));
	if (!r->dec)
		return -1;
	if (n)
		memcpy(r->dec, d, n * sizeof(*d));
	r->ndec = n;
	return 0;
}

/* ---- writing -------------------------------------------------------------------------------- */

int kw_replay_write(FILE *f, const struct kw_replay *r)
{
	const char *found = r->found_by[0] ? r->found_by : "unknown";
	const char *check = r->check[0] ? r->check : "none";

	/* never write what kw_replay_parse() would refuse */
	if (!kw_text_ok(r->scenario, false) || !kw_text_ok(found, true) || !kw_text_ok(check, false) ||
	    r->nparams < 0 || r->nparams > KW_MAX_PARAMS || !strcmp(kw_model_name(r->model), "?") ||
	    r->cpus < 0 || r->cpus > KW_MAX_CPUS || r->max_steps < 0 || r->max_steps > KW_REPLAY_MAX_STEPS ||
	    r->ndec > KW_REPLAY_MAX_DECISIONS) {
		errno = EINVAL;
		return -1;
	}
	for (int i = 0; i < r->nparams; i++)
		if (!kw_text_ok(r->pname[i], false)) {
			errno = EINVAL;
			return -1;
		}
	for (size_t i = 0; i < r->ndec; i++)
		if (r->dec[i].n < 2 || r->dec[i].v >= r->dec[i].n) {
			errno = EINVAL;
			return -1;
		}
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
	fprintf(f, "found-by %s\n", found);
	fprintf(f, "check %s\n", check);
	fprintf(f, "decisions %zu\n", r->ndec);
	for (size_t i = 0; i < r->ndec; i++)
		fprintf(f, "%u/%u%c", r->dec[i].v, r->dec[i].n,
			(i % KW_REPLAY_PER_LINE == KW_REPLAY_PER_LINE - 1 || i + 1 == r->ndec) ? '\n' : ' ');
	fprintf(f, "end\n");
	return ferror(f) ? -1 : 0;
}

/* ---- parsing -------------------------------------------------------------------------------- */

struct kw_lexer {
	const char *p, *end;	/* remaining text */
	int line;		/* current line number, 1-based */
	char *err;		/* where the error goes */
	size_t errn;
};

__attribute__((format(printf, 2, 3))) static int kw_perr(struct kw_lexer *lx, const char *fmt, ...)
{
	char m[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	if (lx->line > 0)
		snprintf(lx->err, lx->errn, "line %d: %s", lx->line, m);
	else
		snprintf(lx->err, lx->errn, "%s", m);
	return -1;
}

/* The next line that is not a comment, in buf (without its '\n'). 1: a line; 0: end of the
 * text; -1: an error (set). */
static int kw_next_line(struct kw_lexer *lx, char *buf, size_t n)
{
	for (;;) {
		const char *nl;
		size_t len;

		if (lx->p >= lx->end)
			return 0;
		nl = memchr(lx->p, '\n', (size_t)(lx->end - lx->p));
		len = nl ? (size_t)(nl - lx->p) : (size_t)(lx->end - lx->p);
		lx->line++;
		if (len >= n)
			return kw_perr(lx, "longer than %zu bytes", n - 1);
		if (!nl)
			return kw_perr(lx, "%s", "no newline at the end: truncated?");
		memcpy(buf, lx->p, len);
		buf[len] = 0;
		lx->p = nl + 1;
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] > 0x7e)
				return kw_perr(lx, "byte 0x%02x at column %zu (a replay is printable ASCII)",
					       (unsigned char)buf[i], i + 1);
		if (buf[0] == '#')
			continue;
		if (!len)
			return kw_perr(lx, "%s", "blank line");
		if (buf[0] == ' ' || buf[len - 1] == ' ' || strstr(buf, "  "))
			return kw_perr(lx, "%s", "stray space (fields are separated by one space)");
		return 1;
	}
}

/* A decimal number as the writer prints it: no sign (unless neg_ok), no leading zero. */
static bool kw_parse_num(const char *s, bool neg_ok, long lo, long hi, long *out)
{
	unsigned long long v = 0;
	bool neg = false;

	if (*s == '-' && neg_ok) {
		neg = true;
		s++;
	}
	if (!isdigit((unsigned char)*s) || (s[0] == '0' && s[1]) || (neg && s[0] == '0'))
		return false;
	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (!isdigit((unsigned char)*s) || v > ((unsigned long long)LONG_MAX + 1 - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (!neg && v > (unsigned long long)LONG_MAX)
		return false;
	*out = neg ? (long)(0 - v) : (long)v;
	return *out >= lo && *out <= hi;
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

/* "KEY VALUE" for the key expected next; returns VALUE or NULL (error set). */
static const char *kw_key(struct kw_lexer *lx, char *line, int got, const char *key)
{
	size_t k = strlen(key);

	if (got <= 0) {
		if (got == 0) {
			lx->line = 0;
			kw_perr(lx, "truncated: no '%s' line", key);
		}
		return NULL;
	}
	if (strncmp(line, key, k) || (line[k] != ' ' && line[k] != 0)) {
		char shown[40];

		snprintf(shown, sizeof(shown), "%.*s", (int)strcspn(line, " "), line);
		kw_perr(lx, "expected '%s', found '%s' (every key once, in the writer's order)", key, shown);
		return NULL;
	}
	if (line[k] != ' ' || !line[k + 1]) {
		kw_perr(lx, "'%s' without a value", key);
		return NULL;
	}
	return line + k + 1;
}

static int kw_set_name(struct kw_lexer *lx, char *dst, size_t n, const char *v, const char *what, bool spaces)
{
	if (!kw_text_ok(v, spaces))
		return kw_perr(lx, "bad %s", what);
	if (strlen(v) >= n)
		return kw_perr(lx, "%s longer than %zu bytes", what, n - 1);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static int kw_parse_decisions(struct kw_lexer *lx, char *line, size_t want, struct kw_replay *r)
{
	size_t cap = 0;

	while (r->ndec < want) {
		size_t on_line = want - r->ndec < KW_REPLAY_PER_LINE ? want - r->ndec : KW_REPLAY_PER_LINE, got = 0;
		int k = kw_next_line(lx, line, KW_REPLAY_LINE_MAX + 1);
		char *tok, *save = NULL;

		if (k < 0)
			return -1;
		if (k == 0) {
			lx->line = 0;
			return kw_perr(lx, "truncated: %zu of %zu decisions", r->ndec, want);
		}
		for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			char *slash = strchr(tok, '/');
			long v, n;

			if (!strcmp(tok, "end"))
				return kw_perr(lx, "'end' after %zu of %zu decisions", r->ndec, want);
			if (!slash)
				return kw_perr(lx, "bad decision '%.20s' (want VALUE/CHOICES)", tok);
			*slash = 0;
			if (!kw_parse_num(tok, false, 0, 65534, &v) || !kw_parse_num(slash + 1, false, 2, 65535, &n))
				return kw_perr(lx, "bad decision '%.12s/%.12s' (want VALUE/CHOICES)", tok, slash + 1);
			if (v >= n)
				return kw_perr(lx, "impossible decision %ld/%ld (value not below its choices)", v, n);
			if (++got > on_line)
				return kw_perr(lx, "more decisions on this line than the %zu announced and %d a line", want,
					       KW_REPLAY_PER_LINE);
			if (r->ndec == cap) {
				cap = cap ? 2 * cap : 256;
				r->dec = kw_xrealloc(r->dec, cap * sizeof(*r->dec));
			}
			r->dec[r->ndec].v = (uint16_t)v;
			r->dec[r->ndec].n = (uint16_t)n;
			r->ndec++;
		}
		if (got != on_line)
			return kw_perr(lx, "%zu decisions on this line, the format has %zu", got, on_line);
	}
	return 0;
}

int kw_replay_parse(const char *text, size_t len, struct kw_replay *r, char *err, size_t errn)
{
	struct kw_lexer lx = { text, text + len, 0, err, errn };
	char *line;
	const char *v;
	long num;
	int got, rc = -1;

	memset(r, 0, sizeof(*r));
	if (errn)
		err[0] = 0;
	if (len > KW_REPLAY_MAX_BYTES)
		return kw_perr(&lx, "larger than %u bytes: not a replay", KW_REPLAY_MAX_BYTES);
	if (!len)
		return kw_perr(&lx, "%s", "empty file: not a kweave replay");
	line = malloc(KW_REPLAY_LINE_MAX + 1);
	if (!line)
		return kw_perr(&lx, "%s", "out of memory");
	got = kw_next_line(&lx, line, KW_REPLAY_LINE_MAX + 1);
	if (got <= 0 || strncmp(line, KW_REPLAY_MAGIC " ", strlen(KW_REPLAY_MAGIC) + 1)) {
		if (got >= 0)
			kw_perr(&lx, "%s", "not a kweave replay file (no 'kweave-replay' line)");
		/* a binary file fails on its first line: say what it is not */
		if (got < 0 && lx.line <= 1)
			snprintf(err, errn, "not a kweave replay file (line 1 is not text)");
		goto out;
	}
	v = line + strlen(KW_REPLAY_MAGIC) + 1;
	if (!kw_parse_num(v, false, 0, LONG_MAX, &num)) {
		kw_perr(&lx, "bad version '%.20s'", v);
		goto out;
	}
	if (num != KW_REPLAY_VERSION) {
		if (num < KW_REPLAY_VERSION)
			kw_perr(&lx, "replay format version %ld is no longer read (this kweave reads version %d): "
				"make it again (kweave run, tools/regen-regressions)", num, KW_REPLAY_VERSION);
		else
			kw_perr(&lx, "replay format version %ld is newer than this kweave (it reads version %d)", num,
				KW_REPLAY_VERSION);
		goto out;
	}
	got = kw_next_line(&lx, line, KW_REPLAY_LINE_MAX + 1);
	if (!(v = kw_key(&lx, line, got, "scenario")) ||
	    kw_set_name(&lx, r->scenario, sizeof(r->scenario), v, "scenario name", false))
		goto out;
	for (;;) {
		char *sp;

		got = kw_next_line(&lx, line, KW_REPLAY_LINE_MAX + 1);
		if (got <= 0 || strncmp(line, "param ", 6))
			break;
		if (r->nparams == KW_MAX_PARAMS) {
			kw_perr(&lx, "more than %d parameters", KW_MAX_PARAMS);
			goto out;
		}
		v = line + 6;
		sp = strchr(v, ' ');
		if (!sp) {
			kw_perr(&lx, "%s", "'param' wants NAME VALUE");
			goto out;
		}
		*sp = 0;
		if (kw_set_name(&lx, r->pname[r->nparams], sizeof(r->pname[0]), v, "parameter name", false))
			goto out;
		if (!kw_parse_num(sp + 1, true, LONG_MIN, LONG_MAX, &r->pval[r->nparams])) {
			kw_perr(&lx, "bad value '%.24s' of parameter %s", sp + 1, r->pname[r->nparams]);
			goto out;
		}
		for (int i = 0; i < r->nparams; i++)
			if (!strcmp(r->pname[i], r->pname[r->nparams])) {
				kw_perr(&lx, "parameter %s given twice", r->pname[i]);
				goto out;
			}
		r->nparams++;
	}
	if (!(v = kw_key(&lx, line, got, "model")))
		goto out;
	if ((r->model = kw_model_lookup(v, false)) < 0) {
		kw_perr(&lx, "unknown model '%.24s' (%s)", v, kw_model_list());
		goto out;
	}
	got = kw_next_line(&lx, line, KW_REPLAY_LINE_MAX + 1);
	if (!(v = kw_key(&lx, line, got, "races")))
		goto out;
	if (!kw_parse_onoff(v, &r->races)) {
		kw_perr(&lx, "races: want on or off, not '%.24s'", v);
		goto out;
	}
	got = kw_next_line(&lx, line, KW_REPLAY_LINE_MAX + 1);
	if (!(v = kw_key(&lx, line, got, "plain-points")))
		goto out;
	if (!kw_parse_onoff(v, &r->plain_points)) {
		kw_perr(&lx, "plain-points: want on or off, not '%.24s'", v);
		goto out;
	}
	got = kw_next_line(&lx, line, KW_REPLAY_LINE_MAX + 1);
	if (!(v = kw_key(&lx, line, got, "cpus")))
		goto out;
	if (!kw_parse_num(v, false, 0, KW_MAX_CPUS, &num)) {
		kw_perr(&lx, "bad cpus '%.24s' (0..%d)", v, KW_MAX_CPUS);
		goto out;
	}
	r->cpus = (int)num;
	got = kw_next_line(&lx, line, KW_REPLAY_LINE_MAX + 1);
	if (!(v = kw_key(&lx, line, got, "max-steps")))
		goto out;
	if (!kw_parse_num(v, false, 0, KW_REPLAY_MAX_STEPS, &r->max_steps)) {
		kw_perr(&lx, "bad max-steps '%.24s' (0..%ld)", v, (long)KW_REPLAY_MAX_STEPS);
		goto out;
	}
	got = kw_next_line(&lx, line, KW_REPLAY_LINE_MAX + 1);
	if (!(v = kw_key(&lx, line, got, "found-by")) ||
	    kw_set_name(&lx, r->found_by, sizeof(r->found_by), v, "found-by text", true))
		goto out;
	got = kw_next_line(&lx, line, KW_REPLAY_LINE_MAX + 1);
	if (!(v = kw_key(&lx, line, got, "check")) || kw_set_name(&lx, r->check, sizeof(r->check), v, "check", false))
		goto out;
	if (!strcmp(r->check, "none"))
		r->check[0] = 0;
	got = kw_next_line(&lx, line, KW_REPLAY_LINE_MAX + 1);
	if (!(v = kw_key(&lx, line, got, "decisions")))
		goto out;
	if (!kw_parse_num(v, false, 0, KW_REPLAY_MAX_DECISIONS, &num)) {
		kw_perr(&lx, "bad decision count '%.24s' (0..%ld)", v, (long)KW_REPLAY_MAX_DECISIONS);
		goto out;
	}
	if (kw_parse_decisions(&lx, line, (size_t)num, r))
		goto out;
	got = kw_next_line(&lx, line, KW_REPLAY_LINE_MAX + 1);
	if (got > 0 && strcmp(line, "end")) {
		kw_perr(&lx, "%s", "expected 'end' (more decisions than announced?)");
		goto out;
	}
	if (got <= 0) {
		if (!got) {
			lx.line = 0;
			kw_perr(&lx, "%s", "truncated: no 'end' line");
		}
		goto out;
	}
	got = kw_next_line(&lx, line, KW_REPLAY_LINE_MAX + 1);
	if (got) {
		if (got > 0)
			kw_perr(&lx, "%s", "text after 'end'");
		goto out;
	}
	rc = 0;
out:
	free(line);
	if (rc) {
		free(r->dec);
		r->dec = NULL;
		r->ndec = 0;
	}
	return rc;
}

int kw_replay_load(const char *path, struct kw_replay *r, char *err, size_t errn)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	if (!f) {
		snprintf(err, errn, "cannot open: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		size_t k;

		if (len == cap) {
			if (cap > KW_REPLAY_MAX_BYTES) {
				fclose(f);
				free(buf);
				snprintf(err, errn, "larger than %u bytes: not a replay", KW_REPLAY_MAX_BYTES);
				return -1;
			}
			cap = cap ? 2 * cap : 4096;
			buf = kw_xrealloc(buf, cap + 1);
		}
		k = fread(buf + len, 1, cap - len, f);
		len += k;
		if (k == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errn, "read error: %s", strerror(errno ? errno : EIO));
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
	int np = 0;

	if (!sc) {
		snprintf(err, errn, "unknown scenario '%s' (kweave list shows them)", r->scenario);
		return -1;
	}
	kw_config_defaults(cfg, sc);
	while (np < KW_MAX_PARAMS && sc->params[np].name)
		np++;
	/* no defaults: the file names every parameter of the scenario, in its order */
	for (int i = 0; i < np || i < r->nparams; i++) {
		if (i >= r->nparams) {
			snprintf(err, errn, "no value for parameter %s of %s", sc->params[i].name, sc->name);
			return -1;
		}
		if (i >= np || strcmp(r->pname[i], sc->params[i].name)) {
			if (kw_param_index(sc, r->pname[i]) < 0)
				snprintf(err, errn, "scenario %s has no parameter '%s'", sc->name, r->pname[i]);
			else
				snprintf(err, errn, "parameter %s out of the scenario's order", r->pname[i]);
			return -1;
		}
		if (r->pval[i] < sc->params[i].min || r->pval[i] > sc->params[i].max) {
			snprintf(err, errn, "parameter %s=%ld outside %ld..%ld", r->pname[i], r->pval[i],
				 sc->params[i].min, sc->params[i].max);
			return -1;
		}
		cfg->params[i] = r->pval[i];
	}
	cfg->model = r->model;
	cfg->races = r->races;
	cfg->plain_points = r->plain_points;
	cfg->cpus = r->cpus;
	cfg->max_steps = r->max_steps;
	return 0;
}

int kw_replay_play(struct kw_sim *s, const struct kw_replay *r, const struct kw_config *cfg, bool trace)
{
	int st = kw_replay_run(s, cfg, r->dec, r->ndec, trace);
	const char *got = st == KW_RUN_FAIL ? s->rep.check : "";

	if (st == KW_RUN_ERROR || !strcmp(got, r->check))
		return st;
	s->status = KW_RUN_ERROR;
	if (!r->check[0])
		snprintf(s->err, sizeof(s->err), "replay diverges: the file records no failure, the run failed '%s'", got);
	else if (!got[0])
		snprintf(s->err, sizeof(s->err), "replay diverges: the file records check '%s', the run passed", r->check);
	else
		snprintf(s->err, sizeof(s->err), "replay diverges: the file records check '%s', the run failed '%s'",
			 r->check, got);
	return KW_RUN_ERROR;
}

/* A file name that says what failed and is the same for the same scenario, check and
 * decisions; a long scenario name is shortened (the hash still tells files apart). */
void kw_replay_filename(const struct kw_replay *r, char *buf, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	char name[96];
	size_t k = 0;

	for (const char *p = r->scenario; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
	for (const char *p = r->check; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
	for (size_t i = 0; i < r->ndec; i++)
		h = (h ^ ((uint64_t)r->dec[i].v << 16 | r->dec[i].n)) * 0x100000001b3ull;
	for (const char *p = r->scenario; *p && k < sizeof(name) - 1; p++)
		name[k++] = (char)(isalnum((unsigned char)*p) || *p == '-' || *p == '_' ? *p : '-');
	name[k] = 0;
	{
		char check[48];
		size_t j = 0;

		for (const char *p = r->check[0] ? r->check : "ok"; *p && j < sizeof(check) - 1; p++)
			check[j++] = (char)(isalnum((unsigned char)*p) || *p == '-' || *p == '_' ? *p : '-');
		check[j] = 0;
		snprintf(buf, n, "%s--%s--%08llx.replay", name, check, (unsigned long long)(h & 0xffffffffull));
	}
}
