/* SPDX-License-Identifier: Apache-2.0 */
/* Types: constructors, layout, comparison and printing. */
#include "type.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define INT_TYPE(sz, sgn) { .kind = TY_INT, .size = (sz), .align = (sz), .is_signed = (sgn) }

const struct type type_none = { .kind = TY_NONE };
const struct type type_void = { .kind = TY_VOID };
const struct type type_bool = { .kind = TY_BOOL, .size = 1, .align = 1 };
const struct type type_u8 = INT_TYPE(1, false), type_u16 = INT_TYPE(2, false),
		  type_u32 = INT_TYPE(4, false), type_u64 = INT_TYPE(8, false);
const struct type type_s8 = INT_TYPE(1, true), type_s16 = INT_TYPE(2, true),
		  type_s32 = INT_TYPE(4, true), type_s64 = INT_TYPE(8, true);
const struct type type_probe = { .kind = TY_PROBE, .size = 8, .align = 8 };
const struct type type_ksym = { .kind = TY_KSYM, .size = 8, .align = 8 };
const struct type type_usym = { .kind = TY_USYM, .size = 16, .align = 8 };
const struct type type_username = { .kind = TY_USERNAME, .size = 8, .align = 8 };

static const char *const kind_names[] = {
#define X(k, s) s,
	TYPE_KINDS(X)
#undef X
};

static const char *const agg_names[] = {
#define X(k, s) s,
	AGG_KINDS(X)
#undef X
};

const char *type_kind_name(enum type_kind k)
{
	return kind_names[k];
}

const char *agg_kind_name(enum agg_kind k)
{
	return agg_names[k];
}

const struct type *type_int(unsigned size, bool is_signed)
{
	switch (size) {
	case 1:
		return is_signed ? &type_s8 : &type_u8;
	case 2:
		return is_signed ? &type_s16 : &type_u16;
	case 4:
		return is_signed ? &type_s32 : &type_u32;
	default:
		return is_signed ? &type_s64 : &type_u64;
	}
}

static struct type *type_new(struct arena *a, enum type_kind kind, unsigned size, unsigned align)
{
	struct type *t = arena_new_obj(a, struct type);
	t->kind = kind;
	t->size = size;
	t->align = align;
	return t;
}

const struct type *type_string(struct arena *a, unsigned size)
{
	return type_new(a, TY_STRING, size, 1);
}

const struct type *type_buffer(struct arena *a, unsigned size)
{
	/* u32 length, then the bytes */
	return type_new(a, TY_BUFFER, 4 + size, 4);
}

const struct type *type_ptr(struct arena *a, const struct type *elem, enum addrspace as)
{
	struct type *t = type_new(a, TY_PTR, 8, 8);
	t->elem = elem;
	t->as = as;
	return t;
}

const struct type *type_array(struct arena *a, const struct type *elem, unsigned n)
{
	struct type *t = type_new(a, TY_ARRAY, elem->size * n, elem->align ? elem->align : 1);
	t->elem = elem;
	t->nelem = n;
	return t;
}

const struct type *type_agg(struct arena *a, enum agg_kind agg, bool is_signed)
{
	static const unsigned sizes[] = {
		[AGG_NONE] = 0,	 [AGG_COUNT] = 8, [AGG_SUM] = 8,  [AGG_MIN] = 16, [AGG_MAX] = 16,
		[AGG_AVG] = 16, [AGG_STATS] = 16, [AGG_HIST] = 8, [AGG_LHIST] = 8,
		[AGG_TSERIES] = 24,
	};
	struct type *t = type_new(a, TY_AGG, sizes[agg], 8);
	t->agg = agg;
	t->is_signed = is_signed;
	return t;
}

const struct type *type_stack(struct arena *a, enum type_kind kind, int mode, unsigned limit)
{
	unsigned hdr = kind == TY_USTACK ? 16 : 8;
	struct type *t = type_new(a, kind, hdr + 8 * limit, 8);
	t->nelem = limit;
	t->stack_mode = mode;
	return t;
}

const struct type *type_tuple(struct arena *a, const struct type *const *elems,
			      const char *const *names, unsigned n)
{
	struct field *f = arena_alloc(a, sizeof(*f) * (n ? n : 1));
	unsigned off = 0, align = 1;

	for (unsigned i = 0; i < n; i++) {
		unsigned al = elems[i]->align ? elems[i]->align : 1;
		off = (off + al - 1) / al * al;
		f[i].name = names ? names[i] : NULL;
		f[i].type = elems[i];
		f[i].offset = off;
		off += elems[i]->size;
		if (al > align)
			align = al;
	}
	struct type *t = type_new(a, names ? TY_RECORD : TY_TUPLE, (off + align - 1) / align * align,
				  align);
	t->fields = f;
	t->nfields = n;
	return t;
}

