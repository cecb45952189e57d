/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for lang/: any bytes as a program text.  Parsing must
 * not crash, hang or leak, whatever the input; when it succeeds, printing
 * the tree must not either.  The diagnostics are printed too (to /dev/null),
 * since they read the source text back by line and column.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	/* The source contract: NUL-terminated, but may hold other NULs. */
	char *text = malloc(size + 1);
	struct source src = {.name = "fuzz", .text = text, .len = size};
	struct arena *a = arena_new();
	struct diags d;

	if (!sink)
		sink = fopen("/dev/null", "w");
	memcpy(text, data, size);
	text[size] = '\0';
	diags_init(&d, a, &src);
	struct ast_node *prog = parse_program(a, &d, &src);
	if (prog)
		ast_print(prog, sink);
	diags_print(&d, sink);
	arena_free(a);
	free(text);
	return 0;
}
