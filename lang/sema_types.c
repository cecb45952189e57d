/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Name resolution and type inference.  A map's type can be fixed by a later
 * probe, so every probe is walked SEMA_PASSES times: the early passes only
 * learn types (widening ints and strings), the last one also reports errors.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "builtins.h"
#include "format.h"
#include "program.h"
#include "sema.h"
#include "sema_funcs.h"
#include "sema_ptr.h"
#include "btf.h"
#include "cdefs.h"

#define SEMA_PASSES 3

/* The message of a diagnostic, made only on the last pass (NULL before it). */
static const char *sema_msg(struct sema *s, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static const char *sema_msg(struct sema *s, const char *fmt, va_list ap)
{
	return s->final ? arena_vprintf(s->p->arena, fmt, ap) : NULL;
}

void sema_err(struct sema *s, const struct loc *loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const char *msg = sema_msg(s, fmt, ap);
	va_end(ap);
	if (msg)
		diag_error(s->p->diags, loc, "%s", msg);
}

void sema_warn(struct sema *s, const struct loc *loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const char *msg = sema_msg(s, fmt, ap);
	va_end(ap);
	if (msg)
		diag_warning(s->p->diags, loc, "%s", msg);
}

void sema_hint(struct sema *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const char *msg = sema_msg(s, fmt, ap);
	va_end(ap);
	if (msg)
		diag_hint(s->p->diags, "%s", msg);
}

const char *sema_tstr(struct sema *s, const struct type *t)
{
	return type_str(s->p->arena, t);
}

struct sem *sema_sem(struct sema *s, struct ast_node *n)
{
	if (!n->sema)
		n->sema = arena_new_obj(s->p->arena, struct sem);
	return n->sema;
}

const struct type *sema_settype(struct ast_node *n, const struct type *t)
{
	n->type = t;
	return t;
}

/* ---- storage types and unification ------------------------------------------------------- */

/* The type a value takes in a map, a variable or an event: integers widen to 64 bits. */
const struct type *sema_storage_type(struct sema *s, const struct type *t)
{
	switch (t->kind) {
	case TY_INT:
	case TY_ENUM:
		return type_int(8, t->is_signed);
	case TY_TUPLE:
	case TY_RECORD: {
		const struct type **el = arena_alloc(s->p->arena, sizeof(*el) * (t->nfields + 1));
		const char **names = NULL;
		bool same = true;
		if (t->kind == TY_RECORD)
			names = arena_alloc(s->p->arena, sizeof(*names) * (t->nfields + 1));
		for (unsigned i = 0; i < t->nfields; i++) {
			el[i] = sema_storage_type(s, t->fields[i].type);
			same = same && el[i] == t->fields[i].type;
			if (names)
				names[i] = t->fields[i].name;
		}
		return same ? t : type_tuple(s->p->arena, el, names, t->nfields);
	}
	default:
		return t;
	}
}

/*
 * Combine a stored type with a newly assigned one: strings take the larger
 * size, tuples combine field by field.  NULL when they cannot be combined.
 */
const struct type *sema_unify(struct sema *s, const struct type *old, const struct type *new)
{
	if (!old || old->kind == TY_NONE)
		return new;
	if (!new || new->kind == TY_NONE)
		return old;
	if (old->kind == TY_INT && new->kind == TY_INT)
		return old;
	if (old->kind == TY_STRING && new->kind == TY_STRING)
		return old->size >= new->size ? old : new;
	if ((old->kind == TY_TUPLE || old->kind == TY_RECORD) && old->kind == new->kind &&
	    old->nfields == new->nfields) {
		const struct type **el = arena_alloc(s->p->arena, sizeof(*el) * (old->nfields + 1));
		const char **names = NULL;
		if (old->kind == TY_RECORD)
			names = arena_alloc(s->p->arena, sizeof(*names) * (old->nfields + 1));
		for (unsigned i = 0; i < old->nfields; i++) {
			if (names) {
				if (strcmp(old->fields[i].name, new->fields[i].name))
					return NULL;
				names[i] = old->fields[i].name;
			}
			el[i] = sema_unify(s, old->fields[i].type, new->fields[i].type);
			if (!el[i])
				return NULL;
		}
		const struct type *t = type_tuple(s->p->arena, el, names, old->nfields);
		return type_equal(t, old) ? old : t;
	}
	if (old->kind == TY_AGG && new->kind == TY_AGG && old->agg == new->agg)
		return old->is_signed || !new->is_signed ? old : new;
	return type_equal(old, new) ? old : NULL;
}

bool sema_is_intlike(const struct type *t)
{
	return t && type_is_int(t);
}

/* ---- constants ----------------------------------------------------------------------------- */

bool sema_const_int(struct ast_node *n, int64_t *out)
{
	if (n->kind == AST_INT) {
		*out = (int64_t)n->u.num.value;
		return true;
	}
	if (n->kind == AST_BOOL) {
		*out = n->u.boolean.value;
		return true;
	}
	return false;
}

/* Rewrite n in place as the string literal v (len bytes), keeping its place and location. */
void sema_make_string(struct ast_node *n, const char *v, size_t len)
{
	memset(&n->u, 0, sizeof(n->u));
	n->kind = AST_STRING;
	n->sema = NULL;
	n->u.str.value = v;
	n->u.str.len = len;
}

void sema_make_int(struct ast_node *n, uint64_t v, bool is_unsigned)
{
	struct loc loc = n->loc;
	struct ast_node *next = n->next;
	memset(&n->u, 0, sizeof(n->u));
	n->kind = AST_INT;
	n->loc = loc;
	n->next = next;
	n->u.num.value = v;
	n->u.num.is_unsigned = is_unsigned;
	n->sema = NULL;
}

/*
 * Fold a binary operation on two literals with C's signed 64-bit semantics,
 * as bpftrace does (so -7/2 is -3, not the unsigned run-time result).
 */
static bool fold_binop(struct sema *s, struct ast_node *n)
{
	struct ast_node *l = n->u.binop.lhs, *r = n->u.binop.rhs;
	if (l->kind != AST_INT || r->kind != AST_INT)
		return false;
	int64_t a = (int64_t)l->u.num.value, b = (int64_t)r->u.num.value, v = 0;
	bool uns = l->u.num.is_unsigned || r->u.num.is_unsigned, ovf = false, cmp = false;

	switch (n->u.binop.op) {
	case BINOP_ADD:
		ovf = uns ? false : __builtin_add_overflow(a, b, &v);
		if (uns)
			v = (int64_t)((uint64_t)a + (uint64_t)b);
		break;
	case BINOP_SUB:
		ovf = uns ? false : __builtin_sub_overflow(a, b, &v);
		if (uns)
			v = (int64_t)((uint64_t)a - (uint64_t)b);
		break;
	case BINOP_MUL:
		ovf = uns ? false : __builtin_mul_overflow(a, b, &v);
		if (uns)
			v = (int64_t)((uint64_t)a * (uint64_t)b);
		break;
	case BINOP_DIV:
	case BINOP_MOD:
		if (b == 0 || (!uns && a == INT64_MIN && b == -1)) {
			ovf = true;
			break;
		}
		if (uns)
			v = (int64_t)(n->u.binop.op == BINOP_DIV ? (uint64_t)a / (uint64_t)b
								 : (uint64_t)a % (uint64_t)b);
		else
			v = n->u.binop.op == BINOP_DIV ? a / b : a % b;
		break;
	case BINOP_BAND: v = a & b; break;
	case BINOP_BOR: v = a | b; break;
	case BINOP_BXOR: v = a ^ b; break;
	case BINOP_SHL:
	case BINOP_SHR:
		if (b < 0 || b >= 64) {
			ovf = true;
			break;
		}
		v = n->u.binop.op == BINOP_SHL ? (int64_t)((uint64_t)a << b)
					       : (uns ? (int64_t)((uint64_t)a >> b) : a >> b);
		break;
	case BINOP_EQ: v = a == b; cmp = true; break;
	case BINOP_NE: v = a != b; cmp = true; break;
	case BINOP_LT: v = uns ? (uint64_t)a < (uint64_t)b : a < b; cmp = true; break;
	case BINOP_LE: v = uns ? (uint64_t)a <= (uint64_t)b : a <= b; cmp = true; break;
	case BINOP_GT: v = uns ? (uint64_t)a > (uint64_t)b : a > b; cmp = true; break;
	case BINOP_GE: v = uns ? (uint64_t)a >= (uint64_t)b : a >= b; cmp = true; break;
	case BINOP_LAND:
	case BINOP_LOR:
	case BINOP_NONE:
		return false;
	}
	if (ovf) {
		sema_err(s, &n->loc, "unable to fold literals due to overflow or underflow");
		return false;
	}
	if (cmp) {
		struct loc loc = n->loc;
		struct ast_node *next = n->next;
		memset(&n->u, 0, sizeof(n->u));
		n->kind = AST_BOOL;
		n->loc = loc;
		n->next = next;
		n->u.boolean.value = v != 0;
		return true;
	}
	sema_make_int(n, (uint64_t)v, uns);
	return true;
}

/* ---- symbols ------------------------------------------------------------------------------- */

struct var_sym *sema_var_find(struct sema *s, const char *name)
{
	for (int i = s->nlets - 1; i >= 0; i--)
		if (!strcmp(s->lets[i].v->name, name))
			return s->lets[i].v;
	for (struct var_sym *v = s->pr->vars; v; v = v->next)
		if (!v->is_let && !strcmp(v->name, name))
			return v;
	return NULL;
}

static struct var_sym *var_new(struct sema *s, const char *name, const struct loc *loc)
{
	struct var_sym *v = arena_new_obj(s->p->arena, struct var_sym);
	v->name = name;
	v->type = &type_none;
	v->first = *loc;
	v->next = s->pr->vars;
	s->pr->vars = v;
	return v;
}

struct var_sym *sema_var_get(struct sema *s, const char *name, const struct loc *loc)
{
	struct var_sym *v = sema_var_find(s, name);
	return v ? v : var_new(s, name, loc);
}

void sema_block_enter(struct sema *s)
{
	s->depth++;
}

void sema_block_leave(struct sema *s)
{
	while (s->nlets && s->lets[s->nlets - 1].depth == s->depth)
		s->nlets--;
	s->depth--;
}

/*
 * Declare a block-scoped variable at node n (its declaration: the same
 * variable on every pass).  Shadowing another variable is an error.
 */
static struct var_sym *var_declare(struct sema *s, struct ast_node *n, const char *name)
{
	struct sem *sm = sema_sem(s, n);
	struct var_sym *other = sema_var_find(s, name);
	if (other && other != sm->var)
		sema_err(s, &n->loc, "Variable %s is already declared: shadowing is not allowed",
			 name);
	if (!sm->var) {
		sm->var = var_new(s, name, &n->loc);
		sm->var->is_let = true;
	}
	if (s->nlets < SEMA_MAX_LETS) {
		s->lets[s->nlets].v = sm->var;
		s->lets[s->nlets].depth = s->depth;
		s->nlets++;
	} else {
		sema_err(s, &n->loc, "too many variables declared with let");
	}
	return sm->var;
}

struct map_sym *sema_map_get(struct sema *s, const char *name, const struct loc *loc)
{
	for (struct map_sym *m = s->p->maps; m; m = m->next)
		if (!strcmp(m->name, name))
			return m;
	struct map_sym *m = arena_new_obj(s->p->arena, struct map_sym);
	m->name = name;
	m->first = *loc;
	m->val = &type_none;
	struct map_sym **tail = &s->p->maps;
	while (*tail)
		tail = &(*tail)->next;
	*tail = m;
	return m;
}

/* ---- expressions --------------------------------------------------------------------------- */

static void stmts(struct sema *s, struct ast_node *list);

const struct type *sema_expr_int(struct sema *s, struct ast_node *n, const char *what)
{
	const struct type *t = sema_expr(s, n);
	if (t->kind != TY_NONE && !sema_is_intlike(t))
		sema_err(s, &n->loc, "%s expects an integer, got '%s'", what, sema_tstr(s, t));
	return t;
}

void sema_cond(struct sema *s, struct ast_node *n)
{
	const struct type *t = sema_expr(s, n);
	if (t->kind != TY_NONE && !sema_is_intlike(t))
		sema_err(s, &n->loc, "Invalid condition: '%s' is not a boolean or an integer",
		     sema_tstr(s, t));
}

const struct type *sema_positional(struct sema *s, struct ast_node *n)
{
	int i = n->u.positional.n;
	if (i < 1 || i > s->p->npos) {
		/* the node becomes a literal now, so this is the one pass that can say it */
		diag_warning(s->p->diags, &n->loc, "Positional parameter $%d is empty or not provided. ",
			     i);
		sema_make_int(n, 0, false);
		return sema_settype(n, &type_s64);
	}
	const char *v = s->p->pos[i - 1];
	char *end;
	errno = 0;
	long long num = strtoll(v, &end, 0);
	if (*v && !*end && !errno) {
		sema_make_int(n, (uint64_t)num, false);
		return sema_settype(n, &type_s64);
	}
	sema_make_string(n, v, strlen(v));
	return sema_settype(n, type_string(s->p->arena, (unsigned)n->u.str.len + 1));
}

static const struct type *provider_arg(struct sema *s, struct ast_node *n, const char *name)
{
	struct sem *sm = sema_sem(s, n);
	const struct type *t = NULL;
	struct attach *a = s->proto;

	if (!a || !a->prov->arg || a->prov->arg(s->p, a, name, &sm->ctx, &t)) {
		sema_err(s, &n->loc, "The %s builtin can not be used with '%s' probes", name,
		     a ? a->prov->name : "these");
		return sema_settype(n, &type_none);
	}
	/*
	 * Each program reads the argument its own way (the provider grouped its
	 * targets so); every program must have it, with the same type.
	 */
	for (struct prog *pg = s->pr->progs; pg; pg = pg->next) {
		struct ctx_access ca = { 0 };
		const struct type *ot = NULL;
		if (pg->prov != a->prov || pg->proto == a)
			continue;
		if (pg->prov->arg(s->p, (struct attach *)pg->proto, name, &ca, &ot) ||
		    (t && ot && ca.kind != CTX_ARGS_PTR && !type_equal(t, ot))) {
			sema_err(s, &n->loc, "The %s builtin is not available for %s", name,
				 pg->proto->name);
			break;
		}
	}
	if (!strcmp(name, "args"))
		s->pr->uses_args = true;
	return sema_settype(n, t ? t : &type_u64);
}

/*
 * `#define NAME "text"`: the macro stands for a string literal.  Only plain
 * literals are supported (no escapes beyond \" and \\).
 */
static bool string_macro(struct sema *s, struct ast_node *n, const char *body)
{
	size_t len = body ? strlen(body) : 0;
	if (len < 2 || body[0] != '"' || body[len - 1] != '"')
		return false;
	char *out = arena_alloc(s->p->arena, len), *o = out;
	for (size_t i = 1; i + 1 < len; i++) {
		if (body[i] == '\\' && i + 2 < len)
			i++;
		*o++ = body[i];
	}
	*o = '\0';
	sema_make_string(n, out, (size_t)(o - out));
	return true;
}

static const struct type *builtin(struct sema *s, struct ast_node *n)
{
	const char *name = n->u.ident.name;
	int argn = 0;
	int id = builtin_var_find(name, &argn);
	struct sem *sm;

	if (id < 0) {
		int f = builtin_func_find(name);
		if (f >= 0 && builtin_funcs[f].min_args == 0) {
			/* `exit` and friends written without parentheses */
			n->kind = AST_CALL;
			n->u.ident.args = NULL;
			return sema_expr(s, n);
		}
		int64_t v;
		const struct type *et = NULL;
		if (s->p->cdefs && (cdefs_macro(s->p->cdefs, name, &v) ||
				    cdefs_enum_value(s->p->cdefs, name, &v, &et))) {
			/* a #define constant or an enum value of the script's C definitions */
			sema_make_int(n, (uint64_t)v, false);
			return sema_settype(n, &type_s64);
		}
		const struct cdef_macro *md = s->p->cdefs ? cdefs_macro_def(s->p->cdefs, name) : NULL;
		if (md && !md->function_like && string_macro(s, n, md->body))
			return sema_expr(s, n);
		if (btf_enum_value(sema_btf(s), name, &v, &et)) {
			/* an enumerator of the kernel's BTF: SKB_DROP_REASON_NOT_SPECIFIED */
			sema_make_int(n, (uint64_t)v, false);
			return sema_settype(n, &type_s64);
		}
		sema_err(s, &n->loc, "Unknown identifier: '%s'", name);
		return sema_settype(n, &type_none);
	}
	sm = sema_sem(s, n);
	sm->id = id;
	sm->argn = argn;
	if (s->in_formap && (id == BV_ARGS || id == BV_ARG || id == BV_RETVAL || id == BV_FUNC ||
			     id == BV_KSTACK || id == BV_USTACK)) {
		/* the loop body runs in a callback, away from the probe's context */
		sema_err(s, &n->loc, "%s can not be used inside a for loop over a map", name);
		return sema_settype(n, &type_none);
	}
	switch ((enum builtin_var)id) {
	case BV_PID:
	case BV_TID:
	case BV_RAND:
	case BV_NUMAID:
		return sema_settype(n, &type_u32);
	case BV_UID:
	case BV_GID:
	case BV_NSECS:
	case BV_ELAPSED:
	case BV_CPU:
	case BV_NCPUS:
	case BV_CGROUP:
	case BV_JIFFIES:
		if (id == BV_ELAPSED)
			s->p->res.needs_elapsed = true;
		return sema_settype(n, &type_u64);
	case BV_CURTASK:
		return sema_settype(n, sema_curtask_type(s));
	case BV_COMM:
		return sema_settype(n, type_string(s->p->arena, 16));
	case BV_PROBE:
		s->pr->uses_probe = true;
		return sema_settype(n, &type_probe);
	case BV_ARGS:
	case BV_ARG:
	case BV_RETVAL:
		return provider_arg(s, n, name);
	case BV_KSTACK:
	case BV_USTACK:
		return sema_stack(s, n, id == BV_USTACK);
	case BV_USERNAME:
		return sema_settype(n, &type_username);
	case BV_FUNC: {
		const struct type *t = provider_arg(s, n, "func");
		if (t->kind == TY_NONE)
			return t;
		if (s->proto->prov->flags & PROV_USER) {
			sema_sem(s, n)->ival = 1; /* by probe id: see USYM_PROBE_FUNC */
			s->pr->uses_probe = true;
			return sema_settype(n, &type_usym);
		}
		return sema_settype(n, &type_ksym);
	}
	case BV_CPID:
		if (!s->p->cfg.cpid)
			sema_warn(s, &n->loc, "No child command (`-c`); cpid is zero");
		sema_make_int(n, (uint64_t)s->p->cfg.cpid, false);
		return sema_settype(n, &type_u32);
	case BV_PPID:
		return sema_task_walk(s, n, "real_parent", "tgid");
	case BV_PCOMM:
		return sema_task_walk(s, n, "group_leader", "comm");
	case BV_COUNT_:
		break;
	}
	sema_err(s, &n->loc, "The builtin '%s' is not supported by ctrace yet", name);
	return sema_settype(n, &type_none);
}

const struct type *sema_map_key(struct sema *s, struct ast_node *n, struct map_sym *m)
{
	return sema_map_key_of(s, n, n->u.ident.args, m);
}

const struct type *sema_map_key_of(struct sema *s, struct ast_node *n, struct ast_node *k,
				   struct map_sym *m)
{
	if (!k) {
		if (m->used_keyed)
			sema_err(s, &n->loc,
			     "Argument mismatch for %s: trying to access with no arguments when map expects arguments: '%s'",
			     m->name, sema_tstr(s, m->key));
		m->used_scalar = true;
		return NULL;
	}
	const struct type *kt = sema_expr(s, k);
	if (kt->kind == TY_NONE)
		return NULL;
	if (kt->kind == TY_VOID || kt->kind == TY_AGG) {
		sema_err(s, &k->loc, "Invalid map key type: '%s'", sema_tstr(s, kt));
		return NULL;
	}
	kt = sema_storage_type(s, kt);
	if (m->used_scalar) {
		sema_err(s, &n->loc,
		     "Argument mismatch for %s: trying to access with arguments: '%s' when map expects no arguments",
		     m->name, sema_tstr(s, kt));
		return NULL;
	}
	m->used_keyed = true;
	const struct type *u = sema_unify(s, m->key, kt);
	if (!u)
		sema_err(s, &n->loc,
		     "Argument mismatch for %s: trying to access with arguments: '%s' when map expects arguments: '%s'",
		     m->name, sema_tstr(s, kt), sema_tstr(s, m->key));
	else
		m->key = u;
	return kt;
}

struct map_sym *sema_map_ref(struct sema *s, struct ast_node *n)
{
	struct map_sym *m = sema_map_get(s, n->u.ident.name, &n->loc);
	sema_sem(s, n)->map = m;
	sema_map_key(s, n, m);
	return m;
}

/* A map read in an expression. */
static const struct type *map_read(struct sema *s, struct ast_node *n)
{
	struct map_sym *m = sema_map_ref(s, n);
	if (m->agg != AGG_NONE) {
		/* read in the kernel by adding up (or combining) every CPU's share */
		switch (m->agg) {
		case AGG_COUNT:
			return sema_settype(n, &type_u64);
		case AGG_SUM:
		case AGG_MIN:
		case AGG_MAX:
		case AGG_AVG:
			return sema_settype(n, type_int(8, m->val->is_signed));
		default:
			sema_err(s, &n->loc, "The value of %s (%s) can not be read inside a probe",
				 m->name, agg_kind_name(m->agg));
			return sema_settype(n, &type_none);
		}
	}
	if (!m->val || m->val->kind == TY_NONE) {
		sema_err(s, &n->loc, "Undefined map: %s", m->name);
		return sema_settype(n, &type_none);
	}
	return sema_settype(n, m->val);
}

static const struct type *var_read(struct sema *s, struct ast_node *n)
{
	struct var_sym *v = sema_var_find(s, n->u.ident.name);
	if (!v || v->type->kind == TY_NONE) {
		sema_err(s, &n->loc, "Undefined or undeclared variable: %s", n->u.ident.name);
		return sema_settype(n, &type_none);
	}
	sema_sem(s, n)->var = v;
	return sema_settype(n, v->type);
}

/*
 * `/` and `%` are unsigned in BPF: with one signed and one unsigned operand
 * the result may surprise, so bpftrace warns.  A non-negative literal takes
 * the other operand's sign.
 */
static void mixed_sign_div(struct sema *s, struct ast_node *n)
{
	struct ast_node *ln = n->u.binop.lhs, *rn = n->u.binop.rhs;
	bool lsig = ln->type->is_signed, rsig = rn->type->is_signed;
	if (ln->kind == AST_INT && (ln->u.num.is_unsigned || (int64_t)ln->u.num.value >= 0))
		lsig = rsig;
	if (rn->kind == AST_INT && (rn->u.num.is_unsigned || (int64_t)rn->u.num.value >= 0))
		rsig = lsig;
	if (lsig != rsig)
		sema_warn(s, &n->loc,
			  "signed operands for '%s' can lead to undefined behavior (cast to unsigned "
			  "to silence warning)",
			  binop_str(n->u.binop.op));
}

static const struct type *binop(struct sema *s, struct ast_node *n)
{
	enum binop op = n->u.binop.op;
	const struct type *l = sema_expr(s, n->u.binop.lhs), *r = sema_expr(s, n->u.binop.rhs);

	if (l->kind == TY_NONE || r->kind == TY_NONE)
		return sema_settype(n, &type_none);
	if (op == BINOP_LAND || op == BINOP_LOR) {
		if (!sema_is_intlike(l) || !sema_is_intlike(r))
			sema_err(s, &n->loc, "Invalid operands for '%s': '%s' and '%s'", binop_str(op),
			     sema_tstr(s, l), sema_tstr(s, r));
		return sema_settype(n, &type_bool);
	}
	if (sema_is_intlike(l) && sema_is_intlike(r)) {
		if (fold_binop(s, n))
			return sema_expr(s, n);
		switch (op) {
		case BINOP_EQ:
		case BINOP_NE:
		case BINOP_LT:
		case BINOP_LE:
		case BINOP_GT:
		case BINOP_GE:
			return sema_settype(n, &type_bool);
		default:
			break;
		}
		if ((op == BINOP_DIV || op == BINOP_MOD) && l->kind == TY_INT && r->kind == TY_INT)
			mixed_sign_div(s, n);
		bool sgn = l->is_signed || r->is_signed || op == BINOP_SUB;
		if (l->kind == TY_PTR && (op == BINOP_ADD || op == BINOP_SUB))
			return sema_settype(n, l);
		return sema_settype(n, type_int(8, sgn));
	}
	if (op == BINOP_EQ || op == BINOP_NE) {
		if (l->kind == TY_STRING && r->kind == TY_STRING)
			return sema_settype(n, &type_bool);
		if ((l->kind == TY_PROBE && r->kind == TY_STRING) ||
		    (l->kind == TY_STRING && r->kind == TY_PROBE)) {
			struct ast_node *lit = l->kind == TY_STRING ? n->u.binop.lhs : n->u.binop.rhs;
			if (lit->kind != AST_STRING)
				sema_err(s, &lit->loc, "probe can only be compared with a string literal");
			return sema_settype(n, &type_bool);
		}
		if (type_equal(l, r) && (l->kind == TY_TUPLE || l->kind == TY_ARRAY))
			return sema_settype(n, &type_bool);
	}
	sema_err(s, &n->loc, "Type mismatch for '%s': comparing '%s' with '%s'", binop_str(op),
	     sema_tstr(s, l), sema_tstr(s, r));
	return sema_settype(n, &type_none);
}

static const struct type *unop(struct sema *s, struct ast_node *n)
{
	struct ast_node *o = n->u.unop.operand;
	const struct type *t = sema_expr(s, o);

	if (t->kind == TY_NONE)
		return sema_settype(n, &type_none);
	switch (n->u.unop.op) {
	case UNOP_NEG:
		if (o->kind == AST_INT) {
			uint64_t v = o->u.num.value;
			if (o->u.num.is_unsigned && v > (uint64_t)INT64_MAX + 1) {
				sema_err(s, &n->loc, "unable to fold literals due to overflow or underflow");
				return sema_settype(n, &type_none);
			}
			sema_make_int(n, -v, false);
			return sema_settype(n, &type_s64);
		}
		if (!sema_is_intlike(t))
			break;
		return sema_settype(n, &type_s64);
	case UNOP_NOT:
		if (!sema_is_intlike(t))
			break;
		return sema_settype(n, &type_bool);
	case UNOP_BNOT:
		if (o->kind == AST_INT) {
			sema_make_int(n, ~o->u.num.value, o->u.num.is_unsigned);
			return sema_settype(n, o->u.num.is_unsigned ? &type_u64 : &type_s64);
		}
		if (!sema_is_intlike(t))
			break;
		return sema_settype(n, type_int(8, t->is_signed));
	case UNOP_DEREF:
		return sema_deref(s, n, t);
	case UNOP_ADDR:
		/* &$x: where the variable lives (the BPF stack, or per-CPU scratch) */
		if (o->kind == AST_VAR)
			return sema_settype(n, type_ptr(s->p->arena, t, AS_KERNEL));
		if (o->kind == AST_MAP) {
			sema_err(s, &n->loc, "The address of a map is only useful to external BPF "
				 "functions, which ctrace does not call; use the map by name");
			return sema_settype(n, &type_none);
		}
		sema_err(s, &n->loc, "The '&' operator takes the address of a variable, e.g. `&$x`");
		return sema_settype(n, &type_none);
	}
	sema_err(s, &n->loc, "Invalid operand for '%s': '%s'", unop_str(n->u.unop.op), sema_tstr(s, t));
	return sema_settype(n, &type_none);
}

static const struct type *ternary(struct sema *s, struct ast_node *n)
{
	sema_cond(s, n->u.ternary.cond);
	const struct type *a = n->u.ternary.then ? sema_expr(s, n->u.ternary.then) : n->u.ternary.cond->type;
	const struct type *b = sema_expr(s, n->u.ternary.els);
	if (a->kind == TY_NONE || b->kind == TY_NONE)
		return sema_settype(n, &type_none);
	if (a->kind == TY_PTR && b->kind == TY_PTR && type_equal(a, b))
		return sema_settype(n, a); /* the same pointer type either way: keep it */
	if (sema_is_intlike(a) && sema_is_intlike(b))
		return sema_settype(n, type_int(8, a->is_signed || b->is_signed));
	const struct type *u = sema_unify(s, sema_storage_type(s, a), sema_storage_type(s, b));
	if (!u) {
		sema_err(s, &n->loc, "Ternary operator must return the same type: have '%s' and '%s'",
		     sema_tstr(s, a), sema_tstr(s, b));
		return sema_settype(n, &type_none);
	}
	return sema_settype(n, u);
}

static bool is_args(const struct ast_node *n)
{
	return n->kind == AST_IDENT && n->sema && ((struct sem *)n->sema)->id == BV_ARGS;
}

/*
 * A program reads args.NAME at its own target's offset; the types must be
 * the same in every program of the probe, so the body types once.
 */
static void args_field_agrees(struct sema *s, struct ast_node *n, const struct field *want)
{
	for (struct prog *pg = s->pr->progs; pg; pg = pg->next) {
		const struct type *at = pg->proto->args;
		const struct field *f = NULL;
		for (unsigned j = 0; at && j < at->nfields; j++)
			if (!strcmp(at->fields[j].name, want->name))
				f = &at->fields[j];
		if (!at)
			continue;
		if (!f || f->type->size != want->type->size || f->type->kind != want->type->kind) {
			sema_err(s, &n->loc, "args.%s is not of the same type in %s and %s", want->name,
				 s->proto->name, pg->proto->name);
			return;
		}
	}
}

static const struct type *field(struct sema *s, struct ast_node *n)
{
	const struct type *bt = sema_expr(s, n->u.field.base);
	if (bt->kind == TY_NONE)
		return sema_settype(n, &type_none);
	if (bt->kind == TY_STRUCT && !is_args(n->u.field.base))
		return sema_member(s, n, bt);
	if (bt->kind == TY_RECORD || bt->kind == TY_STRUCT) {
		for (unsigned i = 0; i < bt->nfields; i++) {
			if (bt->fields[i].name && !strcmp(bt->fields[i].name, n->u.field.name)) {
				sema_sem(s, n)->argn = (int)i;
				if (is_args(n->u.field.base))
					args_field_agrees(s, n, &bt->fields[i]);
				return sema_settype(n, bt->fields[i].type);
			}
		}
		sema_err(s, &n->loc, "%s has no field named '%s'",
		     bt->name ? bt->name : sema_tstr(s, bt), n->u.field.name);
		sema_field_hint(s, bt, n->u.field.name);
		return sema_settype(n, &type_none);
	}
	if (bt->kind == TY_PTR)
		return sema_member(s, n, bt);
	sema_err(s, &n->loc, "Can not access field '%s' on type '%s'", n->u.field.name, sema_tstr(s, bt));
	return sema_settype(n, &type_none);
}

static const struct type *tuple_index(struct sema *s, struct ast_node *n, struct ast_node *base,
				      int64_t idx)
{
	const struct type *bt = sema_expr(s, base);
	if (bt->kind == TY_NONE)
		return sema_settype(n, &type_none);
	if (bt->kind != TY_TUPLE && bt->kind != TY_RECORD) {
		sema_err(s, &n->loc, "Can not index into type '%s'", sema_tstr(s, bt));
		return sema_settype(n, &type_none);
	}
	if (idx < 0 || idx >= bt->nfields) {
		sema_err(s, &n->loc, "Invalid tuple index: %" PRId64 ". Found %u elements in tuple.",
		     idx, bt->nfields);
		return sema_settype(n, &type_none);
	}
	sema_sem(s, n)->argn = (int)idx;
	return sema_settype(n, bt->fields[idx].type);
}

static const struct type *tuple(struct sema *s, struct ast_node *n)
{
	unsigned cnt = (unsigned)ast_list_len(n->u.tuple.elems);
	const struct type **el = arena_alloc(s->p->arena, sizeof(*el) * (cnt + 1));
	const char **names = NULL;
	unsigned i = 0;

	if (n->kind == AST_RECORD)
		names = arena_alloc(s->p->arena, sizeof(*names) * (cnt + 1));
	ast_foreach(e, n->u.tuple.elems)
	{
		struct ast_node *v = n->kind == AST_RECORD ? e->u.named.value : e;
		const struct type *t = sema_expr(s, v);
		if (t->kind == TY_NONE)
			return sema_settype(n, &type_none);
		if (t->kind == TY_VOID || t->kind == TY_AGG) {
			sema_err(s, &v->loc, "Invalid tuple element type: '%s'", sema_tstr(s, t));
			return sema_settype(n, &type_none);
		}
		if (names) {
			for (unsigned j = 0; j < i; j++)
				if (!strcmp(names[j], e->u.named.name))
					sema_err(s, &e->loc, "Duplicate field name: %s", e->u.named.name);
			names[i] = e->u.named.name;
			sema_settype(e, t);
		}
		el[i++] = sema_storage_type(s, t);
	}
	return sema_settype(n, type_tuple(s->p->arena, el, names, cnt));
}

/*
 * The type sizeof() and typeof() see for an integer literal: the smallest
 * signed type that holds it (`1` is int8), uint64 past INT64_MAX, as in
 * bpftrace's newest release.  Values still compute in 64 bits.
 */
static const struct type *literal_type(const struct ast_node *e, const struct type *t)
{
	if (e->kind != AST_INT)
		return t;
	if (e->u.num.is_unsigned && e->u.num.value > (uint64_t)INT64_MAX)
		return &type_u64;
	int64_t v = (int64_t)e->u.num.value;
	if (v >= INT8_MIN && v <= INT8_MAX)
		return &type_s8;
	if (v >= INT16_MIN && v <= INT16_MAX)
		return &type_s16;
	if (v >= INT32_MIN && v <= INT32_MAX)
		return &type_s32;
	return &type_s64;
}

/*
 * typeof(e) or typeof(T), with any `*` and `[N]` written after it.  The expression is only
 * type-checked, never run.  A string keeps its capacity; an integer its width and sign.
 */
static const struct type *typeof_target(struct sema *s, struct ast_typespec *ts)
{
	struct ast_node *tn = ts->typeof_expr;
	const struct type *t;
	if (tn->u.cast.ts) {
		t = sema_cast_target(s, tn->u.cast.ts);
	} else {
		t = sema_expr(s, tn->u.cast.expr);
		if (t->kind == TY_NONE || t->kind == TY_AGG || t->kind == TY_VOID)
			return NULL;
		t = literal_type(tn->u.cast.expr, t);
	}
	if (!t)
		return NULL;
	sema_settype(tn, t);
	enum addrspace as = s->proto && (s->proto->prov->flags & PROV_USER) ? AS_USER : AS_KERNEL;
	for (int d = 0; d < ts->ptr_depth; d++)
		t = type_ptr(s->p->arena, t, as);
	if (ts->array_len > 0)
		t = type_array(s->p->arena, t, (unsigned)ts->array_len);
	return t;
}

const struct type *sema_cast_target(struct sema *s, struct ast_typespec *ts)
{
	static const struct {
		const char *name;
		const struct type *t;
	} ints[] = {
		{ "int8", &type_s8 },	{ "int16", &type_s16 }, { "int32", &type_s32 },
		{ "int64", &type_s64 }, { "uint8", &type_u8 },	 { "uint16", &type_u16 },
		{ "uint32", &type_u32 }, { "uint64", &type_u64 }, { "bool", &type_bool },
	};
	if (ts->typeof_expr)
		return typeof_target(s, ts);
	if (!ts->name)
		return NULL;
	if (!ts->ptr_depth && ts->array_len < 0)
		for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
			if (!strcmp(ints[i].name, ts->name))
				return ints[i].t;
	if (!ts->ptr_depth && !strcmp(ts->name, "string"))
		return type_string(s->p->arena, ts->array_len > 0 ? (unsigned)ts->array_len
								: s->p->cfg.max_strlen);
	if (ts->ptr_depth && ts->array_len < 0) {
		/* (int8 *)p and the like: pointers to builtin integer types */
		for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
			if (!strcmp(ints[i].name, ts->name)) {
				const struct type *t = ints[i].t;
				enum addrspace as = s->proto && (s->proto->prov->flags & PROV_USER)
							    ? AS_USER
							    : AS_KERNEL;
				for (int d = 0; d < ts->ptr_depth; d++)
					t = type_ptr(s->p->arena, t, as);
				return t;
			}
		}
	}
	return sema_named_type(s, ts);
}

