/* SPDX-License-Identifier: Apache-2.0 */
/* Diagnostics: passes report errors and warnings here and never print. */
#ifndef CTRACE_DIAG_H
#define CTRACE_DIAG_H

#include <stdbool.h>
#include <stdio.h>

#include "loc.h"

struct arena;

enum diag_level { DIAG_ERROR, DIAG_WARNING };

struct diag_hint {
	const char *msg;
	struct diag_hint *next;
};

struct diag {
	enum diag_level level;
	struct loc loc; /* loc.line == 0: no location, only "ERROR: msg" */
	const char *msg;
	struct diag_hint *hints;
	bool log;       /* a bare `WARNING: msg` line: see diag_log_warning() */
	struct diag *next;
};

struct diags {
	struct arena *arena;
	const struct source *sources; /* for printing source lines */
	struct diag *head, **tail;
	int nerrors, nwarnings;
};

void diags_init(struct diags *d, struct arena *a, const struct source *sources);
/* Report an error at loc (NULL: no location). */
void diag_error(struct diags *d, const struct loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void diag_warning(struct diags *d, const struct loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * A warning about the script as a whole rather than a place in it (bpftrace
 * logs these): printed before everything else, always on stderr, so that it
 * never mixes into the output stream.
 */
void diag_log_warning(struct diags *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Attach a `HINT: ...` line to the most recent diagnostic. */
void diag_hint(struct diags *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Print every diagnostic in bpftrace's format: errors first, then warnings;
 * `FILE:LINE:COL-COL: ERROR: msg`, the source line (tabs as 4 spaces), `~`
 * under the span, then `HINT: ` lines.
 */
void diags_print(const struct diags *d, FILE *out);
/* Print one message in the same format, outside any diagnostics list. */
void diag_print_one(FILE *out, const struct source *sources, enum diag_level level,
		    const struct loc *loc, const char *msg);

#endif
