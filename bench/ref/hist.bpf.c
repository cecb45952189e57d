// SPDX-License-Identifier: GPL-2.0
/* hist.bpf.c: the reference for tracepoint:raw_syscalls:sys_enter { @ = hist(nsecs & 0xffff); } */

#include <linux/bpf.h>

#include <bpf/bpf_helpers.h>

/* Key: the bucket index; bpftrace keys a keyless hist map the same way. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u64);
} hist SEC(".maps");

/*
 * bpftrace's power-of-two bucket: 0 for negative values, 1 for 0, and
 * 2 + floor(log2(n)) for n >= 1, found by a binary search over the bits.
 */
static __always_inline __u64 log2_bucket(__s64 n)
{
	__u64 v = n, r = 0, shift;

	if (n < 0)
		return 0;
	if (n == 0)
		return 1;
	shift = (v >= (1ULL << 32)) << 5;
	v >>= shift;
	r |= shift;
	shift = (v >= (1ULL << 16)) << 4;
	v >>= shift;
	r |= shift;
	shift = (v >= (1ULL << 8)) << 3;
	v >>= shift;
	r |= shift;
	shift = (v >= (1ULL << 4)) << 2;
	v >>= shift;
	r |= shift;
	shift = (v >= (1ULL << 2)) << 1;
	v >>= shift;
	r |= shift;
	r |= v >> 1;
	return r + 2;
}

SEC("tracepoint/raw_syscalls/sys_enter")
int hist_nsecs(void *ctx)
{
	__u64 one = 1, bucket, *v;

	bucket = log2_bucket(bpf_ktime_get_ns() & 0xffff);
	v = bpf_map_lookup_elem(&hist, &bucket);
	if (v) {
		(*v)++;
		return 0;
	}
	if (bpf_map_update_elem(&hist, &bucket, &one, BPF_NOEXIST)) {
		v = bpf_map_lookup_elem(&hist, &bucket);
		if (v)
			(*v)++;
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