static const struct type *cast(struct sema *s, struct ast_node *n)
{
	const struct type *from = sema_expr(s, n->u.cast.expr);
	const struct type *to = sema_cast_target(s, n->u.cast.ts);

	if (from->kind == TY_NONE)
		return sema_settype(n, &type_none);
	if (!to) {
		sema_err(s, &n->loc, "Unknown type in cast: %s", n->u.cast.ts->name ? n->u.cast.ts->name : "?");
		return sema_settype(n, &type_none);
	}
	if (to->kind == TY_PTR && sema_is_intlike(from)) {
		/* a cast keeps the address space of the pointer it converts (bpftrace does) */
		if (from->kind == TY_PTR && from->as != to->as)
			to = type_ptr(s->p->arena, to->elem, from->as);
		return sema_settype(n, to);
	}
	if (to->kind != TY_INT && to->kind != TY_BOOL) {
		sema_err(s, &n->loc, "Cannot cast from '%s' to '%s'", sema_tstr(s, from), sema_tstr(s, to));
		return sema_settype(n, &type_none);
	}
	if (!sema_is_intlike(from)) {
		sema_err(s, &n->loc, "Cannot cast from '%s' to '%s'", sema_tstr(s, from), sema_tstr(s, to));
		return sema_settype(n, &type_none);
	}
	return sema_settype(n, to);
}

