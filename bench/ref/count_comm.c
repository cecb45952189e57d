// SPDX-License-Identifier: Apache-2.0
/* count_comm: loads count_comm.bpf.o and prints @[comm] counts on SIGINT, as bpftrace does. */

#include <stdio.h>
#include <stdlib.h>

#include "loader.h"

static int print(struct bpf_object *obj)
{
	struct ref_entry *e;
	int n, i;

	n = ref_read_percpu(obj, "counts", 16, &e);
	if (n < 0)
		return 1;
	ref_sort(e, n, 16);
	printf("\n\n");
	for (i = 0; i < n; i++)
		printf("@[%.16s]: %llu\n", (char *)e[i].key, (unsigned long long)e[i].value);
	free(e);
	return 0;
}

int main(int argc, char **argv)
{
	return ref_run(argc > 1 ? argv[1] : "count_comm.bpf.o", print);
}
