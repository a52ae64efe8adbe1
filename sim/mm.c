// SPDX-License-Identifier: GPL-2.0-only
/*
 * mm.c - the memory models: sc, tso and weak (close to the LKMM).
 *
 * Every location touched by a marked access keeps a short history of stores, each with its
 * position in modification order (ts), its writer's clock (tid, epoch), the release clock an
 * acquire load gets from it, and the epoch at which each thread first read it.
 *
 * weak:
 *  - a load may read any store at or after its coherence floor: the latest store that
 *    happens before it, that it (or something happening before it) already read, or that it
 *    wrote itself (CoRR, CoWR, CoRW, CoWW by construction). Which one is a decision
 *    (KW_CH_READ), latest first, so the fixed rule "0" behaves sequentially consistently;
 *  - a store takes a position in modification order anywhere after its floor, not only at
 *    the end (KW_CH_STORE, end first): this is what makes S and 2+2W reachable. Two stores to
 *    one location are therefore independent for dfs's reduction (placement, not schedule,
 *    orders them); loads and RMWs stay dependent on stores;
 *  - an RMW reads the store right before its own position and nothing may come between them
 *    (atomicity): it cannot read a store already followed by an RMW;
 *  - release stores carry the writer's clock; acquire loads join it; relaxed loads gather
 *    clocks for a later acquire fence (smp_rmb joins them too); release fences give later
 *    relaxed stores their clock; smp_wmb gives later stores only the writer's own component
 *    (it orders the writer's own stores: it is not A-cumulative); RMWs continue release
 *    sequences;
 *  - smp_mb() and fully ordered (seq_cst) RMWs synchronise through one global clock in the
 *    order they execute: stores before one are visible after any later one;
 *  - cmpxchg() orders only when it succeeds; a failed one is a relaxed load of whatever store
 *    it read.
 * sc: a load reads the latest store; a store goes at the end.
 * tso: stores wait in a per-thread FIFO; another thread's load may take a pending store
 *    (which drains that thread's FIFO up to it) or the latest drained one; a thread reads its
 *    own latest pending store; fences, RMWs, kernel sync operations and thread end drain.
 *
 * Known differences from the LKMM (the README lists them): no load buffering (a load never
 * reads a store that has not executed), address dependencies are not tracked (rcu_dereference
 * is an acquire), smp_rmb() also orders later stores, and smp_mb() orders through execution
 * order.
 *
 * Real memory always holds each location's latest store in modification order, so plain
 * accesses and the final check see the "current" value.
 */
#include "kw_internal.h"

#include <stdlib.h>
#include <string.h>

#define KW_MM_HIST 12
#define KW_TS_GAP (1ll << 32)
#define KW_TSO_BUF 64

struct kw_store {
	uint64_t val;			/* value */
	int64_t ts;			/* position in modification order */
	int16_t tid;			/* writer; -1: the initial value (before every thread) */
	bool rmw;			/* an RMW: glued to the store before it */
	uint32_t epoch;			/* writer's clock when it stored */
	uintptr_t pc;			/* site */
	uint64_t tok;			/* tsan preset: the sync token it released (0: none) */
	kw_vc_t rel;			/* what an acquire load reading it joins */
	uint32_t first_read[KW_MAX_THREADS]; /* epoch of each thread's first read of it, 0: none */
};

struct kw_loc {
	uintptr_t addr;			/* start */
	uint8_t size;			/* bytes */
	bool plain_dirty;		/* a plain write may have changed memory since */
	int16_t plain_tid;		/* who wrote it plainly */
	uint32_t plain_epoch;		/* and when */
	uint32_t n;			/* stores held, sorted by ts */
	uint64_t version;		/* stores ever made (recognised waits watch this) */
	struct kw_store st[KW_MM_HIST];
};

struct kw_pending {
	uint32_t loc;			/* index into locs */
	uint64_t tok;			/* tsan preset: its sync token */
	uint64_t val;
	uintptr_t pc;
	uint32_t epoch;
	kw_vc_t rel;
};