static const struct type *sizeof_expr(struct sema *s, struct ast_node *n)
{
	const struct type *t;
	if (n->u.cast.ts) {
		t = sema_cast_target(s, n->u.cast.ts);
		t = sema_complete(s, t);
		if (!t) {
			sema_err(s, &n->loc, "Unknown type: %s", n->u.cast.ts->name ? n->u.cast.ts->name : "?");
			return sema_settype(n, &type_none);
		}
	} else {
		t = sema_expr(s, n->u.cast.expr);
		if (t->kind == TY_NONE)
			return sema_settype(n, &type_none);
		t = literal_type(n->u.cast.expr, t);
	}
	unsigned size = t->size;
	sema_make_int(n, size, true);
	return sema_settype(n, &type_u64);
}

static const struct type *incdec(struct sema *s, struct ast_node *n)
{
	struct ast_node *t = n->u.incdec.target;
	if (t->kind == AST_VAR) {
		const struct type *vt = var_read(s, t);
		if (vt->kind != TY_NONE && !sema_is_intlike(vt))
			sema_err(s, &n->loc, "The %s operator needs an integer variable",
			     n->u.incdec.inc ? "++" : "--");
		return sema_settype(n, vt->kind == TY_NONE ? vt : type_int(8, vt->is_signed));
	}
	if (t->kind == AST_MAP) {
		struct map_sym *m = sema_map_ref(s, t);
		const struct type *u = sema_unify(s, m->val, &type_s64);
		if (!u || u->kind != TY_INT) {
			sema_err(s, &n->loc, "The %s operator needs an integer map, %s holds '%s'",
			     n->u.incdec.inc ? "++" : "--", m->name, sema_tstr(s, m->val));
			return sema_settype(n, &type_none);
		}
		m->val = u;
		sema_settype(t, u);
		return sema_settype(n, u);
	}
	sema_err(s, &n->loc, "The %s operator can only be applied to variables and maps",
	     n->u.incdec.inc ? "++" : "--");
	return sema_settype(n, &type_none);
}

