// SPDX-License-Identifier: Apache-2.0
/* Typed bytes -> bpftrace's text and JSON forms; per-CPU merging; map entry order. */
#define _GNU_SOURCE /* qsort_r */
#include "value.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <ftw.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <time.h>

#include "arena.h"
#include "hist.h"
#include "printf.h"

/* ---- strbuf ------------------------------------------------------------------------------- */

static void strbuf_grow(struct strbuf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	b->cap = b->cap ? b->cap : 64;
	while (b->cap < need)
		b->cap *= 2;
	b->s = xrealloc(b->s, b->cap);
}

void strbuf_add(struct strbuf *b, const void *p, size_t n)
{
	strbuf_grow(b, n);
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void strbuf_putc(struct strbuf *b, char c)
{
	strbuf_add(b, &c, 1);
}

void strbuf_puts(struct strbuf *b, const char *s)
{
	strbuf_add(b, s, strlen(s));
}

void strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	strbuf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void strbuf_pad(struct strbuf *b, char c, size_t n)
{
	strbuf_grow(b, n);
	memset(b->s + b->len, c, n);
	b->len += n;
	b->s[b->len] = '\0';
}

const char *strbuf_str(struct strbuf *b)
{
	return b->s ? b->s : "";
}

void strbuf_reset(struct strbuf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

void strbuf_free(struct strbuf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

/* ---- integers ----------------------------------------------------------------------------- */

uint64_t value_load_u(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;

	if (size > 8)
		size = 8;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

int64_t value_load_s(const uint8_t *p, unsigned size)
{
	uint64_t v = value_load_u(p, size);

	if (size == 0 || size >= 8)
		return (int64_t)v;
	if (v & (1ULL << (8 * size - 1)))
		v |= ~0ULL << (8 * size);
	return (int64_t)v;
}

bool value_is_signed(const struct type *t)
{
	return (t->kind == TY_INT || t->kind == TY_ENUM || t->kind == TY_AGG) && t->is_signed;
}

uint64_t value_int_bits(const struct type *t, const uint8_t *p)
{
	unsigned size = t->size ? t->size : 8;

	if (value_is_signed(t))
		return (uint64_t)value_load_s(p, size);
	return value_load_u(p, size);
}

/* ---- JSON scalars ------------------------------------------------------------------------- */

static bool is_utf8_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if (!is_utf8_cont(s[i]))
			return 0;
	cp = len == 2 ? (s[0] & 0x1fu) : len == 3 ? (s[0] & 0x0fu) : (s[0] & 0x07u);
	for (size_t i = 1; i < len; i++)
		cp = (cp << 6) | (s[i] & 0x3fu);
	/* Overlong forms, surrogates and values past U+10FFFF are not valid. */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void json_string(struct strbuf *b, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;

	strbuf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		size_t len;

		switch (c) {
		case '"': strbuf_puts(b, "\\\""); continue;
		case '\\': strbuf_puts(b, "\\\\"); continue;
		case '\n': strbuf_puts(b, "\\n"); continue;
		case '\r': strbuf_puts(b, "\\r"); continue;
		case '\t': strbuf_puts(b, "\\t"); continue;
		default: break;
		}
		if (c < 0x20) {
			strbuf_printf(b, "\\u%04x", c);
		} else if (c < 0x80) {
			strbuf_putc(b, (char)c);
		} else if ((len = utf8_len(s + i, n - i)) != 0) {
			strbuf_add(b, s + i, len);
			i += len - 1;
		} else {
			/* Not UTF-8: keep the JSON valid (HEAD writes \uffffffXX). */
			strbuf_printf(b, "\\u%04x", c);
		}
	}
	strbuf_putc(b, '"');
}

void json_s64(struct strbuf *b, int64_t v)
{
	double d = (double)v;
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%lld", (long long)v);
	/* A double holds the value exactly unless it needs more than 53 bits. */
	if (d >= 9223372036854775808.0 || (int64_t)d != v)
		json_string(b, tmp, strlen(tmp));
	else
		strbuf_puts(b, tmp);
}

void json_u64(struct strbuf *b, uint64_t v)
{
	double d = (double)v;
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v);
	if (d >= 18446744073709551616.0 || (uint64_t)d != v)
		json_string(b, tmp, strlen(tmp));
	else
		strbuf_puts(b, tmp);
}

/* ---- symbolic values ---------------------------------------------------------------------- */

static void hex_addr(struct strbuf *b, uint64_t a)
{
	/* bpftrace prints unresolved addresses as a C++ void*: 0 is "0". */
	if (a)
		strbuf_printf(b, "0x%llx", (unsigned long long)a);
	else
		strbuf_putc(b, '0');
}

static void ksym_text(struct strbuf *b, const struct value_ctx *c, uint64_t addr, bool off)
{
	const char *name = c->sym && c->sym->ksym ? c->sym->ksym(c->sym->ctx, addr, off) : NULL;

	if (name)
		strbuf_puts(b, name);
	else
		hex_addr(b, addr);
}

static const char *usym_name(const struct value_ctx *c, uint64_t addr, uint32_t pid, bool off,
			     const char **module)
{
	*module = NULL;
	if (!c->sym || !c->sym->usym)
		return NULL;
	return c->sym->usym(c->sym->ctx, addr, pid, off, module);
}

enum { STACK_BPFTRACE, STACK_PERF, STACK_RAW };

/* One frame of a stack; the text of a whole stack starts with a newline. */
static void frame_text(struct strbuf *b, const struct value_ctx *c, const struct type *t,
		       uint64_t addr, uint32_t pid)
{
	bool user = t->kind == TY_USTACK;
	const char *module = NULL;
	const char *name;

	if (t->stack_mode == STACK_RAW) {
		strbuf_printf(b, "%llx\n", (unsigned long long)addr);
		return;
	}
	if (user)
		name = usym_name(c, addr, pid, true, &module);
	else
		name = c->sym && c->sym->ksym ? c->sym->ksym(c->sym->ctx, addr, true) : NULL;
	if (t->stack_mode == STACK_PERF) {
		strbuf_printf(b, "\t%llx ", (unsigned long long)addr);
		if (name)
			strbuf_puts(b, name);
		else
			strbuf_printf(b, "0x%llx", (unsigned long long)addr);
		if (user)
			strbuf_printf(b, " (%s)", module ? module : "[unknown]");
		strbuf_putc(b, '\n');
		return;
	}
	strbuf_pad(b, ' ', 8);
	if (name)
		strbuf_puts(b, name);
	else
		strbuf_printf(b, "0x%llx", (unsigned long long)addr);
	strbuf_putc(b, '\n');
}

static void stack_text(struct strbuf *b, const struct value_ctx *c, const struct type *t,
		       const uint8_t *p)
{
	bool user = t->kind == TY_USTACK;
	uint64_t nr = value_load_u(p, 8);
	uint32_t pid = user ? (uint32_t)value_load_u(p + 8, 4) : 0;
	const uint8_t *frames = p + (user ? 16 : 8);
	unsigned hdr = user ? 16 : 8;
	uint64_t max = t->size > hdr ? (t->size - hdr) / 8 : 0;

	if (nr > max)
		nr = max;
	strbuf_putc(b, '\n');
	for (uint64_t i = 0; i < nr; i++) {
		uint64_t addr = value_load_u(frames + 8 * i, 8);

		if (addr == ~0ULL) {
			/* The unwinder's marker: nothing sensible follows. */
			if (t->stack_mode != STACK_RAW)
				strbuf_pad(b, ' ', t->stack_mode == STACK_PERF ? 0 : 8);
			strbuf_puts(b, "<unwind failure>\n");
			break;
		}
		frame_text(b, c, t, addr, pid);
	}
}

static void inet_text(struct strbuf *b, const uint8_t *p)
{
	char tmp[INET6_ADDRSTRLEN];
	uint64_t af = value_load_u(p, 8);
	int family = af == AF_INET6 ? AF_INET6 : AF_INET;

	if (inet_ntop(family, p + 8, tmp, sizeof(tmp)))
		strbuf_puts(b, tmp);
	else
		strbuf_puts(b, "(?)");
}

static void username_text(struct strbuf *b, uint64_t uid)
{
	struct passwd pw, *res = NULL;
	char buf[1024];

	if (getpwuid_r((uid_t)uid, &pw, buf, sizeof(buf), &res) == 0 && res)
		strbuf_puts(b, res->pw_name);
	else
		strbuf_printf(b, "%llu", (unsigned long long)uid);
}

/* A cgroup hierarchy: "unified" for cgroup v2, else the v1 mount directory's name. */
struct cgroup_root {
	char name[64];
	char path[PATH_MAX];
};

static int root_cmp(const void *a, const void *b)
{
	const struct cgroup_root *x = a, *y = b;
	int d = strcmp(x->name, y->name);
	return d ? d : strcmp(x->path, y->path);
}

#define CGROUP_ROOTS_MAX 32

/*
 * The mounted cgroup hierarchies in bpftrace's order: cgroup v2 first, then
 * the v1 ones sorted by name.  Read once.
 */
static const struct cgroup_root *cgroup_roots(unsigned *n)
{
	static struct cgroup_root roots[CGROUP_ROOTS_MAX], v1[CGROUP_ROOTS_MAX];
	static unsigned nroots;
	static bool looked;
	char line[4096], dev[256], point[PATH_MAX], type[64];
	unsigned nv1 = 0;

	if (looked) {
		*n = nroots;
		return roots;
	}
	looked = true;
	FILE *f = fopen("/proc/mounts", "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%255s %4095s %63s", dev, point, type) != 3)
			continue;
		bool is_v2 = !strcmp(type, "cgroup2");
		if (!is_v2 && strcmp(type, "cgroup"))
			continue;
		struct cgroup_root *r = is_v2 ? &roots[nroots] : &v1[nv1];
		if (is_v2 ? nroots == CGROUP_ROOTS_MAX : nv1 == CGROUP_ROOTS_MAX)
			continue;
		const char *base = strrchr(point, '/');
		snprintf(r->name, sizeof(r->name), "%.63s", is_v2 ? "unified" : base ? base + 1 : point);
		snprintf(r->path, sizeof(r->path), "%s", point);
		if (is_v2)
			nroots++;
		else
			nv1++;
	}
	if (f)
		fclose(f);
	qsort(v1, nv1, sizeof(v1[0]), root_cmp);
	for (unsigned i = 0; i < nv1 && nroots < CGROUP_ROOTS_MAX; i++)
		roots[nroots++] = v1[i];
	*n = nroots;
	return roots;
}

