// SPDX-License-Identifier: Apache-2.0
/* hist/lhist bucket indexes (which the kernel side mirrors), labels and rows. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "t_out.h"
#include "value.h"

static void test_hist_index(void)
{
	T_OK(hist_index(-1, 0) == 0);
	T_OK(hist_index(INT64_MIN, 0) == 0);
	T_OK(hist_index(0, 0) == 1);
	T_OK(hist_index(1, 0) == 2);
	T_OK(hist_index(2, 0) == 3 && hist_index(3, 0) == 3);
	T_OK(hist_index(4, 0) == 4 && hist_index(7, 0) == 4);
	T_OK(hist_index(1024, 0) == 12);
	T_OK(hist_index(INT64_MAX, 0) == 64 && hist_nbuckets(0) == 65);
	T_OK(hist_index(15, 3) == 16 && hist_index(16, 3) == 17 && hist_index(17, 3) == 17);
	T_OK(hist_index(18, 3) == 18 && hist_index(31, 3) == 24 && hist_index(32, 3) == 25);
	T_OK(hist_index(INT64_MAX, 5) == hist_nbuckets(5) - 1);
	for (int bits = 0; bits <= 5; bits++)
		for (uint64_t i = 1; i + 1 < hist_nbuckets(bits); i++) {
			/* Each lower bound maps to its bucket, the value before it to the previous one. */
			uint64_t lo = hist_lower(i, bits);

			T_OK(hist_index((int64_t)lo, bits) == i);
			if (lo)
				T_OK(hist_index((int64_t)lo - 1, bits) == i - 1);
		}
}

static void test_lhist_index(void)
{
	T_OK(lhist_index(-1, 0, 10, 2) == 0);
	T_OK(lhist_index(0, 0, 10, 2) == 1 && lhist_index(9, 0, 10, 2) == 5);
	T_OK(lhist_index(10, 0, 10, 2) == 6 && lhist_index(11, 0, 10, 2) == 6);
	T_OK(lhist_nbuckets(0, 10, 2) == 7);
	T_OK(lhist_index(-20, -10, 10, 5) == 0 && lhist_index(-10, -10, 10, 5) == 1);
	T_OK(lhist_index(-6, -10, 10, 5) == 1 && lhist_index(-5, -10, 10, 5) == 2);
}

/* Rows of a hist with one count at each of the given values. */
static char *hist_rows(const int64_t *vals, size_t n, int bits, uint64_t div, bool json)
{
	uint64_t counts[4096] = { 0 };
	struct hist_view h;
	struct strbuf b = { 0 };
	char *s;

	for (size_t i = 0; i < n; i++)
		counts[hist_index(vals[i], bits)]++;
	hist_view_build(&h, counts, hist_nbuckets(bits), bits, div);
	if (json)
		hist_view_json(&b, &h);
	else
		hist_view_text(&b, &h);
	hist_view_free(&h);
	s = strdup(strbuf_str(&b));
	strbuf_free(&b);
	return s;
}

static void test_labels(void)
{
	int64_t v1[] = { 1280, 1536 };
	char *s = hist_rows(v1, 2, 2, 0, false);

	/* The suffix comes from the power of two: 1280 = 256 * 5 has none, 1536 = 1K * 1.5 neither. */
	T_OK(!strncmp(s, "[1280, 1536)           1 |", 26));
	T_OK(strstr(s, "\n[1536, 1792)           1 |") != NULL);
	free(s);

	int64_t v2[] = { 5120 };
	s = hist_rows(v2, 1, 2, 0, false);
	T_OK(!strncmp(s, "[5K, 6K)               1 |", 26));
	free(s);

	int64_t v3[] = { INT64_MAX };
	s = hist_rows(v3, 1, 0, 0, true);
	T_STR(s, "[{\"min\": 4611686018427387904, \"max\": \"9223372036854775807\", \"count\": 1}]");
	free(s);
	s = hist_rows(v3, 1, 0, 0, false);
	T_OK(!strncmp(s, "[4E, 8E)               1 |", 26));
	free(s);
}

static void test_bars_div(void)
{
	int64_t v[] = { 1, 1, 1, 2, 4, 4, 4, 4, 4, 4 };
	char *s = hist_rows(v, 10, 0, 0, false);

	T_STR(s, "[1]                    3 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
		 "[2, 4)                 1 |@@@@@@@@                                            |\n"
		 "[4, 8)                 6 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n");
	free(s);
	/* Divided counts, bars from the divided values; a row divided to 0 stays. */
	s = hist_rows(v, 10, 0, 3, false);
	T_STR(s, "[1]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
		 "[2, 4)                 0 |                                                    |\n"
		 "[4, 8)                 2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n");
	free(s);
}

static void test_empty(void)
{
	uint64_t counts[8] = { 0 };
	struct hist_view h;
	struct strbuf b = { 0 };

	hist_view_build(&h, counts, 8, 0, 1);
	T_OK(h.nrows == 0);
	hist_view_text(&b, &h);
	hist_view_json(&b, &h);
	T_STR(strbuf_str(&b), "[]");
	hist_view_free(&h);
	strbuf_free(&b);
}

int main(void)
{
	test_hist_index();
	test_lhist_index();
	test_labels();
	test_bars_div();
	test_empty();
	return t_done();
}
