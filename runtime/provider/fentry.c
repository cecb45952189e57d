/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fentry (f, kfunc) and fexit (fr, kretfunc): `fentry:[MODULE:]FUNC`, with
 * wildcards over the kernel functions that have BTF.  `args` is the
 * function's parameters typed from BTF (each in its u64 slot of the
 * context), fexit's `retval` the slot after them.  One program per function:
 * each is loaded against its function's BTF id (libbpf takes it from the
 * section name "fentry/FUNC").
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "arena.h"
#include "btf.h"
#include "kfuncs.h"
#include "list.h"
#include "program.h"
#include "rt.h"

extern const struct provider provider_fentry, provider_fexit;

/* The program's BTF: one context per compilation, closed with the program. */
static struct btf_ctx *btf_for(struct program *p)
{
	return program_btf(p);
}

static int expand_common(struct program *p, struct probe *pr, const struct provider *prov,
			 const char *spec, const struct loc *loc)
{
	const char *colon = strchr(spec, ':');
	const char *mod = colon ? arena_strndup(p->arena, spec, (size_t)(colon - spec)) : NULL;
	const char *fn = colon ? colon + 1 : spec;
	struct btf_ctx *btf = btf_for(p);
	unsigned found = 0;

	if (!btf) {
		diag_error(p->diags, loc, "%s probes need kernel BTF (/sys/kernel/btf/vmlinux)",
			   prov->name);
		return -ENOENT;
	}
	size_t n = 1;
	struct kfunc one = { fn, mod }, *fs = &one;
	if (strpbrk(fn, "*?["))
		fs = kfuncs_matching(p->arena, mod, fn, &n);
	for (size_t i = 0; i < n; i++) {
		if (!btf_has_func(btf, fs[i].name))
			continue;
		const char *name = arena_printf(p->arena, "%s:%s%s%s", prov->name,
						mod ? fs[i].mod ? fs[i].mod : mod : "", mod ? ":" : "",
						fs[i].name);
		struct attach *a = program_add_attach(p, pr, prov, name, loc);
		a->target = fs[i].mod;
		a->func = fs[i].name;
		found++;
	}
	if (found || p->cfg.missing_probes == MISSING_IGNORE)
		return 0;
	if (p->cfg.missing_probes == MISSING_WARN) {
		diag_warning(p->diags, loc, "No BTF for kernel function %s. Skipping.", fn);
		return 0;
	}
	diag_error(p->diags, loc, "No kernel function with BTF matched %s", fn);
	return -ENOENT;
}

static int expand_f(struct program *p, struct probe *pr, const char *spec, const struct loc *loc)
{
	return expand_common(p, pr, &provider_fentry, spec, loc);
}

static int expand_fr(struct program *p, struct probe *pr, const char *spec, const struct loc *loc)
{
	return expand_common(p, pr, &provider_fexit, spec, loc);
}

/* Each function is its own program, loaded against that function. */
static int plan(struct program *p, struct probe *pr, struct attach **t, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct prog *pg = program_add_prog(p, pr, &t[i], 1, PID_CONST);
		pg->section = arena_printf(p->arena, "%s/%s", t[i]->prov->section, t[i]->func);
	}
	return 0;
}

static const struct type *args_struct(struct program *p, const char *fn, const struct field *params,
				      unsigned n)
{
	struct type *t = arena_new_obj(p->arena, struct type);
	struct field *fs = arena_alloc(p->arena, sizeof(*fs) * (n ? n : 1));
	memcpy(fs, params, sizeof(*fs) * n);
	t->kind = TY_STRUCT;
	t->name = arena_printf(p->arena, "struct _fentry_%s", fn);
	t->size = 8 * n;
	t->align = 8;
	t->fields = fs;
	t->nfields = n;
	return t;
}

static int arg_common(struct program *p, struct attach *a, const char *name, struct ctx_access *out,
		      const struct type **type, bool ret)
{
	const struct field *params;
	const struct type *rt_type;
	unsigned n;

	memset(out, 0, sizeof(*out));
	if (!strcmp(name, "func")) {
		out->kind = CTX_FUNC_IP;
		*type = &type_u64;
		return 0;
	}
	struct btf_ctx *btf = btf_for(p);
	if (!btf || btf_func_proto(btf, a->func, &params, &n, &rt_type))
		return -ENOENT;
	if (!strcmp(name, "args")) {
		if (!a->args)
			a->args = args_struct(p, a->func, params, n);
		out->kind = CTX_ARGS_PTR;
		*type = a->args;
		return 0;
	}
	if (ret && !strcmp(name, "retval") && rt_type->size && rt_type->size <= 8) {
		out->kind = CTX_LOAD;
		out->offset = 8 * n;
		out->size = rt_type->size;
		out->is_signed = rt_type->is_signed;
		*type = rt_type;
		return 0;
	}
	return -ENOENT;
}

