/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The parser: every construct of the grammar, both action-block forms,
 * precedence, the lexical rules, every error message and error recovery.
 * Trees are compared as `-d ast` text or, for expressions, as S-expressions.
 */
#include <stdlib.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "t.h"

static struct arena *arena;

struct result {
	struct ast_node *prog;
	const char *ast;   /* ast_print output, or "" */
	const char *diags; /* diags_print output, or "" */
};

static const char *capture_end(FILE *f, char **buf, size_t *len)
{
	fclose(f);
	const char *s = arena_strndup(arena, *buf, *len);
	free(*buf);
	return s;
}

static struct result parse_n(const char *text, size_t len)
{
	/* The source keeps its own copy: the lexer must rely on len, not on a NUL. */
	char *copy = arena_alloc(arena, len + 1);
	struct source *src = arena_new_obj(arena, struct source);
	struct diags d;
	struct result r;
	char *buf = NULL;
	size_t blen = 0;
	FILE *f;

	memcpy(copy, text, len);
	src->name = "stdin";
	src->text = copy;
	src->len = len;
	diags_init(&d, arena, src);
	r.prog = parse_program(arena, &d, src);
	f = open_memstream(&buf, &blen);
	ast_print(r.prog, f);
	r.ast = capture_end(f, &buf, &blen);
	f = open_memstream(&buf, &blen);
	diags_print(&d, f);
	r.diags = capture_end(f, &buf, &blen);
	if (r.prog && d.nerrors)
		r.diags = arena_printf(arena, "%sBUG: a tree despite errors\n", r.diags);
	return r;
}

static struct result parse(const char *text)
{
	return parse_n(text, strlen(text));
}

/* --- S-expressions for expression trees ------------------------------------------------------- */

static const char *sexpr(const struct ast_node *n);

static const char *sexpr_list(const struct ast_node *n)
{
	const char *s = "";

	for (; n; n = n->next)
		s = arena_printf(arena, "%s %s", s, sexpr(n));
	return s;
}

static const char *ts_str(const struct ast_typespec *ts)
{
	const char *s = ts->name ? ts->name : arena_printf(arena, "typeof%s",
							   sexpr(ts->typeof_expr));
	for (int i = 0; i < ts->ptr_depth; i++)
		s = arena_printf(arena, "%s*", s);
	if (ts->array_len >= 0)
		s = arena_printf(arena, "%s[%ld]", s, ts->array_len);
	return s;
}

static const char *sexpr_leaf(const struct ast_node *n)
{
	switch (n->kind) {
	case AST_INT:
		return arena_printf(arena, "%llu%s", (unsigned long long)n->u.num.value,
				    n->u.num.is_unsigned ? "u" : "");
	case AST_STRING:
		return arena_printf(arena, "\"%.*s\"", (int)n->u.str.len, n->u.str.value);
	case AST_BOOL:
		return n->u.boolean.value ? "true" : "false";
	case AST_IDENT:
	case AST_VAR:
		return n->u.ident.name;
	case AST_POSITIONAL:
		return arena_printf(arena, "$%d", n->u.positional.n);
	case AST_POSCOUNT:
		return "$#";
	default:
		return NULL;
	}
}

static const char *sexpr(const struct ast_node *n)
{
	const char *leaf;

	if (!n)
		return "nil";
	if ((leaf = sexpr_leaf(n)))
		return leaf;
	switch (n->kind) {
	case AST_MAP:
		if (!n->u.ident.args)
			return n->u.ident.name;
		return arena_printf(arena, "(%s[] %s)", n->u.ident.name, sexpr(n->u.ident.args));
	case AST_CALL:
		return arena_printf(arena, "(%s%s)", n->u.ident.name, sexpr_list(n->u.ident.args));
	case AST_BINOP:
		return arena_printf(arena, "(%s %s %s)", binop_str(n->u.binop.op),
				    sexpr(n->u.binop.lhs), sexpr(n->u.binop.rhs));
	case AST_UNOP:
		return arena_printf(arena, "(%s %s)", unop_str(n->u.unop.op), sexpr(n->u.unop.operand));
	case AST_INCDEC:
		return arena_printf(arena, n->u.incdec.prefix ? "(%s %s)" : "(%s post %s)",
				    n->u.incdec.inc ? "++" : "--", sexpr(n->u.incdec.target));
	case AST_TERNARY:
		return arena_printf(arena, "(? %s %s %s)", sexpr(n->u.ternary.cond),
				    sexpr(n->u.ternary.then), sexpr(n->u.ternary.els));
	case AST_FIELD:
		return arena_printf(arena, "(%s %s %s)", n->u.field.arrow ? "->" : ".",
				    sexpr(n->u.field.base), n->u.field.name);
	case AST_TUPLE_INDEX:
		return arena_printf(arena, "(. %s %d)", sexpr(n->u.tindex.base), n->u.tindex.index);
	case AST_INDEX:
		return arena_printf(arena, "([] %s %s)", sexpr(n->u.index.base),
				    sexpr(n->u.index.index));
	case AST_TUPLE:
		return arena_printf(arena, "(tuple%s)", sexpr_list(n->u.tuple.elems));
	case AST_RECORD:
		return arena_printf(arena, "(record%s)", sexpr_list(n->u.tuple.elems));
	case AST_NAMED:
		return arena_printf(arena, "%s=%s", n->u.named.name, sexpr(n->u.named.value));
	case AST_CAST:
		return arena_printf(arena, "(cast %s %s)", ts_str(n->u.cast.ts), sexpr(n->u.cast.expr));
	case AST_SIZEOF:
		return arena_printf(arena, "(sizeof %s)",
				    n->u.cast.ts ? ts_str(n->u.cast.ts) : sexpr(n->u.cast.expr));
	case AST_OFFSETOF:
		return arena_printf(arena, "(offsetof %s %s)",
				    n->u.cast.ts ? ts_str(n->u.cast.ts) : sexpr(n->u.cast.expr),
				    n->u.cast.field);
	case AST_TYPEOF:
		return arena_printf(arena, "(%s)",
				    n->u.cast.ts ? ts_str(n->u.cast.ts) : sexpr(n->u.cast.expr));
	default:
		return ast_kind_name(n->kind);
	}
}

