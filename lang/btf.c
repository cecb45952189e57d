/* SPDX-License-Identifier: Apache-2.0 */
/* Kernel types from BTF: maps the raw files, indexes names lazily, converts to struct type. */
#include "btf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/btf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"

#define BTF_SYSFS_DIR "/sys/kernel/btf"
/* Deeper nesting of by-value types or typedef chains than this means corrupt BTF. */
#define MAX_DEPTH 64

/* One BTF file: vmlinux, or a module's split BTF on top of it. */
struct bfile {
	const char *name; /* "vmlinux" or the module name */
	const uint8_t *data;
	size_t size;
	bool mapped; /* data is an mmap (else malloc'd) */
	const uint8_t *types;
	uint32_t types_len;
	const char *strs;
	uint32_t strs_len;
	struct bfile *base;  /* split BTF: vmlinux; NULL for vmlinux itself */
	uint32_t first_id;   /* id of this file's first type: 1, or base's last id + 1 */
	uint32_t str_base;   /* string offsets below this are the base's */
	/* built on first use by index() */
	bool indexed, bad;
	uint32_t ntypes;
	uint32_t *off;       /* local index -> byte offset in types */
	uint32_t *slots;     /* open-addressing name hash: local index + 1, 0 empty */
	uint32_t *hashes;    /* the name hash of each slot, to skip most strcmps */
	uint32_t mask;
	uint32_t nnames;
	const struct type **cache; /* local index -> converted type */
	struct bfile *next;
};

struct btf_ctx {
	struct arena *arena;
	struct bfile *vmlinux;
	struct bfile *modules, **modules_tail;
	bool scan_modules; /* default path: look in BTF_SYSFS_DIR on a miss */
	bool modules_scanned;
	unsigned nmodules;
	double index_ms;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- files ----------------------------------------------------------------------------------- */

/*
 * The kernel lets /sys/kernel/btf/vmlinux be mapped (6.16+), which costs
 * nothing; older kernels and plain files fall back to read().
 */
static int load_file(const char *path, struct bfile *f)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_size < (off_t)sizeof(struct btf_header)) {
		close(fd);
		return -EINVAL;
	}
	f->size = (size_t)st.st_size;
	void *p = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p != MAP_FAILED) {
		f->data = p;
		f->mapped = true;
		close(fd);
		return 0;
	}
	uint8_t *buf = xmalloc(f->size);
	size_t got = 0;
	while (got < f->size) {
		ssize_t r = read(fd, buf + got, f->size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got != f->size) {
		free(buf);
		return -EIO;
	}
	f->data = buf;
	return 0;
}

static void unload_file(struct bfile *f)
{
	if (f->mapped)
		munmap((void *)f->data, f->size);
	else
		free((void *)f->data);
	free(f->off);
	free(f->slots);
	free(f->hashes);
	f->data = NULL;
	f->off = f->slots = f->hashes = NULL;
	f->indexed = false;
	f->bad = true;
}

/* Check the header and find the two sections; the records are checked by index(). */
static int parse_header(struct bfile *f)
{
	const struct btf_header *h = (const void *)f->data;

	if (h->magic != BTF_MAGIC || h->version != BTF_VERSION || h->hdr_len < sizeof(*h) ||
	    h->hdr_len > f->size)
		return -EINVAL;
	size_t avail = f->size - h->hdr_len;
	if ((size_t)h->type_off + h->type_len > avail || (size_t)h->str_off + h->str_len > avail ||
	    h->type_off % 4)
		return -EINVAL;
	f->types = f->data + h->hdr_len + h->type_off;
	f->types_len = h->type_len;
	f->strs = (const char *)f->data + h->hdr_len + h->str_off;
	f->strs_len = h->str_len;
	/* Strings are read as C strings: the section must end in a NUL. */
	if (f->strs_len && f->strs[f->strs_len - 1] != '\0')
		return -EINVAL;
	return 0;
}

static struct bfile *open_file(struct btf_ctx *c, const char *path, const char *name,
			       struct bfile *base)
{
	struct bfile *f = arena_new_obj(c->arena, struct bfile);
	int err;