/* nftw() takes no context: the cgroup being looked for and where it was found. */
static uint64_t cgroup_want;
static char cgroup_found[PATH_MAX];

static int cgroup_visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type != FTW_D || st->st_ino != cgroup_want)
		return 0;
	snprintf(cgroup_found, sizeof(cgroup_found), "%s", path);
	return 1;
}

/*
 * The path below root of the cgroup directory whose inode number is id
 * ("/" for the root itself), or NULL.  Found paths are kept and checked
 * again with stat() before they are reused, as bpftrace does.
 */
static const char *cgroup_find(const struct cgroup_root *root, uint64_t id)
{
	static struct {
		uint64_t id;
		const struct cgroup_root *root;
		char *path;
	} cache[32];
	static unsigned next;
	char full[PATH_MAX * 2];
	struct stat st;

	for (unsigned i = 0; i < sizeof(cache) / sizeof(cache[0]); i++) {
		if (!cache[i].path || cache[i].id != id || cache[i].root != root)
			continue;
		snprintf(full, sizeof(full), "%s%s", root->path,
			 strcmp(cache[i].path, "/") ? cache[i].path : "");
		if (!stat(full, &st) && st.st_ino == id)
			return cache[i].path;
	}
	cgroup_want = id;
	cgroup_found[0] = '\0';
	if (nftw(root->path, cgroup_visit, 16, FTW_PHYS | FTW_MOUNT) != 1)
		return NULL;
	const char *rel = cgroup_found + strlen(root->path);
	char *path = strdup(*rel ? rel : "/");
	if (!path)
		return NULL;
	unsigned slot = next++ % (sizeof(cache) / sizeof(cache[0]));
	free(cache[slot].path);
	cache[slot].id = id;
	cache[slot].root = root;
	cache[slot].path = path;
	return path;
}

