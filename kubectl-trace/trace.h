/* SPDX-License-Identifier: Apache-2.0 */
/* trace.h - what a trace is: its options, its targets grouped by node, and its objects. */
#ifndef KT_TRACE_H
#define KT_TRACE_H

#include <stdbool.h>

#include "json.h"
#include "kube.h"

#define KT_LABEL_ID "ctrace.io/id"
#define KT_LABEL_NAME "ctrace.io/name"
#define KT_CONTAINER "ctrace"
#ifndef KT_VERSION
#define KT_VERSION "0.0.0"
#endif
/* Built by `make image`; clusters that pull from a registry set --imagename. */
#define KT_DEFAULT_IMAGE "localhost/ctrace-runner:" KT_VERSION
/* Seconds ctrace gets after SIGTERM to detach and print its maps. */
#define KT_GRACE 60
/* Slack added to --deadline for the Job's own deadline: image pull and compile time. */
#define KT_DEADLINE_SLACK 300
/* Finished traces stay readable with `logs` for this long. */
#define KT_TTL 600

/* One container to trace. */
struct target {
	char *ns, *pod, *uid, *container, *container_id;
};

/* Everything traced on one node, by one tracer pod. */
struct node_plan {
	char *node;
	struct target *targets;
	int ntargets;
};

struct run_opts {
	const char *target;   /* TARGET argument, or NULL with -l */
	const char *selector; /* -l */
	const char *container;
	const char *program_file;
	char *program;
	long deadline;
	const char *serviceaccount, *imagename, *pull_policy, *pull_secret;
	const char *patch, *patch_type;
	const char *output; /* -o yaml|json with --dry-run */
	const char *ctrace_args[32];
	int nctrace;
	long timeout; /* seconds to wait for tracer pods to start */
	bool privileged, attach, dry_run, no_filter;
};

/* Resolve opts' target into per-node plans; returns the count, or -1 after an error. */
int target_resolve(const struct kube *k, const struct run_opts *o, struct node_plan **plans);
void target_free(struct node_plan *plans, int n);

/* The Job for one node and the ConfigMap with the program (owners may be NULL). */
struct json *manifest_job(const struct kube *k, const struct run_opts *o, const char *id,
			  const char *name, int index, const struct node_plan *plan);
struct json *manifest_configmap(const struct kube *k, const struct run_opts *o, const char *id,
				const char *name, const struct json *owners);

/* The label selector that finds every object of a trace given its ID or name. */
char *trace_selector(const char *id_or_name);

int cmd_run(struct kube *k, int argc, char **argv);

int cmd_attach(struct kube *k, int argc, char **argv);
int cmd_logs(struct kube *k, int argc, char **argv);
int cmd_delete(struct kube *k, int argc, char **argv);

/* Delete every object of a trace (by selector); returns 0 or non-zero. */
int trace_delete(const struct kube *k, const char *selector, bool all_ns, bool quiet);

/*
 * Follow (or read) the output of every tracer pod of the trace that selector finds, render it,
 * merge the final maps and print them.  follow: until the tracers end; interactive: Ctrl-C
 * stops the tracers (a second one stops waiting); stop_when_attached: return once every tracer
 * has attached its probes (run without -a); raw: print ctrace's JSON lines as they are.
 * Returns the exit code.
 */
struct stream_opts {
	const char *selector;
	const char *program;
	bool follow, interactive, raw, stop_when_attached;
	long timeout;
};
int trace_stream(const struct kube *k, const struct stream_opts *so);

#endif
