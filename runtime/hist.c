// SPDX-License-Identifier: Apache-2.0
/* hist()/lhist() bucket indexes, labels, and their text and JSON rows; tseries() charts. */
#include "hist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* ---- tseries ------------------------------------------------------------------------------ */

void ts_view_build(struct ts_view *t, const uint64_t *values, const uint64_t *epochs,
		   size_t nslots, uint64_t last, uint64_t count)
{
	uint64_t lo, first = last;

	t->epochs = NULL;
	t->values = NULL;
	t->has = NULL;
	t->n = 0;
	/* bpftrace's window start wraps around below epoch 0 and then shows nothing */
	if (!last || !count || last + 1 < count)
		return;
	lo = last + 1 - count;
	for (size_t i = 0; i < nslots; i++)
		if (epochs[i] >= lo && epochs[i] < first)
			first = epochs[i];
	t->n = (size_t)(last - first + 1);
	t->epochs = xcalloc(t->n, sizeof(*t->epochs));
	t->values = xcalloc(t->n, sizeof(*t->values));
	t->has = xcalloc(t->n, sizeof(*t->has));
	for (size_t i = 0; i < t->n; i++) {
		uint64_t e = first + i, slot = e % count;

		t->epochs[i] = e;
		t->has[i] = slot < nslots && epochs[slot] == e;
		t->values[i] = t->has[i] ? values[slot] : 0;
	}
}

void ts_view_free(struct ts_view *t)
{
	free(t->epochs);
	free(t->values);
	free(t->has);
	t->epochs = t->values = NULL;
	t->has = NULL;
	t->n = 0;
}

int64_t ts_wall_offset(void)
{
	struct timespec tai, real;
	int64_t d;

	if (clock_gettime(CLOCK_TAI, &tai) || clock_gettime(CLOCK_REALTIME, &real))
		return 0;
	d = ((int64_t)real.tv_sec - (int64_t)tai.tv_sec) * 1000000000 +
	    ((int64_t)real.tv_nsec - (int64_t)tai.tv_nsec);
	/* the clocks differ by whole (leap) seconds; the rest is the time between the reads */
	return (d >= 0 ? d + 500000000 : d - 500000000) / 1000000000 * 1000000000;
}

/* A chart bound: a number, or "null" when the series has no value to scale by. */
struct ts_bound {
	bool has;
	uint64_t v;
};

static bool ts_less(const struct ts_view *t, uint64_t a, uint64_t b)
{
	return t->is_signed ? (int64_t)a < (int64_t)b : a < b;
}

static void ts_num(char *out, size_t n, const struct ts_view *t, struct ts_bound x)
{
	if (!x.has)
		snprintf(out, n, "null");
	else if (t->is_signed)
		snprintf(out, n, "%lld", (long long)(int64_t)x.v);
	else
		snprintf(out, n, "%llu", (unsigned long long)x.v);
}

/* The interval's display unit, as bpftrace picks it: the largest unit not above it. */
enum ts_unit { TS_S, TS_MS, TS_US, TS_NS };

static enum ts_unit ts_unit_of(uint64_t ns)
{
	if (ns >= 1000000000)
		return TS_S;
	if (ns >= 1000000)
		return TS_MS;
	return ns >= 1000 ? TS_US : TS_NS;
}

/* `hh:mm:ss` plus the fraction of a second in the unit's digits (local time). */
static void ts_time_text(struct strbuf *b, const struct ts_view *t, uint64_t epoch, enum ts_unit u)
{
	int64_t wall = (int64_t)(epoch * t->interval) + t->wall_offset;
	time_t sec = (time_t)(wall / 1000000000);
	uint64_t ns = (uint64_t)(wall % 1000000000);
	struct tm tm;
	char hms[32];

	localtime_r(&sec, &tm);
	strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	strbuf_puts(b, hms);
	if (u == TS_MS)
		strbuf_printf(b, ".%03llu", (unsigned long long)(ns / 1000000));
	else if (u == TS_US)
		strbuf_printf(b, ".%06llu", (unsigned long long)(ns / 1000));
	else if (u == TS_NS)
		strbuf_printf(b, ".%09llu", (unsigned long long)ns);
}

#define TS_WIDTH 53 /* the lane between and including the two '|' */
#define TS_PAD 21   /* the minimum's column on the scale lines */

static void ts_scale_line(struct strbuf *b, const struct ts_view *t, size_t indent,
			  struct ts_bound lo, struct ts_bound hi)
{
	char a[32], z[32];

