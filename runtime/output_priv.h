/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the output module: the state shared by output.c, output_text.c and output_json.c. */
#ifndef CTRACE_OUTPUT_PRIV_H
#define CTRACE_OUTPUT_PRIV_H

#include "output.h"
#include "hist.h"
#include "value.h"

struct output {
	enum output_format fmt;
	FILE *out;
	const struct resources *res;
	struct symbolizer sym;
	struct value_ctx vc;
	struct strbuf buf; /* reused for every record */
};

/* Write o->buf to o->out (or f) and empty it. */
void output_emit(struct output *o, FILE *f);

/* A merged, sorted map in each format; rows may be empty. */
void text_map(struct output *o, const struct map_view *v, uint64_t div);
void json_map(struct output *o, const struct map_view *v, uint64_t div);
/* The rows of a hist/lhist map row, built per the map's parameters. */
void map_row_hist(const struct map_res *m, const struct map_row *r, uint64_t div,
		  struct hist_view *h);

/* The intervals of a tseries map row, within the view's window and scale. */
void map_row_tseries(const struct map_view *v, const struct map_row *r, struct ts_view *t);

/* Event-like records: text prints the string as is, JSON as {"type": t, "data": "..."}. */
void text_runtime_error(struct output *o, const struct fmt_res *f, const char *extra);
void json_runtime_error(struct output *o, const struct fmt_res *f, const char *extra);
void json_string_record(struct output *o, const char *type, const char *s, size_t n);

#endif
