// SPDX-License-Identifier: Apache-2.0
/* hist()/lhist() bucket indexes, labels, and their text and JSON rows. */
#include "hist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "value.h"

uint64_t hist_index(int64_t v, int bits)
{
	uint64_t n = 1ULL << bits;
	uint64_t u = (uint64_t)v;
	int p;

	if (v < 0)
		return 0;
	if (u < 2 * n)
		return u + 1;
	p = 63 - __builtin_clzll(u);
	return ((uint64_t)(p - bits + 1) << bits) + ((u >> (p - bits)) - n) + 1;
}

unsigned hist_nbuckets(int bits)
{
	/* The largest value, 2^63-1, has p = 62 and j = n-1. */
	return ((64u - (unsigned)bits) << bits) + 1;
}

/* bpftrace's upper bound of bucket i > 2n: 2^((i>>k)-1) * (n + (i & (n-1))). */
static uint64_t hist_upper_big(uint64_t i, int bits, unsigned *power)
{
	uint64_t n = 1ULL << bits;

	*power = (unsigned)((i >> bits) - 1);
	return (1ULL << *power) * (n + (i & (n - 1)));
}

uint64_t hist_lower(uint64_t idx, int bits)
{
	unsigned power;

	if (idx <= (2ULL << bits))
		return idx - 1;
	return hist_upper_big(idx - 1, bits, &power);
}

uint64_t lhist_index(int64_t v, int64_t min, int64_t max, int64_t step)
{
	if (v < min)
		return 0;
	if (v > max)
		return (uint64_t)((max - min) / step) + 1;
	return (uint64_t)((v - min) / step) + 1;
}

uint64_t lhist_nbuckets(int64_t min, int64_t max, int64_t step)
{
	return (uint64_t)((max - min) / step) + 2;
}

static struct hist_label plain_label(int64_t v)
{
	struct hist_label l = { .num = v };

	snprintf(l.text, sizeof(l.text), "%lld", (long long)v);
	return l;
}

/*
 * Label of hist bucket index i's upper bound.  Small indexes print as plain
 * integers; larger ones get a power-of-1024 suffix chosen from the power of
 * two alone, as bpftrace does (so with bits > 0, "1280" has no suffix).
 */
static struct hist_label hist_label_for(uint64_t i, int bits)
{
	static const char suffix[] = "\0KMGTPE";
	struct hist_label l = { .symbolic = true, .is_unsigned = true };
	uint64_t n = 1ULL << bits;
	unsigned power, decade;

	if (i <= (2ULL << bits))
		return plain_label((int64_t)i);
	l.num = (int64_t)hist_upper_big(i, bits, &power);
	decade = power / 10;
	power -= 10 * decade;
	snprintf(l.text, sizeof(l.text), "%llu",
		 (unsigned long long)((1ULL << power) * (n + (i & (n - 1)))));
	if (suffix[decade]) {
		size_t len = strlen(l.text);
		l.text[len] = suffix[decade];
		l.text[len + 1] = '\0';
	}
	return l;
}

/* lhist labels get K/M suffixes only when the step is a multiple of 1024. */
static struct hist_label lhist_label_for(int64_t v, int64_t step)
{
	struct hist_label l = { .symbolic = true, .num = v };

	if (step % 1024 != 0)
		return plain_label(v);
	if (v != 0 && v % (1024 * 1024) == 0)
		snprintf(l.text, sizeof(l.text), "%lldM", (long long)(v / (1024 * 1024)));
	else if (v != 0 && v % 1024 == 0)
		snprintf(l.text, sizeof(l.text), "%lldK", (long long)(v / 1024));
	else
		snprintf(l.text, sizeof(l.text), "%lld", (long long)v);
	return l;
}

/* First and last non-zero buckets; false when all are zero. */
static bool nonzero_range(const uint64_t *counts, size_t n, size_t *lo, size_t *hi)
{
	bool found = false;

	for (size_t i = 0; i < n; i++) {
		if (!counts[i])
			continue;
		if (!found)
			*lo = i;
		*hi = i;
		found = true;
	}
	return found;
}

static void view_alloc(struct hist_view *h, size_t nrows)
{
	h->nrows = nrows;
	h->counts = xcalloc(nrows, sizeof(*h->counts));
	h->labels = xcalloc(nrows, sizeof(*h->labels));
}

void hist_view_build(struct hist_view *h, const uint64_t *counts, size_t n, int bits,
		     uint64_t div)
{
	size_t lo = 0, hi = 0;

	memset(h, 0, sizeof(*h));
	if (!div)
		div = 1;
	if (!nonzero_range(counts, n, &lo, &hi))
		return;
	view_alloc(h, hi - lo + 1);
	if (lo != 0) {
		h->has_lower = true;
		h->lower = hist_label_for(lo - 1, bits);
	}
	for (size_t i = lo; i <= hi; i++) {
		/* Index 0 (negative values) ends at 0. */
		h->labels[h->nlabels++] = i == 0 ? plain_label(0) : hist_label_for(i, bits);
		h->counts[i - lo] = counts[i] / div;
	}
}

