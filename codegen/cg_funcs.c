/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Code for the functions beyond the core: stacks and symbols, registers,
 * buffers, string functions, addresses, time, join, and the unsafe ones.
 */
#include "cg.h"

#include <stdio.h>
#include <string.h>

/* syscall numbers and names of this architecture (kernel ABI data, no libbpf) */
#include "../runtime/provider/syscall_table.h"

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

/*
 * kstack/ustack into p: the frame count (and pid), then the addresses.  The
 * helper itself zeroes the buffer past the last frame (all of it on an
 * error), so every byte is written without clearing it first.
 */
void cg_stack_into(struct cg *c, const struct type *t, LLVMValueRef p)
{
	bool user = t->kind == TY_USTACK;
	unsigned hdr = user ? 16 : 8;
	LLVMValueRef args[] = { c->ctxarg, cg_gep(c, p, hdr), cg_const(c, 8ull * t->nelem),
				cg_const(c, user ? BPF_F_USER_STACK : 0) };
	LLVMValueRef ret = cg_helper(c, H_GET_STACK, c->i64, args, 4);
	LLVMValueRef pos = LLVMBuildICmp(c->b, LLVMIntSGT, ret, cg_const(c, 0), "");
	LLVMValueRef nr = LLVMBuildSelect(c->b, pos, LLVMBuildLShr(c->b, ret, cg_const(c, 3), ""),
					  cg_const(c, 0), "");
	cg_store_int(c, p, nr, 8);
	if (user)
		cg_store_int(c, cg_gep(c, p, 8), tgid(c), 8);
}

