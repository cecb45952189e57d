// SPDX-License-Identifier: Apache-2.0
/* output_map and friends on synthetic snapshots: exact text and JSON for every value kind. */
#define _GNU_SOURCE /* open_memstream */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hist.h"
#include "output.h"
#include "t_out.h"
#include "value.h"

/* ---- hand-made types (no dependency on type constructors) ---------------------------------- */

static const struct type u8_t = { .kind = TY_INT, .size = 1, .align = 1 };
static const struct type s8_t = { .kind = TY_INT, .size = 1, .align = 1, .is_signed = true };
static const struct type u32_t = { .kind = TY_INT, .size = 4, .align = 4 };
static const struct type s32_t = { .kind = TY_INT, .size = 4, .align = 4, .is_signed = true };
static const struct type u64_t = { .kind = TY_INT, .size = 8, .align = 8 };
static const struct type s64_t = { .kind = TY_INT, .size = 8, .align = 8, .is_signed = true };
static const struct type bool_t = { .kind = TY_BOOL, .size = 1, .align = 1 };
static const struct type str4_t = { .kind = TY_STRING, .size = 4, .align = 1 };
static const struct type str8_t = { .kind = TY_STRING, .size = 8, .align = 1 };
static const struct type ptr_t = { .kind = TY_PTR, .size = 8, .align = 8, .elem = &u8_t };
static const struct type probe_t = { .kind = TY_PROBE, .size = 8, .align = 8 };
static const struct type buf8_t = { .kind = TY_BUFFER, .size = 12, .align = 4 };
static const struct type arr3_t = { .kind = TY_ARRAY, .size = 12, .align = 4, .elem = &s32_t,
				    .nelem = 3 };

static const struct type agg_count = { .kind = TY_AGG, .size = 8, .agg = AGG_COUNT };
static const struct type agg_sum_s = { .kind = TY_AGG, .size = 8, .agg = AGG_SUM,
				       .is_signed = true };
static const struct type agg_min_s = { .kind = TY_AGG, .size = 16, .agg = AGG_MIN,
				       .is_signed = true };
static const struct type agg_max_s = { .kind = TY_AGG, .size = 16, .agg = AGG_MAX,
				       .is_signed = true };
static const struct type agg_avg_s = { .kind = TY_AGG, .size = 16, .agg = AGG_AVG,
				       .is_signed = true };
static const struct type agg_stats_s = { .kind = TY_AGG, .size = 16, .agg = AGG_STATS,
					 .is_signed = true };
static const struct type agg_hist = { .kind = TY_AGG, .size = 8, .agg = AGG_HIST };
static const struct type agg_lhist = { .kind = TY_AGG, .size = 8, .agg = AGG_LHIST,
				       .is_signed = true };

/* (int64, string[4]) */
static const struct field tup_fields[] = {
	{ .type = &s64_t, .offset = 0 },
	{ .type = &str4_t, .offset = 8 },
};
static const struct type tup_t = { .kind = TY_TUPLE, .size = 16, .align = 8,
				   .fields = tup_fields, .nfields = 2 };

static const char *probe_names[] = { "begin", "tracepoint:syscalls:sys_enter_getpid" };
static struct resources res = { .str_trunc_trailer = "..", .probes = probe_names, .nprobes = 2 };

/* ---- snapshots ---------------------------------------------------------------------------- */

enum { MAX_ENTRIES = 64, MAX_BYTES = 256 };

struct snap {
	struct map_res map;
	struct map_snapshot s;
	struct map_entry e[MAX_ENTRIES];
	uint8_t keys[MAX_ENTRIES][MAX_BYTES];
	uint8_t vals[MAX_ENTRIES][MAX_BYTES];
};

static void snap_init(struct snap *sn, const char *name, const struct type *key,
		      const struct type *val, unsigned ncpus)
{
	memset(sn, 0, sizeof(*sn));
	sn->map.name = name;
	sn->map.key = key;
	sn->map.val = val;
	sn->map.agg = val->kind == TY_AGG ? val->agg : AGG_NONE;
	sn->map.key_size = (key ? key->size : 8) + (sn->map.agg == AGG_HIST ||
						    sn->map.agg == AGG_LHIST ? 8 : 0);
	sn->map.val_size = val->size;
	sn->map.percpu = val->kind == TY_AGG;
	sn->s.map = &sn->map;
	sn->s.ncpus = ncpus;
	sn->s.entries = sn->e;
}

static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A new entry; returns its index.  key may be NULL (scalar). */
static size_t snap_add(struct snap *sn, const void *key, size_t klen)
{
	size_t i = sn->s.n++;

	if (key)
		memcpy(sn->keys[i], key, klen);
	sn->e[i].key = sn->keys[i];
	sn->e[i].val = sn->vals[i];
	return i;
}

