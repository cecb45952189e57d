// SPDX-License-Identifier: GPL-2.0
/* count_comm.bpf.c: the reference for tracepoint:raw_syscalls:sys_enter { @[comm] = count(); } */

#include <linux/bpf.h>

#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, char[16]);
	__type(value, __u64);
} counts SEC(".maps");

SEC("tracepoint/raw_syscalls/sys_enter")
int count_comm(void *ctx)
{
	char comm[16];
	__u64 one = 1, *v;

	bpf_get_current_comm(comm, sizeof(comm));
	v = bpf_map_lookup_elem(&counts, comm);
	if (v) {
		/* Per-CPU value: nothing else writes it, so no atomic is needed. */
		(*v)++;
		return 0;
	}
	/* A miss: insert; if another CPU inserted the key first, count on the hit. */
	if (bpf_map_update_elem(&counts, comm, &one, BPF_NOEXIST)) {
		v = bpf_map_lookup_elem(&counts, comm);
		if (v)
			(*v)++;
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