struct kw_tsobuf {
	struct kw_pending p[KW_TSO_BUF];
	uint32_t n;
};

struct kw_mm {
	struct kw_amap map;		/* address -> locs[] */
	struct kw_loc *locs;		/* this run's locations */
	uint32_t nlocs, caplocs;
	kw_vc_t sc;			/* global clock of smp_mb() and seq_cst RMWs */
	uint32_t draining;		/* tso: threads whose FIFO is being drained (not offered) */
	uint64_t seq;			/* tsan preset: sync tokens handed out this run */
	uint64_t has[64];		/* 8-byte granules holding a location (hashed bits): lets a
					 * plain write skip the map when it touches none */
	struct kw_tsobuf buf[KW_MAX_THREADS];
};

struct kw_mm *kw_mm_new(void)
{
	struct kw_mm *mm = calloc(1, sizeof(*mm));

	kw_amap_init(&mm->map, 256);
	return mm;
}

void kw_mm_free(struct kw_mm *mm)
{
	if (!mm)
		return;
	kw_amap_free(&mm->map);
	free(mm->locs);
	free(mm);
}

void kw_mm_reset(struct kw_sim *s)
{
	struct kw_mm *mm = s->mm;

	kw_amap_clear(&mm->map);
	mm->nlocs = 0;
	mm->draining = 0;
	mm->seq = 0;
	memset(mm->has, 0, sizeof(mm->has));
	memset(mm->sc, 0, sizeof(mm->sc));
	for (int i = 0; i < KW_MAX_THREADS; i++)
		mm->buf[i].n = 0;
}

uint64_t kw_raw_load(const void *p, unsigned size)
{
	switch (size) {
	case 1: return __atomic_load_n((const uint8_t *)p, __ATOMIC_RELAXED);
	case 2: return __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED);
	case 4: return __atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED);
	default: return __atomic_load_n((const uint64_t *)p, __ATOMIC_RELAXED);
	}
}

void kw_raw_store(void *p, unsigned size, uint64_t v)
{
	switch (size) {
	case 1: __atomic_store_n((uint8_t *)p, (uint8_t)v, __ATOMIC_RELAXED); break;
	case 2: __atomic_store_n((uint16_t *)p, (uint16_t)v, __ATOMIC_RELAXED); break;
	case 4: __atomic_store_n((uint32_t *)p, (uint32_t)v, __ATOMIC_RELAXED); break;
	default: __atomic_store_n((uint64_t *)p, v, __ATOMIC_RELAXED); break;
	}
}

static uint64_t kw_mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static uint64_t kw_rmw_apply(enum kw_rmw_op op, uint64_t old, uint64_t v)
{
	switch (op) {
	case KW_RMW_XCHG: return v;
	case KW_RMW_ADD: return old + v;
	case KW_RMW_SUB: return old - v;
	case KW_RMW_AND: return old & v;
	case KW_RMW_OR: return old | v;
	case KW_RMW_XOR: return old ^ v;
	case KW_RMW_NAND: return ~(old & v);
	}
	return v;
}

/* ---- locations --------------------------------------------------------------------------- */

static void kw_loc_init(struct kw_loc *l, uintptr_t addr, unsigned size)
{
	l->addr = addr;
	l->size = (uint8_t)size;
	l->plain_dirty = false;
	l->n = 1;
	l->version = 0;
	memset(&l->st[0], 0, sizeof(l->st[0]));
	l->st[0].val = kw_raw_load((const void *)addr, size);
	l->st[0].tid = -1;
}

/* A plain write (or an access of another size) changed memory under the history: the current
 * memory value becomes the only store, written by the plain writer. */
