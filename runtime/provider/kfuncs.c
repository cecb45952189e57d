/* SPDX-License-Identifier: Apache-2.0 */
/* Kernel function names for kprobe/fentry, and the tracepoint to suggest when they cannot attach. */
#include "kfuncs.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "rt.h"

struct kf_buf {
	struct kfunc *f;
	size_t n, cap;
};

static void add(struct arena *a, struct kf_buf *b, const char *name, const char *mod)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 256;
		b->f = xrealloc(b->f, sizeof(*b->f) * b->cap);
	}
	b->f[b->n++] = (struct kfunc){ arena_strdup(a, name), mod ? arena_strdup(a, mod) : NULL };
}

static bool mod_ok(const char *mod_glob, const char *mod)
{
	if (!mod_glob)
		return true;
	return !fnmatch(mod_glob, mod ? mod : "vmlinux", 0);
}

/* "name" or "name [module]" per line (available_filter_functions). */
static bool scan_ftrace(struct arena *a, const char *mod_glob, const char *fn_glob,
			struct kf_buf *b)
{
	char path[512], line[512];
	const char *root = getenv("CTRACE_TRACEFS") ? getenv("CTRACE_TRACEFS") : tracefs_root();
	if (!root)
		return false;
	snprintf(path, sizeof(path), "%s/available_filter_functions", root);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char name[256], mod[256];
		int k = sscanf(line, "%255s [%255[^]]]", name, mod);
		if (k >= 1 && !fnmatch(fn_glob, name, 0) && mod_ok(mod_glob, k == 2 ? mod : NULL))
			add(a, b, name, k == 2 ? mod : NULL);
	}
	fclose(f);
	return true;
}

/* "addr type name [module]" per line; text symbols only, without the __pfx_ padding labels. */
static void scan_kallsyms(struct arena *a, const char *mod_glob, const char *fn_glob,
			  struct kf_buf *b)
{
	char line[512];
	FILE *f = fopen("/proc/kallsyms", "r");
	while (f && fgets(line, sizeof(line), f)) {
		char type, name[256], mod[256];
		int k = sscanf(line, "%*s %c %255s [%255[^]]]", &type, name, mod);
		if (k < 2 || (type != 't' && type != 'T') || !strncmp(name, "__pfx_", 6) ||
		    strchr(name, '.'))
			continue;
		if (!fnmatch(fn_glob, name, 0) && mod_ok(mod_glob, k == 3 ? mod : NULL))
			add(a, b, name, k == 3 ? mod : NULL);
	}
	if (f)
		fclose(f);
}

static int cmp_kf(const void *x, const void *y)
{
	const struct kfunc *a = x, *b = y;
	int c = strcmp(a->name, b->name);
	if (c)
		return c;
	return strcmp(a->mod ? a->mod : "", b->mod ? b->mod : "");
}

struct kfunc *kfuncs_matching(struct arena *a, const char *mod_glob, const char *fn_glob,
			      size_t *n)
{
	struct kf_buf b = { 0 };
	if (!scan_ftrace(a, mod_glob, fn_glob, &b))
		scan_kallsyms(a, mod_glob, fn_glob, &b);
	if (b.n)
		qsort(b.f, b.n, sizeof(*b.f), cmp_kf);
	size_t u = 0;
	for (size_t i = 0; i < b.n; i++)
		if (!u || cmp_kf(&b.f[u - 1], &b.f[i]))
			b.f[u++] = b.f[i];
	struct kfunc *out = arena_alloc(a, sizeof(*out) * (u ? u : 1));
	memcpy(out, b.f, sizeof(*out) * u);
	free(b.f);
	*n = u;
	return out;
}

