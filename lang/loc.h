/* SPDX-License-Identifier: Apache-2.0 */
/* Source locations and source texts, shared by every stage that reports a diagnostic. */
#ifndef CTRACE_LOC_H
#define CTRACE_LOC_H

#include <stddef.h>

/*
 * A span of source text.  Lines and columns are 1-based; end_col is exclusive,
 * so a span of one character has end_col == col + 1 (bpftrace's convention,
 * which its `FILE:LINE:COL-COL` diagnostics expose).  This is also the
 * parser's YYLTYPE, so nothing outside the grammar needs grammar.h.
 */
struct loc {
	const char *file; /* source name: "stdin" for -e and -, else the path */
	int line, col;
	int end_line, end_col;
};

/* One program text and the name diagnostics show for it. */
struct source {
	const char *name;
	const char *text; /* NUL-terminated; may contain other NULs (binary input) */
	size_t len;
	struct source *next; /* imports chain further sources */
};

#endif
