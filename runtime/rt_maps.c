/* SPDX-License-Identifier: Apache-2.0 */
/* Reading, printing, clearing and zeroing the script's BPF maps from user space. */
#include "rt_maps.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "arena.h"
#include "rt.h"

static int map_fd(struct rt *rt, const struct map_res *m)
{
	struct bpf_map *bm = bpf_object__find_map_by_name(rt->obj, m->elf_name);
	return bm ? bpf_map__fd(bm) : -ENOENT;
}

/* Bytes a lookup returns: per-CPU maps give one 8-aligned value per possible CPU. */
static size_t value_bytes(struct rt *rt, const struct map_res *m)
{
	return m->percpu ? (size_t)rt->ncpus * ((m->val_size + 7) & ~7u) : m->val_size;
}

int rt_map_snapshot(struct rt *rt, const struct map_res *m, struct map_snapshot *s)
{
	int fd = map_fd(rt, m);
	size_t vb = value_bytes(rt, m), cap = 0;
	uint8_t *prev = NULL, *key = xmalloc(m->key_size);

	memset(s, 0, sizeof(*s));
	s->map = m;
	s->ncpus = m->percpu ? (unsigned)rt->ncpus : 1;
	if (fd < 0) {
		free(key);
		return fd;
	}
	/*
	 * Walk the keys; a key deleted under us ends the walk early (the
	 * kernel restarts from the first key), so a seen-count bounds it.
	 */
	while (!bpf_map_get_next_key(fd, prev, key) && s->n < m->max_entries + 1) {
		uint8_t *k = xmalloc(m->key_size), *v = xmalloc(vb);
		memcpy(k, key, m->key_size);
		if (bpf_map_lookup_elem(fd, k, v)) {
			free(k);
			free(v);
		} else {
			if (s->n == cap) {
				cap = cap ? cap * 2 : 64;
				s->entries = xrealloc(s->entries, cap * sizeof(*s->entries));
			}
			s->entries[s->n].key = k;
			s->entries[s->n].val = v;
			s->n++;
		}
		prev = s->n ? (uint8_t *)s->entries[s->n - 1].key : NULL;
		if (!prev)
			break;
	}
	free(key);
	return 0;
}

void rt_map_snapshot_free(struct map_snapshot *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free((void *)s->entries[i].key);
		free((void *)s->entries[i].val);
	}
	free(s->entries);
	s->entries = NULL;
	s->n = 0;
}

void rt_print_map(struct rt *rt, const struct map_res *m, uint64_t top, uint64_t div,
		  bool zero_if_empty)
{
	struct map_snapshot s;
	if (rt_map_snapshot(rt, m, &s) == 0)
		output_map(rt->out, &s, top, div, zero_if_empty && !m->key);
	rt_map_snapshot_free(&s);
}

void rt_clear_map(struct rt *rt, const struct map_res *m, bool zero)
{
	struct map_snapshot s;
	int fd = map_fd(rt, m);

	if (fd < 0 || rt_map_snapshot(rt, m, &s))
		return;
	uint8_t *zeros = xcalloc(1, value_bytes(rt, m));
	for (size_t i = 0; i < s.n; i++) {
		if (zero)
			bpf_map_update_elem(fd, s.entries[i].key, zeros, BPF_EXIST);
		else
			bpf_map_delete_elem(fd, s.entries[i].key);
	}
	free(zeros);
	rt_map_snapshot_free(&s);
}
