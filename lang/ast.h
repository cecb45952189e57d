/* SPDX-License-Identifier: Apache-2.0 */
/* The abstract syntax tree: one arena-owned tagged union for every construct. */
#ifndef CTRACE_AST_H
#define CTRACE_AST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "loc.h"

struct arena;
struct type;
struct diags;

/*
 * Node kinds.  One list gives the enum, the names `-d ast` prints and,
 * through -Wswitch, every switch that must handle a new kind.
 */
#define AST_KINDS(X)                                                                               \
	/* top level */                                                                            \
	X(PROGRAM, "program")                                                                      \
	X(CDEF, "cdef")             /* C definition or #-line, kept as text */                   \
	X(CONFIG, "config")         /* config = { k = v; ... } */                                \
	X(IMPORT, "import")         /* import "path"; */                                         \
	X(MAPDECL, "mapdecl")       /* let @m = hash(N); */                                      \
	X(MACRO, "macro")           /* macro name(params) { body } */                            \
	X(FN, "fn")                 /* fn name($a: T, ...): T { body } */                        \
	X(PROBE, "probe")           /* attach points, predicate, body */                         \
	X(ATTACH, "attach")         /* one attach point, raw text */                             \
	/* statements */                                                                           \
	X(BLOCK, "block")                                                                          \
	X(EXPR_STMT, "expr_stmt")                                                                  \
	X(ASSIGN, "assign")         /* target op= value; op is 0 for plain `=` */                \
	X(LET, "let")               /* let $v[: T] [= e]; */                                     \
	X(IF, "if")                                                                                \
	X(WHILE, "while")                                                                          \
	X(UNROLL, "unroll")                                                                        \
	X(FOR_RANGE, "for_range")   /* for ($i : lo..hi) */                                      \
	X(FOR_MAP, "for_map")       /* for ($kv : @m) */                                         \
	X(BREAK, "break")                                                                          \
	X(CONTINUE, "continue")                                                                    \
	X(RETURN, "return")                                                                        \
	/* expressions */                                                                          \
	X(INT, "int")                                                                              \
	X(STRING, "string")                                                                        \
	X(BOOL, "bool")                                                                            \
	X(IDENT, "ident")           /* pid, comm, args, arg0, a macro name, ... */               \
	X(VAR, "var")               /* $name */                                                  \
	X(MAP, "map")               /* @name or @name[key]; key is NULL or one expr or TUPLE */  \
	X(POSITIONAL, "positional") /* $1 */                                                     \
	X(POSCOUNT, "poscount")     /* $# */                                                     \
	X(CALL, "call")             /* name(args) */                                             \
	X(BINOP, "binop")                                                                          \
	X(UNOP, "unop")                                                                            \
	X(INCDEC, "incdec")         /* ++x, x++, --x, x-- */                                     \
	X(TERNARY, "ternary")       /* c ? a : b;  a ?: b has then == NULL */                    \
	X(FIELD, "field")           /* e.name, e->name */                                        \
	X(TUPLE_INDEX, "tuple_index") /* e.0 */                                                  \
	X(INDEX, "index")           /* e[i] */                                                   \
	X(TUPLE, "tuple")           /* (a, b) */                                                 \
	X(RECORD, "record")         /* (a = 1, b = 2): elems are NAMED */                        \
	X(NAMED, "named")           /* name = value inside a record or config */                 \
	X(CAST, "cast")             /* (T)e */                                                   \
	X(SIZEOF, "sizeof")         /* sizeof(T) or sizeof(e) */                                 \
	X(OFFSETOF, "offsetof")     /* offsetof(T, a.b) */                                       \
	X(TYPEOF, "typeof")         /* typeof(e) used as a type: only inside a TYPESPEC */      \
	X(BLOCK_EXPR, "block_expr") /* { stmts; value }, and an inlined fn call */

enum ast_kind {
#define X(k, s) AST_##k,
	AST_KINDS(X)
#undef X
	AST_NKINDS
};

