// SPDX-License-Identifier: GPL-2.0-only
/*
 * Address symbolization for the running executable, with no library beyond libc.
 *
 * On first use the executable file is mapped read-only and two tables are built:
 *  - the DWARF line table (.debug_line, versions 2 to 5, 32-bit DWARF), flattened
 *    into sequences of rows sorted by link-time address;
 *  - the STT_OBJECT symbols of .symtab (or .dynsym when the file is stripped),
 *    sorted by link-time address.
 * Lookups subtract the load bias so that results never depend on ASLR, then do a
 * binary search.  Anything malformed is skipped silently: a symbolizer must never
 * be the reason the simulator crashes or prints noise.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* dl_iterate_phdr */
#endif
#include "symbolize.h"

#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* DWARF constants; <elf.h> does not carry them and we must not need libdwarf. */
enum {
	DW_LNS_copy = 1,
	DW_LNS_advance_pc = 2,
	DW_LNS_advance_line = 3,
	DW_LNS_set_file = 4,
	DW_LNS_set_column = 5,
	DW_LNS_negate_stmt = 6,
	DW_LNS_set_basic_block = 7,
	DW_LNS_const_add_pc = 8,
	DW_LNS_fixed_advance_pc = 9,
	DW_LNS_set_prologue_end = 10,
	DW_LNS_set_epilogue_begin = 11,
	DW_LNS_set_isa = 12,
};

enum {
	DW_LNE_end_sequence = 1,
	DW_LNE_set_address = 2,
	DW_LNE_define_file = 3,
	DW_LNE_set_discriminator = 4,
};

enum {
	DW_LNCT_path = 1,
	DW_LNCT_directory_index = 2,
};

enum {
	DW_FORM_block2 = 0x03,
	DW_FORM_block4 = 0x04,
	DW_FORM_data2 = 0x05,
	DW_FORM_data4 = 0x06,
	DW_FORM_data8 = 0x07,
	DW_FORM_string = 0x08,
	DW_FORM_block = 0x09,
	DW_FORM_block1 = 0x0a,
	DW_FORM_data1 = 0x0b,
	DW_FORM_flag = 0x0c,
	DW_FORM_sdata = 0x0d,
	DW_FORM_strp = 0x0e,
	DW_FORM_udata = 0x0f,
	DW_FORM_sec_offset = 0x17,
	DW_FORM_strx = 0x1a,
	DW_FORM_data16 = 0x1e,
	DW_FORM_line_strp = 0x1f,
	DW_FORM_strx1 = 0x25,
	DW_FORM_strx2 = 0x26,
	DW_FORM_strx3 = 0x27,
	DW_FORM_strx4 = 0x28,
};

/* Upper bound on v5 entry-format pairs; real producers emit at most 5. */
#define SYM_MAX_FORMATS 32

/* A bounds-checked cursor: every read past the end yields 0 and latches err. */
struct sym_rd {
	const uint8_t *p;	/* next byte to consume */
	const uint8_t *end;	/* one past the last byte that may be consumed */
	int err;		/* set once any read overran; callers test it after a batch of reads */
};

/* A byte range of the mapped file (a section's contents). */
struct sym_sect {
	const uint8_t *data;	/* first byte, NULL when the section is absent or unusable */
	size_t size;		/* number of bytes */
};

/* One line-table row: the location of the instructions from addr up to the next row. */
struct sym_row {
	uint64_t addr;		/* link-time address of the first instruction covered */
	const char *file;	/* interned normalised path, NULL when the entry was unusable */
	unsigned line;		/* 1-based line, 0 when the producer had none */
};

/* A contiguous address range described by consecutive rows of one sequence. */
struct sym_seq {
	uint64_t start;		/* address of the first row */
	uint64_t end;		/* address of the end_sequence row: first byte not covered */
	size_t first;		/* index of the first row in the row array */
	size_t count;		/* number of rows (at least one) */
};

/* A data object a data address can be attributed to. */
struct sym_obj {
	uint64_t addr;		/* link-time start address */
	uint64_t size;		/* size in bytes, never 0 */
	uint64_t reach;		/* max end of this and all earlier objects: bounds the backwards scan */
	const char *name;	/* NUL-terminated name inside the mapped string table */
	unsigned rank;		/* binding preference among aliases: 0 global, 1 weak, 2 local */
};

/* A loaded segment of the executable, in link-time addresses. */
struct sym_seg {
	uint64_t lo;		/* p_vaddr */
	uint64_t hi;		/* p_vaddr + p_memsz */
	int exec;		/* PF_X set: only such segments may hold line-table sequences */
};

/* Set of owned strings so that every distinct path is stored once. */
struct sym_intern {
	char **slots;		/* open-addressing table, NULL marks an empty slot */
	size_t cap;		/* number of slots, zero or a power of two */
	size_t count;		/* number of occupied slots */
};

/* Growable array of pointers, used for the per-unit directory and file tables. */
struct sym_strv {
	const char **v;		/* elements */
	size_t n;		/* number of elements in use */
	size_t cap;		/* allocated elements */
};

/* Header fields of one line-number program needed to run it. */
struct sym_lhdr {
	unsigned version;	/* DWARF version of the unit, 2 to 5 */
	unsigned min_inst_len;	/* minimum_instruction_length: unit of address advances */
	unsigned max_ops;	/* maximum_operations_per_instruction, 1 except on VLIW */
	int line_base;		/* smallest line advance encodable by a special opcode */
	unsigned line_range;	/* number of line advances encodable by special opcodes */
	unsigned opcode_base;	/* first special opcode */
	const uint8_t *std_lens;	/* operand counts of standard opcodes 1 .. opcode_base-1 */
	struct sym_strv dirs;	/* directory strings (raw); slot 0 is never joined, see sym_join_path */
	struct sym_strv files;	/* interned file paths indexed by the file register; NULL if unusable */
};