/* The S-expression of `e` parsed as the only statement of a probe, or the diagnostics. */
static const char *expr(const char *e)
{
	struct result r = parse(arena_printf(arena, "BEGIN { %s }", e));

	if (!r.prog)
		return r.diags;
	const struct ast_node *stmt = r.prog->u.program.items->u.probe.body->u.block.stmts;
	if (stmt->kind != AST_EXPR_STMT)
		return ast_kind_name(stmt->kind);
	return sexpr(stmt->u.stmt.expr);
}

/* The S-expression of the statements of `BEGIN { s }`, one per line. */
static const char *stmts(const char *s)
{
	struct result r = parse(arena_printf(arena, "BEGIN { %s }", s));
	const char *out = "";

	if (!r.prog)
		return r.diags;
	ast_foreach(st, r.prog->u.program.items->u.probe.body->u.block.stmts)
	{
		const char *line;
		switch (st->kind) {
		case AST_EXPR_STMT:
			line = sexpr(st->u.stmt.expr);
			break;
		case AST_ASSIGN:
			line = arena_printf(arena, "%s%s %s %s",
					    st->u.assign.op ? binop_str(st->u.assign.op) : "", "=",
					    sexpr(st->u.assign.target), sexpr(st->u.assign.value));
			break;
		case AST_LET:
			line = arena_printf(arena, "let %s %s %s", st->u.let.name,
					    st->u.let.ts ? ts_str(st->u.let.ts) : "-",
					    sexpr(st->u.let.init));
			break;
		default:
			line = ast_kind_name(st->kind);
		}
		out = arena_printf(arena, "%s%s\n", out, line);
	}
	return out;
}

/* The diagnostics of a program that must fail. */
static const char *errors(const char *text)
{
	struct result r = parse(text);

	return r.prog ? "(parsed)" : r.diags;
}

/* --- probes and top level --------------------------------------------------------------------- */

static void test_probe_forms(void)
{
	CHECK_STR(parse("tracepoint:syscalls:sys_enter_* < @[probe]=count(); >").ast,
		  "program\n"
		  " probe <>\n"
		  "  attach tracepoint:syscalls:sys_enter_*\n"
		  "  block\n"
		  "   assign =\n"
		  "    map @\n"
		  "     ident probe\n"
		  "    call count\n");
	CHECK_STR(parse("BEGIN { printf(\"hi\\n\"); exit(); }").ast,
		  "program\n"
		  " probe\n"
		  "  attach BEGIN\n"
		  "  block\n"
		  "   expr_stmt\n"
		  "    call printf\n"
		  "     string \"hi\\n\"\n"
		  "   expr_stmt\n"
		  "    call exit\n");
	CHECK_STR(parse("kprobe:f, kretprobe:g, /pid == 1/ { }").ast,
		  "program\n"
		  " probe\n"
		  "  attach kprobe:f\n"
		  "  attach kretprobe:g\n"
		  "  pred\n"
		  "   binop ==\n"
		  "    ident pid\n"
		  "    int 1\n"
		  "  block\n");
	CHECK_STR(parse("mine=BEGIN/1/<>").ast,
		  "program\n probe mine= <>\n  attach BEGIN\n  pred\n   int 1\n  block\n");
	CHECK_STR(parse("BEGIN{}END{}begin,end{}").ast,
		  "program\n probe\n  attach BEGIN\n  block\n probe\n  attach END\n  block\n"
		  " probe\n  attach begin\n  attach end\n  block\n");
}

