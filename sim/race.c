// SPDX-License-Identifier: GPL-2.0-only
/*
 * race.c - the data-race detector: vector-clock happens-before on every access the
 * instrumentation shows (FastTrack-style shadow: the last write and the reads since, per
 * 8-byte word, with byte masks).
 *
 * Invariants:
 *  - two accesses race when they overlap, at least one writes, at least one is plain (two
 *    marked accesses never race), they come from different threads, and neither happens
 *    before the other (the earlier one's epoch is not covered by the later thread's clock);
 *  - happens-before comes from the engine's clocks: spawn/join, locks, completions, wake-ups,
 *    work queueing, IRQ entry/exit on a CPU, and release/acquire pairs of the memory model;
 *  - a race is a predictive finding like a lock inversion: the run goes on and the race is its
 *    verdict at the end unless a concrete failure comes first, whose report then lists it;
 *    each site pair is reported once per run;
 *  - data_race() and --no-races silence it; accesses from setup and the final check are not
 *    checked (they are ordered before and after every thread).
 */
#include "kw_internal.h"

#include <stdlib.h>
#include <string.h>

#define KW_SHADOW_READS 8

struct kw_acc {
	int16_t tid;		/* thread, -1: none */
	uint8_t mask;		/* bytes of the word touched */
	uint8_t kind;		/* enum kw_opk: plain read/write, marked load/store/rmw */
	uint32_t epoch;		/* the thread's clock at the access */
	uintptr_t pc;		/* site */
};

struct kw_shadow {
	struct kw_acc w;			/* last write */
	struct kw_acc r[KW_SHADOW_READS];	/* reads since that write, one per thread */
	uint8_t nr;
};

struct kw_race {
	struct kw_amap map;		/* word address -> sh[] */
	struct kw_shadow *sh;		/* shadow words of this run */
	uint32_t nsh, capsh;
	uintptr_t pairs[32][2];		/* site pairs reported this run */
	int npairs;
};

struct kw_race *kw_race_new(void)
{
	struct kw_race *r = calloc(1, sizeof(*r));

	kw_amap_init(&r->map, 1024);
	return r;
}

void kw_race_free(struct kw_race *r)
{
	if (!r)
		return;
	kw_amap_free(&r->map);
	free(r->sh);
	free(r);
}

void kw_race_reset(struct kw_sim *s)
{
	struct kw_race *r = s->race;

	kw_amap_clear(&r->map);
	r->nsh = 0;
	r->npairs = 0;
}

void kw_race_forget(struct kw_sim *s, const void *p, size_t n)
{
	struct kw_race *r = s->race;

	for (uintptr_t w = (uintptr_t)p & ~(uintptr_t)7; w < (uintptr_t)p + n; w += 8)
		kw_amap_del(&r->map, w);
}

static struct kw_shadow *kw_shadow_get(struct kw_race *r, uintptr_t word)
{
	uint32_t *v = kw_amap_get(&r->map, word);
	struct kw_shadow *sh;

	if (v)
		return &r->sh[*v];
	if (r->nsh == r->capsh) {
		r->capsh = r->capsh ? 2 * r->capsh : 256;
		r->sh = kw_xrealloc(r->sh, r->capsh * sizeof(*r->sh));
	}
	sh = &r->sh[r->nsh];
	memset(sh, 0, sizeof(*sh));
	sh->w.tid = -1;
	*kw_amap_put(&r->map, word) = r->nsh++;
	return sh;
}

static bool kw_kind_marked(unsigned k)
{
	return k == KW_OP_LOAD || k == KW_OP_STORE || k == KW_OP_RMW;
}

static const char *kw_kind_name(unsigned k)
{
	switch (k) {
	case KW_OP_PLAIN_READ: return "plain read";
	case KW_OP_PLAIN_WRITE: return "plain write";
	case KW_OP_LOAD: return "marked load";
	case KW_OP_STORE: return "marked store";
	case KW_OP_RMW: return "marked read-modify-write";
	case KW_OP_FREE: return "kfree";
	default: return "access";
	}
}