void lhist_view_build(struct hist_view *h, const uint64_t *counts, size_t n, int64_t min,
		      int64_t max, int64_t step)
{
	size_t lo = 0, hi = 0;

	memset(h, 0, sizeof(*h));
	if (!nonzero_range(counts, n, &lo, &hi))
		return;
	view_alloc(h, hi - lo + 1);
	if (lo != 0) {
		h->has_lower = true;
		h->lower = lhist_label_for(min + ((int64_t)lo - 1) * step, step);
	}
	for (size_t i = lo; i <= hi; i++) {
		int64_t upper = min + (int64_t)i * step;

		/* The last bucket is open above: it has no label. */
		if (upper <= max)
			h->labels[h->nlabels++] = lhist_label_for(upper, step);
		h->counts[i - lo] = counts[i];
	}
}

void hist_view_free(struct hist_view *h)
{
	free(h->labels);
	free(h->counts);
	memset(h, 0, sizeof(*h));
}

/* bpftrace prints "[3]" for a bucket whose plain integer bounds differ by one. */
static bool single_value(const struct hist_label *a, const struct hist_label *b)
{
	return !a->symbolic && !b->symbolic && a->num + 1 == b->num;
}

static void row_label(struct strbuf *b, const struct hist_view *h, size_t i)
{
	const struct hist_label *lower = i == 0 ? (h->has_lower ? &h->lower : NULL)
						: &h->labels[i - 1];

	if (!lower) {
		strbuf_printf(b, "(..., %s)", h->labels[0].text);
	} else if (i >= h->nlabels) {
		strbuf_printf(b, "[%s, ...)", lower->text);
	} else if (single_value(lower, &h->labels[i])) {
		strbuf_printf(b, "[%s]", lower->text);
	} else {
		strbuf_printf(b, "[%s, %s)", lower->text, h->labels[i].text);
	}
}

enum { BAR_WIDTH = 52 };

void hist_view_text(struct strbuf *b, const struct hist_view *h)
{
	uint64_t max = 0;
	struct strbuf label = { 0 };

	for (size_t i = 0; i < h->nrows; i++)
		if (h->counts[i] > max)
			max = h->counts[i];
	for (size_t i = 0; i < h->nrows; i++) {
		/*
		 * bpftrace computes (int)(count / (float)max * 52); with
		 * integers this is exact and equal for all realistic counts.
		 */
		size_t bar = max ? (size_t)((unsigned __int128)h->counts[i] * BAR_WIDTH / max) : 0;

		strbuf_reset(&label);
		row_label(&label, h, i);
		strbuf_puts(b, strbuf_str(&label));
		if (label.len < 16)
			strbuf_pad(b, ' ', 16 - label.len);
		strbuf_printf(b, "%8llu |", (unsigned long long)h->counts[i]);
		strbuf_pad(b, '@', bar);
		strbuf_pad(b, ' ', BAR_WIDTH - bar);
		strbuf_puts(b, "|\n");
	}
	strbuf_free(&label);
}

static void label_json(struct strbuf *b, const struct hist_label *l)
{
	if (l->is_unsigned)
		json_u64(b, (uint64_t)l->num);
	else
		json_s64(b, l->num);
}

/* JSON bounds are closed: "max" is the next bucket's start minus one. */
static void label_json_minus_one(struct strbuf *b, const struct hist_label *l)
{
	if (l->is_unsigned && l->num == 0)
		json_s64(b, -1);
	else
		json_s64(b, (int64_t)((uint64_t)l->num - 1));
}

void hist_view_json(struct strbuf *b, const struct hist_view *h)
{
	strbuf_putc(b, '[');
	for (size_t i = 0; i < h->nrows; i++) {
		if (i)
			strbuf_putc(b, ',');
		strbuf_putc(b, '{');
		if (i == 0 && h->has_lower) {
			strbuf_puts(b, "\"min\": ");
			label_json(b, &h->lower);
			strbuf_puts(b, ", ");
		} else if (i > 0) {
			strbuf_puts(b, "\"min\": ");
			label_json(b, &h->labels[i - 1]);
			strbuf_puts(b, ", ");
		}
		if (i < h->nlabels) {
			strbuf_puts(b, "\"max\": ");
			label_json_minus_one(b, &h->labels[i]);
			strbuf_puts(b, ", ");
		}
		strbuf_printf(b, "\"count\": %llu}", (unsigned long long)h->counts[i]);
	}
	strbuf_putc(b, ']');
}
