// SPDX-License-Identifier: Apache-2.0
/* bpftrace's text output: map lines, histogram blocks, runtime warnings. */
#include "output_priv.h"

#include <string.h>

static bool is_hist_map(const struct map_res *m)
{
	return m->agg == AGG_HIST || m->agg == AGG_LHIST;
}

/* A plain value; print(@m, top, div) divides integers as bpftrace does, per width and sign. */
static void plain_text(struct output *o, const struct map_res *m, const struct map_row *r,
		       uint64_t div)
{
	uint64_t v;

	if (m->val->kind != TY_INT || div <= 1) {
		value_text(&o->buf, &o->vc, m->val, r->val);
		return;
	}
	v = value_int_bits(m->val, r->val);
	if (m->val->is_signed)
		strbuf_printf(&o->buf, "%lld", (long long)((int64_t)v / (int64_t)div));
	else
		strbuf_printf(&o->buf, "%llu", (unsigned long long)(v / div));
}

/* The value of one row: on the same line, or for histograms and series on the following lines. */
static void row_value(struct output *o, const struct map_view *v, const struct map_row *r,
		      uint64_t div)
{
	const struct map_res *m = v->map;

	if (m->agg == AGG_TSERIES) {
		struct ts_view t;

		map_row_tseries(v, r, &t);
		strbuf_puts(&o->buf, ":\n");
		ts_view_text(&o->buf, &t);
		strbuf_putc(&o->buf, '\n');
		ts_view_free(&t);
		return;
	}
	if (is_hist_map(m)) {
		struct hist_view h;

		map_row_hist(m, r, div, &h);
		strbuf_puts(&o->buf, ":\n");
		hist_view_text(&o->buf, &h);
		strbuf_putc(&o->buf, '\n');
		hist_view_free(&h);
		return;
	}
	strbuf_puts(&o->buf, ": ");
	if (m->agg != AGG_NONE)
		agg_text(&o->buf, m->agg, m->val->is_signed, &r->agg, div);
	else
		plain_text(o, m, r, div);
	strbuf_putc(&o->buf, '\n');
}

void text_map(struct output *o, const struct map_view *v, uint64_t div)
{
	const struct map_res *m = v->map;

	for (size_t i = 0; i < v->n; i++) {
		strbuf_puts(&o->buf, m->name);
		if (m->key) {
			strbuf_putc(&o->buf, '[');
			value_key_text(&o->buf, &o->vc, m->key, v->rows[i].key);
			strbuf_putc(&o->buf, ']');
		}
		row_value(o, v, &v->rows[i], div);
		if (!m->key)
			break; /* a scalar map has one value */
	}
	output_emit(o, NULL);
}

/* The source line, and '~' under columns col .. end_col-1 (a TAB counts as 4). */
static void carets(struct strbuf *b, const struct loc *l, const char *line)
{
	size_t n = strcspn(line, "\n"), last = 0;
	struct strbuf marks = { 0 };

	for (size_t i = 0; i < n; i++) {
		int col = (int)i + 1;
		bool in = col >= l->col && col < l->end_col;
		size_t w = line[i] == '\t' ? 4 : 1;

		if (line[i] == '\t')
			strbuf_pad(b, ' ', 4);
		else
			strbuf_putc(b, line[i]);
		strbuf_pad(&marks, in ? '~' : ' ', w);
		if (in)
			last = marks.len;
	}
	strbuf_putc(b, '\n');
	/* The caret line stops at the last marked column. */
	if (last) {
		strbuf_add(b, marks.s, last);
		strbuf_putc(b, '\n');
	}
	strbuf_free(&marks);
}

void text_runtime_error(struct output *o, const struct fmt_res *f, const char *extra)
{
	const struct loc *l = &f->loc;
	const char *msg = f->fmt ? f->fmt : "";
	struct strbuf *b = &o->buf;

	if (l->line <= 0)
		strbuf_printf(b, "WARNING: %s\n", msg);
	else if (l->end_line > l->line)
		strbuf_printf(b, "%s:%d-%d: WARNING: %s\n", l->file ? l->file : "stdin", l->line,
			      l->end_line, msg);
	else
		strbuf_printf(b, "%s:%d:%d-%d: WARNING: %s\n", l->file ? l->file : "stdin",
			      l->line, l->col, l->end_col, msg);
	if (extra && *extra)
		strbuf_printf(b, "%s\n", extra);
	if (l->line > 0 && f->src_line) {
		if (l->end_line > l->line)
			strbuf_printf(b, "%s\n", f->src_line);
		else
			carets(b, l, f->src_line);
	}
	output_emit(o, stderr);
}