/* State-machine registers of the line-number program that affect our rows. */
struct sym_lstate {
	uint64_t addr;		/* address register */
	uint64_t op_index;	/* operation index within the instruction (VLIW only) */
	uint64_t file;		/* file register */
	int64_t line;		/* line register; signed so bogus negative advances are detectable */
};

/* The process-wide cache of the executable's debug information. */
struct sym_table {
	int state;		/* 0 before the first call, 1 once built (possibly empty) */
	uintptr_t bias;		/* runtime address minus link-time address of the executable */
	const uint8_t *map;	/* read-only mapping of the executable file, kept for symbol names */
	size_t map_len;		/* length of the mapping */
	struct sym_seg *segs;	/* PT_LOAD segments */
	size_t nsegs;		/* number of segments */
	struct sym_row *rows;	/* rows of all kept sequences, each sequence contiguous */
	size_t nrows;		/* rows in use */
	size_t rows_cap;	/* rows allocated */
	struct sym_seq *seqs;	/* sequences sorted by start, pairwise disjoint */
	size_t nseqs;		/* sequences in use */
	size_t seqs_cap;	/* sequences allocated */
	struct sym_obj *objs;	/* data objects sorted by address */
	size_t nobjs;		/* number of data objects */
	struct sym_intern paths;	/* interned file paths referenced by rows */
};

static struct sym_table sym_tab;

/* ---------------------------------------------------------------------------
 * Bounds-checked little-endian reading.  Both supported targets (x86-64 and
 * aarch64 Linux) are little-endian; a file of the other order is rejected in
 * sym_elf_ok so these readers never see one.
 */

static int rd_have(struct sym_rd *r, size_t n)
{
	if (r->err || (size_t)(r->end - r->p) < n) {
		r->err = 1;
		r->p = r->end;
		return 0;
	}
	return 1;
}

static uint64_t rd_uint(struct sym_rd *r, size_t n)
{
	uint64_t v = 0;

	if (!rd_have(r, n))
		return 0;
	for (size_t i = 0; i < n && i < 8; i++)
		v |= (uint64_t)r->p[i] << (8 * i);
	r->p += n;
	return v;
}

static uint8_t rd_u8(struct sym_rd *r)
{
	return (uint8_t)rd_uint(r, 1);
}

static uint16_t rd_u16(struct sym_rd *r)
{
	return (uint16_t)rd_uint(r, 2);
}

static uint32_t rd_u32(struct sym_rd *r)
{
	return (uint32_t)rd_uint(r, 4);
}

static void rd_skip(struct sym_rd *r, uint64_t n)
{
	if (n > (uint64_t)SIZE_MAX || !rd_have(r, (size_t)n))
		return;
	r->p += n;
}

/* LEB128: the value's bits, how far they reach, and the last byte (for the sign). */
static uint64_t rd_leb(struct sym_rd *r, unsigned *shift_out, uint8_t *last)
{
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t b;

	do {
		b = rd_u8(r);
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while ((b & 0x80) && !r->err);
	*shift_out = shift;
	*last = b;
	return v;
}

static uint64_t rd_uleb(struct sym_rd *r)
{
	unsigned shift;
	uint8_t b;

	return rd_leb(r, &shift, &b);
}

static int64_t rd_sleb(struct sym_rd *r)
{
	unsigned shift;
	uint8_t b;
	uint64_t v = rd_leb(r, &shift, &b);

	if (shift < 64 && (b & 0x40))
		v |= ~(uint64_t)0 << shift;
	return (int64_t)v;
}

/* Inline NUL-terminated string; NULL (and err) when unterminated. */
static const char *rd_cstr(struct sym_rd *r)
{
	const uint8_t *nul;
	const char *s;

	if (r->err)
		return NULL;
	nul = memchr(r->p, 0, (size_t)(r->end - r->p));
	if (!nul) {
		r->err = 1;
		r->p = r->end;
		return NULL;
	}
	s = (const char *)r->p;
	r->p = nul + 1;
	return s;
}

/* String at offset off of a string section, NULL when out of range or unterminated. */
static const char *sect_str(const struct sym_sect *s, uint64_t off)
{
	if (!s->data || off >= s->size)
		return NULL;
	if (!memchr(s->data + off, 0, s->size - (size_t)off))
		return NULL;
	return (const char *)s->data + off;
}

/* ---------------------------------------------------------------------------
 * Paths: normalisation and interning.
 */

static void path_push(char *out, size_t *o, size_t base, const char *c, size_t len)
{
	if (*o > base)
		out[(*o)++] = '/';
	memcpy(out + *o, c, len);
	*o += len;
}

/* Drop the last component of out[base..o); returns 0 when it is ".." or absent. */
static int path_pop(char *out, size_t *o, size_t base)
{
	size_t k = *o;

	while (k > base && out[k - 1] != '/')
		k--;
	if (*o == base || (*o - k == 2 && out[k] == '.' && out[k + 1] == '.'))
		return 0;
	*o = k > base ? k - 1 : base;
	return 1;
}

/*
 * Lexical normalisation so equal files print equally however the producer
 * spelled them: "./a//b/../c" becomes "a/c".  out needs strlen(in) + 2 bytes.
 */
static void path_normalize(char *out, const char *in)
{
	size_t o = 0, base;
	const char *p = in;

	if (*p == '/')
		out[o++] = '/';
	base = o;
	while (*p) {
		const char *q;
		size_t len;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		for (q = p; *q && *q != '/'; q++)
			;
		len = (size_t)(q - p);
		if (len == 1 && p[0] == '.') {
			/* no-op component */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			/* "/.." is "/", a leading relative ".." must stay */
			if (!path_pop(out, &o, base) && base == 0)
				path_push(out, &o, base, p, len);
		} else {
			path_push(out, &o, base, p, len);
		}
		p = q;
	}
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
}

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a: tiny and good enough for paths */

	while (*s)
		h = (h ^ (uint8_t)*s++) * 1099511628211ull;
	return h;
}

