// SPDX-License-Identifier: Apache-2.0
/* The output module's entry points: pick text or JSON, run events and maps through them. */
#include "output_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "arena.h"
#include "printf.h"

enum { MAX_CAT_BYTES = 10240 }; /* bpftrace's max_cat_bytes default */

struct output *output_new(enum output_format fmt, FILE *out, const struct resources *res)
{
	struct output *o = xcalloc(1, sizeof(*o));

	o->fmt = fmt;
	o->out = out;
	o->res = res;
	o->vc.res = res;
	return o;
}

void output_free(struct output *o)
{
	if (!o)
		return;
	strbuf_free(&o->buf);
	free(o);
}

void output_set_symbolizer(struct output *o, const struct symbolizer *sym)
{
	if (sym) {
		o->sym = *sym;
		o->vc.sym = &o->sym;
	} else {
		o->vc.sym = NULL;
	}
}

void output_emit(struct output *o, FILE *f)
{
	if (o->buf.len)
		fwrite(o->buf.s, 1, o->buf.len, f ? f : o->out);
	strbuf_reset(&o->buf);
}

void output_attached(struct output *o, unsigned nprobes, bool quiet)
{
	if (quiet)
		return;
	if (o->fmt == OUTPUT_JSON) {
		fprintf(o->out, "{\"type\": \"attached_probes\", \"count\": %u, "
				"\"data\": {\"probes\": %u}}\n", nprobes, nprobes);
		return;
	}
	fprintf(stderr, "Attached %u probe%s\n", nprobes, nprobes == 1 ? "" : "s");
}

/* A string result in text (as is, plus an optional newline) or as a JSON record. */
static void emit_string(struct output *o, const char *type, const char *s, size_t n,
			bool text_newline)
{
	if (o->fmt == OUTPUT_JSON) {
		json_string_record(o, type, s, n);
		return;
	}
	fwrite(s, 1, n, o->out);
	if (text_newline)
		fputc('\n', o->out);
}

