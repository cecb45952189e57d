/* SPDX-License-Identifier: Apache-2.0 */
/*
 * watchpoint (w): `watchpoint:ADDR:LEN:MODE`, a hardware breakpoint on LEN
 * bytes at ADDR that fires when they are read (r), written (w) or executed
 * (x).  A kernel address is watched on every CPU; a user address belongs to
 * one process, the -p PID or the -c command, and is watched in it (and in
 * the threads it starts afterwards).
 */
#include <errno.h>
#include <linux/bpf.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "arena.h"
#include "list.h"
#include "perf.h"
#include "program.h"
#include "rt.h"

extern const struct provider provider_watchpoint;

/* Addresses below this are user space on x86-64 (the top of the lower canonical half). */
#define USER_ADDR_END 0x0000800000000000ull

/* What one target watches (attach.priv). */
struct wp {
	uint64_t addr;
	unsigned len;  /* bp_len */
	unsigned type; /* HW_BREAKPOINT_R | _W | _X */
};

/* The modes this architecture's debug registers can watch (x86: no read-only watch). */
static const char *const modes_supported[] = { "rw", "w", "x" };

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;
	if (!*s || *s == '-')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !*end && !errno;
}

/*
 * MODE sorted ("wr" is "rw") into sorted[4]; reports bad letters, repeated
 * letters and combinations the hardware cannot watch.
 */
static int parse_mode(struct program *p, const char *mode, const struct loc *loc, char *sorted)
{
	size_t n = strlen(mode);
	if (!n || n > 3 || strspn(mode, "rwx") != n) {
		diag_error(p->diags, loc, "watchpoint mode must be combination of (r,w,x)");
		return -EINVAL;
	}
	n = 0;
	for (const char *c = "rwx"; *c; c++) {
		const char *at = strchr(mode, *c);
		if (!at)
			continue;
		if (strchr(at + 1, *c)) {
			diag_error(p->diags, loc, "watchpoint modes may not be duplicated");
			return -EINVAL;
		}
		sorted[n++] = *c;
	}
	sorted[n] = '\0';
	for (size_t i = 0; i < sizeof(modes_supported) / sizeof(modes_supported[0]); i++)
		if (!strcmp(sorted, modes_supported[i]))
			return 0;
	diag_error(p->diags, loc, "invalid watchpoint mode: %s", sorted);
	diag_hint(p->diags, "supported modes: rw,w,x");
	return -EINVAL;
}

/* ADDR:LEN:MODE into *addr, *len and *mode (the text after the last ':'); reports errors. */
static int parse_spec(struct program *p, const char *spec, const struct loc *loc, uint64_t *addr,
		      uint64_t *len, const char **mode)
{
	const char *c1 = strchr(spec, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

	if (!c1 || !c2 || strchr(c2 + 1, ':')) {
		unsigned found = *spec ? 1 : 0;
		for (const char *s = spec; *s; s++)
			found += *s == ':';
		diag_error(p->diags, loc, "watchpoint probe type requires 3 arguments, found %u",
			   found);
		diag_hint(p->diags,
			  "write watchpoint:ADDRESS:LENGTH:MODE, e.g. watchpoint:0x10000000:8:w");
		return -EINVAL;
	}
	const char *astr = arena_strndup(p->arena, spec, (size_t)(c1 - spec));
	const char *lstr = arena_strndup(p->arena, c1 + 1, (size_t)(c2 - c1 - 1));
	if (!parse_u64(astr, addr)) {
		diag_error(p->diags, loc, "Invalid function/address argument: '%s' is not a number",
			   astr);
		return -EINVAL;
	}
	if (!parse_u64(lstr, len)) {
		diag_error(p->diags, loc, "Invalid length argument: '%s' is not a number", lstr);
		return -EINVAL;
	}
	if (!*addr) {
		diag_error(p->diags, loc, "watchpoint must be attached to a non-zero address");
		return -EINVAL;
	}
	if (*len != 1 && *len != 2 && *len != 4 && *len != 8) {
		diag_error(p->diags, loc, "watchpoint length must be one of (1,2,4,8)");
		return -EINVAL;
	}
	*mode = c2 + 1;
	return 0;
}

static int expand(struct program *p, struct probe *pr, const char *spec, const struct loc *loc)
{
	uint64_t addr, len;
	const char *mtext;
	char mode[4];

	int err = parse_spec(p, spec, loc, &addr, &len, &mtext);
	err = err ?: parse_mode(p, mtext, loc, mode);
	if (err)
		return err;
	if (!strchr(mode, 'x') && addr % len) {
		diag_error(p->diags, loc,
			   "watchpoint address 0x%llx is not aligned to its length %llu",
			   (unsigned long long)addr, (unsigned long long)len);
		diag_hint(p->diags, "the hardware watches 1, 2, 4 or 8 bytes at an address that "
				    "is a multiple of their number");
		return -EINVAL;
	}
	/* a user address means nothing without the process whose address it is */
	if (addr < USER_ADDR_END && p->cfg.pid <= 0 && p->cfg.cpid <= 0) {
		diag_error(p->diags, loc, "-p PID or -c CMD required for watchpoint");
		diag_hint(p->diags,
			  "0x%llx is a user-space address: name the process it belongs to",
			  (unsigned long long)addr);
		return -EINVAL;
	}
	struct wp *w = arena_new_obj(p->arena, struct wp);
	w->addr = addr;
	w->type = (strchr(mode, 'r') ? HW_BREAKPOINT_R : 0) |
		  (strchr(mode, 'w') ? HW_BREAKPOINT_W : 0) |
		  (strchr(mode, 'x') ? HW_BREAKPOINT_X : 0);
	/* x watches one instruction: the kernel wants the length of a long there */
	w->len = (w->type & HW_BREAKPOINT_X) ? sizeof(long) : (unsigned)len;
	/* bpftrace names the probe as written */
	const char *name = arena_printf(p->arena, "watchpoint:%s", spec);
	struct attach *a = program_add_attach(p, pr, &provider_watchpoint, name, loc);
	a->num = addr;
	a->priv = w;
	return 0;
}

static int open_bp(const struct wp *w, pid_t pid, int cpu)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_BREAKPOINT,
		.size = sizeof(attr),
		.bp_addr = w->addr,
		.bp_len = w->len,
		.bp_type = w->type,
		.sample_period = 1, /* every hit */
		/* a process's threads started from now on are watched too */
		.inherit = pid > 0,
	};
	return (int)syscall(SYS_perf_event_open, &attr, pid > 0 ? pid : -1, cpu, -1,
			    PERF_FLAG_FD_CLOEXEC);
}