/*
 * cgroup_path(id[, filter]): `hierarchy:path` for every mounted hierarchy
 * whose name matches the filter (a wildcard, default all) and that has a
 * cgroup with that id, joined by commas, as bpftrace prints it.  cgroup v2
 * is named "unified" wherever it is mounted and comes first.
 */
static void cgroup_path_text(struct strbuf *b, const struct type *t, uint64_t id)
{
	unsigned n;
	const struct cgroup_root *roots = cgroup_roots(&n);
	bool first = true;

	for (unsigned i = 0; i < n; i++) {
		if (t->name && fnmatch(t->name, roots[i].name, 0))
			continue;
		const char *path = cgroup_find(&roots[i], id);
		if (!path)
			continue;
		strbuf_printf(b, "%s%s:%s", first ? "" : ",", roots[i].name, path);
		first = false;
	}
}

/* The wall-clock time of a boot-clock timestamp. */
static struct timespec boot_to_real(uint64_t ns)
{
	struct timespec real, boot, out;
	int64_t delta;

	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	delta = ((int64_t)real.tv_sec - boot.tv_sec) * 1000000000LL + (real.tv_nsec - boot.tv_nsec);
	ns += (uint64_t)delta;
	out.tv_sec = (time_t)(ns / 1000000000ULL);
	out.tv_nsec = (long)(ns % 1000000000ULL);
	return out;
}

static void timestamp_text(struct strbuf *b, const struct value_ctx *c, const uint8_t *p)
{
	uint64_t ns = value_load_u(p, 8);
	uint64_t id = value_load_u(p + 8, 8);
	const char *fmt = "%H:%M:%S";

	if (c->res && id < c->res->nfmts && c->res->fmts[id].fmt)
		fmt = c->res->fmts[id].fmt;
	format_time(b, fmt, boot_to_real(ns), true);
}

static void buffer_text(struct strbuf *b, const struct type *t, const uint8_t *p)
{
	uint64_t len = value_load_u(p, 4);

	if (len > (t->size > 4 ? t->size - 4 : 0))
		len = t->size > 4 ? t->size - 4 : 0;
	format_buffer(b, p + 4, (size_t)len, BUF_ASCII);
}

