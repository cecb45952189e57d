/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kernel functions for kprobe and fentry: names matching a pattern (from
 * tracefs' available_filter_functions, or /proc/kallsyms where ftrace is not
 * readable), and what to use instead where this kernel cannot attach.
 */
#ifndef CTRACE_PROVIDER_KFUNCS_H
#define CTRACE_PROVIDER_KFUNCS_H

#include <stdbool.h>
#include <stddef.h>

struct arena;

struct kfunc {
	const char *name, *mod; /* mod: NULL for vmlinux */
};

/*
 * Functions whose name matches fn_glob and whose module matches mod_glob
 * (NULL: any; "vmlinux": built in), sorted by name, unique.  Arena-owned.
 */
struct kfunc *kfuncs_matching(struct arena *a, const char *mod_glob, const char *fn_glob,
			      size_t *n);

/*
 * A probe that works on this kernel in place of kprobe/fentry on fn (ret:
 * on its return), e.g. "tracepoint:syscalls:sys_enter_openat" for
 * do_sys_openat2; NULL if none is known.  Arena-owned.
 */
const char *kfuncs_alternative(struct arena *a, const char *tracefs, const char *fn, bool ret);

#endif
