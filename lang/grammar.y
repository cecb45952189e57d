/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The grammar: tokens from lexer.l -> the AST of ast.h.
 *
 * Errors are reported through the diagnostics list, several per run: bison
 * `error` rules resynchronise at `;` inside blocks, at the `}` that ends a
 * block, and at ITEM_END (the lexer's end of a top-level item).
 */

%code top {
/* SPDX-License-Identifier: Apache-2.0 */
/* Generated from lang/grammar.y by bison. */
}

%code requires {
#include <stdbool.h>
#include <stddef.h>

#include "ast.h"
#include "loc.h"

#define YYLTYPE struct loc
#define YYLTYPE_IS_DECLARED 1

/* A list under construction: appending at the tail is O(1). */
struct nlist {
	struct ast_node *head, *tail;
};

/* Everything the parser and the lexer share for one parse. */
struct pstate {
	struct arena *arena;
	struct diags *diags;
	const struct source *src;
	void *scanner;
	struct ast_node *program;
	struct nlist cdefs, imports, items; /* the program's lists, built in order */
	int nerrors;
	/* lexer position: the next byte to read, and where the current token started */
	size_t off, tok_off;
	int line, col, tok_line, tok_col;
	/* lexer context (see lexer.l) */
	int depth;  /* open `{` (or the `<` of an action block) in this top-level item */
	int pdepth; /* open `(` and `[` */
	bool angle; /* in a `< ... >` action block */
	bool angle_body; /* parser: the body just reduced was written `< ... >` */
	bool in_pred, after_dot, item_end_pending, at_eof, bad_run;
	int last_tok;
	struct loc last_loc;
	/* a C definition being read */
	size_t cdef_off;
	struct loc cdef_loc;
	int cdef_depth;
};

/* Report an error at loc (lexer and parser both come here). */
void pstate_error(struct pstate *p, const struct loc *loc, const char *msg);
}

%code provides {
int ct_lex(YYSTYPE *lval, YYLTYPE *lloc, struct pstate *p);
void ct_lex_init(struct pstate *p);
void ct_lex_fini(struct pstate *p);
}

%code {
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diag.h"

#define yylex ct_lex

/*
 * The parser's own stack is capped too (bison reports "memory exhausted"
 * beyond it), so that a million `!` cannot grow it without bound.
 */
#define YYMAXDEPTH 20000

/* A node spans from its first to its last non-empty symbol (see span()). */
#define YYLLOC_DEFAULT(Cur, Rhs, N) span(&(Cur), (Rhs), (N))

static void span(struct loc *cur, const struct loc *rhs, int n);
static void yyerror(const struct loc *loc, struct pstate *p, const char *msg);
static struct ast_node *mk(struct pstate *p, enum ast_kind kind, const struct loc *loc);
static struct ast_node *mk_binop(struct pstate *p, const struct loc *loc, enum binop op,
				 struct ast_node *l, struct ast_node *r);
static struct ast_node *mk_unop(struct pstate *p, const struct loc *loc, enum unop op,
				struct ast_node *e);
static struct ast_node *mk_incdec(struct pstate *p, const struct loc *loc, bool inc, bool prefix,
				  struct ast_node *e);
static struct ast_node *mk_ident(struct pstate *p, enum ast_kind kind, const struct loc *loc,
				 const char *name, struct ast_node *args);
static struct ast_node *mk_assign(struct pstate *p, const struct loc *loc, enum binop op,
				  struct ast_node *target, struct ast_node *value);
static struct ast_node *mk_block(struct pstate *p, const struct loc *loc, struct ast_node *stmts);
static struct ast_node *mk_stmt(struct pstate *p, enum ast_kind kind, const struct loc *loc,
				struct ast_node *e);
static struct ast_node *mk_cond(struct pstate *p, enum ast_kind kind, const struct loc *loc,
				struct ast_node *c, struct ast_node *then, struct ast_node *els);
static struct ast_node *mk_loop(struct pstate *p, enum ast_kind kind, const struct loc *loc,
				const char *var, struct ast_node *lo, struct ast_node *hi,
				struct ast_node *body);
static struct ast_node *mk_tuple(struct pstate *p, enum ast_kind kind, const struct loc *loc,
				 struct ast_node *elems);
static struct ast_node *mk_named(struct pstate *p, const struct loc *loc, const char *name,
				 struct ast_node *value);
static struct ast_node *mk_cast(struct pstate *p, enum ast_kind kind, const struct loc *loc,
				struct ast_typespec *ts, struct ast_node *e, const char *field);
static struct ast_node *mk_key(struct pstate *p, const struct loc *loc, struct ast_node *keys);
static struct ast_node *mk_field(struct pstate *p, const struct loc *loc, struct ast_node *base,
				 const char *name, bool arrow);
static struct ast_node *mk_tindex(struct pstate *p, const struct loc *loc, struct ast_node *base,
				  struct ast_node *idx);
static struct ast_typespec *mk_ts(struct pstate *p, const struct loc *loc, const char *name,
				  struct ast_node *typeof_node);
static struct ast_node *mk_typeof(struct pstate *p, const struct loc *loc,
				  struct ast_typespec *ts, struct ast_node *e);
static struct ast_node *mk_probe(struct pstate *p, const struct loc *loc, const char *name,
				 struct ast_node *attach, struct ast_node *pred,
				 struct ast_node *body, bool angle);
static struct ast_node *mk_fn(struct pstate *p, enum ast_kind kind, const struct loc *loc,
			      const char *name, struct ast_node *params, struct ast_typespec *ret,
			      struct ast_node *body);
static struct ast_node *mk_mapdecl(struct pstate *p, const struct loc *loc, const char *name,
				   const char *mtype, struct ast_node *n);
static void add_item(struct pstate *p, struct ast_node *n);
static struct nlist list_none(void);
static struct nlist list_one(struct ast_node *n);
static void list_add(struct nlist *l, struct ast_node *n);
static const char *fpath_join(struct pstate *p, const char *a, const char *b);
}

%define api.pure full
%define parse.error custom
%define parse.lac full
/* Reduce by default only in consistent states, so an error is found on the
   token that causes it and `error` rules see the real lookahead. */
%define lr.default-reduction consistent
%locations
%expect 0
%param {struct pstate *p}
%initial-action {
	@$ = (struct loc){.file = p->src->name, .line = 1, .col = 1, .end_line = 1, .end_col = 1};
}

%union {
	struct ast_node *node;
	struct nlist list;
	struct ast_typespec *ts;
	const char *str;
	enum binop op;
	int ival;
}

%token <str> SHEBANG "shebang" CDEF "C definition" ATTACH "attach point"
%token <str> PROBE_NAME "probe name"
%token ITEM_END "end of item"
%token PRED_OPEN "/" ENDPRED "end of predicate"
%token ANGLE_OPEN "<" ANGLE_CLOSE ">"
%token <str> IDENT "identifier" VAR "variable" MAP "map" TYPE_NAME "type" SUE "struct"
%token <ival> POSITIONAL "positional parameter"
%token POSCOUNT "$#"
%token <node> INT "integer" STRING "string"
%token <op> ASSIGNOP "compound assignment"
%token IF "if" ELSE "else" WHILE "while" UNROLL "unroll" FOR "for" BREAK "break"
%token CONTINUE "continue" RETURN "return" LET "let" SIZEOF "sizeof" OFFSETOF "offsetof"
%token TYPEOF "typeof" TRUE "true" FALSE "false" CONFIG "config" IMPORT "import"
%token MACRO "macro" FN "fn"
%token EQ "==" NE "!=" LE "<=" GE ">=" SHL "<<" SHR ">>" LAND "&&" LOR "||"
%token INC "++" DEC "--" ARROW "->" DOTDOT ".."

%left LOR
%left LAND
%left '|'
%left '^'
%left '&'
%left EQ NE
%left '<' '>' LE GE
%left SHL SHR
%left '+' '-'
%left '*' '/' '%'
/* `@m` without a key: shift a following `[` as its key instead. */
%precedence MAP_NOKEY
%precedence '['

%type <node> probe pred_opt body simple compound if_stmt else_opt
%type <node> block value vblock vif expr ternary bin unary postfix primary record_field config cfg_item import
%type <node> macro mparam fn fparam mapdecl
%type <list> attach_list stmt_seq stmts exprlist args tuple_tail record_fields cfg_items cfg_seq
%type <list> mparams mparam_list fparams fparam_list
%type <ts> typespec tbase fret_opt
%type <str> pname_opt fpath
%type <ival> stars

%%

program:
	shebang_opt top_items
	;

shebang_opt:
	%empty
	| SHEBANG			{ p->program->u.program.shebang = $1; }
	;

top_items:
	%empty
	| top_items top_item
	| top_items error ITEM_END	{ yyerrok; }
	;

top_item:
	CDEF				{ struct ast_node *n = mk(p, AST_CDEF, &@1);
					  n->u.cdef.text = $1;
					  list_add(&p->cdefs, n); }
	| config			{ if (p->program->u.program.config)
						  pstate_error(p, &@1, "only one config block is allowed");
					  p->program->u.program.config = $1; }
	| import			{ list_add(&p->imports, $1); }
	| macro				{ add_item(p, $1); }
	| fn				{ add_item(p, $1); }
	| mapdecl			{ add_item(p, $1); }
	| probe				{ add_item(p, $1); }
	;

/* --- preamble and other top-level items ------------------------------------------------------- */

config:
	CONFIG '=' '{' cfg_items '}' ITEM_END
					{ $$ = mk(p, AST_CONFIG, &@$); $$->u.config.items = $4.head; }
	;

cfg_items:
	%empty				{ $$ = list_none(); }
	| cfg_seq			{ $$ = $1; }
	| cfg_seq ';'			{ $$ = $1; }
	;

cfg_seq:
	cfg_item			{ $$ = list_one($1); }
	| cfg_seq ';' cfg_item		{ $$ = $1; list_add(&$$, $3); }
	;

cfg_item:
	IDENT '=' expr			{ $$ = mk_named(p, &@$, $1, $3); }
	;

import:
	IMPORT STRING ';' ITEM_END	{ $$ = mk(p, AST_IMPORT, &@$); $$->u.import.path = $2->u.str.value; }
	;

mapdecl:
	LET MAP '=' IDENT '(' INT ')' ';' ITEM_END
					{ $$ = mk_mapdecl(p, &@$, $2, $4, $6); }
	;

macro:
	MACRO IDENT '(' mparams ')' block ITEM_END
					{ $$ = mk_fn(p, AST_MACRO, &@$, $2, $4.head, NULL, $6); }
	;

mparams:
	%empty				{ $$ = list_none(); }
	| mparam_list			{ $$ = $1; }
	;

mparam_list:
	mparam				{ $$ = list_one($1); }
	| mparam_list ',' mparam	{ $$ = $1; list_add(&$$, $3); }
	;

mparam:
	VAR				{ $$ = mk_ident(p, AST_VAR, &@$, $1, NULL); }
	| MAP				{ $$ = mk_ident(p, AST_MAP, &@$, $1, NULL); }
	| IDENT				{ $$ = mk_ident(p, AST_IDENT, &@$, $1, NULL); }
	;

fn:
	FN IDENT '(' fparams ')' fret_opt block ITEM_END
					{ $$ = mk_fn(p, AST_FN, &@$, $2, $4.head, $6, $7); }
	;

fparams:
	%empty				{ $$ = list_none(); }
	| fparam_list			{ $$ = $1; }
	;

fparam_list:
	fparam				{ $$ = list_one($1); }
	| fparam_list ',' fparam	{ $$ = $1; list_add(&$$, $3); }
	;

fparam:
	VAR ':' typespec		{ $$ = mk_ident(p, AST_VAR, &@$, $1, NULL); $$->u.ident.ts = $3; }
	;

fret_opt:
	%empty				{ $$ = NULL; }
	| ':' typespec			{ $$ = $2; }
	;

/* --- probes ----------------------------------------------------------------------------------- */

probe:
	pname_opt attach_list comma_opt pred_opt body ITEM_END
					{ $$ = mk_probe(p, &@$, $1, $2.head, $4, $5, p->angle_body); }
	;

pname_opt:
	%empty				{ $$ = NULL; }
	| PROBE_NAME			{ $$ = $1; }
	;

attach_list:
	ATTACH				{ struct ast_node *a = mk(p, AST_ATTACH, &@1);
					  a->u.attach.text = $1;
					  $$ = list_one(a); }
	| attach_list ',' ATTACH	{ struct ast_node *a = mk(p, AST_ATTACH, &@3);
					  a->u.attach.text = $3;
					  $$ = $1; list_add(&$$, a); }
	;

comma_opt:
	%empty
	| ','
	;

pred_opt:
	%empty				{ $$ = NULL; }
	| PRED_OPEN expr ENDPRED	{ $$ = $2; }
	;

body:
	'{' stmt_seq '}'		{ $$ = mk_block(p, &@$, $2.head); p->angle_body = false; }
	| ANGLE_OPEN stmt_seq ANGLE_CLOSE
					{ $$ = mk_block(p, &@$, $2.head); p->angle_body = true; }
	;

/* --- statements ------------------------------------------------------------------------------- */

block:
	'{' stmt_seq '}'		{ $$ = mk_block(p, &@$, $2.head); }
	;

/* Statements; the `;` after the last simple statement is optional. */
stmt_seq:
	stmts				{ $$ = $1; }
	| stmts simple			{ $$ = $1; list_add(&$$, $2); }
	| stmts error			{ $$ = $1; }
	;

stmts:
	%empty				{ $$ = list_none(); }
	| stmts ';'			{ $$ = $1; }
	| stmts simple ';'		{ $$ = $1; list_add(&$$, $2); }
	| stmts compound		{ $$ = $1; list_add(&$$, $2); }
	| stmts error ';'		{ $$ = $1; yyerrok; }
	;

simple:
	expr				{ $$ = mk_stmt(p, AST_EXPR_STMT, &@$, $1); }
	| unary '=' value		{ $$ = mk_assign(p, &@$, BINOP_NONE, $1, $3); }
	| unary ASSIGNOP value		{ $$ = mk_assign(p, &@$, $2, $1, $3); }
	| LET VAR			{ $$ = mk(p, AST_LET, &@$); $$->u.let.name = $2; }
	| LET VAR ':' typespec		{ $$ = mk(p, AST_LET, &@$); $$->u.let.name = $2; $$->u.let.ts = $4; }
	| LET VAR '=' value		{ $$ = mk(p, AST_LET, &@$); $$->u.let.name = $2; $$->u.let.init = $4; }
	| LET VAR ':' typespec '=' value	{ $$ = mk(p, AST_LET, &@$); $$->u.let.name = $2;
					  $$->u.let.ts = $4; $$->u.let.init = $6; }
	| RETURN			{ $$ = mk_stmt(p, AST_RETURN, &@$, NULL); }
	| RETURN value			{ $$ = mk_stmt(p, AST_RETURN, &@$, $2); }
	| BREAK				{ $$ = mk(p, AST_BREAK, &@$); }
	| CONTINUE			{ $$ = mk(p, AST_CONTINUE, &@$); }
	;

compound:
	if_stmt				{ $$ = $1; }
	| WHILE expr block		{ $$ = mk_cond(p, AST_WHILE, &@$, $2, $3, NULL); }
	| UNROLL '(' expr ')' block	{ $$ = mk(p, AST_UNROLL, &@$); $$->u.unroll.count = $3; $$->u.unroll.body = $5; }
	| FOR '(' VAR ':' expr DOTDOT expr ')' block
					{ $$ = mk_loop(p, AST_FOR_RANGE, &@$, $3, $5, $7, $9); }
	| FOR '(' VAR ':' MAP ')' block	{ $$ = mk_loop(p, AST_FOR_MAP, &@$, $3,
						       mk_ident(p, AST_MAP, &@5, $5, NULL), NULL, $7); }
	| block				{ $$ = $1; }
	;

/* `if (c)`: the parentheses are simply part of the condition expression. */
if_stmt:
	IF expr block else_opt		{ $$ = mk_cond(p, AST_IF, &@$, $2, $3, $4); }
	;

else_opt:
	%empty				{ $$ = NULL; }
	| ELSE block			{ $$ = $2; }
	| ELSE if_stmt			{ $$ = $2; }
	;

/* --- expressions ------------------------------------------------------------------------------ */

/*
 * A value where one is assigned, returned or passed: an expression, a block
 * with a result `{ stmts; e }`, or `if (c) { ...; a } else { ...; b }`.  A
 * statement that starts with `{` or `if` stays a block or an if statement.
 */
value:
	expr				{ $$ = $1; }
	| vblock			{ $$ = $1; }
	| vif				{ $$ = $1; }
	;

vblock:
	'{' stmts expr '}'		{ $$ = mk(p, AST_BLOCK_EXPR, &@$); $$->u.block.stmts = $2.head;
					  $$->u.block.value = $3; }
	;

vif:
	IF expr vblock ELSE vblock	{ $$ = mk(p, AST_TERNARY, &@$); $$->u.ternary.cond = $2;
					  $$->u.ternary.then = $3; $$->u.ternary.els = $5; }
	| IF expr vblock ELSE vif	{ $$ = mk(p, AST_TERNARY, &@$); $$->u.ternary.cond = $2;
					  $$->u.ternary.then = $3; $$->u.ternary.els = $5; }
	;

expr:
	ternary				{ $$ = $1; }
	;

ternary:
	bin				{ $$ = $1; }
	| bin '?' ternary ':' ternary	{ $$ = mk(p, AST_TERNARY, &@$); $$->u.ternary.cond = $1;
					  $$->u.ternary.then = $3; $$->u.ternary.els = $5; }
	| bin '?' ':' ternary		{ $$ = mk(p, AST_TERNARY, &@$); $$->u.ternary.cond = $1;
					  $$->u.ternary.els = $4; }
	;

bin:
	unary				{ $$ = $1; }
	| bin LOR bin			{ $$ = mk_binop(p, &@$, BINOP_LOR, $1, $3); }
	| bin LAND bin			{ $$ = mk_binop(p, &@$, BINOP_LAND, $1, $3); }
	| bin '|' bin			{ $$ = mk_binop(p, &@$, BINOP_BOR, $1, $3); }
	| bin '^' bin			{ $$ = mk_binop(p, &@$, BINOP_BXOR, $1, $3); }
	| bin '&' bin			{ $$ = mk_binop(p, &@$, BINOP_BAND, $1, $3); }
	| bin EQ bin			{ $$ = mk_binop(p, &@$, BINOP_EQ, $1, $3); }
	| bin NE bin			{ $$ = mk_binop(p, &@$, BINOP_NE, $1, $3); }
	| bin '<' bin			{ $$ = mk_binop(p, &@$, BINOP_LT, $1, $3); }
	| bin '>' bin			{ $$ = mk_binop(p, &@$, BINOP_GT, $1, $3); }
	| bin LE bin			{ $$ = mk_binop(p, &@$, BINOP_LE, $1, $3); }
	| bin GE bin			{ $$ = mk_binop(p, &@$, BINOP_GE, $1, $3); }
	| bin SHL bin			{ $$ = mk_binop(p, &@$, BINOP_SHL, $1, $3); }
	| bin SHR bin			{ $$ = mk_binop(p, &@$, BINOP_SHR, $1, $3); }
	| bin '+' bin			{ $$ = mk_binop(p, &@$, BINOP_ADD, $1, $3); }
	| bin '-' bin			{ $$ = mk_binop(p, &@$, BINOP_SUB, $1, $3); }
	| bin '*' bin			{ $$ = mk_binop(p, &@$, BINOP_MUL, $1, $3); }
	| bin '/' bin			{ $$ = mk_binop(p, &@$, BINOP_DIV, $1, $3); }
	| bin '%' bin			{ $$ = mk_binop(p, &@$, BINOP_MOD, $1, $3); }
	;

unary:
	postfix				{ $$ = $1; }
	| '!' unary			{ $$ = mk_unop(p, &@$, UNOP_NOT, $2); }
	| '~' unary			{ $$ = mk_unop(p, &@$, UNOP_BNOT, $2); }
	| '-' unary			{ $$ = mk_unop(p, &@$, UNOP_NEG, $2); }
	| '*' unary			{ $$ = mk_unop(p, &@$, UNOP_DEREF, $2); }
	| '&' unary			{ $$ = mk_unop(p, &@$, UNOP_ADDR, $2); }
	| INC unary			{ $$ = mk_incdec(p, &@$, true, true, $2); }
	| DEC unary			{ $$ = mk_incdec(p, &@$, false, true, $2); }
	| '(' typespec ')' unary	{ $$ = mk_cast(p, AST_CAST, &@$, $2, $4, NULL); }
	;

postfix:
	primary				{ $$ = $1; }
	| postfix '.' IDENT		{ $$ = mk_field(p, &@$, $1, $3, false); }
	| postfix '.' INT		{ $$ = mk_tindex(p, &@$, $1, $3); }
	| postfix ARROW IDENT		{ $$ = mk_field(p, &@$, $1, $3, true); }
	| postfix '[' expr ']'		{ $$ = mk(p, AST_INDEX, &@$); $$->u.index.base = $1; $$->u.index.index = $3; }
	| postfix INC			{ $$ = mk_incdec(p, &@$, true, false, $1); }
	| postfix DEC			{ $$ = mk_incdec(p, &@$, false, false, $1); }
	;

primary:
	INT				{ $$ = $1; }
	| STRING			{ $$ = $1; }
	| TRUE				{ $$ = mk(p, AST_BOOL, &@$); $$->u.boolean.value = true; }
	| FALSE				{ $$ = mk(p, AST_BOOL, &@$); $$->u.boolean.value = false; }
	| IDENT				{ $$ = mk_ident(p, AST_IDENT, &@$, $1, NULL); }
	| IDENT '(' args ')'		{ $$ = mk_ident(p, AST_CALL, &@$, $1, $3.head); }
	| VAR				{ $$ = mk_ident(p, AST_VAR, &@$, $1, NULL); }
	| MAP %prec MAP_NOKEY		{ $$ = mk_ident(p, AST_MAP, &@$, $1, NULL); }
	| MAP '[' exprlist ']'		{ $$ = mk_ident(p, AST_MAP, &@$, $1, mk_key(p, &@3, $3.head)); }
	| POSITIONAL			{ $$ = mk(p, AST_POSITIONAL, &@$); $$->u.positional.n = $1; }
	| POSCOUNT			{ $$ = mk(p, AST_POSCOUNT, &@$); }
	| '(' expr ')'			{ $$ = $2; }
	| '(' ')'			{ $$ = mk_tuple(p, AST_TUPLE, &@$, NULL); }
	| '(' expr ',' ')'		{ $$ = mk_tuple(p, AST_TUPLE, &@$, $2); }
	| '(' expr ',' tuple_tail ')'	{ $2->next = $4.head; $$ = mk_tuple(p, AST_TUPLE, &@$, $2); }
	| '(' record_fields ')'		{ $$ = mk_tuple(p, AST_RECORD, &@$, $2.head); }
	| '(' record_fields ',' ')'	{ $$ = mk_tuple(p, AST_RECORD, &@$, $2.head); }
	| SIZEOF '(' typespec ')'	{ $$ = mk_cast(p, AST_SIZEOF, &@$, $3, NULL, NULL); }
	| SIZEOF '(' expr ')'		{ $$ = mk_cast(p, AST_SIZEOF, &@$, NULL, $3, NULL); }
	| OFFSETOF '(' typespec ',' fpath ')'
					{ $$ = mk_cast(p, AST_OFFSETOF, &@$, $3, NULL, $5); }
	| OFFSETOF '(' expr ',' fpath ')'
					{ $$ = mk_cast(p, AST_OFFSETOF, &@$, NULL, $3, $5); }
	;

tuple_tail:
	exprlist			{ $$ = $1; }
	| exprlist ','			{ $$ = $1; }
	;

record_fields:
	record_field			{ $$ = list_one($1); }
	| record_fields ',' record_field
					{ $$ = $1; list_add(&$$, $3); }
	;

record_field:
	IDENT '=' expr			{ $$ = mk_named(p, &@$, $1, $3); }
	;

fpath:
	IDENT				{ $$ = $1; }
	| fpath '.' IDENT		{ $$ = fpath_join(p, $1, $3); }
	;

args:
	%empty				{ $$ = list_none(); }
	| exprlist			{ $$ = $1; }
	;

exprlist:
	value				{ $$ = list_one($1); }
	| exprlist ',' value		{ $$ = $1; list_add(&$$, $3); }
	;

/* --- types ------------------------------------------------------------------------------------ */

typespec:
	tbase stars			{ $$ = $1; $$->ptr_depth = $2; $$->loc = @$; }
	| tbase stars '[' INT ']'	{ $$ = $1; $$->ptr_depth = $2; $$->loc = @$;
					  $$->array_len = $4->u.num.value > LONG_MAX ? LONG_MAX : (long)$4->u.num.value; }
	| tbase stars '[' ']'		{ $$ = $1; $$->ptr_depth = $2; $$->loc = @$; $$->array_len = 0; }
	;

tbase:
	TYPE_NAME			{ $$ = mk_ts(p, &@$, $1, NULL); }
	| SUE IDENT			{ $$ = mk_ts(p, &@$, arena_printf(p->arena, "%s %s", $1, $2), NULL); }
	| TYPEOF '(' expr ')'		{ $$ = mk_ts(p, &@$, NULL, mk_typeof(p, &@$, NULL, $3)); }
	| TYPEOF '(' typespec ')'	{ $$ = mk_ts(p, &@$, NULL, mk_typeof(p, &@$, $3, NULL)); }
	;

stars:
	%empty				{ $$ = 0; }
	| stars '*'			{ $$ = $1 + 1; }
	;

%%

/* Past this many errors nothing more is reported (binary input could produce thousands). */
#define MAX_ERRORS 50
/* Deeper trees are refused, so that recursive passes after the parser stay within the C stack. */
#define MAX_TREE_DEPTH 1000

void pstate_error(struct pstate *p, const struct loc *loc, const char *msg)
{
	if (p->nerrors >= MAX_ERRORS)
		return;
	p->nerrors++;
	diag_error(p->diags, loc, "%s", msg);
	if (p->nerrors == MAX_ERRORS)
		diag_error(p->diags, NULL, "too many errors, giving up");
}

static void yyerror(const struct loc *loc, struct pstate *p, const char *msg)
{
	/* bison's only own message is "memory exhausted": its stack is full. */
	if (strcmp(msg, "memory exhausted") == 0)
		msg = "the program is nested too deeply";
	pstate_error(p, loc, msg);
}

/* A token's name for messages: its alias without the quotes bison keeps. */
static const char *tok_name(struct pstate *p, yysymbol_kind_t sym)
{
	const char *s = yysymbol_name(sym);
	size_t n = strlen(s);

	if (sym == YYSYMBOL_YYEOF)
		return "end of file";
	if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0])
		return arena_strndup(p->arena, s + 1, n - 2);
	return s;
}

