// SPDX-License-Identifier: Apache-2.0
/* merge.c - counts and sums add, histograms add bucket by bucket, min and max combine. */
#include "merge.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* How values of a map combine across nodes; learnt from the program text. */
enum agg { AGG_UNKNOWN, AGG_ADD, AGG_MIN, AGG_MAX, AGG_AVG, AGG_STATS, AGG_HIST, AGG_LHIST };

struct mmap {
	char *name;
	char *type; /* the record type: map, hist or stats */
	enum agg agg;
	struct json *value;    /* merged value: a number, {key: number}, a bucket list... */
	struct json *per_node; /* unmergeable maps: {node: value} */
	int nodes;
};

struct merge {
	const char *program;
	struct mmap *maps;
	int n;
};

struct merge *merge_new(const char *program)
{
	struct merge *m = xcalloc(1, sizeof(*m));

	m->program = program ? program : "";
	return m;
}

void merge_free(struct merge *m)
{
	if (!m)
		return;
	for (int i = 0; i < m->n; i++) {
		free(m->maps[i].name);
		free(m->maps[i].type);
		json_free(m->maps[i].value);
		json_free(m->maps[i].per_node);
	}
	free(m->maps);
	free(m);
}

/* Find "@name[...] = fn(" or "@name = fn(" in the program. */
static enum agg program_agg(const char *prog, const char *name)
{
	static const struct {
		const char *fn;
		enum agg agg;
	} fns[] = {{"count", AGG_ADD}, {"sum", AGG_ADD},     {"min", AGG_MIN},
		   {"max", AGG_MAX},   {"avg", AGG_AVG},     {"stats", AGG_STATS},
		   {"hist", AGG_HIST}, {"lhist", AGG_LHIST}, {NULL, 0}};
	size_t n = strlen(name);

	for (const char *p = strstr(prog, name); p; p = strstr(p + 1, name)) {
		const char *q = p + n;

		if (isalnum((unsigned char)*q) || *q == '_')
			continue;
		if (*q == '[') {
			int depth = 0;

			for (; *q; q++) {
				depth += (*q == '[') - (*q == ']');
				if (!depth)
					break;
			}
			if (*q)
				q++;
		}
		while (isspace((unsigned char)*q))
			q++;
		if (*q != '=' || q[1] == '=')
			continue;
		for (q++; isspace((unsigned char)*q); q++)
			;
		for (int i = 0; fns[i].fn; i++) {
			size_t fl = strlen(fns[i].fn);

			if (!strncmp(q, fns[i].fn, fl) && q[fl] == '(')
				return fns[i].agg;
		}
	}
	return AGG_UNKNOWN;
}

static struct mmap *find_map(struct merge *m, const char *name, const char *type)
{
	struct mmap *x;

	for (int i = 0; i < m->n; i++)
		if (!strcmp(m->maps[i].name, name))
			return &m->maps[i];
	m->maps = xrealloc(m->maps, (m->n + 1) * sizeof(*m->maps));
	x = &m->maps[m->n++];
	*x = (struct mmap){.name = xstrdup(name), .type = xstrdup(type)};
	x->agg = program_agg(m->program, name);
	if (x->agg == AGG_UNKNOWN && !strcmp(type, "hist"))
		x->agg = AGG_HIST;
	if (x->agg == AGG_UNKNOWN && !strcmp(type, "stats"))
		x->agg = AGG_AVG;
	x->per_node = json_obj();
	return x;
}

static struct json *num(double v)
{
	struct json *j = json_new(JSON_NUM);

	j->str = xasprintf("%.0f", v);
	return j;
}

static void set_num(struct json *j, double v)
{
	free(j->str);
	j->str = xasprintf("%.0f", v);
}

/* Combine two scalars; n is how many nodes contributed to a (for averages). */
static void combine_num(struct json *a, const struct json *b, enum agg agg, int n)
{
	double x = json_double(a), y = json_double(b);

	switch (agg) {
	case AGG_MIN:
		set_num(a, x < y ? x : y);
		break;
	case AGG_MAX:
		set_num(a, x > y ? x : y);
		break;
	case AGG_AVG:
		/* Per-node counts are not in the output: average the averages. */
		set_num(a, (x * n + y) / (n + 1));
		break;
	default:
		set_num(a, x + y);
		break;
	}
}

static bool bucket_lt(const struct json *a, const struct json *b)
{
	struct json *am = json_get(a, "min"), *bm = json_get(b, "min");

	if (!am || !bm)
		return !am && bm;
	return json_double(am) < json_double(bm);
}