	ts_num(a, sizeof(a), t, lo);
	ts_num(z, sizeof(z), t, hi);
	strbuf_pad(b, ' ', indent);
	strbuf_printf(b, "%-*s%*s\n", TS_PAD, a, TS_WIDTH - TS_PAD, z);
}

void ts_view_text(struct strbuf *b, const struct ts_view *t)
{
	static const char *const fmts[] = { "hh:mm:ss", "hh:mm:ss.ms", "hh:mm:ss.\u03bcs",
					    "hh:mm:ss.ns" };
	static const size_t sizes[] = { 8, 12, 15, 18 };
	struct ts_bound lo = { t->n && t->has[0], t->n ? t->values[0] : 0 }, hi = lo;
	char lane[TS_WIDTH + 1];
	int zero = 0;

	if (!t->n) {
		strbuf_puts(b, "<no data>");
		return;
	}
	for (size_t i = 0; i < t->n; i++) {
		if (!t->has[i])
			continue;
		if (ts_less(t, t->values[i], lo.v))
			lo.v = t->values[i];
		if (ts_less(t, hi.v, t->values[i]))
			hi.v = t->values[i];
	}
	if (t->scale) {
		lo = (struct ts_bound){ true, t->scale_min };
		hi = (struct ts_bound){ true, t->scale_max };
	} else if (lo.has && lo.v == hi.v) {
		/* room on both sides of a flat line, short of wrapping around */
		if (lo.v != (t->is_signed ? (uint64_t)INT64_MIN : 0))
			lo.v--;
		if (hi.v != (t->is_signed ? (uint64_t)INT64_MAX : UINT64_MAX))
			hi.v++;
	}
	/* the interval between the rows: a single row has none and shows nanoseconds */
	uint64_t step = t->n > 1 ? (t->epochs[t->n - 1] - t->epochs[0]) * t->interval / (t->n - 1) : 0;
	enum ts_unit u = ts_unit_of(step);
	size_t tw = sizes[u];
	int64_t span = (int64_t)(hi.v - lo.v);

	ts_scale_line(b, t, tw + 1, lo, hi);
	strbuf_puts(b, fmts[u]);
	strbuf_pad(b, ' ', tw + 1 - strlen(fmts[u]));
	strbuf_putc(b, '|');
	strbuf_pad(b, '_', TS_WIDTH - 2);
	strbuf_puts(b, "|\n");
	if (lo.has && t->is_signed && (int64_t)lo.v < 0 && (int64_t)hi.v > 0)
		zero = (int)((float)TS_WIDTH * (float)(0 - (int64_t)lo.v) / (float)span);
	for (size_t i = 0; i < t->n; i++) {
		memset(lane, ' ', TS_WIDTH);
		lane[TS_WIDTH] = 0;
		lane[0] = lane[TS_WIDTH - 1] = '|';
		if (zero > 0)
			lane[zero] = '.';
		ts_time_text(b, t, t->epochs[i], u);
		strbuf_putc(b, ' ');
		if (!t->has[i]) {
			strbuf_printf(b, "%s -\n", lane);
			continue;
		}
		int at = TS_WIDTH / 2;
		if (lo.v != hi.v)
			at = (int)((float)(TS_WIDTH - 1) * (float)(int64_t)(t->values[i] - lo.v) /
				   (float)span);
		lane[at < 0 ? 0 : at > TS_WIDTH - 1 ? TS_WIDTH - 1 : at] = '*';
		char num[32];
		ts_num(num, sizeof(num), t, (struct ts_bound){ true, t->values[i] });
		strbuf_printf(b, "%s %s\n", lane, num);
	}
	strbuf_pad(b, ' ', tw + 1);
	strbuf_putc(b, 'v');
	strbuf_pad(b, '_', TS_WIDTH - 2);
	strbuf_puts(b, "v\n");
	ts_scale_line(b, t, tw + 1, lo, hi);
}

void ts_view_json(struct strbuf *b, const struct ts_view *t)
{
	bool first = true;

	strbuf_putc(b, '[');
	for (size_t i = 0; i < t->n; i++) {
		int64_t wall = (int64_t)(t->epochs[i] * t->interval) + t->wall_offset;
		time_t sec = (time_t)(wall / 1000000000);
		struct tm tm;
		char when[64];

		if (!t->has[i])
			continue;
		gmtime_r(&sec, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		strbuf_printf(b, "%s{\"interval_start\":\"%s.%09lld\",\"value\":", first ? "" : ",",
			      when, (long long)(wall % 1000000000));
		if (t->is_signed)
			json_s64(b, (int64_t)t->values[i]);
		else
			json_u64(b, t->values[i]);
		strbuf_putc(b, '}');
		first = false;
	}
	strbuf_putc(b, ']');
}