static void kw_loc_collapse(struct kw_loc *l)
{
	int16_t tid = l->plain_dirty ? l->plain_tid : -1;
	uint32_t ep = l->plain_dirty ? l->plain_epoch : 0;
	int64_t ts = l->n ? l->st[l->n - 1].ts + KW_TS_GAP : 0;

	memset(&l->st[0], 0, sizeof(l->st[0]));
	l->st[0].val = kw_raw_load((const void *)l->addr, l->size);
	l->st[0].ts = ts;
	l->st[0].tid = tid;
	l->st[0].epoch = ep;
	l->n = 1;
	l->plain_dirty = false;
	l->version++;
}

static struct kw_loc *kw_loc_get(struct kw_mm *mm, const void *p, unsigned size)
{
	uint32_t *v = kw_amap_get(&mm->map, (uintptr_t)p);
	struct kw_loc *l;

	if (v) {
		l = &mm->locs[*v];
		if (l->size != size) {
			l->size = (uint8_t)size;
			kw_loc_collapse(l);
		} else if (l->plain_dirty) {
			kw_loc_collapse(l);
		}
		return l;
	}
	if (mm->nlocs == mm->caplocs) {
		mm->caplocs = mm->caplocs ? 2 * mm->caplocs : 64;
		mm->locs = kw_xrealloc(mm->locs, mm->caplocs * sizeof(*mm->locs));
	}
	l = &mm->locs[mm->nlocs];
	kw_loc_init(l, (uintptr_t)p, size);
	for (uintptr_t g = (uintptr_t)p >> 3; g <= ((uintptr_t)p + size - 1) >> 3; g++)
		mm->has[(g >> 6) & 63] |= 1ull << (g & 63);
	*kw_amap_put(&mm->map, (uintptr_t)p) = mm->nlocs++;
	return l;
}

void kw_mm_plain_write(struct kw_sim *s, struct kw_thread *t, const void *p, size_t n)
{
	struct kw_mm *mm = s->mm;

	if (!mm->nlocs)
		return;
	{
		bool maybe = false;

		for (uintptr_t g = (uintptr_t)p >> 3; g <= ((uintptr_t)p + n - 1) >> 3 && !maybe; g++)
			maybe = mm->has[(g >> 6) & 63] >> (g & 63) & 1;
		if (!maybe)
			return; /* no location overlaps these granules */
	}
	/* locations start at most 7 bytes before p (sizes are at most 8) */
	for (uintptr_t a = (uintptr_t)p >= 7 ? (uintptr_t)p - 7 : 0; a < (uintptr_t)p + n; a++) {
		uint32_t *v = kw_amap_get(&mm->map, a);

		if (v) {
			struct kw_loc *l = &mm->locs[*v];

			if (l->addr + l->size > (uintptr_t)p) {
				l->plain_dirty = true;
				l->plain_tid = (int16_t)t->id;
				l->plain_epoch = t->vc[t->id];
			}
		}
		if (n > 64 && a >= (uintptr_t)p + 64)
			break; /* large memset: only the head is likely a marked location */
	}
}

void kw_mm_forget(struct kw_sim *s, const void *p, size_t n)
{
	struct kw_mm *mm = s->mm;

	for (uint32_t i = 0; i < mm->nlocs; i++) {
		uintptr_t a = mm->locs[i].addr;

		if (a >= (uintptr_t)p && a < (uintptr_t)p + n && kw_amap_get(&mm->map, a))
			kw_amap_del(&mm->map, a);
	}
}

/* ---- visibility -------------------------------------------------------------------------- */

/* Does t have to see store s (or something later)? */
static bool kw_seen(const struct kw_store *st, const struct kw_thread *t)
{
	if (st->tid < 0 || st->tid == t->id || t->vc[st->tid] >= st->epoch)
		return true; /* initial, own, or happens before */
	for (int u = 0; u < KW_MAX_THREADS; u++)
		if (st->first_read[u] && t->vc[u] >= st->first_read[u])
			return true; /* a read of it happens before */
	return false;
}

/* Index of the first store t may read (the coherence floor). */
static uint32_t kw_floor(const struct kw_loc *l, const struct kw_thread *t)
{
	for (uint32_t i = l->n; i-- > 0;)
		if (kw_seen(&l->st[i], t))
			return i;
	return 0;
}

