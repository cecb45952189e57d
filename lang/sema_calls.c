/* SPDX-License-Identifier: Apache-2.0 */
/* Semantic analysis of calls: builtin functions, aggregations and events. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "format.h"
#include "sema.h"
#include "sema_funcs.h"
#include "sema_ptr.h"

/* ---- calls ---------------------------------------------------------------------------------- */


struct map_sym *sema_map_arg(struct sema *s, struct ast_node *call, struct ast_node *a,
			       bool allow_key)
{
	if (!a || a->kind != AST_MAP) {
		sema_err(s, a ? &a->loc : &call->loc, "%s() expects a map argument",
		     call->u.ident.name);
		return NULL;
	}
	if (a->u.ident.args && !allow_key) {
		sema_err(s, &a->loc, "%s() expects a map without a key", call->u.ident.name);
		return NULL;
	}
	struct map_sym *m = sema_map_get(s, a->u.ident.name, &a->loc);
	sema_sem(s, a)->map = m;
	sema_sem(s, call)->map = m;
	if (a->u.ident.args)
		sema_map_key(s, a, m);
	sema_settype(a, m->val);
	return m;
}

static const struct type *call_printf(struct sema *s, struct ast_node *n, enum event_kind kind)
{
	struct ast_node *fmt = n->u.ident.args;
	if (fmt->kind == AST_POSITIONAL)
		sema_positional(s, fmt);
	if (fmt->kind != AST_STRING) {
		sema_err(s, &fmt->loc, "%s() expects a string literal as its first argument",
		     n->u.ident.name);
		return sema_settype(n, &type_void);
	}
	unsigned cnt = (unsigned)ast_list_len(fmt->next);
	const struct type **el = arena_alloc(s->p->arena, sizeof(*el) * (cnt + 1));
	unsigned i = 0;
	bool ok = true;
	ast_foreach(a, fmt->next)
	{
		const struct type *t = sema_expr(s, a);
		if (t->kind == TY_NONE) {
			ok = false;
			continue;
		}
		if (t->kind == TY_VOID || t->kind == TY_AGG) {
			sema_err(s, &a->loc, "%s() can not print a value of type '%s'",
			     n->u.ident.name, sema_tstr(s, t));
			ok = false;
			continue;
		}
		el[i++] = sema_storage_type(s, t);
	}
	sema_settype(fmt, type_string(s->p->arena, (unsigned)fmt->u.str.len + 1));
	if (!ok || !s->final)
		return sema_settype(n, &type_void);
	const struct type *args = type_tuple(s->p->arena, el, NULL, cnt);
	if (format_check(s->p->diags, &n->loc, n->u.ident.name, fmt->u.str.value, el, cnt))
		return sema_settype(n, &type_void);
	sema_sem(s, n)->fmt_id = program_add_fmt(s->p, kind, fmt->u.str.value, args, &n->loc);
	return sema_settype(n, &type_void);
}

static const struct type *call_print(struct sema *s, struct ast_node *n)
{
	struct ast_node *a = n->u.ident.args;
	if (a->kind == AST_MAP && (!a->u.ident.args || a->next)) {
		struct map_sym *m = sema_map_arg(s, n, a, false);
		ast_foreach(x, a->next) sema_expr_int(s, x, "print()");
		if (m && m->val->kind == TY_NONE)
			sema_err(s, &a->loc, "Undefined map: %s", m->name);
		/* a time series takes the scale of its chart instead of top and div */
		if (m && m->agg == AGG_TSERIES && a->next && !a->next->next)
			sema_err(s, &n->loc, "print() of a tseries map takes both a minimum and a maximum, or neither");
		sema_sem(s, n)->ival = 1; /* a whole map */
		return sema_settype(n, &type_void);
	}
	if (a->next) {
		sema_err(s, &n->loc, "print() with a value takes only one argument");
		return sema_settype(n, &type_void);
	}
	const struct type *t = sema_expr(s, a);
	if (t->kind == TY_NONE || !s->final)
		return sema_settype(n, &type_void);
	if (t->kind == TY_VOID || t->kind == TY_AGG) {
		sema_err(s, &a->loc, "print() can not print a value of type '%s'", sema_tstr(s, t));
		return sema_settype(n, &type_void);
	}
	const struct type *st = sema_storage_type(s, t);
	const struct type *args = type_tuple(s->p->arena, &st, NULL, 1);
	sema_sem(s, n)->fmt_id = program_add_fmt(s->p, EV_PRINT, "", args, &n->loc);
	return sema_settype(n, &type_void);
}

