// SPDX-License-Identifier: Apache-2.0
/* loader.c: open, load and attach a reference BPF object, then print its maps on a signal. */

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"

#define MAX_LINKS 16

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || (level == LIBBPF_INFO && !getenv("REF_VERBOSE")))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

int ref_run(const char *path, int (*print)(struct bpf_object *obj))
{
	struct bpf_link *links[MAX_LINKS];
	struct bpf_program *prog;
	struct bpf_object *obj;
	int nlinks = 0, sig, err, i;
	sigset_t set;

	libbpf_set_print(quiet_print);

	/* Block the stop signals before attaching so none is lost; sigwait takes them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);

	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		fprintf(stderr, "ref: cannot open %s: %s\n", path, strerror(errno));
		return 1;
	}
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "ref: cannot load %s: %s\n", path, strerror(-err));
		goto out;
	}
	bpf_object__for_each_program (prog, obj) {
		if (nlinks == MAX_LINKS) {
			err = -E2BIG;
			goto out;
		}
		links[nlinks] = bpf_program__attach(prog);
		if (!links[nlinks]) {
			err = -errno;
			fprintf(stderr, "ref: cannot attach %s: %s\n", bpf_program__name(prog),
				strerror(errno));
			goto out;
		}
		nlinks++;
	}

	printf("ready\n");
	fflush(stdout);
	sigwait(&set, &sig);

	for (i = 0; i < nlinks; i++)
		bpf_link__destroy(links[i]);
	nlinks = 0;
	err = print(obj);
out:
	for (i = 0; i < nlinks; i++)
		bpf_link__destroy(links[i]);
	bpf_object__close(obj);
	return err ? 1 : 0;
}

int ref_read_percpu(struct bpf_object *obj, const char *name, size_t key_size,
		    struct ref_entry **out)
{
	unsigned char key[16], next[16];
	struct ref_entry *e = NULL;
	int fd, ncpu, n = 0, cap = 0, c;
	struct bpf_map *map;
	uint64_t *values;
	void *prev = NULL;

	map = bpf_object__find_map_by_name(obj, name);
	ncpu = libbpf_num_possible_cpus();
	if (!map || ncpu <= 0 || key_size > sizeof(key))
		return -1;
	fd = bpf_map__fd(map);
	values = calloc(ncpu, sizeof(*values));
	if (!values)
		return -1;

	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, key_size);
		prev = key;
		if (bpf_map_lookup_elem(fd, key, values))
			continue;
		if (n == cap) {
			struct ref_entry *grown;

			cap = cap ? cap * 2 : 64;
			grown = realloc(e, cap * sizeof(*e));
			if (!grown) {
				free(e);
				free(values);
				return -1;
			}
			e = grown;
		}
		memset(&e[n], 0, sizeof(e[n]));
		memcpy(e[n].key, key, key_size);
		for (c = 0; c < ncpu; c++)
			e[n].value += values[c];
		n++;
	}
	free(values);
	*out = e;
	return n;
}

static size_t sort_key_size;

static int cmp_entry(const void *a, const void *b)
{
	const struct ref_entry *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return memcmp(x->key, y->key, sort_key_size);
}

void ref_sort(struct ref_entry *e, int n, size_t key_size)
{
	sort_key_size = key_size;
	qsort(e, n, sizeof(*e), cmp_entry);
}