static void kw_note_read(struct kw_store *st, struct kw_thread *t, int mo)
{
	if (!st->first_read[t->id])
		st->first_read[t->id] = t->vc[t->id];
	if (mo == KW_ACQUIRE || mo == KW_CONSUME || mo == KW_ACQ_REL || mo == KW_SEQ_CST) {
		kw_vc_join(t->vc, st->rel);
		if (st->tok)
			KW_TSAN_ACQUIRE_TOKEN(st->tok);
	} else {
		kw_vc_join(t->acq_pending, st->rel);
#ifdef KW_REAL_TSAN
		if (st->tok)
			t->tsan_pending[t->tsan_npending++ % 8] = st->tok;
#endif
	}
}

/* An acquire fence: what relaxed loads read becomes visible (tsan preset: their tokens). */
static void kw_acquire_pending(struct kw_thread *t)
{
	kw_vc_join(t->vc, t->acq_pending);
#ifdef KW_REAL_TSAN
	for (unsigned i = 0; i < t->tsan_npending && i < 8; i++)
		KW_TSAN_ACQUIRE_TOKEN(t->tsan_pending[i]);
	t->tsan_npending = 0;
#endif
}

/* tsan preset: a store that carries a clock releases a fresh token. */
static void kw_store_token(struct kw_mm *mm, struct kw_store *st)
{
#ifdef KW_REAL_TSAN
	for (int i = 0; i < KW_MAX_THREADS; i++)
		if (st->rel[i]) {
			st->tok = ++mm->seq;
			KW_TSAN_RELEASE_TOKEN(st->tok);
			return;
		}
#endif
	(void)mm;
	(void)st;
}

/* The clock a new store carries. */
static void kw_store_rel(const struct kw_thread *t, int mo, kw_vc_t out)
{
	if (mo == KW_RELEASE || mo == KW_ACQ_REL || mo == KW_SEQ_CST) {
		memcpy(out, t->vc, sizeof(kw_vc_t));
		return;
	}
	memset(out, 0, sizeof(kw_vc_t));
	if (t->has_rel_fence)
		memcpy(out, t->rel_fence, sizeof(kw_vc_t));
	if (t->wmb_fence[t->id] > out[t->id])
		out[t->id] = t->wmb_fence[t->id];
}

static void kw_sc_fence(struct kw_mm *mm, struct kw_thread *t)
{
	kw_acquire_pending(t);
	kw_vc_join(t->vc, mm->sc);
	kw_vc_join(mm->sc, t->vc);
	KW_TSAN_ACQUIRE(&mm->sc); /* smp_mb() pairs with every other smp_mb() */
	KW_TSAN_RELEASE(&mm->sc);
	memcpy(t->rel_fence, t->vc, sizeof(kw_vc_t));
	t->has_rel_fence = true;
	kw_vc_tick(t);
}

/* Insert a store at index pos (0 < pos <= n): ts between st[pos-1] and st[pos]. */
static struct kw_store *kw_insert(struct kw_loc *l, uint32_t pos)
{
	int64_t ts = pos == l->n ? l->st[l->n - 1].ts + KW_TS_GAP : l->st[pos - 1].ts + (l->st[pos].ts - l->st[pos - 1].ts) / 2;
	struct kw_store *st;

	if (l->n == KW_MM_HIST) {
		/* forget the oldest store: nobody may read before the floor anyway in most runs */
		memmove(&l->st[0], &l->st[1], (l->n - 1) * sizeof(l->st[0]));
		l->n--;
		pos--;
	}
	memmove(&l->st[pos + 1], &l->st[pos], (l->n - pos) * sizeof(l->st[0]));
	l->n++;
	st = &l->st[pos];
	memset(st, 0, sizeof(*st));
	st->ts = ts;
	l->version++;
	return st;
}

static bool kw_gap_after(const struct kw_loc *l, uint32_t i)
{
	return i + 1 == l->n || (!l->st[i + 1].rmw && l->st[i + 1].ts - l->st[i].ts >= 2);
}