static const struct type *call_str(struct sema *s, struct ast_node *n)
{
	struct ast_node *a = n->u.ident.args, *len = a->next;
	if (a->kind == AST_BINOP && a->u.binop.op == BINOP_ADD &&
	    a->u.binop.lhs->kind == AST_POSITIONAL)
		sema_positional(s, a->u.binop.lhs);
	if (a->kind == AST_BINOP && a->u.binop.op == BINOP_ADD && a->u.binop.lhs->kind == AST_STRING &&
	    a->u.binop.rhs->kind == AST_INT) {
		/* str($1 + 2): a positional string from an offset, folded here */
		struct ast_node *lit = a->u.binop.lhs;
		uint64_t off = a->u.binop.rhs->u.num.value;
		if (off > lit->u.str.len)
			off = lit->u.str.len;
		a->kind = AST_STRING;
		a->u.str.value = lit->u.str.value + off;
		a->u.str.len = lit->u.str.len - off;
	}
	const struct type *t = sema_expr(s, a);
	unsigned size = s->p->cfg.max_strlen;
	int64_t l;

	if (len) {
		sema_expr_int(s, len, "str()");
		if (sema_const_int(len, &l)) {
			if (l < 0) {
				sema_err(s, &len->loc, "str() length must be positive");
				l = 0;
			}
			if ((uint64_t)l < size)
				size = (unsigned)l + 1;
		}
	}
	if (t->kind == TY_NONE)
		return sema_settype(n, &type_none);
	if (t->kind == TY_STRING) {
		/* str() of a literal or a string is the string itself, cut to the length */
		return sema_settype(n, t);
	}
	if (!sema_is_intlike(t)) {
		sema_err(s, &a->loc, "str() expects a pointer or an integer, got '%s'", sema_tstr(s, t));
		return sema_settype(n, &type_none);
	}
	struct sem *sm = sema_sem(s, n);
	/* a pointer knows its address space; a plain integer is user memory in user probes */
	if (t->kind == TY_PTR)
		sm->ival = t->as == AS_USER;
	else
		sm->ival = s->proto && (s->proto->prov->flags & PROV_USER);
	/*
	 * bpftrace reads one byte more than max_strlen when it is below 1024, so a
	 * string of max_strlen characters or more has no NUL in its value and
	 * prints with the truncation trailer.
	 */
	sm->argn = !len && s->p->cfg.max_strlen < 1024;
	return sema_settype(n, type_string(s->p->arena, size));
}

/* The value of named parameter name (NULL: absent; "" for a bare --flag). */
static const char *named_param(struct sema *s, const char *name)
{
	size_t len = strlen(name);
	for (int i = 0; i < s->p->nnamed; i++) {
		const char *a = s->p->named[i];
		if (!strncmp(a, name, len) && (a[len] == '=' || !a[len]))
			return a[len] == '=' ? a + len + 1 : "";
	}
	return NULL;
}

/*
 * getopt("name"[, default]): a named parameter given after `--` as
 * --name=value or --name.  The default's type decides the result's: a
 * string, an integer, or (no default, or a bool) whether the flag is set.
 */
static const struct type *getopt_(struct sema *s, struct ast_node *n)
{
	struct ast_node *a = n->u.ident.args, *def = a->next;
	if (a->kind != AST_STRING) {
		sema_err(s, &a->loc, "getopt() expects the parameter's name as a string literal");
		return sema_settype(n, &type_none);
	}
	const char *v = named_param(s, a->u.str.value);
	enum ast_kind k = def ? def->kind : AST_BOOL;
	if (def && k != AST_STRING && k != AST_INT && k != AST_BOOL) {
		sema_err(s, &def->loc, "getopt() default must be a literal string, integer or bool");
		return sema_settype(n, &type_none);
	}
	if (k == AST_STRING) {
		const char *str = v ? v : def->u.str.value;
		sema_make_string(n, str, strlen(str));
	} else if (k == AST_INT) {
		char *end;
		long long num = v ? strtoll(v, &end, 0) : (long long)def->u.num.value;
		if (v && (*end || !*v)) {
			sema_err(s, &n->loc, "getopt(): --%s expects an integer, got '%s'", a->u.str.value, v);
			return sema_settype(n, &type_none);
		}
		sema_make_int(n, (uint64_t)num, false);
	} else {
		bool on = v ? !(!strcmp(v, "false") || !strcmp(v, "0")) : (def && def->u.boolean.value);
		memset(&n->u, 0, sizeof(n->u));
		n->kind = AST_BOOL;
		n->u.boolean.value = on;
		n->sema = NULL;
	}
	return sema_expr(s, n);
}