static const struct type *block_expr(struct sema *s, struct ast_node *n);

const struct type *sema_expr(struct sema *s, struct ast_node *n)
{
	switch (n->kind) {
	case AST_INT:
		return sema_settype(n, n->u.num.is_unsigned ? &type_u64 : &type_s64);
	case AST_STRING:
		return sema_settype(n, type_string(s->p->arena, (unsigned)n->u.str.len + 1));
	case AST_BOOL:
		return sema_settype(n, &type_bool);
	case AST_IDENT:
		return builtin(s, n);
	case AST_VAR:
		return var_read(s, n);
	case AST_MAP:
		return map_read(s, n);
	case AST_POSITIONAL:
		return sema_positional(s, n);
	case AST_POSCOUNT:
		sema_make_int(n, (uint64_t)s->p->npos, false);
		return sema_settype(n, &type_s64);
	case AST_CALL:
		return sema_call(s, n, NULL);
	case AST_BINOP:
		return binop(s, n);
	case AST_UNOP:
		return unop(s, n);
	case AST_INCDEC:
		return incdec(s, n);
	case AST_TERNARY:
		return ternary(s, n);
	case AST_FIELD:
		return field(s, n);
	case AST_TUPLE_INDEX:
		return tuple_index(s, n, n->u.tindex.base, n->u.tindex.index);
	case AST_INDEX: {
		int64_t idx;
		const struct type *bt = sema_expr(s, n->u.index.base);
		if ((bt->kind == TY_TUPLE || bt->kind == TY_RECORD) &&
		    sema_const_int(n->u.index.index, &idx))
			return tuple_index(s, n, n->u.index.base, idx);
		return sema_index(s, n);
	}
	case AST_TUPLE:
	case AST_RECORD:
		return tuple(s, n);
	case AST_CAST:
		return cast(s, n);
	case AST_SIZEOF:
		return sizeof_expr(s, n);
	case AST_OFFSETOF:
		return sema_offsetof(s, n);
	case AST_BLOCK_EXPR:
		return block_expr(s, n);
	case AST_TYPEOF:
	case AST_NAMED:
		break;
	default:
		sema_err(s, &n->loc, "Unexpected %s in an expression", ast_kind_name(n->kind));
		return sema_settype(n, &type_none);
	}
	sema_err(s, &n->loc, "%s is not supported by ctrace yet", ast_kind_name(n->kind));
	return sema_settype(n, &type_none);
}