static const char *enum_name(const struct type *t, const uint8_t *p)
{
	uint64_t v = value_load_u(p, t->size ? t->size : 8);
	uint64_t mask = t->size && t->size < 8 ? (1ULL << (8 * t->size)) - 1 : ~0ULL;

	for (unsigned i = 0; i < t->nenums; i++)
		if (((uint64_t)t->enums[i].value & mask) == v)
			return t->enums[i].name;
	return NULL;
}

/* ---- text --------------------------------------------------------------------------------- */

/* A bitfield is copied into a little buffer so the ordinary printers apply. */
static const uint8_t *field_bytes(const struct field *f, const uint8_t *p, uint8_t tmp[8])
{
	uint64_t v;
	unsigned size = f->type->size;

	if (!f->bit_size)
		return p + f->offset;
	v = value_load_u(p + f->offset, size > 8 ? 8 : size) >> f->bit_offset;
	if (f->bit_size < 64)
		v &= (1ULL << f->bit_size) - 1;
	if (value_is_signed(f->type) && f->bit_size < 64 && (v & (1ULL << (f->bit_size - 1))))
		v |= ~0ULL << f->bit_size;
	for (unsigned i = 0; i < 8; i++)
		tmp[i] = (uint8_t)(v >> (8 * i));
	return tmp;
}

static void fields_text(struct strbuf *b, const struct value_ctx *c, const struct type *t,
			const uint8_t *p)
{
	uint8_t tmp[8];

	if (t->kind == TY_TUPLE) {
		strbuf_putc(b, '(');
		for (unsigned i = 0; i < t->nfields; i++) {
			if (i)
				strbuf_puts(b, ", ");
			value_text(b, c, t->fields[i].type, field_bytes(&t->fields[i], p, tmp));
		}
		strbuf_putc(b, ')');
		return;
	}
	if (!t->nfields) {
		strbuf_puts(b, "{}");
		return;
	}
	strbuf_puts(b, "{ ");
	for (unsigned i = 0; i < t->nfields; i++) {
		if (i)
			strbuf_puts(b, ", ");
		strbuf_printf(b, ".%s = ", t->fields[i].name ? t->fields[i].name : "");
		value_text(b, c, t->fields[i].type, field_bytes(&t->fields[i], p, tmp));
	}
	strbuf_puts(b, " }");
}

static void array_text(struct strbuf *b, const struct value_ctx *c, const struct type *t,
		       const uint8_t *p)
{
	strbuf_putc(b, '[');
	for (unsigned i = 0; i < t->nelem; i++) {
		if (i)
			strbuf_putc(b, ',');
		value_text(b, c, t->elem, p + (size_t)i * t->elem->size);
	}
	strbuf_putc(b, ']');
}

static void string_text(struct strbuf *b, const struct value_ctx *c, const struct type *t,
			const uint8_t *p)
{
	size_t n = strnlen((const char *)p, t->size);

	strbuf_add(b, p, n);
	/* A string that fills its buffer was cut short (see compat §7). */
	if (n == t->size && c->res && c->res->str_trunc_trailer)
		strbuf_puts(b, c->res->str_trunc_trailer);
}

static void probe_text(struct strbuf *b, const struct value_ctx *c, uint64_t id)
{
	if (c->res && id < c->res->nprobes && c->res->probes[id])
		strbuf_puts(b, c->res->probes[id]);
	else
		strbuf_printf(b, "%llu", (unsigned long long)id);
}

static void agg_single_text(struct strbuf *b, const struct type *t, const uint8_t *p)
{
	struct agg_value v;

	agg_merge(t->agg, t->is_signed, p, 1, 0, &v);
	agg_text(b, t->agg, t->is_signed, &v, 1);
}