static void test_attach_text(void)
{
	CHECK_STR(parse("uprobe:/bin/bash:readline,i:ms:$1,"
			"uretprobe:/proc/$container_pid/exe:\"main.counterValue\","
			"u:lib.so:\"fn(char const*)\",uprobe:\"/a/b.apk!/lib/x.so\":f,$1 {}")
			  .ast,
		  "program\n"
		  " probe\n"
		  "  attach uprobe:/bin/bash:readline\n"
		  "  attach i:ms:$1\n"
		  "  attach uretprobe:/proc/$container_pid/exe:\"main.counterValue\"\n"
		  "  attach u:lib.so:\"fn(char const*)\"\n"
		  "  attach uprobe:\"/a/b.apk!/lib/x.so\":f\n"
		  "  attach $1\n"
		  "  block\n");
	/* A `/` before any `:` starts the predicate. */
	CHECK_STR(parse("BEGIN /$x / 2 > 1/ // why\n/* c */ { }").ast,
		  "program\n probe\n  attach BEGIN\n  pred\n   binop >\n    binop /\n"
		  "     var $x\n     int 2\n    int 1\n  block\n");
	CHECK_STR(parse("BEGIN/pid/{}").ast,
		  "program\n probe\n  attach BEGIN\n  pred\n   ident pid\n  block\n");
	CHECK_STR(parse("kprobe:do_*, t:sched:sched_[ab]*\n{ }").ast,
		  "program\n probe\n  attach kprobe:do_*\n  attach t:sched:sched_[ab]*\n  block\n");
}

static void test_angle_blocks(void)
{
	/* `>` is greater-than unless it can only be the end of the block. */
	CHECK_STR(parse("BEGIN < if (pid > 1) { @x = 1 > 0; } >").ast,
		  "program\n"
		  " probe <>\n"
		  "  attach BEGIN\n"
		  "  block\n"
		  "   if\n"
		  "    binop >\n"
		  "     ident pid\n"
		  "     int 1\n"
		  "    block\n"
		  "     assign =\n"
		  "      map @x\n"
		  "      binop >\n"
		  "       int 1\n"
		  "       int 0\n");
	/* Closed by what follows: end of input, or the next item on a new line. */
	CHECK_STR(parse("BEGIN < @x = 1 >").ast,
		  "program\n probe <>\n  attach BEGIN\n  block\n   assign =\n    map @x\n    int 1\n");
	CHECK_STR(parse("BEGIN < @x = 1 > // done\n/* c */").ast,
		  "program\n probe <>\n  attach BEGIN\n  block\n   assign =\n    map @x\n    int 1\n");
	CHECK_STR(parse("BEGIN < @x = 1 >\nEND < print(@x) >\ni:s:1 <>").ast,
		  "program\n"
		  " probe <>\n  attach BEGIN\n  block\n   assign =\n    map @x\n    int 1\n"
		  " probe <>\n  attach END\n  block\n   expr_stmt\n    call print\n     map @x\n"
		  " probe <>\n  attach i:s:1\n  block\n");
	CHECK_STR(parse("BEGIN < @x = 1 > END < print(@x) > k:f, k:g < @y = 2 > t:a:b /1/ < 3 >").ast,
		  "program\n"
		  " probe <>\n  attach BEGIN\n  block\n   assign =\n    map @x\n    int 1\n"
		  " probe <>\n  attach END\n  block\n   expr_stmt\n    call print\n     map @x\n"
		  " probe <>\n  attach k:f\n  attach k:g\n  block\n   assign =\n    map @y\n"
		  "    int 2\n"
		  " probe <>\n  attach t:a:b\n  pred\n   int 1\n  block\n   expr_stmt\n    int 3\n");
	CHECK_STR(stmts("@x = 1 > a; @y = $a > b / 2; @z = 1 > c < 3;"),
		  "= @x (> 1 a)\n= @y (> $a (/ b 2))\n= @z (< (> 1 c) 3)\n");
	CHECK_STR(parse("BEGIN < @x = $1 > 2; >").ast,
		  "program\n probe <>\n  attach BEGIN\n  block\n   assign =\n    map @x\n"
		  "    binop >\n     positional $1\n     int 2\n");
	CHECK_STR(parse("BEGIN < { @x = 1 } >").ast,
		  "program\n probe <>\n  attach BEGIN\n  block\n   block\n    assign =\n"
		  "     map @x\n     int 1\n");
	CHECK_STR(parse("BEGIN /pid > 1/ < @x >>= 2; >").ast,
		  "program\n probe <>\n  attach BEGIN\n  pred\n   binop >\n    ident pid\n"
		  "    int 1\n  block\n   assign >>=\n    map @x\n    int 2\n");
}