static bool same_bucket(const struct json *a, const struct json *b)
{
	struct json *a1 = json_get(a, "min"), *b1 = json_get(b, "min");
	struct json *a2 = json_get(a, "max"), *b2 = json_get(b, "max");

	return !a1 == !b1 && !a2 == !b2 && (!a1 || json_double(a1) == json_double(b1)) &&
	       (!a2 || json_double(a2) == json_double(b2));
}

static struct json *make_bucket(double lo, double hi)
{
	struct json *b = json_obj();

	json_add(b, "min", num(lo));
	json_add(b, "max", num(hi));
	json_add(b, "count", num(0));
	return b;
}

/* Insert the zero buckets between two that are not adjacent after a merge. */
static void fill_gaps(struct json *arr, enum agg agg)
{
	for (struct json *c = arr->child; c && c->next; c = c->next) {
		struct json *cmax = json_get(c, "max"), *nmin = json_get(c->next, "min");
		double lo, width;
		struct json *gap;

		if (!cmax || !nmin || json_double(cmax) + 1 >= json_double(nmin))
			continue;
		lo = json_double(cmax) + 1;
		if (agg == AGG_LHIST && json_get(c, "min"))
			width = json_double(cmax) - json_double(json_get(c, "min")) + 1;
		else
			width = lo < 2 ? 1 : lo;
		gap = make_bucket(lo, lo + width - 1);
		gap->next = c->next;
		c->next = gap;
		arr->count++;
	}
	for (arr->last = arr->child; arr->last && arr->last->next;)
		arr->last = arr->last->next;
}

static void merge_buckets(struct json *a, const struct json *b, enum agg agg)
{
	const struct json *bb;

	json_foreach(bb, b)
	{
		struct json *c, **pp;

		json_foreach(c, a) if (same_bucket(c, bb)) break;
		if (c) {
			combine_num(json_get(c, "count"), json_get(bb, "count"), AGG_ADD, 1);
			continue;
		}
		for (pp = &a->child; *pp && bucket_lt(*pp, bb); pp = &(*pp)->next)
			;
		c = json_dup(bb);
		c->next = *pp;
		*pp = c;
		a->count++;
	}
	for (a->last = a->child; a->last && a->last->next;)
		a->last = a->last->next;
	fill_gaps(a, agg);
}

static void merge_stats(struct json *a, const struct json *b)
{
	double count, total;

	combine_num(json_get(a, "count"), json_get(b, "count"), AGG_ADD, 1);
	combine_num(json_get(a, "total"), json_get(b, "total"), AGG_ADD, 1);
	count = json_double(json_get(a, "count"));
	total = json_double(json_get(a, "total"));
	set_num(json_get(a, "average"), count ? total / count : 0);
}

/* Merge value b (one key's or the scalar's) into a. */
static void merge_value(struct json *a, const struct json *b, enum agg agg, int n)
{
	if (a->type == JSON_ARR && b->type == JSON_ARR)
		merge_buckets(a, b, agg);
	else if (a->type == JSON_OBJ && json_get(a, "average"))
		merge_stats(a, b);
	else if (a->type == JSON_NUM && b->type == JSON_NUM)
		combine_num(a, b, agg, n);
}

static bool keyed(const struct json *v)
{
	return v->type == JSON_OBJ && !json_get(v, "average");
}

static void merge_keyed(struct json *a, const struct json *b, enum agg agg, int n)
{
	const struct json *c;

	json_foreach(c, b)
	{
		struct json *d = json_get(a, c->key);

		if (d)
			merge_value(d, c, agg, n);
		else
			json_add(a, c->key, json_dup(c));
	}
}

void merge_add(struct merge *m, const struct json *rec, const char *node)
{
	const char *type = json_str(rec, "type");
	const struct json *c;

	json_foreach(c, json_get(rec, "data"))
	{
		struct mmap *x = find_map(m, c->key, type);

		json_add(x->per_node, node, json_dup(c));
		if (!x->value)
			x->value = json_dup(c);
		else if (keyed(c) && keyed(x->value))
			merge_keyed(x->value, c, x->agg, x->nodes);
		else
			merge_value(x->value, c, x->agg, x->nodes);
		x->nodes++;
	}
}

/* --- printing, in bpftrace's text format -------------------------------------------------- */

static void print_key(FILE *out, const char *name, const char *key)
{
	fprintf(out, "%s[", name);
	/* Multi-part keys arrive joined with ","; bpftrace prints them joined with ", ". */
	for (const char *p = key; *p; p++)
		if (*p == ',')
			fputs(", ", out);
		else
			fputc(*p, out);
	fputs("]", out);
}