static void add_int_key_u64(struct snap *sn, int64_t key, const uint64_t *percpu, unsigned n)
{
	uint8_t k[8];
	size_t i;

	put_u64(k, (uint64_t)key);
	i = snap_add(sn, k, 8);
	for (unsigned c = 0; c < n; c++)
		put_u64(sn->vals[i] + 8 * c, percpu[c]);
}

/* A u64 value per CPU, scalar map. */
static void add_scalar(struct snap *sn, const uint64_t *percpu, unsigned n)
{
	size_t i = snap_add(sn, NULL, 0);

	for (unsigned c = 0; c < n; c++)
		put_u64(sn->vals[i] + 8 * c, percpu[c]);
}

/* Two u64 words per CPU (min/max value+flag, avg/stats total+count). */
static void add_pair(struct snap *sn, const void *key, size_t klen, const uint64_t *words,
		     unsigned ncpus)
{
	size_t i = snap_add(sn, key, klen);

	for (unsigned c = 0; c < ncpus; c++) {
		put_u64(sn->vals[i] + 16 * c, words[2 * c]);
		put_u64(sn->vals[i] + 16 * c + 8, words[2 * c + 1]);
	}
}

/* One hist/lhist bucket entry: user key bytes + bucket index, count on CPU 0. */
static void add_bucket(struct snap *sn, const void *ukey, size_t uklen, uint64_t bucket,
		       uint64_t count)
{
	uint8_t k[MAX_BYTES] = { 0 };
	size_t i;

	if (ukey)
		memcpy(k, ukey, uklen);
	put_u64(k + sn->map.key_size - 8, bucket);
	i = snap_add(sn, k, sn->map.key_size);
	put_u64(sn->vals[i], count);
}

static void hist_add(struct snap *sn, const void *ukey, size_t uklen, int64_t v)
{
	add_bucket(sn, ukey, uklen, hist_index(v, sn->map.hist_bits), 1);
}

static void lhist_add(struct snap *sn, const void *ukey, size_t uklen, int64_t v)
{
	add_bucket(sn, ukey, uklen,
		   lhist_index(v, sn->map.lhist_min, sn->map.lhist_max, sn->map.lhist_step), 1);
}

/* ---- rendering into strings --------------------------------------------------------------- */

static char *render(enum output_format fmt, const struct snap *sn, uint64_t top, uint64_t div,
		    bool zero)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct output *o = output_new(fmt, f, &res);

	output_map(o, &sn->s, top, div, zero);
	output_free(o);
	fclose(f);
	return buf;
}

#define CHECK_MAP(fmt, sn, top, div, want)                                                         \
	do {                                                                                       \
		char *got_ = render((fmt), (sn), (top), (div), false);                              \
		T_STR(got_, (want));                                                               \
		free(got_);                                                                        \
	} while (0)

#define CHECK_TEXT(sn, want) CHECK_MAP(OUTPUT_TEXT, sn, 0, 0, want)
#define CHECK_JSON(sn, want) CHECK_MAP(OUTPUT_JSON, sn, 0, 0, want)

static char *render_value(enum output_format fmt, const struct type *t, const void *data)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct output *o = output_new(fmt, f, &res);

	output_value(o, t, data);
	output_free(o);
	fclose(f);
	return buf;
}

#define CHECK_VALUE(fmt, t, data, want)                                                            \
	do {                                                                                       \
		char *got_ = render_value((fmt), (t), (data));                                      \
		T_STR(got_, (want));                                                               \
		free(got_);                                                                        \
	} while (0)

/* ---- tests: counts, sums, plain values ------------------------------------------------------ */

static struct snap sn; /* big: keep it off the stack */

static void test_count(void)
{
	uint64_t v[] = { 2, 3 };

	snap_init(&sn, "@c", NULL, &agg_count, 2);
	add_scalar(&sn, v, 2);
	CHECK_TEXT(&sn, "@c: 5\n");
	CHECK_JSON(&sn, "{\"type\": \"map\", \"data\": {\"@c\": 5}}\n");
}

static void test_count_keyed_sorted(void)
{
	uint64_t v1[] = { 10 }, v2[] = { 5 }, v3[] = { 7 }, v4[] = { 7 };

	snap_init(&sn, "@m", &s64_t, &agg_count, 1);
	add_int_key_u64(&sn, 1, v1, 1);
	add_int_key_u64(&sn, -4, v3, 1);
	add_int_key_u64(&sn, 2, v2, 1);
	add_int_key_u64(&sn, 3, v4, 1);
	/* -4 and 3 tie: ordered by key bytes, so 3 (03 00 ...) before -4 (fc ff ...). */
	CHECK_TEXT(&sn, "@m[2]: 5\n@m[3]: 7\n@m[-4]: 7\n@m[1]: 10\n");
	CHECK_JSON(&sn, "{\"type\": \"map\", \"data\": {\"@m\": {\"2\": 5, \"3\": 7, \"-4\": 7, "
			"\"1\": 10}}}\n");
	CHECK_MAP(OUTPUT_TEXT, &sn, 2, 0, "@m[-4]: 7\n@m[1]: 10\n");
}

