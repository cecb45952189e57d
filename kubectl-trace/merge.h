/* SPDX-License-Identifier: Apache-2.0 */
/* merge.h - merge the final maps that tracers on several nodes print, and print them once. */
#ifndef KT_MERGE_H
#define KT_MERGE_H

#include <stdio.h>

#include "json.h"

struct merge;

/* program: the trace's source, read to learn which aggregation fills each map. */
struct merge *merge_new(const char *program);
void merge_free(struct merge *m);
/* Add one map record of ctrace's JSON output ({"type": "map"|"hist"|"stats", "data": ...}). */
void merge_add(struct merge *m, const struct json *rec, const char *node);
/* Print every map in bpftrace's text format, sorted by name. */
void merge_print(struct merge *m, FILE *out);

#endif