void value_text(struct strbuf *b, const struct value_ctx *c, const struct type *t,
		const uint8_t *p)
{
	switch (t->kind) {
	case TY_NONE:
	case TY_VOID: strbuf_puts(b, "null"); break;
	case TY_INT:
		if (t->is_signed)
			strbuf_printf(b, "%lld", (long long)value_int_bits(t, p));
		else
			strbuf_printf(b, "%llu", (unsigned long long)value_int_bits(t, p));
		break;
	case TY_BOOL: strbuf_puts(b, p[0] ? "true" : "false"); break;
	case TY_STRING: string_text(b, c, t, p); break;
	case TY_BUFFER: buffer_text(b, t, p); break;
	case TY_TUPLE:
	case TY_RECORD:
	case TY_STRUCT: fields_text(b, c, t, p); break;
	case TY_ENUM: {
		const char *name = enum_name(t, p);

		if (name)
			strbuf_puts(b, name);
		else
			strbuf_printf(b, "%llu", (unsigned long long)value_load_u(p, t->size));
		break;
	}
	case TY_ARRAY: array_text(b, c, t, p); break;
	case TY_PTR: strbuf_printf(b, "0x%llx", (unsigned long long)value_load_u(p, 8)); break;
	case TY_PROBE: probe_text(b, c, value_load_u(p, t->size ? t->size : 8)); break;
	case TY_KSTACK:
	case TY_USTACK: stack_text(b, c, t, p); break;
	case TY_KSYM: ksym_text(b, c, value_load_u(p, 8), false); break;
	case TY_USYM: {
		const char *module;
		uint64_t addr = value_load_u(p, 8);
		uint32_t pid = (uint32_t)value_load_u(p + 8, 4);
		/* `func` of a user probe: the probe's own function, by probe id */
		const char *name = pid == USYM_PROBE_FUNC
					   ? (c->res && addr < c->res->nprobes && c->res->probe_funcs
						      ? c->res->probe_funcs[addr]
						      : NULL)
					   : usym_name(c, addr, pid, false, &module);

		if (name)
			strbuf_puts(b, name);
		else
			hex_addr(b, value_load_u(p, 8));
		break;
	}
	case TY_TIMESTAMP: timestamp_text(b, c, p); break;
	case TY_INET: inet_text(b, p); break;
	case TY_USERNAME: username_text(b, value_load_u(p, 8)); break;
	case TY_CGROUP_PATH: cgroup_path_text(b, t, value_load_u(p, 8)); break;
	case TY_STRERROR: strbuf_puts(b, strerror((int)value_load_u(p, 8))); break;
	case TY_MACADDR:
		strbuf_printf(b, "%02X:%02X:%02X:%02X:%02X:%02X", p[0], p[1], p[2], p[3], p[4], p[5]);
		break;
	case TY_AGG: agg_single_text(b, t, p); break;
	}
}

/* ---- JSON --------------------------------------------------------------------------------- */

static void fields_json(struct strbuf *b, const struct value_ctx *c, const struct type *t,
			const uint8_t *p)
{
	uint8_t tmp[8];
	bool tuple = t->kind == TY_TUPLE;

	strbuf_putc(b, tuple ? '[' : '{');
	for (unsigned i = 0; i < t->nfields; i++) {
		const struct field *f = &t->fields[i];

		if (i)
			strbuf_puts(b, tuple ? "," : ", ");
		if (!tuple) {
			const char *name = f->name ? f->name : "";

			json_string(b, name, strlen(name));
			strbuf_puts(b, ": ");
		}
		value_json(b, c, f->type, field_bytes(f, p, tmp));
	}
	strbuf_putc(b, tuple ? ']' : '}');
}

static void text_as_json(struct strbuf *b, const struct value_ctx *c, const struct type *t,
			 const uint8_t *p)
{
	struct strbuf tmp = { 0 };

	value_text(&tmp, c, t, p);
	json_string(b, strbuf_str(&tmp), tmp.len);
	strbuf_free(&tmp);
}

static void buffer_json(struct strbuf *b, const struct type *t, const uint8_t *p)
{
	uint64_t len = value_load_u(p, 4);
	uint64_t cap = t->size > 4 ? t->size - 4 : 0;

	if (len > cap)
		len = cap;
	/* bpftrace writes the bytes as (signed) chars. */
	strbuf_putc(b, '[');
	for (uint64_t i = 0; i < len; i++)
		strbuf_printf(b, i ? ",%d" : "%d", (int)(int8_t)p[4 + i]);
	strbuf_putc(b, ']');
}

static void agg_single_json(struct strbuf *b, const struct type *t, const uint8_t *p)
{
	struct agg_value v;

	agg_merge(t->agg, t->is_signed, p, 1, 0, &v);
	agg_json(b, t->agg, t->is_signed, &v, 1);
}

void value_json(struct strbuf *b, const struct value_ctx *c, const struct type *t,
		const uint8_t *p)
{
	switch (t->kind) {
	case TY_NONE:
	case TY_VOID: strbuf_puts(b, "null"); break;
	case TY_INT:
		if (t->is_signed)
			json_s64(b, (int64_t)value_int_bits(t, p));
		else
			json_u64(b, value_int_bits(t, p));
		break;
	case TY_BOOL: strbuf_puts(b, p[0] ? "true" : "false"); break;
	case TY_BUFFER: buffer_json(b, t, p); break;
	case TY_TUPLE:
	case TY_RECORD:
	case TY_STRUCT: fields_json(b, c, t, p); break;
	case TY_ENUM: json_u64(b, value_load_u(p, t->size)); break; /* numbers, not names */
	case TY_ARRAY:
		strbuf_putc(b, '[');
		for (unsigned i = 0; i < t->nelem; i++) {
			if (i)
				strbuf_putc(b, ',');
			value_json(b, c, t->elem, p + (size_t)i * t->elem->size);
		}
		strbuf_putc(b, ']');
		break;
	case TY_PTR: json_u64(b, value_load_u(p, 8)); break;
	case TY_AGG: agg_single_json(b, t, p); break;
	case TY_STRING:
	case TY_PROBE:
	case TY_KSTACK:
	case TY_USTACK:
	case TY_KSYM:
	case TY_USYM:
	case TY_TIMESTAMP:
	case TY_INET:
	case TY_USERNAME:
	case TY_CGROUP_PATH:
	case TY_STRERROR:
	case TY_MACADDR: text_as_json(b, c, t, p); break;
	}
}

