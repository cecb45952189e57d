/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hist() and lhist(): which bucket a value falls in (the kernel side must
 * compute exactly the same index) and how bucket counts are printed; the
 * chart and the JSON rows of a tseries().
 */
#ifndef CTRACE_HIST_H
#define CTRACE_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf;

/*
 * The bucket of v in hist(v, bits), bits in 0..5.  With n = 1 << bits:
 *   v < 0 (signed test: u64 values >= 2^63 count as negative)  -> 0
 *   0 <= v < 2n (one bucket per value)                          -> v + 1
 *   otherwise, with p = floor(log2(v)) (p >= bits + 1):
 *     j = (v >> (p - bits)) - n        the sub-bucket, 0..n-1
 *     index = ((p - bits + 1) << bits) + j + 1
 * so every power of two [2^p, 2^(p+1)) is split into n buckets of width
 * 2^(p-bits).  For bits == 0 this is bpftrace's log2 histogram: 0 negative,
 * 1 = [0], 2 = [1], i >= 3 = [2^(i-2), 2^(i-1)).  The largest index is
 * hist_nbuckets(bits) - 1 (for v near 2^63).
 * In BPF, floor(log2(v)) is 63 - ctlz(v), or a branch-free binary search.
 */
uint64_t hist_index(int64_t v, int bits);
/* Number of buckets a hist(v, bits) can use: indexes 0 .. hist_nbuckets()-1. */
unsigned hist_nbuckets(int bits);
/*
 * The first value of bucket idx >= 1 (its inclusive lower bound); the bucket
 * ends where bucket idx + 1 starts.  Index 0 is (..., 0).
 */
uint64_t hist_lower(uint64_t idx, int bits);

/*
 * The bucket of v in lhist(v, min, max, step), all compared signed:
 *   v < min   -> 0                      (..., min)
 *   v > max   -> (max - min) / step + 1  [max, ...)
 *   otherwise -> (v - min) / step + 1    [min + (i-1)*step, min + i*step)
 * A value equal to max lands in the last bucket when step divides max - min.
 */
uint64_t lhist_index(int64_t v, int64_t min, int64_t max, int64_t step);
/* Number of buckets: (max - min) / step + 2. */
uint64_t lhist_nbuckets(int64_t min, int64_t max, int64_t step);

/*
 * A bucket boundary as bpftrace prints it: a plain integer, or (for large
 * hist bounds and lhist with a step that is a multiple of 1024) a symbolic
 * label such as "2K" that stands for num.  Plain labels of adjacent buckets
 * that differ by one print as "[3]".
 */
struct hist_label {
	bool symbolic;
	bool is_unsigned; /* num is a u64 (symbolic hist labels) */
	int64_t num;
	char text[32];
};

/*
 * The rows of one histogram, from the first to the last non-zero bucket.
 * labels[i] is the upper bound of row i; row 0's lower bound is `lower`
 * (absent: "(..., x)"); a row without a label (i >= nlabels) is "[x, ...)".
 */
struct hist_view {
	bool has_lower;
	struct hist_label lower;
	struct hist_label *labels;
	size_t nlabels;
	uint64_t *counts;
	size_t nrows;
};

/* Build the rows of hist counts (index -> count); counts are divided by div (0: 1). */
void hist_view_build(struct hist_view *h, const uint64_t *counts, size_t n, int bits,
		     uint64_t div);
/* Build the rows of lhist counts; div does not apply to lhist in bpftrace. */
void lhist_view_build(struct hist_view *h, const uint64_t *counts, size_t n, int64_t min,
		      int64_t max, int64_t step);
void hist_view_free(struct hist_view *h);

/*
 * Text rows: label left-justified in 16 columns, count right-justified in 8,
 * " |", the bar of '@' (count * 52 / max) padded to 52, "|", newline.
 */
void hist_view_text(struct strbuf *b, const struct hist_view *h);
/* JSON: [{"min": a, "max": b, "count": c},...] with open ends left out. */
void hist_view_json(struct strbuf *b, const struct hist_view *h);

/*
 * One key of a tseries(): the intervals from its first with data, within
 * the map's window (the count intervals ending at the newest interval of
 * any key), to the end of that window.  An interval without data is a gap.
 */
struct ts_view {
	uint64_t *epochs;        /* interval numbers: TAI ns / interval */
	uint64_t *values;        /* s64/u64 bits; meaningless where !has[i] */
	bool *has;
	size_t n;
	uint64_t interval;       /* ns */
	bool is_signed;
	int64_t wall_offset;     /* ns from TAI to wall-clock (CLOCK_REALTIME) time */
	bool scale;              /* print(@m, min, max): the chart spans scale_min..scale_max */
	uint64_t scale_min, scale_max;
};

/*
 * Build the intervals of one key from its nslots slots (slot i holds the
 * value of interval epochs[i], 0: none; interval e lives in slot e % count);
 * last is the newest interval of the whole map (0: no data anywhere), count
 * the number of intervals kept.
 */
void ts_view_build(struct ts_view *t, const uint64_t *values, const uint64_t *epochs,
		   size_t nslots, uint64_t last, uint64_t count);
void ts_view_free(struct ts_view *t);
/* CLOCK_REALTIME - CLOCK_TAI now, in ns, rounded to whole seconds (leap seconds). */
int64_t ts_wall_offset(void);

/*
 * The chart: a scale line (minimum left-aligned in 21 columns, maximum
 * right-aligned in 32, after the time column), `hh:mm:ss.ms  |___|`, one row
 * per interval (local start time, a 53-column lane with '*' at the value and
 * '.' at zero when the scale spans it, the value or `-`), a `v___v` line and
 * the scale again.  No intervals at all: `<no data>` without a newline.
 */
void ts_view_text(struct strbuf *b, const struct ts_view *t);
/* JSON: [{"interval_start":"YYYY-MM-DD HH:MM:SS.nnnnnnnnn","value":v},...], UTC, gaps left out. */
void ts_view_json(struct strbuf *b, const struct ts_view *t);

#endif