/* ---- statements ----------------------------------------------------------------------------- */

static void assign_var(struct sema *s, struct ast_node *n, struct ast_node *target,
		       const struct type *t)
{
	struct var_sym *v = sema_var_get(s, target->u.ident.name, &target->loc);
	sema_sem(s, target)->var = v;
	if (t->kind == TY_NONE)
		return;
	if (t->kind == TY_VOID || t->kind == TY_AGG) {
		sema_err(s, &n->loc, "Value of type '%s' cannot be assigned to a variable",
		     sema_tstr(s, t));
		return;
	}
	const struct type *u = sema_unify(s, v->type, sema_storage_type(s, t));
	if (!u) {
		sema_err(s, &n->loc,
		     "Type mismatch for %s: trying to assign value of type '%s' when variable already contains a value of type '%s'",
		     v->name, sema_tstr(s, t), sema_tstr(s, v->type));
		return;
	}
	v->type = u;
	sema_settype(target, u);
}

static void assign_map(struct sema *s, struct ast_node *n, struct ast_node *target,
		       struct ast_node *value)
{
	struct map_sym *m = sema_map_ref(s, target);
	const struct type *t;

	if (value->kind == AST_CALL && n->u.assign.op == BINOP_NONE)
		t = sema_call(s, value, m);
	else
		t = sema_expr(s, value);
	if (t->kind == TY_NONE)
		return;
	if (t->kind == TY_VOID) {
		sema_err(s, &value->loc, "Value of type 'void' cannot be assigned to a map");
		return;
	}
	if (n->u.assign.op != BINOP_NONE && !sema_is_intlike(t)) {
		sema_err(s, &n->loc, "Compound assignment needs an integer value");
		return;
	}
	if (n->u.assign.op != BINOP_NONE)
		t = &type_s64;
	const struct type *u = sema_unify(s, m->val, sema_storage_type(s, t));
	if (!u || (n->u.assign.op != BINOP_NONE && u->kind != TY_INT)) {
		sema_err(s, &n->loc,
		     "Type mismatch for %s: trying to assign value of type '%s' when map already contains a value of type '%s'",
		     m->name, sema_tstr(s, t), sema_tstr(s, m->val));
		return;
	}
	m->val = u;
	m->agg = u->kind == TY_AGG ? u->agg : AGG_NONE;
	sema_settype(target, u);
}