	f->name = arena_strdup(c->arena, name);
	f->base = base;
	err = load_file(path, f);
	if (err) {
		errno = -err;
		return NULL;
	}
	err = parse_header(f);
	if (err) {
		unload_file(f);
		errno = -err;
		return NULL;
	}
	f->first_id = 1;
	if (base) {
		f->str_base = base->strs_len;
		f->first_id = base->first_id + base->ntypes;
	}
	return f;
}

/* ---- index ----------------------------------------------------------------------------------- */

/* Bytes of a type record with its trailing data; 0 for a kind this reader does not know. */
static size_t rec_size(const struct btf_type *t)
{
	size_t vlen = BTF_INFO_VLEN(t->info);

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:
		return sizeof(*t) + sizeof(uint32_t);
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return sizeof(*t);
	case BTF_KIND_ARRAY:
		return sizeof(*t) + sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return sizeof(*t) + vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return sizeof(*t) + vlen * sizeof(struct btf_enum);
	case BTF_KIND_ENUM64:
		return sizeof(*t) + vlen * sizeof(struct btf_enum64);
	case BTF_KIND_FUNC_PROTO:
		return sizeof(*t) + vlen * sizeof(struct btf_param);
	case BTF_KIND_VAR:
		return sizeof(*t) + sizeof(struct btf_var);
	case BTF_KIND_DATASEC:
		return sizeof(*t) + vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_DECL_TAG:
		return sizeof(*t) + sizeof(struct btf_decl_tag);
	default:
		return 0;
	}
}

/* Kinds whose names are looked up: the rest are anonymous or never asked for. */
static bool indexed_kind(unsigned kind)
{
	switch (kind) {
	case BTF_KIND_INT:
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
		return true;
	default:
		return false;
	}
}

/* FNV-1a: short names, and it needs no length up front. */
static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

/* A string of file f; "" for an offset out of range. */
static const char *str_at(const struct bfile *f, uint32_t off)
{
	if (f->base && off < f->str_base)
		return str_at(f->base, off);
	off -= f->str_base;
	return off < f->strs_len ? f->strs + off : "";
}

static const struct btf_type *rec(const struct bfile *f, uint32_t local)
{
	return (const void *)(f->types + f->off[local]);
}

/* Walk the records once: their offsets, then a hash of the names. */
static int walk_records(struct bfile *f)
{
	uint32_t cap = f->types_len / 32 + 16, n = 0, pos = 0;

	f->off = xmalloc(cap * sizeof(*f->off));
	while (pos < f->types_len) {
		const struct btf_type *t = (const void *)(f->types + pos);
		size_t sz;

		if (f->types_len - pos < sizeof(*t) || !(sz = rec_size(t)) ||
		    sz > f->types_len - pos)
			return -EINVAL;
		if (n == cap) {
			cap *= 2;
			f->off = xrealloc(f->off, cap * sizeof(*f->off));
		}
		f->off[n++] = pos;
		if (t->name_off && indexed_kind(BTF_INFO_KIND(t->info)))
			f->nnames++;
		pos += (uint32_t)sz;
	}
	f->ntypes = n;
	return 0;
}

static void hash_names(struct bfile *f)
{
	uint32_t size = 16;

	while (size < f->nnames * 2)
		size *= 2;
	f->mask = size - 1;
	f->slots = xcalloc(size, sizeof(*f->slots));
	f->hashes = xmalloc(size * sizeof(*f->hashes));
	for (uint32_t i = 0; i < f->ntypes; i++) {
		const struct btf_type *t = rec(f, i);

		if (!t->name_off || !indexed_kind(BTF_INFO_KIND(t->info)))
			continue;
		uint32_t h = name_hash(str_at(f, t->name_off)), s = h & f->mask;
		while (f->slots[s])
			s = (s + 1) & f->mask;
		f->slots[s] = i + 1;
		f->hashes[s] = h;
	}
}

static bool index_file(struct btf_ctx *c, struct bfile *f)
{
	if (f->indexed || f->bad)
		return f->indexed;
	double t0 = now_ms();
	if (walk_records(f)) {
		unload_file(f);
		return false;
	}
	hash_names(f);
	f->cache = arena_alloc(c->arena, (f->ntypes + 1) * sizeof(*f->cache));
	f->indexed = true;
	c->index_ms += now_ms() - t0;
	return true;
}

