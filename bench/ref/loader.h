/* SPDX-License-Identifier: Apache-2.0 */
/* loader.h: the part every reference loader shares (open, load, attach, wait, print). */
#ifndef BENCH_REF_LOADER_H
#define BENCH_REF_LOADER_H

#include <stddef.h>
#include <stdint.h>

struct bpf_object;

/*
 * Opens and loads the BPF object at path, attaches every program in it,
 * prints "ready" on stdout once all of them are attached, waits for SIGINT
 * or SIGTERM, detaches, calls print(obj) and returns the exit code.
 */
int ref_run(const char *path, int (*print)(struct bpf_object *obj));

/* One key of a per-CPU map with its values summed over every CPU. */
struct ref_entry {
	unsigned char key[16];
	uint64_t value;
};

/*
 * Reads every key of the per-CPU map called name (keys of key_size bytes,
 * at most 16, values u64), summing each key's values over the CPUs.
 * Returns the number of entries in *out (malloc'd), or -1.
 */
int ref_read_percpu(struct bpf_object *obj, const char *name, size_t key_size,
		    struct ref_entry **out);

/* Sorts entries by value, then key, ascending: the order bpftrace prints. */
void ref_sort(struct ref_entry *e, int n, size_t key_size);

#endif
