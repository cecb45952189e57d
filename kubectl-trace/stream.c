// SPDX-License-Identifier: Apache-2.0
/* stream.c - wait for a trace's tracer pods, follow their output, stop them, merge the maps. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "merge.h"
#include "trace.h"

/* One tracer pod whose output we read. */
struct tracer {
	char *pod, *ns, *node;
	pid_t pid; /* kubectl logs */
	int fd;
	struct buf in;	 /* bytes not yet split into lines */
	struct buf line; /* printf text not yet ended by a newline */
	bool attached, done;
};

static volatile sig_atomic_t interrupts;

static void on_signal(int sig)
{
	(void)sig;
	interrupts++;
}

static void catch_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: poll() and sleeps must return so the flag is seen at once. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static struct json *get_list(const struct kube *k, const char *what, const char *selector)
{
	const char *args[12] = {"get", what, "-o", "json", "-l", selector};
	int i = 6;

	i += kube_ns_args(k, args + i, true);
	args[i] = NULL;
	return kube_get_json(k, args, NULL);
}

/* The reason a Job has no pod: admission and quota refusals show up as its events. */
static char *job_events(const struct kube *k, const struct json *job)
{
	char *fs = xasprintf("involvedObject.kind=Job,involvedObject.name=%s",
			     json_str(job, "metadata.name"));
	const char *args[] = {"get",
			      "events",
			      "-o",
			      "json",
			      "-n",
			      json_str(job, "metadata.namespace"),
			      "--field-selector",
			      fs,
			      NULL};
	struct buf err = {0}, msg = {0};
	struct json *list = kube_get_json(k, args, &err), *ev;

	json_foreach(ev, json_get(list, "items")) if (json_str(ev, "type") &&
						      !strcmp(json_str(ev, "type"), "Warning"))
	    buf_printf(&msg, "%s%s: %s", msg.len ? "; " : "", json_str(ev, "reason") ?: "",
		       json_str(ev, "message") ?: "");
	json_free(list);
	buf_free(&err);
	free(fs);
	return msg.p;
}

/* The message of a Job's true condition of this type (Failed, Complete), or NULL. */
static const char *job_condition(const struct json *job, const char *type)
{
	struct json *c;

	json_foreach (c, json_path(job, "status.conditions"))
		if (!strcmp(json_str(c, "type") ?: "", type) &&
		    !strcmp(json_str(c, "status") ?: "", "True"))
			return json_str(c, "message") ?: json_str(c, "reason") ?: type;
	return NULL;
}

/* Why a pod is still Pending, in a few words, for the user to see while waiting. */
static char *pending_reason(const struct json *pod)
{
	struct json *c;

	json_foreach(c, json_path(pod, "status.containerStatuses"))
	{
		const char *r = json_str(c, "state.waiting.reason");

		if (r)
			return xasprintf("%s%s%s", r,
					 json_str(c, "state.waiting.message") ? ": " : "",
					 json_str(c, "state.waiting.message") ?: "");
	}
	json_foreach(
	    c, json_path(
		   pod,
		   "status.conditions")) if (!strcmp(json_str(c, "status") ?: "", "False") &&
					     json_str(
						 c, "message")) return xasprintf("%s",
										 json_str(
										     c, "message"));
	return xstrdup("Pending");
}

static struct json *pod_of_job(const struct json *pods, const char *job)
{
	struct json *p;

	json_foreach(p, json_get(pods, "items"))
	{
		struct json *labels = json_path(p, "metadata.labels");
		/* Older clusters set only job-name; newer ones both. */
		struct json *l = json_get(labels, "batch.kubernetes.io/job-name")
				     ?: json_get(labels, "job-name");

		if (l && l->type == JSON_STR && !strcmp(l->str, job))
			return p;
	}
	return NULL;
}

/* One look at the Jobs and their pods: 1 all started, 0 keep waiting, -1 failed. */
static int check_started(const struct kube *k, const struct json *jobs, const struct json *pods,
			 struct buf *status)
{
	struct json *job;
	int ready = 1;