static void test_top_level(void)
{
	CHECK_STR(parse("#!/usr/bin/env bpftrace\n"
			"#include <linux/sched.h>\n"
			"#define RED \"\\033[31m\" \\\n  more\n"
			"struct Foo { int x; struct { int y; } z; };\n"
			"union U { int a; }\n"
			"enum E { A, B }\n"
			"config = { max_strlen = 100; stack_mode = perf; print_maps_on_exit = false; "
			"license = \"GPL\" }\n"
			"import \"lib.bt\";\n"
			"let @m = lruhash(100);\n"
			"BEGIN {}")
			  .ast,
		  "program #!/usr/bin/env bpftrace\n"
		  " cdef #include <linux/sched.h>\n"
		  " cdef #define RED \\\"\\\\033[31m\\\" \\\\\\n  more\n"
		  " cdef struct Foo { int x; struct { int y; } z; };\n"
		  " cdef union U { int a; }\n"
		  " cdef enum E { A, B }\n"
		  " config\n"
		  "  named max_strlen\n   int 100\n"
		  "  named stack_mode\n   ident perf\n"
		  "  named print_maps_on_exit\n   bool false\n"
		  "  named license\n   string \"GPL\"\n"
		  " import \"lib.bt\"\n"
		  " mapdecl @m lruhash 100\n"
		  " probe\n  attach BEGIN\n  block\n");
	CHECK_STR(parse("struct S { int a; } __attribute__((packed, aligned(8)));\nBEGIN{}").ast,
		  "program\n cdef struct S { int a; } __attribute__((packed, aligned(8)));\n"
		  " probe\n  attach BEGIN\n  block\n");
	CHECK_STR(parse("config={a=1}\nBEGIN{}").ast,
		  "program\n config\n  named a\n   int 1\n probe\n  attach BEGIN\n  block\n");
	CHECK_STR(parse("macro add($a, @m, x) { $a + x }\n"
			"fn f($a: int64, $p: struct task_struct *): uint64 { return $a + 1; }\n"
			"fn g() { return; }")
			  .ast,
		  "program\n"
		  " macro add\n  var $a\n  map @m\n  ident x\n  block\n   expr_stmt\n"
		  "    binop +\n     var $a\n     ident x\n"
		  " fn f : uint64\n  var $a : int64\n  var $p : struct task_struct *\n  block\n"
		  "   return\n    binop +\n     var $a\n     int 1\n"
		  " fn g\n  block\n   return\n");
	CHECK_STR(parse("").ast, "program\n");
	CHECK_STR(parse("// nothing\n/* at all */\n").ast, "program\n");
}

/* --- statements ------------------------------------------------------------------------------- */

static void test_statements(void)
{
	CHECK_STR(stmts("$v = 1; @m = 2; @m[1, \"a\"] = 3; @m[(1, 2)] = 4; @ = 5"),
		  "= $v 1\n= @m 2\n= (@m[] (tuple 1 \"a\")) 3\n= (@m[] (tuple 1 2)) 4\n= @ 5\n");
	CHECK_STR(stmts("$a += 1; $a -= 1; $a *= 1; $a /= 1; $a %= 1; $a &= 1; $a |= 1; "
			"$a ^= 1; $a <<= 1; $a >>= 1"),
		  "+= $a 1\n-= $a 1\n*= $a 1\n/= $a 1\n%= $a 1\n&= $a 1\n|= $a 1\n^= $a 1\n"
		  "<<= $a 1\n>>= $a 1\n");
	CHECK_STR(stmts("$x++; $x--; ++@y; --@y[1]"),
		  "(++ post $x)\n(-- post $x)\n(++ @y)\n(-- (@y[] 1))\n");
	CHECK_STR(stmts("let $a; let $b = 1; let $c: uint8; let $d: string[16] = \"x\";"),
		  "let $a - nil\nlet $b - 1\nlet $c uint8 nil\nlet $d string[16] \"x\"\n");
	CHECK_STR(stmts("$x.a = 1; $p->b = 2; *$q = 3; $t[1] = 4"),
		  "= (. $x a) 1\n= (-> $p b) 2\n= (* $q) 3\n= ([] $t 1) 4\n");
	CHECK_STR(stmts("break; continue; return; return 1;;; {} exit"),
		  "break\ncontinue\nreturn\nreturn\nblock\nexit\n");
	CHECK_STR(stmts("if (1) { } else if ($x) { } else { } while $i < 3 { } unroll (5) { } "
			"for ($i : 0..10) { } for ($kv : @m) { }"),
		  "if\nwhile\nunroll\nfor_range\nfor_map\n");
	CHECK_STR(parse("BEGIN { if (a) { b } else if (c) { d } else { e } }").ast,
		  "program\n probe\n  attach BEGIN\n  block\n"
		  "   if\n    ident a\n    block\n     expr_stmt\n      ident b\n"
		  "    if\n     ident c\n     block\n      expr_stmt\n       ident d\n"
		  "     block\n      expr_stmt\n       ident e\n");
	CHECK_STR(parse("BEGIN { for ($i : 1..$#) { @[$i] = 1 } unroll(2) { @x++ } }").ast,
		  "program\n probe\n  attach BEGIN\n  block\n"
		  "   for_range $i\n    int 1\n    poscount\n    block\n     assign =\n"
		  "      map @\n       var $i\n      int 1\n"
		  "   unroll\n    int 2\n    block\n     expr_stmt\n      incdec ++ postfix\n"
		  "       map @x\n");
	CHECK_STR(parse("BEGIN { for ($kv : @m) { print($kv.0) } while (1) { break } }").ast,
		  "program\n probe\n  attach BEGIN\n  block\n"
		  "   for_map $kv\n    map @m\n    block\n     expr_stmt\n      call print\n"
		  "       tuple_index .0\n        var $kv\n"
		  "   while\n    int 1\n    block\n     break\n");
}

/* --- expressions ------------------------------------------------------------------------------ */

