// SPDX-License-Identifier: GPL-2.0
/* filter_tid.bpf.c: the reference for raw_syscalls:sys_enter /comm == "x"/ { @[tid] = count(); } */

#include <linux/bpf.h>

#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u64);
} counts SEC(".maps");

SEC("tracepoint/raw_syscalls/sys_enter")
int filter_tid(void *ctx)
{
	char comm[16];
	__u64 one = 1, tid, *v;

	/* comm == "x": the first byte is 'x' and the string ends right after it. */
	bpf_get_current_comm(comm, sizeof(comm));
	if (comm[0] != 'x' || comm[1] != '\0')
		return 0;

	tid = (__u32)bpf_get_current_pid_tgid();
	v = bpf_map_lookup_elem(&counts, &tid);
	if (v) {
		(*v)++;
		return 0;
	}
	if (bpf_map_update_elem(&counts, &tid, &one, BPF_NOEXIST)) {
		v = bpf_map_lookup_elem(&counts, &tid);
		if (v)
			(*v)++;
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