	json_foreach(job, json_get(jobs, "items"))
	{
		const char *name = json_str(job, "metadata.name");
		const char *node = json_str(job, "spec.template.spec.nodeName") ?: "?";
		struct json *pod = pod_of_job(pods, name);
		const char *failed = job_condition(job, "Failed");
		char *why;

		if (!pod && job_condition(job, "Complete")) {
			kt_err("the trace has ended on node %s and its tracer pod is gone", node);
			return -1;
		}
		if (!pod) {
			why = job_events(k, job);
			if (failed || (why && strstr(why, "FailedCreate"))) {
				kt_err("tracer for node %s could not start: %s", node,
				       why ? why : failed);
				free(why);
				return -1;
			}
			buf_printf(status,
				   "node %s: waiting for the tracer pod to be created%s%s\n", node,
				   why ? ": " : "", why ? why : "");
			free(why);
			ready = 0;
			continue;
		}
		if (!strcmp(json_str(pod, "status.phase") ?: "Pending", "Pending")) {
			why = pending_reason(pod);
			/* Waiting cannot fix these. */
			if (!strncmp(why, "InvalidImageName", 16) ||
			    !strncmp(why, "ErrImageNeverPull", 17) ||
			    !strncmp(why, "CreateContainerConfigError", 26)) {
				kt_err("tracer on node %s cannot start: %s", node, why);
				free(why);
				return -1;
			}
			buf_printf(status, "node %s: pod %s is pending: %s\n", node,
				   json_str(pod, "metadata.name"), why);
			free(why);
			ready = 0;
		}
	}
	return ready;
}

/* Wait, with a growing backoff, until every Job's pod has left Pending. */
static struct json *wait_started(const struct kube *k, const struct stream_opts *so)
{
	long long end = now_ms() + so->timeout * 1000;
	long delay = 250;
	char *shown = NULL;

	for (;;) {
		struct json *jobs = get_list(k, "jobs", so->selector), *pods;
		struct buf status = {0};
		int rc;

		if (!jobs)
			return NULL;
		if (!json_get(jobs, "items") || !json_get(jobs, "items")->count) {
			kt_err("no trace matches %s", so->selector);
			json_free(jobs);
			return NULL;
		}
		pods = get_list(k, "pods", so->selector);
		rc = pods ? check_started(k, jobs, pods, &status) : -1;
		json_free(jobs);
		if (rc == 1) {
			free(shown);
			buf_free(&status);
			return pods;
		}
		json_free(pods);
		if (rc < 0 || interrupts || now_ms() > end) {
			if (rc >= 0)
				kt_err("%s waiting for the tracer pods:\n%s",
				       interrupts ? "interrupted" : "timed out", status.p ?: "");
			free(shown);
			buf_free(&status);
			return NULL;
		}
		if (status.p && (!shown || strcmp(shown, status.p)))
			fputs(status.p, stderr);
		free(shown);
		shown = status.p;
		sleep_ms(delay);
		delay = delay * 2 > 4000 ? 4000 : delay * 2;
	}
}

static void start_logs(const struct kube *k, struct tracer *t, bool follow)
{
	const char *args[10] = {"logs"};
	int i = 1;

	if (follow)
		args[i++] = "-f";
	args[i++] = t->pod;
	args[i++] = "-c";
	args[i++] = KT_CONTAINER;
	args[i++] = "-n";
	args[i++] = t->ns;
	t->pid = kube_spawn(k, args, &t->fd);
	if (t->pid < 0)
		t->done = true;
}

/* Text from printf and friends; prefixed with the node when several nodes print. */
static void emit_text(struct tracer *t, const char *s, bool prefix, FILE *out)
{
	buf_adds(&t->line, s);
	for (char *nl; (nl = memchr(t->line.p, '\n', t->line.len));) {
		size_t n = nl - t->line.p + 1;

		if (prefix)
			fprintf(out, "[%s] ", t->node);
		fwrite(t->line.p, 1, n, out);
		buf_consume(&t->line, n);
	}
	fflush(out);
}

