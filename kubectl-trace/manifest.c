// SPDX-License-Identifier: Apache-2.0
/* manifest.c - the ConfigMap and per-node Job of a trace, built as JSON in one place. */
#include <stdlib.h>
#include <string.h>

#include "trace.h"

/* Added to a non-privileged tracer: what loading, attaching and reading targets need. */
static const char *const caps[] = {"BPF", "PERFMON", "SYS_RESOURCE", "SYS_PTRACE", "SYSLOG", NULL};

static void add_meta(struct json *meta, const struct kube *k, const char *name, const char *id,
		     const char *trace)
{
	struct json *labels;

	if (name)
		json_add_str(meta, "name", name);
	if (k->ns)
		json_add_str(meta, "namespace", k->ns);
	labels = json_add_obj(meta, "labels");
	json_add_str(labels, KT_LABEL_ID, id);
	json_add_str(labels, KT_LABEL_NAME, trace);
	json_add_str(labels, "app.kubernetes.io/managed-by", "kubectl-trace");
}

static void add_args(struct json *c, const struct run_opts *o, const struct node_plan *p)
{
	struct json *args = json_add_arr(c, "args");

	json_add_str(args, NULL, "--program");
	json_add_str(args, NULL, "/programs/program.bt");
	json_add_str(args, NULL, "--deadline");
	json_add(args, NULL, json_new(JSON_STR))->str = xasprintf("%ld", o->deadline);
	json_add_str(args, NULL, "--node");
	json_add_str(args, NULL, p->node);
	for (int i = 0; i < p->ntargets; i++) {
		const struct target *t = &p->targets[i];

		json_add_str(args, NULL, "--target");
		json_add(args, NULL, json_new(JSON_STR))->str =
		    xasprintf("%s/%s/%s=%s", t->ns, t->pod, t->container, t->container_id);
	}
	if (o->no_filter)
		json_add_str(args, NULL, "--no-filter");
	if (o->nctrace) {
		json_add_str(args, NULL, "--");
		for (int i = 0; i < o->nctrace; i++)
			json_add_str(args, NULL, o->ctrace_args[i]);
	}
}

static void add_security(struct json *c, const struct run_opts *o)
{
	struct json *sc = json_add_obj(c, "securityContext"), *cap, *list;

	if (o->privileged) {
		json_add_bool(sc, "privileged", true);
	} else {
		cap = json_add_obj(sc, "capabilities");
		list = json_add_arr(cap, "add");
		for (int i = 0; caps[i]; i++)
			json_add_str(list, NULL, caps[i]);
		json_add_str(json_add_arr(cap, "drop"), NULL, "ALL");
		json_add_bool(sc, "allowPrivilegeEscalation", false);
	}
	json_add_bool(sc, "readOnlyRootFilesystem", true);
	/* Runtimes' default seccomp profiles refuse bpf() and perf_event_open() without
	 * CAP_SYS_ADMIN, so the tracer needs its own profile. */
	json_add_str(json_add_obj(sc, "seccompProfile"), "type", "Unconfined");
}

static void add_mount(struct json *mounts, const char *name, const char *path)
{
	struct json *m = json_add_obj(mounts, NULL);

	json_add_str(m, "name", name);
	json_add_str(m, "mountPath", path);
	json_add_bool(m, "readOnly", true);
}

static void add_host_volume(struct json *vols, const char *name, const char *path)
{
	struct json *v = json_add_obj(vols, NULL), *hp;

	json_add_str(v, "name", name);
	hp = json_add_obj(v, "hostPath");
	json_add_str(hp, "path", path);
	json_add_str(hp, "type", "Directory");
}

/* Kernel headers are only read for #include; BTF covers everything else. */
static bool needs_modules(const struct run_opts *o)
{
	return strstr(o->program, "#include") != NULL;
}

static void add_container(struct json *spec, const struct run_opts *o, const struct node_plan *p)
{
	struct json *c = json_add_obj(json_add_arr(spec, "containers"), NULL);
	struct json *res, *mounts;

	json_add_str(c, "name", KT_CONTAINER);
	json_add_str(c, "image", o->imagename);
	json_add_str(c, "imagePullPolicy", o->pull_policy);
	json_add_str(json_add_arr(c, "command"), NULL, "ctrace-runner");
	add_args(c, o, p);
	add_security(c, o);
	res = json_add_obj(c, "resources");
	json_add_str(json_add_obj(res, "requests"), "cpu", "100m");
	json_add_str(json_path(res, "requests"), "memory", "64Mi");
	/* LLVM compiles inside the pod: leave it room. */
	json_add_str(json_add_obj(res, "limits"), "memory", "1Gi");
	json_add_str(c, "terminationMessagePolicy", "FallbackToLogsOnError");
	mounts = json_add_arr(c, "volumeMounts");
	add_mount(mounts, "program", "/programs");
	add_mount(mounts, "sys", "/sys");
	if (needs_modules(o))
		add_mount(mounts, "modules", "/lib/modules");
}