static bool name_in(const char *name, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(name, *set) == 0)
			return true;
	return false;
}

/*
 * Operators that could continue an expression: with LAC they are "expected"
 * after every operand, and listing them would drown the useful `)` or `;`.
 */
static bool continues_expr(yysymbol_kind_t sym, const char *name)
{
	static const char *const ops[] = {
		"+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", "==", "!=", "<", ">", "<=",
		">=", "&&", "||", "?", ".", "->", "[", "++", "--", "=", "compound assignment", NULL,
	};

	if (sym == YYSYMBOL_ANGLE_OPEN || sym == YYSYMBOL_ANGLE_CLOSE ||
	    sym == YYSYMBOL_PRED_OPEN || sym == YYSYMBOL_ENDPRED)
		return false;
	return name_in(name, ops);
}

/* Tokens that start an expression: listed together as "expression". */
static bool starts_expr(const char *name)
{
	static const char *const starts[] = {
		"integer", "string", "true", "false", "identifier", "variable", "map",
		"positional parameter", "$#", "(", "!", "~", "-", "*", "&", "++", "--", "sizeof",
		"offsetof", NULL,
	};
	return name_in(name, starts);
}

/* A token's name for a message: 'x' for punctuation and keywords, kinds as they are. */
static const char *quoted(struct pstate *p, const char *name)
{
	static const char *const kinds[] = {
		"expression", "identifier", "integer", "string", "variable", "map", "end of file",
		"positional parameter", "attach point", "end of input", NULL,
	};
	if (name_in(name, kinds) || strchr(name, ' '))
		return name;
	return arena_printf(p->arena, "'%s'", name);
}

