// SPDX-License-Identifier: Apache-2.0
/* main.c - kubectl-trace: run ctrace on a cluster's nodes; get, attach, logs, delete traces. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "opts.h"
#include "trace.h"

#define KT_MANAGED "app.kubernetes.io/managed-by=kubectl-trace"

static const char usage[] =
    "usage: kubectl trace COMMAND [flags]\n"
    "  run TARGET (-e PROGRAM | -f FILE) [-a]   start a trace (see run --help)\n"
    "  get [ID|NAME] [-A]                      list traces\n"
    "  attach ID|NAME                          follow a trace; Ctrl-C stops it and prints maps\n"
    "  logs ID|NAME [-f] [--raw]               print a trace's output\n"
    "  delete ID|NAME | --all [-A]             delete traces\n"
    "  version                                 print the client and image versions\n";

enum { O_FOLLOW = 1, O_RAW, O_ALL, O_HELP, O_TIMEOUT };

static const struct opt common_tab[] = {
    {"follow", 'f', false, O_FOLLOW}, {"raw", 0, false, O_RAW},	    {"all", 0, false, O_ALL},
    {"timeout", 0, true, O_TIMEOUT},  {"help", 'h', false, O_HELP}, {NULL, 0, false, 0},
};

struct common {
	const char *arg;
	bool follow, raw, all;
	long timeout;
};

static int parse_common(struct kube *k, int argc, char **argv, struct common *c, int maxpos)
{
	struct optstate st = {.argc = argc, .argv = argv, .i = 1};
	int id, npos = 0;

	c->timeout = 300;
	while ((id = opt_next(&st, common_tab, k)) != OPT_END) {
		switch (id) {
		case OPT_ERR:
			return -1;
		case OPT_POS:
			if (npos++ >= maxpos) {
				kt_err("unexpected argument \"%s\"", st.val);
				return -1;
			}
			c->arg = st.val;
			break;
		case O_FOLLOW:
			c->follow = true;
			break;
		case O_RAW:
			c->raw = true;
			break;
		case O_ALL:
			c->all = true;
			break;
		case O_TIMEOUT:
			c->timeout = atol(st.val);
			break;
		case O_HELP:
			fputs(usage, stdout);
			exit(0);
		default:
			kt_err("unexpected argument \"%s\"", st.val);
			return -1;
		}
	}
	return 0;
}

/* The program of a trace, from its ConfigMap: it tells how to merge the maps. */
static char *trace_program(const struct kube *k, const char *sel)
{
	const char *args[12] = {"get", "configmaps", "-o", "json", "-l", sel};
	struct json *list, *cm;
	char *prog = NULL;
	int i = 6;

	i += kube_ns_args(k, args + i, true);
	args[i] = NULL;
	list = kube_get_json(k, args, NULL);
	cm = list ? json_get(list, "items")->child : NULL;
	if (cm && json_get(json_get(cm, "data"), "program.bt"))
		prog = xstrdup(json_get(json_get(cm, "data"), "program.bt")->str);
	json_free(list);
	return prog;
}

static int follow(struct kube *k, int argc, char **argv, bool attach)
{
	struct common c = {0};
	struct stream_opts so = {0};
	char *prog;
	int rc;

	if (parse_common(k, argc, argv, &c, 1))
		return 1;
	if (!c.arg) {
		kt_err("%s needs a trace ID or NAME", attach ? "attach" : "logs");
		return 1;
	}
	so.selector = trace_selector(c.arg);
	so.follow = attach || c.follow;
	so.interactive = so.follow;
	so.raw = c.raw;
	so.timeout = c.timeout;
	prog = trace_program(k, so.selector);
	so.program = prog;
	rc = trace_stream(k, &so);
	free(prog);
	free((char *)so.selector);
	return rc;
}

int cmd_attach(struct kube *k, int argc, char **argv)
{
	return follow(k, argc, argv, true);
}

int cmd_logs(struct kube *k, int argc, char **argv)
{
	return follow(k, argc, argv, false);
}

int trace_delete(const struct kube *k, const char *selector, bool all_ns, bool quiet)
{
	const char *args[16] = {"delete", "jobs,configmaps,pods", "-l",
				selector, "--ignore-not-found",	  "--timeout=120s"};
	struct kube kk = *k;
	struct buf out = {0}, err = {0};
	int i = 6, rc;

	kk.all_ns = all_ns;
	i += kube_ns_args(&kk, args + i, true);
	args[i] = NULL;
	rc = kube_run(k, args, NULL, &out, &err);
	if (!quiet || rc)
		fputs(out.p ?: "", stdout);
	fputs(err.p ?: "", stderr);
	buf_free(&out);
	buf_free(&err);
	return rc;
}

int cmd_delete(struct kube *k, int argc, char **argv)
{
	struct common c = {0};
	char *sel;
	int rc;

	if (parse_common(k, argc, argv, &c, 1))
		return 1;
	if (!c.arg == !c.all) {
		kt_err("delete needs a trace ID or NAME, or --all");
		return 1;
	}
	sel = c.all ? xstrdup(KT_MANAGED) : trace_selector(c.arg);
	rc = trace_delete(k, sel, k->all_ns, false);
	free(sel);
	return rc ? 1 : 0;
}