struct cgv cg_stack(struct cg *c, const struct type *t)
{
	LLVMValueRef p = cg_tmp(c, t->size);
	cg_stack_into(c, t, p);
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

/* ---- process, time and probe builtins with arguments ---------------------------------------- */

static struct cgv pid_tid(struct cg *c, struct ast_node *n, bool pid)
{
	const struct sem *sm = sem(n);
	LLVMValueRef v;
	if (sm->ival) {
		/* ctrace's own PID namespace: struct bpf_pidns_info { u32 pid; u32 tgid; } */
		LLVMValueRef info = cg_tmp(c, 8);
		cg_store_int(c, info, cg_const(c, 0), 8);
		LLVMValueRef args[] = { cg_const(c, (uint64_t)(unsigned)sm->argn),
					cg_const(c, (uint64_t)sm->ival), info,
					LLVMConstInt(c->i32, 8, 0) };
		cg_helper(c, H_GET_NS_CURRENT_PID_TGID, c->i64, args, 4);
		v = cg_load_int(c, cg_gep(c, info, pid ? 4 : 0), 4, false);
	} else {
		LLVMValueRef t = cg_helper(c, H_GET_CURRENT_PID_TGID, c->i64, NULL, 0);
		v = pid ? LLVMBuildLShr(c->b, t, cg_const(c, 32), "")
			: LLVMBuildAnd(c->b, t, cg_const(c, 0xffffffff), "");
	}
	return val(v, n->type);
}

static struct cgv nsecs(struct cg *c, struct ast_node *n)
{
	const struct sem *sm = sem(n);
	switch ((enum nsecs_clock)sm->argn) {
	case NSECS_MONOTONIC:
		return val(cg_helper(c, H_KTIME_GET_NS, c->i64, NULL, 0), n->type);
	case NSECS_TAI:
		return val(cg_helper(c, H_KTIME_GET_TAI_NS, c->i64, NULL, 0), n->type);
	case NSECS_SW_TAI: {
		LLVMValueRef m = cg_helper(c, H_KTIME_GET_NS, c->i64, NULL, 0);
		return val(LLVMBuildAdd(c->b, m, cg_const(c, (uint64_t)sm->ival), ""), n->type);
	}
	}
	return val(cg_const(c, 0), n->type);
}

/* usermode: the saved cs of a pt_regs context has privilege level 3 in user mode. */
static struct cgv usermode(struct cg *c, struct ast_node *n)
{
	const struct sem *sm = sem(n);
	if (!sm->ival)
		return val(cg_const(c, 0), n->type);
	LLVMValueRef cs = cg_load_int(c, cg_gep(c, c->ctxarg, (unsigned)sm->ctx.offset), 8, false);
	LLVMValueRef rpl = LLVMBuildAnd(c->b, cs, cg_const(c, 3), "");
	return val(cg_bool(c, LLVMBuildICmp(c->b, LLVMIntEQ, rpl, cg_const(c, 3), "")), n->type);
}

/* leader_tid, leader_comm: curtask->group_leader->pid / ->comm. */
static struct cgv task_walk(struct cg *c, struct ast_node *n)
{
	const struct sem *sm = sem(n);
	LLVMValueRef task = cg_helper(c, H_GET_CURRENT_TASK, c->i64, NULL, 0);
	struct cgv link = cg_read(c, LLVMBuildAdd(c->b, task, cg_const(c, sm->ctx.offset), ""),
				  &type_u64, false);
	LLVMValueRef addr = LLVMBuildAdd(c->b, link.v, cg_const(c, (uint64_t)sm->ctx.disp), "");
	return cg_read(c, addr, n->type, false);
}

/* ---- strings and memory -------------------------------------------------------------------- */

/*
 * v through an empty inline asm (libbpf's barrier_var): LLVM no longer knows
 * its range, so it can not turn `pointer + v` into `pointer | v`, which the
 * verifier rejects.
 */
static LLVMValueRef opaque(struct cg *c, LLVMValueRef v)
{
	LLVMTypeRef ty = LLVMTypeOf(v);
	LLVMTypeRef fty = LLVMFunctionType(ty, &ty, 1, 0);
	LLVMValueRef as = LLVMGetInlineAsm(fty, "", 0, "=r,0", 4, 1, 0, LLVMInlineAsmDialectATT, 0);
	return LLVMBuildCall2(c->b, fty, as, &v, 1, "");
}

/*
 * str_concat(a, b, ...): each argument copied after the last with
 * bpf_probe_read_kernel_str, which stops at its NUL.  The write position
 * stays below the capacity; the buffer is twice the capacity so that the
 * verifier, which does not relate the position to the remaining room, sees
 * every write in bounds.
 */
static struct cgv str_concat(struct cg *c, struct ast_node *n)
{
	unsigned cap = n->type->size;
	LLVMValueRef buf = cg_tmp(c, 2 * cap), pos = cg_const(c, 0);
	LLVMValueRef last = cg_const(c, cap - 1), zero = cg_const(c, 0);
	cg_memset0_al(c, buf, cap, 8);
	ast_foreach(a, n->u.ident.args)
	{
		LLVMValueRef src = cg_expr(c, a).v;
		pos = opaque(c, pos);
		LLVMValueRef dst = LLVMBuildGEP2(c->b, c->i8, buf, &pos, 1, "");
		LLVMValueRef room = LLVMBuildSub(c->b, cg_const(c, cap), pos, "");
		LLVMValueRef args[] = { dst, LLVMBuildTrunc(c->b, room, c->i32, ""), src };
		LLVMValueRef got = cg_helper(c, H_PROBE_READ_KERNEL_STR, c->i64, args, 3);
		/* the characters copied: the count returned includes the NUL */
		LLVMValueRef ok = LLVMBuildICmp(c->b, LLVMIntSGT, got, zero, "");
		LLVMValueRef len = LLVMBuildSelect(
			c->b, ok, LLVMBuildSub(c->b, got, cg_const(c, 1), ""), zero, "");
		pos = LLVMBuildAdd(c->b, pos, len, "");
		LLVMValueRef over = LLVMBuildICmp(c->b, LLVMIntUGT, pos, last, "");
		pos = LLVMBuildSelect(c->b, over, last, pos, "");
	}
	return val(buf, n->type);
}

struct two_values {
	LLVMValueRef a, b;
	LLVMValueRef count;     /* a run-time count, or NULL */
	LLVMValueRef x, y, in;  /* the bytes at the index and whether it is below count */
};

static LLVMValueRef memcmp_body(struct cg *c, LLVMValueRef i, void *arg)
{
	struct two_values *t = arg;
	t->x = byte_at(c, t->a, i);
	t->y = byte_at(c, t->b, i);
	LLVMValueRef ne = LLVMBuildICmp(c->b, LLVMIntNE, t->x, t->y, "");
	if (!t->count)
		return ne;
	t->in = LLVMBuildICmp(c->b, LLVMIntULT, i, t->count, "");
	return LLVMBuildOr(c->b, ne, LLVMBuildNot(c->b, t->in, ""), "");
}

/*
 * memcmp(a, b, n): 0 when the first n bytes are equal, else the first
 * difference (a - b).  A run-time n: the loop runs over the smaller value
 * and also stops at n.
 */
static struct cgv memcmp_(struct cg *c, struct ast_node *n)
{
	struct ast_node *a = n->u.ident.args;
	struct two_values t = { cg_expr(c, a).v, cg_expr(c, a->next).v, NULL, NULL, NULL, NULL };
	if (sem(n)->argn)
		t.count = cg_expr(c, a->next->next).v;
	LLVMBasicBlockRef stopped, finished;
	bounded_loop(c, (unsigned)sem(n)->ival, memcmp_body, &t, &stopped, &finished);
	LLVMPositionBuilderAtEnd(c->b, stopped);
	LLVMValueRef d = LLVMBuildSub(c->b, t.x, t.y, "");
	if (t.count)
		d = LLVMBuildSelect(c->b, t.in, d, cg_const(c, 0), "");
	return val(loop_result(c, stopped, d, finished, cg_const(c, 0)), n->type);
}

/* The signal descriptions of strsignal(3), the table bpftrace's signal_name() uses. */
static const char *const signal_names[] = {
	"Unknown signal 0", "Hangup", "Interrupt", "Quit", "Illegal instruction",
	"Trace/breakpoint trap", "Aborted", "Bus error", "Floating point exception", "Killed",
	"User defined signal 1", "Segmentation fault", "User defined signal 2", "Broken pipe",
	"Alarm clock", "Terminated", "Stack fault", "Child exited", "Continued",
	"Stopped (signal)", "Stopped", "Stopped (tty input)", "Stopped (tty output)",
	"Urgent I/O condition", "CPU time limit exceeded", "File size limit exceeded",
	"Virtual timer expired", "Profiling timer expired", "Window changed", "I/O possible",
	"Power failure", "Bad system call", "Unknown signal 32", "Unknown signal 33",
};

#define SIGRTMIN_ 34
#define SIGRTMAX_ 64

/* Write name, NUL-padded to NAME_STR_SIZE bytes, at p: eight 64-bit stores. */
static void store_name(struct cg *c, LLVMValueRef p, const char *name)
{
	char bytes[NAME_STR_SIZE] = { 0 };
	strncpy(bytes, name, NAME_STR_SIZE - 1);
	for (unsigned off = 0; off < NAME_STR_SIZE; off += 8) {
		uint64_t w = 0;
		for (unsigned j = 0; j < 8; j++)
			w |= (uint64_t)(unsigned char)bytes[off + j] << (8 * j);
		cg_store_int(c, cg_gep(c, p, off), cg_const(c, w), 8);
	}
}

/*
 * The name of a number: a switch whose cases each store one name.  The
 * names are constants of the program; unknown numbers get `unknown`.
 */
static struct cgv name_switch(struct cg *c, struct ast_node *n, const char *const *names,
			      const unsigned *nrs, unsigned count, const char *unknown)
{
	LLVMValueRef p = cg_tmp(c, NAME_STR_SIZE);
	LLVMValueRef v = cg_expr(c, n->u.ident.args).v;
	LLVMBasicBlockRef done = cg_block(c, "name.done"), other = cg_block(c, "name.other");
	LLVMValueRef sw = LLVMBuildSwitch(c->b, v, other, count);
	for (unsigned i = 0; i < count; i++) {
		LLVMBasicBlockRef b = cg_block(c, "name.case");
		LLVMAddCase(sw, cg_const(c, nrs[i]), b);
		LLVMPositionBuilderAtEnd(c->b, b);
		store_name(c, p, names[i]);
		LLVMBuildBr(c->b, done);
	}
	LLVMPositionBuilderAtEnd(c->b, other);
	store_name(c, p, unknown);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
	return val(p, n->type);
}

static struct cgv signal_name(struct cg *c, struct ast_node *n)
{
	const char *names[SIGRTMAX_ + 1];
	char rt[SIGRTMAX_ + 1 - SIGRTMIN_][24];
	unsigned nrs[SIGRTMAX_ + 1];
	for (unsigned i = 0; i <= SIGRTMAX_; i++) {
		nrs[i] = i;
		if (i < SIGRTMIN_) {
			names[i] = signal_names[i];
		} else {
			snprintf(rt[i - SIGRTMIN_], sizeof(rt[0]), "Real-time signal %u", i - SIGRTMIN_);
			names[i] = rt[i - SIGRTMIN_];
		}
	}
	return name_switch(c, n, names, nrs, SIGRTMAX_ + 1, "N/A");
}

/*
 * syscall_name(n): the __NR_ name.  The table lists the names of the
 * syscalls tracepoints, which say newstat for stat and so on.
 */
static struct cgv syscall_name(struct cg *c, struct ast_node *n)
{
	static const char *const renamed[] = { "newstat", "newfstat", "newlstat", "newuname" };
	unsigned count = sizeof(syscall_table) / sizeof(syscall_table[0]);
	const char *names[sizeof(syscall_table) / sizeof(syscall_table[0])];
	unsigned nrs[sizeof(syscall_table) / sizeof(syscall_table[0])];
	for (unsigned i = 0; i < count; i++) {
		names[i] = syscall_table[i].name;
		nrs[i] = syscall_table[i].nr;
		for (size_t j = 0; j < sizeof(renamed) / sizeof(renamed[0]); j++)
			if (!strcmp(names[i], renamed[j]))
				names[i] += 3;
	}
	return name_switch(c, n, names, nrs, count, "unknown");
}

/* is_err(p): the kernel's IS_ERR(), an address in the last page: -4095..-1. */
static struct cgv is_err(struct cg *c, struct ast_node *n)
{
	LLVMValueRef v = cg_expr(c, n->u.ident.args).v;
	LLVMValueRef e = LLVMBuildICmp(c->b, LLVMIntUGE, v, cg_const(c, (uint64_t)-4095), "");
	return val(cg_bool(c, e), n->type);
}

/* ---- messages, assertions, map lookups ------------------------------------------------------ */

/* An event of a format with arguments (errorf, warnf, assert's message). */
static void fmt_event(struct cg *c, struct ast_node *n, enum event_kind kind,
		      struct ast_node *args)
{
	const struct fmt_res *f = &c->p->res.fmts[sem(n)->fmt_id];
	unsigned size = 8 + f->args->size, i = 0;
	LLVMValueRef buf = cg_tmp(c, size);
	if (LLVMIsAAllocaInst(buf))
		cg_memset0_al(c, buf, size, 8);
	cg_event_hdr(c, kind, (unsigned)f->id, buf);
	ast_foreach(a, args)
	{
		const struct field *fl = &f->args->fields[i++];
		cg_expr_into(c, a, cg_gep(c, buf, 8 + fl->offset), fl->type);
	}
	cg_ringbuf_output(c, buf, size);
}

static void assert_(struct cg *c, struct ast_node *n)
{
	struct ast_node *cond = n->u.ident.args;
	LLVMBasicBlockRef bad = cg_block(c, "assert.fail"), good = cg_block(c, "assert.ok");
	LLVMBuildCondBr(c->b, cg_cond(c, cond), good, bad);
	LLVMPositionBuilderAtEnd(c->b, bad);
	fmt_event(c, n, EV_ERRORF, cond->next);
	LLVMValueRef ev = cg_tmp(c, 16);
	cg_event_hdr(c, EV_EXIT, 0, ev);
	cg_store_int(c, cg_gep(c, ev, 8), cg_const(c, 1), 8);
	cg_ringbuf_output(c, ev, 16);
	LLVMBuildRet(c->b, cg_const(c, 0));
	LLVMPositionBuilderAtEnd(c->b, good);
}

static struct cgv find(struct cg *c, struct ast_node *n)
{
	struct ast_node *m = n->u.ident.args, *k = m->next, *var = k->next;
	const struct map_res *r = cg_map_res(c, m);
	struct ast_node *saved = m->u.ident.args;
	m->u.ident.args = k; /* the key, written as the map node's own */
	LLVMValueRef key = cg_map_key(c, m, r, 0);
	m->u.ident.args = saved;
	LLVMValueRef p = cg_map_lookup(c, c->maps[r->id], key);
	LLVMValueRef found = LLVMBuildIsNotNull(c->b, p, "");
	LLVMBasicBlockRef hit = cg_block(c, "find.hit"), done = cg_block(c, "find.done");
	LLVMBuildCondBr(c->b, found, hit, done);
	LLVMPositionBuilderAtEnd(c->b, hit);
	struct cgv v = val(p, r->val);
	if (type_is_scalar(r->val))
		v.v = cg_load_int(c, p, r->val->size, r->val->is_signed);
	cg_var_store(c, ((const struct sem *)var->sema)->var, v);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
	return val(cg_bool(c, found), n->type);
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
	case BF_PID:
	case BF_TID:
		return pid_tid(c, n, f == BF_PID);
	case BF_NSECS:
		return nsecs(c, n);
	case BF_USERMODE:
		return usermode(c, n);
	case BF_LEADER_TID:
	case BF_LEADER_COMM:
		return task_walk(c, n);
	case BF_CGROUP_PATH:
		return val(cg_expr(c, n->u.ident.args).v, n->type);
	case BF_STR_CONCAT:
		return str_concat(c, n);
	case BF_MEMCMP:
		return memcmp_(c, n);
	case BF_SIGNAL_NAME:
		return signal_name(c, n);
	case BF_SYSCALL_NAME:
		return syscall_name(c, n);
	case BF_IS_ERR:
		return is_err(c, n);
	case BF_ERRORF:
	case BF_WARNF:
		if (!sem(n)->ival)
			fmt_event(c, n, f == BF_ERRORF ? EV_ERRORF : EV_WARNF, n->u.ident.args->next);
		break;
	case BF_ASSERT:
		assert_(c, n);
		break;
	case BF_FIND:
		return find(c, n);
	default:
		break;
	}
	return val(cg_const(c, 0), n->type);
}