static int arg_f(struct program *p, struct attach *a, const char *name, struct ctx_access *out,
		 const struct type **type)
{
	return arg_common(p, a, name, out, type, false);
}

static int arg_fr(struct program *p, struct attach *a, const char *name, struct ctx_access *out,
		  const struct type **type)
{
	return arg_common(p, a, name, out, type, true);
}

/* One line: the probe, the kernel's reason, and what to use instead. */
static int refused(struct rt *rt, const struct attach *a, int err)
{
	struct arena *ar = arena_new();
	const char *alt = kfuncs_alternative(ar, tracefs_root(), a->func, a->prov == &provider_fexit);
	const char *hint = arena_printf(ar, "This kernel refuses BPF trampolines; use %s instead",
					alt ? alt : "a tracepoint (ctrace -l 'tracepoint:*')");
	err = rt_attach_error(rt, a, err, err == -EPERM || err == -EOPNOTSUPP ? hint : NULL);
	arena_free(ar);
	return err;
}

static int attach(struct rt *rt, struct prog *pg, struct bpf_program *bp)
{
	struct bpf_link *l = bpf_program__attach_trace(bp);
	if (!l)
		return refused(rt, pg->targets[0], -errno);
	rt_add_link(rt, l);
	return 0;
}

/* Kernels without trampolines refuse to load fentry programs with EPERM. */
static int load_failed(struct rt *rt, struct prog *pg, int err)
{
	if (err != -EPERM && err != -EOPNOTSUPP && err != -524 /* ENOTSUPP */)
		return err;
	refused(rt, pg->targets[0], err);
	return 0;
}

static int list_common(const struct provider *prov, const char *glob, bool verbose, FILE *out)
{
	char buf[512];
	glob = list_glob(prov, glob, buf, sizeof(buf));
	/* reading every function's BTF is slow: list only when asked for this provider */
	if (!glob || strncmp(glob, prov->name, strlen(prov->name)))
		return 0;
	struct arena *a = arena_new();
	struct program p = { .arena = a };
	struct btf_ctx *btf = btf_for(&p);
	size_t n;
	const char *fn_glob = strrchr(glob, ':') + 1;
	struct kfunc *fs = btf ? kfuncs_matching(a, NULL, *fn_glob ? fn_glob : "*", &n) : NULL;
	for (size_t i = 0; fs && i < n; i++) {
		const struct field *params;
		const struct type *ret;
		unsigned np;
		if (btf_func_proto(btf, fs[i].name, &params, &np, &ret))
			continue;
		fprintf(out, "%s:%s%s%s\n", prov->name, fs[i].mod ? fs[i].mod : "",
			fs[i].mod ? ":" : "", fs[i].name);
		for (unsigned j = 0; verbose && j < np; j++) {
			fputs("    ", out);
			type_print(params[j].type, out);
			fprintf(out, " %s\n", params[j].name);
		}
		if (verbose && prov == &provider_fexit && ret->kind != TY_VOID) {
			fputs("    ", out);
			type_print(ret, out);
			fputs(" retval\n", out);
		}
	}
	btf_close(btf);
	arena_free(a);
	return 0;
}

static int list_f(const char *glob, bool verbose, FILE *out)
{
	return list_common(&provider_fentry, glob, verbose, out);
}

static int list_fr(const char *glob, bool verbose, FILE *out)
{
	return list_common(&provider_fexit, glob, verbose, out);
}

/* Load the smallest fentry program there is: the kernel's answer is the one that counts. */
static const char *unavailable(void)
{
	static const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int id = libbpf_find_vmlinux_btf_id("bpf_fentry_test1", BPF_TRACE_FENTRY);
	if (id < 0)
		return "the kernel's BTF has no functions to trace";
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = (__u32)id);
	int fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", insns, 2, &o);
	if (fd >= 0) {
		close(fd);
		return NULL;
	}
	return errno == EPERM ? "the kernel refuses BPF trampolines (EPERM)"
			      : "the kernel cannot load fentry programs";
}

const struct provider provider_fentry = {
	.unavailable = unavailable,
	.name = "fentry",
	.aliases = (const char *const[]){ "f", "kfunc", NULL },
	.prog_type = BPF_PROG_TYPE_TRACING,
	.section = "fentry",
	.flags = PROV_KERNEL_STACK,
	.expand = expand_f,
	.plan = plan,
	.arg = arg_f,
	.attach = attach,
	.load_failed = load_failed,
	.list = list_f,
};

const struct provider provider_fexit = {
	.unavailable = unavailable,
	.name = "fexit",
	.aliases = (const char *const[]){ "fr", "kretfunc", NULL },
	.prog_type = BPF_PROG_TYPE_TRACING,
	.section = "fexit",
	.flags = PROV_KERNEL_STACK,
	.expand = expand_fr,
	.plan = plan,
	.arg = arg_fr,
	.attach = attach,
	.load_failed = load_failed,
	.list = list_fr,
};