/*
 * The ": expected A or B" part, or "" when more than MAX_LISTED tokens
 * would be listed (as bison does).
 */
static const char *expected_list(struct pstate *p, const yypcontext_t *ctx)
{
	enum { MAX_LISTED = 5 };
	yysymbol_kind_t expected[YYNTOKENS];
	int n = yypcontext_expected_tokens(ctx, expected, YYNTOKENS);
	bool want_expr = false;
	const char *names[YYNTOKENS];
	int k = 0;

	for (int i = 0; i < n; i++)
		want_expr |= expected[i] == YYSYMBOL_INT;
	if (want_expr)
		names[k++] = "expression";
	for (int i = 0; i < n; i++) {
		const char *name = tok_name(p, expected[i]);
		/* `{` and `if` also start a value (a block or if expression) */
		if (continues_expr(expected[i], name) ||
		    (want_expr && (starts_expr(name) || !strcmp(name, "{") || !strcmp(name, "if"))))
			continue;
		names[k++] = name;
	}
	if (k == 0 || k > MAX_LISTED)
		return "";
	const char *msg = "";
	for (int i = 0; i < k; i++)
		msg = arena_printf(p->arena, "%s%s%s", msg, i == 0 ? ": expected " : " or ",
				   quoted(p, names[i]));
	return msg;
}