/* ---- tso store buffers ---------------------------------------------------------------------- */

static void kw_store_at_end(struct kw_sim *s, struct kw_loc *l, uint64_t v, int16_t tid, uint32_t epoch,
			    const kw_vc_t rel, uintptr_t pc, uint64_t tok)
{
	struct kw_store *st = kw_insert(l, l->n);

	st->tok = tok;
	st->val = v;
	st->tid = tid;
	st->epoch = epoch;
	st->pc = pc;
	memcpy(st->rel, rel, sizeof(kw_vc_t));
	kw_raw_store((void *)l->addr, l->size, v);
	(void)s;
}

static void kw_tso_offer(struct kw_sim *s, int tid, uint32_t li, bool must_drain);

/* Make the first upto pending stores of thread tid visible, in order. Before each one, other
 * threads' pending stores to the same location may become visible first: that is how two
 * threads' stores to one location take either order. */
static void kw_tso_drain(struct kw_sim *s, int tid, uint32_t upto)
{
	struct kw_mm *mm = s->mm;
	struct kw_tsobuf *b = &mm->buf[tid];

	mm->draining |= 1u << tid;
	while (upto-- > 0 && b->n) {
		struct kw_pending p;

		kw_tso_offer(s, tid, b->p[0].loc, false);
		p = b->p[0];
		memmove(&b->p[0], &b->p[1], (b->n - 1) * sizeof(b->p[0]));
		b->n--;
		kw_store_at_end(s, &mm->locs[p.loc], p.val, (int16_t)tid, p.epoch, p.rel, p.pc, p.tok);
	}
	mm->draining &= ~(1u << tid);
}

void kw_mm_sync_op(struct kw_sim *s, struct kw_thread *t)
{
	if (s->cfg.model == KW_MODEL_TSO && s->mm->buf[t->id].n)
		kw_tso_drain(s, t->id, KW_TSO_BUF);
}

/* (A finished thread's pending stores drain later: when read, or at the end of the run.) */

/* Before thread tid reads (or makes visible a store to) location li: another thread's
 * pending store to it may become visible now (draining that thread's FIFO up to it).
 * Option 0 keeps memory as it is. */
static void kw_tso_offer(struct kw_sim *s, int tid, uint32_t li, bool must_drain)
{
	struct kw_mm *mm = s->mm;
	unsigned n = 1, k;
	struct { int tid; uint32_t idx; } opt[64];

	for (int u = 0; u < s->nth; u++) {
		struct kw_tsobuf *b = &mm->buf[u];

		if (u == tid || (mm->draining >> u & 1u))
			continue;
		for (uint32_t i = 0; i < b->n && n < 64; i++)
			if (b->p[i].loc == li) {
				opt[n].tid = u;
				opt[n].idx = i;
				n++;
			}
	}
	if (must_drain && n > 1) {
		/* a resumed wait: re-reading memory as it was would only spin */
		k = 1 + kw_choose_value(s, KW_CH_READ, n - 1);
	} else {
		k = kw_choose_value(s, KW_CH_READ, n);
	}
	if (k)
		kw_tso_drain(s, opt[k].tid, opt[k].idx + 1);
}

static uint64_t kw_tso_load(struct kw_sim *s, struct kw_thread *t, struct kw_loc *l, uint32_t li, int *src)
{
	struct kw_tsobuf *own = &s->mm->buf[t->id];
	struct kw_store *st;

	for (uint32_t i = own->n; i-- > 0;)
		if (own->p[i].loc == li) {
			/* store forwarding, or the buffer has drained that far already */
			if (!kw_choose_value(s, KW_CH_READ, 2)) {
				*src = -2;
				return own->p[i].val;
			}
			kw_tso_drain(s, t->id, i + 1);
			break;
		}
	kw_tso_offer(s, t->id, li, t->wait_loc == l->addr && l->st[l->n - 1].ts <= t->wait_ts);
	t->wait_loc = 0;
	st = &l->st[l->n - 1];
	kw_note_read(st, t, KW_ACQUIRE);
	*src = -2;
	return st->val;
}

