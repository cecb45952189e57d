/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kprobe (k) and kretprobe (kr): `kprobe:[MODULE:]FUNC[+OFF]`, with
 * wildcards over the kernel's traceable functions.  Several targets of one
 * probe attach through one kprobe_multi link where the kernel has it.  On
 * kernels without kprobes the attach fails with one line that names a
 * tracepoint to use instead; the programs still load (and verify) first.
 */
#include <errno.h>
#include <fnmatch.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "arena.h"
#include "kfuncs.h"
#include "list.h"
#include "program.h"
#include "regs.h"
#include "rt.h"

extern const struct provider provider_kprobe, provider_kretprobe;

/* ---- expansion ---------------------------------------------------------------------------- */

static void add_target(struct program *p, struct probe *pr, const struct provider *prov,
		       const char *mod, const char *fn, uint64_t off, const struct loc *loc)
{
	const char *name = off ? arena_printf(p->arena, "%s:%s+%llu", prov->name, fn,
					      (unsigned long long)off)
			       : arena_printf(p->arena, "%s:%s", prov->name, fn);
	if (mod)
		name = arena_printf(p->arena, "%s:%s:%s", prov->name, mod, fn);
	struct attach *a = program_add_attach(p, pr, prov, name, loc);
	a->target = mod;
	a->func = fn;
	a->num = off;
}