/* The local index of the first type of that kind and name in f; -1 if none. */
static int64_t find_in(const struct bfile *f, const char *name, unsigned kind)
{
	uint32_t h = name_hash(name);

	for (uint32_t s = h & f->mask; f->slots[s]; s = (s + 1) & f->mask) {
		uint32_t i = f->slots[s] - 1;
		const struct btf_type *t = rec(f, i);

		if (f->hashes[s] == h && BTF_INFO_KIND(t->info) == kind &&
		    !strcmp(str_at(f, t->name_off), name))
			return i;
	}
	return -1;
}

/* ---- modules --------------------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every module file in the sysfs directory, in name order so lookups are deterministic. */
static void scan_modules(struct btf_ctx *c)
{
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;

	c->modules_scanned = true;
	if (!c->scan_modules || !(d = opendir(BTF_SYSFS_DIR)))
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "vmlinux"))
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		char *path = arena_printf(c->arena, "%s/%s", BTF_SYSFS_DIR, names[i]);
		btf_add_module(c, path, names[i]); /* a module without BTF is skipped */
		free(names[i]);
	}
	free(names);
}

int btf_add_module(struct btf_ctx *c, const char *path, const char *name)
{
	if (!c || !index_file(c, c->vmlinux))
		return -EINVAL;
	struct bfile *f = open_file(c, path, name, c->vmlinux);
	if (!f)
		return -errno;
	if (!index_file(c, f))
		return -EINVAL;
	*c->modules_tail = f;
	c->modules_tail = &f->next;
	c->nmodules++;
	return 0;
}

/* The next file to search after f (NULL: start), loading modules when vmlinux missed. */
static struct bfile *next_file(struct btf_ctx *c, struct bfile *f)
{
	if (!f)
		return index_file(c, c->vmlinux) ? c->vmlinux : NULL;
	if (f == c->vmlinux) {
		if (!c->modules_scanned)
			scan_modules(c);
		return c->modules;
	}
	return f->next;
}

/*
 * The first of kinds[] (in that order of preference) named name, in
 * vmlinux, then in each module.
 */
static bool find(struct btf_ctx *c, const char *name, const unsigned *kinds, unsigned nkinds,
		 struct bfile **fp, uint32_t *local)
{
	for (struct bfile *f = next_file(c, NULL); f; f = next_file(c, f)) {
		for (unsigned k = 0; k < nkinds; k++) {
			int64_t i = find_in(f, name, kinds[k]);
			if (i >= 0) {
				*fp = f;
				*local = (uint32_t)i;
				return true;
			}
		}
	}
	return false;
}

/* ---- open/close ------------------------------------------------------------------------------ */

struct btf_ctx *btf_open(struct arena *a, const char *vmlinux_path)
{
	struct btf_ctx *c = arena_new_obj(a, struct btf_ctx);

	c->arena = a;
	c->modules_tail = &c->modules;
	c->scan_modules = vmlinux_path == NULL;
	c->vmlinux = open_file(c, vmlinux_path ? vmlinux_path : BTF_SYSFS_DIR "/vmlinux",
			       "vmlinux", NULL);
	return c->vmlinux ? c : NULL;
}

void btf_close(struct btf_ctx *c)
{
	if (!c)
		return;
	for (struct bfile *f = c->modules; f; f = f->next)
		if (f->data)
			unload_file(f);
	if (c->vmlinux && c->vmlinux->data)
		unload_file(c->vmlinux);
}

void btf_stats(const struct btf_ctx *c, struct btf_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!c)
		return;
	out->ntypes = c->vmlinux->ntypes;
	out->nmodules = c->nmodules;
	out->index_ms = c->index_ms;
	out->nnames = c->vmlinux->nnames;
	for (const struct bfile *f = c->modules; f; f = f->next)
		out->nnames += f->nnames;
}

/* ---- conversion ------------------------------------------------------------------------------ */

/* A type id as seen from file f, resolved to its owning file and local index. */
struct tref {
	struct bfile *f;
	uint32_t local;
	const struct btf_type *t; /* NULL: void (id 0) or out of range */
};

