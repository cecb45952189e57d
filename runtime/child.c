/* SPDX-License-Identifier: Apache-2.0 */
/* -c CMD: the traced command, held before exec until the probes are attached. */
#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arena.h"

#define CHILD_MAX_ARGS 255

/* The executable for name: a path as given, or the first match in PATH. */
static char *find_program(const char *name)
{
	struct stat st;
	if (strchr(name, '/'))
		return stat(name, &st) == 0 ? xstrdup(name) : NULL;
	const char *path = getenv("PATH");
	char *copy = xstrdup(path ? path : "/usr/local/bin:/usr/bin:/bin"), *save = NULL;
	char *found = NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		size_t n = strlen(dir) + strlen(name) + 2;
		char *cand = xmalloc(n);
		snprintf(cand, n, "%s/%s", dir, name);
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
			found = cand;
		else
			free(cand);
	}
	free(copy);
	return found;
}

int child_start(struct child *c, const char *cmd)
{
	char *copy = xstrdup(cmd), *save = NULL;
	char *argv[CHILD_MAX_ARGS + 1];
	int argc = 0, fds[2];

	memset(c, 0, sizeof(*c));
	c->go_fd = -1;
	for (char *tok = strtok_r(copy, " ", &save); tok && argc < CHILD_MAX_ARGS;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	if (!argc) {
		fprintf(stderr, "ERROR: -c needs a command\n");
		free(copy);
		return -1;
	}
	char *prog = find_program(argv[0]);
	if (!prog) {
		fprintf(stderr, "ERROR: -c: command not found: %s\n", argv[0]);
		free(copy);
		return -1;
	}
	if (pipe2(fds, O_CLOEXEC)) {
		fprintf(stderr, "ERROR: -c: pipe: %s\n", strerror(errno));
		free(prog);
		free(copy);
		return -1;
	}
	c->pid = fork();
	if (c->pid == 0) {
		char go;
		close(fds[1]);
		/* wait for the probes; a closed pipe without the byte means: give up */
		if (read(fds[0], &go, 1) != 1)
			_exit(0);
		execv(prog, argv);
		fprintf(stderr, "ERROR: -c: could not run %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	close(fds[0]);
	free(prog);
	free(copy);
	if (c->pid < 0) {
		fprintf(stderr, "ERROR: -c: fork: %s\n", strerror(errno));
		close(fds[1]);
		return -1;
	}
	c->go_fd = fds[1];
	return 0;
}

void child_release(struct child *c)
{
	if (c->go_fd < 0)
		return;
	if (write(c->go_fd, "g", 1) != 1)
		fprintf(stderr, "WARNING: -c: could not start the command: %s\n", strerror(errno));
	close(c->go_fd);
	c->go_fd = -1;
}

bool child_done(struct child *c)
{
	if (!c->pid || c->exited)
		return true;
	if (waitpid(c->pid, &c->status, WNOHANG) == c->pid)
		c->exited = true;
	return c->exited;
}

void child_stop(struct child *c)
{
	if (!c->pid)
		return;
	if (c->go_fd >= 0) {
		/* never released: closing the pipe makes it exit quietly */
		close(c->go_fd);
		c->go_fd = -1;
	}
	if (!child_done(c)) {
		kill(c->pid, SIGTERM);
		waitpid(c->pid, &c->status, 0);
		c->exited = true;
	}
}
