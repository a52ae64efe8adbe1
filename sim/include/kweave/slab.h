// SPDX-License-Identifier: GPL-2.0-only
/*
 * slab.h - memory: kmalloc() and friends, kvmalloc()/vmalloc(), kfree()/kvfree(), and slab
 * caches (kmem_cache), over kweave's simulated allocator:
 *  - every block is checked for use after free, double free, out of bounds and leaks;
 *  - a free is a write to the whole block for the race detector (KCSAN and TSan report a free
 *    that is not ordered after another context's access);
 *  - a blocking allocation (GFP_KERNEL, vmalloc, kvmalloc) may sleep: calling it in atomic
 *    context or inside rcu_read_lock() is reported;
 *  - fresh memory holds 0xa5 bytes unless zeroed (kzalloc, __GFP_ZERO, a cache constructor
 *    runs on every allocation instead), freed memory 0x6b;
 *  - a SLAB_TYPESAFE_BY_RCU cache frees objects only after a grace period (objects are
 *    never reused within a run, so a reader that checks the identity of what it found after
 *    taking a reference is correct here as in the kernel, and one that does not may still
 *    read freed-and-reused memory there: not modelled).
 */
#ifndef KWEAVE_SLAB_H
#define KWEAVE_SLAB_H

#include <kweave/kweave.h>
#include <kweave/types.h>

typedef unsigned int gfp_t;
#define __GFP_DIRECT_RECLAIM 0x400u
#define GFP_KERNEL (__GFP_DIRECT_RECLAIM | 0xc0u)
#define GFP_NOFS (__GFP_DIRECT_RECLAIM | 0x40u)
#define GFP_NOIO (__GFP_DIRECT_RECLAIM)
#define GFP_USER GFP_KERNEL
#define GFP_ATOMIC 0x20u
#define GFP_NOWAIT 0u
#define __GFP_ZERO 0x100u
#define __GFP_NOFAIL 0x8000u
#define __GFP_NOWARN 0x200u

void *kw_kmalloc(size_t size, unsigned gfp);
#define kmalloc(size, gfp) kw_kmalloc((size), (gfp))
#define kzalloc(size, gfp) kw_kmalloc((size), (gfp) | __GFP_ZERO)
#define kcalloc(n, size, gfp) kw_kmalloc((n) * (size), (gfp) | __GFP_ZERO)
#define kmalloc_array(n, size, gfp) kw_kmalloc((n) * (size), (gfp))
#define kfree(p) kw_free(p)
#define kfree_sensitive(p) kw_free(p)
#define kvmalloc(size, gfp) kw_kmalloc((size), (gfp))
#define kvzalloc(size, gfp) kw_kmalloc((size), (gfp) | __GFP_ZERO)
#define kvcalloc(n, size, gfp) kw_kmalloc((n) * (size), (gfp) | __GFP_ZERO)
#define kvmalloc_array(n, size, gfp) kw_kmalloc((n) * (size), (gfp))
#define kvfree(p) kw_free(p)
#define vmalloc(size) kw_kmalloc((size), GFP_KERNEL)
#define vzalloc(size) kw_kmalloc((size), GFP_KERNEL | __GFP_ZERO)
#define vfree(p) kw_free(p)

/* ---- slab caches ------------------------------------------------------------------------------ */

#define SLAB_HWCACHE_ALIGN 0x2000ul
#define SLAB_PANIC 0x40000ul
#define SLAB_TYPESAFE_BY_RCU 0x80000ul
#define SLAB_ACCOUNT 0x4000000ul
#define SLAB_RECLAIM_ACCOUNT 0x20000ul

#define kmem_cache_create(name, size, align, flags, ctor) kw_kmem_cache_create((name), (size), (flags), (ctor))
#define KMEM_CACHE(s, flags) kw_kmem_cache_create(#s, sizeof(struct s), (flags), NULL)
#define kmem_cache_alloc(c, gfp) kw_kmem_cache_alloc((c), (gfp))
#define kmem_cache_zalloc(c, gfp) kw_kmem_cache_alloc((c), (gfp) | __GFP_ZERO)
#define kmem_cache_free(c, p) kw_kmem_cache_free((c), (p))
#define kmem_cache_destroy(c) kw_kmem_cache_destroy(c)

#endif /* KWEAVE_SLAB_H */
