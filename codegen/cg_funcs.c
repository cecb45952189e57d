/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Code for the functions beyond the core: stacks and symbols, registers,
 * buffers, string functions, addresses, time, join, and the unsafe ones.
 */
#include "cg.h"

#include <string.h>

#define BPF_F_USER_STACK (1ULL << 8)
#define AF_INET_ 2
#define AF_INET6_ 10

static struct cgv val(LLVMValueRef v, const struct type *t)
{
	return (struct cgv){ .v = v, .t = t };
}

static const struct sem *sem(struct ast_node *n)
{
	return n->sema;
}

static LLVMValueRef tgid(struct cg *c)
{
	LLVMValueRef t = cg_helper(c, H_GET_CURRENT_PID_TGID, c->i64, NULL, 0);
	return LLVMBuildLShr(c->b, t, cg_const(c, 32), "");
}

/* kstack/ustack: the frame count (and pid), then the addresses, zeroed past the last. */
struct cgv cg_stack(struct cg *c, const struct type *t)
{
	bool user = t->kind == TY_USTACK;
	unsigned hdr = user ? 16 : 8;
	LLVMValueRef p = cg_tmp(c, t->size);
	cg_memset0_al(c, p, t->size, 8);
	LLVMValueRef args[] = { c->ctxarg, cg_gep(c, p, hdr), cg_const(c, 8ull * t->nelem),
				cg_const(c, user ? BPF_F_USER_STACK : 0) };
	LLVMValueRef ret = cg_helper(c, H_GET_STACK, c->i64, args, 4);
	LLVMValueRef pos = LLVMBuildICmp(c->b, LLVMIntSGT, ret, cg_const(c, 0), "");
	LLVMValueRef nr = LLVMBuildSelect(c->b, pos, LLVMBuildLShr(c->b, ret, cg_const(c, 3), ""),
					  cg_const(c, 0), "");
	cg_store_int(c, p, nr, 8);
	if (user)
		cg_store_int(c, cg_gep(c, p, 8), tgid(c), 8);
	return val(p, t);
}

/* A user symbol value: the address and the process it belongs to. */
struct cgv cg_usym(struct cg *c, LLVMValueRef addr, const struct type *t)
{
	LLVMValueRef p = cg_tmp(c, 16);
	cg_store_int(c, p, addr, 8);
	cg_store_int(c, cg_gep(c, p, 8), tgid(c), 8);
	return val(p, t);
}

static void read_mem(struct cg *c, LLVMValueRef dst, LLVMValueRef size, LLVMValueRef addr,
		     bool user)
{
	LLVMValueRef args[] = { dst, size, LLVMBuildIntToPtr(c->b, addr, c->ptr, "") };
	cg_helper(c, user ? H_PROBE_READ_USER : H_PROBE_READ_KERNEL, c->i64, args, 3);
}

static struct cgv buf(struct cg *c, struct ast_node *n)
{
	struct ast_node *a = n->u.ident.args;
	unsigned len = n->type->size - 4;
	LLVMValueRef p = cg_tmp(c, n->type->size);
	struct cgv src = cg_expr(c, a);

	cg_memset0_al(c, p, n->type->size, 8);
	cg_store_int(c, p, LLVMConstInt(c->i32, len, 0), 4);
	if (type_is_int(a->type))
		read_mem(c, cg_gep(c, p, 4), cg_const(c, len), src.v, sem(n)->ival);
	else
		cg_memcpy(c, cg_gep(c, p, 4), src.v, len < src.t->size ? len : src.t->size);
	return val(p, n->type);
}

/*
 * A bounded loop over i in [0, n): body(i) returns a "stop" condition; the
 * loop ends at the first i where it is true (in *stopped) or after n (in
 * *finished).  Returns the index.
 */
typedef LLVMValueRef (*loop_body)(struct cg *c, LLVMValueRef i, void *arg);

static LLVMValueRef bounded_loop(struct cg *c, unsigned n, loop_body body, void *arg,
				 LLVMBasicBlockRef *stopped, LLVMBasicBlockRef *finished)
{
	LLVMBasicBlockRef pre = LLVMGetInsertBlock(c->b), head = cg_block(c, "loop.head"),
			  b = cg_block(c, "loop.body"), next = cg_block(c, "loop.next");
	*stopped = cg_block(c, "loop.stop");
	*finished = cg_block(c, "loop.end");
	LLVMBuildBr(c->b, head);
	LLVMPositionBuilderAtEnd(c->b, head);
	LLVMValueRef i = LLVMBuildPhi(c->b, c->i64, "i");
	LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntULT, i, cg_const(c, n), ""), b, *finished);
	LLVMPositionBuilderAtEnd(c->b, b);
	LLVMValueRef stop = body(c, i, arg);
	LLVMBuildCondBr(c->b, stop, *stopped, next);
	LLVMPositionBuilderAtEnd(c->b, next);
	LLVMValueRef i1 = LLVMBuildAdd(c->b, i, cg_const(c, 1), "");
	LLVMBuildBr(c->b, head);
	LLVMValueRef iv[] = { cg_const(c, 0), i1 };
	LLVMBasicBlockRef ib[] = { pre, next };
	LLVMAddIncoming(i, iv, ib, 2);
	return i; /* the index, usable in the stopped block */
}