static void assign(struct sema *s, struct ast_node *n)
{
	struct ast_node *target = n->u.assign.target, *value = n->u.assign.value;

	if (target->kind == AST_MAP) {
		assign_map(s, n, target, value);
		return;
	}
	if (target->kind != AST_VAR) {
		sema_expr(s, value);
		sema_err(s, &target->loc, "Assignment to this kind of expression is not supported");
		return;
	}
	const struct type *t = sema_expr(s, value);
	if (n->u.assign.op != BINOP_NONE) {
		const struct type *vt = var_read(s, target);
		if (vt->kind != TY_NONE && (!sema_is_intlike(vt) || !sema_is_intlike(t)))
			sema_err(s, &n->loc, "Compound assignment needs integers");
		return;
	}
	assign_var(s, n, target, t);
}

static void let(struct sema *s, struct ast_node *n)
{
	struct var_sym *v = var_declare(s, n, n->u.let.name);
	const struct type *t = NULL;

	if (n->u.let.ts) {
		t = sema_cast_target(s, n->u.let.ts);
		if (!t && n->u.let.ts->name && !strcmp(n->u.let.ts->name, "string") &&
		    !n->u.let.ts->ptr_depth)
			t = type_string(s->p->arena, n->u.let.ts->array_len > 0
							   ? (unsigned)n->u.let.ts->array_len
							   : s->p->cfg.max_strlen);
		if (!t) {
			sema_err(s, &n->u.let.ts->loc, "This variable type is not supported by ctrace yet");
			return;
		}
		v->type = sema_unify(s, v->type, sema_storage_type(s, t)) ?: v->type;
	}
	if (n->u.let.init) {
		struct ast_node fake = { .kind = AST_VAR, .loc = n->loc };
		fake.u.ident.name = n->u.let.name;
		assign_var(s, n, &fake, sema_expr(s, n->u.let.init));
	} else if (!t && v->type->kind == TY_NONE && s->final) {
		/* `let $x;` alone: the first assignment (or find()) gives the type, in an
		 * earlier pass; with none, an integer that starts at 0 */
		v->type = &type_s64;
	}
	sema_sem(s, n)->var = v;
}