static int intern_grow(struct sym_intern *t)
{
	size_t ncap = t->cap ? t->cap * 2 : 64;
	char **ns = calloc(ncap, sizeof(*ns));

	if (!ns)
		return -1;
	for (size_t i = 0; i < t->cap; i++) {
		size_t j;

		if (!t->slots[i])
			continue;
		j = (size_t)str_hash(t->slots[i]) & (ncap - 1);
		while (ns[j])
			j = (j + 1) & (ncap - 1);
		ns[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = ns;
	t->cap = ncap;
	return 0;
}

/* The unique stored copy of s, or NULL when out of memory. */
static const char *intern(struct sym_intern *t, const char *s)
{
	size_t j, len;

	if (2 * (t->count + 1) > t->cap && intern_grow(t))
		return NULL;
	j = (size_t)str_hash(s) & (t->cap - 1);
	for (; t->slots[j]; j = (j + 1) & (t->cap - 1))
		if (!strcmp(t->slots[j], s))
			return t->slots[j];
	len = strlen(s) + 1;
	t->slots[j] = malloc(len);
	if (!t->slots[j])
		return NULL;
	memcpy(t->slots[j], s, len);
	t->count++;
	return t->slots[j];
}

/*
 * Path of a file entry.  An absolute name is taken as is; otherwise it is
 * joined to its directory entry when that has one.  The compilation directory
 * (directory 0) is never prepended: DWARF 4 tables do not even contain it, so
 * leaving it out makes -gdwarf-4 and -gdwarf-5 builds, and gcc and clang
 * builds, print the same relative path (e.g. "core/demo/x.c" under
 * -ffile-prefix-map=<srcdir>/=) instead of a machine-specific absolute one.
 */
static const char *sym_join_path(struct sym_intern *t, const char *dir, const char *name)
{
	size_t dl, nl;
	char *cat, *norm;
	const char *res;

	if (!name || !*name)
		return NULL;
	if (name[0] == '/' || !dir)
		dir = "";
	dl = strlen(dir);
	nl = strlen(name);
	cat = malloc(dl + nl + 2);
	norm = malloc(dl + nl + 3);
	if (!cat || !norm) {
		free(cat);
		free(norm);
		return NULL;
	}
	/* "dir/name"; with no directory the leading "/" would make it absolute, so skip it */
	memcpy(cat, dir, dl);
	cat[dl] = '/';
	memcpy(cat + dl + 1, name, nl + 1);
	path_normalize(norm, dl ? cat : cat + 1);
	res = intern(t, norm);
	free(cat);
	free(norm);
	return res;
}

/* ---------------------------------------------------------------------------
 * Small growable arrays.
 */

static int strv_push(struct sym_strv *a, const char *s)
{
	if (a->n == a->cap) {
		size_t ncap = a->cap ? a->cap * 2 : 16;
		const char **nv = realloc(a->v, ncap * sizeof(*nv));

		if (!nv)
			return -1;
		a->v = nv;
		a->cap = ncap;
	}
	a->v[a->n++] = s;
	return 0;
}

static int row_push(struct sym_table *t, uint64_t addr, const char *file, unsigned line)
{
	if (t->nrows == t->rows_cap) {
		size_t ncap = t->rows_cap ? t->rows_cap * 2 : 1024;
		struct sym_row *nr = realloc(t->rows, ncap * sizeof(*nr));

		if (!nr)
			return -1;
		t->rows = nr;
		t->rows_cap = ncap;
	}
	t->rows[t->nrows++] = (struct sym_row){ .addr = addr, .file = file, .line = line };
	return 0;
}

static int seq_push(struct sym_table *t, const struct sym_seq *s)
{
	if (t->nseqs == t->seqs_cap) {
		size_t ncap = t->seqs_cap ? t->seqs_cap * 2 : 256;
		struct sym_seq *ns = realloc(t->seqs, ncap * sizeof(*ns));

		if (!ns)
			return -1;
		t->seqs = ns;
		t->seqs_cap = ncap;
	}
	t->seqs[t->nseqs++] = *s;
	return 0;
}

/* ---------------------------------------------------------------------------
 * ELF file access.
 */

/* Is [lo, hi) inside one loaded segment (an executable one when exec is set)? */
static int in_segment(const struct sym_table *t, uint64_t lo, uint64_t hi, int exec)
{
	for (size_t i = 0; i < t->nsegs; i++) {
		const struct sym_seg *s = &t->segs[i];

		if ((!exec || s->exec) && lo >= s->lo && hi <= s->hi && lo < hi)
			return 1;
	}
	return 0;
}

static int sym_elf_ok(const uint8_t *map, size_t len, Elf64_Ehdr *eh)
{
	if (len < sizeof(*eh))
		return 0;
	memcpy(eh, map, sizeof(*eh));
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64)
		return 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return eh->e_ident[EI_DATA] == ELFDATA2LSB;
#else
	return 0;	/* the DWARF readers above assume little-endian */
#endif
}

/* Bounds-checked pointer to the table of n entries of size ent at off, or NULL. */
static const uint8_t *file_table(const struct sym_table *t, uint64_t off, uint64_t n, uint64_t ent)
{
	if (ent && n > UINT64_MAX / ent)
		return NULL;
	if (off > t->map_len || n * ent > t->map_len - off)
		return NULL;
	return t->map + off;
}

/* Record the PT_LOAD segments; they validate addresses found in DWARF and symbols. */
static int load_segments(struct sym_table *t, const Elf64_Ehdr *eh)
{
	const uint8_t *ph;

	if (eh->e_phentsize < sizeof(Elf64_Phdr))
		return -1;
	ph = file_table(t, eh->e_phoff, eh->e_phnum, eh->e_phentsize);
	if (!ph || !eh->e_phnum)
		return -1;
	t->segs = calloc(eh->e_phnum, sizeof(*t->segs));
	if (!t->segs)
		return -1;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr p;

		memcpy(&p, ph + (size_t)i * eh->e_phentsize, sizeof(p));
		if (p.p_type != PT_LOAD || p.p_vaddr + p.p_memsz < p.p_vaddr)
			continue;
		t->segs[t->nsegs++] = (struct sym_seg){
			.lo = p.p_vaddr, .hi = p.p_vaddr + p.p_memsz, .exec = !!(p.p_flags & PF_X),
		};
	}
	return t->nsegs ? 0 : -1;
}