/* Binary and unary operators, with the text `-d ast` and diagnostics print. */
#define BINOPS(X)                                                                                  \
	X(ADD, "+") X(SUB, "-") X(MUL, "*") X(DIV, "/") X(MOD, "%")                                \
	X(BAND, "&") X(BOR, "|") X(BXOR, "^") X(SHL, "<<") X(SHR, ">>")                            \
	X(EQ, "==") X(NE, "!=") X(LT, "<") X(LE, "<=") X(GT, ">") X(GE, ">=")                      \
	X(LAND, "&&") X(LOR, "||")

enum binop {
	BINOP_NONE, /* plain `=` in an ASSIGN */
#define X(k, s) BINOP_##k,
	BINOPS(X)
#undef X
};

#define UNOPS(X) X(NEG, "-") X(NOT, "!") X(BNOT, "~") X(DEREF, "*") X(ADDR, "&")

enum unop {
#define X(k, s) UNOP_##k,
	UNOPS(X)
#undef X
};

/*
 * A type as written in a cast, let, sizeof, offsetof or fn signature:
 * `uint8`, `struct task_struct *`, `int8[8]`, `string[64]`, `typeof(e)`.
 */
struct ast_typespec {
	struct loc loc;
	const char *name;          /* "uint8", "struct task_struct", "union u", "enum e",
				      "string", "bool", or a C typedef name; NULL for typeof */
	struct ast_node *typeof_expr; /* typeof(e) */
	int ptr_depth;             /* number of '*' */
	long array_len;            /* -1: not an array; 0: `[]` without a length */
};

struct ast_node {
	enum ast_kind kind;
	struct loc loc;
	struct ast_node *next;   /* next in a list: statements, args, probes, ... */
	const struct type *type; /* set by semantic analysis */
	void *sema;              /* semantic analysis' annotation (resolved symbol, ...) */
	union {
		struct { /* PROGRAM */
			struct ast_node *cdefs;   /* CDEF list */
			struct ast_node *config;  /* CONFIG or NULL */
			struct ast_node *imports; /* IMPORT list */
			struct ast_node *items;   /* PROBE, MACRO, FN, MAPDECL, in source order */
			const char *shebang;      /* text after #!, or NULL */
		} program;
		struct { /* CDEF */
			const char *text; /* the definition or #-line as written */
		} cdef;
		struct { /* CONFIG */
			struct ast_node *items; /* NAMED list */
		} config;
		struct { /* IMPORT */
			const char *path;
		} import;
		struct { /* MAPDECL */
			const char *name;  /* "@m" */
			const char *mtype; /* "hash", "lruhash", "percpuhash", "percpulruhash", ... */
			long max_entries;
		} mapdecl;
		struct { /* MACRO, FN */
			const char *name;
			struct ast_node *params; /* VAR, MAP or IDENT list (FN: VAR with typespec) */
			struct ast_typespec *ret; /* FN only; NULL if none */
			struct ast_node *body;   /* BLOCK */
		} macro;
		struct { /* PROBE */
			struct ast_node *attach; /* ATTACH list */
			struct ast_node *pred;   /* predicate expression or NULL */
			struct ast_node *body;   /* BLOCK */
			const char *name;        /* `name=attach` form, or NULL */
			int angle;               /* body was written `< ... >` */
		} probe;
		struct { /* ATTACH */
			const char *text; /* raw, as written; quotes kept */
		} attach;
		struct { /* BLOCK, BLOCK_EXPR */
			struct ast_node *stmts;
			struct ast_node *value;  /* BLOCK_EXPR: the result, or NULL (an fn's return) */
			struct ast_typespec *ret; /* BLOCK_EXPR of an fn call: the declared result */
			const char *fn;          /* BLOCK_EXPR of an fn call: the fn's name */
		} block;
		struct { /* EXPR_STMT, RETURN (expr may be NULL) */
			struct ast_node *expr;
		} stmt;
		struct { /* ASSIGN */
			enum binop op; /* BINOP_NONE for `=` */
			struct ast_node *target; /* VAR, MAP, or a FIELD/INDEX/UNOP(DEREF) lvalue */
			struct ast_node *value;
		} assign;
		struct { /* LET */
			const char *name; /* "$x" */
			struct ast_typespec *ts; /* or NULL */
			struct ast_node *init;   /* or NULL */
		} let;
		struct { /* IF, WHILE */
			struct ast_node *cond;
			struct ast_node *then; /* BLOCK */
			struct ast_node *els;  /* BLOCK, IF (else if) or NULL */
		} cond;
		struct { /* UNROLL */
			struct ast_node *count;
			struct ast_node *body;
		} unroll;
		struct { /* FOR_RANGE, FOR_MAP */
			const char *var;      /* "$i" */
			struct ast_node *lo;  /* FOR_MAP: the MAP node */
			struct ast_node *hi;  /* FOR_RANGE only */
			struct ast_node *body;
		} loop;
		struct { /* INT */
			uint64_t value;      /* the bits */
			bool is_unsigned;    /* above INT64_MAX, or written as such */
			const char *suffix;  /* duration suffix "ms" etc. already applied; kept for -d ast */
		} num;
		struct { /* STRING: bytes after escapes, may contain NULs */
			const char *value;
			size_t len;
		} str;
		struct { /* BOOL */
			bool value;
		} boolean;
		struct { /* IDENT, VAR ("$x"), MAP ("@x", "@"), CALL */
			const char *name;
			struct ast_node *args; /* CALL: argument list; MAP: key (NULL, expr or TUPLE) */
			struct ast_typespec *ts; /* VAR as an FN parameter: its declared type */
		} ident;
		struct { /* POSITIONAL */
			int n;
		} positional;
		struct { /* BINOP */
			enum binop op;
			struct ast_node *lhs, *rhs;
		} binop;
		struct { /* UNOP */
			enum unop op;
			struct ast_node *operand;
		} unop;
		struct { /* INCDEC */
			bool inc;    /* ++ or -- */
			bool prefix; /* ++x or x++ */
			struct ast_node *target;
		} incdec;
		struct { /* TERNARY */
			struct ast_node *cond, *then, *els;
		} ternary;
		struct { /* FIELD */
			struct ast_node *base;
			const char *name;
			bool arrow; /* written -> */
		} field;
		struct { /* TUPLE_INDEX */
			struct ast_node *base;
			int index;
		} tindex;
		struct { /* INDEX */
			struct ast_node *base, *index;
		} index;
		struct { /* TUPLE, RECORD */
			struct ast_node *elems;
		} tuple;
		struct { /* NAMED */
			const char *name;
			struct ast_node *value;
		} named;
		struct { /* CAST, SIZEOF, OFFSETOF */
			struct ast_typespec *ts;  /* SIZEOF of an expression: NULL */
			struct ast_node *expr;    /* CAST operand, SIZEOF expression */
			const char *field;        /* OFFSETOF: "a.b.c" */
		} cast;
	} u;
};