static LLVMValueRef byte_at(struct cg *c, LLVMValueRef p, LLVMValueRef i)
{
	LLVMValueRef q = LLVMBuildGEP2(c->b, c->i8, p, &i, 1, "");
	return LLVMBuildZExt(c->b, LLVMBuildLoad2(c->b, c->i8, q, ""), c->i64, "");
}

/* Join the stopped and finished exits of a loop into one block with a value for each. */
static LLVMValueRef loop_result(struct cg *c, LLVMBasicBlockRef stopped, LLVMValueRef sv,
				LLVMBasicBlockRef finished, LLVMValueRef fv)
{
	LLVMBasicBlockRef done = cg_block(c, "loop.done");
	LLVMPositionBuilderAtEnd(c->b, stopped);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, finished);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
	LLVMValueRef phi = LLVMBuildPhi(c->b, LLVMTypeOf(sv), "");
	LLVMValueRef vals[] = { sv, fv };
	LLVMBasicBlockRef bbs[] = { stopped, finished };
	LLVMAddIncoming(phi, vals, bbs, 2);
	return phi;
}

struct two_strings {
	LLVMValueRef a, b;
	LLVMValueRef differ; /* set by the body, for the result */
};

static LLVMValueRef ncmp_body(struct cg *c, LLVMValueRef i, void *arg)
{
	struct two_strings *t = arg;
	LLVMValueRef x = byte_at(c, t->a, i), y = byte_at(c, t->b, i);
	t->differ = LLVMBuildICmp(c->b, LLVMIntNE, x, y, "");
	LLVMValueRef nul = LLVMBuildICmp(c->b, LLVMIntEQ, x, cg_const(c, 0), "");
	return LLVMBuildOr(c->b, t->differ, nul, "");
}

/* strncmp(a, b, n): 0 when the first n characters (up to a NUL) are equal, else 1. */
static struct cgv strncmp_(struct cg *c, struct ast_node *n)
{
	struct ast_node *a = n->u.ident.args;
	struct two_strings t = { cg_expr(c, a).v, cg_expr(c, a->next).v, NULL };
	unsigned len = (unsigned)sem(n)->ival;
	unsigned cap = a->type->size < a->next->type->size ? a->type->size : a->next->type->size;
	if (len > cap)
		len = cap;
	LLVMBasicBlockRef stopped, finished;
	bounded_loop(c, len, ncmp_body, &t, &stopped, &finished);
	/* stopped at a difference (1) or at a shared NUL (0); ran out: equal (0) */
	LLVMPositionBuilderAtEnd(c->b, stopped);
	LLVMValueRef r = cg_bool(c, t.differ);
	return val(loop_result(c, stopped, r, finished, cg_const(c, 0)), n->type);
}

static LLVMValueRef strlen_body(struct cg *c, LLVMValueRef i, void *arg)
{
	return LLVMBuildICmp(c->b, LLVMIntEQ, byte_at(c, arg, i), cg_const(c, 0), "");
}

static struct cgv strlen_(struct cg *c, struct ast_node *n)
{
	struct ast_node *a = n->u.ident.args;
	LLVMValueRef p = cg_expr(c, a).v;
	LLVMBasicBlockRef stopped, finished;
	/* the index where the NUL was found is the length */
	LLVMValueRef i = bounded_loop(c, a->type->size, strlen_body, p, &stopped, &finished);
	return val(loop_result(c, stopped, i, finished, cg_const(c, a->type->size)), n->type);
}

/*
 * strcontains(haystack, "literal") and strstr(haystack, "literal"): at each
 * position, compare the needle's bytes with early exits.  Booleans combined
 * as values would make the BPF backend branch on each byte and the verifier
 * walk every combination of outcomes; early exits leave one state per
 * position.  The result: found (1, or the index) or not (0, or -1).
 */
