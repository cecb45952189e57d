/* SPDX-License-Identifier: Apache-2.0 */
/*
 * -c CMD: the traced command, started before compilation (so `cpid` is known)
 * but held before exec until every probe is attached.
 */
#ifndef CTRACE_CHILD_H
#define CTRACE_CHILD_H

#include <stdbool.h>
#include <sys/types.h>

struct child {
	pid_t pid;
	int go_fd;   /* write end of the pipe the child waits on; -1 once released */
	bool exited;
	int status;
};

/*
 * Fork cmd (split on spaces, as bpftrace does; the program is looked up in
 * PATH), held before exec.  Returns 0, or -1 after printing an error.
 */
int child_start(struct child *c, const char *cmd);
/* Let the child exec. */
void child_release(struct child *c);
/* True once the child has exited (does not block). */
bool child_done(struct child *c);
/* Stop the child if it still runs (exit() or a signal ended tracing), and reap it. */
void child_stop(struct child *c);

#endif