/* The run is over: what is still buffered drains, in an order that is a decision (the final
 * values depend on it). */
void kw_mm_end_of_run(struct kw_sim *s)
{
	struct kw_mm *mm = s->mm;

	if (s->cfg.model != KW_MODEL_TSO)
		return;
	for (;;) {
		int who[KW_MAX_THREADS], n = 0;

		for (int u = 0; u < s->nth; u++)
			if (mm->buf[u].n)
				who[n++] = u;
		if (!n)
			return;
		kw_tso_drain(s, who[kw_choose_value(s, KW_CH_STORE, (unsigned)n)], 1);
		(void)mm;
	}
}

/* ---- loads, stores, RMWs ------------------------------------------------------------------ */

uint64_t kw_mm_load(struct kw_sim *s, struct kw_thread *t, const void *p, unsigned size, int mo, uintptr_t pc)
{
	struct kw_mm *mm = s->mm;
	struct kw_loc *l;
	uint32_t f, n, k;
	struct kw_store *st;

	if (!t)
		return kw_raw_load(p, size);
	l = kw_loc_get(mm, p, size);
	if (s->cfg.model == KW_MODEL_TSO) {
		int src;
		uint64_t v = kw_tso_load(s, t, l, (uint32_t)(l - mm->locs), &src);

		t->last_src = src;
		t->last_load_loc = l->addr;
		t->last_load_ts = l->st[l->n - 1].ts;
		return v & kw_mask(size);
	}
	f = s->cfg.model == KW_MODEL_SC ? l->n - 1 : kw_floor(l, t);
	/* a recognised wait resumed: re-reading what it already saw would only spin */
	if (t->wait_loc == l->addr)
		while (f < l->n - 1 && l->st[f].ts <= t->wait_ts)
			f++;
	t->wait_loc = 0;
	n = l->n - f;
	k = n > 1 ? kw_choose_value(s, KW_CH_READ, n) : 0;
	st = &l->st[l->n - 1 - k];
	kw_note_read(st, t, mo);
	if (kw_cov_hook)
		kw_cov_hook(st->pc, pc);
	if (k) {
		t->stale_pc = pc;
		t->stale_addr = (const void *)l->addr;
		t->stale_val = st->val & kw_mask(size);
		t->stale_src = st->tid;
		t->stale_src_pc = st->pc;
		t->stale_new = l->st[l->n - 1].tid;
		t->stale_new_pc = l->st[l->n - 1].pc;
	}
	t->last_src = k ? st->tid : -2;
	t->last_src_pc = st->pc;
	t->last_load_loc = l->addr;
	t->last_load_ts = st->ts;
	return st->val & kw_mask(size);
}

void kw_mm_store(struct kw_sim *s, struct kw_thread *t, void *p, unsigned size, uint64_t v, int mo, uintptr_t pc)
{
	struct kw_mm *mm = s->mm;
	struct kw_loc *l;
	uint32_t f, pos, opts[KW_MM_HIST + 1], n = 0, k;
	struct kw_store *st;

	if (!t) {
		kw_raw_store(p, size, v);
		return;
	}
	v &= kw_mask(size);
	l = kw_loc_get(mm, p, size);
	if (s->cfg.model == KW_MODEL_TSO) {
		struct kw_tsobuf *b = &mm->buf[t->id];

		if (b->n == KW_TSO_BUF)
			kw_tso_drain(s, t->id, 1);
		b->p[b->n].loc = (uint32_t)(l - mm->locs);
		b->p[b->n].val = v;
		b->p[b->n].pc = pc;
		b->p[b->n].epoch = t->vc[t->id];
		memcpy(b->p[b->n].rel, t->vc, sizeof(kw_vc_t)); /* x86 stores are releases */
		b->p[b->n].tok = 0;
#ifdef KW_REAL_TSAN
		b->p[b->n].tok = ++mm->seq;
		KW_TSAN_RELEASE_TOKEN(b->p[b->n].tok);
#endif
		b->n++;
		kw_vc_tick(t);
		return;
	}
	/* where in modification order: at the end first, then right after each older store
	 * at or above the floor (never between an RMW and the store it read) */
	f = s->cfg.model == KW_MODEL_SC ? l->n - 1 : kw_floor(l, t);
	for (uint32_t i = l->n; i-- > f;)
		if (kw_gap_after(l, i))
			opts[n++] = i + 1;
	k = n > 1 ? kw_choose_value(s, KW_CH_STORE, n) : 0;
	pos = opts[k];
	st = kw_insert(l, pos);
	st->val = v;
	st->tid = (int16_t)t->id;
	st->epoch = t->vc[t->id];
	st->pc = pc;
	kw_store_rel(t, mo, st->rel);
	kw_store_token(mm, st);
	if (st == &l->st[l->n - 1])
		kw_raw_store(p, size, v);
	kw_vc_tick(t);
}

