/* SPDX-License-Identifier: Apache-2.0 */
/* AST constructors, lists, name tables and the generic child enumeration. */
#include "ast.h"

#include "arena.h"

struct ast_node *ast_new(struct arena *a, enum ast_kind kind, const struct loc *loc)
{
	struct ast_node *n = arena_new_obj(a, struct ast_node);

	n->kind = kind;
	if (loc)
		n->loc = *loc;
	return n;
}

struct ast_node *ast_append(struct ast_node *a, struct ast_node *b)
{
	if (!a)
		return b;
	struct ast_node *t = a;
	while (t->next)
		t = t->next;
	t->next = b;
	return a;
}

size_t ast_list_len(const struct ast_node *n)
{
	size_t len = 0;

	for (; n; n = n->next)
		len++;
	return len;
}

const char *ast_kind_name(enum ast_kind k)
{
	static const char *const names[] = {
#define X(k, s) [AST_##k] = s,
		AST_KINDS(X)
#undef X
	};

	if ((unsigned)k >= AST_NKINDS)
		return "?";
	return names[k];
}

const char *binop_str(enum binop op)
{
	static const char *const names[] = {
		[BINOP_NONE] = "=",
#define X(k, s) [BINOP_##k] = s,
		BINOPS(X)
#undef X
	};

	if ((unsigned)op >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[op];
}

const char *unop_str(enum unop op)
{
	static const char *const names[] = {
#define X(k, s) [UNOP_##k] = s,
		UNOPS(X)
#undef X
	};

	if ((unsigned)op >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[op];
}

/* The typeof(...) node a typespec holds, as a child list head (or NULL). */
static struct ast_node *ts_child(const struct ast_typespec *ts)
{
	return ts ? ts->typeof_expr : NULL;
}

/* The child list heads of n, NULLs included; returns the count filled in. */
static size_t raw_children(const struct ast_node *n, struct ast_node **c)
{
	switch (n->kind) {
	case AST_PROGRAM:
		c[0] = n->u.program.cdefs, c[1] = n->u.program.config;
		c[2] = n->u.program.imports, c[3] = n->u.program.items;
		return 4;
	case AST_CONFIG:
		c[0] = n->u.config.items;
		return 1;
	case AST_MACRO:
	case AST_FN:
		c[0] = n->u.macro.params, c[1] = ts_child(n->u.macro.ret), c[2] = n->u.macro.body;
		return 3;
	case AST_PROBE:
		c[0] = n->u.probe.attach, c[1] = n->u.probe.pred, c[2] = n->u.probe.body;
		return 3;
	case AST_BLOCK:
		c[0] = n->u.block.stmts;
		return 1;
	case AST_BLOCK_EXPR:
		c[0] = n->u.block.stmts, c[1] = n->u.block.value;
		return 2;
	case AST_EXPR_STMT:
	case AST_RETURN:
		c[0] = n->u.stmt.expr;
		return 1;
	case AST_ASSIGN:
		c[0] = n->u.assign.target, c[1] = n->u.assign.value;
		return 2;
	case AST_LET:
		c[0] = ts_child(n->u.let.ts), c[1] = n->u.let.init;
		return 2;
	case AST_IF:
	case AST_WHILE:
		c[0] = n->u.cond.cond, c[1] = n->u.cond.then, c[2] = n->u.cond.els;
		return 3;
	case AST_UNROLL:
		c[0] = n->u.unroll.count, c[1] = n->u.unroll.body;
		return 2;
	case AST_FOR_RANGE:
	case AST_FOR_MAP:
		c[0] = n->u.loop.lo, c[1] = n->u.loop.hi, c[2] = n->u.loop.body;
		return 3;
	case AST_VAR:
		c[0] = ts_child(n->u.ident.ts);
		return 1;
	case AST_IDENT:
	case AST_MAP:
	case AST_CALL:
		c[0] = n->u.ident.args;
		return 1;
	case AST_BINOP:
		c[0] = n->u.binop.lhs, c[1] = n->u.binop.rhs;
		return 2;
	case AST_UNOP:
		c[0] = n->u.unop.operand;
		return 1;
	case AST_INCDEC:
		c[0] = n->u.incdec.target;
		return 1;
	case AST_TERNARY:
		c[0] = n->u.ternary.cond, c[1] = n->u.ternary.then, c[2] = n->u.ternary.els;
		return 3;
	case AST_FIELD:
		c[0] = n->u.field.base;
		return 1;
	case AST_TUPLE_INDEX:
		c[0] = n->u.tindex.base;
		return 1;
	case AST_INDEX:
		c[0] = n->u.index.base, c[1] = n->u.index.index;
		return 2;
	case AST_TUPLE:
	case AST_RECORD:
		c[0] = n->u.tuple.elems;
		return 1;
	case AST_NAMED:
		c[0] = n->u.named.value;
		return 1;
	case AST_CAST:
	case AST_SIZEOF:
	case AST_OFFSETOF:
	case AST_TYPEOF:
		c[0] = ts_child(n->u.cast.ts), c[1] = n->u.cast.expr;
		return 2;
	case AST_CDEF:
	case AST_IMPORT:
	case AST_MAPDECL:
	case AST_ATTACH:
	case AST_BREAK:
	case AST_CONTINUE:
	case AST_INT:
	case AST_STRING:
	case AST_BOOL:
	case AST_POSITIONAL:
	case AST_POSCOUNT:
	case AST_NKINDS:
		break;
	}
	return 0;
}

size_t ast_children(const struct ast_node *n, struct ast_node *out[AST_MAX_CHILDREN])
{
	struct ast_node *c[AST_MAX_CHILDREN];
	size_t n_raw = raw_children(n, c), k = 0;

	for (size_t i = 0; i < n_raw; i++)
		if (c[i])
			out[k++] = c[i];
	return k;
}