static struct cgv search(struct cg *c, struct ast_node *n, bool index)
{
	struct ast_node *a = n->u.ident.args, *nd = a->next;
	if (!nd->u.str.len) /* the empty needle is found at once */
		return val(cg_const(c, index ? 0 : 1), n->type);
	LLVMValueRef hay = cg_expr(c, a).v;
	unsigned hsize = a->type->size, len = (unsigned)nd->u.str.len;
	unsigned positions = hsize >= len ? hsize - len + 1 : 0;
	LLVMBasicBlockRef pre = LLVMGetInsertBlock(c->b), head = cg_block(c, "sc.head"),
			  body = cg_block(c, "sc.body"), next = cg_block(c, "sc.next"),
			  found = cg_block(c, "sc.found"), missing = cg_block(c, "sc.missing"),
			  done = cg_block(c, "sc.done");

	LLVMBuildBr(c->b, head);
	LLVMPositionBuilderAtEnd(c->b, head);
	LLVMValueRef i = LLVMBuildPhi(c->b, c->i64, "i");
	LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntULT, i, cg_const(c, positions), ""), body,
			missing);
	LLVMPositionBuilderAtEnd(c->b, body);
	/* the haystack ended before a match */
	LLVMBasicBlockRef cmp = cg_block(c, "sc.cmp");
	LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntEQ, byte_at(c, hay, i), cg_const(c, 0), ""),
			missing, cmp);
	LLVMPositionBuilderAtEnd(c->b, cmp);
	for (unsigned j = 0; j < len; j++) {
		LLVMValueRef idx = LLVMBuildAdd(c->b, i, cg_const(c, j), "");
		LLVMValueRef ch = byte_at(c, hay, idx);
		LLVMBasicBlockRef more = j + 1 < len ? cg_block(c, "sc.more") : found;
		LLVMValueRef want = cg_const(c, (unsigned char)nd->u.str.value[j]);
		LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntEQ, ch, want, ""), more, next);
		if (j + 1 < len)
			LLVMPositionBuilderAtEnd(c->b, more);
	}
	LLVMPositionBuilderAtEnd(c->b, next);
	LLVMValueRef i1 = LLVMBuildAdd(c->b, i, cg_const(c, 1), "");
	LLVMBuildBr(c->b, head);
	LLVMValueRef iv[] = { cg_const(c, 0), i1 };
	LLVMBasicBlockRef ib[] = { pre, next };
	LLVMAddIncoming(i, iv, ib, 2);
	LLVMPositionBuilderAtEnd(c->b, found);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, missing);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
	LLVMValueRef phi = LLVMBuildPhi(c->b, c->i64, "");
	LLVMValueRef vals[] = { index ? i : cg_const(c, 1), cg_const(c, index ? (uint64_t)-1 : 0) };
	LLVMBasicBlockRef bbs[] = { found, missing };
	LLVMAddIncoming(phi, vals, bbs, 2);
	return val(phi, n->type);
}

static struct cgv const_bytes(struct cg *c, const char *bytes, const struct type *t)
{
	LLVMValueRef p = cg_tmp(c, t->size);
	for (unsigned i = 0; i < t->size; i++)
		cg_store_int(c, cg_gep(c, p, i), LLVMConstInt(c->i8, (unsigned char)bytes[i], 0), 1);
	return val(p, t);
}

static struct cgv ntop(struct cg *c, struct ast_node *n)
{
	struct ast_node *a = n->u.ident.args, *addr = a->next ? a->next : a;
	LLVMValueRef p = cg_tmp(c, 24);
	cg_memset0_al(c, p, 24, 8);
	LLVMValueRef af = a->next ? cg_expr(c, a).v : NULL;
	struct cgv v = cg_expr(c, addr);
	if (type_is_int(addr->type)) {
		cg_store_int(c, cg_gep(c, p, 8), v.v, 4);
		if (!af)
			af = cg_const(c, AF_INET_);
	} else {
		cg_memcpy(c, cg_gep(c, p, 8), v.v, addr->type->size);
		if (!af)
			af = cg_const(c, addr->type->size == 4 ? AF_INET_ : AF_INET6_);
	}
	cg_store_int(c, p, af, 8);
	return val(p, n->type);
}

static struct cgv macaddr(struct cg *c, struct ast_node *n)
{
	struct ast_node *a = n->u.ident.args;
	LLVMValueRef p = cg_tmp(c, 8);
	struct cgv v = cg_expr(c, a);
	cg_memset0_al(c, p, 8, 8);
	if (type_is_int(a->type))
		read_mem(c, p, cg_const(c, 6), v.v, sem(n)->ival);
	else
		cg_memcpy(c, p, v.v, 6);
	return val(p, n->type);
}