static void test_sum_signed(void)
{
	uint64_t v[] = { (uint64_t)-8, 3 };

	snap_init(&sn, "@s", NULL, &agg_sum_s, 2);
	add_scalar(&sn, v, 2);
	CHECK_TEXT(&sn, "@s: -5\n");
	CHECK_JSON(&sn, "{\"type\": \"map\", \"data\": {\"@s\": -5}}\n");
}

static void test_top_div(void)
{
	int64_t keys[] = { 1, 2, 3, 4 };
	uint64_t vals[] = { 10, 30, 20, 40 };

	snap_init(&sn, "@", &s64_t, &s64_t, 1);
	for (int i = 0; i < 4; i++) {
		uint8_t k[8];
		size_t e;

		put_u64(k, (uint64_t)keys[i]);
		e = snap_add(&sn, k, 8);
		put_u64(sn.vals[e], vals[i]);
	}
	CHECK_TEXT(&sn, "@[1]: 10\n@[3]: 20\n@[2]: 30\n@[4]: 40\n");
	CHECK_MAP(OUTPUT_TEXT, &sn, 2, 0, "@[2]: 30\n@[4]: 40\n");
	CHECK_MAP(OUTPUT_TEXT, &sn, 2, 10, "@[2]: 3\n@[4]: 4\n");
	CHECK_MAP(OUTPUT_JSON, &sn, 2, 10, "{\"type\": \"map\", \"data\": {\"@\": {\"2\": 3, \"4\": 4}}}\n");
}

static void test_string_keys(void)
{
	static const char *keys[] = { "c", "a", "b", "(x)" };
	uint64_t vals[] = { 1, 2, 2, 9 };

	snap_init(&sn, "@s", &str4_t, &agg_count, 1);
	for (int i = 0; i < 4; i++) {
		char k[4] = { 0 };

		memcpy(k, keys[i], strnlen(keys[i], sizeof(k)));
		add_int_key_u64(&sn, 0, &vals[i], 1);
		memcpy(sn.keys[i], k, 4);
	}
	/* One pair of outer parentheses is dropped even from a string key. */
	CHECK_TEXT(&sn, "@s[c]: 1\n@s[a]: 2\n@s[b]: 2\n@s[x]: 9\n");
}

static void test_value_sorted_by_key(void)
{
	static const char *names[] = { "zz", "ab", "m" };

	snap_init(&sn, "@n", &str4_t, &str8_t, 1);
	for (int i = 0; i < 3; i++) {
		char k[4] = { 0 }, v[8] = { 0 };
		size_t e;

		memcpy(k, names[i], strnlen(names[i], sizeof(k)));
		snprintf(v, sizeof(v), "v%d", i);
		e = snap_add(&sn, k, 4);
		memcpy(sn.vals[e], v, 8);
	}
	CHECK_TEXT(&sn, "@n[ab]: v1\n@n[m]: v2\n@n[zz]: v0\n");
	CHECK_JSON(&sn, "{\"type\": \"map\", \"data\": {\"@n\": {\"ab\": \"v1\", \"m\": \"v2\", "
			"\"zz\": \"v0\"}}}\n");
}

static void test_bool_values_int_key_order(void)
{
	int64_t keys[] = { 3, -1, 2 };

	/* Non-numeric values sort by key; integer keys compare signed. */
	snap_init(&sn, "@b", &u64_t, &bool_t, 1);
	for (int i = 0; i < 3; i++) {
		uint8_t k[8];
		size_t e;

		put_u64(k, (uint64_t)keys[i]);
		e = snap_add(&sn, k, 8);
		sn.vals[e][0] = i != 1;
	}
	CHECK_TEXT(&sn, "@b[18446744073709551615]: false\n@b[2]: true\n@b[3]: true\n");
}

static void test_tuple_keys(void)
{
	struct { int64_t a; char s[4]; } ks[] = { { 2, "y" }, { 1, "x" }, { 0, "z" }, { 1, "a" } };
	uint64_t vals[] = { 1, 3, 3, 3 };

	snap_init(&sn, "@mk", &tup_t, &agg_count, 1);
	for (int i = 0; i < 4; i++) {
		uint8_t k[16] = { 0 };
		size_t e;

		put_u64(k, (uint64_t)ks[i].a);
		memcpy(k + 8, ks[i].s, 4);
		e = snap_add(&sn, k, 16);
		put_u64(sn.vals[e], vals[i]);
	}
	CHECK_TEXT(&sn, "@mk[2, y]: 1\n@mk[0, z]: 3\n@mk[1, a]: 3\n@mk[1, x]: 3\n");
	CHECK_JSON(&sn, "{\"type\": \"map\", \"data\": {\"@mk\": {\"2,y\": 1, \"0,z\": 3, "
			"\"1,a\": 3, \"1,x\": 3}}}\n");
}