/*
 * "unexpected '}': expected ')' or ','", in the manner of bpftrace's own
 * parser: punctuation and keywords quoted, kinds of tokens (identifier,
 * expression, end of file) not.
 */
static int yyreport_syntax_error(const yypcontext_t *ctx, struct pstate *p)
{
	yysymbol_kind_t got = yypcontext_token(ctx);
	const char *msg = "unexpected input";

	if (got != YYSYMBOL_YYEMPTY)
		msg = arena_printf(p->arena, "unexpected %s", quoted(p, tok_name(p, got)));
	msg = arena_printf(p->arena, "%s%s", msg, expected_list(p, ctx));
	pstate_error(p, yypcontext_location(ctx), msg);
	return 0;
}

static bool is_empty(const struct loc *l)
{
	return l->line == l->end_line && l->col == l->end_col;
}

/*
 * The location of a rule: from the first symbol that covers any text (an
 * empty optional part such as a missing probe name must not drag the start
 * back to the previous item) to the last one.  An empty rule sits where the
 * previous symbol ended.
 */
static void span(struct loc *cur, const struct loc *rhs, int n)
{
	int first = 1;

	if (n == 0) {
		cur->file = rhs[0].file;
		cur->line = cur->end_line = rhs[0].end_line;
		cur->col = cur->end_col = rhs[0].end_col;
		return;
	}
	while (first < n && is_empty(&rhs[first]))
		first++;
	cur->file = rhs[first].file;
	cur->line = rhs[first].line;
	cur->col = rhs[first].col;
	cur->end_line = rhs[n].end_line;
	cur->end_col = rhs[n].end_col;
}

