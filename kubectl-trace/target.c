// SPDX-License-Identifier: Apache-2.0
/* target.c - turn node/pod/workload/selector targets into the containers to trace, by node. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

enum kind { K_NODE, K_POD, K_WORKLOAD, K_SELECTOR };

struct kind_name {
	const char *name;
	enum kind kind;
	const char *resource;
};

static const struct kind_name kinds[] = {
    {"node", K_NODE, "nodes"},
    {"nodes", K_NODE, "nodes"},
    {"no", K_NODE, "nodes"},
    {"pod", K_POD, "pods"},
    {"pods", K_POD, "pods"},
    {"po", K_POD, "pods"},
    {"deploy", K_WORKLOAD, "deployments.apps"},
    {"deployment", K_WORKLOAD, "deployments.apps"},
    {"deployments", K_WORKLOAD, "deployments.apps"},
    {"sts", K_WORKLOAD, "statefulsets.apps"},
    {"statefulset", K_WORKLOAD, "statefulsets.apps"},
    {"statefulsets", K_WORKLOAD, "statefulsets.apps"},
    {"ds", K_WORKLOAD, "daemonsets.apps"},
    {"daemonset", K_WORKLOAD, "daemonsets.apps"},
    {"daemonsets", K_WORKLOAD, "daemonsets.apps"},
    {"rs", K_WORKLOAD, "replicasets.apps"},
    {"replicaset", K_WORKLOAD, "replicasets.apps"},
    {"replicasets", K_WORKLOAD, "replicasets.apps"},
    {"job", K_WORKLOAD, "jobs.batch"},
    {"jobs", K_WORKLOAD, "jobs.batch"},
    {NULL, 0, NULL},
};

static struct node_plan *plan_for(struct node_plan **plans, int *n, const char *node)
{
	for (int i = 0; i < *n; i++)
		if (!strcmp((*plans)[i].node, node))
			return &(*plans)[i];
	*plans = xrealloc(*plans, (*n + 1) * sizeof(**plans));
	(*plans)[*n] = (struct node_plan){.node = xstrdup(node)};
	return &(*plans)[(*n)++];
}

static void add_target(struct node_plan *p, const struct target *t)
{
	p->targets = xrealloc(p->targets, (p->ntargets + 1) * sizeof(*t));
	p->targets[p->ntargets++] = *t;
}

static struct json *find_named(const struct json *arr, const char *name)
{
	struct json *c;

	json_foreach(c, arr)
	{
		const char *n = json_str(c, "name");

		if (n && !strcmp(n, name))
			return c;
	}
	return NULL;
}

/* The container to trace in a pod: -c, the default-container annotation, or the only one. */
static const char *pick_container(const struct json *pod, const char *want)
{
	const struct json *spec = json_get(pod, "spec");
	const char *pname = json_str(pod, "metadata.name");
	const char *dflt;
	struct json *containers = json_get(spec, "containers"), *c, *d;
	struct buf names = {0};

	if (want) {
		if (find_named(containers, want) ||
		    find_named(json_get(spec, "initContainers"), want) ||
		    find_named(json_get(spec, "ephemeralContainers"), want))
			return want;
		json_foreach(c, containers)
		    buf_printf(&names, "%s%s", names.len ? ", " : "", json_str(c, "name"));
		kt_err("pod %s has no container \"%s\" (its containers: %s)", pname, want,
		       names.p ? names.p : "none");
		buf_free(&names);
		return NULL;
	}
	/* json_path splits on dots, so this annotation key is looked up directly. */
	d = json_get(json_path(pod, "metadata.annotations"),
		     "kubectl.kubernetes.io/default-container");
	dflt = d && d->type == JSON_STR ? d->str : NULL;
	if (dflt)
		return dflt;
	if (containers && containers->count == 1)
		return json_str(containers->child, "name");
	json_foreach(c, containers)
	    buf_printf(&names, "%s%s", names.len ? ", " : "", json_str(c, "name"));
	kt_err("pod %s has several containers (%s): choose one with -c", pname, names.p);
	buf_free(&names);
	return NULL;
}