static int expand_common(struct program *p, struct probe *pr, const struct provider *prov,
			 const char *spec, const struct loc *loc)
{
	const char *colon = strchr(spec, ':');
	const char *mod = colon ? arena_strndup(p->arena, spec, (size_t)(colon - spec)) : NULL;
	char *fn = arena_strdup(p->arena, colon ? colon + 1 : spec);
	char *plus = strchr(fn, '+');
	uint64_t off = 0;

	if (plus) {
		*plus = '\0';
		off = strtoull(plus + 1, NULL, 0);
	}
	if (!*fn || (plus && prov == &provider_kretprobe)) {
		diag_error(p->diags, loc, "%s probes are written %s:[MODULE:]FUNCTION%s", prov->name,
			   prov->name, prov == &provider_kprobe ? "[+OFFSET]" : "");
		return -EINVAL;
	}
	size_t n;
	struct kfunc *fs = kfuncs_matching(p->arena, mod, fn, &n);
	if (!n && !strpbrk(fn, "*?[")) {
		/* not listed as traceable: let the kernel decide when attaching */
		add_target(p, pr, prov, mod, fn, off, loc);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		add_target(p, pr, prov, mod ? fs[i].mod : NULL, fs[i].name, off, loc);
	if (n || p->cfg.missing_probes == MISSING_IGNORE)
		return 0;
	if (p->cfg.missing_probes == MISSING_WARN) {
		diag_warning(p->diags, loc, "No kernel function matched %s. Skipping.", fn);
		return 0;
	}
	diag_error(p->diags, loc, "No kernel function matched %s", fn);
	return -ENOENT;
}

static int expand_k(struct program *p, struct probe *pr, const char *spec, const struct loc *loc)
{
	return expand_common(p, pr, &provider_kprobe, spec, loc);
}

static int expand_kr(struct program *p, struct probe *pr, const char *spec, const struct loc *loc)
{
	return expand_common(p, pr, &provider_kretprobe, spec, loc);
}

/*
 * Several functions: one kprobe_multi program ("kprobe.multi" makes libbpf
 * load it with that attach type).  Offsets need single kprobes.
 */
static int plan(struct program *p, struct probe *pr, struct attach **t, unsigned n)
{
	bool multi = n > 1;
	for (unsigned i = 0; i < n; i++)
		multi = multi && !t[i]->num;
	if (!multi) {
		for (unsigned i = 0; i < n; i++)
			program_add_prog(p, pr, &t[i], 1, PID_CONST);
		return 0;
	}
	struct prog *pg = program_add_prog(p, pr, t, n, PID_COOKIE);
	pg->section = arena_printf(p->arena, "%s.multi/ct_p%u",
				   t[0]->prov == &provider_kprobe ? "kprobe" : "kretprobe",
				   p->nprogs - 1);
	return 0;
}

static int arg_k(struct program *p, struct attach *a, const char *name, struct ctx_access *out,
		 const struct type **type)
{
	return regs_arg(name, true, false, out, type);
}

static int arg_kr(struct program *p, struct attach *a, const char *name, struct ctx_access *out,
		  const struct type **type)
{
	return regs_arg(name, false, true, out, type);
}

/* ---- attaching ---------------------------------------------------------------------------- */

static int attach_error(struct rt *rt, const struct attach *a, int err, bool ret)
{
	struct arena *ar = arena_new();
	const char *alt = kfuncs_alternative(ar, tracefs_root(), a->func, ret);
	const char *why = err == -EOPNOTSUPP || err == -ENOENT || err == -ENODEV
				  ? "This kernel has no kprobes"
				  : NULL;
	const char *hint = alt ? arena_printf(ar, "%s%suse %s instead", why ? why : "",
					      why ? "; " : "", alt)
			       : why ? arena_printf(ar, "%s; use a tracepoint (ctrace -l 'tracepoint:*')", why)
				     : NULL;
	err = rt_attach_error(rt, a, err, hint);
	arena_free(ar);
	return err;
}

static int attach_multi(struct rt *rt, struct prog *pg, struct bpf_program *bp, bool ret)
{
	const char **syms = xcalloc(pg->ntargets, sizeof(*syms));
	__u64 *cookies = xcalloc(pg->ntargets, 8);
	for (unsigned i = 0; i < pg->ntargets; i++) {
		syms[i] = pg->targets[i]->func;
		cookies[i] = pg->targets[i]->probe_id;
	}
	LIBBPF_OPTS(bpf_kprobe_multi_opts, o, .syms = syms, .cnt = pg->ntargets,
		    .cookies = cookies, .retprobe = ret);
	struct bpf_link *l = bpf_program__attach_kprobe_multi_opts(bp, NULL, &o);
	int err = l ? 0 : -errno;
	free(syms);
	free(cookies);
	if (err)
		return attach_error(rt, pg->targets[0], err, ret);
	rt_add_link(rt, l);
	return 0;
}

static int attach_common(struct rt *rt, struct prog *pg, struct bpf_program *bp, bool ret)
{
	if (pg->idmode == PID_COOKIE)
		return attach_multi(rt, pg, bp, ret);
	const struct attach *a = pg->targets[0];
	LIBBPF_OPTS(bpf_kprobe_opts, o, .offset = a->num, .retprobe = ret,
		    .bpf_cookie = a->probe_id);
	struct bpf_link *l = bpf_program__attach_kprobe_opts(bp, a->func, &o);
	if (!l)
		return attach_error(rt, a, -errno, ret);
	rt_add_link(rt, l);
	return 0;
}

static int attach_k(struct rt *rt, struct prog *pg, struct bpf_program *bp)
{
	return attach_common(rt, pg, bp, false);
}

static int attach_kr(struct rt *rt, struct prog *pg, struct bpf_program *bp)
{
	return attach_common(rt, pg, bp, true);
}

/* ---- listing ------------------------------------------------------------------------------ */

static int list_common(const struct provider *prov, const char *glob, FILE *out)
{
	char buf[512];
	glob = list_glob(prov, glob, buf, sizeof(buf));
	if (glob && strncmp(glob, prov->name, strlen(prov->name)) && strchr(glob, ':'))
		return 0; /* another provider's pattern: do not read every kernel function */
	struct arena *a = arena_new();
	size_t n;
	struct kfunc *fs = kfuncs_matching(a, NULL, "*", &n);
	for (size_t i = 0; i < n; i++) {
		const char *name = fs[i].mod
					   ? arena_printf(a, "%s:%s:%s", prov->name, fs[i].mod, fs[i].name)
					   : arena_printf(a, "%s:%s", prov->name, fs[i].name);
		if (list_match(glob, name))
			fprintf(out, "%s\n", name);
	}
	arena_free(a);
	return 0;
}

static int list_k(const char *glob, bool verbose, FILE *out)
{
	return list_common(&provider_kprobe, glob, out);
}

static int list_kr(const char *glob, bool verbose, FILE *out)
{
	/* bpftrace lists kprobes only; kretprobe:PATTERN lists the same functions */
	if (!glob || (strncmp(glob, "kretprobe:", 10) && strncmp(glob, "kr:", 3)))
		return 0;
	return list_common(&provider_kretprobe, glob, out);
}

static const char *unavailable(void)
{
	const char *root = tracefs_root();
	char path[256];
	if (!root)
		return "tracefs is not available";
	snprintf(path, sizeof(path), "%s/kprobe_events", root);
	return access(path, F_OK) ? "the kernel has no kprobe events" : NULL;
}

const struct provider provider_kprobe = {
	.unavailable = unavailable,
	.name = "kprobe",
	.aliases = (const char *const[]){ "k", NULL },
	.prog_type = BPF_PROG_TYPE_KPROBE,
	.section = "kprobe",
	.flags = PROV_KERNEL_STACK,
	.expand = expand_k,
	.plan = plan,
	.arg = arg_k,
	.attach = attach_k,
	.list = list_k,
};

const struct provider provider_kretprobe = {
	.unavailable = unavailable,
	.name = "kretprobe",
	.aliases = (const char *const[]){ "kr", NULL },
	.prog_type = BPF_PROG_TYPE_KPROBE,
	.section = "kretprobe",
	.flags = PROV_KERNEL_STACK,
	.expand = expand_kr,
	.plan = plan,
	.arg = arg_kr,
	.attach = attach_kr,
	.list = list_kr,
};
