/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Macros: `macro name($v, @m, x) { ... }` expanded into probe bodies before
 * semantic analysis.  Expansion is hygienic: the macro's own variables get
 * names no script can write, `$v` and `@m` parameters stand for the caller's
 * variable and map, and an `x` parameter for the caller's expression.
 */
#include <errno.h>
#include <string.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "program.h"

#define MACRO_MAX_DEPTH 32

struct mctx {
	struct program *p;
	int counter; /* for unique names of macro-local variables */
};

/* ---- cloning ------------------------------------------------------------------------------- */

static struct ast_node *clone(struct arena *a, const struct ast_node *n);

static struct ast_node *clone_list(struct arena *a, const struct ast_node *n)
{
	struct ast_node *head = NULL, **tail = &head;
	for (; n; n = n->next) {
		*tail = clone(a, n);
		tail = &(*tail)->next;
	}
	return head;
}

static struct ast_node *clone(struct arena *a, const struct ast_node *n)
{
	if (!n)
		return NULL;
	struct ast_node *c = arena_new_obj(a, struct ast_node);
	*c = *n;
	c->next = NULL;
	c->sema = NULL;
	c->type = NULL;
	switch (n->kind) {
	case AST_BLOCK: c->u.block.stmts = clone_list(a, n->u.block.stmts); break;
	case AST_BLOCK_EXPR:
		c->u.block.stmts = clone_list(a, n->u.block.stmts);
		c->u.block.value = clone(a, n->u.block.value);
		break;
	case AST_EXPR_STMT:
	case AST_RETURN: c->u.stmt.expr = clone(a, n->u.stmt.expr); break;
	case AST_ASSIGN:
		c->u.assign.target = clone(a, n->u.assign.target);
		c->u.assign.value = clone(a, n->u.assign.value);
		break;
	case AST_LET: c->u.let.init = clone(a, n->u.let.init); break;
	case AST_IF:
	case AST_WHILE:
		c->u.cond.cond = clone(a, n->u.cond.cond);
		c->u.cond.then = clone(a, n->u.cond.then);
		c->u.cond.els = clone(a, n->u.cond.els);
		break;
	case AST_UNROLL:
		c->u.unroll.count = clone(a, n->u.unroll.count);
		c->u.unroll.body = clone(a, n->u.unroll.body);
		break;
	case AST_FOR_RANGE:
	case AST_FOR_MAP:
		c->u.loop.lo = clone(a, n->u.loop.lo);
		c->u.loop.hi = clone(a, n->u.loop.hi);
		c->u.loop.body = clone(a, n->u.loop.body);
		break;
	case AST_IDENT:
	case AST_VAR:
	case AST_MAP:
	case AST_CALL: c->u.ident.args = clone_list(a, n->u.ident.args); break;
	case AST_BINOP:
		c->u.binop.lhs = clone(a, n->u.binop.lhs);
		c->u.binop.rhs = clone(a, n->u.binop.rhs);
		break;
	case AST_UNOP: c->u.unop.operand = clone(a, n->u.unop.operand); break;
	case AST_INCDEC: c->u.incdec.target = clone(a, n->u.incdec.target); break;
	case AST_TERNARY:
		c->u.ternary.cond = clone(a, n->u.ternary.cond);
		c->u.ternary.then = clone(a, n->u.ternary.then);
		c->u.ternary.els = clone(a, n->u.ternary.els);
		break;
	case AST_FIELD: c->u.field.base = clone(a, n->u.field.base); break;
	case AST_TUPLE_INDEX: c->u.tindex.base = clone(a, n->u.tindex.base); break;
	case AST_INDEX:
		c->u.index.base = clone(a, n->u.index.base);
		c->u.index.index = clone(a, n->u.index.index);
		break;
	case AST_TUPLE:
	case AST_RECORD: c->u.tuple.elems = clone_list(a, n->u.tuple.elems); break;
	case AST_NAMED: c->u.named.value = clone(a, n->u.named.value); break;
	case AST_CAST:
	case AST_SIZEOF:
	case AST_OFFSETOF:
	case AST_TYPEOF: c->u.cast.expr = clone(a, n->u.cast.expr); break;
	default: break;
	}
	return c;
}

/* Replace n in place by r, keeping n's place in its list. */
static void replace(struct ast_node *n, const struct ast_node *r)
{
	struct ast_node *next = n->next;
	struct loc loc = n->loc;
	*n = *r;
	n->next = next;
	n->loc = loc;
}

/* ---- substitution ---------------------------------------------------------------------------- */

struct binding {
	struct ast_node *params, *args;
	const char *suffix; /* for the macro's own variables */
};

static struct ast_node *arg_for(const struct binding *b, enum ast_kind kind, const char *name)
{
	struct ast_node *a = b->args;
	ast_foreach(p, b->params)
	{
		if (p->kind == kind && !strcmp(p->u.ident.name, name))
			return a;
		a = a ? a->next : NULL;
	}
	return NULL;
}