/* ---- min, max, avg, stats ------------------------------------------------------------------ */

static void test_min_max(void)
{
	/* CPU 0 unset (flag 0) must not count; -5 sorts last (unsigned compare). */
	uint64_t k[] = { (uint64_t)-5, 1, 99, 0 }, j[] = { 3, 1, 0, 0 };

	snap_init(&sn, "@mi", &str4_t, &agg_min_s, 2);
	add_pair(&sn, "k", 2, k, 2);
	add_pair(&sn, "j", 2, j, 2);
	CHECK_TEXT(&sn, "@mi[j]: 3\n@mi[k]: -5\n");

	uint64_t a[] = { 7, 1, 9, 1 }, b[] = { 1, 0, 0, 0 };

	snap_init(&sn, "@ma", &str4_t, &agg_max_s, 2);
	add_pair(&sn, "a", 2, a, 2);
	add_pair(&sn, "b", 2, b, 2); /* never set: prints 0 */
	CHECK_TEXT(&sn, "@ma[b]: 0\n@ma[a]: 9\n");
}

static void test_avg_stats(void)
{
	uint64_t w[] = { (uint64_t)-30, 1, (uint64_t)-10, 1 };

	snap_init(&sn, "@a", NULL, &agg_avg_s, 2);
	add_pair(&sn, NULL, 0, w, 2);
	CHECK_TEXT(&sn, "@a: -20\n");
	CHECK_JSON(&sn, "{\"type\": \"stats\", \"data\": {\"@a\": -20}}\n");

	uint64_t s[] = { (uint64_t)-15, 2, 5, 1 };

	snap_init(&sn, "@", NULL, &agg_stats_s, 2);
	add_pair(&sn, NULL, 0, s, 2);
	CHECK_TEXT(&sn, "@: { .count = 3, .average = -3, .total = -10 }\n");
	CHECK_JSON(&sn, "{\"type\": \"stats\", \"data\": {\"@\": {\"count\": 3, \"average\": -3, "
			"\"total\": -10}}}\n");

	/* Keyed avg with top and div (HEAD test print_avg_map_args). */
	snap_init(&sn, "@", &str4_t, &agg_avg_s, 1);
	for (int i = 0; i < 4; i++) {
		char key[4] = { (char)('a' + i) };
		uint64_t pair[] = { (uint64_t)(10 * (i + 1)), 1 };

		add_pair(&sn, key, 4, pair, 1);
	}
	CHECK_MAP(OUTPUT_TEXT, &sn, 2, 10, "@[c]: 3\n@[d]: 4\n");
	CHECK_MAP(OUTPUT_JSON, &sn, 2, 10, "{\"type\": \"stats\", \"data\": {\"@\": {\"c\": 3, \"d\": 4}}}\n");
}

static void test_empty_and_zero(void)
{
	snap_init(&sn, "@c", &s64_t, &agg_count, 1);
	CHECK_TEXT(&sn, "");
	CHECK_JSON(&sn, "");

	snap_init(&sn, "@x", NULL, &s64_t, 1);
	CHECK_TEXT(&sn, "");
	char *got = render(OUTPUT_TEXT, &sn, 0, 0, true);
	T_STR(got, "@x: 0\n");
	free(got);

	snap_init(&sn, "@s", NULL, &agg_stats_s, 4);
	got = render(OUTPUT_TEXT, &sn, 0, 0, true);
	T_STR(got, "@s: { .count = 0, .average = 0, .total = 0 }\n");
	free(got);
	got = render(OUTPUT_JSON, &sn, 0, 0, true);
	T_STR(got, "{\"type\": \"stats\", \"data\": {\"@s\": {\"count\": 0, \"average\": 0, \"total\": 0}}}\n");
	free(got);
}

/* ---- hist and lhist ------------------------------------------------------------------------ */

static const char BAR52[] = "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@";
static const char BAR26[] = "@@@@@@@@@@@@@@@@@@@@@@@@@@                          ";
static const char BAR0[] = "                                                    ";