/* Section headers of the file, coping with the extended-numbering escapes. */
struct sym_shdrs {
	const uint8_t *base;	/* first section header in the mapping */
	size_t num;		/* number of section headers */
	size_t ent;		/* size of one header */
	size_t strndx;		/* index of the section-name string table */
};

static void shdr_get(const struct sym_shdrs *sh, size_t i, Elf64_Shdr *out)
{
	memcpy(out, sh->base + i * sh->ent, sizeof(*out));
}

static int shdrs_init(const struct sym_table *t, const Elf64_Ehdr *eh, struct sym_shdrs *sh)
{
	Elf64_Shdr s0;

	if (!eh->e_shoff || eh->e_shentsize < sizeof(Elf64_Shdr))
		return -1;
	sh->ent = eh->e_shentsize;
	sh->base = file_table(t, eh->e_shoff, 1, sh->ent);
	if (!sh->base)
		return -1;
	shdr_get(sh, 0, &s0);
	/* e_shnum == 0 and SHN_XINDEX mean "the real value is in section 0" */
	sh->num = eh->e_shnum ? eh->e_shnum : s0.sh_size;
	sh->strndx = eh->e_shstrndx == SHN_XINDEX ? s0.sh_link : eh->e_shstrndx;
	if (!file_table(t, eh->e_shoff, sh->num, sh->ent) || sh->strndx >= sh->num)
		return -1;
	return 0;
}

/* Contents of section i; empty when it has no file bytes or is compressed. */
static struct sym_sect sect_of(const struct sym_table *t, const struct sym_shdrs *sh, size_t i)
{
	struct sym_sect r = { NULL, 0 };
	Elf64_Shdr s;

	if (i == 0 || i >= sh->num)
		return r;
	shdr_get(sh, i, &s);
	/* compressed debug sections would need zlib; treat them as missing */
	if (s.sh_type == SHT_NOBITS || (s.sh_flags & SHF_COMPRESSED))
		return r;
	if (!file_table(t, s.sh_offset, 1, s.sh_size))
		return r;
	r.data = t->map + s.sh_offset;
	r.size = (size_t)s.sh_size;
	return r;
}

/* Index of the first section called name, or 0 when there is none. */
static size_t sect_find(const struct sym_table *t, const struct sym_shdrs *sh, const char *name)
{
	struct sym_sect names = sect_of(t, sh, sh->strndx);

	for (size_t i = 1; i < sh->num; i++) {
		Elf64_Shdr s;
		const char *n;

		shdr_get(sh, i, &s);
		n = sect_str(&names, s.sh_name);
		if (n && !strcmp(n, name))
			return i;
	}
	return 0;
}

/* Index of the first section of the given type, or 0. */
static size_t sect_find_type(const struct sym_shdrs *sh, uint32_t type)
{
	for (size_t i = 1; i < sh->num; i++) {
		Elf64_Shdr s;

		shdr_get(sh, i, &s);
		if (s.sh_type == type)
			return i;
	}
	return 0;
}

/* ---------------------------------------------------------------------------
 * Data symbols.
 */

static int obj_cmp(const void *a, const void *b)
{
	const struct sym_obj *x = a, *y = b;

	/* larger objects first at one address, so nested ones follow their container */
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return strcmp(x->name, y->name);
}

static unsigned bind_rank(unsigned char info)
{
	switch (ELF64_ST_BIND(info)) {
	case STB_GLOBAL:
		return 0;
	case STB_WEAK:
		return 1;
	default:
		return 2;
	}
}

