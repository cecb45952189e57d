/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rawtracepoint (rt): `rawtracepoint:[module:]event`, with wildcards over the
 * kernel's tracepoint names.  arg0..argN are the tracepoint's raw u64
 * arguments, read straight from the context.
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "arena.h"
#include "program.h"
#include "rt.h"

extern const struct provider provider_rawtracepoint;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every event name under tracefs' events/CATEGORY/ matching glob, sorted and unique. */
static char **events_matching(struct program *p, const char *glob, unsigned *n)
{
	char dir[512];
	char **names = NULL;
	unsigned cnt = 0, cap = 0;

	snprintf(dir, sizeof(dir), "%s/events", p->tracefs);
	DIR *top = opendir(dir);
	struct dirent *c;
	while (top && (c = readdir(top))) {
		if (c->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/events/%s", p->tracefs, c->d_name);
		DIR *d = opendir(dir);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.' || fnmatch(glob, e->d_name, 0))
				continue;
			if (cnt == cap) {
				cap = cap ? cap * 2 : 64;
				char **nn = arena_alloc(p->arena, sizeof(*nn) * cap);
				if (names)
					memcpy(nn, names, sizeof(*nn) * cnt);
				names = nn;
			}
			names[cnt++] = arena_strdup(p->arena, e->d_name);
		}
		if (d)
			closedir(d);
	}
	if (top)
		closedir(top);
	if (cnt)
		qsort(names, cnt, sizeof(*names), cmp_str);
	unsigned u = 0;
	for (unsigned i = 0; i < cnt; i++)
		if (!u || strcmp(names[u - 1], names[i]))
			names[u++] = names[i];
	*n = u;
	return names;
}

static int expand(struct program *p, struct probe *pr, const char *spec, const struct loc *loc)
{
	/* an optional module part is accepted and not needed to attach */
	const char *ev = strrchr(spec, ':') ? strrchr(spec, ':') + 1 : spec;
	unsigned n;

	if (!*ev) {
		diag_error(p->diags, loc, "rawtracepoint probes are written rawtracepoint:event");
		return -EINVAL;
	}
	char **names = events_matching(p, ev, &n);
	for (unsigned i = 0; i < n; i++) {
		const char *name = arena_printf(p->arena, "rawtracepoint:%s", names[i]);
		struct attach *a = program_add_attach(p, pr, &provider_rawtracepoint, name, loc);
		a->func = names[i];
	}
	if (n || p->cfg.missing_probes == MISSING_IGNORE)
		return 0;
	if (p->cfg.missing_probes == MISSING_WARN) {
		diag_warning(p->diags, loc, "raw tracepoint not found: %s. Skipping.", ev);
		return 0;
	}
	diag_error(p->diags, loc, "raw tracepoint not found: %s", ev);
	return -ENOENT;
}

/* libbpf 1.1 cannot give raw tracepoints a cookie: one program per target. */
static int plan(struct program *p, struct probe *pr, struct attach **t, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		program_add_prog(p, pr, &t[i], 1, PID_CONST);
	return 0;
}

static int arg(struct program *p, struct attach *a, const char *name, struct ctx_access *out,
	       const struct type **type)
{
	int n;
	char *end;
	if (strncmp(name, "arg", 3))
		return -ENOENT;
	n = (int)strtol(name + 3, &end, 10);
	if (*end || n < 0 || n > 11)
		return -ENOENT;
	out->kind = CTX_LOAD;
	out->offset = 8u * (unsigned)n;
	out->size = 8;
	out->is_signed = false;
	*type = &type_u64;
	return 0;
}

static int attach(struct rt *rt, struct prog *pg, struct bpf_program *bp)
{
	struct bpf_link *l = bpf_program__attach_raw_tracepoint(bp, pg->targets[0]->func);
	if (!l)
		return rt_attach_error(rt, pg->targets[0], -errno, NULL);
	rt_add_link(rt, l);
	return 0;
}

const struct provider provider_rawtracepoint = {
	.name = "rawtracepoint",
	.aliases = (const char *const[]){ "rt", NULL },
	.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
	.section = "raw_tp",
	.expand = expand,
	.plan = plan,
	.arg = arg,
	.attach = attach,
};