bool type_equal(const struct type *a, const struct type *b)
{
	if (a == b)
		return true;
	if (!a || !b || a->kind != b->kind || a->size != b->size)
		return false;
	switch (a->kind) {
	case TY_INT:
	case TY_ENUM:
		return a->is_signed == b->is_signed;
	case TY_PTR:
	case TY_ARRAY:
		return a->nelem == b->nelem && type_equal(a->elem, b->elem);
	case TY_TUPLE:
	case TY_RECORD:
		if (a->nfields != b->nfields)
			return false;
		for (unsigned i = 0; i < a->nfields; i++) {
			const struct field *fa = &a->fields[i], *fb = &b->fields[i];
			if (fa->offset != fb->offset || !type_equal(fa->type, fb->type))
				return false;
			if ((fa->name || fb->name) &&
			    (!fa->name || !fb->name || strcmp(fa->name, fb->name)))
				return false;
		}
		return true;
	case TY_STRUCT:
		return a->name && b->name && !strcmp(a->name, b->name);
	case TY_AGG:
		return a->agg == b->agg;
	case TY_KSTACK:
	case TY_USTACK:
		return a->stack_mode == b->stack_mode && a->nelem == b->nelem;
	default:
		return true;
	}
}

bool type_is_int(const struct type *t)
{
	switch (t->kind) {
	case TY_INT:
	case TY_BOOL:
	case TY_ENUM:
	case TY_PTR:
	case TY_PROBE:
		return true;
	default:
		return false;
	}
}

bool type_is_scalar(const struct type *t)
{
	switch (t->kind) {
	case TY_KSYM:
	case TY_USERNAME:
	case TY_CGROUP_PATH:
	case TY_STRERROR:
		return true;
	default:
		return type_is_int(t);
	}
}

static void print_fields(const struct type *t, FILE *out)
{
	fputc('(', out);
	for (unsigned i = 0; i < t->nfields; i++) {
		if (i)
			fputc(',', out);
		if (t->fields[i].name)
			fprintf(out, "%s=", t->fields[i].name);
		type_print(t->fields[i].type, out);
	}
	fputc(')', out);
}

void type_print(const struct type *t, FILE *out)
{
	if (!t) {
		fputs("none", out);
		return;
	}
	switch (t->kind) {
	case TY_INT:
		fprintf(out, "%sint%u", t->is_signed ? "" : "u", t->size * 8);
		break;
	case TY_STRING:
		fprintf(out, "string[%u]", t->size);
		break;
	case TY_BUFFER:
		fprintf(out, "buffer[%u]", t->size - 4);
		break;
	case TY_TUPLE:
	case TY_RECORD:
		print_fields(t, out);
		break;
	case TY_STRUCT:
	case TY_ENUM:
		fputs(t->name ? t->name : "struct", out);
		break;
	case TY_ARRAY:
		type_print(t->elem, out);
		fprintf(out, "[%u]", t->nelem);
		break;
	case TY_PTR:
		type_print(t->elem, out);
		fputs(" *", out);
		break;
	case TY_AGG:
		fprintf(out, "%s_t", agg_kind_name(t->agg));
		break;
	case TY_KSTACK:
	case TY_USTACK:
		fprintf(out, "%s", type_kind_name(t->kind));
		break;
	default:
		fputs(type_kind_name(t->kind), out);
		break;
	}
}

const char *type_str(struct arena *a, const struct type *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return "?";
	type_print(t, f);
	fclose(f);
	const char *s = arena_strdup(a, buf);
	free(buf);
	return s;
}

/* Edits (insert, delete, replace) that turn a into b, giving up past limit. */
static unsigned edits(const char *a, const char *b, unsigned limit)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned row[64];
	if (la >= 64 || lb >= 64)
		return limit + 1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned diag = row[0], best = row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned up = row[j];
			unsigned v = diag + (a[i - 1] != b[j - 1]);
			v = up + 1 < v ? up + 1 : v;
			v = row[j - 1] + 1 < v ? row[j - 1] + 1 : v;
			row[j] = v;
			diag = up;
			best = v < best ? v : best;
		}
		if (best > limit)
			return limit + 1;
	}
	return row[lb];
}

const char *type_closest_field(const struct type *st, const char *want)
{
	const char *close = NULL;
	unsigned best = strlen(want) > 3 ? 2 : 1;
	for (unsigned i = 0; i < st->nfields; i++) {
		const char *f = st->fields[i].name;
		unsigned d = f ? edits(want, f, best) : best + 1;
		if (d <= best && (!close || d < best)) {
			close = f;
			best = d;
		}
	}
	return close;
}
