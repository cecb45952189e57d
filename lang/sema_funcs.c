/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Semantic analysis of the functions beyond the core: stacks and symbols,
 * registers, buffers, string functions, addresses, time, and the unsafe
 * functions.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arena.h"
#include "sema.h"
#include "sema_funcs.h"

#define STACK_DEFAULT_LIMIT 127
#define STACK_MAX_LIMIT 1024

static const char *const stack_modes[] = { "bpftrace", "perf", "raw", "build_id" };

/* kstack, ustack, kstack(perf), ustack(5), kstack(raw, 3) */
const struct type *sema_stack(struct sema *s, struct ast_node *n, bool user)
{
	int mode = 0;
	int64_t limit = STACK_DEFAULT_LIMIT;
	struct ast_node *a = n->kind == AST_CALL ? n->u.ident.args : NULL;

	if (a && a->kind == AST_IDENT) {
		size_t i;
		for (i = 0; i < sizeof(stack_modes) / sizeof(stack_modes[0]); i++)
			if (!strcmp(stack_modes[i], a->u.ident.name))
				break;
		if (i == sizeof(stack_modes) / sizeof(stack_modes[0]) || (i == 3 && !user)) {
			sema_err(s, &a->loc, "%s: invalid stack mode '%s' (use bpftrace, perf or raw)",
				 user ? "ustack" : "kstack", a->u.ident.name);
			return sema_settype(n, &type_none);
		}
		mode = (int)i;
		a = a->next;
	}
	if (a) {
		sema_expr(s, a);
		if (!sema_const_int(a, &limit) || limit < 1 || limit > STACK_MAX_LIMIT) {
			sema_err(s, &a->loc, "%s: the frame limit must be an integer from 1 to %d",
				 user ? "ustack" : "kstack", STACK_MAX_LIMIT);
			return sema_settype(n, &type_none);
		}
	}
	return sema_settype(n, type_stack(s->p->arena, user ? TY_USTACK : TY_KSTACK, mode,
					  (unsigned)limit));
}

/* The symbol's address in /proc/kallsyms (a function or data symbol), or 0. */
static uint64_t kallsyms_lookup(const char *name)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], sym[256], type;
	unsigned long long addr;
	uint64_t found = 0;

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, sym) == 3 && !strcmp(sym, name)) {
			found = addr;
			break;
		}
	}
	if (f)
		fclose(f);
	return found;
}

static const char *string_arg(struct sema *s, struct ast_node *call, struct ast_node *a)
{
	if (a && a->kind == AST_POSITIONAL)
		sema_positional(s, a);
	if (!a || a->kind != AST_STRING) {
		sema_err(s, a ? &a->loc : &call->loc, "%s() expects a string literal",
			 call->u.ident.name);
		return NULL;
	}
	sema_settype(a, type_string(s->p->arena, (unsigned)a->u.str.len + 1));
	return a->u.str.value;
}

static const struct type *kaddr(struct sema *s, struct ast_node *n)
{
	const char *name = string_arg(s, n, n->u.ident.args);
	if (!name)
		return sema_settype(n, &type_none);
	uint64_t addr = kallsyms_lookup(name);
	if (!addr) {
		sema_err(s, &n->loc, "Failed to resolve kernel symbol: %s", name);
		return sema_settype(n, &type_none);
	}
	sema_make_int(n, addr, true);
	return sema_settype(n, &type_u64);
}

/* x86_64 struct pt_regs, as bpftrace names the registers for reg(). */
static const struct {
	const char *name;
	unsigned off;
} regs[] = {
	{ "r15", 0 },	{ "r14", 8 },	{ "r13", 16 }, { "r12", 24 },  { "bp", 32 },
	{ "bx", 40 },	{ "r11", 48 },	{ "r10", 56 }, { "r9", 64 },   { "r8", 72 },
	{ "ax", 80 },	{ "cx", 88 },	{ "dx", 96 },  { "si", 104 },  { "di", 112 },
	{ "orig_ax", 120 }, { "ip", 128 }, { "cs", 136 }, { "flags", 144 }, { "sp", 152 },
	{ "ss", 160 },
};

/* Programs whose context starts with struct pt_regs: kprobes, uprobes, perf events. */
static bool has_regs(const struct attach *a)
{
	return a && (a->prov->prog_type == BPF_PROG_TYPE_KPROBE ||
		     a->prov->prog_type == BPF_PROG_TYPE_PERF_EVENT);
}

