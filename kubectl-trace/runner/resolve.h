/* SPDX-License-Identifier: Apache-2.0 */
/* resolve.h - find a container's main process and cgroup from its ID, through /proc. */
#ifndef KT_RESOLVE_H
#define KT_RESOLVE_H

#include <stddef.h>
#include <sys/types.h>

struct resolved {
	pid_t pid;	   /* host PID of the container's main process */
	char cgroup[4096]; /* its cgroup v2 path ("0::" line), "" on a v1-only host */
	int nprocs;	   /* processes found in the container */
};

/* The bare ID: any "runtime://" prefix removed. */
const char *resolve_bare_id(const char *id);

/*
 * Scan proc_root/<pid>/cgroup for the container ID (cgroup v1 or v2, systemd or cgroupfs
 * layout: the ID appears in a path component either way).  Returns 0, or -ENOENT when no
 * process carries it.
 */
int resolve_container(const char *proc_root, const char *id, struct resolved *r);

/*
 * The directory of a cgroup v2 path under the cgroup2 mount we can see, for ctrace's
 * --cgroup-filter.  Falls back to searching the tree for the container ID, because inside
 * a cgroup namespace /proc/PID/cgroup paths are relative ("/../..").  Returns 0 or -errno.
 */
int resolve_cgroup_dir(const char *mountinfo, const char *cgroup, const char *id, char *out,
		       size_t n);

#endif
