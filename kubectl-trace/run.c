// SPDX-License-Identifier: Apache-2.0
/* run.c - `kubectl trace run`: resolve the target, create the objects, wait or attach. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "opts.h"
#include "trace.h"

enum {
	R_EVAL = 1,
	R_FILE,
	R_ATTACH,
	R_CONTAINER,
	R_SELECTOR,
	R_DEADLINE,
	R_SA,
	R_IMAGE,
	R_PULL_POLICY,
	R_PULL_SECRET,
	R_PRIVILEGED,
	R_PATCH,
	R_PATCH_TYPE,
	R_DRY_RUN,
	R_OUTPUT,
	R_NO_FILTER,
	R_UNSAFE,
	R_CTRACE_ARG,
	R_B,
	R_TIMEOUT,
	R_HELP,
};

static const struct opt run_opts_tab[] = {
    {"eval", 'e', true, R_EVAL},
    {"filename", 'f', true, R_FILE},
    {"attach", 'a', false, R_ATTACH},
    {"container", 'c', true, R_CONTAINER},
    {"selector", 'l', true, R_SELECTOR},
    {"deadline", 0, true, R_DEADLINE},
    {"serviceaccount", 0, true, R_SA},
    {"imagename", 0, true, R_IMAGE},
    {"image-pull-policy", 0, true, R_PULL_POLICY},
    {"image-pull-secret", 0, true, R_PULL_SECRET},
    {"privileged", 0, false, R_PRIVILEGED},
    {"patch", 0, true, R_PATCH},
    {"patch-type", 0, true, R_PATCH_TYPE},
    {"dry-run", 0, false, R_DRY_RUN},
    {"output", 'o', true, R_OUTPUT},
    {"no-filter", 0, false, R_NO_FILTER},
    {"unsafe", 0, false, R_UNSAFE},
    {"ctrace-arg", 0, true, R_CTRACE_ARG},
    {NULL, 'B', true, R_B},
    {"timeout", 0, true, R_TIMEOUT},
    {"help", 'h', false, R_HELP},
    {NULL, 0, false, 0},
};

static const char run_usage[] =
    "usage: kubectl trace run TARGET (-e PROGRAM | -f FILE) [-a] [-c CONTAINER] [flags]\n"
    "       kubectl trace run -l SELECTOR [-A] (-e PROGRAM | -f FILE) [-a] [flags]\n"
    "TARGET: node/NAME, NAME (a node), pod/NAME, deploy/NAME, sts/NAME, ds/NAME, job/NAME\n"
    "flags: --deadline SECONDS (3600), --serviceaccount, --imagename, --image-pull-policy,\n"
    "       --image-pull-secret, --privileged, --patch FILE --patch-type json|merge|strategic,\n"
    "       --no-filter, --unsafe, -B MODE, --ctrace-arg ARG, --timeout SECONDS (300),\n"
    "       --dry-run [-o yaml|json], -n NAMESPACE, --context, --kubeconfig\n";

static int add_ctrace_arg(struct run_opts *o, const char *a)
{
	if (o->nctrace >= (int)(sizeof(o->ctrace_args) / sizeof(o->ctrace_args[0]))) {
		kt_err("too many ctrace arguments");
		return -1;
	}
	o->ctrace_args[o->nctrace++] = a;
	return 0;
}

static int parse_long(const char *flag, const char *v, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(v, &end, 10);
	if (errno || *end || *out <= 0) {
		kt_err("%s wants a positive number of seconds, not \"%s\"", flag, v);
		return -1;
	}
	return 0;
}

static int set_flag(struct run_opts *o, int id, const char *v)
{
	switch (id) {
	case R_EVAL:
		o->program = xstrdup(v);
		break;
	case R_FILE:
		o->program_file = v;
		break;
	case R_ATTACH:
		o->attach = true;
		break;
	case R_CONTAINER:
		o->container = v;
		break;
	case R_SELECTOR:
		o->selector = v;
		break;
	case R_DEADLINE:
		return parse_long("--deadline", v, &o->deadline);
	case R_TIMEOUT:
		return parse_long("--timeout", v, &o->timeout);
	case R_SA:
		o->serviceaccount = v;
		break;
	case R_IMAGE:
		o->imagename = v;
		break;
	case R_PULL_POLICY:
		o->pull_policy = v;
		break;
	case R_PULL_SECRET:
		o->pull_secret = v;
		break;
	case R_PRIVILEGED:
		o->privileged = true;
		break;
	case R_PATCH:
		o->patch = v;
		break;
	case R_PATCH_TYPE:
		o->patch_type = v;
		break;
	case R_DRY_RUN:
		o->dry_run = true;
		break;
	case R_OUTPUT:
		o->output = v;
		break;
	case R_NO_FILTER:
		o->no_filter = true;
		break;
	case R_UNSAFE:
		return add_ctrace_arg(o, "--unsafe");
	case R_CTRACE_ARG:
		return add_ctrace_arg(o, v);
	case R_B:
		return add_ctrace_arg(o, "-B") ?: add_ctrace_arg(o, v);
	default:
		fputs(run_usage, stdout);
		exit(0);
	}
	return 0;
}

static int parse_args(struct kube *k, int argc, char **argv, struct run_opts *o)
{
	struct optstate st = {.argc = argc, .argv = argv, .i = 1};
	int id, npos = 0;

	while ((id = opt_next(&st, run_opts_tab, k)) != OPT_END) {
		if (id == OPT_ERR)
			return -1;
		if (id == OPT_REST) {
			if (add_ctrace_arg(o, st.val))
				return -1;
		} else if (id == OPT_POS) {
			/* kubectl-trace's old form: run POD CONTAINER. */
			if (npos == 0) {
				o->target = st.val;
			} else if (npos == 1 && !o->container) {
				o->container = st.val;
			} else {
				kt_err("unexpected argument \"%s\"", st.val);
				return -1;
			}
			npos++;
		} else if (set_flag(o, id, st.val)) {
			return -1;
		}
	}
	return 0;
}