static void test_hist_text(void)
{
	char want[4096];

	snap_init(&sn, "@", NULL, &agg_hist, 1);
	hist_add(&sn, NULL, 0, -1);
	hist_add(&sn, NULL, 0, 2);
	hist_add(&sn, NULL, 0, 3);
	hist_add(&sn, NULL, 0, 7);
	hist_add(&sn, NULL, 0, 20);
	snprintf(want, sizeof(want),
		 "@:\n"
		 "(..., 0)               1 |%s|\n"
		 "[0]                    0 |%s|\n"
		 "[1]                    0 |%s|\n"
		 "[2, 4)                 2 |%s|\n"
		 "[4, 8)                 1 |%s|\n"
		 "[8, 16)                0 |%s|\n"
		 "[16, 32)               1 |%s|\n"
		 "\n",
		 BAR26, BAR0, BAR0, BAR52, BAR26, BAR0, BAR26);
	CHECK_TEXT(&sn, want);
	CHECK_JSON(&sn, "{\"type\": \"hist\", \"data\": {\"@\": [{\"max\": -1, \"count\": 1},"
			"{\"min\": 0, \"max\": 0, \"count\": 0},{\"min\": 1, \"max\": 1, \"count\": 0},"
			"{\"min\": 2, \"max\": 3, \"count\": 2},{\"min\": 4, \"max\": 7, \"count\": 1},"
			"{\"min\": 8, \"max\": 15, \"count\": 0},{\"min\": 16, \"max\": 31, \"count\": 1}]}}\n");
}

static void test_hist_suffixes(void)
{
	char want[4096];

	snap_init(&sn, "@x", NULL, &agg_hist, 1);
	hist_add(&sn, NULL, 0, 700);
	hist_add(&sn, NULL, 0, 1500);
	hist_add(&sn, NULL, 0, 1500);
	hist_add(&sn, NULL, 0, 3145728);
	snprintf(want, sizeof(want), "@x:\n[512, 1K)              1 |%s|\n[1K, 2K)               2 |%s|\n",
		 BAR26, BAR52);
	char *got = render(OUTPUT_TEXT, &sn, 0, 0, false);
	T_OK(!strncmp(got, want, strlen(want)));
	T_OK(strstr(got, "\n[2M, 4M)               1 |") != NULL);
	T_OK(strstr(got, "\n[1M, 2M)               0 |") != NULL);
	free(got);
}

static void test_hist_bits(void)
{
	char want[4096];

	snap_init(&sn, "@h", NULL, &agg_hist, 1);
	sn.map.hist_bits = 3;
	hist_add(&sn, NULL, 0, 15);
	hist_add(&sn, NULL, 0, 16);
	hist_add(&sn, NULL, 0, 19);
	hist_add(&sn, NULL, 0, 19);
	snprintf(want, sizeof(want),
		 "@h:\n"
		 "[15]                   1 |%s|\n"
		 "[16, 18)               1 |%s|\n"
		 "[18, 20)               2 |%s|\n\n",
		 BAR26, BAR26, BAR52);
	CHECK_TEXT(&sn, want);
	CHECK_JSON(&sn, "{\"type\": \"hist\", \"data\": {\"@h\": [{\"min\": 15, \"max\": 15, \"count\": 1},"
			"{\"min\": 16, \"max\": 17, \"count\": 1},{\"min\": 18, \"max\": 19, \"count\": 2}]}}\n");
}

static void test_hist_keyed_top_div(void)
{
	int64_t k1 = 1, k2 = 2;
	char want[4096];

	snap_init(&sn, "@h", &s64_t, &agg_hist, 1);
	hist_add(&sn, &k2, 8, 100);
	hist_add(&sn, &k1, 8, 9);
	hist_add(&sn, &k1, 8, 10);
	snprintf(want, sizeof(want),
		 "@h[2]:\n[64, 128)              1 |%s|\n\n"
		 "@h[1]:\n[8, 16)                2 |%s|\n\n", BAR52, BAR52);
	CHECK_TEXT(&sn, want);
	snprintf(want, sizeof(want), "@h[1]:\n[8, 16)                1 |%s|\n\n", BAR52);
	CHECK_MAP(OUTPUT_TEXT, &sn, 1, 2, want);
	CHECK_JSON(&sn, "{\"type\": \"hist\", \"data\": {\"@h\": {\"2\": [{\"min\": 64, \"max\": 127, "
			"\"count\": 1}], \"1\": [{\"min\": 8, \"max\": 15, \"count\": 2}]}}}\n");
}

static void test_hist_zeroed(void)
{
	snap_init(&sn, "@h", NULL, &agg_hist, 2);
	add_bucket(&sn, NULL, 0, 4, 0);
	CHECK_TEXT(&sn, "@h:\n\n");
	CHECK_JSON(&sn, "{\"type\": \"hist\", \"data\": {\"@h\": []}}\n");
	snap_init(&sn, "@h", NULL, &agg_hist, 2);
	CHECK_TEXT(&sn, "");
	CHECK_JSON(&sn, "");
}

static void lhist_init(const char *name, int64_t min, int64_t max, int64_t step)
{
	snap_init(&sn, name, NULL, &agg_lhist, 1);
	sn.map.lhist_min = min;
	sn.map.lhist_max = max;
	sn.map.lhist_step = step;
}