static void test_precedence(void)
{
	CHECK_STR(expr("1 + 2 * 3"), "(+ 1 (* 2 3))");
	CHECK_STR(expr("1 - 2 - 3"), "(- (- 1 2) 3)");
	CHECK_STR(expr("8 / 4 % 3 * 2"), "(* (% (/ 8 4) 3) 2)");
	CHECK_STR(expr("1 << 2 + 3"), "(<< 1 (+ 2 3))");
	CHECK_STR(expr("1 < 2 << 3"), "(< 1 (<< 2 3))");
	CHECK_STR(expr("1 == 2 < 3"), "(== 1 (< 2 3))");
	CHECK_STR(expr("a & b == c"), "(& a (== b c))");
	CHECK_STR(expr("a ^ b & c"), "(^ a (& b c))");
	CHECK_STR(expr("a | b ^ c"), "(| a (^ b c))");
	CHECK_STR(expr("a && b | c"), "(&& a (| b c))");
	CHECK_STR(expr("a || b && c"), "(|| a (&& b c))");
	CHECK_STR(expr("a >= b != c <= d"), "(!= (>= a b) (<= c d))");
	CHECK_STR(expr("a > b >> c"), "(> a (>> b c))");
	CHECK_STR(expr("a ? b : c ? d : e"), "(? a b (? c d e))");
	CHECK_STR(expr("a || b ? c + 1 : d"), "(? (|| a b) (+ c 1) d)");
	CHECK_STR(expr("a ? b ? c : d : e"), "(? a (? b c d) e)");
	CHECK_STR(expr("$1 ?: 3"), "(? $1 nil 3)");
	CHECK_STR(expr("!a && ~b"), "(&& (! a) (~ b))");
	CHECK_STR(expr("-a * -b"), "(* (- a) (- b))");
	CHECK_STR(expr("*a + &b"), "(+ (* a) (& b))");
	CHECK_STR(expr("a * *b"), "(* a (* b))");
	CHECK_STR(expr("- - 1"), "(- (- 1))");
	CHECK_STR(expr("!$x++"), "(! (++ post $x))");
	CHECK_STR(expr("-x.y[1]"), "(- ([] (. x y) 1))");
	CHECK_STR(expr("(1 + 2) * 3"), "(* (+ 1 2) 3)");
	CHECK_STR(expr("(uint8)a + b"), "(+ (cast uint8 a) b)");
	CHECK_STR(expr("(int16)-a->b"), "(cast int16 (- (-> a b)))");
}

static void test_postfix_and_primary(void)
{
	CHECK_STR(expr("args.fd + args->count"), "(+ (. args fd) (-> args count))");
	CHECK_STR(expr("$t.0.1"), "(. (. $t 0) 1)");
	CHECK_STR(expr("@m[1][2]"), "([] (@m[] 1) 2)");
	CHECK_STR(expr("f(1, \"a\", @m)"), "(f 1 \"a\" @m)");
	CHECK_STR(expr("f()"), "(f)");
	CHECK_STR(expr("exit"), "exit");
	CHECK_STR(expr("(1, \"a\")"), "(tuple 1 \"a\")");
	CHECK_STR(expr("(1,)"), "(tuple 1)");
	CHECK_STR(expr("()"), "(tuple)");
	CHECK_STR(expr("(1, 2, 3,)"), "(tuple 1 2 3)");
	CHECK_STR(expr("(a=1, b=\"x\")"), "(record a=1 b=\"x\")");
	CHECK_STR(expr("(a=(1,2),)"), "(record a=(tuple 1 2))");
	CHECK_STR(expr("true != false"), "(!= true false)");
	CHECK_STR(expr("$1 + $# + $x + @ + @y"), "(+ (+ (+ (+ $1 $#) $x) @) @y)");
	CHECK_STR(expr("pid + comm + args + arg0 + retval"),
		  "(+ (+ (+ (+ pid comm) args) arg0) retval)");
	/* Field names may be keywords or type names. */
	CHECK_STR(expr("a.if + a->string + a.struct"), "(+ (+ (. a if) (-> a string)) (. a struct))");
}

static void test_types(void)
{
	CHECK_STR(expr("(uint8)x"), "(cast uint8 x)");
	CHECK_STR(expr("(struct foo *)arg0"), "(cast struct foo* arg0)");
	CHECK_STR(expr("(union u **)arg0"), "(cast union u** arg0)");
	CHECK_STR(expr("(int8[8])12345"), "(cast int8[8] 12345)");
	CHECK_STR(expr("(string)x"), "(cast string x)");
	CHECK_STR(expr("(bool)x"), "(cast bool x)");
	CHECK_STR(expr("(int32*[4])x"), "(cast int32*[4] x)");
	CHECK_STR(expr("(typeof($y))x"), "(cast typeof($y) x)");
	CHECK_STR(expr("(uint64)(int32)x"), "(cast uint64 (cast int32 x))");
	CHECK_STR(expr("sizeof(struct task_struct)"), "(sizeof struct task_struct)");
	CHECK_STR(expr("sizeof($x + 1)"), "(sizeof (+ $x 1))");
	CHECK_STR(expr("sizeof(uint32)"), "(sizeof uint32)");
	CHECK_STR(expr("offsetof(struct Foo, a.b.c)"), "(offsetof struct Foo a.b.c)");
	CHECK_STR(expr("offsetof($x, a)"), "(offsetof $x a)");
	CHECK_STR(stmts("let $x: typeof(1 + 2) = 3; let $p: struct S * = 0;"),
		  "let $x typeof((+ 1 2)) 3\nlet $p struct S* 0\n");
	CHECK_STR(stmts("let $x: typeof(uint16);"), "let $x typeof(uint16) nil\n");
	CHECK_STR(stmts("let $y: string[];"), "let $y string[0] nil\n");
}