/*
 * find(@m, k, $v): whether @m has key k; when it has, $v is set to the value.
 * A variable not assigned before takes the map's value type.
 */
static const struct type *find(struct sema *s, struct ast_node *n)
{
	struct ast_node *a = n->u.ident.args, *k = a->next, *var = k->next;
	struct map_sym *m = sema_map_arg(s, n, a, false);
	if (var->kind != AST_VAR) {
		sema_err(s, &var->loc, "find() stores the value in a variable ($name)");
		return sema_settype(n, &type_bool);
	}
	if (!m)
		return sema_settype(n, &type_bool);
	if (m->val->kind == TY_AGG) {
		sema_err(s, &a->loc, "find() can not read a %s() map; read it with %s[key]",
			 agg_kind_name(m->val->agg), m->name);
		return sema_settype(n, &type_bool);
	}
	if (m->used_scalar && !m->used_keyed) {
		sema_err(s, &a->loc, "find() expects a map with keys, %s has none", m->name);
		return sema_settype(n, &type_bool);
	}
	sema_map_key_of(s, n, k, m);
	struct var_sym *v = sema_var_get(s, var->u.ident.name, &var->loc);
	sema_sem(s, var)->var = v;
	if (m->val->kind == TY_NONE)
		return sema_settype(n, &type_bool);
	const struct type *u = sema_unify(s, v->type, m->val);
	if (!u) {
		sema_err(s, &var->loc,
			 "Type mismatch for %s: trying to assign value of type '%s' when variable already contains a value of type '%s'",
			 v->name, sema_tstr(s, m->val), sema_tstr(s, v->type));
		return sema_settype(n, &type_bool);
	}
	v->type = u;
	sema_settype(var, u);
	return sema_settype(n, &type_bool);
}

/*
 * assert(cond, "msg"): when cond is false at run time, the error
 * `assert failed: msg` at the call and exit(1), as bpftrace's assert macro.
 */
static const struct type *assert_(struct sema *s, struct ast_node *n)
{
	struct ast_node *c = n->u.ident.args, *msg = c->next;
	const struct type *t = sema_expr(s, msg);
	sema_cond(s, c);
	if (t->kind == TY_NONE)
		return sema_settype(n, &type_void);
	if (t->kind != TY_STRING) {
		sema_err(s, &msg->loc, "assert() expects a string message, got '%s'", sema_tstr(s, t));
		return sema_settype(n, &type_void);
	}
	if (s->loop_depth)
		sema_err(s, &n->loc, "assert() is not allowed inside a loop: it may exit()");
	if (!s->final)
		return sema_settype(n, &type_void);
	const struct type *st = sema_storage_type(s, t);
	const struct type *args = type_tuple(s->p->arena, &st, NULL, 1);
	sema_sem(s, n)->fmt_id =
		program_add_fmt(s->p, EV_ERRORF, "assert failed: %s", args, &n->loc);
	return sema_settype(n, &type_void);
}

/*
 * tseries(v, interval, count[, "avg"|"min"|"max"|"sum"]): the interval in
 * nanoseconds (a duration literal such as 100ms reads naturally) and the
 * number of intervals kept are fixed per map, since they decide its layout.
 */
#define TSERIES_MAX_INTERVALS 1000000

static void tseries_args(struct sema *s, struct ast_node *n, struct ast_node *a,
			 struct map_sym *m)
{
	static const char *const fns[] = {
		[TS_LAST] = NULL, [TS_AVG] = "avg", [TS_MIN] = "min", [TS_MAX] = "max", [TS_SUM] = "sum",
	};
	int64_t interval = 0, count = 0;
	int fn = TS_LAST;
	bool ok = true;