static void test_lhist(void)
{
	char want[4096];

	lhist_init("@", 0, 10, 2);
	lhist_add(&sn, NULL, 0, 2);
	lhist_add(&sn, NULL, 0, 3);
	lhist_add(&sn, NULL, 0, 7);
	lhist_add(&sn, NULL, 0, -1);
	lhist_add(&sn, NULL, 0, 11);
	snprintf(want, sizeof(want),
		 "@:\n"
		 "(..., 0)               1 |%s|\n"
		 "[0, 2)                 0 |%s|\n"
		 "[2, 4)                 2 |%s|\n"
		 "[4, 6)                 0 |%s|\n"
		 "[6, 8)                 1 |%s|\n"
		 "[8, 10)                0 |%s|\n"
		 "[10, ...)              1 |%s|\n\n",
		 BAR26, BAR0, BAR52, BAR0, BAR26, BAR0, BAR26);
	CHECK_TEXT(&sn, want);

	lhist_init("@h", 0, 10, 5);
	lhist_add(&sn, NULL, 0, -1);
	lhist_add(&sn, NULL, 0, 12);
	CHECK_JSON(&sn, "{\"type\": \"hist\", \"data\": {\"@h\": [{\"max\": -1, \"count\": 1},"
			"{\"min\": 0, \"max\": 4, \"count\": 0},{\"min\": 5, \"max\": 9, \"count\": 0},"
			"{\"min\": 10, \"count\": 1}]}}\n");

	/* Width-1 buckets print as [3]; div does not apply to lhist. */
	lhist_init("@y", 0, 10, 1);
	lhist_add(&sn, NULL, 0, 3);
	snprintf(want, sizeof(want), "@y:\n[3]                    1 |%s|\n\n", BAR52);
	CHECK_TEXT(&sn, want);
	CHECK_MAP(OUTPUT_TEXT, &sn, 0, 10, want);

	/* Only the last bucket, or only the first. */
	lhist_init("@l", 0, 100, 10);
	lhist_add(&sn, NULL, 0, 150);
	snprintf(want, sizeof(want), "@l:\n[100, ...)             1 |%s|\n\n", BAR52);
	CHECK_TEXT(&sn, want);
	CHECK_JSON(&sn, "{\"type\": \"hist\", \"data\": {\"@l\": [{\"min\": 100, \"count\": 1}]}}\n");
	lhist_init("@l", 0, 100, 10);
	lhist_add(&sn, NULL, 0, -150);
	snprintf(want, sizeof(want), "@l:\n(..., 0)               1 |%s|\n\n", BAR52);
	CHECK_TEXT(&sn, want);

	/* K suffixes when the step is a multiple of 1024. */
	lhist_init("@l2", 0, 4096, 1024);
	lhist_add(&sn, NULL, 0, 2048);
	lhist_add(&sn, NULL, 0, 5000);
	snprintf(want, sizeof(want),
		 "@l2:\n[2K, 3K)               1 |%s|\n[3K, 4K)               0 |%s|\n"
		 "[4K, ...)              1 |%s|\n\n", BAR52, BAR0, BAR52);
	CHECK_TEXT(&sn, want);
}

/* ---- values and JSON details --------------------------------------------------------------- */

static void test_values(void)
{
	/* (int64, string[4]) tuple, string that fills its buffer, bool, array, pointer, probe. */
	uint8_t tup[16] = { 0 };
	int32_t arr[3] = { 1, -2, 3 };
	uint8_t ptr[8], probe[8], buf[12] = { 3, 0, 0, 0, 'a', 'b', '\n' };
	uint8_t s8[1] = { 0xff };

	put_u64(tup, 1);
	memcpy(tup + 8, "two", 4);
	CHECK_VALUE(OUTPUT_TEXT, &tup_t, tup, "(1, two)\n");
	CHECK_VALUE(OUTPUT_JSON, &tup_t, tup, "{\"type\": \"value\", \"data\": [1,\"two\"]}\n");
	CHECK_VALUE(OUTPUT_TEXT, &str4_t, "abcd", "abcd..\n");
	CHECK_VALUE(OUTPUT_TEXT, &str4_t, "ab\0d", "ab\n");
	CHECK_VALUE(OUTPUT_TEXT, &bool_t, "\1", "true\n");
	CHECK_VALUE(OUTPUT_JSON, &bool_t, "\0", "{\"type\": \"value\", \"data\": false}\n");
	CHECK_VALUE(OUTPUT_TEXT, &arr3_t, arr, "[1,-2,3]\n");
	CHECK_VALUE(OUTPUT_JSON, &arr3_t, arr, "{\"type\": \"value\", \"data\": [1,-2,3]}\n");
	put_u64(ptr, 0x32);
	CHECK_VALUE(OUTPUT_TEXT, &ptr_t, ptr, "0x32\n");
	CHECK_VALUE(OUTPUT_JSON, &ptr_t, ptr, "{\"type\": \"value\", \"data\": 50}\n");
	put_u64(probe, 1);
	CHECK_VALUE(OUTPUT_TEXT, &probe_t, probe, "tracepoint:syscalls:sys_enter_getpid\n");
	CHECK_VALUE(OUTPUT_TEXT, &buf8_t, buf, "ab\\x0a\n");
	CHECK_VALUE(OUTPUT_JSON, &buf8_t, buf, "{\"type\": \"value\", \"data\": [97,98,10]}\n");
	CHECK_VALUE(OUTPUT_TEXT, &s8_t, s8, "-1\n");
	CHECK_VALUE(OUTPUT_TEXT, &u8_t, s8, "255\n");
	CHECK_VALUE(OUTPUT_TEXT, &u32_t, "\xff\xff\xff\xff", "4294967295\n");
}

