// SPDX-License-Identifier: GPL-2.0-only
/*
 * amap.c - address-keyed open-addressing table with generation stamps.
 *
 * Invariants: an entry is live iff its gen equals the table's; clearing bumps the gen, so a
 * run starts with an empty table in O(1). Keys are addresses: nothing may iterate this table
 * to decide or print anything (the order would depend on ASLR); owners keep their own
 * insertion-ordered arrays for that.
 */
#include "kw_internal.h"

#include <stdlib.h>
#include <string.h>

static uint32_t kw_amap_slot(uintptr_t key, uint32_t mask)
{
	uint64_t h = (uint64_t)key * 0x9E3779B97F4A7C15ull;

	return (uint32_t)(h >> 32) & mask;
}

void kw_amap_init(struct kw_amap *m, uint32_t cap)
{
	m->cap = cap;
	m->used = 0;
	m->gen = 1;
	m->e = calloc(cap, sizeof(*m->e));
	if (!m->e) {
		fputs("kweave: out of memory\n", stderr);
		exit(2);
	}
}

void kw_amap_free(struct kw_amap *m)
{
	free(m->e);
	memset(m, 0, sizeof(*m));
}

void kw_amap_clear(struct kw_amap *m)
{
	if (++m->gen == 0) {
		memset(m->e, 0, m->cap * sizeof(*m->e));
		m->gen = 1;
	}
	m->used = 0;
}

uint32_t *kw_amap_get(struct kw_amap *m, uintptr_t key)
{
	uint32_t mask = m->cap - 1, i = kw_amap_slot(key, mask);

	for (;;) {
		struct kw_amap_ent *e = &m->e[i];

		if (e->gen != m->gen)
			return NULL;
		if (e->key == key)
			return &e->val;
		i = (i + 1) & mask;
	}
}

static void kw_amap_grow(struct kw_amap *m)
{
	struct kw_amap old = *m;

	kw_amap_init(m, old.cap * 2);
	for (uint32_t i = 0; i < old.cap; i++)
		if (old.e[i].gen == old.gen)
			*kw_amap_put(m, old.e[i].key) = old.e[i].val;
	free(old.e);
}

uint32_t *kw_amap_put(struct kw_amap *m, uintptr_t key)
{
	uint32_t mask, i;

	if ((m->used + 1) * 4 > m->cap * 3)
		kw_amap_grow(m);
	mask = m->cap - 1;
	i = kw_amap_slot(key, mask);
	for (;;) {
		struct kw_amap_ent *e = &m->e[i];

		if (e->gen != m->gen) {
			e->gen = m->gen;
			e->key = key;
			e->val = 0;
			m->used++;
			return &e->val;
		}
		if (e->key == key)
			return &e->val;
		i = (i + 1) & mask;
	}
}

/* Backward-shift deletion keeps probe chains intact without tombstones. */
void kw_amap_del(struct kw_amap *m, uintptr_t key)
{
	uint32_t mask = m->cap - 1, i = kw_amap_slot(key, mask), j, k;

	for (;;) {
		if (m->e[i].gen != m->gen)
			return;
		if (m->e[i].key == key)
			break;
		i = (i + 1) & mask;
	}
	m->used--;
	j = i;
	for (;;) {
		j = (j + 1) & mask;
		if (m->e[j].gen != m->gen)
			break;
		k = kw_amap_slot(m->e[j].key, mask);
		/* move e[j] to the hole at i when its home k is not in (i, j] cyclically */
		if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
			m->e[i] = m->e[j];
			i = j;
		}
	}
	m->e[i].gen = m->gen - 1;
}