static int check_args(struct run_opts *o)
{
	if (!o->target == !o->selector) {
		kt_err(o->target ? "give either TARGET or -l SELECTOR, not both"
				 : "a TARGET or -l SELECTOR is required");
		return -1;
	}
	if (!o->program == !o->program_file) {
		kt_err("give exactly one of -e PROGRAM or -f FILE");
		return -1;
	}
	if (!o->patch != !o->patch_type) {
		kt_err("--patch and --patch-type go together");
		return -1;
	}
	if (o->patch_type && strcmp(o->patch_type, "json") && strcmp(o->patch_type, "merge") &&
	    strcmp(o->patch_type, "strategic")) {
		kt_err("--patch-type must be json, merge or strategic");
		return -1;
	}
	if (o->output &&
	    (!o->dry_run || (strcmp(o->output, "yaml") && strcmp(o->output, "json")))) {
		kt_err("-o yaml|json goes with --dry-run");
		return -1;
	}
	if (o->dry_run && o->attach) {
		kt_err("--dry-run and --attach do not go together");
		return -1;
	}
	if (o->program_file) {
		struct buf b = {0};
		int rc = read_file(o->program_file, &b);

		if (rc) {
			kt_err("cannot read %s: %s", o->program_file, strerror(-rc));
			return -1;
		}
		o->program = b.p;
	}
	if (!*o->program) {
		kt_err("the program is empty");
		return -1;
	}
	return 0;
}

static char *new_id(void)
{
	unsigned char r[16];

	if (getrandom(r, sizeof(r), 0) != sizeof(r)) {
		kt_err("getrandom failed");
		exit(1);
	}
	r[6] = (r[6] & 0x0f) | 0x40; /* version 4 */
	r[8] = (r[8] & 0x3f) | 0x80;
	return xasprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			 r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11],
			 r[12], r[13], r[14], r[15]);
}

/* kubectl applies --patch offline (--local): every patch type and YAML or JSON patch files. */
static struct json *apply_patch(const struct kube *k, const struct run_opts *o, struct json *job)
{
	char *pf = xasprintf("--patch-file=%s", o->patch);
	const char *args[] = {"patch",	     "--local", "-f", "-",    "--type",
			      o->patch_type, pf,	"-o", "json", NULL};
	struct buf in = {0}, out = {0}, err = {0};
	struct json *res = NULL;

	json_write(&in, job, -1);
	if (kube_run(k, args, in.p, &out, &err)) {
		fputs(err.p ?: "", stderr);
		kt_err("cannot apply the patch %s", o->patch);
	} else {
		res = json_parse(out.p, NULL);
	}
	json_free(job);
	free(pf);
	buf_free(&in);
	buf_free(&out);
	buf_free(&err);
	return res;
}