/* Add the defined, sized STT_OBJECT symbols of symbol table section idx. */
static void load_objects(struct sym_table *t, const struct sym_shdrs *sh, size_t idx)
{
	struct sym_sect syms = sect_of(t, sh, idx), strs;
	Elf64_Shdr s;
	size_t ent, n, k = 0;

	shdr_get(sh, idx, &s);
	strs = sect_of(t, sh, s.sh_link);
	ent = s.sh_entsize ? (size_t)s.sh_entsize : sizeof(Elf64_Sym);
	if (!syms.data || !strs.data || ent < sizeof(Elf64_Sym))
		return;
	n = syms.size / ent;
	t->objs = calloc(n ? n : 1, sizeof(*t->objs));
	if (!t->objs)
		return;
	for (size_t i = 1; i < n; i++) {
		Elf64_Sym y;
		const char *name;

		memcpy(&y, syms.data + i * ent, sizeof(y));
		/* SHN_ABS values are not relocated, so they cannot be matched at runtime */
		if (ELF64_ST_TYPE(y.st_info) != STT_OBJECT || !y.st_size ||
		    y.st_shndx == SHN_UNDEF || y.st_shndx == SHN_ABS)
			continue;
		if (y.st_value + y.st_size < y.st_value ||
		    !in_segment(t, y.st_value, y.st_value + y.st_size, 0))
			continue;
		name = sect_str(&strs, y.st_name);
		if (!name || !*name)
			continue;
		t->objs[k++] = (struct sym_obj){
			.addr = y.st_value, .size = y.st_size, .name = name,
			.rank = bind_rank(y.st_info),
		};
	}
	if (k > 1)
		qsort(t->objs, k, sizeof(*t->objs), obj_cmp);
	t->nobjs = 0;
	for (size_t i = 0; i < k; i++) {
		struct sym_obj *o = &t->objs[i];
		uint64_t end = o->addr + o->size;

		/* exact aliases add nothing: keep the preferred (first sorted) name */
		if (t->nobjs && t->objs[t->nobjs - 1].addr == o->addr &&
		    t->objs[t->nobjs - 1].size == o->size)
			continue;
		o->reach = end;
		if (t->nobjs && t->objs[t->nobjs - 1].reach > end)
			o->reach = t->objs[t->nobjs - 1].reach;
		t->objs[t->nobjs++] = *o;
	}
}

/* ---------------------------------------------------------------------------
 * Line-number programs.
 */

/* Sections the line-table parser reads strings from. */
struct sym_dwarf {
	struct sym_sect line;		/* .debug_line */
	struct sym_sect line_str;	/* .debug_line_str (DW_FORM_line_strp) */
	struct sym_sect str;		/* .debug_str (DW_FORM_strp) */
};

/* One attribute value of a v5 directory/file entry. */
struct sym_fval {
	const char *str;	/* string value, NULL when the form is not a resolvable string */
	uint64_t num;		/* numeric value, 0 when the form is not a constant */
};

/* Read one value of the given form; returns -1 on an unknown form or overrun. */
static int read_form(struct sym_rd *r, const struct sym_dwarf *dw, uint64_t form,
		     struct sym_fval *v)
{
	v->str = NULL;
	v->num = 0;
	switch (form) {
	case DW_FORM_string:
		v->str = rd_cstr(r);
		break;
	case DW_FORM_line_strp:
		v->str = sect_str(&dw->line_str, rd_u32(r));
		break;
	case DW_FORM_strp:
		v->str = sect_str(&dw->str, rd_u32(r));
		break;
	case DW_FORM_sec_offset:
		rd_u32(r);
		break;
	case DW_FORM_udata:
		v->num = rd_uleb(r);
		break;
	case DW_FORM_sdata:
		v->num = (uint64_t)rd_sleb(r);
		break;
	case DW_FORM_strx:	/* needs the CU's str_offsets base: unresolvable here */
		rd_uleb(r);
		break;
	case DW_FORM_data1:
	case DW_FORM_flag:
		v->num = rd_u8(r);
		break;
	case DW_FORM_data2:
		v->num = rd_u16(r);
		break;
	case DW_FORM_data4:
		v->num = rd_u32(r);
		break;
	case DW_FORM_data8:
		v->num = rd_uint(r, 8);
		break;
	case DW_FORM_strx1:
	case DW_FORM_strx2:
	case DW_FORM_strx3:
	case DW_FORM_strx4:
		rd_skip(r, form - DW_FORM_strx1 + 1);
		break;
	case DW_FORM_data16:
		rd_skip(r, 16);
		break;
	case DW_FORM_block:
		rd_skip(r, rd_uleb(r));
		break;
	case DW_FORM_block1:
		rd_skip(r, rd_u8(r));
		break;
	case DW_FORM_block2:
		rd_skip(r, rd_u16(r));
		break;
	case DW_FORM_block4:
		rd_skip(r, rd_u32(r));
		break;
	default:
		return -1;
	}
	return r->err ? -1 : 0;
}

/* Parse a v5 entry-format description: count pairs of (content type, form). */
static int read_formats(struct sym_rd *r, uint64_t fmt[][2], unsigned *count)
{
	*count = rd_u8(r);
	if (*count > SYM_MAX_FORMATS)
		return -1;
	for (unsigned i = 0; i < *count; i++) {
		fmt[i][0] = rd_uleb(r);
		fmt[i][1] = rd_uleb(r);
	}
	return r->err ? -1 : 0;
}

/* Directory string for index di; index 0 (the compilation directory) is never used. */
static const char *dir_of(const struct sym_lhdr *h, uint64_t di)
{
	return di && di < h->dirs.n ? h->dirs.v[di] : NULL;
}

/* Read a v5 directory or file table: (formats, count, entries). */
static int read_v5_entries(struct sym_rd *r, const struct sym_dwarf *dw, struct sym_lhdr *h,
			   struct sym_intern *in, int is_file)
{
	uint64_t fmt[SYM_MAX_FORMATS][2];
	unsigned nfmt;
	uint64_t n;

	if (read_formats(r, fmt, &nfmt))
		return -1;
	n = rd_uleb(r);
	/*
	 * Every supported form takes at least one byte, so a real table has no
	 * more entries than bytes left; the check also stops a huge count with no
	 * formats from looping for ever.
	 */
	if (r->err || n > (uint64_t)(r->end - r->p))
		return -1;
	for (uint64_t i = 0; i < n; i++) {
		const char *path = NULL;
		uint64_t di = 0;

		for (unsigned f = 0; f < nfmt; f++) {
			struct sym_fval v;

			if (read_form(r, dw, fmt[f][1], &v))
				return -1;
			if (fmt[f][0] == DW_LNCT_path)
				path = v.str;
			else if (fmt[f][0] == DW_LNCT_directory_index)
				di = v.num;
		}
		if (is_file)
			path = sym_join_path(in, dir_of(h, di), path);
		if (strv_push(is_file ? &h->files : &h->dirs, path))
			return -1;
	}
	return 0;
}