static void kw_race_found(struct kw_sim *s, struct kw_thread *t, const void *p, size_t n, unsigned kind,
			  uintptr_t pc, const struct kw_acc *prev)
{
	struct kw_race *r = s->race;
	uintptr_t a = pc < prev->pc ? pc : prev->pc, b = pc < prev->pc ? prev->pc : pc;
	char loc[96], s1[200], s2[200], w1[96], w2[96];

	for (int i = 0; i < r->npairs; i++)
		if (r->pairs[i][0] == a && r->pairs[i][1] == b)
			return;
	if (r->npairs < 32) {
		r->pairs[r->npairs][0] = a;
		r->pairs[r->npairs][1] = b;
		r->npairs++;
	}
	kw_addr_label(s, p, loc, sizeof(loc));
	kw_site(pc, s1, sizeof(s1));
	kw_site(prev->pc, s2, sizeof(s2));
	kw_thread_label(t, w1, sizeof(w1));
	kw_thread_label(&s->th[prev->tid], w2, sizeof(w2));
	if (!s->has_deferred) {
		struct kw_report keep = s->rep;
		int st = s->status;

		s->status = KW_RUN_OK;
		kw_report_set(s, "data-race", pc, "data race on %s: %s at %s by %s", loc, kw_kind_name(kind), s1, w1);
		kw_report_detail(s, "  races with %s at %s by %s\n", kw_kind_name(prev->kind), s2, w2);
		kw_report_detail(s, "  %zu bytes; no happens-before between the two (mark both, order them, or wrap a "
				    "benign one in data_race())\n", n);
		s->deferred = s->rep;
		s->has_deferred = true;
		s->rep = keep;
		s->status = st;
	} else {
		struct kw_report *d = &s->deferred;
		int k = snprintf(d->detail + d->dlen, sizeof(d->detail) - d->dlen,
				 "  also a race on %s: %s at %s by %s, against %s at %s by %s\n", loc,
				 kw_kind_name(kind), s1, w1, kw_kind_name(prev->kind), s2, w2);

		if (k > 0 && d->dlen + (size_t)k < sizeof(d->detail))
			d->dlen += (size_t)k;
	}
}

static bool kw_hb(const struct kw_thread *t, const struct kw_acc *a)
{
	return t->vc[a->tid] >= a->epoch;
}

/* Record (and check) an access of n bytes at p by t. */
void kw_race_access(struct kw_sim *s, struct kw_thread *t, const void *p, size_t n, unsigned kind, uintptr_t pc)
{
	kw_race_access_at(s, t, p, n, kind, pc, t->vc[t->id]);
}

void kw_race_access_at(struct kw_sim *s, struct kw_thread *t, const void *p, size_t n, unsigned kind, uintptr_t pc,
		       uint32_t epoch)
{
	struct kw_race *r = s->race;
	uintptr_t start = (uintptr_t)p, end = start + (n ? n : 1);
	bool atomic = kw_kind_marked(kind), write = kind != KW_OP_PLAIN_READ && kind != KW_OP_LOAD;
	struct kw_acc me = { .tid = (int16_t)t->id, .kind = (uint8_t)kind, .epoch = epoch, .pc = pc };
	bool reported = false;
	for (uintptr_t w = start & ~(uintptr_t)7; w < end; w += 8) {
		struct kw_shadow *sh = kw_shadow_get(r, w);
		uintptr_t lo = start > w ? start : w, hi = end < w + 8 ? end : w + 8;
		uint8_t mask = (uint8_t)(((1u << (hi - lo)) - 1u) << (lo - w));

		me.mask = mask;
		if (!reported && sh->w.tid >= 0 && sh->w.tid != t->id && (sh->w.mask & mask) &&
		    !(atomic && kw_kind_marked(sh->w.kind)) && !kw_hb(t, &sh->w)) {
			kw_race_found(s, t, p, n, kind, pc, &sh->w);
			reported = true;
		}
		if (write) {
			for (int i = 0; i < sh->nr && !reported; i++) {
				const struct kw_acc *rd = &sh->r[i];

				if (rd->tid != t->id && (rd->mask & mask) && !(atomic && kw_kind_marked(rd->kind)) &&
				    !kw_hb(t, rd)) {
					kw_race_found(s, t, p, n, kind, pc, rd);
					reported = true;
				}
			}
			sh->w = me;
			sh->nr = 0;
		} else {
			int i;

			for (i = 0; i < sh->nr; i++)
				if (sh->r[i].tid == t->id)
					break;
			if (i == sh->nr) {
				if (sh->nr < KW_SHADOW_READS)
					sh->nr++;
				else
					i = 0; /* full: forget the oldest reader */
			}
			sh->r[i] = me;
		}
	}
}