static void test_records_enums(void)
{
	static const struct field inner_f[] = { { .name = "x", .type = &s32_t, .offset = 0 } };
	static const struct type inner = { .kind = TY_RECORD, .size = 4, .fields = inner_f,
					   .nfields = 1 };
	static const struct field rec_f[] = {
		{ .name = "a", .type = &s32_t, .offset = 0 },
		{ .name = "c", .type = &str4_t, .offset = 4 },
		{ .name = "e", .type = &inner, .offset = 8 },
	};
	static const struct type rec = { .kind = TY_RECORD, .size = 12, .fields = rec_f,
					 .nfields = 3 };
	static const struct type empty = { .kind = TY_RECORD, .size = 0 };
	static const struct enum_val ev[] = { { "RED", 0 }, { "BLUE", 333 } };
	static const struct type en = { .kind = TY_ENUM, .size = 4, .enums = ev, .nenums = 2,
					.name = "enum color" };
	uint8_t r[12] = { 0 };
	uint32_t e1 = 333, e2 = 7;

	memcpy(r + 4, "str", 4);
	r[8] = 1;
	CHECK_VALUE(OUTPUT_TEXT, &rec, r, "{ .a = 0, .c = str, .e = { .x = 1 } }\n");
	CHECK_VALUE(OUTPUT_JSON, &rec, r,
		    "{\"type\": \"value\", \"data\": {\"a\": 0, \"c\": \"str\", \"e\": {\"x\": 1}}}\n");
	CHECK_VALUE(OUTPUT_TEXT, &empty, r, "{}\n");
	CHECK_VALUE(OUTPUT_TEXT, &en, &e1, "BLUE\n");
	CHECK_VALUE(OUTPUT_TEXT, &en, &e2, "7\n");
	CHECK_VALUE(OUTPUT_JSON, &en, &e1, "{\"type\": \"value\", \"data\": 333}\n");
}

static void test_json_escapes_and_numbers(void)
{
	struct strbuf b = { 0 };

	json_string(&b, "a\"b\\c\nd\te\r\x01\x1f", 12);
	T_STR(strbuf_str(&b), "\"a\\\"b\\\\c\\nd\\te\\r\\u0001\\u001f\"");
	strbuf_reset(&b);
	json_string(&b, "\xc3\xa9-\xff-\xe2\x82", 7); /* é, a lone 0xff, a cut 3-byte sequence */
	T_STR(strbuf_str(&b), "\"\xc3\xa9-\\u00ff-\\u00e2\\u0082\"");
	strbuf_reset(&b);
	json_u64(&b, 9007199254740993ULL);
	strbuf_putc(&b, ' ');
	json_u64(&b, 9223372036854775808ULL);
	strbuf_putc(&b, ' ');
	json_u64(&b, UINT64_MAX);
	strbuf_putc(&b, ' ');
	json_s64(&b, INT64_MIN);
	strbuf_putc(&b, ' ');
	json_s64(&b, INT64_MAX);
	strbuf_putc(&b, ' ');
	json_s64(&b, -9007199254740992LL);
	T_STR(strbuf_str(&b), "\"9007199254740993\" 9223372036854775808 \"18446744073709551615\" "
			      "-9223372036854775808 \"9223372036854775807\" -9007199254740992");
	strbuf_free(&b);

	/* A string key with a control character, and its spaces removed. */
	snap_init(&sn, "@q", &str8_t, &agg_count, 1);
	uint64_t one = 1;
	add_int_key_u64(&sn, 0, &one, 1);
	memcpy(sn.keys[0], "a b\x02\"", 6);
	CHECK_JSON(&sn, "{\"type\": \"map\", \"data\": {\"@q\": {\"ab\\u0002\\\"\": 1}}}\n");
	CHECK_TEXT(&sn, "@q[a b\x02\"]: 1\n");
}

/* ---- events ---------------------------------------------------------------------------------- */