static struct tref resolve(struct bfile *f, uint32_t id)
{
	struct tref r = { 0 };

	if (id == 0)
		return r;
	while (f->base && id < f->first_id)
		f = f->base;
	if (!f->indexed || id - f->first_id >= f->ntypes)
		return r;
	r.f = f;
	r.local = id - f->first_id;
	r.t = rec(f, r.local);
	return r;
}

static unsigned kind_of(const struct tref *r)
{
	return r->t ? BTF_INFO_KIND(r->t->info) : BTF_KIND_UNKN;
}

/* Skip typedefs and qualifiers. */
static struct tref skip_mods(struct tref r)
{
	for (int depth = 0; r.t && depth < MAX_DEPTH; depth++) {
		switch (kind_of(&r)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			r = resolve(r.f, r.t->type);
			break;
		default:
			return r;
		}
	}
	return r;
}

static const struct type *conv(struct btf_ctx *c, struct tref r, const char *tdname, int depth);
static const struct type *complete(struct btf_ctx *c, const struct type *t, int depth);

/* A type held by value: a struct must have its fields. */
static const struct type *conv_value(struct btf_ctx *c, struct tref r, int depth)
{
	return complete(c, conv(c, r, NULL, depth + 1), depth + 1);
}

static struct type *new_type(struct btf_ctx *c, enum type_kind kind, unsigned size)
{
	struct type *t = arena_new_obj(c->arena, struct type);

	t->kind = kind;
	t->size = size;
	t->align = 1;
	return t;
}

/* ctrace has no 128-bit or floating scalars: such values are kept as bytes. */
static const struct type *bytes(struct btf_ctx *c, unsigned size)
{
	return type_array(c->arena, &type_u8, size);
}

static const struct type *conv_int(struct btf_ctx *c, const struct btf_type *t)
{
	uint32_t enc = *(const uint32_t *)(t + 1);

	if (BTF_INT_ENCODING(enc) & BTF_INT_BOOL)
		return &type_bool;
	switch (t->size) {
	case 1:
	case 2:
	case 4:
	case 8:
		return type_int(t->size, BTF_INT_ENCODING(enc) & BTF_INT_SIGNED);
	default:
		return bytes(c, t->size);
	}
}

/* "struct foo", the typedef's name for an anonymous one, or a unique placeholder. */
static const char *tag_name(struct btf_ctx *c, struct tref r, const char *what,
			    const char *tdname)
{
	const char *name = str_at(r.f, r.t->name_off);

	if (*name)
		return arena_printf(c->arena, "%s %s", what, name);
	if (tdname)
		return tdname;
	return arena_printf(c->arena, "%s (anonymous #%u)", what, r.f->first_id + r.local);
}

static const struct type *conv_enum(struct btf_ctx *c, struct tref r, const char *tdname)
{
	const struct btf_type *bt = r.t;
	unsigned n = BTF_INFO_VLEN(bt->info);
	bool is_signed = BTF_INFO_KFLAG(bt->info);
	struct type *t = new_type(c, TY_ENUM, bt->size);
	struct enum_val *ev = arena_alloc(c->arena, (n ? n : 1) * sizeof(*ev));

	for (unsigned i = 0; i < n; i++) {
		if (BTF_INFO_KIND(bt->info) == BTF_KIND_ENUM64) {
			const struct btf_enum64 *e = (const void *)(bt + 1);
			ev[i].name = arena_strdup(c->arena, str_at(r.f, e[i].name_off));
			ev[i].value = (int64_t)((uint64_t)e[i].val_hi32 << 32 | e[i].val_lo32);
		} else {
			const struct btf_enum *e = (const void *)(bt + 1);
			ev[i].name = arena_strdup(c->arena, str_at(r.f, e[i].name_off));
			/* Without the signed flag the 32 bits are an unsigned value. */
			ev[i].value = is_signed ? (int64_t)e[i].val : (int64_t)(uint32_t)e[i].val;
		}
	}
	t->align = bt->size ? bt->size : 1;
	t->is_signed = is_signed;
	t->name = tag_name(c, r, "enum", tdname);
	t->enums = ev;
	t->nenums = n;
	t->btf_id = r.f->first_id + r.local;
	t->btf_obj = r.f;
	return t;
}

