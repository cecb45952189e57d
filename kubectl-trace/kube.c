// SPDX-License-Identifier: Apache-2.0
/* kube.c - spawn kubectl with posix_spawn and exchange data with it over pipes. */
#include "kube.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char **build_argv(const struct kube *k, const char *const *args)
{
	int n = 0, i = 0;
	const char **argv;

	while (args[n])
		n++;
	argv = xcalloc(n + k->nglobal + 2, sizeof(*argv));
	argv[i++] = k->kubectl;
	for (int g = 0; g < k->nglobal; g++)
		argv[i++] = k->global[g];
	for (int a = 0; a < n; a++)
		argv[i++] = args[a];
	argv[i] = NULL;
	return argv;
}

static int wait_child(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

/*
 * The child gets the default signal disposition and its own process group, so that a
 * Ctrl-C in the terminal reaches only us: we decide what kubectl calls to interrupt.
 */
static pid_t spawn(const struct kube *k, const char *const *args, int fin, int fout, int ferr)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	const char **argv = build_argv(k, args);
	pid_t pid;
	int rc;

	posix_spawn_file_actions_init(&fa);
	if (fin >= 0)
		posix_spawn_file_actions_adddup2(&fa, fin, 0);
	if (fout >= 0)
		posix_spawn_file_actions_adddup2(&fa, fout, 1);
	if (ferr >= 0)
		posix_spawn_file_actions_adddup2(&fa, ferr, 2);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
					  POSIX_SPAWN_SETPGROUP);
	rc = posix_spawnp(&pid, k->kubectl, &fa, &at, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	free(argv);
	if (rc) {
		kt_err("cannot run %s: %s", k->kubectl, strerror(rc));
		return -1;
	}
	return pid;
}

static void pipe_cloexec(int p[2])
{
	if (pipe2(p, O_CLOEXEC) < 0) {
		kt_err("pipe: %s", strerror(errno));
		exit(1);
	}
}

/* Shovel stdin in and stdout/stderr out until kubectl closes both outputs. */
static void pump(int fin, const char *in, int fout, int ferr, struct buf *out, struct buf *err)
{
	size_t inlen = in ? strlen(in) : 0, off = 0;
	struct pollfd pf[3];
	char tmp[16384];

	if (fin >= 0 && !inlen) {
		close(fin);
		fin = -1;
	}
	while (fout >= 0 || ferr >= 0 || fin >= 0) {
		pf[0] = (struct pollfd){.fd = fin, .events = POLLOUT};
		pf[1] = (struct pollfd){.fd = fout, .events = POLLIN};
		pf[2] = (struct pollfd){.fd = ferr, .events = POLLIN};
		if (poll(pf, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fin >= 0 && pf[0].revents) {
			ssize_t n = write(fin, in + off, inlen - off);

			if (n > 0)
				off += n;
			if (n < 0 || off == inlen) {
				close(fin);
				fin = -1;
			}
		}
		for (int i = 1; i < 3; i++) {
			int *fd = i == 1 ? &fout : &ferr;
			struct buf *b = i == 1 ? out : err;
			ssize_t n;

			if (*fd < 0 || !pf[i].revents)
				continue;
			n = read(*fd, tmp, sizeof(tmp));
			if (n > 0 && b)
				buf_add(b, tmp, n);
			if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
				close(*fd);
				*fd = -1;
			}
		}
	}
}

int kube_run(const struct kube *k, const char *const *args, const char *in, struct buf *out,
	     struct buf *err)
{
	int pin[2], pout[2], perr[2];
	pid_t pid;

	pipe_cloexec(pin);
	pipe_cloexec(pout);
	pipe_cloexec(perr);
	/* A reader that went away must not kill us with SIGPIPE while we feed stdin. */
	signal(SIGPIPE, SIG_IGN);
	pid = spawn(k, args, pin[0], pout[1], perr[1]);
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	if (pid < 0) {
		close(pin[1]);
		close(pout[0]);
		close(perr[0]);
		return -1;
	}
	if (out)
		buf_add(out, "", 0);
	if (err)
		buf_add(err, "", 0);
	pump(pin[1], in, pout[0], perr[0], out, err);
	return wait_child(pid);
}

pid_t kube_spawn(const struct kube *k, const char *const *args, int *fd)
{
	int p[2];
	pid_t pid;

	pipe_cloexec(p);
	pid = spawn(k, args, -1, p[1], -1);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return -1;
	}
	*fd = p[0];
	return pid;
}

struct json *kube_get_json(const struct kube *k, const char *const *args, struct buf *err)
{
	struct buf out = {0}, e = {0};
	struct json *j = NULL;
	const char *perr;
	int rc = kube_run(k, args, NULL, &out, err ? err : &e);

	if (rc == 0) {
		j = json_parse(out.p, &perr);
		if (!j)
			kt_err("cannot parse kubectl's output: %s", perr);
	} else if (!err && rc > 0) {
		fputs(e.p, stderr);
	}
	buf_free(&out);
	buf_free(&e);
	return j;
}

int kube_ns_args(const struct kube *k, const char **v, bool allow_all)
{
	if (allow_all && k->all_ns) {
		v[0] = "-A";
		return 1;
	}
	if (k->ns) {
		v[0] = "-n";
		v[1] = k->ns;
		return 2;
	}
	return 0;
}
