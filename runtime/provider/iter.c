/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iter (it): `iter:TARGET`, a BPF iterator over kernel objects (task,
 * task_file, task_vma, and every other bpf_iter__TARGET the kernel's BTF
 * has).  The program is a tracing program loaded against bpf_iter_TARGET;
 * reading the iterator's fd runs it once per object, then the script ends
 * as bpftrace's does.  `ctx` is the context typed as struct bpf_iter__TARGET
 * (`ctx->task->pid`): what `args` is to the other providers whose context
 * is typed from BTF, so the body's `ctx` becomes this provider's `args`.
 */
#include <errno.h>
#include <fnmatch.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "arena.h"
#include "btf.h"
#include "list.h"
#include "program.h"
#include "rt.h"

extern const struct provider provider_iter;

/*
 * The whole iteration runs inside one read() of the iterator, before ctrace
 * drains a single event: the ring buffer must hold all of it.  16 MB unless
 * the script or the environment asked for a size.
 */
#define ITER_RB_PAGES 4096

/* `ctx` becomes `args`; `args` itself is not a builtin of iterators (bpftrace has only ctx). */
static void ctx_to_args(struct program *p, struct ast_node *n, int depth)
{
	struct ast_node *kids[AST_MAX_CHILDREN];
	if (!n || depth > 2000)
		return;
	if (n->kind == AST_IDENT && !strcmp(n->u.ident.name, "args")) {
		diag_error(p->diags, &n->loc,
			   "The args builtin can not be used with 'iter' probes");
		diag_hint(p->diags, "the iterator's context is `ctx`, e.g. ctx->task->pid");
	} else if (n->kind == AST_IDENT && !strcmp(n->u.ident.name, "ctx")) {
		n->u.ident.name = "args";
	}
	size_t k = ast_children(n, kids);
	for (size_t i = 0; i < k; i++)
		ast_foreach(c, kids[i]) ctx_to_args(p, c, depth + 1);
}

/*
 * After the last object the kernel runs the program once more with no
 * object (every object pointer NULL) so that iterators written in C can
 * print a footer.  A script has no use for that call, and its reads of
 * ctx->task->... would print zeros: `args->LAST != 0` is put in front of the
 * predicate, LAST being the context's last pointer member (the iterated
 * object: task, file, vma, value ...).
 */
static void skip_last_call(struct program *p, struct probe *pr, const struct type *ctx,
			   const struct loc *loc)
{
	const char *last = NULL;
	for (unsigned i = 0; i < ctx->nfields; i++)
		if (ctx->fields[i].type->kind == TY_PTR && strcmp(ctx->fields[i].name, "meta"))
			last = ctx->fields[i].name;
	if (!last)
		return;
	struct ast_node *base = ast_new(p->arena, AST_IDENT, loc);
	base->u.ident.name = "args";
	struct ast_node *obj = ast_new(p->arena, AST_FIELD, loc);
	obj->u.field.base = base;
	obj->u.field.name = last;
	obj->u.field.arrow = true;
	struct ast_node *guard = ast_new(p->arena, AST_BINOP, loc);
	guard->u.binop.op = BINOP_NE;
	guard->u.binop.lhs = obj;
	guard->u.binop.rhs = ast_new(p->arena, AST_INT, loc);
	struct ast_node **pred = &pr->node->u.probe.pred;
	if (*pred) {
		struct ast_node *both = ast_new(p->arena, AST_BINOP, loc);
		both->u.binop.op = BINOP_LAND;
		both->u.binop.lhs = guard;
		both->u.binop.rhs = *pred;
		guard = both;
	}
	*pred = guard;
}

/* The provider an attach point's text names, or NULL. */
static const struct provider *provider_of(struct program *p, const char *text)
{
	const char *colon = strchr(text, ':');
	char *name = arena_strndup(p->arena, text, colon ? (size_t)(colon - text) : strlen(text));
	return provider_find(p->providers, name);
}

/*
 * An iterator is the whole run (it ends when the iteration does), so no
 * other probe may share the script; begin and end may.
 */
static int check_alone(struct program *p, struct probe *pr, const struct loc *loc)
{
	if (ast_list_len(pr->node->u.probe.attach) > 1) {
		diag_error(p->diags, loc, "Only single iter attach point is allowed.");
		return -EINVAL;
	}
	ast_foreach(item, p->ast->u.program.items)
	{
		if (item->kind != AST_PROBE || item == pr->node)
			continue;
		ast_foreach(at, item->u.probe.attach)
		{
			const struct provider *prov = provider_of(p, at->u.attach.text);
			/* an unknown provider has an error of its own */
			if (!prov || (prov->flags & PROV_SPECIAL))
				continue;
			diag_error(p->diags, loc,
				   "An iter probe can not be mixed with other probes (begin and "
				   "end excepted)");
			diag_hint(p->diags, "run %s in a script of its own", at->u.attach.text);
			return -EINVAL;
		}
	}
	return 0;
}

