/* SPDX-License-Identifier: Apache-2.0 */
/* Diagnostics: bpftrace's header, source line, `~` line and HINT layout. */
#include <stdlib.h>

#include "arena.h"
#include "diag.h"
#include "t.h"

static struct arena *arena;

/* Everything diags_print writes, as a string from the arena. */
static const char *printed(const struct diags *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	diags_print(d, f);
	fclose(f);
	const char *s = arena_strndup(arena, buf, len);
	free(buf);
	return s;
}

static struct loc at(const char *file, int line, int col, int end_line, int end_col)
{
	return (struct loc){file, line, col, end_line, end_col};
}

static void test_basic(const struct source *src)
{
	struct diags d;
	struct loc l = at(src->name, 1, 14, 1, 17);

	diags_init(&d, arena, src);
	diag_error(&d, &l, "Unknown function: %s", "foo");
	CHECK_INT(d.nerrors, 1);
	CHECK_STR(printed(&d), "stdin:1:14-17: ERROR: Unknown function: foo\n"
			       "BEGIN { @x = foo(1); }\n"
			       "             ~~~\n");
}

static void test_order_and_hints(const struct source *src)
{
	struct diags d;
	struct loc l = at(src->name, 1, 1, 1, 6);

	diags_init(&d, arena, src);
	diag_warning(&d, &l, "first warning");
	diag_hint(&d, "a hint");
	diag_error(&d, NULL, "no location");
	diag_hint(&d, "hint one");
	diag_hint(&d, "hint two");
	diag_error(&d, &l, "second error");
	CHECK_INT(d.nerrors, 2);
	CHECK_INT(d.nwarnings, 1);
	CHECK_STR(printed(&d), "ERROR: no location\n"
			       "HINT: hint one\n"
			       "HINT: hint two\n"
			       "stdin:1:1-6: ERROR: second error\n"
			       "BEGIN { @x = foo(1); }\n"
			       "~~~~~\n"
			       "stdin:1:1-6: WARNING: first warning\n"
			       "BEGIN { @x = foo(1); }\n"
			       "~~~~~\n"
			       "HINT: a hint\n");
}

static void test_tabs_and_cuts(void)
{
	struct source src = {.name = "t.bt", .text = "\tBEGIN {\tx }\nEND {}\n"};
	struct diags d;
	struct loc tab = at("t.bt", 1, 9, 1, 11);   /* the TAB and `x` */
	struct loc past = at("t.bt", 2, 5, 2, 40);  /* cut at the end of the line */
	struct loc empty = at("t.bt", 2, 7, 2, 7);  /* zero width, just past the end */

	src.len = strlen(src.text);
	diags_init(&d, arena, &src);
	diag_error(&d, &tab, "tab");
	diag_error(&d, &past, "past");
	diag_error(&d, &empty, "empty");
	CHECK_STR(printed(&d), "t.bt:1:9-11: ERROR: tab\n"
			       "    BEGIN {    x }\n"
			       "           ~~~~~\n"
			       "t.bt:2:5-40: ERROR: past\n"
			       "END {}\n"
			       "    ~~\n"
			       "t.bt:2:7-7: ERROR: empty\n"
			       "END {}\n"
			       "      ~\n");
}

static void test_multiline_and_lookup(void)
{
	struct source other = {.name = "b.bt", .text = "x"};
	struct source src = {.name = "a.bt", .text = "BEGIN {\n  @x = 1;\n}\n", .next = &other};
	char name[] = "a.bt"; /* a different pointer: found by strcmp */
	struct loc multi = at(name, 1, 7, 3, 2);
	struct loc unknown = at("c.bt", 1, 1, 1, 2);
	struct loc beyond = at("a.bt", 9, 1, 9, 2);
	struct diags d;

	src.len = strlen(src.text);
	other.len = 1;
	diags_init(&d, arena, &src);
	diag_error(&d, &multi, "block");
	diag_error(&d, &unknown, "no source");
	diag_error(&d, &beyond, "no line");
	CHECK_STR(printed(&d), "a.bt:1-3: ERROR: block\n"
			       "BEGIN {\n"
			       "  @x = 1;\n"
			       "}\n"
			       "c.bt:1:1-2: ERROR: no source\n"
			       "a.bt:9:1-2: ERROR: no line\n");
}

static void test_print_one(const struct source *src)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct loc l = at("stdin", 1, 9, 1, 11);

	diag_print_one(f, src, DIAG_WARNING, &l, "one");
	diag_print_one(f, src, DIAG_ERROR, NULL, "none");
	fclose(f);
	CHECK_STR(buf, "stdin:1:9-11: WARNING: one\n"
		       "BEGIN { @x = foo(1); }\n"
		       "        ~~\n"
		       "ERROR: none\n");
	free(buf);
}

int main(void)
{
	struct source src = {.name = "stdin", .text = "BEGIN { @x = foo(1); }"};

	src.len = strlen(src.text);
	arena = arena_new();
	test_basic(&src);
	test_order_and_hints(&src);
	test_tabs_and_cuts();
	test_multiline_and_lookup();
	test_print_one(&src);
	arena_free(arena);
	return t_done();
}