static void strip_parens(struct strbuf *b, size_t start)
{
	size_t n = b->len - start;

	if (n >= 2 && b->s[start] == '(' && b->s[b->len - 1] == ')') {
		memmove(b->s + start, b->s + start + 1, n - 2);
		b->len -= 2;
		b->s[b->len] = '\0';
	}
}

void value_key_text(struct strbuf *b, const struct value_ctx *c, const struct type *t,
		    const uint8_t *p)
{
	size_t start = b->len;

	value_text(b, c, t, p);
	strip_parens(b, start);
}

void value_key_json(struct strbuf *b, const struct value_ctx *c, const struct type *t,
		    const uint8_t *p)
{
	struct strbuf tmp = { 0 };
	size_t j = 0;

	value_key_text(&tmp, c, t, p);
	for (size_t i = 0; i < tmp.len; i++)
		if (tmp.s[i] != ' ')
			tmp.s[j++] = tmp.s[i];
	json_string(b, strbuf_str(&tmp), j);
	strbuf_free(&tmp);
}

/* ---- aggregations ------------------------------------------------------------------------- */

static bool less(bool is_signed, uint64_t a, uint64_t b)
{
	return is_signed ? (int64_t)a < (int64_t)b : a < b;
}

void agg_merge(enum agg_kind k, bool is_signed, const uint8_t *val, unsigned ncpus,
	       size_t stride, struct agg_value *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < ncpus; i++) {
		const uint8_t *p = val + i * stride;
		uint64_t v = value_load_u(p, 8);

		switch (k) {
		case AGG_MIN:
		case AGG_MAX:
			if (!value_load_u(p + 8, 8))
				break;
			if (!out->set || (k == AGG_MIN ? less(is_signed, v, out->value)
						       : less(is_signed, out->value, v)))
				out->value = v;
			out->set = true;
			break;
		case AGG_AVG:
		case AGG_STATS:
			out->value += v;
			out->count += value_load_u(p + 8, 8);
			break;
		default:
			out->value += v;
			break;
		}
	}
}

uint64_t agg_average(bool is_signed, const struct agg_value *v)
{
	if (!v->count)
		return 0;
	if (is_signed)
		return (uint64_t)((int64_t)v->value / (int64_t)v->count);
	return v->value / v->count;
}

static uint64_t divide(bool is_signed, uint64_t v, uint64_t div)
{
	if (div <= 1)
		return v;
	return is_signed ? (uint64_t)((int64_t)v / (int64_t)div) : v / div;
}

static void num_text(struct strbuf *b, bool is_signed, uint64_t v)
{
	if (is_signed)
		strbuf_printf(b, "%lld", (long long)v);
	else
		strbuf_printf(b, "%llu", (unsigned long long)v);
}

static void num_json(struct strbuf *b, bool is_signed, uint64_t v)
{
	if (is_signed)
		json_s64(b, (int64_t)v);
	else
		json_u64(b, v);
}

/* The single number an aggregation prints as (stats: its average). */
static uint64_t agg_number(enum agg_kind k, bool is_signed, const struct agg_value *v,
			   uint64_t div)
{
	if (k == AGG_AVG || k == AGG_STATS)
		return divide(is_signed, agg_average(is_signed, v), div);
	return divide(k != AGG_COUNT && is_signed, v->value, div);
}

void agg_text(struct strbuf *b, enum agg_kind k, bool is_signed, const struct agg_value *v,
	      uint64_t div)
{
	bool sgn = k != AGG_COUNT && is_signed;

	if (k != AGG_STATS) {
		num_text(b, sgn, agg_number(k, is_signed, v, div));
		return;
	}
	strbuf_printf(b, "{ .count = %llu, .average = ", (unsigned long long)v->count);
	num_text(b, sgn, agg_number(k, is_signed, v, div));
	strbuf_puts(b, ", .total = ");
	num_text(b, sgn, v->value);
	strbuf_puts(b, " }");
}

void agg_json(struct strbuf *b, enum agg_kind k, bool is_signed, const struct agg_value *v,
	      uint64_t div)
{
	bool sgn = k != AGG_COUNT && is_signed;

	if (k != AGG_STATS) {
		num_json(b, sgn, agg_number(k, is_signed, v, div));
		return;
	}
	strbuf_puts(b, "{\"count\": ");
	json_u64(b, v->count);
	strbuf_puts(b, ", \"average\": ");
	num_json(b, sgn, agg_number(k, is_signed, v, div));
	strbuf_puts(b, ", \"total\": ");
	num_json(b, sgn, v->value);
	strbuf_putc(b, '}');
}

