// SPDX-License-Identifier: GPL-2.0-only
/*
 * percpu.c - per-CPU areas: where each CPU's copy of a per-CPU variable lives.
 *
 * Invariants:
 *  - Every CPU has one chunk of KW_PCPU_CHUNK bytes: the copy of the "kw_percpu" section
 *    (DEFINE_PER_CPU variables; the section itself is only the template) at offset 0, the
 *    dynamic allocations (alloc_percpu) at KW_PCPU_DYN. A per-CPU address (the canonical one:
 *    a variable in the section, or an address alloc_percpu() handed out from a reserved,
 *    inaccessible range) maps to the same offset in every chunk, as in the kernel, so
 *    per_cpu_ptr() of any per-CPU lvalue works and dereferencing a canonical dynamic address
 *    faults.
 *  - Every run starts with each chunk's static part copied from the template and its
 *    dynamic part zeroed; dynamic space is never reused within a run.
 *  - The area is the process's (the section is): one per process, set up on first use; what
 *    it holds is reset by each run, and nothing here decides anything from an address.
 */
#define _GNU_SOURCE
#include "kernel_priv.h"
#include "symbolize.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define KW_PCPU_CHUNK (1u << 20)
#define KW_PCPU_DYN (KW_PCPU_CHUNK / 2)

extern char __start_kw_percpu[] __attribute__((weak));
extern char __stop_kw_percpu[] __attribute__((weak));

static struct {
	char *chunks;		/* KW_MAX_CPUS chunks */
	char *dyn_canon;	/* reserved PROT_NONE range: canonical dynamic addresses */
	size_t static_len;	/* bytes of the section */
	size_t dyn_used;	/* dynamic bytes handed out this run */
	size_t dyn_dirty;	/* dynamic bytes to zero at the next reset */
} kw_pcpu;