static char *capture_fd(int fd, void (*fn)(void *), void *arg)
{
	FILE *tmp = tmpfile();
	int saved = dup(fd);
	char *buf;
	long n;

	fflush(NULL);
	dup2(fileno(tmp), fd);
	fn(arg);
	fflush(NULL);
	dup2(saved, fd);
	close(saved);
	n = ftell(tmp);
	buf = calloc(1, (size_t)n + 1);
	rewind(tmp);
	if (fread(buf, 1, (size_t)n, tmp) != (size_t)n)
		buf[0] = '\0';
	fclose(tmp);
	return buf;
}

struct ev_args {
	enum output_format fmt;
	const struct fmt_res *f;
	const char *extra;
	unsigned nprobes;
};

static void do_runtime_error(void *p)
{
	struct ev_args *a = p;
	struct output *o = output_new(a->fmt, stdout, &res);

	output_runtime_error(o, a->f, a->extra);
	output_free(o);
}

static void do_attached(void *p)
{
	struct ev_args *a = p;
	struct output *o = output_new(a->fmt, stdout, &res);

	output_attached(o, a->nprobes, false);
	output_attached(o, 7, true);
	output_free(o);
}

static void test_events(void)
{
	struct fmt_res f = {
		.kind = EV_RUNTIME_ERROR,
		.fmt = "Can't lookup map element because it does not exist.",
		.loc = { .file = "stdin", .line = 1, .col = 37, .end_line = 1, .end_col = 41 },
		.src_line = "i:ms:100 { @[1] = 1; printf(\"%d\\n\", @[2]); exit(); }",
	};
	struct ev_args a = { .fmt = OUTPUT_TEXT, .f = &f,
			     .extra = "Additional Info - helper: map_lookup_elem, retcode: 0" };
	char *got = capture_fd(2, do_runtime_error, &a);

	T_STR(got, "stdin:1:37-41: WARNING: Can't lookup map element because it does not exist.\n"
		   "Additional Info - helper: map_lookup_elem, retcode: 0\n"
		   "i:ms:100 { @[1] = 1; printf(\"%d\\n\", @[2]); exit(); }\n"
		   "                                    ~~~~\n");
	free(got);
	a.fmt = OUTPUT_JSON;
	f.fmt = "Divide or modulo by 0 detected. This can lead to unexpected results. 1 is being "
		"used as the result.";
	f.loc.col = 23;
	got = capture_fd(1, do_runtime_error, &a);
	T_STR(got, "{\"type\": \"runtime_error\", \"msg\": \"Divide or modulo by 0 detected. This can "
		   "lead to unexpected results. 1 is being used as the result.\", \"filename\": "
		   "\"stdin\", \"line\": 1, \"col\": 23}\n");
	free(got);

	a.fmt = OUTPUT_TEXT;
	a.nprobes = 1;
	got = capture_fd(2, do_attached, &a);
	T_STR(got, "Attached 1 probe\n");
	free(got);
	a.nprobes = 2;
	got = capture_fd(2, do_attached, &a);
	T_STR(got, "Attached 2 probes\n");
	free(got);
	a.fmt = OUTPUT_JSON;
	a.nprobes = 1;
	got = capture_fd(1, do_attached, &a);
	T_STR(got, "{\"type\": \"attached_probes\", \"count\": 1, \"data\": {\"probes\": 1}}\n");
	free(got);
}

static void test_printf_event(void)
{
	static const struct field fl[] = { { .type = &s64_t, .offset = 0 },
					   { .type = &str8_t, .offset = 8 } };
	static const struct type args = { .kind = TY_TUPLE, .size = 16, .fields = fl, .nfields = 2 };
	struct fmt_res f = { .kind = EV_PRINTF, .fmt = "test %d %s\n", .args = &args };
	uint8_t payload[16] = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	struct output *o = output_new(OUTPUT_JSON, m, &res);

	put_u64(payload, 5);
	memcpy(payload + 8, "x\"y", 4);
	output_printf(o, &f, payload, sizeof(payload));
	output_free(o);
	o = output_new(OUTPUT_TEXT, m, &res);
	output_printf(o, &f, payload, sizeof(payload));
	output_exit_separator(o);
	output_free(o);
	fclose(m);
	T_STR(buf, "{\"type\": \"printf\", \"data\": \"test 5 x\\\"y\\n\"}\ntest 5 x\"y\n\n\n");
	free(buf);
}

int main(void)
{
	test_count();
	test_count_keyed_sorted();
	test_sum_signed();
	test_top_div();
	test_string_keys();
	test_value_sorted_by_key();
	test_bool_values_int_key_order();
	test_tuple_keys();
	test_min_max();
	test_avg_stats();
	test_empty_and_zero();
	test_hist_text();
	test_hist_suffixes();
	test_hist_bits();
	test_hist_keyed_top_div();
	test_hist_zeroed();
	test_lhist();
	test_values();
	test_records_enums();
	test_json_escapes_and_numbers();
	test_events();
	test_printf_event();
	return t_done();
}
