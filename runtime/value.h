/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Typed bytes -> text or JSON, the way bpftrace prints values; per-CPU
 * merging of aggregations; the order in which bpftrace prints map entries.
 */
#ifndef CTRACE_VALUE_H
#define CTRACE_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output.h"
#include "resources.h"

/* A growable string; all rendering appends to one.  Zero-initialise to start. */
struct strbuf {
	char *s;
	size_t len, cap;
};

void strbuf_add(struct strbuf *b, const void *p, size_t n);
void strbuf_putc(struct strbuf *b, char c);
void strbuf_puts(struct strbuf *b, const char *s);
void strbuf_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_pad(struct strbuf *b, char c, size_t n);
/* NUL-terminated contents ("" when empty). */
const char *strbuf_str(struct strbuf *b);
void strbuf_reset(struct strbuf *b);
void strbuf_free(struct strbuf *b);

/* What rendering needs besides the bytes. */
struct value_ctx {
	const struct resources *res;    /* probes, str_trunc_trailer, strftime formats */
	const struct symbolizer *sym;   /* NULL: addresses print as hex */
};

/* Little-endian integers of size 1, 2, 4 or 8. */
uint64_t value_load_u(const uint8_t *p, unsigned size);
int64_t value_load_s(const uint8_t *p, unsigned size);
/* An INT/BOOL/ENUM/PTR/PROBE/... as 64 bits: sign-extended when the type is signed. */
uint64_t value_int_bits(const struct type *t, const uint8_t *p);
/* Whether the value prints as a signed number. */
bool value_is_signed(const struct type *t);

/* The text form: `1`, `abc`, `(1, a)`, `{ .a = 1 }`, `[1,2]`, `true`, `0x1f`, ... */
void value_text(struct strbuf *b, const struct value_ctx *c, const struct type *t,
		const uint8_t *p);
/* The JSON form: numbers, strings, arrays for tuples/arrays, objects for records/structs. */
void value_json(struct strbuf *b, const struct value_ctx *c, const struct type *t,
		const uint8_t *p);
/* A map key in text: the text form with one pair of outer parentheses removed. */
void value_key_text(struct strbuf *b, const struct value_ctx *c, const struct type *t,
		    const uint8_t *p);
/* A map key in JSON: as above, every space removed, as a JSON string. */
void value_key_json(struct strbuf *b, const struct value_ctx *c, const struct type *t,
		    const uint8_t *p);

/*
 * JSON strings: \" \\ \n \r \t, \u00XX for other control characters and for
 * bytes that are not valid UTF-8; valid UTF-8 passes through.
 */
void json_string(struct strbuf *b, const char *s, size_t n);
/* JSON numbers; a value a double cannot hold exactly is written as a string. */
void json_s64(struct strbuf *b, int64_t v);
void json_u64(struct strbuf *b, uint64_t v);

/* An aggregation merged across CPUs. */
struct agg_value {
	uint64_t value; /* count, sum, min, max; avg/stats: the total */
	uint64_t count; /* avg/stats */
	bool set;       /* min/max: some CPU has a value */
};

/*
 * Merge ncpus per-CPU values of an aggregation, stride bytes apart (the
 * value size rounded up to 8): sum counts, sums and avg/stats components;
 * min/max over the CPUs whose set-flag is non-zero.
 */
void agg_merge(enum agg_kind k, bool is_signed, const uint8_t *val, unsigned ncpus,
	       size_t stride, struct agg_value *out);
/* avg/stats: total / count (0 when empty), signed truncation when is_signed. */
uint64_t agg_average(bool is_signed, const struct agg_value *v);
/* The printed value, divided by div (0 or 1: not divided); stats: a record. */
void agg_text(struct strbuf *b, enum agg_kind k, bool is_signed, const struct agg_value *v,
	      uint64_t div);
void agg_json(struct strbuf *b, enum agg_kind k, bool is_signed, const struct agg_value *v,
	      uint64_t div);

/* One entry of a map as it prints: merged across CPUs, hist buckets gathered. */
struct map_row {
	const uint8_t *key;     /* user key bytes; NULL for a scalar map */
	const uint8_t *val;     /* plain values: the (first CPU's) value bytes */
	struct agg_value agg;   /* count/sum/min/max/avg/stats */
	uint64_t *buckets;      /* hist/lhist: count per bucket index; tseries: value per slot */
	size_t nbuckets;
	uint64_t *epochs;       /* tseries: the interval each slot's value is from (0: none) */
	uint64_t latest;        /* tseries: the newest interval with data (0: none) */
};

struct map_view {
	const struct map_res *map;
	struct map_row *rows;
	size_t n;
	uint64_t ts_last;       /* tseries: the newest interval of any key, the window's end */
	bool ts_scale;          /* tseries: print(@m, min, max) fixed the chart's scale */
	uint64_t ts_min, ts_max;
};

/*
 * tseries: merge one slot's ncpus per-CPU (value, meta, epoch) triples: only
 * the newest epoch counts; its values are combined per fn (TS_LAST: the
 * latest write).  *epoch is 0 when no CPU has written the slot.
 */
void tseries_merge(int fn, bool is_signed, const uint8_t *val, unsigned ncpus, size_t stride,
		   uint64_t *epoch, uint64_t *value);

/*
 * Merge a snapshot and order it as bpftrace prints it: by value for
 * count/sum/int (signed per type), min/max (as u64), avg/stats (average),
 * by total count for hist/lhist, tseries by their newest interval, else by key (integers signed by size,
 * strings bytewise, tuples field by field).  Ties are broken by the key bytes
 * so the order is deterministic.  top != 0 keeps only the last top rows
 * (bpftrace ignores top for tseries; callers pass 0).
 */
void map_view_build(struct map_view *v, const struct map_snapshot *s, uint64_t top);
void map_view_free(struct map_view *v);

#endif
