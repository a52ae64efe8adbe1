// SPDX-License-Identifier: GPL-2.0-only
/*
 * alloc.c - the simulated allocator behind kmalloc/kzalloc/kfree.
 *
 * Invariants:
 *  - every block of a run comes from one arena, bump-allocated with a 16-byte redzone after
 *    it, and is never reused within the run: an access to a freed block or a redzone is
 *    always seen (through the instrumentation) and reported with the allocation and free
 *    sites;
 *  - a granule table maps each 16-byte granule of the arena to its block, so the check on
 *    every plain access is O(1);
 *  - blocks are named by allocation order ("kmalloc#3"), never by address;
 *  - the arena is reset at the start of each run; live blocks at the end of a run are leaks
 *    (the final check may free what the scenario keeps on purpose);
 *  - a size is checked before any arithmetic on it: more than KW_KMALLOC_MAX is the
 *    scenario's failure, and a block never extends past the arena or its granule table;
 *  - kfree() is a write to the whole block for the race detector, checked before the block's
 *    shadow is forgotten.
 */
#define _GNU_SOURCE
#include "kw_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define KW_ARENA_SIZE (256ull << 20)
/* The largest block kmalloc hands out: the kernel's KMALLOC_MAX_SIZE with 4 KiB pages and
 * MAX_ORDER 10 (4 MiB). Larger is the scenario's failure ("alloc-size"), never a block of
 * another size. */
#define KW_KMALLOC_MAX (4ull << 20)
#define KW_GRANULE 16u
#define KW_REDZONE 16u

struct kw_block {
	uintptr_t addr;		/* start */
	size_t size;		/* bytes asked for */
	uintptr_t alloc_pc;	/* kmalloc site */
	uintptr_t free_pc;	/* kfree site, 0 while live */
	int16_t alloc_tid;	/* allocating thread (-1: main) */
	int16_t free_tid;	/* freeing thread */
	bool freed;
};

struct kw_alloc {
	char *arena;		/* KW_ARENA_SIZE bytes, reserved once */
	uint32_t *gran;		/* granule -> block index + 1 (0: none / redzone) */
	size_t used;		/* bump pointer (bytes) */
	size_t gran_used;	/* granules touched this run */
	struct kw_block *b;	/* blocks of this run, in allocation order */
	uint32_t nb, capb;
};

struct kw_alloc *kw_alloc_new(void)
{
	struct kw_alloc *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->arena = mmap(NULL, KW_ARENA_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			-1, 0);
	a->gran = mmap(NULL, KW_ARENA_SIZE / KW_GRANULE * sizeof(uint32_t), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (a->arena == MAP_FAILED || a->gran == MAP_FAILED) {
		fputs("kweave: cannot reserve the allocator arena\n", stderr);
		exit(2);
	}
	return a;
}

void kw_alloc_free_all(struct kw_alloc *a)
{
	if (!a)
		return;
	munmap(a->arena, KW_ARENA_SIZE);
	munmap(a->gran, KW_ARENA_SIZE / KW_GRANULE * sizeof(uint32_t));
	free(a->b);
	free(a);
}

void kw_alloc_reset(struct kw_sim *s)
{
	struct kw_alloc *a = s->alloc;

	if (a->gran_used)
		memset(a->gran, 0, a->gran_used * sizeof(uint32_t));
	a->used = 0;
	a->gran_used = 0;
	a->nb = 0;
}

static struct kw_block *kw_block_of(struct kw_alloc *a, const void *p)
{
	uintptr_t off = (uintptr_t)p - (uintptr_t)a->arena;
	uint32_t g;