/* --- lexical rules ---------------------------------------------------------------------------- */

static void test_integers(void)
{
	CHECK_STR(expr("0"), "0");
	CHECK_STR(expr("1_000_000"), "1000000");
	CHECK_STR(expr("0x1F + 0XfF"), "(+ 31 255)");
	CHECK_STR(expr("010"), "8");
	CHECK_STR(expr("1e3 + 2E2"), "(+ 1000 200)");
	CHECK_STR(expr("0e99999999999999"), "0"); /* once a fuzzer-found hang */
	CHECK_STR(expr("5U + 5L + 5UL + 5LL + 5ULL + 5ull"),
		  "(+ (+ (+ (+ (+ 5u 5) 5u) 5) 5u) 5u)");
	CHECK_STR(expr("1ns + 1us + 1ms + 1s"), "(+ (+ (+ 1 1000) 1000000) 1000000000)");
	CHECK_STR(expr("1m + 1h + 1d"), "(+ (+ 60000000000 3600000000000) 86400000000000)");
	CHECK_STR(expr("18446744073709551615"), "18446744073709551615u");
	CHECK_STR(expr("9223372036854775807"), "9223372036854775807");
	CHECK_STR(expr("0xffffffffffffffff"), "18446744073709551615u");
	CHECK_STR(parse("BEGIN { 2s }").ast,
		  "program\n probe\n  attach BEGIN\n  block\n   expr_stmt\n    int 2000000000 (s)\n");
	CHECK_STR(errors("BEGIN { 18446744073709551616 }"),
		  "stdin:1:9-29: ERROR: integer literal is too large: 18446744073709551616\n"
		  "BEGIN { 18446744073709551616 }\n"
		  "        ~~~~~~~~~~~~~~~~~~~~\n");
	CHECK_STR(errors("BEGIN { 1e30 }"),
		  "stdin:1:9-13: ERROR: integer literal is too large: 1e30\n"
		  "BEGIN { 1e30 }\n"
		  "        ~~~~\n");
	CHECK_STR(errors("BEGIN { 100000000d }"),
		  "stdin:1:9-19: ERROR: integer literal is too large: 100000000d\n"
		  "BEGIN { 100000000d }\n"
		  "        ~~~~~~~~~~\n");
	CHECK_STR(errors("BEGIN { 12abc + 09 }"),
		  "stdin:1:9-14: ERROR: invalid integer literal: 12abc\n"
		  "BEGIN { 12abc + 09 }\n"
		  "        ~~~~~\n"
		  "stdin:1:17-19: ERROR: invalid integer literal: 09\n"
		  "BEGIN { 12abc + 09 }\n"
		  "                ~~\n");
}

static void test_strings(void)
{
	struct result r = parse("BEGIN { \"a\\n\\t\\r\\\"\\\\\\101\\x41\\0z\" }");

	CHECK(r.prog != NULL);
	if (r.prog) {
		const struct ast_node *s =
			r.prog->u.program.items->u.probe.body->u.block.stmts->u.stmt.expr;
		CHECK_INT(s->u.str.len, 10);
		CHECK(memcmp(s->u.str.value, "a\n\t\r\"\\AA\0z", 10) == 0);
	}
	CHECK_STR(expr("\"\""), "\"\"");
	CHECK_STR(expr("\"\\x4\" + \"\\7\""), "(+ \"\x04\" \"\x07\")");
	CHECK_STR(errors("BEGIN { \"abc\\q\" }"),
		  "stdin:1:13-15: ERROR: invalid escape character '\\q'\n"
		  "BEGIN { \"abc\\q\" }\n"
		  "            ~~\n");
	CHECK_STR(errors("BEGIN { \"\\400\" }"),
		  "stdin:1:10-12: ERROR: invalid escape character '\\400'\n"
		  "BEGIN { \"\\400\" }\n"
		  "         ~~\n");
	CHECK_STR(errors("BEGIN { \"\\xg\" }"),
		  "stdin:1:10-12: ERROR: invalid escape character '\\x'\n"
		  "BEGIN { \"\\xg\" }\n"
		  "         ~~\n");
	/* The `"` on the next line starts another unterminated string. */
	CHECK_STR(errors("BEGIN { \"abc\n\" }"),
		  "stdin:1:9-13: ERROR: unterminated string\n"
		  "BEGIN { \"abc\n"
		  "        ~~~~\n"
		  "stdin:2:1-4: ERROR: unterminated string\n"
		  "\" }\n"
		  "~~~\n");
	CHECK_STR(errors("BEGIN { \"abc"),
		  "stdin:1:9-13: ERROR: unterminated string\n"
		  "BEGIN { \"abc\n"
		  "        ~~~~\n");
	CHECK_STR(errors("uprobe:\"/bin/x {}"),
		  "stdin:1:8-18: ERROR: unterminated string\n"
		  "uprobe:\"/bin/x {}\n"
		  "       ~~~~~~~~~~\n");
}

