// SPDX-License-Identifier: Apache-2.0
/* hist: loads hist.bpf.o and prints the @ histogram on SIGINT in bpftrace's layout. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"

#define NBUCKETS 66
#define BAR_WIDTH 52

/* A power of two with bpftrace's suffixes: 1, 2, ... 512, 1K, ... 1M ... */
static void power_label(char *buf, size_t len, unsigned int power)
{
	static const char suffix[] = " KMGTPE";

	snprintf(buf, len, "%llu%.*s", 1ULL << (power % 10), power >= 10 ? 1 : 0,
		 &suffix[power / 10]);
}

static void bucket_label(char *buf, size_t len, int bucket)
{
	char lo[16], hi[16];

	if (bucket == 0) {
		snprintf(buf, len, "(..., 0)");
	} else if (bucket == 1) {
		snprintf(buf, len, "[0]");
	} else if (bucket == 2) {
		snprintf(buf, len, "[1]");
	} else {
		power_label(lo, sizeof(lo), bucket - 2);
		power_label(hi, sizeof(hi), bucket - 1);
		snprintf(buf, len, "[%s, %s)", lo, hi);
	}
}

static int print(struct bpf_object *obj)
{
	uint64_t counts[NBUCKETS] = {0}, max = 0, bucket;
	int n, i, first = -1, last = -1;
	struct ref_entry *e;
	char label[40];

	n = ref_read_percpu(obj, "hist", sizeof(bucket), &e);
	if (n < 0)
		return 1;
	for (i = 0; i < n; i++) {
		memcpy(&bucket, e[i].key, sizeof(bucket));
		if (bucket < NBUCKETS)
			counts[bucket] += e[i].value;
	}
	free(e);
	for (i = 0; i < NBUCKETS; i++) {
		if (!counts[i])
			continue;
		if (first < 0)
			first = i;
		last = i;
		if (counts[i] > max)
			max = counts[i];
	}
	printf("\n\n@: \n");
	for (i = first; first >= 0 && i <= last; i++) {
		int bar = max ? (int)(counts[i] * BAR_WIDTH / max) : 0;

		bucket_label(label, sizeof(label), i);
		printf("%-16s %8llu |", label, (unsigned long long)counts[i]);
		printf("%.*s%*s|\n", bar, "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@",
		       BAR_WIDTH - bar, "");
	}
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	return ref_run(argc > 1 ? argv[1] : "hist.bpf.o", print);
}
