// SPDX-License-Identifier: GPL-2.0-only
/*
 * trace.c - the per-thread-column trace of a run, and the names it prints.
 *
 * Invariant: nothing printed depends on where things are mapped. Code sites print as
 * file:line (the debug info is built with -ffile-prefix-map), data as symbol+offset or
 * allocation#n+offset, and a value that looks like a pointer prints as what it points to.
 */
#include "kw_internal.h"
#include "symbolize.h"

#include <stdlib.h>
#include <string.h>

const char *kw_site(uintptr_t pc, char *buf, size_t n)
{
	if (!pc) {
		snprintf(buf, n, "(engine)");
		return buf;
	}
	return kw_sym_pc_str(pc, buf, n);
}

const char *kw_addr_label(struct kw_sim *s, const void *p, char *buf, size_t n)
{
	const char *name;
	uintptr_t off;

	if (!p) {
		snprintf(buf, n, "NULL");
		return buf;
	}
	if (s && kw_alloc_name(s, p, buf, n))
		return buf;
	if (kw_sym_data((uintptr_t)p, &name, &off) == 0) {
		if (off)
			snprintf(buf, n, "%s+%lu", name, (unsigned long)off);
		else
			snprintf(buf, n, "%s", name);
		return buf;
	}
	if (s)
		for (int i = 0; i < KW_MAX_THREADS; i++) {
			const struct kw_fiber *f = &s->th[i].fib;

			if (f->map && (uintptr_t)p >= (uintptr_t)f->map &&
			    (uintptr_t)p < (uintptr_t)f->map + f->maplen) {
				snprintf(buf, n, "T%d.stack", i);
				return buf;
			}
		}
	if (kw_percpu_label(p, buf, n))
		return buf;
	snprintf(buf, n, "(unnamed memory)");
	return buf;
}

/* A value read or written: pointers print as what they point to. */
static const char *kw_value_label(struct kw_sim *s, uint64_t v, unsigned size, char *buf, size_t n)
{
	if (size == 8 && v >= (1ull << 40)) {
		char l[96];

		kw_addr_label(s, (const void *)(uintptr_t)v, l, sizeof(l));
		snprintf(buf, n, "&%s", l);
	} else if (size == 8 && (int64_t)v < 0 && (int64_t)v > -(1ll << 40)) {
		snprintf(buf, n, "%lld", (long long)(int64_t)v);
	} else if (size == 4) {
		snprintf(buf, n, "%d", (int32_t)v);
	} else {
		snprintf(buf, n, "%llu", (unsigned long long)v);
	}
	return buf;
}

static __attribute__((unused)) const char *kw_rmw_name(unsigned op)
{
	static const char *n[] = { "xchg", "add", "sub", "and", "or", "xor", "nand" };

	return op < 7 ? n[op] : "rmw";
}

static void kw_event_text(struct kw_sim *s, const struct kw_event *e, char *buf, size_t n)
{
	char a[96], v1[96], v2[96];

	switch (e->kind) {
	case KW_EV_DECIDE:
		snprintf(buf, n, "store buffers drain");
		return;
	case KW_EV_START:
		snprintf(buf, n, "start");
		return;
	case KW_EV_END:
		snprintf(buf, n, "end");
		return;
	case KW_OP_IRQ_ENTRY: {
		const char *what = e->tid >= 0 && s->th[e->tid].kind == KW_SOFTIRQ ? "softirq" : "irq";

		if ((int64_t)e->v >= 0)
			snprintf(buf, n, "%s arrives (interrupts T%llu)", what, (unsigned long long)e->v);
		else
			snprintf(buf, n, "%s arrives", what);
		return;
	}
	case KW_OP_YIELD:
		snprintf(buf, n, "yield");
		return;
	case KW_OP_LOAD:
	case KW_OP_PLAIN_READ:
		snprintf(buf, n, "%s %s -> %s%s", e->kind == KW_OP_LOAD ? "load" : "read",
			 kw_addr_label(s, e->addr, a, sizeof(a)), kw_value_label(s, e->v, e->size, v1, sizeof(v1)),
			 e->note ? e->note : "");
		if (e->kind == KW_OP_LOAD && e->src != -2) {
			size_t k = strlen(buf);
			char site[120];

			if (e->src < 0)
				snprintf(buf + k, n - k, " [stale: the initial value]");
			else
				snprintf(buf + k, n - k, " [stale: T%d's store at %s]", e->src,
					 kw_site(e->v2, site, sizeof(site)));
		}
		return;
	case KW_OP_SPIN:
		snprintf(buf, n, "cpu_relax (waits for a newer store)");
		return;
	case KW_OP_STORE:
	case KW_OP_PLAIN_WRITE:
		snprintf(buf, n, "%s %s = %s%s", e->kind == KW_OP_STORE ? "store" : "write",
			 kw_addr_label(s, e->addr, a, sizeof(a)), kw_value_label(s, e->v, e->size, v1, sizeof(v1)),
			 e->note ? e->note : "");
		return;
	case KW_OP_RMW:
		snprintf(buf, n, "%s %s: %s -> %s", e->note ? e->note : "rmw",
			 kw_addr_label(s, e->addr, a, sizeof(a)), kw_value_label(s, e->v, e->size, v1, sizeof(v1)),
			 kw_value_label(s, e->v2, e->size, v2, sizeof(v2)));
		return;
	case KW_OP_FENCE:
		snprintf(buf, n, "%s", e->note ? e->note : "fence");
		return;
	case KW_OP_QUEUE:
	case KW_OP_FLUSH:
		snprintf(buf, n, "%s(%s)", e->note ? e->note : "queue",
			 e->addr ? ((const struct kw_worker *)e->addr)->t->name : "?");
		return;
	default:
		if (e->addr)
			snprintf(buf, n, "%s(%s)", e->note ? e->note : "op",
				 e->kind == KW_OP_LOCK || e->kind == KW_OP_UNLOCK || e->kind == KW_OP_TRYLOCK ?
				 kw_lock_label(s, e->addr, a, sizeof(a)) : kw_addr_label(s, e->addr, a, sizeof(a)));
		else
			snprintf(buf, n, "%s", e->note ? e->note : "op");
		if (e->kind == KW_OP_SPAWN || e->kind == KW_OP_JOIN || e->kind == KW_OP_IRQ_RAISE) {
			size_t k = strlen(buf);

			snprintf(buf + k, n - k, " T%llu", (unsigned long long)e->v);
		}
		return;
	}
}