	if ((uintptr_t)p < (uintptr_t)a->arena || off >= a->used)
		return NULL;
	g = a->gran[off / KW_GRANULE];
	return g ? &a->b[g - 1] : NULL;
}

static bool kw_in_arena(struct kw_alloc *a, const void *p)
{
	return (uintptr_t)p >= (uintptr_t)a->arena && (uintptr_t)p - (uintptr_t)a->arena < KW_ARENA_SIZE;
}

const char *kw_alloc_name(struct kw_sim *s, const void *p, char *buf, size_t n)
{
	struct kw_alloc *a = s->alloc;
	struct kw_block *b;
	uintptr_t off;

	if (!kw_in_arena(a, p))
		return NULL;
	b = kw_block_of(a, p);
	if (!b) {
		/* a redzone: name the block before it */
		for (uint32_t i = a->nb; i-- > 0;)
			if (a->b[i].addr <= (uintptr_t)p) {
				b = &a->b[i];
				break;
			}
		if (!b)
			return NULL;
	}
	off = (uintptr_t)p - b->addr;
	if (off)
		snprintf(buf, n, "kmalloc#%u+%lu", (unsigned)(b - a->b) + 1, (unsigned long)off);
	else
		snprintf(buf, n, "kmalloc#%u", (unsigned)(b - a->b) + 1);
	return buf;
}

static void kw_block_sites(struct kw_sim *s, const struct kw_block *b)
{
	char site[200], who[96];

	kw_report_detail(s, "  allocated at %s by %s\n", kw_site(b->alloc_pc, site, sizeof(site)),
			 b->alloc_tid >= 0 ? kw_thread_label(&s->th[b->alloc_tid], who, sizeof(who)) : "setup");
	if (b->freed)
		kw_report_detail(s, "  freed at %s by %s\n", kw_site(b->free_pc, site, sizeof(site)),
				 b->free_tid >= 0 ? kw_thread_label(&s->th[b->free_tid], who, sizeof(who)) : "setup");
}

static void *kw_alloc_block(struct kw_sim *s, size_t size, bool zero, uintptr_t pc)
{
	struct kw_alloc *a = s->alloc;
	size_t span, need;
	struct kw_block *b;
	char *p;

	/* sizes are checked before any arithmetic on them: no rounding can wrap around */
	if (size > KW_KMALLOC_MAX) {
		kw_report_set(s, "alloc-size", pc,
			      "kmalloc of %zu bytes: more than any allocation can hold (KMALLOC_MAX_SIZE is %llu "
			      "here; the kernel warns and returns NULL)%s", size, (unsigned long long)KW_KMALLOC_MAX,
			      size > SIZE_MAX / 2 ? ": a negative or overflowed size?" : "");
		kw_fail_now(s);
	}
	span = size ? (size + KW_GRANULE - 1) / KW_GRANULE * KW_GRANULE : KW_GRANULE;
	need = span + KW_REDZONE;
	if (need > KW_ARENA_SIZE - a->used) {
		kw_report_set(s, "engine-limit", pc, "the simulated allocator's arena is full (%zu bytes asked, %zu of %llu used)",
			      size, a->used, (unsigned long long)KW_ARENA_SIZE);
		kw_fail_now(s);
	}
	if (a->nb == a->capb) {
		a->capb = a->capb ? 2 * a->capb : 64;
		a->b = kw_xrealloc(a->b, a->capb * sizeof(*a->b));
	}
	b = &a->b[a->nb++];
	p = a->arena + a->used;
	*b = (struct kw_block){ .addr = (uintptr_t)p, .size = size, .alloc_pc = pc,
				.alloc_tid = s->cur ? (int16_t)s->cur->id : -1, .free_tid = -1 };
	for (size_t g = 0; g < span / KW_GRANULE; g++)
		a->gran[a->used / KW_GRANULE + g] = a->nb;
	a->used += need;
	a->gran_used = a->used / KW_GRANULE;
	/* fresh memory holds a pattern, not zeros, unless asked: uninitialised reads show */
	memset(p, zero ? 0 : 0xa5, span);
	kw_trace_event(s, s->cur, KW_OP_ALLOC, p, 0, size, 0, pc, "kmalloc");
	return p;
}

void *kw_malloc_at(size_t size, bool zero, uintptr_t pc)
{
	struct kw_sim *s = kw_S;

	if (!s || !s->in_run)
		return zero ? calloc(1, size ? size : 1) : malloc(size ? size : 1);
	return kw_alloc_block(s, size, zero, pc);
}

__attribute__((noinline)) void *kw_malloc(size_t size, bool zero)
{
	return kw_malloc_at(size, zero, KW_RET_PC);
}

__attribute__((noinline)) void *kw_kmalloc(size_t size, unsigned gfp)
{
	struct kw_sim *s = kw_S;
	uintptr_t pc = KW_RET_PC;

	/* a blocking allocation (GFP_KERNEL) may sleep */
	if (s && s->in_run && s->cur && (gfp & 0x400u))
		kw_might_sleep_at(pc, "kmalloc(GFP_KERNEL)");
	return kw_malloc_at(size, (gfp & 0x100u) != 0, pc);
}

void kw_free_at(const void *p, uintptr_t pc)
{
	struct kw_sim *s = kw_S;
	struct kw_alloc *a;
	struct kw_block *b;

	if (!p)
		return;
	if (!s || !s->in_run) {
		if (!s || !kw_in_arena(s->alloc, p))
			free((void *)p);
		return;
	}
	a = s->alloc;
	b = kw_block_of(a, p);
	if (s->cur && b && b->addr == (uintptr_t)p) {
		/* freeing is a write to the whole block: a scheduling point, so that dfs sees it
		 * conflict with every access to the block */
		struct kw_op op = { .kind = KW_OP_FREE, .size = 8, .span = (uint32_t)b->size, .addr = p, .pc = pc };

		kw_sched_point(s, &op);
	}
	if (!b || b->addr != (uintptr_t)p) {
		char l[96];

		kw_report_set(s, "invalid-free", pc, "kfree of %s, which is not the start of a kmalloc block",
			      kw_in_arena(a, p) ? kw_alloc_name(s, p, l, sizeof(l)) ? l : "a redzone" :
			      "memory kmalloc did not return");
		if (b)
			kw_block_sites(s, b);
		kw_fail_now(s);
	}
	if (b->freed) {
		char l[96];

		kw_report_set(s, "double-free", pc, "kfree of %s, already freed",
			      kw_alloc_name(s, p, l, sizeof(l)));
		kw_block_sites(s, b);
		kw_fail_now(s);
	}
	/* a free is a write to the whole block: one not ordered after another context's access
	 * is a race, as KCSAN and TSan report it */
	if (s->cur && s->cfg.races && !s->cur->data_race_depth)
		kw_race_access(s, s->cur, p, b->size, KW_OP_FREE, pc);
	b->freed = true;
	b->free_pc = pc;
	b->free_tid = s->cur ? (int16_t)s->cur->id : -1;
	/* engine state living in the block (locks, histories, shadow) dies with it */
	kw_obj_forget_range(s, p, b->size);
	kw_mm_forget(s, p, b->size);
	kw_race_forget(s, p, b->size);
	memset((void *)p, 0x6b, b->size); /* the kernel's POISON_FREE */
	kw_trace_event(s, s->cur, KW_OP_ALLOC, p, 0, b->size, 1, pc, "kfree");
}

__attribute__((noinline)) void kw_free(const void *p)
{
	kw_free_at(p, KW_RET_PC);
}

/* Check an access of n bytes at p; false (with the report set) if it hits freed memory or a
 * redzone. */
bool kw_alloc_check(struct kw_sim *s, struct kw_thread *t, const void *p, size_t n, bool write, uintptr_t pc)
{
	struct kw_alloc *a = s->alloc;
	struct kw_block *b;
	char l[96], who[96];

	if (!kw_in_arena(a, p))
		return true;
	b = kw_block_of(a, p);
	if (b && !b->freed && (uintptr_t)p + n <= b->addr + b->size)
		return true;
	if (b && b->freed) {
		kw_report_set(s, "use-after-free", pc, "%s of %zu bytes at %s, freed, by %s", write ? "write" : "read",
			      n, kw_alloc_name(s, p, l, sizeof(l)), kw_thread_label(t, who, sizeof(who)));
		kw_block_sites(s, b);
		return false;
	}
	if (!b && (uintptr_t)p - (uintptr_t)a->arena >= a->used)
		return true; /* not handed out: not ours to judge */
	kw_report_set(s, "out-of-bounds", pc, "%s of %zu bytes at %s, past the end of its block, by %s",
		      write ? "write" : "read", n, kw_alloc_name(s, p, l, sizeof(l)) ? l : "a redzone",
		      kw_thread_label(t, who, sizeof(who)));
	return false;
}

void kw_alloc_end_of_run(struct kw_sim *s)
{
	struct kw_alloc *a = s->alloc;
	uint32_t live = 0, first = 0;
	size_t bytes = 0;

	for (uint32_t i = 0; i < a->nb; i++)
		if (!a->b[i].freed) {
			if (!live++)
				first = i;
			bytes += a->b[i].size;
		}
	if (!live)
		return;
	{
		struct kw_block *b = &a->b[first];
		char l[96];

		kw_report_set(s, "leak", b->alloc_pc, "%u block%s (%zu bytes) never freed; first: %s of %zu bytes", live,
			      live == 1 ? "" : "s", bytes, kw_alloc_name(s, (void *)b->addr, l, sizeof(l)), b->size);
		kw_block_sites(s, b);
		for (uint32_t i = first + 1, k = 0; i < a->nb && k < 4; i++)
			if (!a->b[i].freed) {
				char site[200];

				kw_report_detail(s, "  also %s (%zu bytes) allocated at %s\n",
						 kw_alloc_name(s, (void *)a->b[i].addr, l, sizeof(l)), a->b[i].size,
						 kw_site(a->b[i].alloc_pc, site, sizeof(site)));
				k++;
			}
	}
}

void kw_data_race_begin(void)
{
	struct kw_sim *s = kw_S;

	if (s && s->in_run && s->cur)
		s->cur->data_race_depth++;
}

void kw_data_race_end(void)
{
	struct kw_sim *s = kw_S;

	if (s && s->in_run && s->cur && s->cur->data_race_depth)
		s->cur->data_race_depth--;
}