static struct ast_node *mk(struct pstate *p, enum ast_kind kind, const struct loc *loc)
{
	return ast_new(p->arena, kind, loc);
}

static struct ast_node *mk_binop(struct pstate *p, const struct loc *loc, enum binop op,
				 struct ast_node *l, struct ast_node *r)
{
	struct ast_node *n = mk(p, AST_BINOP, loc);

	n->u.binop.op = op;
	n->u.binop.lhs = l;
	n->u.binop.rhs = r;
	return n;
}

static struct ast_node *mk_unop(struct pstate *p, const struct loc *loc, enum unop op,
				struct ast_node *e)
{
	struct ast_node *n = mk(p, AST_UNOP, loc);

	n->u.unop.op = op;
	n->u.unop.operand = e;
	return n;
}

static struct ast_node *mk_incdec(struct pstate *p, const struct loc *loc, bool inc, bool prefix,
				  struct ast_node *e)
{
	struct ast_node *n = mk(p, AST_INCDEC, loc);

	n->u.incdec.inc = inc;
	n->u.incdec.prefix = prefix;
	n->u.incdec.target = e;
	return n;
}

static struct ast_node *mk_ident(struct pstate *p, enum ast_kind kind, const struct loc *loc,
				 const char *name, struct ast_node *args)
{
	struct ast_node *n = mk(p, kind, loc);

	n->u.ident.name = name;
	n->u.ident.args = args;
	return n;
}