	if (!sema_const_int(a, &interval)) {
		sema_err(s, &a->loc, "tseries() interval must be an integer literal");
		ok = false;
	} else if (interval <= 0) {
		sema_err(s, &a->loc, "tseries() interval must be >= 1 ns (%" PRId64 " provided)", interval);
		ok = false;
	}
	if (!sema_const_int(a->next, &count)) {
		sema_err(s, &a->next->loc, "tseries() number of intervals must be an integer literal");
		ok = false;
	} else if (count < 1 || count > TSERIES_MAX_INTERVALS) {
		sema_err(s, &a->next->loc,
			 "tseries() number of intervals must be between 1 and %d (%" PRId64 " provided)",
			 TSERIES_MAX_INTERVALS, count);
		ok = false;
	}
	struct ast_node *f = a->next->next;
	if (f && f->kind == AST_POSITIONAL)
		sema_positional(s, f);
	if (f && f->kind != AST_STRING) {
		sema_err(s, &f->loc, "tseries() aggregation must be a string literal");
		ok = false;
	} else if (f) {
		fn = -1;
		for (int i = TS_AVG; i <= TS_SUM; i++)
			if (!strcmp(f->u.str.value, fns[i]))
				fn = i;
		if (fn < 0) {
			sema_err(s, &f->loc,
				 "tseries() aggregation must be one of \"avg\", \"max\", \"min\" or \"sum\" (\"%s\" provided)",
				 f->u.str.value);
			ok = false;
		}
		sema_settype(f, type_string(s->p->arena, (unsigned)f->u.str.len + 1));
	}
	if (!ok)
		return;
	if (m->ts_set && (m->ts_interval != (uint64_t)interval || m->ts_count != (uint64_t)count ||
			  m->ts_fn != fn)) {
		sema_err(s, &n->loc, "tseries() arguments differ from an earlier use of %s", m->name);
		return;
	}
	m->ts_interval = (uint64_t)interval;
	m->ts_count = (uint64_t)count;
	m->ts_fn = fn;
	m->ts_set = true;
}

/*
 * bpftrace still calls tseries() unstable: config unstable_tseries=error
 * refuses it, the default (warn) says so once per script, enable is quiet.
 */
static void unstable_tseries(struct sema *s, struct ast_node *n)
{
	struct config *cfg = &s->p->cfg;

	if (cfg->unstable_tseries == UNSTABLE_ERROR) {
		sema_err(s, &n->loc, "tseries feature is not enabled by default. To enable this "
			 "unstable feature, set the config flag to enable. unstable_tseries=enable");
	} else if (cfg->unstable_tseries == UNSTABLE_WARN && s->final) {
		diag_log_warning(s->p->diags, "Script is using an unstable feature: tseries. To "
			     "prevent this warning you must explicitly enable it in the config e.g. "
			     "unstable_tseries=enable");
		/* warned: the other calls of this script stay quiet */
		cfg->unstable_tseries = UNSTABLE_ENABLE;
	}
}

/* count(), sum(), hist() ...: only as the value assigned to a map. */
static const struct type *call_agg(struct sema *s, struct ast_node *n, enum builtin_func f,
				   struct map_sym *m)
{
	static const enum agg_kind aggs[] = {
		[BF_COUNT] = AGG_COUNT, [BF_SUM] = AGG_SUM,	[BF_AVG] = AGG_AVG,
		[BF_MIN] = AGG_MIN,	[BF_MAX] = AGG_MAX,	[BF_STATS] = AGG_STATS,
		[BF_HIST] = AGG_HIST,	[BF_LHIST] = AGG_LHIST,	[BF_TSERIES] = AGG_TSERIES,
	};
	enum agg_kind agg = aggs[f];
	struct ast_node *a = n->u.ident.args;
	bool sgn = false;