static const struct type *reg(struct sema *s, struct ast_node *n)
{
	const char *name = string_arg(s, n, n->u.ident.args);
	if (!name)
		return sema_settype(n, &type_none);
	if (!has_regs(s->proto)) {
		sema_err(s, &n->loc, "reg() can not be used with \"%s\" probes",
			 s->proto ? s->proto->prov->name : "these");
		return sema_settype(n, &type_none);
	}
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		if (!strcmp(regs[i].name, name)) {
			struct sem *sm = sema_sem(s, n);
			sm->ctx.kind = CTX_LOAD;
			sm->ctx.offset = regs[i].off;
			sm->ctx.size = 8;
			return sema_settype(n, &type_u64);
		}
	}
	sema_err(s, &n->loc, "'%s' is not a valid register", name);
	return sema_settype(n, &type_none);
}

/* buf(p, n): n bytes at p (n a literal, or p an array or string of known size). */
static const struct type *buf(struct sema *s, struct ast_node *n)
{
	struct ast_node *a = n->u.ident.args, *len = a->next;
	const struct type *t = sema_expr(s, a);
	int64_t size = -1;

	if (t->kind == TY_NONE)
		return sema_settype(n, t);
	if (len) {
		sema_expr_int(s, len, "buf()");
		if (!sema_const_int(len, &size)) {
			sema_err(s, &len->loc, "buf() length must be an integer literal");
			return sema_settype(n, &type_none);
		}
	} else if (t->kind == TY_ARRAY || t->kind == TY_STRING) {
		size = t->size;
	} else {
		sema_err(s, &n->loc, "buf() needs a length when its argument is not an array");
		return sema_settype(n, &type_none);
	}
	if (size < 1 || size > (int64_t)s->p->cfg.max_strlen) {
		sema_err(s, &n->loc, "buf() length must be between 1 and %u", s->p->cfg.max_strlen);
		return sema_settype(n, &type_none);
	}
	if (!sema_is_intlike(t) && t->kind != TY_ARRAY && t->kind != TY_STRING) {
		sema_err(s, &a->loc, "buf() expects a pointer, an array or a string, got '%s'",
			 sema_tstr(s, t));
		return sema_settype(n, &type_none);
	}
	struct sem *sm = sema_sem(s, n);
	sm->ival = t->kind == TY_PTR ? t->as == AS_USER
				     : (s->proto && (s->proto->prov->flags & PROV_USER));
	return sema_settype(n, type_buffer(s->p->arena, (unsigned)size));
}

static bool stringish(const struct type *t)
{
	return t->kind == TY_STRING;
}

static const struct type *strfunc(struct sema *s, struct ast_node *n, enum builtin_func f)
{
	struct ast_node *a = n->u.ident.args, *b = a->next;
	const struct type *ta = sema_expr(s, a), *tb = b ? sema_expr(s, b) : NULL;

	if (ta->kind == TY_NONE || (tb && tb->kind == TY_NONE))
		return sema_settype(n, &type_none);
	if (!stringish(ta) || (tb && !stringish(tb))) {
		sema_err(s, &n->loc, "%s() expects string arguments", n->u.ident.name);
		return sema_settype(n, &type_none);
	}
	if (f == BF_STRNCMP) {
		int64_t len;
		struct ast_node *c = b->next;
		sema_expr_int(s, c, "strncmp()");
		if (!sema_const_int(c, &len) || len < 0) {
			sema_err(s, &c->loc, "strncmp() length must be a non-negative integer literal");
			return sema_settype(n, &type_none);
		}
		sema_sem(s, n)->ival = len;
		return sema_settype(n, &type_s64);
	}
	if (f == BF_STRCONTAINS || f == BF_STRSTR) {
		if (b->kind != AST_STRING) {
			sema_err(s, &b->loc, "%s() needs a string literal to look for", n->u.ident.name);
			return sema_settype(n, &type_none);
		}
		return sema_settype(n, f == BF_STRSTR ? &type_s64 : &type_bool);
	}
	return sema_settype(n, &type_u64); /* strlen */
}