static bool is_lvalue(const struct ast_node *n)
{
	switch (n->kind) {
	case AST_VAR:
	case AST_MAP:
	case AST_FIELD:
	case AST_INDEX:
	case AST_TUPLE_INDEX:
		return true;
	case AST_UNOP:
		return n->u.unop.op == UNOP_DEREF;
	default:
		return false;
	}
}

static struct ast_node *mk_assign(struct pstate *p, const struct loc *loc, enum binop op,
				  struct ast_node *target, struct ast_node *value)
{
	struct ast_node *n = mk(p, AST_ASSIGN, loc);

	/* `_ = e;` evaluates e and drops its value on purpose */
	if (op == BINOP_NONE && target->kind == AST_IDENT && !strcmp(target->u.ident.name, "_"))
		return mk_stmt(p, AST_EXPR_STMT, loc, value);
	if (!is_lvalue(target))
		pstate_error(p, &target->loc, "invalid assignment target");
	n->u.assign.op = op;
	n->u.assign.target = target;
	n->u.assign.value = value;
	return n;
}

static struct ast_node *mk_block(struct pstate *p, const struct loc *loc, struct ast_node *stmts)
{
	struct ast_node *n = mk(p, AST_BLOCK, loc);

	n->u.block.stmts = stmts;
	return n;
}