	if (!m) {
		sema_err(s, &n->loc, "%s() must be assigned directly to a map", n->u.ident.name);
		return sema_settype(n, &type_none);
	}
	if (a) {
		const struct type *t = sema_expr_int(s, a, arena_printf(s->p->arena, "%s()", n->u.ident.name));
		sgn = t->is_signed;
	}
	if (agg == AGG_HIST) {
		int64_t bits = 0;
		if (a->next && !sema_const_int(a->next, &bits))
			sema_err(s, &a->next->loc, "hist() second argument must be an integer literal");
		else if (bits < 0 || bits > 5)
			sema_err(s, &a->next->loc, "hist() second argument must be between 0 and 5");
		m->hist_bits = (int)bits;
	}
	if (agg == AGG_LHIST) {
		int64_t v[3] = { 0, 0, 0 };
		struct ast_node *p = a->next;
		for (int i = 0; i < 3; i++, p = p->next) {
			if (!sema_const_int(p, &v[i]))
				sema_err(s, &p->loc, "lhist() arguments 2 to 4 must be integer literals");
		}
		if (v[2] <= 0)
			sema_err(s, &n->loc, "lhist() step must be >= 1 (%" PRId64 " provided)", v[2]);
		else if (v[1] <= v[0])
			sema_err(s, &n->loc, "lhist() max must be greater than min (provided min %" PRId64
				   ", max %" PRId64 ")", v[0], v[1]);
		else if ((v[1] - v[0]) / v[2] > 1000)
			sema_err(s, &n->loc, "lhist() too many buckets, must be <= 1000 (would need %" PRId64 ")",
			     (v[1] - v[0]) / v[2]);
		else if (m->lhist_set && (m->lhist_min != v[0] || m->lhist_max != v[1] ||
					  m->lhist_step != v[2]))
			sema_err(s, &n->loc, "lhist() arguments differ from an earlier use of %s", m->name);
		m->lhist_min = v[0];
		m->lhist_max = v[1];
		m->lhist_step = v[2];
		m->lhist_set = true;
	}
	if (agg == AGG_TSERIES)
		tseries_args(s, n, a->next, m);
	return sema_settype(n, type_agg(s->p->arena, agg, sgn));
}