/* Candidates for an RMW: stores at or above the floor not already followed by an RMW. */
static uint32_t kw_rmw_candidates(struct kw_sim *s, struct kw_loc *l, struct kw_thread *t, uint32_t *c)
{
	uint32_t f = s->cfg.model == KW_MODEL_WEAK ? kw_floor(l, t) : l->n - 1, n = 0;

	for (uint32_t i = l->n; i-- > f;)
		if (kw_gap_after(l, i))
			c[n++] = i;
	return n;
}

static uint64_t kw_rmw_on(struct kw_sim *s, struct kw_thread *t, struct kw_loc *l, uint32_t ri, uint64_t nv,
			  int mo, uintptr_t pc)
{
	struct kw_store *r = &l->st[ri], *st;
	uint64_t old = r->val;
	kw_vc_t rel;

	memcpy(rel, r->rel, sizeof(rel)); /* a release sequence goes on through RMWs */
	kw_note_read(r, t, mo);
	st = kw_insert(l, ri + 1);
	st->val = nv & kw_mask(l->size);
	st->tid = (int16_t)t->id;
	st->epoch = t->vc[t->id];
	st->pc = pc;
	st->rmw = true;
	kw_store_rel(t, mo, st->rel);
	kw_vc_join(st->rel, rel);
	kw_store_token(s->mm, st);
	if (st == &l->st[l->n - 1])
		kw_raw_store((void *)l->addr, l->size, st->val);
	kw_vc_tick(t);
	return old;
}

uint64_t kw_mm_rmw(struct kw_sim *s, struct kw_thread *t, void *p, unsigned size, enum kw_rmw_op op, uint64_t v,
		   int mo, uintptr_t pc)
{
	struct kw_mm *mm = s->mm;
	struct kw_loc *l;
	uint32_t c[KW_MM_HIST], n, k;
	uint64_t old;

	if (!t) {
		old = kw_raw_load(p, size);
		kw_raw_store(p, size, kw_rmw_apply(op, old, v));
		return old & kw_mask(size);
	}
	l = kw_loc_get(mm, p, size);
	kw_mm_sync_op(s, t);
	if (s->cfg.model == KW_MODEL_TSO)
		kw_tso_offer(s, t->id, (uint32_t)(l - mm->locs), false);
	if (mo == KW_SEQ_CST)
		kw_sc_fence(mm, t); /* value-returning kernel RMWs are fully ordered: smp_mb() before */
	n = kw_rmw_candidates(s, l, t, c);
	k = n > 1 ? kw_choose_value(s, KW_CH_READ, n) : 0;
	t->last_src = k ? l->st[c[k]].tid : -2;
	t->last_src_pc = l->st[c[k]].pc;
	old = kw_rmw_on(s, t, l, c[k], kw_rmw_apply(op, l->st[c[k]].val, v), mo, pc);
	if (mo == KW_SEQ_CST)
		kw_sc_fence(mm, t); /* ... and after */
	return old & kw_mask(size);
}