/* A struct or union without its fields yet: complete() adds them. */
static const struct type *conv_record(struct btf_ctx *c, struct tref r, const char *tdname)
{
	bool is_union = kind_of(&r) == BTF_KIND_UNION;
	struct type *t = new_type(c, TY_STRUCT, r.t->size);

	t->is_union = is_union;
	t->name = tag_name(c, r, is_union ? "union" : "struct", tdname);
	t->incomplete = true;
	t->btf_id = r.f->first_id + r.local;
	t->btf_obj = r.f;
	return t;
}

/* A forward declaration: the definition of that name anywhere, else an empty struct. */
static const struct type *conv_fwd(struct btf_ctx *c, struct tref r, int depth)
{
	bool is_union = BTF_INFO_KFLAG(r.t->info);
	unsigned kind = is_union ? BTF_KIND_UNION : BTF_KIND_STRUCT;
	const char *name = str_at(r.f, r.t->name_off);
	struct tref def = { 0 };

	if (*name && find(c, name, &kind, 1, &def.f, &def.local)) {
		def.t = rec(def.f, def.local);
		return conv(c, def, NULL, depth + 1);
	}
	struct type *t = new_type(c, TY_STRUCT, 0);
	t->is_union = is_union;
	t->name = arena_printf(c->arena, "%s %s", is_union ? "union" : "struct", name);
	t->incomplete = true;
	return t;
}

static const struct type *conv_ptr(struct btf_ctx *c, struct tref r, int depth)
{
	struct tref to = skip_mods(resolve(r.f, r.t->type));
	const struct type *elem = &type_void;

	/* A function pointer is an address: void * says as much. */
	if (to.t && kind_of(&to) != BTF_KIND_FUNC_PROTO)
		elem = conv(c, resolve(r.f, r.t->type), NULL, depth + 1);
	return type_ptr(c->arena, elem ? elem : &type_void, AS_KERNEL);
}

static const struct type *conv_array(struct btf_ctx *c, struct tref r, int depth)
{
	const struct btf_array *a = (const void *)(r.t + 1);
	const struct type *elem = conv_value(c, resolve(r.f, a->type), depth);

	return elem ? type_array(c->arena, elem, a->nelems) : NULL;
}

static const struct type *conv_kind(struct btf_ctx *c, struct tref r, const char *tdname,
				    int depth)
{
	switch (kind_of(&r)) {
	case BTF_KIND_INT:
		return conv_int(c, r.t);
	case BTF_KIND_FLOAT:
		return bytes(c, r.t->size);
	case BTF_KIND_PTR:
		return conv_ptr(c, r, depth);
	case BTF_KIND_ARRAY:
		return conv_array(c, r, depth);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return conv_record(c, r, tdname);
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		return conv_enum(c, r, tdname);
	case BTF_KIND_FWD:
		return conv_fwd(c, r, depth);
	case BTF_KIND_TYPEDEF:
		/* The typedef names an anonymous struct or enum it reaches: "atomic_t". */
		return conv(c, resolve(r.f, r.t->type),
			    tdname ? tdname : arena_strdup(c->arena, str_at(r.f, r.t->name_off)),
			    depth + 1);
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		return conv(c, resolve(r.f, r.t->type), tdname, depth + 1);
	default: /* FUNC, FUNC_PROTO, VAR, DATASEC, DECL_TAG: not values */
		return NULL;
	}
}

/* The type of r, converted once and cached; structs may be incomplete. */
static const struct type *conv(struct btf_ctx *c, struct tref r, const char *tdname, int depth)
{
	if (!r.t)
		return &type_void;
	if (depth > MAX_DEPTH)
		return NULL;
	if (r.f->cache[r.local])
		return r.f->cache[r.local];
	const struct type *t = conv_kind(c, r, tdname, depth);
	r.f->cache[r.local] = t;
	return t;
}

/* ---- struct members -------------------------------------------------------------------------- */

struct members {
	struct field *out; /* NULL: only count */
	unsigned n;
	unsigned size;     /* the outermost struct's size, to keep bitfield units inside it */
};

