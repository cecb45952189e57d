/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The runtime: load a compiled object with libbpf, run begin probes, attach
 * the others, print events from the ring buffer until the script exits or
 * is stopped, then detach, run end probes and print the maps.
 */
#ifndef CTRACE_RT_H
#define CTRACE_RT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "output.h"
#include "program.h"

struct bpf_object;
struct bpf_link;
struct ring_buffer;
struct child;

struct rt_opts {
	enum output_format format;
	FILE *out;           /* stdout or the -o file */
	bool quiet;          /* -q */
	bool verbose;        /* -v: libbpf's messages */
	bool dump_verifier;  /* -d verifier: every program's verifier log */
	bool dry_run;        /* --dry-run: load and stop */
	unsigned deadline;   /* --deadline seconds, 0: none */
	struct child *child; /* -c: released once attached; tracing ends when it exits */
	int watch_pid;       /* -p: tracing ends when this process exits */
};

struct rt {
	struct program *p;
	const struct resources *res;
	const struct rt_opts *o;
	struct bpf_object *obj;
	struct bpf_link **links;
	unsigned nlinks, cap_links;
	unsigned nattached;  /* probes (targets) attached, for the banner */
	struct ring_buffer *rb;
	struct output *out;
	struct symbolizer *sym;
	int ncpus;
	bool exiting;        /* exit() seen: discard further events until drained */
	bool stop;           /* leave the event loop */
	int exit_code;
	uint64_t *counters_seen; /* the counters' totals when last reported */
	long *counter_off;       /* each counter's offset in .bss (-1: none) */
	int pidfd;           /* -p: a pidfd of the process + 1 (0: not opened yet) */
	struct {
		int signo, prog_fd;
	} on_signal[8];      /* self:signal probes */
	unsigned non_signal;
	char *libbpf_log;    /* libbpf's warnings, for the verifier log on failure */
	size_t libbpf_log_len;
};

/* Set by SIGINT and SIGTERM. */
extern volatile sig_atomic_t rt_signalled;

/* Run the compiled program; returns the process exit status. */
int rt_run(struct program *p, const void *elf, size_t size, const struct rt_opts *o);

/* Keep a link so that it is destroyed at the end (providers' attach hooks). */
void rt_add_link(struct rt *rt, struct bpf_link *l);
/* self:signal: run the program prog_fd whenever ctrace receives signo. */
int rt_on_signal(struct rt *rt, int signo, int prog_fd);
/* Report an attach failure of target a: one line naming the probe and the reason. */
int rt_attach_error(struct rt *rt, const struct attach *a, int err, const char *hint);

/* tracefs: the mounted root, mounting it when missing and we are root; NULL if unavailable. */
const char *tracefs_root(void);

#endif