/* Read the v2-v4 include_directories and file_names lists. */
static int read_v4_tables(struct sym_rd *r, struct sym_lhdr *h, struct sym_intern *in)
{
	const char *s;

	/* index 0 means the compilation directory / no file: neither is in the table */
	if (strv_push(&h->dirs, NULL) || strv_push(&h->files, NULL))
		return -1;
	while ((s = rd_cstr(r)) && *s)
		if (strv_push(&h->dirs, s))
			return -1;
	while ((s = rd_cstr(r)) && *s) {
		uint64_t di = rd_uleb(r);

		rd_uleb(r);	/* modification time */
		rd_uleb(r);	/* file length */
		if (strv_push(&h->files, sym_join_path(in, dir_of(h, di), s)))
			return -1;
	}
	return r->err ? -1 : 0;
}

/*
 * Parse a unit header from r (positioned after unit_length, bounded by the
 * unit) into h and leave r at the start of the line-number program.
 */
static int read_lhdr(struct sym_rd *r, const struct sym_dwarf *dw, struct sym_lhdr *h,
		     struct sym_intern *in)
{
	struct sym_rd hr;
	uint32_t hlen;

	h->version = rd_u16(r);
	if (h->version < 2 || h->version > 5)
		return -1;
	if (h->version >= 5) {
		rd_u8(r);	/* address_size: set_address carries its own length */
		rd_u8(r);	/* segment_selector_size */
	}
	hlen = rd_u32(r);
	if (r->err || hlen > (size_t)(r->end - r->p))
		return -1;
	hr = (struct sym_rd){ .p = r->p, .end = r->p + hlen };
	r->p += hlen;

	h->min_inst_len = rd_u8(&hr);
	h->max_ops = h->version >= 4 ? rd_u8(&hr) : 1;
	if (!h->max_ops)
		h->max_ops = 1;
	rd_u8(&hr);	/* default_is_stmt: statement flags do not change the answer */
	h->line_base = (int8_t)rd_u8(&hr);
	h->line_range = rd_u8(&hr);
	h->opcode_base = rd_u8(&hr);
	if (hr.err || !h->line_range || !h->opcode_base)
		return -1;
	h->std_lens = hr.p;
	rd_skip(&hr, h->opcode_base - 1);
	if (hr.err)
		return -1;
	if (h->version >= 5) {
		if (read_v5_entries(&hr, dw, h, in, 0))
			return -1;
		return read_v5_entries(&hr, dw, h, in, 1);
	}
	return read_v4_tables(&hr, h, in);
}

/* line + delta with wrap-around instead of signed-overflow UB on hostile input. */
static int64_t line_add(int64_t line, int64_t delta)
{
	return (int64_t)((uint64_t)line + (uint64_t)delta);
}

/* Number of operands the unit declares for standard opcode op. */
static unsigned std_len(const struct sym_lhdr *h, unsigned op)
{
	return h->std_lens[op - 1];
}

static void advance_ops(struct sym_lstate *s, const struct sym_lhdr *h, uint64_t adv)
{
	if (h->max_ops == 1) {
		s->addr += h->min_inst_len * adv;
		return;
	}
	s->op_index += adv;
	s->addr += h->min_inst_len * (s->op_index / h->max_ops);
	s->op_index %= h->max_ops;
}

static int emit_row(struct sym_table *t, const struct sym_lhdr *h, const struct sym_lstate *s)
{
	const char *file = s->file < h->files.n ? h->files.v[s->file] : NULL;
	unsigned line = s->line > 0 && s->line <= UINT32_MAX ? (unsigned)s->line : 0;

	return row_push(t, s->addr, file, line);
}

/*
 * Close the sequence made of rows [first, nrows) ending at end: keep it when
 * it is well formed and lies in executable code of this file, else drop its
 * rows.  Sequences of functions discarded by the linker are relocated to 0 or
 * to a tombstone value, and are rejected here by the segment check.
 */
static int end_sequence(struct sym_table *t, size_t first, uint64_t end)
{
	struct sym_seq q = { .first = first, .count = t->nrows - first, .end = end };

	if (!q.count)
		return 0;
	q.start = t->rows[first].addr;
	for (size_t i = first + 1; i < t->nrows; i++)
		if (t->rows[i].addr < t->rows[i - 1].addr)
			goto drop;
	if (end < t->rows[t->nrows - 1].addr || !in_segment(t, q.start, end, 1))
		goto drop;
	return seq_push(t, &q);
drop:
	t->nrows = first;
	return 0;
}

/* Execute one extended opcode; returns -1 when the unit must be abandoned. */
static int run_extended(struct sym_rd *r, struct sym_table *t, struct sym_lhdr *h,
			struct sym_lstate *s, size_t *first, struct sym_intern *in)
{
	uint64_t len = rd_uleb(r);
	struct sym_rd er;