static void stmts(struct sema *s, struct ast_node *list);

/* `return [e]` in an fn: e must fit the fn's declared result type. */
static void fn_return(struct sema *s, struct ast_node *n)
{
	const struct type *want = s->fn->type, *t;
	struct ast_node *e = n->u.stmt.expr;
	if (!e) {
		if (want->kind != TY_VOID)
			sema_err(s, &n->loc, "Function '%s' must return a value of type '%s'",
				 s->fn->u.block.fn, sema_tstr(s, want));
		return;
	}
	t = sema_expr(s, e);
	if (t->kind == TY_NONE)
		return;
	if (want->kind == TY_VOID)
		sema_err(s, &n->loc, "Function '%s' has no result type, so it cannot return a value",
			 s->fn->u.block.fn);
	else if (!(sema_is_intlike(want) && sema_is_intlike(t)) &&
		 !(want->kind == TY_STRING && t->kind == TY_STRING) &&
		 !sema_unify(s, want, sema_storage_type(s, t)))
		sema_err(s, &n->loc, "Function '%s' returns '%s', not '%s'", s->fn->u.block.fn,
			 sema_tstr(s, want), sema_tstr(s, t));
}

/*
 * { stmts; e } has e's value.  An inlined fn call has its declared result
 * type, and its `return`s give the value.
 */
static const struct type *block_expr(struct sema *s, struct ast_node *n)
{
	struct ast_node *saved = s->fn;
	const struct type *t = &type_void;
	if (n->u.block.fn) {
		if (n->u.block.ret && !(t = sema_cast_target(s, n->u.block.ret))) {
			sema_err(s, &n->u.block.ret->loc, "Unknown result type for function '%s'",
				 n->u.block.fn);
			return sema_settype(n, &type_none);
		}
		t = sema_storage_type(s, t);
		sema_settype(n, t);
		s->fn = n;
	}
	sema_block_enter(s);
	stmts(s, n->u.block.stmts);
	if (n->u.block.value)
		t = sema_expr(s, n->u.block.value);
	sema_block_leave(s);
	s->fn = saved;
	return sema_settype(n, t);
}

/* A block's statements, in a scope of their own. */
static void block(struct sema *s, struct ast_node *b)
{
	sema_block_enter(s);
	stmts(s, b->u.block.stmts);
	sema_block_leave(s);
}

