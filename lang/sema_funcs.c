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
#include <time.h>

#include "arena.h"
#include "sema.h"
#include "sema_funcs.h"
#include "sema_ptr.h"

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

/* ---- builtins with an argument, process and probe details ------------------------------------ */

/* The init PID namespace's inode number (PROC_PID_INIT_INO). */
#define PID_NS_INIT_INO 0xEFFFFFFCu

/* An identifier argument such as `init` in pid(init); NULL (and an error) otherwise. */
static const char *mode_arg(struct sema *s, struct ast_node *n, const char *const *modes)
{
	struct ast_node *a = n->u.ident.args;
	if (a->kind == AST_IDENT)
		for (int i = 0; modes[i]; i++)
			if (!strcmp(a->u.ident.name, modes[i]))
				return modes[i];
	char text[128] = "";
	for (int i = 0; modes[i]; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%s", i ? ", " : "",
			 modes[i]);
	sema_err(s, &a->loc, "%s() expects one of: %s", n->u.ident.name, text);
	return NULL;
}

/* A call that is the builtin variable itself (pid(), nsecs(boot), comm()): read it as such. */
static const struct type *as_builtin_var(struct sema *s, struct ast_node *n)
{
	n->kind = AST_IDENT;
	n->u.ident.args = NULL;
	return sema_expr(s, n);
}

/*
 * pid(curr_ns|init), tid(...): bpf_get_current_pid_tgid gives the ids of the
 * initial PID namespace.  When ctrace runs in another namespace, curr_ns
 * reads them with bpf_get_ns_current_pid_tgid for ctrace's own namespace;
 * sem.ival then holds that namespace's inode and sem.argn its device.
 */