static const char *container_id(const struct json *pod, const char *name)
{
	static const char *const lists[] = {"status.containerStatuses",
					    "status.initContainerStatuses",
					    "status.ephemeralContainerStatuses", NULL};

	for (int i = 0; lists[i]; i++) {
		struct json *st = find_named(json_path(pod, lists[i]), name);

		if (st && json_path(st, "state.running"))
			return json_str(st, "containerID");
	}
	return NULL;
}

/* Add one pod's chosen container to its node's plan; strict: a problem is an error. */
static int add_pod(const struct json *pod, const struct run_opts *o, bool strict,
		   struct node_plan **plans, int *n)
{
	const char *name = json_str(pod, "metadata.name");
	const char *node = json_str(pod, "spec.nodeName");
	const char *phase = json_str(pod, "status.phase");
	const char *cname, *cid;
	struct target t;

	if (!node || !phase || strcmp(phase, "Running")) {
		if (strict)
			kt_err("pod %s is not running (phase %s)", name, phase ? phase : "unknown");
		else
			kt_warn("skipping pod %s: not running (phase %s)", name,
				phase ? phase : "unknown");
		return strict ? -1 : 0;
	}
	cname = pick_container(pod, o->container);
	if (!cname)
		return -1;
	cid = container_id(pod, cname);
	if (!cid) {
		kt_err("container %s of pod %s is not running", cname, name);
		return -1;
	}
	t.ns = xstrdup(json_str(pod, "metadata.namespace"));
	t.pod = xstrdup(name);
	t.uid = xstrdup(json_str(pod, "metadata.uid"));
	t.container = xstrdup(cname);
	t.container_id = xstrdup(cid);
	add_target(plan_for(plans, n, node), &t);
	return 0;
}

static int add_pod_list(const struct json *list, const struct run_opts *o, const char *what,
			struct node_plan **plans, int *n)
{
	struct json *pod;

	json_foreach(pod, json_get(list, "items")) if (add_pod(pod, o, false, plans, n)) return -1;
	if (!*n) {
		kt_err("no running pods match %s", what);
		return -1;
	}
	return 0;
}

/* A workload's spec.selector as a label selector string. */
static char *selector_string(const struct json *sel)
{
	struct buf b = {0};
	struct json *c, *v;

	json_foreach(c, json_get(sel, "matchLabels"))
	    buf_printf(&b, "%s%s=%s", b.len ? "," : "", c->key, c->str);
	json_foreach(c, json_get(sel, "matchExpressions"))
	{
		const char *key = json_str(c, "key"), *op = json_str(c, "operator");
		const char *sep = "";

		if (b.len)
			buf_adds(&b, ",");
		if (!strcmp(op, "Exists") || !strcmp(op, "DoesNotExist")) {
			buf_printf(&b, "%s%s", op[0] == 'D' ? "!" : "", key);
			continue;
		}
		buf_printf(&b, "%s %s (", key, !strcmp(op, "In") ? "in" : "notin");
		json_foreach(v, json_get(c, "values"))
		{
			buf_printf(&b, "%s%s", sep, v->str);
			sep = ",";
		}
		buf_adds(&b, ")");
	}
	return b.p;
}

static int list_pods(const struct kube *k, const char *selector, bool all_ns,
		     const struct run_opts *o, const char *what, struct node_plan **plans, int *n)
{
	const char *args[12] = {"get", "pods", "-o", "json", "-l", selector};
	int i = 6;
	struct json *list;
	int rc;

	if (all_ns && k->all_ns)
		args[i++] = "-A";
	else if (k->ns)
		args[i++] = "-n", args[i++] = k->ns;
	list = kube_get_json(k, args, NULL);
	if (!list)
		return -1;
	rc = add_pod_list(list, o, what, plans, n);
	json_free(list);
	return rc;
}

