// SPDX-License-Identifier: Apache-2.0
/* runner.c - ctrace-runner: resolve target containers on this node, then exec ctrace. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolve.h"
#include "util.h"

#define MAX_TARGETS 256

struct target {
	const char *name; /* NS/POD/CONTAINER, for messages */
	const char *id;	  /* runtime://ID */
	struct resolved r;
	char dir[4096];
};

struct opts {
	const char *program, *deadline, *node, *ctrace, *proc, *mountinfo;
	struct target targets[MAX_TARGETS];
	int ntargets;
	char **extra;
	int nextra;
	bool no_filter, dry_run;
};

static const char usage[] =
    "usage: ctrace-runner --program FILE [--deadline SECONDS] [--node NAME]\n"
    "                     [--target NS/POD/CONTAINER=RUNTIME://ID]... [--no-filter]\n"
    "                     [--ctrace PATH] [--proc DIR] [--dry-run] [-- CTRACE-ARGS...]\n";

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("ctrace-runner: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static const char *value(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc)
		die("%s needs a value", argv[*i]);
	return argv[++*i];
}

static void add_target(struct opts *o, const char *spec)
{
	const char *eq = strchr(spec, '=');
	struct target *t;

	if (!eq || o->ntargets == MAX_TARGETS)
		die("bad --target \"%s\": want NS/POD/CONTAINER=RUNTIME://ID", spec);
	t = &o->targets[o->ntargets++];
	t->name = strndup(spec, eq - spec);
	t->id = eq + 1;
}

static void parse(struct opts *o, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--program"))
			o->program = value(argc, argv, &i);
		else if (!strcmp(a, "--deadline"))
			o->deadline = value(argc, argv, &i);
		else if (!strcmp(a, "--node"))
			o->node = value(argc, argv, &i);
		else if (!strcmp(a, "--target"))
			add_target(o, value(argc, argv, &i));
		else if (!strcmp(a, "--ctrace"))
			o->ctrace = value(argc, argv, &i);
		else if (!strcmp(a, "--proc"))
			o->proc = value(argc, argv, &i);
		else if (!strcmp(a, "--no-filter"))
			o->no_filter = true;
		else if (!strcmp(a, "--dry-run"))
			o->dry_run = true;
		else if (!strcmp(a, "--help") || !strcmp(a, "-h"))
			fputs(usage, stdout), exit(0);
		else if (!strcmp(a, "--")) {
			o->extra = argv + i + 1;
			o->nextra = argc - i - 1;
			break;
		} else
			die("unknown argument \"%s\"\n%s", a, usage);
	}
	if (!o->program)
		die("--program is required\n%s", usage);
}

static void resolve_all(struct opts *o)
{
	const char *node = o->node ? o->node : "this node";

	for (int i = 0; i < o->ntargets; i++) {
		struct target *t = &o->targets[i];
		int rc = resolve_container(o->proc, t->id, &t->r);

		if (rc == -EINVAL)
			die("container %s has an invalid ID \"%s\"", t->name, t->id);
		if (rc)
			die("container %s (%s) runs no process on %s: has it exited or restarted?",
			    t->name, resolve_bare_id(t->id), node);
		fprintf(stderr, "ctrace-runner: %s is PID %d on %s\n", t->name, (int)t->r.pid,
			node);
		if (o->no_filter)
			continue;
		if (resolve_cgroup_dir(o->mountinfo, t->r.cgroup, t->id, t->dir, sizeof(t->dir)))
			die("container %s is in no cgroup v2 directory that can be found here (a "
			    "cgroup v1 node?): probes cannot be filtered to it; use --no-filter",
			    t->name);
	}
}

/* Replace every "$container_pid" with the first target's PID. */
static char *substitute(const struct opts *o, const char *prog)
{
	static const char var[] = "$container_pid";
	struct buf b = {0};
	const char *p;

	if (!strstr(prog, var))
		return xstrdup(prog);
	if (!o->ntargets)
		die("the program uses $container_pid, but the trace targets a node, not a "
		    "container");
	if (o->ntargets > 1)
		fprintf(stderr,
			"ctrace-runner: %d target containers on this node: $container_pid is "
			"%s's; probes still fire for all of them\n",
			o->ntargets, o->targets[0].name);
	while ((p = strstr(prog, var))) {
		buf_add(&b, prog, p - prog);
		buf_printf(&b, "%d", (int)o->targets[0].r.pid);
		prog = p + sizeof(var) - 1;
	}
	buf_adds(&b, prog);
	return b.p;
}

static const char **build_argv(const struct opts *o, const char *prog)
{
	const char **v = xcalloc(8 + 2 * o->ntargets + o->nextra + 4, sizeof(*v));
	int n = 0;

	v[n++] = o->ctrace;
	v[n++] = "-f";
	v[n++] = "json";
	if (o->deadline) {
		v[n++] = "--deadline";
		v[n++] = o->deadline;
	}
	for (int i = 0; i < o->ntargets && !o->no_filter; i++) {
		v[n++] = "--cgroup-filter";
		v[n++] = o->targets[i].dir;
	}
	for (int i = 0; i < o->nextra; i++)
		v[n++] = o->extra[i];
	v[n++] = "-e";
	v[n++] = prog;
	return v;
}

int main(int argc, char **argv)
{
	struct opts o = {.ctrace = getenv("CTRACE") ?: "ctrace",
			 .proc = "/proc",
			 .mountinfo = "/proc/self/mountinfo"};
	struct buf src = {0};
	const char **cargv;
	sigset_t none;
	int rc;

	parse(&o, argc, argv);
	rc = read_file(o.program, &src);
	if (rc)
		die("cannot read %s: %s", o.program, strerror(-rc));
	resolve_all(&o);
	cargv = build_argv(&o, substitute(&o, src.p));
	if (o.dry_run) {
		for (int i = 0; cargv[i]; i++)
			printf("%s%s", i ? "\n" : "", cargv[i]);
		printf("\n");
		return 0;
	}
	fflush(stderr);
	/* exec, not fork: ctrace is then the process the kubelet signals, with nothing in
	 * between to lose a SIGINT or SIGTERM, and its exit status is the container's. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	execvp(o.ctrace, (char *const *)cargv);
	die("cannot run %s: %s", o.ctrace, strerror(errno));
}