static void suffixed(char *s, size_t n, double v, bool suffix)
{
	static const char *const units[] = {"", "K", "M", "G", "T", "P", "E"};
	int u = 0;

	while (suffix && v >= 1024 && u < 6 && (long long)v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	snprintf(s, n, "%.0f%s", v, units[u]);
}

static void bucket_label(char *s, size_t n, const struct json *b, enum agg agg)
{
	struct json *lo = json_get(b, "min"), *hi = json_get(b, "max");
	bool sfx = agg != AGG_LHIST;
	char l[32], h[32];

	if (!lo) {
		suffixed(h, sizeof(h), json_double(hi) + 1, sfx);
		snprintf(s, n, "(..., %s)", h);
	} else if (!hi) {
		suffixed(l, sizeof(l), json_double(lo), sfx);
		snprintf(s, n, "[%s, ...)", l);
	} else if (agg != AGG_LHIST && json_double(lo) == json_double(hi)) {
		suffixed(l, sizeof(l), json_double(lo), sfx);
		snprintf(s, n, "[%s]", l);
	} else {
		suffixed(l, sizeof(l), json_double(lo), sfx);
		suffixed(h, sizeof(h), json_double(hi) + 1, sfx);
		snprintf(s, n, "[%s, %s)", l, h);
	}
}

static void print_hist(FILE *out, const struct json *arr, enum agg agg)
{
	const struct json *b;
	double max = 0;

	json_foreach(b, arr) if (json_double(json_get(b, "count")) > max) max =
	    json_double(json_get(b, "count"));
	json_foreach(b, arr)
	{
		double c = json_double(json_get(b, "count"));
		int bar = max ? (int)(c * 52 / max) : 0;
		char label[80], bars[53];

		bucket_label(label, sizeof(label), b, agg);
		memset(bars, ' ', 52);
		memset(bars, '@', bar);
		bars[52] = '\0';
		fprintf(out, "%-16s%8.0f |%s|\n", label, c, bars);
	}
}

static void print_value(FILE *out, const struct json *v, const struct mmap *x)
{
	if (v->type == JSON_ARR) {
		fputs(": \n", out);
		print_hist(out, v, x->agg == AGG_LHIST ? AGG_LHIST : AGG_HIST);
		fputs("\n", out);
	} else if (v->type == JSON_OBJ) {
		fprintf(out, ": count %.0f, average %.0f, total %.0f\n",
			json_double(json_get(v, "count")), json_double(json_get(v, "average")),
			json_double(json_get(v, "total")));
		fputs("\n", out);
	} else {
		fprintf(out, ": %s\n", v->type == JSON_STR ? v->str : v->str ? v->str : "");
		if (!strcmp(x->type, "stats"))
			fputs("\n", out);
	}
}

static int cmp_entry(const void *pa, const void *pb)
{
	const struct json *a = *(struct json *const *)pa, *b = *(struct json *const *)pb;
	double x = a->type == JSON_NUM ? json_double(a) : 0,
	       y = b->type == JSON_NUM ? json_double(b) : 0;

	if (x != y)
		return x < y ? -1 : 1;
	/* Ties are broken by key, so the output does not depend on arrival order. */
	return strcmp(a->key, b->key);
}

static void print_one(FILE *out, const char *name, const struct json *v, const struct mmap *x)
{
	struct json **ents, *c;
	int n = 0;

	if (!keyed(v)) {
		fputs(name, out);
		print_value(out, v, x);
		return;
	}
	ents = xcalloc(v->count, sizeof(*ents));
	json_foreach(c, v) ents[n++] = c;
	qsort(ents, n, sizeof(*ents), cmp_entry);
	for (int i = 0; i < n; i++) {
		print_key(out, name, ents[i]->key);
		print_value(out, ents[i], x);
	}
	free(ents);
}

static int cmp_map(const void *a, const void *b)
{
	return strcmp(((const struct mmap *)a)->name, ((const struct mmap *)b)->name);
}

void merge_print(struct merge *m, FILE *out)
{
	qsort(m->maps, m->n, sizeof(*m->maps), cmp_map);
	for (int i = 0; i < m->n; i++) {
		struct mmap *x = &m->maps[i];
		const struct json *c;

		/* A plain assignment has no meaning summed across nodes: show each node's. */
		if (x->agg == AGG_UNKNOWN && x->nodes > 1) {
			json_foreach(c, x->per_node)
			{
				fprintf(out, "[%s] ", c->key);
				print_one(out, x->name, c, x);
			}
			continue;
		}
		print_one(out, x->name, x->value, x);
	}
	fflush(out);
}