static const char *local_name(struct mctx *m, const struct binding *b, const char *name)
{
	return arena_printf(m->p->arena, "%s%s", name, b->suffix);
}

static void subst(struct mctx *m, struct ast_node *n, const struct binding *b)
{
	struct ast_node *kids[AST_MAX_CHILDREN], *arg;
	if (!n)
		return;
	switch (n->kind) {
	case AST_VAR:
		arg = arg_for(b, AST_VAR, n->u.ident.name);
		n->u.ident.name = arg ? arg->u.ident.name : local_name(m, b, n->u.ident.name);
		return;
	case AST_MAP:
		arg = arg_for(b, AST_MAP, n->u.ident.name);
		if (arg)
			n->u.ident.name = arg->u.ident.name;
		break;
	case AST_IDENT:
		arg = arg_for(b, AST_IDENT, n->u.ident.name);
		if (arg) {
			replace(n, clone(m->p->arena, arg));
			return;
		}
		break;
	case AST_LET:
		if (!arg_for(b, AST_VAR, n->u.let.name))
			n->u.let.name = local_name(m, b, n->u.let.name);
		break;
	case AST_FOR_RANGE:
	case AST_FOR_MAP:
		if (!arg_for(b, AST_VAR, n->u.loop.var))
			n->u.loop.var = local_name(m, b, n->u.loop.var);
		break;
	default:
		break;
	}
	size_t k = ast_children(n, kids);
	for (size_t i = 0; i < k; i++)
		ast_foreach(c, kids[i]) subst(m, c, b);
}

/* ---- expansion ------------------------------------------------------------------------------- */

static struct ast_node *find_item(struct program *p, enum ast_kind kind, const char *name)
{
	ast_foreach(it, p->ast->u.program.items)
		if (it->kind == kind && !strcmp(it->u.macro.name, name))
			return it;
	return NULL;
}

static struct ast_node *find_macro(struct program *p, const char *name)
{
	return find_item(p, AST_MACRO, name);
}

/*
 * A call of `fn name($a: T, ...): R { ... }` becomes a block expression:
 * `let $a: T = arg;` for each parameter, then the body, all with names of
 * their own; `return e` inside it gives the block's value.
 */
static bool inline_fn(struct mctx *m, struct ast_node *call, struct ast_node *fn)
{
	size_t np = ast_list_len(fn->u.macro.params), na = ast_list_len(call->u.ident.args);
	if (np != na) {
		diag_error(m->p->diags, &call->loc,
			   "Function '%s' takes %zu argument%s, but %zu %s given", fn->u.macro.name,
			   np, np == 1 ? "" : "s", na, na == 1 ? "was" : "were");
		return false;
	}
	struct binding b = { .suffix = arena_printf(m->p->arena, "#%d", ++m->counter) };
	struct ast_node *body = clone(m->p->arena, fn->u.macro.body);
	ast_foreach(st, body->u.block.stmts) subst(m, st, &b);
	struct ast_node *head = NULL, **tail = &head, *arg = call->u.ident.args;
	ast_foreach(prm, fn->u.macro.params)
	{
		struct ast_node *let = arena_new_obj(m->p->arena, struct ast_node);
		let->kind = AST_LET;
		let->loc = prm->loc;
		let->u.let.name = local_name(m, &b, prm->u.ident.name);
		let->u.let.ts = prm->u.ident.ts;
		let->u.let.init = arg;
		struct ast_node *next_arg = arg->next;
		arg->next = NULL;
		arg = next_arg;
		*tail = let;
		tail = &let->next;
	}
	*tail = body->u.block.stmts;
	struct loc loc = call->loc;
	struct ast_node *next = call->next;
	memset(call, 0, sizeof(*call));
	call->kind = AST_BLOCK_EXPR;
	call->loc = loc;
	call->next = next;
	call->u.block.stmts = head;
	call->u.block.ret = fn->u.macro.ret;
	call->u.block.fn = fn->u.macro.name;
	return true;
}

static bool check_args(struct mctx *m, struct ast_node *call, struct ast_node *mac)
{
	size_t np = ast_list_len(mac->u.macro.params), na = ast_list_len(call->u.ident.args);
	if (np != na) {
		diag_error(m->p->diags, &call->loc,
			   "Call to macro '%s' has the wrong number of arguments: expected %zu, got %zu",
			   mac->u.macro.name, np, na);
		return false;
	}
	struct ast_node *a = call->u.ident.args;
	ast_foreach(p, mac->u.macro.params)
	{
		if ((p->kind == AST_VAR || p->kind == AST_MAP) &&
		    (a->kind != p->kind || (a->kind == AST_MAP && a->u.ident.args))) {
			diag_error(m->p->diags, &a->loc, "macro '%s' expects a %s for %s",
				   mac->u.macro.name, p->kind == AST_VAR ? "variable" : "map",
				   p->u.ident.name);
			return false;
		}
		a = a->next;
	}
	return true;
}