static int resolve_workload(const struct kube *k, const struct run_opts *o,
			    const struct kind_name *kn, const char *name, struct node_plan **plans,
			    int *n)
{
	const char *args[10] = {"get", kn->resource, name, "-o", "json"};
	int i = 5, rc;
	struct json *w;
	char *sel, *what;

	if (k->ns)
		args[i++] = "-n", args[i++] = k->ns;
	w = kube_get_json(k, args, NULL);
	if (!w)
		return -1;
	sel = selector_string(json_path(w, "spec.selector"));
	json_free(w);
	if (!sel) {
		kt_err("%s/%s has no pod selector", kn->name, name);
		return -1;
	}
	what = xasprintf("%s/%s (%s)", kn->name, name, sel);
	rc = list_pods(k, sel, false, o, what, plans, n);
	free(what);
	free(sel);
	return rc;
}

static int resolve_node(const struct kube *k, const struct run_opts *o, const char *name,
			struct node_plan **plans, int *n)
{
	const char *args[] = {"get", "node", name, "-o", "json", NULL};
	struct json *node;

	if (strstr(o->program, "$container_pid")) {
		kt_err("the program uses $container_pid, but node/%s has no container: target a "
		       "pod (pod/NAME, -l SELECTOR) or write the PID",
		       name);
		return -1;
	}
	/* A dry run needs no cluster for a node target: the name is used as given. */
	if (!o->dry_run) {
		node = kube_get_json(k, args, NULL);
		if (!node)
			return -1;
		json_free(node);
	}
	plan_for(plans, n, name);
	return 0;
}

static int resolve_pod(const struct kube *k, const struct run_opts *o, const char *name,
		       struct node_plan **plans, int *n)
{
	const char *args[10] = {"get", "pod", name, "-o", "json"};
	int i = 5, rc;
	struct json *pod;

	if (k->ns)
		args[i++] = "-n", args[i++] = k->ns;
	pod = kube_get_json(k, args, NULL);
	if (!pod)
		return -1;
	rc = add_pod(pod, o, true, plans, n);
	json_free(pod);
	return rc;
}

int target_resolve(const struct kube *k, const struct run_opts *o, struct node_plan **plans)
{
	const struct kind_name *kn = NULL;
	const char *slash, *name;
	int n = 0, rc;

	*plans = NULL;
	if (o->selector) {
		char *what = xasprintf("-l %s", o->selector);

		rc = list_pods(k, o->selector, true, o, what, plans, &n);
		free(what);
		return rc ? (target_free(*plans, n), -1) : n;
	}
	slash = strchr(o->target, '/');
	name = slash ? slash + 1 : o->target;
	for (int i = 0; slash && kinds[i].name; i++)
		if (strlen(kinds[i].name) == (size_t)(slash - o->target) &&
		    !strncmp(kinds[i].name, o->target, slash - o->target))
			kn = &kinds[i];
	if ((slash && !kn) || !*name) {
		kt_err("unknown target \"%s\": use node/NAME, NAME (a node), pod/NAME, "
		       "deploy/NAME, sts/NAME, ds/NAME, job/NAME or -l SELECTOR",
		       o->target);
		return -1;
	}
	if (!kn || kn->kind == K_NODE)
		rc = resolve_node(k, o, name, plans, &n);
	else if (kn->kind == K_POD)
		rc = resolve_pod(k, o, name, plans, &n);
	else
		rc = resolve_workload(k, o, kn, name, plans, &n);
	if (rc) {
		target_free(*plans, n);
		*plans = NULL;
		return -1;
	}
	return n;
}

void target_free(struct node_plan *plans, int n)
{
	for (int i = 0; i < n; i++) {
		for (int t = 0; t < plans[i].ntargets; t++) {
			struct target *x = &plans[i].targets[t];

			free(x->ns);
			free(x->pod);
			free(x->uid);
			free(x->container);
			free(x->container_id);
		}
		free(plans[i].targets);
		free(plans[i].node);
	}
	free(plans);
}