static void print_dry_run(const struct run_opts *o, struct json *jobs, struct json *cm)
{
	struct buf out = {0};
	struct json *j;

	if (o->output && !strcmp(o->output, "json")) {
		struct json *list = json_obj();

		json_add_str(list, "apiVersion", "v1");
		json_add_str(list, "kind", "List");
		json_add(json_add_arr(list, "items"), NULL, json_dup(cm));
		json_foreach(j, jobs) json_add(json_get(list, "items"), NULL, json_dup(j));
		json_write(&out, list, 4);
		buf_adds(&out, "\n");
		json_free(list);
	} else {
		json_write_yaml(&out, cm);
		json_foreach(j, jobs)
		{
			buf_adds(&out, "---\n");
			json_write_yaml(&out, j);
		}
	}
	fputs(out.p, stdout);
	buf_free(&out);
}

static struct json *create(const struct kube *k, const struct json *obj)
{
	const char *args[] = {"create", "-f", "-", "-o", "json", "--validate=false", NULL};
	struct buf in = {0}, out = {0}, err = {0};
	struct json *res = NULL;

	json_write(&in, obj, -1);
	if (kube_run(k, args, in.p, &out, &err))
		fputs(err.p ?: "", stderr);
	else
		res = json_parse(out.p, NULL);
	buf_free(&in);
	buf_free(&out);
	buf_free(&err);
	return res;
}

/* Jobs first, so that the ConfigMap can name them as its owners. */
static int create_all(const struct kube *k, const struct run_opts *o, const char *id,
		      const char *name, const struct json *jobs)
{
	struct json *created = json_arr(), *j, *cm, *res;
	int rc = -1;

	json_foreach(j, jobs)
	{
		res = create(k, j);
		if (!res)
			goto out;
		json_add(created, NULL, res);
	}
	cm = manifest_configmap(k, o, id, name, created);
	res = create(k, cm);
	json_free(cm);
	if (res)
		rc = 0;
	json_free(res);
out:
	json_free(created);
	return rc;
}

static struct json *build_jobs(const struct kube *k, const struct run_opts *o, const char *id,
			       const char *name, const struct node_plan *plans, int n)
{
	struct json *jobs = json_arr();

	for (int i = 0; i < n; i++) {
		struct json *job = manifest_job(k, o, id, name, i, &plans[i]);

		if (o->patch && !(job = apply_patch(k, o, job))) {
			json_free(jobs);
			return NULL;
		}
		json_add(jobs, NULL, job);
	}
	return jobs;
}

static void defaults(struct run_opts *o)
{
	o->deadline = 3600;
	o->timeout = 300;
	o->serviceaccount = "default";
	o->imagename = getenv("KUBECTL_TRACE_IMAGE") ?: KT_DEFAULT_IMAGE;
	o->pull_policy = "IfNotPresent";
}

static int start(struct kube *k, struct run_opts *o, const char *id, const char *name,
		 struct json *jobs)
{
	struct stream_opts so = {
	    .program = o->program, .follow = true, .timeout = o->timeout, .interactive = true};
	char *sel = xasprintf(KT_LABEL_ID "=%s", id);
	int rc;

	if (create_all(k, o, id, name, jobs)) {
		kt_err("could not create the trace; removing what was created");
		trace_delete(k, sel, false, true);
		free(sel);
		return 1;
	}
	printf("trace %s created\n", id);
	fflush(stdout);
	so.selector = sel;
	so.stop_when_attached = !o->attach;
	rc = trace_stream(k, &so);
	/* A trace that never ran leaves nothing behind; a finished one stays for `logs`. */
	if (rc && rc != 130) {
		kt_err("trace %s failed; deleting it", id);
		trace_delete(k, sel, false, true);
	}
	free(sel);
	return rc;
}

int cmd_run(struct kube *k, int argc, char **argv)
{
	struct run_opts o = {0};
	struct node_plan *plans;
	struct json *jobs, *cm;
	char *id, *name;
	int n, rc;

	defaults(&o);
	if (parse_args(k, argc, argv, &o) || check_args(&o)) {
		fputs(run_usage, stderr);
		return 1;
	}
	n = target_resolve(k, &o, &plans);
	if (n < 0)
		return 1;
	id = new_id();
	name = xasprintf("ctrace-%.8s", id);
	jobs = build_jobs(k, &o, id, name, plans, n);
	rc = 1;
	if (jobs && o.dry_run) {
		cm = manifest_configmap(k, &o, id, name, NULL);
		print_dry_run(&o, jobs, cm);
		json_free(cm);
		rc = 0;
	} else if (jobs) {
		rc = start(k, &o, id, name, jobs);
	}
	json_free(jobs);
	target_free(plans, n);
	free(id);
	free(name);
	free(o.program);
	return rc;
}
