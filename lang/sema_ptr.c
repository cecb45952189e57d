/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kernel and user memory: types named in casts (C definitions in the script,
 * then the kernel's BTF), pointers, `.`/`->` through pointers, `*p`, `p[i]`,
 * and the builtins that walk task_struct (curtask, ppid, pcomm).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "btf.h"
#include "cdefs.h"
#include "sema.h"
#include "sema_ptr.h"

struct btf_ctx *sema_btf(struct sema *s)
{
	return program_btf(s->p);
}

/* A char array is a string to bpftrace; other types stay as they are. */
const struct type *sema_value_type(struct sema *s, const struct type *t)
{
	if (t && t->kind == TY_ARRAY && t->elem && t->elem->kind == TY_INT && t->elem->size == 1)
		return type_string(s->p->arena, t->nelem);
	return t;
}

/* Fill in a struct known only by name so far (BTF types are read lazily). */
const struct type *sema_complete(struct sema *s, const struct type *t)
{
	if (t && t->kind == TY_STRUCT && t->incomplete && t->btf_obj)
		return btf_complete(sema_btf(s), t);
	return t;
}

/* A type by its C name: the script's own definitions first, then the kernel's. */
static const struct type *named_type(struct sema *s, const char *name)
{
	const struct type *t = NULL;
	if (s->p->cdefs)
		t = cdefs_type(s->p->cdefs, name);
	if (t && t->incomplete && sema_btf(s)) {
		/* declared in the script, defined by the kernel */
		const struct type *k = btf_type_by_name(sema_btf(s), name);
		if (k)
			t = k;
	}
	if (!t && sema_btf(s))
		t = btf_type_by_name(sema_btf(s), name);
	return t;
}

const struct type *sema_named_type(struct sema *s, struct ast_typespec *ts)
{
	if (!ts->name)
		return NULL;
	const struct type *t = named_type(s, ts->name);
	if (!t)
		return NULL;
	/* pointers in user probes point into the process; elsewhere into the kernel */
	enum addrspace as = s->proto && (s->proto->prov->flags & PROV_USER) ? AS_USER : AS_KERNEL;
	for (int i = 0; i < ts->ptr_depth; i++)
		t = type_ptr(s->p->arena, t, as);
	if (ts->array_len > 0)
		t = type_array(s->p->arena, t, (unsigned)ts->array_len);
	return t;
}

/* `curtask`: the task_struct of the current task, when the kernel has BTF. */
const struct type *sema_curtask_type(struct sema *s)
{
	const struct type *t = sema_btf(s) ? btf_type_by_name(sema_btf(s), "struct task_struct")
					   : NULL;
	return t ? type_ptr(s->p->arena, t, AS_KERNEL) : &type_u64;
}

/* The offset of member name in struct t (completing it first), or -1. */
static long member_offset(struct sema *s, const struct type *t, const char *name,
			  const struct type **ft)
{
	t = sema_complete(s, t);
	for (unsigned i = 0; t && i < t->nfields; i++) {
		if (t->fields[i].name && !strcmp(t->fields[i].name, name)) {
			*ft = t->fields[i].type;
			return t->fields[i].offset;
		}
	}
	return -1;
}

/*
 * ppid and pcomm walk curtask: real_parent->tgid and group_leader->comm.
 * The two offsets are kept in the node's annotation for codegen.
 */
const struct type *sema_task_walk(struct sema *s, struct ast_node *n, const char *link,
				  const char *member)
{
	const struct type *task = sema_btf(s) ? btf_type_by_name(sema_btf(s), "struct task_struct")
					      : NULL;
	const struct type *lt = NULL, *mt = NULL;
	long lo = task ? member_offset(s, task, link, &lt) : -1;
	long mo = task ? member_offset(s, task, member, &mt) : -1;
	if (lo < 0 || mo < 0) {
		sema_err(s, &n->loc, "%s needs the kernel's BTF (/sys/kernel/btf/vmlinux)",
			 n->u.ident.name);
		return sema_settype(n, &type_none);
	}
	struct sem *sm = sema_sem(s, n);
	sm->ctx.offset = (unsigned)lo;
	sm->ctx.disp = mo;
	sm->ctx.size = mt->size;
	return sema_settype(n, sema_value_type(s, mt->kind == TY_INT ? type_int(4, false) : mt));
}

/*
 * base.name / base->name where base is a pointer to a struct (read through
 * it) or a struct value in memory.  Records the field for codegen.
 */
const struct type *sema_member(struct sema *s, struct ast_node *n, const struct type *bt)
{
	bool through_ptr = bt->kind == TY_PTR;
	const struct type *st = sema_complete(s, through_ptr ? bt->elem : bt);

	if (!st || st->kind != TY_STRUCT) {
		sema_err(s, &n->loc, "Can not access field '%s' on type '%s'", n->u.field.name,
			 sema_tstr(s, bt));
		return sema_settype(n, &type_none);
	}
	for (unsigned i = 0; i < st->nfields; i++) {
		const struct field *f = &st->fields[i];
		if (!f->name || strcmp(f->name, n->u.field.name))
			continue;
		struct sem *sm = sema_sem(s, n);
		sm->argn = (int)i;
		sm->field = f;
		sm->ival = through_ptr;
		const struct type *ft = sema_value_type(s, sema_complete(s, f->type));
		if (ft->kind == TY_PTR && through_ptr && bt->as == AS_USER)
			ft = type_ptr(s->p->arena, ft->elem, AS_USER);
		if (ft->kind == TY_INT && f->bit_size)
			ft = type_int(8, ft->is_signed);
		return sema_settype(n, ft);
	}
	sema_err(s, &n->loc, "%s has no field named '%s'", st->name ? st->name : "struct",
		 n->u.field.name);
	sema_field_hint(s, st, n->u.field.name);
	return sema_settype(n, &type_none);
}

/*
 * After "no field named x": the field x was probably meant to be (one or
 * two edits away), else the struct's fields.
 */
void sema_field_hint(struct sema *s, const struct type *st, const char *want)
{
	const char *close = type_closest_field(st, want);
	if (close) {
		sema_hint(s, "did you mean '%s'?", close);
		return;
	}
	char *list = arena_strdup(s->p->arena, "");
	unsigned shown = 0;
	for (unsigned i = 0; i < st->nfields && shown < 24; i++, shown++)
		list = arena_printf(s->p->arena, "%s%s%s", list, i ? ", " : "", st->fields[i].name);
	if (st->nfields)
		sema_hint(s, "its fields are: %s%s", list, st->nfields > shown ? ", ..." : "");
}

/* *p */
const struct type *sema_deref(struct sema *s, struct ast_node *n, const struct type *t)
{
	if (t->kind != TY_PTR || !t->elem || t->elem->kind == TY_VOID || !t->elem->size) {
		sema_err(s, &n->loc, "Can not dereference type '%s'", sema_tstr(s, t));
		return sema_settype(n, &type_none);
	}
	return sema_settype(n, sema_value_type(s, sema_complete(s, t->elem)));
}

/* p[i] and array[i] */
const struct type *sema_index(struct sema *s, struct ast_node *n)
{
	const struct type *bt = sema_expr(s, n->u.index.base);
	const struct type *it = sema_expr_int(s, n->u.index.index, "an index");
	int64_t idx;

	if (bt->kind == TY_NONE || it->kind == TY_NONE)
		return sema_settype(n, &type_none);
	if (bt->kind == TY_PTR)
		return sema_deref(s, n, bt);
	if (bt->kind == TY_ARRAY) {
		if (sema_const_int(n->u.index.index, &idx) && (idx < 0 || idx >= bt->nelem)) {
			sema_err(s, &n->loc, "Index %" PRId64 " is out of bounds for '%s'", idx,
				 sema_tstr(s, bt));
			return sema_settype(n, &type_none);
		}
		return sema_settype(n, sema_value_type(s, bt->elem));
	}
	if (bt->kind == TY_STRING) {
		return sema_settype(n, &type_u8);
	}
	sema_err(s, &n->loc, "Can not index into type '%s'", sema_tstr(s, bt));
	return sema_settype(n, &type_none);
}

/* kptr(p) / uptr(p): the same address, read from the other address space. */
const struct type *sema_addrspace(struct sema *s, struct ast_node *n, enum addrspace as)
{
	const struct type *t = sema_expr(s, n->u.ident.args);
	if (t->kind == TY_NONE)
		return sema_settype(n, t);
	if (t->kind == TY_PTR)
		return sema_settype(n, type_ptr(s->p->arena, t->elem, as));
	if (sema_is_intlike(t)) {
		sema_sem(s, n)->ival = as == AS_USER;
		return sema_settype(n, t);
	}
	sema_err(s, &n->loc, "%s() expects a pointer or an integer", n->u.ident.name);
	return sema_settype(n, &type_none);
}

/* offsetof(struct T, a.b), or offsetof(expr, a.b) with expr of struct type */
const struct type *sema_offsetof(struct sema *s, struct ast_node *n)
{
	const struct type *t;
	if (n->u.cast.ts) {
		t = sema_named_type(s, n->u.cast.ts);
		if (!t) {
			sema_err(s, &n->loc, "Unknown type: %s",
				 n->u.cast.ts->name ? n->u.cast.ts->name : "?");
			return sema_settype(n, &type_none);
		}
	} else {
		t = sema_expr(s, n->u.cast.expr);
		if (t->kind == TY_NONE)
			return sema_settype(n, &type_none);
		t = sema_complete(s, t);
		if (!t || t->kind != TY_STRUCT) {
			sema_err(s, &n->loc, "offsetof() needs a struct or union, not '%s'",
				 type_str(s->p->arena, n->u.cast.expr->type));
			return sema_settype(n, &type_none);
		}
	}
	long off = 0;
	char *path = arena_strdup(s->p->arena, n->u.cast.field), *save = NULL;
	for (char *f = strtok_r(path, ".", &save); f; f = strtok_r(NULL, ".", &save)) {
		const struct type *ft = NULL;
		long o = member_offset(s, t, f, &ft);
		if (o < 0) {
			sema_err(s, &n->loc, "%s has no field named '%s'", t->name ? t->name : "struct", f);
			return sema_settype(n, &type_none);
		}
		off += o;
		t = ft;
	}
	sema_make_int(n, (uint64_t)off, true);
	return sema_settype(n, &type_u64);
}