struct ctx {
	const struct stream_opts *so;
	struct merge *maps;
	bool prefix;
};

static void handle_record(struct ctx *c, struct tracer *t, const struct json *rec)
{
	const char *type = json_str(rec, "type");
	struct json *data = json_get(rec, "data");

	if (!strcmp(type, "attached_probes")) {
		t->attached = true;
		if (c->prefix)
			fprintf(stderr, "[%s] ", t->node);
		fprintf(stderr, "Attaching %lld probe%s...\n", json_int(data, "probes", 0),
			json_int(data, "probes", 0) == 1 ? "" : "s");
	} else if (!strcmp(type, "map") || !strcmp(type, "hist") || !strcmp(type, "stats")) {
		merge_add(c->maps, rec, t->node);
	} else if (data && data->type == JSON_STR) {
		if (!c->so->stop_when_attached)
			emit_text(t, data->str, c->prefix, stdout);
	} else {
		struct buf b = {0};

		json_write(&b, rec, -1);
		if (c->prefix)
			fprintf(stderr, "[%s] ", t->node);
		fprintf(stderr, "%s\n", b.p);
		buf_free(&b);
	}
}

static void handle_line(struct ctx *c, struct tracer *t, const char *line)
{
	struct json *rec = NULL;

	if (c->so->raw) {
		if (c->prefix)
			printf("[%s] ", t->node);
		printf("%s\n", line);
		return;
	}
	if (line[0] == '{')
		rec = json_parse(line, NULL);
	if (rec && json_str(rec, "type")) {
		handle_record(c, t, rec);
	} else if (*line) {
		/* Anything else is the runner's or ctrace's own message: an error, a warning. */
		if (c->prefix)
			fprintf(stderr, "[%s] ", t->node);
		fprintf(stderr, "%s\n", line);
	}
	json_free(rec);
}

static void read_tracer(struct ctx *c, struct tracer *t)
{
	char tmp[16384];
	ssize_t n = read(t->fd, tmp, sizeof(tmp));

	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) {
		if (t->in.len)
			handle_line(c, t, t->in.p);
		/* printf text that never got its newline still belongs on the screen. */
		if (t->line.len) {
			fwrite(t->line.p, 1, t->line.len, stdout);
			buf_consume(&t->line, t->line.len);
		}
		close(t->fd);
		t->fd = -1;
		t->done = true;
		return;
	}
	buf_add(&t->in, tmp, n);
	for (char *nl; (nl = memchr(t->in.p, '\n', t->in.len));) {
		*nl = '\0';
		handle_line(c, t, t->in.p);
		buf_consume(&t->in, nl - t->in.p + 1);
	}
}

/* Ask every tracer to stop: the kubelet's SIGTERM makes ctrace print its maps and exit. */
static void stop_tracers(const struct kube *k, struct tracer *ts, int n)
{
	for (int i = 0; i < n; i++) {
		const char *args[] = {"delete",
				      "pod",
				      ts[i].pod,
				      "-n",
				      ts[i].ns,
				      "--wait=false",
				      "--ignore-not-found",
				      NULL};
		struct buf err = {0};

		if (kube_run(k, args, NULL, NULL, &err))
			fputs(err.p ?: "", stderr);
		buf_free(&err);
	}
}

static bool all_done(struct tracer *ts, int n, bool want_attached)
{
	for (int i = 0; i < n; i++)
		if (!ts[i].done && !(want_attached && ts[i].attached))
			return false;
	return true;
}