static int expand(struct program *p, struct probe *pr, const char *spec, const struct loc *loc)
{
	const char *colon = strchr(spec, ':');
	const char *target = colon ? arena_strndup(p->arena, spec, (size_t)(colon - spec)) : spec;
	const char *pin = colon ? colon + 1 : NULL;

	if (pin && strchr(pin, ':')) {
		diag_error(p->diags, loc, "iter probe type takes 2 arguments (1 optional)");
		return -EINVAL;
	}
	if (strpbrk(target, "*?[") || (pin && strpbrk(pin, "*?["))) {
		diag_error(p->diags, loc, "iter probe type does not support wildcards");
		diag_hint(p->diags, "`ctrace -l 'iter:*'` lists the iterators");
		return -EINVAL;
	}
	if (!*target) {
		diag_error(p->diags, loc, "iter should specify an iterator's name, e.g. iter:task");
		return -EINVAL;
	}
	struct btf_ctx *btf = program_btf(p);
	if (!btf) {
		diag_error(p->diags, loc, "iter probes need kernel BTF (/sys/kernel/btf/vmlinux)");
		return -ENOENT;
	}
	const char *cname = arena_printf(p->arena, "struct bpf_iter__%s", target);
	const struct type *ctx = btf_type_by_name(btf, cname);
	if (!ctx || ctx->kind != TY_STRUCT) {
		diag_error(p->diags, loc, "iter %s not available for your kernel version.", target);
		diag_hint(p->diags, "`ctrace -l 'iter:*'` lists the iterators this kernel has");
		return -ENOENT;
	}
	if (pin) {
		/*
		 * A pinned iterator runs whenever someone reads the pin, long after
		 * ctrace has gone; its printf output travels through ctrace's ring
		 * buffer, which nobody would read then.
		 */
		diag_error(p->diags, loc,
			   "iter:%s:%s: ctrace cannot pin iterators (their output goes through "
			   "ctrace's ring buffer, which no reader of the pin sees)",
			   target, pin);
		diag_hint(p->diags, "drop the :%s part to run the iterator now", pin);
		return -EINVAL;
	}
	int err = check_alone(p, pr, loc);
	if (err)
		return err;
	ctx_to_args(p, pr->node->u.probe.pred, 0);
	ctx_to_args(p, pr->node->u.probe.body, 0);
	skip_last_call(p, pr, ctx, loc);
	if (!p->cfg.perf_rb_pages)
		p->cfg.perf_rb_pages = ITER_RB_PAGES;
	const char *name = arena_printf(p->arena, "iter:%s", target);
	struct attach *a = program_add_attach(p, pr, &provider_iter, name, loc);
	a->func = target;
	/*
	 * A pointer to the context, so that its members are read with
	 * bpf_probe_read_kernel: the verifier forbids arithmetic on the
	 * maybe-NULL object pointers a direct load of the context would give.
	 */
	a->args = type_ptr(p->arena, ctx, AS_KERNEL);
	return 0;
}

/* libbpf loads a program in section iter/TARGET against the kernel's bpf_iter_TARGET. */
static int plan(struct program *p, struct probe *pr, struct attach **t, unsigned n)
{
	struct prog *pg = program_add_prog(p, pr, t, n, PID_CONST);
	pg->section = arena_printf(p->arena, "iter/%s", t[0]->func);
	return 0;
}

static int arg(struct program *p, struct attach *a, const char *name, struct ctx_access *out,
	       const struct type **type)
{
	if (strcmp(name, "args"))
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	out->kind = CTX_ARGS_PTR;
	*type = a->args;
	return 0;
}

/* Read the iterator to its end: each read() runs the program over a batch of objects. */
static int run_iterator(struct rt *rt, const struct attach *a, int link_fd)
{
	char buf[4096];
	int fd = bpf_iter_create(link_fd);
	if (fd < 0)
		return rt_attach_error(rt, a, -errno, "could not start the iterator");
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n > 0)
			continue; /* the program writes nothing to the seq file; nothing to show */
		if (n == 0)
			break;
		if (errno == EAGAIN)
			continue; /* the kernel stops a read after a million objects */
		int err = -errno;
		close(fd);
		if (err == -EINTR)
			return 0; /* Ctrl-C: end as usual */
		return rt_attach_error(rt, a, err, "the iteration failed");
	}
	close(fd);
	return 0;
}

