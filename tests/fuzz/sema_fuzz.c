/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the whole front end: any bytes as a program, parsed,
 * then configured, expanded, typed and laid out.  Only begin/end probes
 * exist here (no tracefs in a fuzzer), which reaches every statement and
 * expression rule of semantic analysis.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "program.h"

extern const struct provider provider_begin, provider_end;

const struct provider *const providers[] = { &provider_begin, &provider_end, NULL };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	static char *pos[] = { "42", "str" };
	char *text = malloc(size + 1);
	struct source src = { .name = "fuzz", .text = text, .len = size };
	struct arena *a = arena_new();
	struct diags d;
	struct program p;

	if (!sink)
		sink = fopen("/dev/null", "w");
	memcpy(text, data, size);
	text[size] = '\0';
	diags_init(&d, a, &src);
	program_init(&p, a, &d, &src);
	p.pos = pos;
	p.npos = 2;
	if (program_compile_front(&p) == 0) {
		program_dump_types(&p, sink);
		program_dump_resources(&p, sink);
	}
	diags_print(&d, sink);
	program_fini(&p);
	arena_free(a);
	free(text);
	return 0;
}