/* The value decisions an event made, when not the default (0: the latest store, the end of
 * modification order): "[rf 1/3]" read the second-newest of 3 readable stores, "[mo 1/2]"
 * a store placed one before the end. Every decision of a run shows in its trace: an edited
 * replay that is accepted changes the trace. */
static void kw_event_decisions(struct kw_sim *s, const struct kw_event *e, char *buf, size_t n)
{
	size_t k = strlen(buf);

	for (uint32_t i = e->dec; i < e->dec + e->ndec && i < s->ndec && k + 1 < n; i++) {
		if (!s->dec[i].v)
			continue;
		snprintf(buf + k, n - k, " [%s %u/%u]",
			 e->kind == KW_OP_STORE ? "mo" : e->kind == KW_EV_DECIDE ? "drain" : "rf", s->dec[i].v,
			 s->dec[i].n);
		k = strlen(buf);
	}
}

void kw_trace_print(struct kw_sim *s, FILE *out)
{
	int nth = s->nth;
	size_t colw[KW_MAX_THREADS];
	char (*text)[320] = calloc(s->nev ? s->nev : 1, sizeof(*text));
	char hdr[96];

	if (!text)
		return;
	for (int i = 0; i < nth; i++) {
		colw[i] = strlen(kw_thread_label(&s->th[i], hdr, sizeof(hdr)));
	}
	for (size_t k = 0; k < s->nev; k++) {
		const struct kw_event *e = &s->ev[k];
		char t[240], site[120];
		size_t len;

		kw_event_text(s, e, t, sizeof(t));
		kw_event_decisions(s, e, t, sizeof(t));
		if (e->pc)
			snprintf(text[k], sizeof(text[k]), "%s  %s", t, kw_site(e->pc, site, sizeof(site)));
		else
			snprintf(text[k], sizeof(text[k]), "%s", t);
		len = strlen(text[k]);
		if (e->tid >= 0 && e->tid < nth && len > colw[e->tid])
			colw[e->tid] = len;
	}
	fprintf(out, " step |");
	for (int i = 0; i < nth; i++)
		fprintf(out, " %-*s |", (int)colw[i], kw_thread_label(&s->th[i], hdr, sizeof(hdr)));
	fputc('\n', out);
	fprintf(out, "------+");
	for (int i = 0; i < nth; i++) {
		for (size_t k = 0; k < colw[i] + 2; k++)
			fputc('-', out);
		fputc('+', out);
	}
	fputc('\n', out);
	for (size_t k = 0; k < s->nev; k++) {
		const struct kw_event *e = &s->ev[k];

		if (e->tid < 0 && e->kind == KW_EV_DECIDE) {
			fprintf(out, "%5u | end of run: %s\n", e->step, text[k]);
			continue;
		}
		fprintf(out, "%5u |", e->step);
		for (int i = 0; i < nth; i++)
			fprintf(out, " %-*s |", (int)colw[i], i == e->tid ? text[k] : "");
		fputc('\n', out);
	}
	free(text);
}
