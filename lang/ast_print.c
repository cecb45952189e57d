/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `-d ast`: the tree as stable indented text, one node per line, one space
 * of indent per level.  Golden tests compare it, so change it deliberately.
 */
#include "ast.h"

#include <ctype.h>
#include <inttypes.h>
#include <string.h>

void (*ast_print_type_hook)(const struct type *t, FILE *out);

/* Bytes as a C-like string body: printable ASCII as is, the rest escaped. */
static void print_escaped(FILE *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		case '\r': fputs("\\r", out); break;
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		default:
			if (isprint(c))
				fputc(c, out);
			else
				fprintf(out, "\\x%02x", c);
		}
	}
}

static void print_str(FILE *out, const char *s)
{
	print_escaped(out, s, strlen(s));
}

/* "uint8", "struct foo **", "int8[8]", "string[]", "typeof" (its operand is a child). */
static void print_ts(FILE *out, const struct ast_typespec *ts)
{
	fputs(ts->name ? ts->name : "typeof", out);
	if (ts->ptr_depth > 0)
		fputc(' ', out);
	for (int i = 0; i < ts->ptr_depth; i++)
		fputc('*', out);
	if (ts->array_len > 0)
		fprintf(out, "[%ld]", ts->array_len);
	else if (ts->array_len == 0)
		fputs("[]", out);
}

static void print_paren_ts(FILE *out, const struct ast_typespec *ts)
{
	if (!ts)
		return;
	fputs(" (", out);
	print_ts(out, ts);
	fputc(')', out);
}

static void print_int(FILE *out, const struct ast_node *n)
{
	/* signed literals (folded ones can be negative) print as such */
	if (n->u.num.is_unsigned)
		fprintf(out, " %" PRIu64, n->u.num.value);
	else
		fprintf(out, " %" PRId64, (int64_t)n->u.num.value);
	if (n->u.num.is_unsigned)
		fputs(" unsigned", out);
	if (n->u.num.suffix)
		fprintf(out, " (%s)", n->u.num.suffix);
}

static void print_top_header(FILE *out, const struct ast_node *n)
{
	switch (n->kind) {
	case AST_PROGRAM:
		if (n->u.program.shebang) {
			fputs(" #!", out);
			print_str(out, n->u.program.shebang);
		}
		break;
	case AST_CDEF:
		fputc(' ', out);
		print_str(out, n->u.cdef.text);
		break;
	case AST_IMPORT:
		fputs(" \"", out);
		print_str(out, n->u.import.path);
		fputc('"', out);
		break;
	case AST_MAPDECL:
		fprintf(out, " %s %s %ld", n->u.mapdecl.name, n->u.mapdecl.mtype,
			n->u.mapdecl.max_entries);
		break;
	case AST_MACRO:
		fprintf(out, " %s", n->u.macro.name);
		break;
	case AST_FN:
		fprintf(out, " %s", n->u.macro.name);
		if (n->u.macro.ret) {
			fputs(" : ", out);
			print_ts(out, n->u.macro.ret);
		}
		break;
	case AST_PROBE:
		if (n->u.probe.name)
			fprintf(out, " %s=", n->u.probe.name);
		if (n->u.probe.angle)
			fputs(" <>", out);
		break;
	case AST_ATTACH:
		fprintf(out, " %s", n->u.attach.text);
		break;
	default:
		break;
	}
}

static void print_stmt_header(FILE *out, const struct ast_node *n)
{
	switch (n->kind) {
	case AST_ASSIGN:
		fprintf(out, " %s%s", n->u.assign.op == BINOP_NONE ? "" : binop_str(n->u.assign.op),
			"=");
		break;
	case AST_LET:
		fprintf(out, " %s", n->u.let.name);
		if (n->u.let.ts) {
			fputs(" : ", out);
			print_ts(out, n->u.let.ts);
		}
		break;
	case AST_FOR_RANGE:
	case AST_FOR_MAP:
		fprintf(out, " %s", n->u.loop.var);
		break;
	default:
		break;
	}
}

static void print_expr_header(FILE *out, const struct ast_node *n)
{
	switch (n->kind) {
	case AST_INT:
		print_int(out, n);
		break;
	case AST_STRING:
		fputs(" \"", out);
		print_escaped(out, n->u.str.value, n->u.str.len);
		fputc('"', out);
		break;
	case AST_BOOL:
		fputs(n->u.boolean.value ? " true" : " false", out);
		break;
	case AST_IDENT:
	case AST_MAP:
	case AST_CALL:
		fprintf(out, " %s", n->u.ident.name);
		break;
	case AST_VAR:
		fprintf(out, " %s", n->u.ident.name);
		if (n->u.ident.ts) {
			fputs(" : ", out);
			print_ts(out, n->u.ident.ts);
		}
		break;
	case AST_POSITIONAL:
		fprintf(out, " $%d", n->u.positional.n);
		break;
	case AST_BINOP:
		fprintf(out, " %s", binop_str(n->u.binop.op));
		break;
	case AST_UNOP:
		fprintf(out, " %s", unop_str(n->u.unop.op));
		break;
	case AST_INCDEC:
		fprintf(out, " %s %s", n->u.incdec.inc ? "++" : "--",
			n->u.incdec.prefix ? "prefix" : "postfix");
		break;
	case AST_TERNARY:
		if (!n->u.ternary.then)
			fputs(" ?:", out);
		break;
	case AST_FIELD:
		fprintf(out, " %s%s", n->u.field.arrow ? "->" : ".", n->u.field.name);
		break;
	case AST_TUPLE_INDEX:
		fprintf(out, " .%d", n->u.tindex.index);
		break;
	case AST_NAMED:
		fprintf(out, " %s", n->u.named.name);
		break;
	case AST_CAST:
	case AST_SIZEOF:
	case AST_TYPEOF:
		print_paren_ts(out, n->u.cast.ts);
		break;
	case AST_OFFSETOF:
		print_paren_ts(out, n->u.cast.ts);
		fprintf(out, " %s", n->u.cast.field);
		break;
	default:
		break;
	}
}

static void indent(FILE *out, int depth)
{
	for (int i = 0; i < depth; i++)
		fputc(' ', out);
}

static void print_node(FILE *out, const struct ast_node *n, int depth);

static void print_list(FILE *out, const struct ast_node *n, int depth)
{
	for (; n; n = n->next)
		print_node(out, n, depth);
}

/* A probe's children, with its predicate under a `pred` line so it cannot be mistaken. */
static void print_probe_children(FILE *out, const struct ast_node *n, int depth)
{
	print_list(out, n->u.probe.attach, depth + 1);
	if (n->u.probe.pred) {
		indent(out, depth + 1);
		fputs("pred\n", out);
		print_node(out, n->u.probe.pred, depth + 2);
	}
	print_list(out, n->u.probe.body, depth + 1);
}

static void print_node(FILE *out, const struct ast_node *n, int depth)
{
	indent(out, depth);
	fputs(ast_kind_name(n->kind), out);
	print_top_header(out, n);
	print_stmt_header(out, n);
	print_expr_header(out, n);
	if (n->type && ast_print_type_hook) {
		fputs(" :: ", out);
		ast_print_type_hook(n->type, out);
	}
	fputc('\n', out);

	if (n->kind == AST_PROBE) {
		print_probe_children(out, n, depth);
		return;
	}
	struct ast_node *kids[AST_MAX_CHILDREN];
	size_t nk = ast_children(n, kids);
	for (size_t i = 0; i < nk; i++)
		print_list(out, kids[i], depth + 1);
}

void ast_print(const struct ast_node *program, FILE *out)
{
	if (program)
		print_node(out, program, 0);
}