/* Place a bitfield in the aligned unit of its type's size (see btf.h). */
static void place_bitfield(struct field *fl, unsigned bitoff, unsigned bits, unsigned size)
{
	unsigned unit = fl->type->size;

	if (unit != 1 && unit != 2 && unit != 4 && unit != 8)
		unit = 1;
	fl->offset = bitoff / 8 / unit * unit;
	fl->bit_offset = bitoff - fl->offset * 8;
	fl->bit_size = bits;
	if (fl->bit_offset + bits > unit * 8 || fl->offset + unit > size) {
		/* packed: the unit would straddle or overrun */
		fl->offset = bitoff / 8;
		fl->bit_offset = bitoff % 8;
	}
}

/* Old-style BTF (no kind_flag) marks a bitfield in an INT's own encoding. */
static unsigned int_bits(struct tref m, unsigned *extra_off)
{
	m = skip_mods(m);
	*extra_off = 0;
	if (kind_of(&m) != BTF_KIND_INT)
		return 0;
	uint32_t enc = *(const uint32_t *)(m.t + 1);
	if (BTF_INT_BITS(enc) == m.t->size * 8 && !BTF_INT_OFFSET(enc))
		return 0;
	*extra_off = BTF_INT_OFFSET(enc);
	return BTF_INT_BITS(enc);
}

static void add_members(struct btf_ctx *c, struct tref r, unsigned base_bits, struct members *ms,
			int depth)
{
	const struct btf_member *m = (const void *)(r.t + 1);
	bool kflag = BTF_INFO_KFLAG(r.t->info);

	if (depth > MAX_DEPTH)
		return;
	for (unsigned i = 0; i < BTF_INFO_VLEN(r.t->info); i++) {
		const char *name = str_at(r.f, m[i].name_off);
		struct tref mt = resolve(r.f, m[i].type), bare = skip_mods(mt);
		unsigned bitoff = base_bits + (kflag ? BTF_MEMBER_BIT_OFFSET(m[i].offset) : m[i].offset);
		unsigned bits = kflag ? BTF_MEMBER_BITFIELD_SIZE(m[i].offset) : 0, extra = 0;

		/* bpftrace flattens anonymous struct and union members into the parent. */
		if (!*name && (kind_of(&bare) == BTF_KIND_STRUCT || kind_of(&bare) == BTF_KIND_UNION)) {
			add_members(c, bare, bitoff, ms, depth + 1);
			continue;
		}
		if (!kflag)
			bits = int_bits(mt, &extra);
		if (ms->out) {
			struct field *fl = &ms->out[ms->n];
			fl->name = arena_strdup(c->arena, name);
			fl->type = conv_value(c, mt, depth);
			if (!fl->type)
				fl->type = &type_void;
			if (bits)
				place_bitfield(fl, bitoff + extra, bits, ms->size);
			else
				fl->offset = bitoff / 8;
		}
		ms->n++;
	}
}

/* The largest member alignment, or 1 when the layout shows the struct is packed. */
static unsigned record_align(const struct type *t)
{
	unsigned align = 1;

	for (unsigned i = 0; i < t->nfields; i++) {
		const struct field *fl = &t->fields[i];
		unsigned a = fl->type->align ? fl->type->align : 1;
		if (!fl->bit_size && fl->offset % a)
			return 1;
		if (a > align)
			align = a;
	}
	return t->size % align ? 1 : align;
}

static const struct type *complete(struct btf_ctx *c, const struct type *ct, int depth)
{
	if (!ct || ct->kind != TY_STRUCT || !ct->incomplete || !ct->btf_obj)
		return ct;
	struct type *t = (struct type *)ct; /* ours: created by conv_record */
	struct bfile *f = (struct bfile *)t->btf_obj;
	struct tref r = resolve(f, t->btf_id);
	struct members ms = { .size = t->size };

	if (!r.t || depth > MAX_DEPTH)
		return ct;
	add_members(c, r, 0, &ms, depth);
	ms.out = arena_alloc(c->arena, (ms.n ? ms.n : 1) * sizeof(*ms.out));
	ms.n = 0;
	/* Mark it first: a member's pointer back to this struct needs nothing more. */
	t->incomplete = false;
	add_members(c, r, 0, &ms, depth);
	t->fields = ms.out;
	t->nfields = ms.n;
	t->align = record_align(t);
	return t;
}

