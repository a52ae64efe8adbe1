// SPDX-License-Identifier: GPL-2.0-only
/*
 * Symbolization of addresses inside the running executable.
 *
 * Reports are compared between runs, so everything printed from here must be
 * independent of ASLR: code addresses become "file:line" from the DWARF line
 * table, data addresses become "symbol+offset" from the ELF symbol table.
 * Only the main executable (/proc/self/exe) is consulted; addresses in shared
 * libraries are reported as unknown.
 */
#ifndef KW_SIM_SYMBOLIZE_H
#define KW_SIM_SYMBOLIZE_H

#include <stdint.h>
#include <stddef.h>

struct kw_srcloc {
	const char *file;	/* path as recorded in the line table (directory joined with file name, see below); interned, lives until exit */
	unsigned line;		/* 1-based line; 0 when unknown */
};

/* Source location of the instruction that contains code address pc (the caller passes a
 * return address: look up pc - 1). Returns 0 and fills *out, or -1 when unknown (no debug info
 * for that address, or not inside the main executable). Thread-safe is not required. */
int kw_sym_pc(uintptr_t pc, struct kw_srcloc *out);

/* Name of the data object (STT_OBJECT symbol, from .symtab of the executable, falling back to
 * .dynsym) that contains addr, and the offset into it. Returns 0, or -1 when none. */
int kw_sym_data(uintptr_t addr, const char **name, uintptr_t *off);

/* Format pc (a return address, as for kw_sym_pc) as "file:line" into buf (size n).
 * When the location is unknown the result is "??:0": a raw offset would be stable per
 * binary but not across rebuilds, so it is deliberately not printed. Returns buf. */
const char *kw_sym_pc_str(uintptr_t pc, char *buf, size_t n);

#endif /* KW_SIM_SYMBOLIZE_H */