static void stmt(struct sema *s, struct ast_node *n)
{
	switch (n->kind) {
	case AST_EXPR_STMT:
		sema_expr(s, n->u.stmt.expr);
		break;
	case AST_ASSIGN:
		assign(s, n);
		break;
	case AST_LET:
		let(s, n);
		break;
	case AST_IF: {
		struct ast_node *c = n->u.cond.cond;
		sema_cond(s, c);
		if (c->kind == AST_INT || c->kind == AST_BOOL) {
			/*
			 * A condition known when compiling (a literal, is_str(), ...): the
			 * branch not taken is dropped unchecked, so that fail() or code for
			 * another type in it says nothing.
			 */
			bool taken = c->kind == AST_INT ? c->u.num.value != 0 : c->u.boolean.value;
			struct ast_node *keep = taken ? n->u.cond.then : n->u.cond.els;
			struct ast_node *next = n->next;
			struct loc loc = n->loc;
			if (keep && keep->kind == AST_BLOCK) {
				*n = *keep;
			} else {
				memset(n, 0, sizeof(*n));
				n->kind = AST_BLOCK;
				n->u.block.stmts = keep; /* an else-if, or nothing */
				if (keep)
					keep->next = NULL;
			}
			n->next = next;
			n->loc = loc;
			block(s, n);
			break;
		}
		block(s, n->u.cond.then);
		if (n->u.cond.els)
			stmt(s, n->u.cond.els);
		break;
	}
	case AST_WHILE:
		sema_cond(s, n->u.cond.cond);
		s->loop_depth++;
		block(s, n->u.cond.then);
		s->loop_depth--;
		break;
	case AST_UNROLL: {
		int64_t cnt = 0;
		sema_expr(s, n->u.unroll.count);
		if (!sema_const_int(n->u.unroll.count, &cnt))
			sema_err(s, &n->u.unroll.count->loc, "unroll count must be an integer literal");
		else if (cnt > 100)
			sema_err(s, &n->loc, "unroll maximum value is 100");
		else if (cnt < 1)
			sema_err(s, &n->loc, "unroll minimum value is 1");
		block(s, n->u.unroll.body);
		break;
	}
	case AST_FOR_RANGE: {
		sema_expr_int(s, n->u.loop.lo, "for range");
		sema_expr_int(s, n->u.loop.hi, "for range");
		/* the loop variable lives in the loop's block */
		sema_block_enter(s);
		struct var_sym *v = var_declare(s, n, n->u.loop.var);
		v->type = &type_s64;
		s->loop_depth++;
		stmts(s, n->u.loop.body->u.block.stmts);
		s->loop_depth--;
		sema_block_leave(s);
		break;
	}
	case AST_FOR_MAP: {
		struct ast_node *mn = n->u.loop.lo;
		struct map_sym *m = sema_map_get(s, mn->u.ident.name, &mn->loc);
		sema_sem(s, mn)->map = m;
		if (s->in_formap)
			sema_err(s, &n->loc, "for loops over maps can not be nested");
		else if (m->agg != AGG_NONE)
			sema_err(s, &n->loc, "for loops over %s maps are not supported", agg_kind_name(m->agg));
		else if (s->final && (!m->key || !m->val || m->val->kind == TY_NONE))
			sema_err(s, &mn->loc, "for loops need a map with keys: %s", m->name);
		s->pr->has_formap = true;
		/* the element ($kv = (key, value)) lives in the loop's block */
		sema_block_enter(s);
		struct var_sym *v = var_declare(s, n, n->u.loop.var);
		if (m->key && m->val && m->val->kind != TY_NONE) {
			const struct type *el[2] = { m->key, m->val };
			v->type = type_tuple(s->p->arena, el, NULL, 2);
		}
		s->loop_depth++;
		s->in_formap++;
		stmts(s, n->u.loop.body->u.block.stmts);
		s->in_formap--;
		s->loop_depth--;
		sema_block_leave(s);
		break;
	}
	case AST_BREAK:
	case AST_CONTINUE:
		if (!s->loop_depth)
			sema_err(s, &n->loc, "'%s' statement is not allowed outside of a loop",
			     n->kind == AST_BREAK ? "break" : "continue");
		break;
	case AST_RETURN:
		if (s->in_formap)
			sema_err(s, &n->loc, "return can not be used inside a for loop over a map");
		if (s->fn)
			fn_return(s, n);
		else if (n->u.stmt.expr)
			sema_err(s, &n->loc, "return with a value is only allowed in functions");
		break;
	case AST_BLOCK:
		block(s, n);
		break;
	default:
		sema_err(s, &n->loc, "Unexpected %s statement", ast_kind_name(n->kind));
		break;
	}
}

/* exit() and return leave the probe; break and continue the loop iteration */
static bool ends_flow(const struct ast_node *n)
{
	if (n->kind == AST_RETURN || n->kind == AST_BREAK || n->kind == AST_CONTINUE)
		return true;
	return n->kind == AST_EXPR_STMT && n->u.stmt.expr->kind == AST_CALL &&
	       !strcmp(n->u.stmt.expr->u.ident.name, "exit");
}

static void stmts(struct sema *s, struct ast_node *list)
{
	ast_foreach(n, list)
	{
		stmt(s, n);
		if (ends_flow(n) && n->next)
			sema_warn(s, &n->next->loc, "Unreachable statement.");
	}
}

static void probe_body(struct sema *s, struct probe *pr)
{
	s->nlets = 0;
	s->depth = 0;
	s->pr = pr;
	s->proto = pr->attaches;
	s->loop_depth = 0;
	if (pr->node->u.probe.pred)
		sema_cond(s, pr->node->u.probe.pred);
	stmts(s, pr->node->u.probe.body->u.block.stmts);
}

static void check_maps(struct sema *s)
{
	for (struct map_sym *m = s->p->maps; m; m = m->next) {
		if ((!m->val || m->val->kind == TY_NONE) && !m->decl_type)
			sema_err(s, &m->first, "Undefined map: %s", m->name);
	}
}

/* The script's C definitions and #-lines, through libclang (loaded only now). */
static int cdefs_load(struct program *p)
{
	struct ast_node *c = p->ast->u.program.cdefs;
	if (!c)
		return 0;
	char *text = arena_strdup(p->arena, "");
	ast_foreach(d, c)
	{
		/* bpftrace lets every struct definition leave out its trailing `;` */
		const char *t = d->u.cdef.text;
		size_t len = strlen(t);
		while (len && (t[len - 1] == ' ' || t[len - 1] == '\n' || t[len - 1] == '\t'))
			len--;
		bool needs_semi = t[0] != '#' && len && t[len - 1] == '}';
		text = arena_printf(p->arena, "%s%.*s%s\n", text, (int)len, t, needs_semi ? ";" : "");
	}
	p->cdefs = cdefs_parse(p->arena, p->diags, text, &c->loc, NULL);
	return p->cdefs ? 0 : -EINVAL;
}

static void map_decls(struct sema *s)
{
	static const char *const kinds[] = { "hash", "lruhash", "percpuhash", "percpulruhash" };
	ast_foreach(it, s->p->ast->u.program.items)
	{
		if (it->kind != AST_MAPDECL)
			continue;
		size_t k;
		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			if (!strcmp(kinds[k], it->u.mapdecl.mtype))
				break;
		if (k == sizeof(kinds) / sizeof(kinds[0])) {
			diag_error(s->p->diags, &it->loc,
				   "Invalid map type: %s (use hash, lruhash, percpuhash or percpulruhash)",
				   it->u.mapdecl.mtype);
			continue;
		}
		if (it->u.mapdecl.max_entries < 1 || it->u.mapdecl.max_entries > (1 << 26)) {
			diag_error(s->p->diags, &it->loc, "Invalid number of map entries: %ld",
				   it->u.mapdecl.max_entries);
			continue;
		}
		struct map_sym *m = sema_map_get(s, it->u.mapdecl.name, &it->loc);
		m->decl_type = it->u.mapdecl.mtype;
		m->max_entries = (unsigned)it->u.mapdecl.max_entries;
	}
}

static void unused_decls(struct sema *s)
{
	for (struct map_sym *m = s->p->maps; m; m = m->next)
		if (m->decl_type && (!m->val || m->val->kind == TY_NONE))
			diag_warning(s->p->diags, &m->first, "Unused map: %s", m->name);
}

int sema_types(struct program *p)
{
	struct sema s = { .p = p };

	map_decls(&s);
	if (cdefs_load(p))
		return -EINVAL;
	for (int pass = 0; pass < SEMA_PASSES; pass++) {
		s.final = pass == SEMA_PASSES - 1;
		for (struct probe *pr = p->probes; pr; pr = pr->next)
			if (pr->nattaches)
				probe_body(&s, pr);
	}
	/* an undefined map is only worth reporting when nothing else went wrong first */
	unused_decls(&s);
	if (!p->diags->nerrors)
		check_maps(&s);
	return p->diags->nerrors ? -EINVAL : 0;
}

void program_dump_types(const struct program *p, FILE *out)
{
	ast_print_type_hook = type_print;
	ast_print(p->ast, out);
	ast_print_type_hook = NULL;
}
