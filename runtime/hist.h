/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hist() and lhist(): which bucket a value falls in (the kernel side must
 * compute exactly the same index) and how bucket counts are printed.
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

#endif