static void kw_percpu_init(void)
{
	if (kw_pcpu.chunks)
		return;
	kw_pcpu.static_len = __start_kw_percpu ? (size_t)(__stop_kw_percpu - __start_kw_percpu) : 0;
	if (kw_pcpu.static_len > KW_PCPU_DYN) {
		fputs("kweave: more than 512 KiB of static per-CPU variables\n", stderr);
		exit(2);
	}
	kw_pcpu.chunks = mmap(NULL, (size_t)KW_MAX_CPUS * KW_PCPU_CHUNK, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	kw_pcpu.dyn_canon = mmap(NULL, KW_PCPU_CHUNK - KW_PCPU_DYN, PROT_NONE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (kw_pcpu.chunks == MAP_FAILED || kw_pcpu.dyn_canon == MAP_FAILED) {
		fputs("kweave: cannot reserve the per-CPU areas\n", stderr);
		exit(2);
	}
	for (int c = 0; c < KW_MAX_CPUS; c++)
		memcpy(kw_pcpu.chunks + (size_t)c * KW_PCPU_CHUNK, __start_kw_percpu, kw_pcpu.static_len);
}

void kw_percpu_reset(struct kw_sim *s)
{
	(void)s;
	kw_percpu_init();
	if (!kw_pcpu.static_len && !kw_pcpu.dyn_dirty)
		return;
	for (int c = 0; c < KW_MAX_CPUS; c++) {
		char *ch = kw_pcpu.chunks + (size_t)c * KW_PCPU_CHUNK;

		memcpy(ch, __start_kw_percpu, kw_pcpu.static_len);
		if (kw_pcpu.dyn_dirty)
			memset(ch + KW_PCPU_DYN, 0, kw_pcpu.dyn_dirty);
	}
	kw_pcpu.dyn_used = 0;
	kw_pcpu.dyn_dirty = 0;
}

/* Offset of a canonical per-CPU address in a chunk, or -1. */
static long kw_percpu_off(uintptr_t a)
{
	if (__start_kw_percpu && a >= (uintptr_t)__start_kw_percpu && a < (uintptr_t)__stop_kw_percpu)
		return (long)(a - (uintptr_t)__start_kw_percpu);
	if (a >= (uintptr_t)kw_pcpu.dyn_canon && a < (uintptr_t)kw_pcpu.dyn_canon + (KW_PCPU_CHUNK - KW_PCPU_DYN))
		return (long)(KW_PCPU_DYN + (a - (uintptr_t)kw_pcpu.dyn_canon));
	return -1;
}

__attribute__((noinline)) void *kw_percpu_ptr(const void *p, int cpu)
{
	struct kw_sim *s = kw_S;
	long off;

	kw_percpu_init();
	off = kw_percpu_off((uintptr_t)p);
	if (off < 0) {
		if (s && s->in_run) {
			char l[96];

			kw_report_set(s, "percpu", KW_RET_PC, "per-CPU access to %s, which is not a per-CPU variable (DEFINE_PER_CPU or alloc_percpu)",
				      kw_addr_label(s, p, l, sizeof(l)));
			kw_fail_now(s);
		}
		return (void *)p;
	}
	if (cpu < 0 || cpu >= KW_MAX_CPUS)
		cpu = 0;
	return kw_pcpu.chunks + (size_t)cpu * KW_PCPU_CHUNK + off;
}

__attribute__((noinline)) void *kw_alloc_percpu(size_t size, size_t align)
{
	size_t off;

	kw_percpu_init();
	if (!align)
		align = 1;
	off = (kw_pcpu.dyn_used + align - 1) / align * align;
	if (off + size > KW_PCPU_CHUNK - KW_PCPU_DYN) {
		struct kw_sim *s = kw_S;

		if (s && s->in_run) {
			kw_report_set(s, "engine-limit", KW_RET_PC, "the per-CPU areas are full");
			kw_fail_now(s);
		}
		return NULL;
	}
	kw_pcpu.dyn_used = off + size;
	if (kw_pcpu.dyn_used > kw_pcpu.dyn_dirty)
		kw_pcpu.dyn_dirty = kw_pcpu.dyn_used;
	return kw_pcpu.dyn_canon + off;
}

void kw_free_percpu(void *p)
{
	(void)p; /* never reused within a run */
}

/* "name[cpuN]" for an address in a CPU's copy, "percpu#N" for a canonical dynamic one, or NULL. */
const char *kw_percpu_label(const void *p, char *buf, size_t n)
{
	uintptr_t a = (uintptr_t)p, base = (uintptr_t)kw_pcpu.chunks;
	size_t c, off;
	const char *name;
	uintptr_t soff;

	if (kw_pcpu.dyn_canon && a >= (uintptr_t)kw_pcpu.dyn_canon &&
	    a < (uintptr_t)kw_pcpu.dyn_canon + (KW_PCPU_CHUNK - KW_PCPU_DYN)) {
		snprintf(buf, n, "percpu#%zu", (size_t)(a - (uintptr_t)kw_pcpu.dyn_canon));
		return buf; /* a canonical dynamic per-CPU address */
	}
	if (!kw_pcpu.chunks || a < base || a >= base + (size_t)KW_MAX_CPUS * KW_PCPU_CHUNK)
		return NULL;
	c = (a - base) / KW_PCPU_CHUNK;
	off = (a - base) % KW_PCPU_CHUNK;
	if (off < kw_pcpu.static_len && kw_sym_data((uintptr_t)__start_kw_percpu + off, &name, &soff) == 0) {
		if (soff)
			snprintf(buf, n, "%s+%lu[cpu%zu]", name, (unsigned long)soff, c);
		else
			snprintf(buf, n, "%s[cpu%zu]", name, c);
	} else if (off >= KW_PCPU_DYN) {
		snprintf(buf, n, "percpu#%zu[cpu%zu]", off - KW_PCPU_DYN, c);
	} else {
		snprintf(buf, n, "percpu+%zu[cpu%zu]", off, c);
	}
	return buf;
}