const struct type *sema_call(struct sema *s, struct ast_node *n, struct map_sym *assign_to)
{
	const char *name = n->u.ident.name;
	int f = builtin_func_find(name);
	unsigned nargs = (unsigned)ast_list_len(n->u.ident.args);
	struct ast_node *a0 = n->u.ident.args;

	if (f < 0) {
		int argn = 0;
		if (!nargs && builtin_var_find(name, &argn) >= 0) {
			/* every builtin variable may be written as a call: cgroup(), uid() */
			n->kind = AST_IDENT;
			return sema_expr(s, n);
		}
		sema_err(s, &n->loc, "Unknown function: '%s'", name);
		ast_foreach(a, a0) sema_expr(s, a);
		return sema_settype(n, &type_none);
	}
	sema_sem(s, n)->id = f;
	if (f == BF_TSERIES)
		unstable_tseries(s, n);
	if ((int)nargs < builtin_funcs[f].min_args || (int)nargs > builtin_funcs[f].max_args) {
		if (builtin_funcs[f].min_args == builtin_funcs[f].max_args)
			sema_err(s, &n->loc, "%s() requires %d argument%s (%u provided)", name,
			     builtin_funcs[f].min_args, builtin_funcs[f].min_args == 1 ? "" : "s",
			     nargs);
		else
			sema_err(s, &n->loc, "%s() takes %d to %d arguments (%u provided)", name,
			     builtin_funcs[f].min_args, builtin_funcs[f].max_args, nargs);
		return sema_settype(n, &type_none);
	}
	switch ((enum builtin_func)f) {
	case BF_PRINTF:
		return call_printf(s, n, EV_PRINTF);
	case BF_PRINT:
		return call_print(s, n);
	case BF_TIME: {
		const char *fmt = "%H:%M:%S\n";
		if (a0 && a0->kind == AST_POSITIONAL)
			sema_positional(s, a0);
		if (a0 && a0->kind != AST_STRING)
			sema_err(s, &a0->loc, "time() expects a string literal");
		else if (a0)
			fmt = a0->u.str.value;
		if (s->final)
			sema_sem(s, n)->fmt_id = program_add_fmt(s->p, EV_TIME, fmt, NULL, &n->loc);
		return sema_settype(n, &type_void);
	}
	case BF_STR:
		return call_str(s, n);
	case BF_EXIT:
		if (s->loop_depth)
			sema_err(s, &n->loc, "exit() is not allowed inside a loop");
		if (a0)
			sema_expr_int(s, a0, "exit()");
		return sema_settype(n, &type_void);
	case BF_COUNT:
	case BF_SUM:
	case BF_AVG:
	case BF_MIN:
	case BF_MAX:
	case BF_STATS:
	case BF_HIST:
	case BF_LHIST:
	case BF_TSERIES:
		return call_agg(s, n, f, assign_to);
	case BF_DELETE: {
		/* delete(@m, k), delete(@m[k]) (bpftrace 0.17), delete(@scalar) */
		struct map_sym *m = sema_map_arg(s, n, a0, !a0->next);
		/* a series is spread over one map entry per interval: only clear() removes it */
		if (m && m->agg == AGG_TSERIES)
			sema_err(s, &n->loc, "delete() of a tseries map is not supported, use clear()");
		if (m && a0->next) {
			struct ast_node *k = a0->next;
			if (k->next)
				sema_err(s, &k->next->loc, "delete() takes a map and one key");
			else
				sema_map_key_of(s, n, k, m);
		}
		return sema_settype(n, &type_bool);
	}
	case BF_CLEAR:
	case BF_ZERO:
		sema_map_arg(s, n, a0, false);
		return sema_settype(n, &type_void);
	case BF_HAS_KEY: {
		struct map_sym *m = sema_map_arg(s, n, a0, false);
		if (m && m->agg == AGG_TSERIES)
			sema_err(s, &n->loc, "has_key() of a tseries map is not supported");
		if (m) {
			sema_map_key_of(s, n, a0->next, m);
			sema_sem(s, n)->ival = 1;
		}
		return sema_settype(n, &type_bool);
	}
	case BF_LEN: {
		struct map_sym *m = sema_map_arg(s, n, a0, false);
		if (m && (m->agg == AGG_HIST || m->agg == AGG_LHIST || m->agg == AGG_TSERIES))
			sema_err(s, &n->loc, "len() of a %s map is not supported", agg_kind_name(m->agg));
		return sema_settype(n, &type_s64);
	}
	case BF_BSWAP: {
		const struct type *t = sema_expr_int(s, a0, "bswap()");
		if (t->kind == TY_NONE)
			return sema_settype(n, t);
		return sema_settype(n, type_int(t->kind == TY_INT ? t->size : 8, false));
	}
	case BF_CAT:
		return call_printf(s, n, EV_CAT);
	case BF_SYSTEM:
		if (!s->p->cfg.unsafe) {
			sema_err(s, &n->loc, "system() is an unsafe function being used in safe mode");
			sema_hint(s, "run ctrace with --unsafe to allow it");
			return sema_settype(n, &type_void);
		}
		return call_printf(s, n, EV_SYSTEM);
	case BF_KPTR:
	case BF_UPTR:
		return sema_addrspace(s, n, f == BF_UPTR ? AS_USER : AS_KERNEL);
	case BF_ERRORF:
		return call_printf(s, n, EV_ERRORF);
	case BF_WARNF:
		call_printf(s, n, EV_WARNF);
		/* --no-warnings: the call sends nothing */
		sema_sem(s, n)->ival = s->p->cfg.no_warnings;
		return sema_settype(n, &type_void);
	case BF_ASSERT:
		return assert_(s, n);
	case BF_FIND:
		return find(s, n);
	case BF_GETOPT:
		return getopt_(s, n);
	case BF_KSTACK:
	case BF_USTACK:
	case BF_KSYM:
	case BF_USYM:
	case BF_KADDR:
	case BF_REG:
	case BF_BUF:
	case BF_STRNCMP:
	case BF_STRCONTAINS:
	case BF_STRSTR:
	case BF_STRLEN:
	case BF_NTOP:
	case BF_PTON:
	case BF_MACADDR:
	case BF_STRERROR:
	case BF_STRFTIME:
	case BF_CGROUPID:
	case BF_JOIN:
	case BF_SIGNAL:
	case BF_SIGNAL_THREAD:
	case BF_PID:
	case BF_TID:
	case BF_NSECS:
	case BF_COMM:
	case BF_USERMODE:
	case BF_LEADER_TID:
	case BF_LEADER_COMM:
	case BF_PROBETYPE:
	case BF_CGROUP_PATH:
	case BF_STR_CONCAT:
	case BF_STRCAP:
	case BF_MEMCMP:
	case BF_SIGNAL_NAME:
	case BF_SYSCALL_NAME:
	case BF_IS_ERR:
	case BF_IS_ARRAY:
	case BF_IS_INTEGER:
	case BF_IS_UNSIGNED_INTEGER:
	case BF_IS_PTR:
	case BF_IS_STR:
	case BF_IS_LITERAL:
	case BF_FAIL:
	case BF_STATIC_ASSERT:
	case BF_PERCPU_KADDR: {
		bool handled;
		return sema_func(s, n, f, &handled);
	}
	case BF_COUNT_:
		break;
	}
	return sema_settype(n, &type_none);
}

