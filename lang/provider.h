/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Probe providers: one per probe type, each in its own file under
 * runtime/provider/.  A provider parses and expands its attach points,
 * describes how its arguments are reached (as data, never as IR), groups its
 * targets into BPF programs, and attaches them.  Nothing else switches on the
 * probe type.
 */
#ifndef CTRACE_PROVIDER_H
#define CTRACE_PROVIDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "loc.h"

struct program;
struct probe;
struct attach;
struct prog;
struct diags;
struct type;
struct rt;          /* runtime state (runtime/rt.h) */
struct bpf_program; /* libbpf */

/*
 * How a builtin argument of a probe (argN, retval, args, func, a USDT
 * argument) is read from the BPF context.  Providers describe; codegen emits.
 */
struct ctx_access {
	enum {
		CTX_NONE,
		CTX_LOAD,     /* a direct load of size bytes at offset from the context
				 (tracepoint fields, pt_regs registers, raw tracepoint args) */
		CTX_ARGS_PTR, /* `args`: the context itself, typed as the provider's args struct */
		CTX_CONST,    /* the constant value (a USDT argument that is an immediate) */
		CTX_DEREF,    /* the 8-byte register at offset, plus disp, is an address: read
				 size bytes there (user memory if user, else kernel) */
		CTX_FUNC_IP,  /* bpf_get_func_ip(): the traced function's address */
	} kind;
	unsigned offset, size;
	bool is_signed;
	int64_t value; /* CTX_CONST */
	int64_t disp;  /* CTX_DEREF */
	bool user;     /* CTX_DEREF */
};

/* Provider flags. */
enum {
	PROV_SPECIAL = 1 << 0,  /* begin/end: run once through BPF_PROG_TEST_RUN */
	PROV_NO_FILTER = 1 << 1, /* never wrapped in -p / cgroup filters (begin/end) */
	PROV_USER = 1 << 2,      /* arguments are user-space values: str(arg0) reads user memory */
	PROV_KERNEL_STACK = 1 << 3, /* probes fire in kernel context (kstack is meaningful) */
};

struct provider {
	const char *name;             /* "tracepoint" */
	const char *const *aliases;   /* {"t", NULL} */
	int prog_type;                /* BPF_PROG_TYPE_* */
	const char *section;          /* ELF section prefix: "tracepoint", "raw_tp", "perf_event" */
	unsigned flags;
	/*
	 * Expand one attach point (spec is the text after "name:", positional
	 * parameters already substituted) into targets with program_add_attach().
	 * Returns 0 or a negative errno after reporting to the diagnostics.
	 */
	int (*expand)(struct program *p, struct probe *pr, const char *spec, const struct loc *loc);
	/*
	 * Group this provider's targets of one probe into BPF programs with
	 * program_add_prog().  NULL: one program for all, told apart by cookie.
	 */
	int (*plan)(struct program *p, struct probe *pr, struct attach **targets, unsigned n);
	/* How builtin `name` ("args", "arg0", "retval") is read; -ENOENT if not available. */
	int (*arg)(struct program *p, struct attach *a, const char *name, struct ctx_access *out,
		   const struct type **type);
	/* Attach one program to its targets (runtime). */
	int (*attach)(struct rt *rt, struct prog *pg, struct bpf_program *bp);
	/*
	 * The kernel refused to load pg with err: when the reason is the
	 * kernel's (a probe type it lacks), say so in one line with an
	 * alternative and return 0; otherwise return err (the verifier log is shown).
	 */
	int (*load_failed)(struct rt *rt, struct prog *pg, int err);
	/* Why this kernel cannot run this probe type, or NULL when it can (`--info`). */
	const char *(*unavailable)(void);
	/* List probes matching glob for `ctrace -l` (may be NULL). */
	int (*list)(const char *glob, bool verbose, FILE *out);
};

/* All providers, NULL-terminated (runtime/provider.c). */
extern const struct provider *const providers[];
/* The provider named name (a full name, or an alias), as bpftrace matches them. */
const struct provider *provider_find(const struct provider *const *registry, const char *name);

#endif