/* Allocate a node of the given kind at loc from the arena; every other field is zero. */
struct ast_node *ast_new(struct arena *a, enum ast_kind kind, const struct loc *loc);
/* Append b to the list starting at a; returns the head. */
struct ast_node *ast_append(struct ast_node *a, struct ast_node *b);
size_t ast_list_len(const struct ast_node *n);
const char *ast_kind_name(enum ast_kind k);
const char *binop_str(enum binop op);
const char *unop_str(enum unop op);

#define ast_foreach(it, head) for (struct ast_node *it = (head); it; it = it->next)

/*
 * Parse one program text.  Returns the PROGRAM node, or NULL when any error
 * was reported to d (several syntax errors may be reported in one run).
 */
struct ast_node *parse_program(struct arena *a, struct diags *d, const struct source *src);

/* Print the tree in the stable text form of `-d ast` (golden tests use it). */
void ast_print(const struct ast_node *program, FILE *out);

/*
 * When set (sema sets it to type_print), ast_print appends ` :: TYPE` to the
 * line of every node whose type is set.  NULL by default, so lang/ alone links.
 */
extern void (*ast_print_type_hook)(const struct type *t, FILE *out);

/*
 * The child lists of n, in source order, for generic walkers: stores up to
 * AST_MAX_CHILDREN list heads (each may have ->next siblings; NULL heads are
 * skipped) and returns how many.  A typeof(...) inside a typespec counts as a child.
 */
#define AST_MAX_CHILDREN 4
size_t ast_children(const struct ast_node *n, struct ast_node *out[AST_MAX_CHILDREN]);

#endif
