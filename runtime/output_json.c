// SPDX-License-Identifier: Apache-2.0
/* bpftrace's JSON output (-f json): one record per line, kept valid JSON. */
#include "output_priv.h"

#include <string.h>

static const char *record_type(const struct map_res *m)
{
	switch (m->agg) {
	case AGG_AVG:
	case AGG_STATS: return "stats";
	case AGG_HIST:
	case AGG_LHIST: return "hist";
	case AGG_TSERIES: return "tseries";
	default: return "map";
	}
}

static void row_json(struct output *o, const struct map_view *v, const struct map_row *r,
		     uint64_t div)
{
	const struct map_res *m = v->map;
	struct strbuf *b = &o->buf;

	if (m->agg == AGG_TSERIES) {
		struct ts_view t;

		map_row_tseries(v, r, &t);
		ts_view_json(b, &t);
		ts_view_free(&t);
	} else if (m->agg == AGG_HIST || m->agg == AGG_LHIST) {
		struct hist_view h;

		map_row_hist(m, r, div, &h);
		hist_view_json(b, &h);
		hist_view_free(&h);
	} else if (m->agg != AGG_NONE) {
		agg_json(b, m->agg, m->val->is_signed, &r->agg, div);
	} else if (m->val->kind == TY_INT && div > 1) {
		uint64_t x = value_int_bits(m->val, r->val);

		if (m->val->is_signed)
			json_s64(b, (int64_t)x / (int64_t)div);
		else
			json_u64(b, x / div);
	} else {
		value_json(b, &o->vc, m->val, r->val);
	}
}

void json_map(struct output *o, const struct map_view *v, uint64_t div)
{
	const struct map_res *m = v->map;
	struct strbuf *b = &o->buf;

	if (!v->n)
		return; /* empty maps produce no record */
	strbuf_printf(b, "{\"type\": \"%s\", \"data\": {", record_type(m));
	json_string(b, m->name, strlen(m->name));
	strbuf_puts(b, ": ");
	if (!m->key) {
		row_json(o, v, &v->rows[0], div);
	} else {
		strbuf_putc(b, '{');
		for (size_t i = 0; i < v->n; i++) {
			if (i)
				strbuf_puts(b, ", ");
			value_key_json(b, &o->vc, m->key, v->rows[i].key);
			strbuf_puts(b, ": ");
			row_json(o, v, &v->rows[i], div);
		}
		strbuf_putc(b, '}');
	}
	strbuf_puts(b, "}}\n");
	output_emit(o, NULL);
}

void json_string_record(struct output *o, const char *type, const char *s, size_t n)
{
	strbuf_printf(&o->buf, "{\"type\": \"%s\", \"data\": ", type);
	json_string(&o->buf, s, n);
	strbuf_puts(&o->buf, "}\n");
	output_emit(o, NULL);
}

void json_runtime_error(struct output *o, const struct fmt_res *f, const char *extra)
{
	struct strbuf *b = &o->buf;
	const char *msg = f->fmt ? f->fmt : "";
	const char *file = f->loc.file ? f->loc.file : "stdin";

	strbuf_puts(b, "{\"type\": \"runtime_error\", \"msg\": ");
	json_string(b, msg, strlen(msg));
	strbuf_puts(b, ", \"filename\": ");
	json_string(b, file, strlen(file));
	strbuf_printf(b, ", \"line\": %d, \"col\": %d}\n", f->loc.line, f->loc.col);
	output_emit(o, NULL);
}