static int open_error(struct rt *rt, const struct attach *a, int err)
{
	const struct wp *w = a->priv;
	const char *hint = NULL;
	if (err == -ENOSPC)
		hint = "No more HW registers left: the CPU has four debug registers, shared with "
		       "debuggers";
	else if (err == -ENOENT || err == -EOPNOTSUPP || err == -ENODEV)
		hint = "This kernel has no hardware breakpoints (perf breakpoint events); use a "
		       "uprobe or tracepoint where the value changes instead";
	else if (err == -EINVAL && (w->type & HW_BREAKPOINT_X) && w->addr >= USER_ADDR_END)
		hint = "This kernel refuses execute watchpoints in kernel code (kernels without "
		       "kprobes refuse them all); use a tracepoint of that code path instead";
	return rt_attach_error(rt, a, err, hint);
}

static int attach(struct rt *rt, struct prog *pg, struct bpf_program *bp)
{
	pid_t pid = rt->p->cfg.pid > 0 ? rt->p->cfg.pid : rt->p->cfg.cpid;
	for (unsigned i = 0; i < pg->ntargets; i++) {
		const struct attach *a = pg->targets[i];
		int err = 0;
		if (pid > 0) {
			int fd = open_bp(a->priv, pid, -1);
			err = fd < 0 ? open_error(rt, a, -errno) : perf_attach_fd(rt, a, bp, fd);
		}
		for (int cpu = 0; pid <= 0 && cpu < rt->ncpus && !err; cpu++) {
			int fd = open_bp(a->priv, -1, cpu);
			if (fd < 0 && errno == ENODEV)
				continue; /* an offline CPU */
			err = fd < 0 ? open_error(rt, a, -errno) : perf_attach_fd(rt, a, bp, fd);
		}
		if (err)
			return err;
	}
	return 0;
}

/* Try a breakpoint on a variable of our own: the kernel's answer is the one that counts. */
static const char *unavailable(void)
{
	static volatile long probe_target;
	struct wp w = { (uint64_t)(uintptr_t)&probe_target, sizeof(probe_target), HW_BREAKPOINT_W };
	int fd = open_bp(&w, getpid(), -1);
	if (fd >= 0) {
		close(fd);
		return NULL;
	}
	return errno == ENOSPC ? "every hardware debug register is in use"
			       : "the kernel has no hardware breakpoints";
}

/*
 * Any address can be watched, so there is nothing to list; a pattern that
 * names this provider learns the form instead (on stderr: stdout stays a
 * list of probes).
 */
static int list(const char *glob, bool verbose, FILE *out)
{
	char buf[256];
	glob = list_glob(&provider_watchpoint, glob, buf, sizeof(buf));
	if (glob && !strncmp(glob, "watchpoint:", 11))
		fprintf(stderr, "watchpoint probes are not listed: write "
				"watchpoint:ADDRESS:LENGTH:MODE with LENGTH 1, 2, 4 or 8 and "
				"MODE w, rw or x (-p or -c for a user-space address)\n");
	return 0;
}

const struct provider provider_watchpoint = {
	.unavailable = unavailable,
	.name = "watchpoint",
	.aliases = (const char *const[]){ "w", NULL },
	.prog_type = BPF_PROG_TYPE_PERF_EVENT,
	.section = "perf_event",
	.flags = PROV_KERNEL_STACK,
	.expand = expand,
	.attach = attach,
	.list = list,
};