/* ---- lookups --------------------------------------------------------------------------------- */

static const unsigned bare_kinds[] = {
	BTF_KIND_TYPEDEF, BTF_KIND_INT,	  BTF_KIND_FLOAT, BTF_KIND_STRUCT,
	BTF_KIND_UNION,	  BTF_KIND_ENUM, BTF_KIND_ENUM64,
};

/* "struct x" -> x and the kinds to look for; anything else -> the name itself. */
static const char *split_tag(const char *name, unsigned kinds[2], unsigned *nkinds)
{
	static const struct {
		const char *prefix;
		unsigned kind1, kind2;
	} tags[] = {
		{ "struct ", BTF_KIND_STRUCT, BTF_KIND_STRUCT },
		{ "union ", BTF_KIND_UNION, BTF_KIND_UNION },
		{ "enum ", BTF_KIND_ENUM, BTF_KIND_ENUM64 },
	};

	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		size_t len = strlen(tags[i].prefix);
		if (!strncmp(name, tags[i].prefix, len)) {
			kinds[0] = tags[i].kind1;
			kinds[1] = tags[i].kind2;
			*nkinds = 2;
			name += len;
			while (*name == ' ')
				name++;
			return name;
		}
	}
	*nkinds = 0;
	return name;
}

const struct type *btf_type_by_name(struct btf_ctx *c, const char *name)
{
	unsigned kinds[2], nkinds;
	const char *bare = split_tag(name, kinds, &nkinds);
	struct tref r = { 0 };

	if (!c)
		return NULL;
	if (!nkinds && !strcmp(name, "void"))
		return &type_void;
	if (!find(c, bare, nkinds ? kinds : bare_kinds,
		  nkinds ? nkinds : sizeof(bare_kinds) / sizeof(bare_kinds[0]), &r.f, &r.local))
		return NULL;
	r.t = rec(r.f, r.local);
	return conv_value(c, r, 0);
}

const struct type *btf_type_by_id(struct btf_ctx *c, const char *module, unsigned id)
{
	struct bfile *f = NULL;

	if (!c)
		return NULL;
	for (struct bfile *g = next_file(c, NULL); g && !f; g = next_file(c, g))
		if (module ? !strcmp(g->name, module) : g == c->vmlinux)
			f = g;
	if (!f || (id && !resolve(f, id).t))
		return NULL;
	return conv_value(c, resolve(f, id), 0);
}

bool btf_enum_value(struct btf_ctx *c, const char *name, int64_t *value, const struct type **et)
{
	struct bfile *f = c ? next_file(c, NULL) : NULL;
	if (!f)
		return false;
	/* enumerators are not in the name index: one pass over the kernel's enums */
	for (uint32_t i = 0; i < f->ntypes; i++) {
		const struct btf_type *bt = rec(f, i);
		unsigned kind = BTF_INFO_KIND(bt->info), n = BTF_INFO_VLEN(bt->info);
		if (kind != BTF_KIND_ENUM && kind != BTF_KIND_ENUM64)
			continue;
		for (unsigned j = 0; j < n; j++) {
			uint32_t off = kind == BTF_KIND_ENUM64
					       ? ((const struct btf_enum64 *)(bt + 1))[j].name_off
					       : ((const struct btf_enum *)(bt + 1))[j].name_off;
			if (strcmp(str_at(f, off), name))
				continue;
			const struct type *t = conv_value(c, resolve(f, f->first_id + i), 0);
			if (!t || t->kind != TY_ENUM || j >= t->nenums)
				return false;
			*value = t->enums[j].value;
			*et = t;
			return true;
		}
	}
	return false;
}

const struct type *btf_complete(struct btf_ctx *c, const struct type *t)
{
	return c ? complete(c, t, 0) : t;
}