static const struct type *ntop(struct sema *s, struct ast_node *n)
{
	struct ast_node *a = n->u.ident.args, *addr = a->next ? a->next : a;
	if (a->next)
		sema_expr_int(s, a, "ntop() address family");
	const struct type *t = sema_expr(s, addr);
	if (t->kind == TY_NONE)
		return sema_settype(n, t);
	bool ok = sema_is_intlike(t) || ((t->kind == TY_ARRAY || t->kind == TY_STRING) &&
					 (t->size == 4 || t->size == 16));
	if (!ok) {
		sema_err(s, &addr->loc,
			 "ntop() expects an integer or an array of 4 or 16 bytes, got '%s'",
			 sema_tstr(s, t));
		return sema_settype(n, &type_none);
	}
	struct type *r = arena_new_obj(s->p->arena, struct type);
	r->kind = TY_INET;
	r->size = 24;
	r->align = 8;
	return sema_settype(n, r);
}

static const struct type *pton(struct sema *s, struct ast_node *n)
{
	const char *text = string_arg(s, n, n->u.ident.args);
	unsigned char bytes[16];
	if (!text)
		return sema_settype(n, &type_none);
	unsigned len = inet_pton(AF_INET, text, bytes) == 1 ? 4 :
		       inet_pton(AF_INET6, text, bytes) == 1 ? 16 : 0;
	if (!len) {
		sema_err(s, &n->loc, "pton() expects an IPv4 or IPv6 address, got \"%s\"", text);
		return sema_settype(n, &type_none);
	}
	/* folded to a constant byte array, kept on the node for codegen */
	struct sem *sm = sema_sem(s, n);
	char *copy = arena_alloc(s->p->arena, len);
	memcpy(copy, bytes, len);
	sm->bytes = copy;
	return sema_settype(n, type_array(s->p->arena, &type_u8, len));
}

static const struct type *macaddr(struct sema *s, struct ast_node *n)
{
	const struct type *t = sema_expr(s, n->u.ident.args);
	if (t->kind == TY_NONE)
		return sema_settype(n, t);
	if (!sema_is_intlike(t) && !(t->kind == TY_ARRAY && t->size >= 6)) {
		sema_err(s, &n->loc, "macaddr() expects an array of 6 bytes or a pointer, got '%s'",
			 sema_tstr(s, t));
		return sema_settype(n, &type_none);
	}
	struct type *r = arena_new_obj(s->p->arena, struct type);
	r->kind = TY_MACADDR;
	r->size = 6;
	r->align = 1;
	sema_sem(s, n)->ival = t->kind == TY_PTR ? t->as == AS_USER
						 : (s->proto && (s->proto->prov->flags & PROV_USER));
	return sema_settype(n, r);
}

static const struct type *strftime_(struct sema *s, struct ast_node *n)
{
	const char *fmt = string_arg(s, n, n->u.ident.args);
	sema_expr_int(s, n->u.ident.args->next, "strftime()");
	if (!fmt)
		return sema_settype(n, &type_none);
	if (s->final)
		sema_sem(s, n)->fmt_id = program_add_fmt(s->p, EV_TIME, fmt, NULL, &n->loc);
	struct type *r = arena_new_obj(s->p->arena, struct type);
	r->kind = TY_TIMESTAMP;
	r->size = 16;
	r->align = 8;
	return sema_settype(n, r);
}

static const struct type *cgroupid(struct sema *s, struct ast_node *n)
{
	const char *path = string_arg(s, n, n->u.ident.args);
	struct stat st;
	if (!path)
		return sema_settype(n, &type_none);
	if (stat(path, &st)) {
		sema_err(s, &n->loc, "cgroupid(): %s: %s", path, strerror(errno));
		return sema_settype(n, &type_none);
	}
	/* on cgroup v2 a cgroup's id is its directory's inode number */
	sema_make_int(n, st.st_ino, true);
	return sema_settype(n, &type_u64);
}

static const struct type *simple_scalar(struct sema *s, struct ast_node *n, enum type_kind k)
{
	const struct type *t = sema_expr(s, n->u.ident.args);
	/* usym(func), ksym(func): already a symbol */
	if (t->kind == k)
		return sema_settype(n, t);
	if (t->kind != TY_NONE && !sema_is_intlike(t) &&
	    !((k == TY_USYM || k == TY_KSYM) && (t->kind == TY_USYM || t->kind == TY_KSYM))) {
		sema_err(s, &n->loc, "%s expects an integer, got '%s'", n->u.ident.name,
			 sema_tstr(s, t));
		return sema_settype(n, &type_none);
	}
	if (t->kind == TY_NONE)
		return sema_settype(n, t);
	struct type *r = arena_new_obj(s->p->arena, struct type);
	r->kind = k;
	r->size = k == TY_USYM ? 16 : 8;
	r->align = 8;
	return sema_settype(n, r);
}