	if (r->err || len > (uint64_t)(r->end - r->p))
		return -1;
	if (!len)
		return 0;
	er = (struct sym_rd){ .p = r->p, .end = r->p + len };
	r->p += len;	/* the length is authoritative, whatever the opcode */
	switch (rd_u8(&er)) {
	case DW_LNE_end_sequence:
		if (end_sequence(t, *first, s->addr))
			return -1;
		*first = t->nrows;
		*s = (struct sym_lstate){ .file = 1, .line = 1 };
		break;
	case DW_LNE_set_address:
		s->addr = rd_uint(&er, (size_t)(len - 1));
		s->op_index = 0;
		break;
	case DW_LNE_define_file:
		if (h->version < 5) {
			const char *name = rd_cstr(&er);
			uint64_t di = rd_uleb(&er);

			if (!er.err && strv_push(&h->files, sym_join_path(in, dir_of(h, di), name)))
				return -1;
		}
		break;
	default:	/* set_discriminator and vendor opcodes do not affect rows */
		break;
	}
	return 0;
}

/* Execute a known standard opcode with its standard operand count. */
static int run_standard(struct sym_rd *r, struct sym_table *t, const struct sym_lhdr *h,
			struct sym_lstate *s, unsigned op)
{
	switch (op) {
	case DW_LNS_copy:
		return emit_row(t, h, s);
	case DW_LNS_advance_pc:
		advance_ops(s, h, rd_uleb(r));
		break;
	case DW_LNS_advance_line:
		s->line = line_add(s->line, rd_sleb(r));
		break;
	case DW_LNS_set_file:
		s->file = rd_uleb(r);
		break;
	case DW_LNS_const_add_pc:
		advance_ops(s, h, (255 - h->opcode_base) / h->line_range);
		break;
	case DW_LNS_fixed_advance_pc:
		s->addr += rd_u16(r);
		s->op_index = 0;
		break;
	case DW_LNS_set_column:
	case DW_LNS_set_isa:
		rd_uleb(r);
		break;
	default:	/* negate_stmt, set_basic_block, prologue_end, epilogue_begin */
		break;
	}
	return 0;
}

/* Operand counts the DWARF standard defines for opcodes 1..12. */
static const uint8_t sym_std_operands[13] = { 0, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1 };

/* Run the line-number program in r, appending kept sequences to t. */
static int run_program(struct sym_rd *r, struct sym_table *t, struct sym_lhdr *h,
		       struct sym_intern *in)
{
	struct sym_lstate s = { .file = 1, .line = 1 };
	size_t first = t->nrows;

	while (r->p < r->end && !r->err) {
		unsigned op = rd_u8(r);

		if (op >= h->opcode_base) {
			unsigned adj = op - h->opcode_base;

			advance_ops(&s, h, adj / h->line_range);
			s.line = line_add(s.line, h->line_base + (int)(adj % h->line_range));
			if (emit_row(t, h, &s))
				break;
		} else if (op == 0) {
			if (run_extended(r, t, h, &s, &first, in))
				break;
		} else if (op <= DW_LNS_set_isa && std_len(h, op) == sym_std_operands[op]) {
			if (run_standard(r, t, h, &s, op))
				break;
		} else {
			/* unknown (or oddly declared) opcode: skip its ULEB operands */
			for (unsigned i = 0; i < std_len(h, op); i++)
				rd_uleb(r);
		}
	}
	/* rows of an unterminated (or abandoned) sequence cannot be bounded: drop them */
	t->nrows = first;
	return 0;
}

static void lhdr_free(struct sym_lhdr *h)
{
	free(h->dirs.v);
	free(h->files.v);
}

/* Parse one unit starting at r->p; advances r past it. Returns -1 to stop. */
static int read_unit(struct sym_rd *r, struct sym_table *t, const struct sym_dwarf *dw)
{
	struct sym_lhdr h;
	struct sym_rd ur;
	uint64_t len = rd_u32(r);
	int ret = 0;

	if (r->err)
		return -1;
	if (len == 0xffffffffu) {
		/* 64-bit DWARF: unsupported, but its length lets us step over it */
		len = rd_uint(r, 8);
		if (r->err || len > (uint64_t)(r->end - r->p))
			return -1;
		r->p += len;
		return 0;
	}
	if (len >= 0xfffffff0u || len > (uint64_t)(r->end - r->p))
		return -1;
	ur = (struct sym_rd){ .p = r->p, .end = r->p + len };
	r->p += len;
	memset(&h, 0, sizeof(h));
	if (!read_lhdr(&ur, dw, &h, &t->paths))
		ret = run_program(&ur, t, &h, &t->paths);
	lhdr_free(&h);
	return ret;
}

static int seq_cmp(const void *a, const void *b)
{
	const struct sym_seq *x = a, *y = b;

	/* first row index breaks ties so the order does not depend on qsort */
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return 0;
}

/* Sort sequences and drop any overlapping an earlier one, so lookups are unambiguous. */
static void seqs_finish(struct sym_table *t)
{
	size_t k = 0;

	if (t->nseqs > 1)	/* qsort must not see the NULL of an empty table */
		qsort(t->seqs, t->nseqs, sizeof(*t->seqs), seq_cmp);
	for (size_t i = 0; i < t->nseqs; i++) {
		if (k && t->seqs[i].start < t->seqs[k - 1].end)
			continue;
		t->seqs[k++] = t->seqs[i];
	}
	t->nseqs = k;
}

static void load_lines(struct sym_table *t, const struct sym_dwarf *dw)
{
	struct sym_rd r;

	if (!dw->line.data)
		return;
	r = (struct sym_rd){ .p = dw->line.data, .end = dw->line.data + dw->line.size };
	while (r.p < r.end)
		if (read_unit(&r, t, dw))
			break;
	seqs_finish(t);
	/* the row array grew by doubling; give back the slack, it lives until exit */
	if (t->nrows && t->nrows < t->rows_cap) {
		struct sym_row *nr = realloc(t->rows, t->nrows * sizeof(*nr));

		if (nr) {
			t->rows = nr;
			t->rows_cap = t->nrows;
		}
	}
}