void tseries_merge(int fn, bool is_signed, const uint8_t *val, unsigned ncpus, size_t stride,
		   uint64_t *epoch, uint64_t *value)
{
	uint64_t ep = 0, v = 0, meta = 0;

	for (unsigned cpu = 0; cpu < ncpus; cpu++) {
		uint64_t e = value_load_u(val + cpu * stride + 16, 8);
		if (e > ep)
			ep = e;
	}
	for (unsigned cpu = 0, seen = 0; ep && cpu < ncpus; cpu++) {
		const uint8_t *p = val + cpu * stride;
		uint64_t x = value_load_u(p, 8), m = value_load_u(p + 8, 8);

		if (value_load_u(p + 16, 8) != ep)
			continue; /* an older interval that this CPU has not overwritten yet */
		if (!seen++) {
			v = x;
			meta = m;
			continue;
		}
		switch ((enum tseries_fn)fn) {
		case TS_LAST:
			if (m > meta) {
				v = x;
				meta = m;
			}
			break;
		case TS_AVG:
			v += x;
			meta += m;
			break;
		case TS_SUM: v += x; break;
		case TS_MIN: v = less(is_signed, x, v) ? x : v; break;
		case TS_MAX: v = less(is_signed, v, x) ? x : v; break;
		}
	}
	if (fn == TS_AVG && meta)
		v = is_signed ? (uint64_t)((int64_t)v / (int64_t)meta) : v / meta;
	*epoch = ep;
	*value = v;
}

/* ---- map entries in print order ----------------------------------------------------------- */

/* hist, lhist and tseries keys end with a u64 bucket (slot) index: a row gathers them. */
static bool is_hist(const struct map_res *m)
{
	return m->agg == AGG_HIST || m->agg == AGG_LHIST || m->agg == AGG_TSERIES;
}

static size_t user_key_size(const struct map_res *m)
{
	if (!m->key)
		return 0;
	return is_hist(m) ? m->key_size - 8 : m->key->size;
}

static unsigned cpus_of(const struct map_snapshot *s)
{
	return s->map->percpu && s->ncpus ? s->ncpus : 1;
}

static size_t stride_of(const struct map_res *m)
{
	return ((size_t)m->val_size + 7) & ~(size_t)7;
}

/* qsort_r comparator over entry indexes: by user key bytes. */
static int cmp_entry_key(const void *a, const void *b, void *arg)
{
	const struct map_snapshot *s = arg;
	const struct map_entry *ea = &s->entries[*(const size_t *)a];
	const struct map_entry *eb = &s->entries[*(const size_t *)b];
	size_t uks = s->map->key_size - 8;

	return memcmp(ea->key, eb->key, uks);
}

/* The most buckets a key can have: indexes beyond it are ignored. */
static uint64_t bucket_limit(const struct map_res *m)
{
	if (m->agg == AGG_HIST)
		return hist_nbuckets(m->hist_bits);
	if (m->agg == AGG_TSERIES)
		return m->ts_count;
	if (m->lhist_step <= 0 || m->lhist_max < m->lhist_min)
		return 1;
	return lhist_nbuckets(m->lhist_min, m->lhist_max, m->lhist_step);
}

/* hist/lhist: one row per user key, bucket counts summed over the CPUs. */
static void build_hist_rows(struct map_view *v, const struct map_snapshot *s)
{
	const struct map_res *m = s->map;
	size_t uks = m->key_size - 8, *idx = xcalloc(s->n ? s->n : 1, sizeof(size_t));
	uint64_t limit = bucket_limit(m);

	for (size_t i = 0; i < s->n; i++)
		idx[i] = i;
	qsort_r(idx, s->n, sizeof(*idx), cmp_entry_key, (void *)s);
	for (size_t i = 0; i < s->n;) {
		size_t j = i;
		uint64_t nb = 0;
		struct map_row *r = &v->rows[v->n++];

		while (j < s->n && !memcmp(s->entries[idx[j]].key, s->entries[idx[i]].key, uks)) {
			uint64_t b = value_load_u(s->entries[idx[j]].key + uks, 8);

			if (b < limit && b + 1 > nb)
				nb = b + 1;
			j++;
		}
		r->key = m->key ? s->entries[idx[i]].key : NULL;
		r->nbuckets = nb;
		r->buckets = xcalloc(nb ? nb : 1, sizeof(uint64_t));
		if (m->agg == AGG_TSERIES)
			r->epochs = xcalloc(nb ? nb : 1, sizeof(uint64_t));
		for (size_t e = i; e < j; e++) {
			const struct map_entry *en = &s->entries[idx[e]];
			uint64_t b = value_load_u(en->key + uks, 8);

			if (b >= nb)
				continue;
			if (m->agg == AGG_TSERIES) {
				tseries_merge(m->ts_fn, m->val->is_signed, en->val, cpus_of(s),
					      stride_of(m), &r->epochs[b], &r->buckets[b]);
				if (r->epochs[b] > r->latest)
					r->latest = r->epochs[b];
				continue;
			}
			for (unsigned cpu = 0; cpu < cpus_of(s); cpu++)
				r->buckets[b] += value_load_u(en->val + cpu * stride_of(m), 8);
		}
		if (r->latest > v->ts_last)
			v->ts_last = r->latest;
		i = j;
	}
	free(idx);
}