/* cat(): the file's first MAX_CAT_BYTES bytes. */
static void run_cat(struct output *o, const char *path)
{
	struct strbuf data = { 0 };
	char chunk[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f) {
		fprintf(stderr, "ERROR: failed to open file '%s': %s\n", path, strerror(errno));
		return;
	}
	while (data.len < MAX_CAT_BYTES && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		strbuf_add(&data, chunk, n < MAX_CAT_BYTES - data.len ? n : MAX_CAT_BYTES - data.len);
	fclose(f);
	emit_string(o, "cat", strbuf_str(&data), data.len, false);
	strbuf_free(&data);
}

/* system(): run through sh, capture stdout and stderr, print them and a newline. */
static void run_system(struct output *o, const char *cmd)
{
	struct strbuf wrapped = { 0 }, data = { 0 };
	char chunk[4096];
	FILE *p;
	size_t n;
	int status;

	fflush(o->out);
	strbuf_printf(&wrapped, "{ %s\n} 2>&1", cmd);
	p = popen(strbuf_str(&wrapped), "r");
	strbuf_free(&wrapped);
	if (!p) {
		fprintf(stderr, "ERROR: failed to run command: %s\n", strerror(errno));
		return;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		strbuf_add(&data, chunk, n);
	status = pclose(p);
	if (status != 0) {
		fprintf(stderr, "ERROR: command exited with code %d\n",
			WIFEXITED(status) ? WEXITSTATUS(status) : status);
	} else {
		emit_string(o, "syscall", strbuf_str(&data), data.len, true);
	}
	strbuf_free(&data);
}

void output_printf(struct output *o, const struct fmt_res *f, const uint8_t *payload, size_t len)
{
	struct strbuf s = { 0 };

	printf_render(&s, &o->vc, f->fmt ? f->fmt : "", f->args, payload, len);
	switch (f->kind) {
	case EV_CAT: run_cat(o, strbuf_str(&s)); break;
	case EV_SYSTEM: run_system(o, strbuf_str(&s)); break;
	case EV_ERRORF:
	case EV_WARNF: output_message(o, f, strbuf_str(&s)); break;
	default: emit_string(o, "printf", strbuf_str(&s), s.len, false); break;
	}
	strbuf_free(&s);
}

void output_join(struct output *o, const char *sep, const uint8_t *payload, size_t len,
		 unsigned slot)
{
	struct strbuf s = { 0 };
	uint64_t n = len >= 8 ? value_load_u(payload, 8) : 0;

	for (uint64_t i = 0; i < n && i < JOIN_MAX && 8 + (i + 1) * slot <= len; i++) {
		const char *str = (const char *)payload + 8 + i * slot;
		if (i)
			strbuf_puts(&s, sep);
		strbuf_add(&s, str, strnlen(str, slot));
	}
	emit_string(o, "join", strbuf_str(&s), s.len, true);
	strbuf_free(&s);
}

void output_value(struct output *o, const struct type *t, const uint8_t *data)
{
	if (o->fmt == OUTPUT_JSON) {
		strbuf_puts(&o->buf, "{\"type\": \"value\", \"data\": ");
		value_json(&o->buf, &o->vc, t, data);
		strbuf_puts(&o->buf, "}\n");
	} else {
		value_text(&o->buf, &o->vc, t, data);
		strbuf_putc(&o->buf, '\n');
	}
	output_emit(o, NULL);
}

void output_time(struct output *o, const char *fmt)
{
	struct strbuf s = { 0 };
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	format_time(&s, fmt, now, false);
	emit_string(o, "time", strbuf_str(&s), s.len, false);
	strbuf_free(&s);
}

/* print(@scalar) of an empty scalar map: one all-zero entry. */
static void zero_snapshot(const struct map_snapshot *s, struct map_snapshot *z,
			  struct map_entry *e)
{
	size_t stride = ((size_t)s->map->val_size + 7) & ~(size_t)7;

	*z = *s;
	z->n = 1;
	z->entries = e;
	e->key = xcalloc(1, s->map->key_size + 8);
	e->val = xcalloc(s->ncpus ? s->ncpus : 1, stride ? stride : 8);
}

void output_map(struct output *o, const struct map_snapshot *s, uint64_t top, uint64_t div,
		bool scalar_zero_if_empty)
{
	struct map_snapshot zs;
	struct map_entry ze = { 0 };
	struct map_view v;

	if (s->n == 0 && !s->map->key && scalar_zero_if_empty) {
		zero_snapshot(s, &zs, &ze);
		s = &zs;
	}
	if (s->map->agg == AGG_TSERIES) {
		/*
		 * print(@m, min, max) of a time series sets its chart's scale; a
		 * range that is empty or upside down (print(@m) sends 0, 0) leaves
		 * the scale to the data.
		 */
		bool sgn = s->map->val->is_signed;
		map_view_build(&v, s, 0);
		v.ts_scale = sgn ? (int64_t)top < (int64_t)div : top < div;
		v.ts_min = top;
		v.ts_max = div;
		div = 0;
	} else {
		map_view_build(&v, s, top);
	}
	if (o->fmt == OUTPUT_JSON)
		json_map(o, &v, div);
	else
		text_map(o, &v, div);
	map_view_free(&v);
	free((void *)ze.key);
	free((void *)ze.val);
}

void output_exit_separator(struct output *o)
{
	if (o->fmt == OUTPUT_TEXT)
		fputs("\n\n", o->out);
}

/*
 * errorf()/warnf(): text mode writes one line to stderr, the location and
 * the message (`stdin:1:9-62: ERROR: msg`); JSON mode an errorf/warnf record.
 */
void output_message(struct output *o, const struct fmt_res *f, const char *msg)
{
	bool err = f->kind == EV_ERRORF;
	const struct loc *l = &f->loc;
	const char *file = l->file ? l->file : "stdin";
	struct strbuf *b = &o->buf;

	if (o->fmt == OUTPUT_JSON) {
		strbuf_printf(b, "{\"type\": \"%s\", \"msg\": ", err ? "errorf" : "warnf");
		json_string(b, msg, strlen(msg));
		strbuf_puts(b, ", \"filename\": ");
		json_string(b, file, strlen(file));
		strbuf_printf(b, ", \"line\": %d, \"col\": %d}\n", l->line, l->col);
		output_emit(o, NULL);
		return;
	}
	const char *level = err ? "ERROR" : "WARNING";
	if (l->end_line > l->line)
		strbuf_printf(b, "%s:%d-%d: %s: %s\n", file, l->line, l->end_line, level, msg);
	else
		strbuf_printf(b, "%s:%d:%d-%d: %s: %s\n", file, l->line, l->col, l->end_col, level,
			      msg);
	output_emit(o, stderr);
}

void output_runtime_error(struct output *o, const struct fmt_res *f, const char *extra)
{
	if (o->fmt == OUTPUT_JSON)
		json_runtime_error(o, f, extra);
	else
		text_runtime_error(o, f, extra);
}

void output_lost_events(struct output *o, uint64_t n)
{
	fprintf(stderr, "WARNING: Total lost event count: %llu\n", (unsigned long long)n);
}

void output_flush(struct output *o)
{
	fflush(o->out);
}

void map_row_hist(const struct map_res *m, const struct map_row *r, uint64_t div,
		  struct hist_view *h)
{
	if (m->agg == AGG_HIST)
		hist_view_build(h, r->buckets, r->nbuckets, m->hist_bits, div);
	else
		lhist_view_build(h, r->buckets, r->nbuckets, m->lhist_min, m->lhist_max,
				 m->lhist_step);
}

void map_row_tseries(const struct map_view *v, const struct map_row *r, struct ts_view *t)
{
	const struct map_res *m = v->map;

	ts_view_build(t, r->buckets, r->epochs, r->nbuckets, v->ts_last, m->ts_count);
	t->interval = m->ts_interval;
	t->is_signed = m->val->is_signed;
	t->wall_offset = ts_wall_offset();
	t->scale = v->ts_scale;
	t->scale_min = v->ts_min;
	t->scale_max = v->ts_max;
}