static void expand(struct mctx *m, struct ast_node *n, int depth);

/* The macro's body for one call: cloned, its names bound to the call's. */
static struct ast_node *instantiate(struct mctx *m, struct ast_node *call, struct ast_node *mac)
{
	struct binding b = {
		.params = mac->u.macro.params,
		.args = call->u.ident.args,
		.suffix = arena_printf(m->p->arena, "#%d", ++m->counter),
	};
	struct ast_node *body = clone(m->p->arena, mac->u.macro.body);
	ast_foreach(st, body->u.block.stmts) subst(m, st, &b);
	return body;
}

static bool is_macro_call(struct mctx *m, const struct ast_node *n, struct ast_node **mac)
{
	if (n->kind != AST_CALL && n->kind != AST_IDENT)
		return false;
	*mac = find_macro(m->p, n->u.ident.name);
	return *mac != NULL;
}

static void expand(struct mctx *m, struct ast_node *n, int depth)
{
	struct ast_node *kids[AST_MAX_CHILDREN], *mac;
	if (!n)
		return;
	if (depth > MACRO_MAX_DEPTH) {
		diag_error(m->p->diags, &n->loc, "macros are nested too deeply (recursive macro?)");
		return;
	}
	if (n->kind == AST_EXPR_STMT && is_macro_call(m, n->u.stmt.expr, &mac)) {
		/* a statement: the macro's statements, in a block of their own */
		if (!check_args(m, n->u.stmt.expr, mac))
			return;
		struct ast_node *body = instantiate(m, n->u.stmt.expr, mac);
		n->kind = AST_BLOCK;
		n->u.block.stmts = body->u.block.stmts;
		expand(m, n, depth + 1);
		return;
	}
	if (is_macro_call(m, n, &mac)) {
		/* an expression: the macro must be one expression */
		if (!check_args(m, n, mac))
			return;
		struct ast_node *body = instantiate(m, n, mac);
		struct ast_node *only = body->u.block.stmts, **last = &body->u.block.stmts;
		if (only && !only->next && only->kind == AST_EXPR_STMT) {
			replace(n, only->u.stmt.expr);
			expand(m, n, depth + 1);
			return;
		}
		/* statements, then the value of the last one: a block expression */
		while (*last && (*last)->next)
			last = &(*last)->next;
		if (!*last || (*last)->kind != AST_EXPR_STMT) {
			diag_error(m->p->diags, &n->loc,
				   "macro '%s' is used as a value, but its last statement is not an "
				   "expression",
				   mac->u.macro.name);
			return;
		}
		struct ast_node *value = (*last)->u.stmt.expr;
		*last = NULL;
		n->kind = AST_BLOCK_EXPR;
		memset(&n->u, 0, sizeof(n->u));
		n->u.block.stmts = body->u.block.stmts;
		n->u.block.value = value;
		expand(m, n, depth + 1);
		return;
	}
	if (n->kind == AST_CALL && (mac = find_item(m->p, AST_FN, n->u.ident.name))) {
		if (!inline_fn(m, n, mac))
			return;
		if (depth >= MACRO_MAX_DEPTH) {
			diag_error(m->p->diags, &n->loc,
				   "fn '%s' calls itself: BPF programs cannot recurse", mac->u.macro.name);
			return;
		}
		expand(m, n, depth + 1);
		return;
	}
	size_t k = ast_children(n, kids);
	for (size_t i = 0; i < k; i++)
		ast_foreach(c, kids[i]) expand(m, c, depth);
}

/* Whether the program defines items of kind; a name defined twice is an error. */
static bool defined_once(struct program *p, enum ast_kind kind, const char *what)
{
	bool any = false;
	ast_foreach(it, p->ast->u.program.items)
	{
		if (it->kind != kind)
			continue;
		any = true;
		ast_foreach(other, it->next)
			if (other->kind == kind && !strcmp(other->u.macro.name, it->u.macro.name))
				diag_error(p->diags, &other->loc, "%s '%s' is defined twice", what,
					   it->u.macro.name);
	}
	return any;
}

int macros_expand(struct program *p)
{
	struct mctx m = { .p = p };
	bool macros = defined_once(p, AST_MACRO, "macro");
	bool fns = defined_once(p, AST_FN, "Function");
	if (!macros && !fns)
		return 0;
	ast_foreach(it, p->ast->u.program.items)
	{
		if (it->kind != AST_PROBE)
			continue;
		expand(&m, it->u.probe.pred, 0);
		expand(&m, it->u.probe.body, 0);
	}
	return p->diags->nerrors ? -EINVAL : 0;
}
