/* SPDX-License-Identifier: Apache-2.0 */
/* Diagnostics: collect errors and warnings, print them in bpftrace's format. */
#include "diag.h"

#include <stddef.h>
#include <string.h>

#include "arena.h"

/* bpftrace shows a TAB in a source line as this many spaces, and so do we. */
#define TAB_WIDTH 4

void diags_init(struct diags *d, struct arena *a, const struct source *sources)
{
	d->arena = a;
	d->sources = sources;
	d->head = NULL;
	d->tail = &d->head;
	d->nerrors = 0;
	d->nwarnings = 0;
}

static struct diag *add(struct diags *d, enum diag_level level, const struct loc *loc,
			const char *fmt, va_list ap)
{
	struct diag *g = arena_new_obj(d->arena, struct diag);

	g->level = level;
	if (loc)
		g->loc = *loc;
	g->msg = arena_vprintf(d->arena, fmt, ap);
	*d->tail = g;
	d->tail = &g->next;
	if (level == DIAG_ERROR)
		d->nerrors++;
	else
		d->nwarnings++;
	return g;
}

void diag_error(struct diags *d, const struct loc *loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add(d, DIAG_ERROR, loc, fmt, ap);
	va_end(ap);
}

void diag_warning(struct diags *d, const struct loc *loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add(d, DIAG_WARNING, loc, fmt, ap);
	va_end(ap);
}

void diag_log_warning(struct diags *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add(d, DIAG_WARNING, NULL, fmt, ap)->log = true;
	va_end(ap);
}

void diag_hint(struct diags *d, const char *fmt, ...)
{
	/* tail points at the last diagnostic's next field, or at head when there is none. */
	if (d->tail == &d->head)
		return;
	struct diag *last = (struct diag *)((char *)d->tail - offsetof(struct diag, next));
	struct diag_hint *h = arena_new_obj(d->arena, struct diag_hint);
	struct diag_hint **pp = &last->hints;
	va_list ap;

	va_start(ap, fmt);
	h->msg = arena_vprintf(d->arena, fmt, ap);
	va_end(ap);
	while (*pp)
		pp = &(*pp)->next;
	*pp = h;
}

static const struct source *find_source(const struct source *sources, const char *file)
{
	if (!file)
		return NULL;
	for (const struct source *s = sources; s; s = s->next)
		if (s->name == file || (s->name && strcmp(s->name, file) == 0))
			return s;
	return NULL;
}

/*
 * Find 1-based line `line` of src: sets *start and *len (without the newline,
 * and without a '\r' before it).  Returns false when the text has fewer lines.
 */
static bool find_line(const struct source *src, int line, const char **start, size_t *len)
{
	const char *p = src->text, *end = src->text + src->len;

	for (int l = 1; l < line; l++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return false;
		p = nl + 1;
	}
	if (p == end && line > 1)
		return false; /* the text ends with a newline: there is no such line */
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
	if (n > 0 && p[n - 1] == '\r')
		n--;
	*start = p;
	*len = n;
	return true;
}

static void print_source_line(FILE *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\t')
			fputs("    ", out);
		else
			fputc(s[i], out);
	}
	fputc('\n', out);
}

/*
 * The `~` line under columns col..end_col-1 (1-based, end exclusive), cut
 * at the end of the line but always at least one `~`, with no trailing spaces.
 */
static void print_caret_line(FILE *out, const char *s, size_t len, int col, int end_col)
{
	size_t first = col > 0 ? (size_t)col - 1 : 0; /* 0-based index of the first marked byte */
	size_t stop = end_col > 0 ? (size_t)end_col - 1 : 0;

	if (first > len)
		first = len;
	if (stop > len)
		stop = len;
	for (size_t i = 0; i < first; i++)
		fputs(s[i] == '\t' ? "    " : " ", out);
	if (stop <= first) {
		fputs("~\n", out);
		return;
	}
	for (size_t i = first; i < stop; i++)
		fputs(s[i] == '\t' ? "~~~~" : "~", out);
	fputc('\n', out);
}

static const char *level_name(enum diag_level level)
{
	return level == DIAG_ERROR ? "ERROR" : "WARNING";
}

static void print_located(FILE *out, const struct source *src, enum diag_level level,
			  const struct loc *loc, const char *msg)
{
	const char *file = loc->file ? loc->file : "stdin";
	const char *s;
	size_t len;

	if (loc->end_line > loc->line) {
		fprintf(out, "%s:%d-%d: %s: %s\n", file, loc->line, loc->end_line, level_name(level),
			msg);
		for (int l = loc->line; src && l <= loc->end_line; l++)
			if (find_line(src, l, &s, &len))
				print_source_line(out, s, len);
		return;
	}
	fprintf(out, "%s:%d:%d-%d: %s: %s\n", file, loc->line, loc->col, loc->end_col,
		level_name(level), msg);
	if (src && find_line(src, loc->line, &s, &len)) {
		print_source_line(out, s, len);
		print_caret_line(out, s, len, loc->col, loc->end_col);
	}
}

static void print_diag(FILE *out, const struct source *sources, enum diag_level level,
		       const struct loc *loc, const char *msg, const struct diag_hint *hints)
{
	if (!loc || loc->line <= 0)
		fprintf(out, "%s: %s\n", level_name(level), msg);
	else
		print_located(out, find_source(sources, loc->file), level, loc, msg);
	for (const struct diag_hint *h = hints; h; h = h->next)
		fprintf(out, "HINT: %s\n", h->msg);
}

void diag_print_one(FILE *out, const struct source *sources, enum diag_level level,
		    const struct loc *loc, const char *msg)
{
	print_diag(out, sources, level, loc, msg, NULL);
}

void diags_print(const struct diags *d, FILE *out)
{
	/* bpftrace logs its warnings about the whole script as it finds them, before the rest */
	for (const struct diag *g = d->head; g; g = g->next)
		if (g->log)
			print_diag(stderr, d->sources, g->level, &g->loc, g->msg, g->hints);
	/* bpftrace prints every error before any warning, each group in report order. */
	for (const struct diag *g = d->head; g; g = g->next)
		if (g->level == DIAG_ERROR)
			print_diag(out, d->sources, g->level, &g->loc, g->msg, g->hints);
	for (const struct diag *g = d->head; g; g = g->next)
		if (g->level == DIAG_WARNING && !g->log)
			print_diag(out, d->sources, g->level, &g->loc, g->msg, g->hints);
}