bool kw_mm_cmpxchg(struct kw_sim *s, struct kw_thread *t, void *p, unsigned size, uint64_t *expected,
		   uint64_t desired, int mo_ok, int mo_fail, uintptr_t pc)
{
	struct kw_mm *mm = s->mm;
	struct kw_loc *l;
	uint64_t want = *expected & kw_mask(size);
	uint32_t f, opt[KW_MM_HIST], n = 0, k;
	struct kw_store *r;

	if (!t) {
		uint64_t old = kw_raw_load(p, size);
		bool ok = old == want;

		if (ok)
			kw_raw_store(p, size, desired);
		*expected = old;
		return ok;
	}
	l = kw_loc_get(mm, p, size);
	kw_mm_sync_op(s, t);
	if (s->cfg.model == KW_MODEL_TSO)
		kw_tso_offer(s, t->id, (uint32_t)(l - mm->locs), false);
	/* every store it may read: equal to *expected (success, if nothing is glued after it)
	 * or not (failure, a plain relaxed load) */
	f = s->cfg.model == KW_MODEL_WEAK ? kw_floor(l, t) : l->n - 1;
	for (uint32_t i = l->n; i-- > f;)
		if (l->st[i].val != want || kw_gap_after(l, i))
			opt[n++] = i;
	if (!n) {
		/* the only readable store is glued to an RMW: read it and fail */
		opt[n++] = l->n - 1;
	}
	k = n > 1 ? kw_choose_value(s, KW_CH_READ, n) : 0;
	r = &l->st[opt[k]];
	t->last_src = k ? r->tid : -2;
	t->last_src_pc = r->pc;
	*expected = r->val;
	if (r->val != want) {
		kw_note_read(r, t, mo_fail); /* failure: no ordering beyond mo_fail */
		return false;
	}
	if (mo_ok == KW_SEQ_CST)
		kw_sc_fence(mm, t);
	kw_rmw_on(s, t, l, opt[k], desired, mo_ok, pc);
	if (mo_ok == KW_SEQ_CST)
		kw_sc_fence(mm, t);
	return true;
}

void kw_mm_fence(struct kw_sim *s, struct kw_thread *t, enum kw_fence f)
{
	if (!t)
		return;
	switch (f) {
	case KW_FENCE_MB:
		kw_mm_sync_op(s, t);
		kw_sc_fence(s->mm, t);
		break;
	case KW_FENCE_ACQ:
	case KW_FENCE_RMB:
		kw_acquire_pending(t);
		break;
	case KW_FENCE_REL:
		memcpy(t->rel_fence, t->vc, sizeof(kw_vc_t));
		t->has_rel_fence = true;
		kw_vc_tick(t);
		break;
	case KW_FENCE_WMB:
		t->wmb_fence[t->id] = t->vc[t->id];
		kw_vc_tick(t);
		break;
	}
}

/* ---- recognised waits ---------------------------------------------------------------------- */

/* cpu_relax() after a load: the thread may go on only once a store newer than the one it read
 * exists at that location (GenMC's spin-assume): a wait loop then stays finite under dfs. */
bool kw_mm_wait_enabled(struct kw_sim *s, const struct kw_thread *t)
{
	uint32_t *v;
	const struct kw_loc *l;

	if (!t->wait_loc)
		return true;
	v = kw_amap_get(&s->mm->map, t->wait_loc);
	if (!v)
		return true;
	l = &s->mm->locs[*v];
	if (s->cfg.model == KW_MODEL_TSO) {
		for (int u = 0; u < s->nth; u++)
			for (uint32_t i = 0; i < s->mm->buf[u].n; i++)
				if (u != t->id && s->mm->buf[u].p[i].loc == *v)
					return true;
	}
	return l->plain_dirty || l->st[l->n - 1].ts > t->wait_ts;
}

void kw_mm_wait_begin(struct kw_sim *s, struct kw_thread *t)
{
	(void)s;
	t->wait_loc = t->last_load_loc;
	t->wait_ts = t->last_load_ts;
}