static void age(char *s, size_t n, const char *ts)
{
	struct tm tm = {0};
	long d;

	if (!ts || !strptime(ts, "%Y-%m-%dT%H:%M:%SZ", &tm)) {
		snprintf(s, n, "<unknown>");
		return;
	}
	d = (long)(time(NULL) - timegm(&tm));
	if (d < 120)
		snprintf(s, n, "%lds", d < 0 ? 0 : d);
	else if (d < 7200)
		snprintf(s, n, "%ldm", d / 60);
	else if (d < 172800)
		snprintf(s, n, "%ldh", d / 3600);
	else
		snprintf(s, n, "%ldd", d / 86400);
}

static const char *job_status(const struct json *job)
{
	struct json *c;

	json_foreach(c, json_path(job, "status.conditions"))
	{
		if (strcmp(json_str(c, "status") ?: "", "True"))
			continue;
		if (!strcmp(json_str(c, "type") ?: "", "Failed"))
			return "Failed";
		if (!strcmp(json_str(c, "type") ?: "", "Complete"))
			return "Completed";
	}
	return json_int(job, "status.active", 0) ? "Running" : "Pending";
}

/* One row per trace: its Jobs (one per node) folded together. */
struct row {
	const char *ns, *name, *status, *created;
	struct buf nodes;
};

static void fold(struct row *r, const struct json *job)
{
	const char *st = job_status(job);
	const char *node = json_str(job, "spec.template.spec.nodeName") ?: "?";

	buf_printf(&r->nodes, "%s%s", r->nodes.len ? "," : "", node);
	/* The worst state wins: Failed, then Running/Pending, then Completed. */
	if (!r->status || !strcmp(st, "Failed") ||
	    (strcmp(r->status, "Failed") && strcmp(st, "Completed")))
		r->status = st;
}

static void print_rows(const struct json *jobs)
{
	struct row *rows = xcalloc(json_get(jobs, "items")->count + 1, sizeof(*rows));
	struct json *j;
	int n = 0;

	json_foreach(j, json_get(jobs, "items"))
	{
		struct json *l = json_get(json_path(j, "metadata.labels"), KT_LABEL_NAME);
		int i;

		for (i = 0; i < n; i++)
			if (l && !strcmp(rows[i].name, l->str) &&
			    !strcmp(rows[i].ns, json_str(j, "metadata.namespace")))
				break;
		if (i == n) {
			rows[n].ns = json_str(j, "metadata.namespace");
			rows[n].name = l ? l->str : json_str(j, "metadata.name");
			rows[n].created = json_str(j, "metadata.creationTimestamp");
			n++;
		}
		fold(&rows[i], j);
	}
	printf("%-16s %-24s %-16s %-10s %s\n", "NAMESPACE", "NODE", "NAME", "STATUS", "AGE");
	for (int i = 0; i < n; i++) {
		char a[32];

		age(a, sizeof(a), rows[i].created);
		printf("%-16s %-24s %-16s %-10s %s\n", rows[i].ns, rows[i].nodes.p, rows[i].name,
		       rows[i].status, a);
		buf_free(&rows[i].nodes);
	}
	free(rows);
}

static int cmd_get(struct kube *k, int argc, char **argv)
{
	const char *args[12] = {"get", "jobs", "-o", "json", "-l"};
	struct common c = {0};
	struct json *jobs;
	char *sel, *one = NULL;
	int i = 6;

	if (parse_common(k, argc, argv, &c, 1))
		return 1;
	if (c.arg)
		one = trace_selector(c.arg);
	sel = xasprintf("%s%s%s", KT_MANAGED, one ? "," : "", one ? one : "");
	args[5] = sel;
	i += kube_ns_args(k, args + i, true);
	args[i] = NULL;
	jobs = kube_get_json(k, args, NULL);
	free(sel);
	free(one);
	if (!jobs)
		return 1;
	if (c.arg && !json_get(jobs, "items")->count) {
		kt_err("no trace matches %s", c.arg);
		json_free(jobs);
		return 1;
	}
	print_rows(jobs);
	json_free(jobs);
	return 0;
}

static int cmd_version(struct kube *k)
{
	printf("kubectl-trace: %s\nimage: %s\n", KT_VERSION,
	       getenv("KUBECTL_TRACE_IMAGE") ?: KT_DEFAULT_IMAGE);
	(void)k;
	return 0;
}

int main(int argc, char **argv)
{
	struct kube k = {.kubectl = getenv("KUBECTL") ?: "kubectl"};
	const char *cmd = argc > 1 ? argv[1] : NULL;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!cmd || !strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		fputs(usage, cmd ? stdout : stderr);
		return cmd ? 0 : 1;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run(&k, argc - 1, argv + 1);
	if (!strcmp(cmd, "get"))
		return cmd_get(&k, argc - 1, argv + 1);
	if (!strcmp(cmd, "attach"))
		return cmd_attach(&k, argc - 1, argv + 1);
	if (!strcmp(cmd, "logs") || !strcmp(cmd, "log"))
		return cmd_logs(&k, argc - 1, argv + 1);
	if (!strcmp(cmd, "delete"))
		return cmd_delete(&k, argc - 1, argv + 1);
	if (!strcmp(cmd, "version"))
		return cmd_version(&k);
	kt_err("unknown command \"%s\"", cmd);
	fputs(usage, stderr);
	return 1;
}