static struct cgv strftime_(struct cg *c, struct ast_node *n)
{
	LLVMValueRef p = cg_tmp(c, 16);
	cg_store_int(c, p, cg_expr(c, n->u.ident.args->next).v, 8);
	cg_store_int(c, cg_gep(c, p, 8), cg_const(c, (uint64_t)sem(n)->fmt_id), 8);
	return val(p, n->type);
}

/*
 * join(argv[, sep]): up to JOIN_MAX strings of an array of string pointers,
 * read until the first NULL, sent as one event: the header, a u64 count, then
 * JOIN_MAX slots of the string size.
 */
static void join(struct cg *c, struct ast_node *n)
{
	unsigned slot = c->p->res.max_strlen < 1024 ? c->p->res.max_strlen : 1024;
	unsigned size = 16 + JOIN_MAX * slot;
	bool user = sem(n)->ival;
	LLVMValueRef ev = cg_tmp(c, size);
	LLVMValueRef arr = cg_expr(c, n->u.ident.args).v;
	LLVMValueRef ptr = cg_tmp(c, 8);
	LLVMBasicBlockRef done = cg_block(c, "join.done");

	if (LLVMIsAAllocaInst(ev))
		cg_memset0_al(c, ev, size, 8);
	cg_event_hdr(c, EV_JOIN, (unsigned)sem(n)->fmt_id, ev);
	cg_store_int(c, cg_gep(c, ev, 8), cg_const(c, 0), 8);
	for (unsigned i = 0; i < JOIN_MAX; i++) {
		cg_store_int(c, ptr, cg_const(c, 0), 8);
		read_mem(c, ptr, cg_const(c, 8), LLVMBuildAdd(c->b, arr, cg_const(c, 8 * i), ""), user);
		LLVMValueRef s = cg_load_int(c, ptr, 8, false);
		LLVMBasicBlockRef more = cg_block(c, "join.more");
		LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntEQ, s, cg_const(c, 0), ""), done, more);
		LLVMPositionBuilderAtEnd(c->b, more);
		LLVMValueRef dst = cg_gep(c, ev, 16 + i * slot);
		cg_store_int(c, dst, LLVMConstInt(c->i8, 0, 0), 1);
		LLVMValueRef args[] = { dst, cg_const(c, slot), LLVMBuildIntToPtr(c->b, s, c->ptr, "") };
		cg_helper(c, user ? H_PROBE_READ_USER_STR : H_PROBE_READ_KERNEL_STR, c->i64, args, 3);
		cg_store_int(c, cg_gep(c, ev, 8), cg_const(c, i + 1), 8);
	}
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
	cg_ringbuf_output(c, ev, size);
}

static void signal_(struct cg *c, struct ast_node *n, bool thread)
{
	LLVMValueRef sig = LLVMBuildTrunc(c->b, cg_expr(c, n->u.ident.args).v, c->i32, "");
	cg_helper(c, thread ? H_SEND_SIGNAL_THREAD : H_SEND_SIGNAL, c->i64, &sig, 1);
}

struct cgv cg_func(struct cg *c, struct ast_node *n, enum builtin_func f)
{
	switch (f) {
	case BF_KSTACK:
	case BF_USTACK:
		return cg_stack(c, n->type);
	case BF_KSYM:
	case BF_STRERROR:
		return val(cg_expr(c, n->u.ident.args).v, n->type);
	case BF_USYM: {
		struct cgv v = cg_expr(c, n->u.ident.args);
		if (n->u.ident.args->type->kind == TY_USYM)
			return val(v.v, n->type);
		if (n->u.ident.args->type->kind == TY_KSYM)
			return cg_usym(c, v.v, n->type);
		return cg_usym(c, v.v, n->type);
	}
	case BF_REG:
		return val(cg_load_int(c, cg_gep(c, c->ctxarg, sem(n)->ctx.offset), 8, false), n->type);
	case BF_BUF:
		return buf(c, n);
	case BF_STRNCMP:
		return strncmp_(c, n);
	case BF_STRLEN:
		return strlen_(c, n);
	case BF_STRCONTAINS:
	case BF_STRSTR:
		return search(c, n, f == BF_STRSTR);
	case BF_NTOP:
		return ntop(c, n);
	case BF_PTON:
		return const_bytes(c, sem(n)->bytes, n->type);
	case BF_MACADDR:
		return macaddr(c, n);
	case BF_STRFTIME:
		return strftime_(c, n);
	case BF_JOIN:
		join(c, n);
		break;
	case BF_SIGNAL:
	case BF_SIGNAL_THREAD:
		signal_(c, n, f == BF_SIGNAL_THREAD);
		break;
	default:
		break;
	}
	return val(cg_const(c, 0), n->type);
}