static void test_comments(void)
{
	CHECK_STR(stmts("1 /* a * / b */ + // c\n 2"), "(+ 1 2)\n");
	CHECK_STR(parse("/* x */ BEGIN /* y */ { } // z").ast,
		  "program\n probe\n  attach BEGIN\n  block\n");
	CHECK_STR(errors("BEGIN { /* abc"),
		  "stdin:1:9-11: ERROR: end of file during comment\n"
		  "BEGIN { /* abc\n"
		  "        ~~\n");
	CHECK_STR(errors("/* BEGIN {}"),
		  "stdin:1:1-3: ERROR: end of file during comment\n"
		  "/* BEGIN {}\n"
		  "~~\n");
}

/* --- errors ----------------------------------------------------------------------------------- */

static void test_syntax_errors(void)
{
	CHECK_STR(errors("BEGIN { @x = foo(1 }"),
		  "stdin:1:20-21: ERROR: unexpected '}': expected ')' or ','\n"
		  "BEGIN { @x = foo(1 }\n"
		  "                   ~\n");
	CHECK_STR(errors("BEGIN {"),
		  "stdin:1:8-9: ERROR: unexpected end of file\n"
		  "BEGIN {\n"
		  "       ~\n");
	CHECK_STR(errors("BEGIN\n"),
		  "stdin:1:6-7: ERROR: unexpected end of file: "
		  "expected '/' or '<' or '{' or ','\n"
		  "BEGIN\n"
		  "     ~\n");
	CHECK_STR(errors("BEGIN { $x = ; }"),
		  "stdin:1:14-15: ERROR: unexpected ';': expected expression\n"
		  "BEGIN { $x = ; }\n"
		  "             ~\n");
	CHECK_STR(errors("BEGIN { if (x) { } else }"),
		  "stdin:1:25-26: ERROR: unexpected '}': expected 'if' or '{'\n"
		  "BEGIN { if (x) { } else }\n"
		  "                        ~\n");
	CHECK_STR(errors("BEGIN { 1 = 2 }"),
		  "stdin:1:9-10: ERROR: invalid assignment target\n"
		  "BEGIN { 1 = 2 }\n"
		  "        ~\n");
	CHECK_STR(errors("BEGIN { $t.99999999999 }"),
		  "stdin:1:12-23: ERROR: invalid tuple index\n"
		  "BEGIN { $t.99999999999 }\n"
		  "           ~~~~~~~~~~~\n");
	CHECK_STR(errors("BEGIN { a ` b }"),
		  "stdin:1:11-12: ERROR: invalid character '`'\n"
		  "BEGIN { a ` b }\n"
		  "          ~\n");
	CHECK_STR(errors("config = {a=1}\nconfig = {b=2}"),
		  "stdin:2:1-15: ERROR: only one config block is allowed\n"
		  "config = {b=2}\n"
		  "~~~~~~~~~~~~~~\n");
	CHECK_STR(errors("struct X { int a;"),
		  "stdin:1:1-11: ERROR: unterminated C definition\n"
		  "struct X { int a;\n"
		  "~~~~~~~~~~\n");
	CHECK_STR(errors("BEGIN { $1000000000000 }"),
		  "stdin:1:9-23: ERROR: positional parameter is too large: $1000000000000\n"
		  "BEGIN { $1000000000000 }\n"
		  "        ~~~~~~~~~~~~~~\n");
	CHECK_STR(errors("BEGIN { @x = 1 2 }"),
		  "stdin:1:16-17: ERROR: unexpected integer: expected '}' or ';'\n"
		  "BEGIN { @x = 1 2 }\n"
		  "               ~\n");
}

static void test_recovery(void)
{
	/* One error per broken statement or item; the good parts are still read. */
	CHECK_STR(errors("BEGIN { @x = 1 +; @y = 2 } END { $x = ; }\nkprobe:f { a b; c d }\n"
			 "i:s:1 { @ok = 1 }"),
		  "stdin:1:17-18: ERROR: unexpected ';': expected expression\n"
		  "BEGIN { @x = 1 +; @y = 2 } END { $x = ; }\n"
		  "                ~\n"
		  "stdin:1:39-40: ERROR: unexpected ';': expected expression\n"
		  "BEGIN { @x = 1 +; @y = 2 } END { $x = ; }\n"
		  "                                      ~\n"
		  "stdin:2:14-15: ERROR: unexpected identifier: "
		  "expected '}' or ';' or '('\n"
		  "kprobe:f { a b; c d }\n"
		  "             ~\n"
		  "stdin:2:19-20: ERROR: unexpected identifier: "
		  "expected '}' or ';' or '('\n"
		  "kprobe:f { a b; c d }\n"
		  "                  ~\n");
	/* An error in a nested block does not lose the enclosing probe. */
	CHECK_STR(errors("BEGIN { if (1) { ) } @x = ; }"),
		  "stdin:1:18-19: ERROR: unexpected ')'\n"
		  "BEGIN { if (1) { ) } @x = ; }\n"
		  "                 ~\n"
		  "stdin:1:27-28: ERROR: unexpected ';': expected expression\n"
		  "BEGIN { if (1) { ) } @x = ; }\n"
		  "                          ~\n");
	/* A broken attach list resynchronises at the end of the item. */
	CHECK_STR(errors("BEGIN END { } i:s:1 { @x = }"),
		  "stdin:1:7-10: ERROR: unexpected attach point: "
		  "expected '/' or '<' or '{' or ','\n"
		  "BEGIN END { } i:s:1 { @x = }\n"
		  "      ~~~\n"
		  "stdin:1:28-29: ERROR: unexpected '}': expected expression\n"
		  "BEGIN END { } i:s:1 { @x = }\n"
		  "                           ~\n");
	/* A stray `}` at top level. */
	CHECK(strstr(errors("} BEGIN { }"), "unexpected '}'") != NULL);
}