static void add_volumes(struct json *spec, const struct run_opts *o, const char *trace)
{
	struct json *vols = json_add_arr(spec, "volumes"), *v;

	v = json_add_obj(vols, NULL);
	json_add_str(v, "name", "program");
	json_add_str(json_add_obj(v, "configMap"), "name", trace);
	add_host_volume(vols, "sys", "/sys");
	if (needs_modules(o))
		add_host_volume(vols, "modules", "/lib/modules");
}

static void add_pod_spec(struct json *tmpl, const struct kube *k, const struct run_opts *o,
			 const char *id, const char *trace, const struct node_plan *p)
{
	struct json *spec;

	add_meta(json_add_obj(tmpl, "metadata"), k, NULL, id, trace);
	json_del(json_get(tmpl, "metadata"), "namespace");
	spec = json_add_obj(tmpl, "spec");
	/* nodeName, not the hostname label: the two differ on some clouds. */
	json_add_str(spec, "nodeName", p->node);
	json_add_str(spec, "restartPolicy", "Never");
	json_add_bool(spec, "hostPID", true);
	json_add_str(spec, "serviceAccountName", o->serviceaccount);
	json_add_bool(spec, "automountServiceAccountToken", false);
	json_add_int(spec, "terminationGracePeriodSeconds", KT_GRACE);
	json_add_str(json_add_obj(json_add_arr(spec, "tolerations"), NULL), "operator", "Exists");
	if (o->pull_secret)
		json_add_str(json_add_obj(json_add_arr(spec, "imagePullSecrets"), NULL), "name",
			     o->pull_secret);
	add_container(spec, o, p);
	add_volumes(spec, o, trace);
}

static char *targets_note(const struct node_plan *p)
{
	struct buf b = {0};

	for (int i = 0; i < p->ntargets; i++)
		buf_printf(&b, "%s%s/%s/%s", i ? "," : "", p->targets[i].ns, p->targets[i].pod,
			   p->targets[i].container);
	return b.p ? b.p : xstrdup("");
}

struct json *manifest_job(const struct kube *k, const struct run_opts *o, const char *id,
			  const char *name, int index, const struct node_plan *p)
{
	struct json *job = json_obj(), *meta, *ann, *spec;
	char *jname = xasprintf("%s-%d", name, index);

	json_add_str(job, "apiVersion", "batch/v1");
	json_add_str(job, "kind", "Job");
	meta = json_add_obj(job, "metadata");
	add_meta(meta, k, jname, id, name);
	ann = json_add_obj(meta, "annotations");
	json_add_str(ann, "ctrace.io/node", p->node);
	if (p->ntargets)
		json_add(ann, "ctrace.io/targets", json_new(JSON_STR))->str = targets_note(p);
	spec = json_add_obj(job, "spec");
	json_add_int(spec, "parallelism", 1);
	json_add_int(spec, "completions", 1);
	/* A trace that failed (a compile error) would fail the same way again. */
	json_add_int(spec, "backoffLimit", 0);
	/* A backstop only: ctrace itself stops at --deadline and prints its maps. */
	json_add_int(spec, "activeDeadlineSeconds", o->deadline + KT_DEADLINE_SLACK);
	json_add_int(spec, "ttlSecondsAfterFinished", KT_TTL);
	add_pod_spec(json_add_obj(spec, "template"), k, o, id, name, p);
	free(jname);
	return job;
}

struct json *manifest_configmap(const struct kube *k, const struct run_opts *o, const char *id,
				const char *name, const struct json *owners)
{
	struct json *cm = json_obj(), *meta, *refs, *job;

	json_add_str(cm, "apiVersion", "v1");
	json_add_str(cm, "kind", "ConfigMap");
	meta = json_add_obj(cm, "metadata");
	add_meta(meta, k, name, id, name);
	/* Owned by every Job of the trace: it goes when the last of them goes. */
	if (owners) {
		refs = json_add_arr(meta, "ownerReferences");
		json_foreach(job, owners)
		{
			struct json *r = json_add_obj(refs, NULL);

			json_add_str(r, "apiVersion", "batch/v1");
			json_add_str(r, "kind", "Job");
			json_add_str(r, "name", json_str(job, "metadata.name"));
			json_add_str(r, "uid", json_str(job, "metadata.uid"));
		}
	}
	json_add_str(json_add_obj(cm, "data"), "program.bt", o->program);
	return cm;
}

char *trace_selector(const char *id_or_name)
{
	/* Names are what run prints second; everything else is taken as an ID. */
	if (!strncmp(id_or_name, "ctrace-", 7))
		return xasprintf(KT_LABEL_NAME "=%s", id_or_name);
	return xasprintf(KT_LABEL_ID "=%s", id_or_name);
}