/* ---------------------------------------------------------------------------
 * Initialisation.
 */

/* Load bias and program headers of the main program, as the dynamic loader sees it. */
struct sym_self {
	uintptr_t bias;			/* dlpi_addr of the first object */
	const ElfW(Phdr) *phdr;		/* its program headers in memory */
	size_t phnum;			/* number of program headers */
	int found;			/* set once the first object has been seen */
};

static int self_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	struct sym_self *self = data;

	(void)size;
	/* the first object reported is always the main program */
	self->bias = (uintptr_t)info->dlpi_addr;
	self->phdr = info->dlpi_phdr;
	self->phnum = info->dlpi_phnum;
	self->found = 1;
	return 1;
}

/*
 * The file must be the image that is running: /proc/self/exe names the
 * dynamic loader when a program is started as "ld.so ./prog".  Comparing the
 * program headers catches that without trusting any path.
 */
static int same_image(const struct sym_table *t, const Elf64_Ehdr *eh, const struct sym_self *self)
{
	const uint8_t *ph;

	if (!self->found || !self->phdr || self->phnum != eh->e_phnum ||
	    sizeof(ElfW(Phdr)) != sizeof(Elf64_Phdr) || eh->e_phentsize != sizeof(Elf64_Phdr))
		return 0;
	ph = file_table(t, eh->e_phoff, eh->e_phnum, eh->e_phentsize);
	return ph && !memcmp(ph, self->phdr, self->phnum * sizeof(Elf64_Phdr));
}

static int map_self(struct sym_table *t)
{
	struct stat st;
	void *m;
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || st.st_size <= 0 || (uint64_t)st.st_size > SIZE_MAX) {
		close(fd);
		return -1;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -1;
	t->map = m;
	t->map_len = (size_t)st.st_size;
	return 0;
}

static void sym_build(struct sym_table *t)
{
	struct sym_self self = { 0 };
	struct sym_shdrs sh;
	struct sym_dwarf dw;
	Elf64_Ehdr eh;
	size_t symidx;

	if (map_self(t) || !sym_elf_ok(t->map, t->map_len, &eh))
		return;
	dl_iterate_phdr(self_cb, &self);
	if (!same_image(t, &eh, &self) || load_segments(t, &eh) || shdrs_init(t, &eh, &sh))
		return;
	t->bias = self.bias;

	symidx = sect_find_type(&sh, SHT_SYMTAB);
	if (!symidx)
		symidx = sect_find_type(&sh, SHT_DYNSYM);
	if (symidx)
		load_objects(t, &sh, symidx);

	dw.line = sect_of(t, &sh, sect_find(t, &sh, ".debug_line"));
	dw.line_str = sect_of(t, &sh, sect_find(t, &sh, ".debug_line_str"));
	dw.str = sect_of(t, &sh, sect_find(t, &sh, ".debug_str"));
	load_lines(t, &dw);
}

static struct sym_table *sym_get(void)
{
	if (!sym_tab.state) {
		sym_tab.state = 1;
		sym_build(&sym_tab);
	}
	return &sym_tab;
}

/* ---------------------------------------------------------------------------
 * Lookups.
 */

/* Index of the last sequence starting at or before a, or nseqs when none. */
static size_t seq_find(const struct sym_table *t, uint64_t a)
{
	size_t lo = 0, hi = t->nseqs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->seqs[mid].start <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? lo - 1 : t->nseqs;
}

/* Index of the last row of q whose address is <= a (q->start <= a is given). */
static size_t row_find(const struct sym_table *t, const struct sym_seq *q, uint64_t a)
{
	size_t lo = q->first, hi = q->first + q->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->rows[mid].addr <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - 1;
}

int kw_sym_pc(uintptr_t pc, struct kw_srcloc *out)
{
	struct sym_table *t = sym_get();
	const struct sym_seq *q;
	const struct sym_row *row;
	uint64_t a;
	size_t i;

	if (!pc || !t->nseqs)
		return -1;
	/* a return address points after the call: pc - 1 is inside the call instruction */
	a = (uint64_t)(pc - 1 - t->bias);
	i = seq_find(t, a);
	if (i == t->nseqs || a >= t->seqs[i].end)
		return -1;
	q = &t->seqs[i];
	i = row_find(t, q, a);
	row = &t->rows[i];
	/* line 0 means "no source line"; the preceding real line is more useful */
	if (row->line == 0) {
		for (size_t j = i; j-- > q->first;) {
			if (t->rows[j].line) {
				row = &t->rows[j];
				break;
			}
		}
	}
	if (!row->file)
		return -1;
	if (out) {
		out->file = row->file;
		out->line = row->line;
	}
	return 0;
}

int kw_sym_data(uintptr_t addr, const char **name, uintptr_t *off)
{
	struct sym_table *t = sym_get();
	uint64_t a = (uint64_t)(addr - t->bias);
	size_t lo = 0, hi = t->nobjs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->objs[mid].addr <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* scan back over nested objects; reach stops the scan once nothing earlier can cover a */
	for (size_t j = lo; j-- > 0 && t->objs[j].reach > a;) {
		const struct sym_obj *o = &t->objs[j];

		if (a - o->addr < o->size) {
			if (name)
				*name = o->name;
			if (off)
				*off = (uintptr_t)(a - o->addr);
			return 0;
		}
	}
	return -1;
}

const char *kw_sym_pc_str(uintptr_t pc, char *buf, size_t n)
{
	struct kw_srcloc loc;

	if (!buf || !n)
		return buf;
	if (kw_sym_pc(pc, &loc))
		snprintf(buf, n, "??:0");
	else
		snprintf(buf, n, "%s:%u", loc.file, loc.line);
	return buf;
}