/* Well-known functions whose nearest tracepoint has another name. */
static const struct {
	const char *fn, *entry, *ret;
} known[] = {
	{ "do_sys_openat2", "syscalls:sys_enter_openat", "syscalls:sys_exit_openat" },
	{ "do_sys_open", "syscalls:sys_enter_openat", "syscalls:sys_exit_openat" },
	{ "vfs_read", "syscalls:sys_enter_read", "syscalls:sys_exit_read" },
	{ "vfs_write", "syscalls:sys_enter_write", "syscalls:sys_exit_write" },
	{ "vfs_open", "syscalls:sys_enter_openat", "syscalls:sys_exit_openat" },
	{ "do_exit", "sched:sched_process_exit", "sched:sched_process_exit" },
	{ "do_execveat_common", "sched:sched_process_exec", "sched:sched_process_exec" },
	{ "wake_up_new_task", "sched:sched_wakeup_new", "sched:sched_wakeup_new" },
	{ "blk_account_io_start", "block:block_io_start", "block:block_io_start" },
	{ "blk_account_io_done", "block:block_io_done", "block:block_io_done" },
	{ "oom_kill_process", "oom:mark_victim", "oom:mark_victim" },
	{ "tcp_drop", "skb:kfree_skb", "skb:kfree_skb" },
	{ "tcp_set_state", "sock:inet_sock_set_state", "sock:inet_sock_set_state" },
	{ "swap_readpage", "swap:swap_readpage", NULL },
	{ "tcp_v4_connect", "sock:inet_sock_set_state", "sock:inet_sock_set_state" },
	{ "tcp_v6_connect", "sock:inet_sock_set_state", "sock:inet_sock_set_state" },
	{ "inet_csk_accept", "sock:inet_sock_set_state", "sock:inet_sock_set_state" },
	{ "tcp_retransmit_skb", "tcp:tcp_retransmit_skb", NULL },
	{ "kfree_skb_reason", "skb:kfree_skb", NULL },
};

static bool event_exists(const char *tracefs, const char *cat_event)
{
	char path[512];
	const char *colon = strchr(cat_event, ':');
	snprintf(path, sizeof(path), "%s/events/%.*s/%s", tracefs, (int)(colon - cat_event),
		 cat_event, colon + 1);
	return !access(path, F_OK);
}

/* A tracepoint of any category named like the function (kfree_skb -> skb:kfree_skb). */
static const char *same_name(struct arena *a, const char *tracefs, const char *fn)
{
	static const char *const cats[] = { "sched", "skb", "tcp", "sock", "block", "net", "irq",
					    "timer", "writeback", "kmem", "signal", "task",
					    "syscalls", "oom", "module", "workqueue", "power" };
	for (size_t i = 0; i < sizeof(cats) / sizeof(cats[0]); i++) {
		const char *ce = arena_printf(a, "%s:%s", cats[i], fn);
		if (event_exists(tracefs, ce))
			return ce;
	}
	return NULL;
}

/* __x64_sys_read, __se_sys_read, ksys_read, do_sys_read -> syscalls:sys_enter_read */
static const char *syscall_tp(struct arena *a, const char *tracefs, const char *fn, bool ret)
{
	static const char *const prefixes[] = { "__x64_sys_", "__ia32_sys_", "__se_sys_",
						"__do_sys_", "ksys_",	   "do_sys_",
						"sys_",	      "do_" };
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t l = strlen(prefixes[i]);
		if (strncmp(fn, prefixes[i], l))
			continue;
		const char *ce = arena_printf(a, "syscalls:sys_%s_%s", ret ? "exit" : "enter", fn + l);
		if (event_exists(tracefs, ce))
			return ce;
	}
	return NULL;
}

const char *kfuncs_alternative(struct arena *a, const char *tracefs, const char *fn, bool ret)
{
	const char *tp = NULL;
	if (!tracefs)
		return NULL;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]) && !tp; i++)
		if (!strcmp(known[i].fn, fn) && (ret ? known[i].ret : known[i].entry))
			tp = ret ? known[i].ret : known[i].entry;
	if (tp && !event_exists(tracefs, tp))
		tp = NULL;
	if (!tp)
		tp = same_name(a, tracefs, fn);
	if (!tp)
		tp = syscall_tp(a, tracefs, fn, ret);
	return tp ? arena_printf(a, "tracepoint:%s", tp) : NULL;
}