static void test_binary_input(void)
{
	static const char bin[] = "BEGIN { \0\x01\xff @x = 1; }\0\0kprobe:\x80 { }";
	struct result r = parse_n(bin, sizeof(bin) - 1);

	CHECK(r.prog == NULL);
	CHECK(strstr(r.diags, "invalid character '\\x00'") != NULL);
	/* A NUL inside a string or attach point ends nothing early. */
	r = parse_n("BEGIN { \"a\0b\" }", 15);
	CHECK(r.prog == NULL);
	CHECK(strstr(r.diags, "unterminated string") != NULL);

	/* Random bytes: must not crash, and errors are capped. */
	char buf[4096];
	unsigned x = 12345;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245 + 12345;
		buf[i] = (char)(x >> 16);
	}
	r = parse_n(buf, sizeof(buf));
	CHECK(r.prog == NULL);
	CHECK(strstr(r.diags, "ERROR: too many errors, giving up") != NULL ||
	      strstr(r.diags, "ERROR") != NULL);
}

static void test_limits(void)
{
	/* Nesting is capped before anything could recurse too deeply. */
	size_t n = 300;
	char *deep = arena_alloc(arena, 2 * n + 32);
	strcpy(deep, "BEGIN { $x = ");
	for (size_t i = 0; i < n; i++)
		strcat(deep, "(");
	strcat(deep, "1");
	for (size_t i = 0; i < n; i++)
		strcat(deep, ")");
	strcat(deep, " }");
	CHECK(strstr(errors(deep), "ERROR: nesting is too deep: more than 256 levels of brackets") !=
	      NULL);

	/* A long left-leaning chain is shallow for bison but deep as a tree. */
	size_t terms = 3000;
	char *chain = arena_alloc(arena, terms * 2 + 32);
	strcpy(chain, "BEGIN { $x = 1");
	char *e = chain + strlen(chain);
	for (size_t i = 0; i < terms; i++)
		*e++ = '+', *e++ = '1';
	strcpy(e, " }");
	CHECK(strstr(errors(chain), "ERROR: the program is nested too deeply") != NULL);

	/* So is a long prefix chain, refused by bison's stack limit or the depth check. */
	size_t nots = 50000;
	char *bang = arena_alloc(arena, nots + 32);
	strcpy(bang, "BEGIN { $x = ");
	e = bang + strlen(bang);
	memset(e, '!', nots);
	strcpy(e + nots, "1 }");
	CHECK(strstr(errors(bang), "ERROR: the program is nested too deeply") != NULL);

	/* But a long list of statements is fine. */
	size_t stm = 5000;
	char *many = arena_alloc(arena, stm * 8 + 32);
	strcpy(many, "BEGIN {");
	e = many + strlen(many);
	for (size_t i = 0; i < stm; i++)
		e += sprintf(e, " @x++;");
	strcpy(e, " }");
	CHECK(parse(many).prog != NULL);
}

static void test_locations(void)
{
	struct result r = parse("BEGIN {\n  @x[1] = 2 + 3;\n}");

	CHECK(r.prog != NULL);
	if (!r.prog)
		return;
	const struct ast_node *probe = r.prog->u.program.items;
	const struct ast_node *as = probe->u.probe.body->u.block.stmts;
	CHECK_INT(probe->loc.line, 1);
	CHECK_INT(probe->loc.end_line, 3);
	CHECK_INT(as->loc.line, 2);
	CHECK_INT(as->loc.col, 3);
	CHECK_INT(as->loc.end_col, 16);
	CHECK_INT(as->u.assign.value->loc.col, 11);
	CHECK_INT(as->u.assign.value->loc.end_col, 16);
	CHECK_STR(as->loc.file, "stdin");
}

int main(void)
{
	arena = arena_new();
	test_probe_forms();
	test_attach_text();
	test_angle_blocks();
	test_top_level();
	test_statements();
	test_precedence();
	test_postfix_and_primary();
	test_types();
	test_integers();
	test_strings();
	test_comments();
	test_syntax_errors();
	test_recovery();
	test_binary_input();
	test_limits();
	test_locations();
	arena_free(arena);
	return t_done();
}