static const struct type *pid_tid(struct sema *s, struct ast_node *n)
{
	static const char *const modes[] = { "curr_ns", "init", NULL };
	struct stat st;
	if (!n->u.ident.args)
		return as_builtin_var(s, n);
	const char *mode = mode_arg(s, n, modes);
	if (!mode)
		return sema_settype(n, &type_none);
	struct sem *sm = sema_sem(s, n);
	sm->ival = 0;
	if (!strcmp(mode, "curr_ns") && !stat("/proc/self/ns/pid", &st) &&
	    st.st_ino != PID_NS_INIT_INO) {
		sm->ival = (long long)st.st_ino;
		sm->argn = (int)st.st_dev;
	}
	return sema_settype(n, &type_u32);
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * nsecs(boot|monotonic|tai|sw_tai), the clock in sem.argn.  sw_tai is the
 * monotonic clock plus the TAI offset (sem.ival) measured now, between two
 * monotonic readings.
 */
static const struct type *nsecs(struct sema *s, struct ast_node *n)
{
	static const char *const modes[] = { "boot", "monotonic", "tai", "sw_tai", NULL };
	if (!n->u.ident.args)
		return as_builtin_var(s, n);
	const char *mode = mode_arg(s, n, modes);
	if (!mode)
		return sema_settype(n, &type_none);
	if (!strcmp(mode, "boot"))
		return as_builtin_var(s, n);
	struct sem *sm = sema_sem(s, n);
	if (!strcmp(mode, "monotonic")) {
		sm->argn = NSECS_MONOTONIC;
	} else if (!strcmp(mode, "tai")) {
		sm->argn = NSECS_TAI;
	} else {
		int64_t m1 = clock_ns(CLOCK_MONOTONIC), tai = clock_ns(CLOCK_TAI);
		int64_t m2 = clock_ns(CLOCK_MONOTONIC);
		sm->argn = NSECS_SW_TAI;
		sm->ival = tai - (m1 + (m2 - m1) / 2);
	}
	return sema_settype(n, &type_u64);
}

static const struct type *comm(struct sema *s, struct ast_node *n)
{
	if (!n->u.ident.args)
		return as_builtin_var(s, n);
	sema_expr(s, n->u.ident.args);
	/* bpftrace finds the task with the bpf_task_from_pid kfunc */
	sema_err(s, &n->loc, "comm(pid) is not supported: it needs the bpf_task_from_pid kfunc, "
			     "which ctrace does not call");
	sema_hint(s, "cat(\"/proc/%%d/comm\", pid) prints another process's name");
	return sema_settype(n, &type_none);
}

/*
 * usermode: whether the interrupted code ran in user mode, from the saved
 * code segment (x86_64: the low two bits of cs are 3).  Only probes whose
 * context is struct pt_regs have one; in the others (tracepoints, begin/end)
 * the program runs on behalf of the kernel and usermode is 0.
 */
static const struct type *usermode(struct sema *s, struct ast_node *n)
{
	struct sem *sm = sema_sem(s, n);
	sm->ival = has_regs(s->proto);
	sm->ctx.offset = 136; /* pt_regs.cs */
	return sema_settype(n, &type_u8);
}

/* probetype: the provider's name; begin and end probes are "special" as in bpftrace. */
static const struct type *probetype(struct sema *s, struct ast_node *n)
{
	const char *name = s->proto ? s->proto->prov->name : "special";
	if (!strcmp(name, "begin") || !strcmp(name, "end"))
		name = "special";
	sema_make_string(n, name, strlen(name));
	return sema_expr(s, n);
}

/*
 * cgroup_path(id[, "filter"]): printed in user space as the paths of the
 * cgroup with that id, `unified:/a/b`.  The filter, a wildcard over
 * hierarchy names, rides in the type's name.
 */
static const struct type *cgroup_path(struct sema *s, struct ast_node *n)
{
	struct ast_node *a = n->u.ident.args;
	const char *filter = NULL;
	sema_expr_int(s, a, "cgroup_path()");
	if (a->next && !(filter = string_arg(s, n, a->next)))
		return sema_settype(n, &type_none);
	struct type *r = arena_new_obj(s->p->arena, struct type);
	r->kind = TY_CGROUP_PATH;
	r->size = 8;
	r->align = 8;
	r->name = filter;
	return sema_settype(n, r);
}

/* ---- strings and memory -------------------------------------------------------------------- */

/* Capacity of the result of str_concat(): every argument's characters and one NUL. */
static const struct type *str_concat(struct sema *s, struct ast_node *n)
{
	unsigned cap = 1;
	bool ok = true;
	ast_foreach(a, n->u.ident.args)
	{
		const struct type *t = sema_expr(s, a);
		if (t->kind == TY_NONE) {
			ok = false;
		} else if (t->kind != TY_STRING) {
			sema_err(s, &a->loc, "str_concat() expects string arguments, got '%s'",
				 sema_tstr(s, t));
			ok = false;
		} else {
			cap += t->size - 1;
		}
	}
	if (!ok)
		return sema_settype(n, &type_none);
	if (cap > s->p->cfg.max_strlen)
		cap = s->p->cfg.max_strlen;
	return sema_settype(n, type_string(s->p->arena, cap));
}

/* The capacity of a string or a char array, known from its type. */
static const struct type *strcap(struct sema *s, struct ast_node *n)
{
	struct ast_node *a = n->u.ident.args;
	const struct type *t = sema_expr(s, a);
	if (t->kind == TY_NONE)
		return sema_settype(n, t);
	if (t->kind == TY_STRING || (t->kind == TY_ARRAY && t->elem->size == 1)) {
		sema_make_int(n, t->kind == TY_STRING ? t->size : t->nelem, false);
		return sema_settype(n, &type_s64);
	}
	sema_err(s, &a->loc, "strcap() expects a string or a char array, got '%s'", sema_tstr(s, t));
	if (t->kind == TY_PTR)
		sema_hint(s, "a pointer has no capacity: strlen(str(p)) gives its length");
	return sema_settype(n, &type_none);
}

/* Values compared byte by byte live in memory: strings, arrays, buffers, tuples, records. */
static bool in_memory(const struct type *t)
{
	return t->kind == TY_STRING || t->kind == TY_ARRAY || t->kind == TY_BUFFER ||
	       t->kind == TY_TUPLE || t->kind == TY_RECORD || t->kind == TY_STRUCT;
}

/*
 * memcmp(a, b, n): a literal n may not be larger than either value; a count
 * known only at run time compares at most the smaller value's bytes.
 * sem.ival: the literal count, or (sem.argn set) the smaller size.
 */
static const struct type *memcmp_(struct sema *s, struct ast_node *n)
{
	struct ast_node *a = n->u.ident.args, *b = a->next, *len = b->next;
	const struct type *ta = sema_expr(s, a), *tb = sema_expr(s, b);
	int64_t l;
	sema_expr_int(s, len, "memcmp()");
	if (ta->kind == TY_NONE || tb->kind == TY_NONE)
		return sema_settype(n, &type_none);
	for (struct ast_node *x = a; x != len; x = x->next) {
		if (!in_memory(x->type)) {
			sema_err(s, &x->loc, "memcmp() expects a string, an array or a record, got '%s'",
				 sema_tstr(s, x->type));
			return sema_settype(n, &type_none);
		}
	}
	unsigned cap = ta->size < tb->size ? ta->size : tb->size;
	struct sem *sm = sema_sem(s, n);
	sm->argn = !sema_const_int(len, &l);
	if (sm->argn) {
		sm->ival = cap;
		return sema_settype(n, &type_s64);
	}
	if (l < 0) {
		sema_err(s, &len->loc, "memcmp() count must not be negative");
		return sema_settype(n, &type_none);
	}
	if ((uint64_t)l > cap) {
		sema_err(s, &len->loc,
			 "memcmp() count %" PRId64 " is larger than its arguments (%u bytes)", l, cap);
		return sema_settype(n, &type_none);
	}
	sm->ival = l;
	return sema_settype(n, &type_s64);
}

/* signal_name(n), syscall_name(n): a 64-byte string from a table in the program. */
static const struct type *name_of(struct sema *s, struct ast_node *n, enum builtin_func f)
{
	const struct type *t = sema_expr_int(s, n->u.ident.args,
					     f == BF_SIGNAL_NAME ? "signal_name()" : "syscall_name()");
	if (t->kind == TY_NONE)
		return sema_settype(n, t);
	return sema_settype(n, type_string(s->p->arena, NAME_STR_SIZE));
}

/* is_err(p): p is an error code cast to a pointer, as the kernel's IS_ERR(). */
static const struct type *is_err(struct sema *s, struct ast_node *n)
{
	const struct type *t = sema_expr(s, n->u.ident.args);
	if (t->kind != TY_NONE && !sema_is_intlike(t)) {
		sema_err(s, &n->loc, "is_err() expects a pointer or an integer, got '%s'",
			 sema_tstr(s, t));
		return sema_settype(n, &type_none);
	}
	return sema_settype(n, &type_bool);
}

/* is_array(e), is_integer(e), ...: facts about e's type (or form), folded to a bool. */
static const struct type *is_type(struct sema *s, struct ast_node *n, enum builtin_func f)
{
	struct ast_node *a = n->u.ident.args;
	bool literal = a->kind == AST_INT || a->kind == AST_STRING || a->kind == AST_BOOL ||
		       (a->kind == AST_UNOP && a->u.unop.op == UNOP_NEG &&
			a->u.unop.operand->kind == AST_INT);
	const struct type *t = sema_expr(s, a);
	bool v = false;
	if (t->kind == TY_NONE)
		return sema_settype(n, t);
	switch (f) {
	case BF_IS_ARRAY: v = t->kind == TY_ARRAY; break;
	case BF_IS_INTEGER: v = t->kind == TY_INT; break;
	case BF_IS_UNSIGNED_INTEGER: v = t->kind == TY_INT && !t->is_signed; break;
	case BF_IS_PTR: v = t->kind == TY_PTR; break;
	case BF_IS_STR: v = t->kind == TY_STRING; break;
	case BF_IS_LITERAL: v = literal; break;
	default: break;
	}
	struct loc loc = n->loc;
	struct ast_node *next = n->next;
	memset(&n->u, 0, sizeof(n->u));
	n->kind = AST_BOOL;
	n->loc = loc;
	n->next = next;
	n->sema = NULL;
	n->u.boolean.value = v;
	return sema_expr(s, n);
}

/* ---- diagnostics at compile time ----------------------------------------------------------- */

/*
 * fail("fmt", args...): a compile-time error at the call, formatted from
 * literal arguments (conversions print the value; flags and widths are not
 * applied).  Every statement is analysed, so unlike bpftrace, which drops
 * the branches of an `if` on a literal condition first, a fail() in such a
 * branch reports even when the branch can never run.
 */
static const struct type *fail(struct sema *s, struct ast_node *n)
{
	struct ast_node *fmt = n->u.ident.args;
	if (fmt->kind == AST_POSITIONAL)
		sema_positional(s, fmt);
	if (fmt->kind != AST_STRING) {
		sema_err(s, &fmt->loc, "fail() expects a string literal as its first argument");
		return sema_settype(n, &type_void);
	}
	ast_foreach(a, fmt->next) sema_expr(s, a);
	char out[1024];
	size_t o = 0;
	struct ast_node *arg = fmt->next;
	for (const char *p = fmt->u.str.value; *p && o + 1 < sizeof(out); p++) {
		if (*p != '%') {
			out[o++] = *p;
			continue;
		}
		if (p[1] == '%') {
			out[o++] = '%';
			p++;
			continue;
		}
		/* flags, width and length modifiers (not applied), then the conversion */
		const char *pct = p;
		while (*++p && strchr("-+ #0123456789.hlzjt", *p))
			;
		if (!*p) {
			/* not a conversion: the text as written */
			o += (size_t)snprintf(out + o, sizeof(out) - o, "%s", pct);
			break;
		}
		int64_t v;
		if (!arg) {
			sema_err(s, &n->loc, "fail(): not enough arguments for the format string");
			return sema_settype(n, &type_void);
		}
		if (arg->kind == AST_STRING) {
			o += (size_t)snprintf(out + o, sizeof(out) - o, "%s", arg->u.str.value);
		} else if (sema_const_int(arg, &v)) {
			unsigned long long u = (unsigned long long)v;
			size_t room = sizeof(out) - o;
			switch (*p) {
			case 'u': o += (size_t)snprintf(out + o, room, "%llu", u); break;
			case 'x': o += (size_t)snprintf(out + o, room, "%llx", u); break;
			case 'X': o += (size_t)snprintf(out + o, room, "%llX", u); break;
			case 'o': o += (size_t)snprintf(out + o, room, "%llo", u); break;
			case 'c': o += (size_t)snprintf(out + o, room, "%c", (char)v); break;
			default: o += (size_t)snprintf(out + o, room, "%lld", (long long)v); break;
			}
		} else {
			sema_err(s, &arg->loc, "fail() arguments must be literals");
			return sema_settype(n, &type_void);
		}
		if (o >= sizeof(out))
			o = sizeof(out) - 1;
		arg = arg->next;
	}
	out[o] = '\0';
	sema_err(s, &n->loc, "%s", out);
	return sema_settype(n, &type_void);
}

/* static_assert(cond, "msg"): cond must be known at compile time, and true. */
static const struct type *static_assert_(struct sema *s, struct ast_node *n)
{
	struct ast_node *c = n->u.ident.args;
	const char *msg = string_arg(s, n, c->next);
	int64_t v;
	sema_expr(s, c);
	if (c->kind == AST_BOOL)
		v = c->u.boolean.value;
	else if (!sema_const_int(c, &v)) {
		sema_err(s, &c->loc, "static_assert() needs a condition known at compile time");
		return sema_settype(n, &type_void);
	}
	if (!v && msg)
		sema_err(s, &n->loc, "static_assert failed: %s", msg);
	return sema_settype(n, &type_void);
}

/* percpu_kaddr("sym"[, cpu]): needs a per-CPU symbol from /proc/kallsyms and its BTF. */
static const struct type *percpu_kaddr(struct sema *s, struct ast_node *n)
{
	const char *name = string_arg(s, n, n->u.ident.args);
	if (n->u.ident.args->next)
		sema_expr_int(s, n->u.ident.args->next, "percpu_kaddr()");
	if (!name)
		return sema_settype(n, &type_none);
	if (!kallsyms_lookup(name)) {
		sema_err(s, &n->loc, "Failed to resolve kernel symbol: %s", name);
		sema_hint(s, "per-CPU variables are data symbols, which this kernel's /proc/kallsyms "
			     "does not list");
		return sema_settype(n, &type_none);
	}
	/* the helpers behind it take the variable as a typed kernel symbol (ksym BTF id) */
	sema_err(s, &n->loc, "percpu_kaddr() is not supported: it needs the variable's BTF id, "
			     "which ctrace does not relocate");
	return sema_settype(n, &type_none);
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
	case BF_PID:
	case BF_TID:
		return pid_tid(s, n);
	case BF_NSECS:
		return nsecs(s, n);
	case BF_COMM:
		return comm(s, n);
	case BF_USERMODE:
		return usermode(s, n);
	case BF_LEADER_TID:
		return sema_task_walk(s, n, "group_leader", "pid");
	case BF_LEADER_COMM:
		return sema_task_walk(s, n, "group_leader", "comm");
	case BF_PROBETYPE:
		return probetype(s, n);
	case BF_CGROUP_PATH:
		return cgroup_path(s, n);
	case BF_STR_CONCAT:
		return str_concat(s, n);
	case BF_STRCAP:
		return strcap(s, n);
	case BF_MEMCMP:
		return memcmp_(s, n);
	case BF_SIGNAL_NAME:
	case BF_SYSCALL_NAME:
		return name_of(s, n, f);
	case BF_IS_ERR:
		return is_err(s, n);
	case BF_IS_ARRAY:
	case BF_IS_INTEGER:
	case BF_IS_UNSIGNED_INTEGER:
	case BF_IS_PTR:
	case BF_IS_STR:
	case BF_IS_LITERAL:
		return is_type(s, n, f);
	case BF_FAIL:
		return fail(s, n);
	case BF_STATIC_ASSERT:
		return static_assert_(s, n);
	case BF_PERCPU_KADDR:
		return percpu_kaddr(s, n);
	default:
		*handled = false;
		return NULL;
	}
}
