// SPDX-License-Identifier: GPL-2.0-only
/*
 * slab.c - slab caches (kmem_cache_create/alloc/free/destroy) over the simulated allocator.
 *
 * Invariants:
 *  - An object is a kmalloc block of the cache's size (so every allocator check applies),
 *    constructed by the cache's constructor on each allocation.
 *  - A SLAB_TYPESAFE_BY_RCU cache frees an object only after a grace period (the memory
 *    stays valid for readers that found it under rcu_read_lock()).
 *  - Caches belong to the run (a pool reset by each run, like the objects they hand out);
 *    destroying a cache with objects still allocated is reported ("kmem-cache-busy").
 */
#include "kernel_priv.h"

#include <stdlib.h>
#include <string.h>

#define KW_SLAB_TYPESAFE_BY_RCU 0x80000ul

void kw_slab_reset(struct kw_sim *s)
{
	kw_ks(s)->ncaches = 0;
}

__attribute__((noinline)) struct kmem_cache *kw_kmem_cache_create(const char *name, size_t size, unsigned long flags,
								  void (*ctor)(void *))
{
	struct kw_sim *s = kw_S;
	struct kw_kstate *ks;
	struct kmem_cache *c;

	if (!s || !s->in_run)
		return NULL;
	if (s->cur)
		kw_might_sleep_at(KW_RET_PC, "kmem_cache_create");
	ks = kw_ks(s);
	if (ks->ncaches == KW_MAX_CACHES) {
		kw_report_set(s, "engine-limit", KW_RET_PC, "more than %d slab caches in one run", KW_MAX_CACHES);
		kw_fail_now(s);
	}
	c = &ks->caches[ks->ncaches++];
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name ? name : "cache");
	c->size = size;
	c->flags = flags;
	c->ctor = ctor;
	return c;
}

__attribute__((noinline)) void *kw_kmem_cache_alloc(struct kmem_cache *c, unsigned gfp)
{
	struct kw_sim *s = kw_S;
	uintptr_t pc = KW_RET_PC;
	void *p;

	if (s && s->in_run && s->cur && (gfp & 0x400u))
		kw_might_sleep_at(pc, "kmem_cache_alloc(GFP_KERNEL)");
	p = kw_malloc_at(c->size, (gfp & 0x100u) != 0, pc);
	c->live++;
	if (c->ctor)
		c->ctor(p);
	return p;
}

__attribute__((noinline)) void kw_kmem_cache_free(struct kmem_cache *c, void *p)
{
	struct kw_sim *s;
	struct kw_thread *t = kw_cur_thread(&s);
	uintptr_t pc = KW_RET_PC;

	if (!p)
		return;
	c->live--;
	if ((c->flags & KW_SLAB_TYPESAFE_BY_RCU) && s && s->in_run)
		kw_rcu_queue(s, t, NULL, p, pc, "kmem_cache_free (SLAB_TYPESAFE_BY_RCU)");
	else
		kw_free_at(p, pc);
}

__attribute__((noinline)) void kw_kmem_cache_destroy(struct kmem_cache *c)
{
	struct kw_sim *s = kw_S;

	if (!c)
		return;
	if (c->live && s && s->in_run) {
		kw_report_set(s, "kmem-cache-busy", KW_RET_PC, "kmem_cache_destroy(%s) with %ld object%s still allocated",
			      c->name, c->live, c->live == 1 ? "" : "s");
		kw_fail_now(s);
	}
	if ((c->flags & KW_SLAB_TYPESAFE_BY_RCU) && s && s->in_run && s->cur)
		kw_rcu_barrier();
	c->dead = true;
}