static void build_rows(struct map_view *v, const struct map_snapshot *s)
{
	const struct map_res *m = s->map;

	for (size_t i = 0; i < s->n; i++) {
		struct map_row *r = &v->rows[v->n++];

		r->key = m->key ? s->entries[i].key : NULL;
		r->val = s->entries[i].val;
		if (m->agg != AGG_NONE)
			agg_merge(m->agg, m->val->is_signed, r->val, cpus_of(s), stride_of(m),
				  &r->agg);
	}
}

static int cmp_u64(bool is_signed, uint64_t a, uint64_t b)
{
	if (less(is_signed, a, b))
		return -1;
	return less(is_signed, b, a) ? 1 : 0;
}

/* Integer and string keys (and such tuple fields) take part in key order. */
static int cmp_key_part(const struct type *t, const uint8_t *a, const uint8_t *b)
{
	switch (t->kind) {
	case TY_INT:
	case TY_ENUM:
		/* bpftrace compares integer keys as signed, even unsigned ones. */
		return cmp_u64(true, (uint64_t)value_load_s(a, t->size),
			       (uint64_t)value_load_s(b, t->size));
	case TY_STRING: return memcmp(a, b, t->size);
	case TY_TUPLE:
		for (unsigned i = 0; i < t->nfields; i++) {
			const struct field *f = &t->fields[i];
			int r;

			if (f->type->kind != TY_INT && f->type->kind != TY_ENUM &&
			    f->type->kind != TY_STRING)
				continue;
			r = cmp_key_part(f->type, a + f->offset, b + f->offset);
			if (r)
				return r;
		}
		return 0;
	default: return 0;
	}
}

static uint64_t bucket_total(const struct map_row *r)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < r->nbuckets; i++)
		sum += r->buckets[i];
	return sum;
}

static int cmp_rows_primary(const struct map_res *m, const struct map_row *a,
			    const struct map_row *b)
{
	bool sgn = m->val->is_signed;

	switch (m->agg) {
	case AGG_COUNT: return cmp_u64(false, a->agg.value, b->agg.value);
	case AGG_SUM: return cmp_u64(sgn, a->agg.value, b->agg.value);
	case AGG_MIN:
	case AGG_MAX:
		/* HEAD compares min/max values as u64, so negatives sort last. */
		return cmp_u64(false, a->agg.value, b->agg.value);
	case AGG_AVG:
	case AGG_STATS: return cmp_u64(sgn, agg_average(sgn, &a->agg), agg_average(sgn, &b->agg));
	case AGG_HIST:
	case AGG_LHIST: return cmp_u64(true, bucket_total(a), bucket_total(b));
	case AGG_TSERIES: return cmp_u64(false, a->latest, b->latest);
	case AGG_NONE: break;
	}
	if (m->val->kind == TY_INT)
		return cmp_u64(m->val->is_signed, value_int_bits(m->val, a->val),
			       value_int_bits(m->val, b->val));
	return m->key ? cmp_key_part(m->key, a->key, b->key) : 0;
}

static int cmp_rows(const void *pa, const void *pb, void *arg)
{
	const struct map_res *m = arg;
	const struct map_row *a = pa, *b = pb;
	int r = cmp_rows_primary(m, a, b);

	/* bpftrace leaves ties in hash order; ours are ordered by key bytes. */
	if (r || !m->key)
		return r;
	return memcmp(a->key, b->key, user_key_size(m));
}

void map_view_build(struct map_view *v, const struct map_snapshot *s, uint64_t top)
{
	memset(v, 0, sizeof(*v));
	v->map = s->map;
	v->rows = xcalloc(s->n ? s->n : 1, sizeof(*v->rows));
	if (is_hist(s->map))
		build_hist_rows(v, s);
	else
		build_rows(v, s);
	qsort_r(v->rows, v->n, sizeof(*v->rows), cmp_rows, (void *)s->map);
	if (top && v->n > top) {
		size_t drop = v->n - (size_t)top;

		for (size_t i = 0; i < drop; i++) {
			free(v->rows[i].buckets);
			free(v->rows[i].epochs);
		}
		memmove(v->rows, v->rows + drop, (size_t)top * sizeof(*v->rows));
		v->n = (size_t)top;
	}
}

void map_view_free(struct map_view *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->rows[i].buckets);
		free(v->rows[i].epochs);
	}
	free(v->rows);
	memset(v, 0, sizeof(*v));
}