static void pump_tracers(const struct kube *k, struct ctx *c, struct tracer *ts, int n)
{
	struct pollfd *pf = xcalloc(n, sizeof(*pf));
	int seen = 0;

	while (!all_done(ts, n, c->so->stop_when_attached)) {
		if (interrupts != seen) {
			seen = interrupts;
			if (seen == 1 && c->so->follow) {
				fprintf(stderr,
					"kubectl-trace: stopping %d tracer%s, waiting for the "
					"final maps (Ctrl-C again to stop waiting)\n",
					n, n == 1 ? "" : "s");
				stop_tracers(k, ts, n);
			} else {
				break;
			}
		}
		for (int i = 0; i < n; i++)
			pf[i] = (struct pollfd){.fd = ts[i].done ? -1 : ts[i].fd, .events = POLLIN};
		if (poll(pf, n, 500) < 0)
			continue;
		for (int i = 0; i < n; i++)
			if (pf[i].revents)
				read_tracer(c, &ts[i]);
	}
	free(pf);
}

/* Stop the log readers still running (after a second Ctrl-C, or once attached). */
static void reap_tracers(struct tracer *ts, int n)
{
	for (int i = 0; i < n; i++) {
		if (ts[i].pid <= 0)
			continue;
		if (ts[i].fd >= 0)
			kill(ts[i].pid, SIGTERM);
		while (waitpid(ts[i].pid, NULL, 0) < 0 && errno == EINTR)
			;
		ts[i].pid = 0;
	}
}

static void free_tracers(struct tracer *ts, int n)
{
	for (int i = 0; i < n; i++) {
		if (ts[i].fd >= 0)
			close(ts[i].fd);
		free(ts[i].pod);
		free(ts[i].ns);
		free(ts[i].node);
		buf_free(&ts[i].in);
		buf_free(&ts[i].line);
	}
	free(ts);
}

/* After the streams end: did every tracer exit 0?  Pods already deleted count as fine. */
static int tracer_status(const struct kube *k, const struct stream_opts *so, struct tracer *ts,
			 int n)
{
	struct json *pods = get_list(k, "pods", so->selector), *p, *cs;
	int rc = 0;

	json_foreach(p, json_get(pods, "items"))
	{
		json_foreach(cs, json_path(p, "status.containerStatuses"))
		{
			long long code = json_int(cs, "state.terminated.exitCode", 0);

			if (!code)
				continue;
			kt_err("tracer on node %s failed (exit code %lld)",
			       json_str(p, "spec.nodeName") ?: "?", code);
			rc = 1;
		}
	}
	for (int i = 0; i < n && so->stop_when_attached; i++)
		if (!ts[i].attached) {
			kt_err("tracer on node %s ended before attaching its probes", ts[i].node);
			rc = 1;
		}
	json_free(pods);
	return rc;
}

static struct tracer *tracers_of(const struct json *pods, int *n)
{
	struct tracer *ts;
	struct json *p;
	int i = 0;

	*n = json_get(pods, "items")->count;
	ts = xcalloc(*n, sizeof(*ts));
	json_foreach(p, json_get(pods, "items"))
	{
		ts[i].pod = xstrdup(json_str(p, "metadata.name"));
		ts[i].ns = xstrdup(json_str(p, "metadata.namespace"));
		ts[i].node = xstrdup(json_str(p, "spec.nodeName") ?: "?");
		ts[i].fd = -1;
		i++;
	}
	return ts;
}

int trace_stream(const struct kube *k, const struct stream_opts *so)
{
	struct ctx c = {.so = so, .maps = merge_new(so->program)};
	struct json *pods;
	struct tracer *ts;
	int n, rc;

	if (so->interactive)
		catch_signals();
	pods = wait_started(k, so);
	if (!pods) {
		merge_free(c.maps);
		return 1;
	}
	ts = tracers_of(pods, &n);
	json_free(pods);
	c.prefix = n > 1;
	for (int i = 0; i < n; i++)
		start_logs(k, &ts[i], so->follow);
	pump_tracers(k, &c, ts, n);
	reap_tracers(ts, n);
	rc = interrupts > 1 ? 130 : 0;
	if (!rc && !so->raw)
		rc = tracer_status(k, so, ts, n);
	merge_print(c.maps, stdout);
	free_tracers(ts, n);
	merge_free(c.maps);
	return rc;
}
