// SPDX-License-Identifier: Apache-2.0
/* filter_tid: loads filter_tid.bpf.o and prints @[tid] counts on SIGINT, as bpftrace does. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"

static int print(struct bpf_object *obj)
{
	struct ref_entry *e;
	uint64_t tid;
	int n, i;

	n = ref_read_percpu(obj, "counts", sizeof(tid), &e);
	if (n < 0)
		return 1;
	ref_sort(e, n, sizeof(tid));
	printf("\n\n");
	for (i = 0; i < n; i++) {
		memcpy(&tid, e[i].key, sizeof(tid));
		printf("@[%llu]: %llu\n", (unsigned long long)tid, (unsigned long long)e[i].value);
	}
	free(e);
	return 0;
}

int main(int argc, char **argv)
{
	return ref_run(argc > 1 ? argv[1] : "filter_tid.bpf.o", print);
}