static struct ast_node *mk_stmt(struct pstate *p, enum ast_kind kind, const struct loc *loc,
				struct ast_node *e)
{
	struct ast_node *n = mk(p, kind, loc);

	n->u.stmt.expr = e;
	return n;
}

static struct ast_node *mk_cond(struct pstate *p, enum ast_kind kind, const struct loc *loc,
				struct ast_node *c, struct ast_node *then, struct ast_node *els)
{
	struct ast_node *n = mk(p, kind, loc);

	n->u.cond.cond = c;
	n->u.cond.then = then;
	n->u.cond.els = els;
	return n;
}

static struct ast_node *mk_loop(struct pstate *p, enum ast_kind kind, const struct loc *loc,
				const char *var, struct ast_node *lo, struct ast_node *hi,
				struct ast_node *body)
{
	struct ast_node *n = mk(p, kind, loc);

	n->u.loop.var = var;
	n->u.loop.lo = lo;
	n->u.loop.hi = hi;
	n->u.loop.body = body;
	return n;
}

static struct ast_node *mk_tuple(struct pstate *p, enum ast_kind kind, const struct loc *loc,
				 struct ast_node *elems)
{
	struct ast_node *n = mk(p, kind, loc);

	n->u.tuple.elems = elems;
	return n;
}

static struct ast_node *mk_named(struct pstate *p, const struct loc *loc, const char *name,
				 struct ast_node *value)
{
	struct ast_node *n = mk(p, AST_NAMED, loc);

	n->u.named.name = name;
	n->u.named.value = value;
	return n;
}

static struct ast_node *mk_cast(struct pstate *p, enum ast_kind kind, const struct loc *loc,
				struct ast_typespec *ts, struct ast_node *e, const char *field)
{
	struct ast_node *n = mk(p, kind, loc);

	n->u.cast.ts = ts;
	n->u.cast.expr = e;
	n->u.cast.field = field;
	return n;
}

/* A map key: `@m[a]` keeps the one expression, `@m[a, b]` becomes the TUPLE (a, b). */
static struct ast_node *mk_key(struct pstate *p, const struct loc *loc, struct ast_node *keys)
{
	if (!keys || !keys->next)
		return keys;
	return mk_tuple(p, AST_TUPLE, loc, keys);
}

static struct ast_node *mk_field(struct pstate *p, const struct loc *loc, struct ast_node *base,
				 const char *name, bool arrow)
{
	struct ast_node *n = mk(p, AST_FIELD, loc);

	n->u.field.base = base;
	n->u.field.name = name;
	n->u.field.arrow = arrow;
	return n;
}

static struct ast_node *mk_tindex(struct pstate *p, const struct loc *loc, struct ast_node *base,
				  struct ast_node *idx)
{
	struct ast_node *n = mk(p, AST_TUPLE_INDEX, loc);