static int attach(struct rt *rt, struct prog *pg, struct bpf_program *bp)
{
	const struct attach *a = pg->targets[0];
	union bpf_iter_link_info linfo = { 0 };
	LIBBPF_OPTS(bpf_iter_attach_opts, o);

	/* -p: the task iterators visit that process only, as bpftrace has them */
	if (rt->p->cfg.pid > 0 && !strncmp(a->func, "task", 4)) {
		linfo.task.pid = (__u32)rt->p->cfg.pid;
		o.link_info = &linfo;
		o.link_info_len = sizeof(linfo);
	}
	struct bpf_link *l = bpf_program__attach_iter(bp, &o);
	if (!l)
		return rt_attach_error(rt, a, -errno, NULL);
	rt_add_link(rt, l);
	int err = run_iterator(rt, a, bpf_link__fd(l));
	/* the iteration is the whole run: the event loop only drains what it printed */
	rt->stop = true;
	return err;
}

/*
 * Kernels that cannot run iterators refuse the load (or have no function to
 * load it against: ESRCH from libbpf); say so in one line.
 */
static int load_failed(struct rt *rt, struct prog *pg, int err)
{
	if (err != -EPERM && err != -EOPNOTSUPP && err != -524 /* ENOTSUPP */ && err != -ESRCH)
		return err;
	rt_attach_error(rt, pg->targets[0], err,
			"This kernel cannot run BPF iterators; read the objects from /proc "
			"instead");
	return 0;
}

/* The smallest iterator program, loaded against bpf_iter_task: the kernel's answer counts. */
static const char *unavailable(void)
{
	static const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int id = libbpf_find_vmlinux_btf_id("task", BPF_TRACE_ITER);
	if (id < 0)
		return "the kernel's BTF has no task iterator";
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = BPF_TRACE_ITER,
		    .attach_btf_id = (__u32)id);
	int fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", insns, 2, &o);
	if (fd >= 0) {
		close(fd);
		return NULL;
	}
	return errno == EPERM ? "the kernel refuses iterator programs (EPERM)"
			      : "the kernel cannot load iterator programs";
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/*
 * `ctrace -l 'iter:*'`: every struct bpf_iter__TARGET of vmlinux BTF whose
 * bpf_iter_TARGET function exists (the one a program is loaded against);
 * with -v, the fields of ctx.
 */
static int list(const char *glob, bool verbose, FILE *out)
{
	char buf[512];
	glob = list_glob(&provider_iter, glob, buf, sizeof(buf));
	/* reading BTF costs tens of ms: only when the pattern can name an iterator */
	const char *colon = glob ? strchr(glob, ':') : NULL;
	if (colon) {
		char prov[64];
		snprintf(prov, sizeof(prov), "%.*s", (int)(colon - glob), glob);
		if (fnmatch(prov, "iter", 0))
			return 0;
	}
	struct btf *vm = btf__load_vmlinux_btf();
	if (!vm)
		return 0;
	struct arena *ar = arena_new();
	struct program p = { .arena = ar };
	struct btf_ctx *bc = verbose ? program_btf(&p) : NULL;
	const char **names = NULL;
	unsigned n = 0, cap = 0;
	for (__u32 id = 1; id < btf__type_cnt(vm); id++) {
		const struct btf_type *t = btf__type_by_id(vm, id);
		const char *tn = btf__name_by_offset(vm, t->name_off);
		if (!btf_is_struct(t) || strncmp(tn, "bpf_iter__", 10))
			continue;
		const char *func = arena_printf(ar, "bpf_iter_%s", tn + 10);
		if (btf__find_by_name_kind(vm, func, BTF_KIND_FUNC) < 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			const char **nn = arena_alloc(ar, sizeof(*nn) * cap);
			if (names)
				memcpy(nn, names, sizeof(*nn) * n);
			names = nn;
		}
		names[n++] = arena_strdup(ar, tn + 10);
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (unsigned i = 0; i < n; i++) {
		const char *name = arena_printf(ar, "iter:%s", names[i]);
		if (!list_match(glob, name))
			continue;
		fprintf(out, "%s\n", name);
		const struct type *t =
			bc ? btf_type_by_name(bc, arena_printf(ar, "struct bpf_iter__%s", names[i]))
			   : NULL;
		for (unsigned j = 0; t && j < t->nfields; j++) {
			fputs("    ", out);
			type_print(t->fields[j].type, out);
			fprintf(out, " %s\n", t->fields[j].name);
		}
	}
	btf_close(bc);
	btf__free(vm);
	arena_free(ar);
	return 0;
}

const struct provider provider_iter = {
	.unavailable = unavailable,
	.name = "iter",
	.aliases = (const char *const[]){ "it", NULL },
	.prog_type = BPF_PROG_TYPE_TRACING,
	.section = "iter",
	/* it runs in ctrace's own read(): pid and cgroup filters would hide every object */
	.flags = PROV_NO_FILTER | PROV_KERNEL_STACK,
	.expand = expand,
	.plan = plan,
	.arg = arg,
	.attach = attach,
	.load_failed = load_failed,
	.list = list,
};