static bool unsafe_ok(struct sema *s, struct ast_node *n)
{
	if (s->p->cfg.unsafe)
		return true;
	sema_err(s, &n->loc, "%s() is an unsafe function being used in safe mode",
		 n->u.ident.name);
	sema_hint(s, "run ctrace with --unsafe to allow it");
	return false;
}

static const struct type *join(struct sema *s, struct ast_node *n)
{
	struct ast_node *a = n->u.ident.args;
	const struct type *t = sema_expr(s, a);
	const char *sep = " ";
	if (a->next && !(sep = string_arg(s, n, a->next)))
		return sema_settype(n, &type_void);
	if (t->kind == TY_NONE)
		return sema_settype(n, &type_void);
	if (!sema_is_intlike(t)) {
		sema_err(s, &a->loc, "join() expects an array of string pointers, got '%s'",
			 sema_tstr(s, t));
		return sema_settype(n, &type_void);
	}
	struct sem *sm = sema_sem(s, n);
	sm->ival = t->kind == TY_PTR ? t->as == AS_USER
				     : (s->proto && (s->proto->prov->flags & PROV_USER));
	if (s->final)
		sm->fmt_id = program_add_fmt(s->p, EV_JOIN, sep, NULL, &n->loc);
	return sema_settype(n, &type_void);
}

static const struct type *signal_(struct sema *s, struct ast_node *n)
{
	static const struct {
		const char *name;
		int sig;
	} sigs[] = {
		{ "SIGHUP", 1 },   { "SIGINT", 2 },   { "SIGQUIT", 3 },	 { "SIGILL", 4 },
		{ "SIGTRAP", 5 },  { "SIGABRT", 6 },  { "SIGBUS", 7 },	 { "SIGFPE", 8 },
		{ "SIGKILL", 9 },  { "SIGUSR1", 10 }, { "SIGSEGV", 11 }, { "SIGUSR2", 12 },
		{ "SIGPIPE", 13 }, { "SIGALRM", 14 }, { "SIGTERM", 15 }, { "SIGCHLD", 17 },
		{ "SIGCONT", 18 }, { "SIGSTOP", 19 }, { "SIGTSTP", 20 },
	};
	struct ast_node *a = n->u.ident.args;
	if (!unsafe_ok(s, n))
		return sema_settype(n, &type_void);
	if (a->kind == AST_STRING) {
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
			if (!strcmp(sigs[i].name, a->u.str.value) ||
			    !strcmp(sigs[i].name + 3, a->u.str.value)) {
				sema_make_int(a, (uint64_t)sigs[i].sig, false);
				sema_settype(a, &type_s64);
				return sema_settype(n, &type_void);
			}
		}
		sema_err(s, &a->loc, "signal(): unknown signal \"%s\"", a->u.str.value);
		return sema_settype(n, &type_void);
	}
	int64_t v;
	sema_expr_int(s, a, "signal()");
	if (sema_const_int(a, &v) && (v < 1 || v > 64))
		sema_err(s, &a->loc, "signal(): %" PRId64 " is not a valid signal number", v);
	return sema_settype(n, &type_void);
}

/* The functions of this file; NULL when f is not one of them. */
const struct type *sema_func(struct sema *s, struct ast_node *n, enum builtin_func f,
			     bool *handled)
{
	*handled = true;
	switch (f) {
	case BF_KSTACK:
	case BF_USTACK:
		return sema_stack(s, n, f == BF_USTACK);
	case BF_KSYM:
		return simple_scalar(s, n, TY_KSYM);
	case BF_USYM:
		return simple_scalar(s, n, TY_USYM);
	case BF_STRERROR:
		return simple_scalar(s, n, TY_STRERROR);
	case BF_KADDR:
		return kaddr(s, n);
	case BF_REG:
		return reg(s, n);
	case BF_BUF:
		return buf(s, n);
	case BF_STRNCMP:
	case BF_STRCONTAINS:
	case BF_STRSTR:
	case BF_STRLEN:
		return strfunc(s, n, f);
	case BF_NTOP:
		return ntop(s, n);
	case BF_PTON:
		return pton(s, n);
	case BF_MACADDR:
		return macaddr(s, n);
	case BF_STRFTIME:
		return strftime_(s, n);
	case BF_CGROUPID:
		return cgroupid(s, n);
	case BF_JOIN:
		return join(s, n);
	case BF_SIGNAL:
	case BF_SIGNAL_THREAD:
		return signal_(s, n);
	default:
		*handled = false;
		return NULL;
	}
}