	if (idx->u.num.value > INT_MAX || idx->u.num.suffix)
		pstate_error(p, &idx->loc, "invalid tuple index");
	n->u.tindex.base = base;
	n->u.tindex.index = idx->u.num.value > INT_MAX ? INT_MAX : (int)idx->u.num.value;
	return n;
}

static struct ast_typespec *mk_ts(struct pstate *p, const struct loc *loc, const char *name,
				  struct ast_node *typeof_node)
{
	struct ast_typespec *ts = arena_new_obj(p->arena, struct ast_typespec);

	ts->loc = *loc;
	ts->name = name;
	ts->typeof_expr = typeof_node;
	ts->array_len = -1;
	return ts;
}

/* typeof(e) or typeof(T): a TYPEOF node holding e in cast.expr or T in cast.ts. */
static struct ast_node *mk_typeof(struct pstate *p, const struct loc *loc,
				  struct ast_typespec *ts, struct ast_node *e)
{
	return mk_cast(p, AST_TYPEOF, loc, ts, e, NULL);
}

static struct ast_node *mk_probe(struct pstate *p, const struct loc *loc, const char *name,
				 struct ast_node *attach, struct ast_node *pred,
				 struct ast_node *body, bool angle)
{
	struct ast_node *n = mk(p, AST_PROBE, loc);

	n->u.probe.name = name;
	n->u.probe.attach = attach;
	n->u.probe.pred = pred;
	n->u.probe.body = body;
	n->u.probe.angle = angle;
	return n;
}

static struct ast_node *mk_fn(struct pstate *p, enum ast_kind kind, const struct loc *loc,
			      const char *name, struct ast_node *params, struct ast_typespec *ret,
			      struct ast_node *body)
{
	struct ast_node *n = mk(p, kind, loc);

	n->u.macro.name = name;
	n->u.macro.params = params;
	n->u.macro.ret = ret;
	n->u.macro.body = body;
	return n;
}

static struct ast_node *mk_mapdecl(struct pstate *p, const struct loc *loc, const char *name,
				   const char *mtype, struct ast_node *num)
{
	struct ast_node *n = mk(p, AST_MAPDECL, loc);

	n->u.mapdecl.name = name;
	n->u.mapdecl.mtype = mtype;
	n->u.mapdecl.max_entries = num->u.num.value > LONG_MAX ? LONG_MAX : (long)num->u.num.value;
	return n;
}

static void add_item(struct pstate *p, struct ast_node *n)
{
	list_add(&p->items, n);
}

static struct nlist list_none(void)
{
	return (struct nlist){NULL, NULL};
}

static struct nlist list_one(struct ast_node *n)
{
	return (struct nlist){n, n};
}

/* Append n in constant time (ast_append walks the list: quadratic for long ones). */
static void list_add(struct nlist *l, struct ast_node *n)
{
	if (!n)
		return;
	if (l->tail)
		l->tail->next = n;
	else
		l->head = n;
	l->tail = n;
	while (l->tail->next)
		l->tail = l->tail->next;
}

static const char *fpath_join(struct pstate *p, const char *a, const char *b)
{
	return arena_printf(p->arena, "%s.%s", a, b);
}

/*
 * Refuse trees deeper than MAX_TREE_DEPTH (`1+1+...+1` a thousand times is
 * shallow for the parser's stack but deep for a recursive walker).  The
 * walk keeps its own stack, so it is safe on any tree.
 */
struct depth_item {
	const struct ast_node *n;
	int depth;
};

static bool check_depth(struct pstate *p, const struct ast_node *root)
{
	size_t cap = 256, len = 0;
	struct depth_item *stack = xmalloc(cap * sizeof(*stack));
	bool ok = true;

	stack[len++] = (struct depth_item){root, 1};
	while (len > 0 && ok) {
		struct depth_item it = stack[--len];
		struct ast_node *kids[AST_MAX_CHILDREN];
		size_t nk = ast_children(it.n, kids);

		if (it.depth > MAX_TREE_DEPTH) {
			pstate_error(p, &it.n->loc, "the program is nested too deeply");
			ok = false;
			break;
		}
		for (size_t i = 0; i < nk; i++) {
			for (struct ast_node *k = kids[i]; k; k = k->next) {
				if (len == cap) {
					cap *= 2;
					stack = xrealloc(stack, cap * sizeof(*stack));
				}
				stack[len++] = (struct depth_item){k, it.depth + 1};
			}
		}
	}
	free(stack);
	return ok;
}

struct ast_node *parse_program(struct arena *a, struct diags *d, const struct source *src)
{
	struct pstate p = {.arena = a, .diags = d, .src = src};
	struct loc start = {.file = src->name, .line = 1, .col = 1, .end_line = 1, .end_col = 1};

	if (src->len > INT_MAX / 2) {
		/* flex buffers are sized with int */
		diag_error(d, NULL, "%s: the program is too large", src->name);
		return NULL;
	}
	p.program = ast_new(a, AST_PROGRAM, &start);
	ct_lex_init(&p);
	int rc = yyparse(&p);
	ct_lex_fini(&p);
	p.program->u.program.cdefs = p.cdefs.head;
	p.program->u.program.imports = p.imports.head;
	p.program->u.program.items = p.items.head;
	if (rc == 0 && p.nerrors == 0)
		check_depth(&p, p.program);
	if (rc != 0 || p.nerrors > 0)
		return NULL;
	return p.program;
}