const struct field *btf_find_member(struct btf_ctx *c, const struct type *t, const char *name)
{
	if (!t || (t->kind != TY_STRUCT && t->kind != TY_RECORD))
		return NULL;
	if (c)
		t = complete(c, t, 0);
	for (unsigned i = 0; i < t->nfields; i++)
		if (t->fields[i].name && !strcmp(t->fields[i].name, name))
			return &t->fields[i];
	return NULL;
}

/* ---- functions ------------------------------------------------------------------------------- */

static bool find_func(struct btf_ctx *c, const char *func, struct tref *r)
{
	static const unsigned kind = BTF_KIND_FUNC;

	if (!c || !find(c, func, &kind, 1, &r->f, &r->local))
		return false;
	r->t = rec(r->f, r->local);
	return true;
}

bool btf_has_func(struct btf_ctx *c, const char *func)
{
	struct tref r;

	return find_func(c, func, &r);
}

const char *btf_func_module(struct btf_ctx *c, const char *func)
{
	struct tref r;

	return find_func(c, func, &r) ? r.f->name : NULL;
}

/* The parameters of a FUNC_PROTO from the skip'th on, as fields at 8-byte slots. */
static void proto_params(struct btf_ctx *c, struct tref proto, unsigned skip,
			 const struct field **params, unsigned *n)
{
	const struct btf_param *p = (const void *)(proto.t + 1);
	unsigned vlen = BTF_INFO_VLEN(proto.t->info), cnt = 0;
	struct field *fl = arena_alloc(c->arena, (vlen ? vlen : 1) * sizeof(*fl));

	for (unsigned i = skip; i < vlen; i++) {
		if (!p[i].type) /* `...` */
			break;
		const char *name = str_at(proto.f, p[i].name_off);
		fl[cnt].name = *name ? arena_strdup(c->arena, name) : arena_printf(c->arena, "arg%u", cnt);
		fl[cnt].type = conv_value(c, resolve(proto.f, p[i].type), 0);
		if (!fl[cnt].type)
			fl[cnt].type = &type_void;
		fl[cnt].offset = 8 * cnt;
		cnt++;
	}
	*params = fl;
	*n = cnt;
}

int btf_func_proto(struct btf_ctx *c, const char *func, const struct field **params, unsigned *n,
		   const struct type **ret)
{
	struct tref fn, proto;

	if (!find_func(c, func, &fn))
		return -ENOENT;
	proto = resolve(fn.f, fn.t->type);
	if (kind_of(&proto) != BTF_KIND_FUNC_PROTO)
		return -ENOENT;
	proto_params(c, proto, 0, params, n);
	if (ret) {
		*ret = conv_value(c, resolve(proto.f, proto.t->type), 0);
		if (!*ret)
			*ret = &type_void;
	}
	return 0;
}

/*
 * The kernel declares, for each tracepoint, `typedef void (*btf_trace_X)(void
 * *__data, args...)` with unnamed parameters, and the function
 * __bpf_trace_X (or, since 6.10, __probestub_X) with the same proto and its
 * parameter names: prefer the named one.
 */
static bool rawtp_proto_type(struct btf_ctx *c, const char *tp, struct tref *proto)
{
	static const unsigned kind = BTF_KIND_TYPEDEF;
	static const char *const prefixes[] = { "__bpf_trace_", "__probestub_" };
	struct tref r;

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		if (find_func(c, arena_printf(c->arena, "%s%s", prefixes[i], tp), &r)) {
			*proto = resolve(r.f, r.t->type);
			if (kind_of(proto) == BTF_KIND_FUNC_PROTO)
				return true;
		}
	}
	if (!find(c, arena_printf(c->arena, "btf_trace_%s", tp), &kind, 1, &r.f, &r.local))
		return false;
	r.t = rec(r.f, r.local);
	*proto = skip_mods(resolve(r.f, r.t->type));
	if (kind_of(proto) == BTF_KIND_PTR)
		*proto = skip_mods(resolve(proto->f, proto->t->type));
	return kind_of(proto) == BTF_KIND_FUNC_PROTO;
}

int btf_rawtp_proto(struct btf_ctx *c, const char *tp, const struct field **params, unsigned *n)
{
	struct tref proto;

	if (!c || !rawtp_proto_type(c, tp, &proto))
		return -ENOENT;
	proto_params(c, proto, 1, params, n);
	return 0;
}
