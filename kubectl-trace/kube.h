/* SPDX-License-Identifier: Apache-2.0 */
/* kube.h - every API call goes through the kubectl binary, spawned without a shell. */
#ifndef KT_KUBE_H
#define KT_KUBE_H

#include <sys/types.h>

#include "json.h"
#include "util.h"

/* How to reach the cluster: kubectl's path and the global flags the user gave. */
struct kube {
	const char *kubectl;
	const char *global[32];
	int nglobal;
	const char *ns; /* -n, or NULL for the context's namespace */
	bool all_ns;	/* -A */
};

/*
 * Run kubectl with the global flags, then args (NULL-terminated), feeding in (may be NULL)
 * on stdin.  Captures stdout and stderr into out and err (either may be NULL to discard).
 * Returns kubectl's exit status, or -1 if it could not be started.
 */
int kube_run(const struct kube *k, const char *const *args, const char *in, struct buf *out,
	     struct buf *err);

/* Start kubectl with stdout on a pipe (*fd) and stderr to ours; returns its pid or -1. */
pid_t kube_spawn(const struct kube *k, const char *const *args, int *fd);

/* kubectl get ... -o json, parsed; on failure prints kubectl's error and returns NULL. */
struct json *kube_get_json(const struct kube *k, const char *const *args, struct buf *err);

/* The namespace flag pair for a namespaced call ("-n" ns, or "-A"), written into v. */
int kube_ns_args(const struct kube *k, const char **v, bool allow_all);

#endif
