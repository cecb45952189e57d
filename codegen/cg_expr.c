/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Expressions.  Scalars (integers, bools, pointers, probe ids) are i64
 * values; strings, tuples and other aggregates are pointers to their bytes,
 * laid out as their type says.  Integer arithmetic is 64-bit, with
 * bpftrace's run-time semantics: `/` and `%` unsigned, `>>` logical.
 */
#include "cg.h"

#include <string.h>

#include "arena.h"

static struct cgv val(LLVMValueRef v, const struct type *t)
{
	return (struct cgv){ .v = v, .t = t };
}

static struct cgv string_lit(struct cg *c, struct ast_node *n)
{
	unsigned size = n->type->size;
	LLVMValueRef p = cg_tmp(c, size);
	unsigned off = 0;
	const unsigned char *s = (const unsigned char *)n->u.str.value;

	/* the literal's bytes and its NUL, 8 at a time */
	while (off < size) {
		unsigned chunk = size - off >= 8 ? 8 : size - off >= 4 ? 4 : size - off >= 2 ? 2 : 1;
		uint64_t v = 0;
		for (unsigned i = 0; i < chunk; i++)
			if (off + i < n->u.str.len)
				v |= (uint64_t)s[off + i] << (8 * i);
		LLVMTypeRef t = LLVMIntTypeInContext(c->ctx, chunk * 8);
		cg_store_int(c, cg_gep(c, p, off), LLVMConstInt(t, v, 0), chunk);
		off += chunk;
	}
	return val(p, n->type);
}

/* ---- builtin variables ---------------------------------------------------------------------- */

static LLVMValueRef ctx_load(struct cg *c, const struct ctx_access *ca)
{
	switch (ca->kind) {
	case CTX_CONST:
		return cg_const(c, (uint64_t)ca->value);
	case CTX_FUNC_IP:
		return cg_helper(c, H_GET_FUNC_IP, c->i64, &c->ctxarg, 1);
	case CTX_DEREF: {
		/* an operand in memory: register + displacement, read with the right helper */
		LLVMValueRef base = cg_load_int(c, cg_gep(c, c->ctxarg, ca->offset), 8, false);
		LLVMValueRef addr = LLVMBuildAdd(c->b, base, cg_const(c, (uint64_t)ca->disp), "");
		LLVMValueRef tmp = cg_tmp(c, 8);
		cg_store_int(c, tmp, cg_const(c, 0), 8);
		LLVMValueRef args[] = { tmp, cg_const(c, ca->size),
					LLVMBuildIntToPtr(c->b, addr, c->ptr, "") };
		cg_helper(c, ca->user ? H_PROBE_READ_USER : H_PROBE_READ_KERNEL, c->i64, args, 3);
		return cg_load_int(c, tmp, ca->size, ca->is_signed);
	}
	case CTX_LOAD:
	case CTX_ARGS_PTR:
	case CTX_NONE:
		break;
	}
	return cg_load_int(c, cg_gep(c, c->ctxarg, ca->offset), ca->size, ca->is_signed);
}

/*
 * Where this program finds argument n: each program asks its own target,
 * since a provider may group targets whose arguments sit in different places
 * (USDT call sites) into different programs.
 */
static struct ctx_access prog_arg(struct cg *c, struct ast_node *n, const struct sem *sm)
{
	const struct attach *a = c->pg->proto;
	struct ctx_access ca = { 0 };
	const struct type *t = NULL;
	if (a->prov->arg && a->prov->arg(c->p, (struct attach *)a, n->u.ident.name, &ca, &t) == 0)
		return ca;
	return sm->ctx;
}

static LLVMValueRef arg_load(struct cg *c, struct ast_node *n, const struct sem *sm)
{
	struct ctx_access ca = prog_arg(c, n, sm);
	return ctx_load(c, &ca);
}

static LLVMValueRef elapsed(struct cg *c)
{
	LLVMValueRef now = cg_helper(c, H_KTIME_GET_BOOT_NS, c->i64, NULL, 0);
	LLVMValueRef key = cg_tmp(c, 8);
	cg_store_int(c, key, LLVMConstInt(c->i32, 0, 0), 4);
	LLVMValueRef p = cg_map_lookup(c, c->start_map, key);
	LLVMBasicBlockRef have = cg_block(c, "start"), done = cg_block(c, "elapsed"),
			  cur = LLVMGetInsertBlock(c->b);
	LLVMBuildCondBr(c->b, LLVMBuildIsNull(c->b, p, ""), done, have);
	LLVMPositionBuilderAtEnd(c->b, have);
	LLVMValueRef d = LLVMBuildSub(c->b, now, cg_load_int(c, p, 8, false), "");
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
	LLVMValueRef phi = LLVMBuildPhi(c->b, c->i64, "");
	LLVMValueRef vals[] = { cg_const(c, 0), d };
	LLVMBasicBlockRef bbs[] = { cur, have };
	LLVMAddIncoming(phi, vals, bbs, 2);
	return phi;
}

static struct cgv element(struct cg *c, struct ast_node *n, struct ast_node *base,
			  struct ast_node *index);
static struct cgv task_walk(struct cg *c, struct ast_node *n, const struct sem *sm);

static struct cgv builtin(struct cg *c, struct ast_node *n)
{
	const struct sem *sm = n->sema;
	LLVMValueRef v = NULL, t;

	switch ((enum builtin_var)sm->id) {
	case BV_PID:
	case BV_TID:
		t = cg_helper(c, H_GET_CURRENT_PID_TGID, c->i64, NULL, 0);
		v = sm->id == BV_PID ? LLVMBuildLShr(c->b, t, cg_const(c, 32), "")
				     : LLVMBuildAnd(c->b, t, cg_const(c, 0xffffffff), "");
		break;
	case BV_UID:
	case BV_GID:
		t = cg_helper(c, H_GET_CURRENT_UID_GID, c->i64, NULL, 0);
		v = sm->id == BV_GID ? LLVMBuildLShr(c->b, t, cg_const(c, 32), "")
				     : LLVMBuildAnd(c->b, t, cg_const(c, 0xffffffff), "");
		break;
	case BV_COMM: {
		LLVMValueRef p = cg_tmp(c, 16);
		LLVMValueRef args[] = { p, cg_const(c, 16) };
		cg_helper(c, H_GET_CURRENT_COMM, c->i64, args, 2);
		return val(p, n->type);
	}
	case BV_NSECS:
		v = cg_helper(c, H_KTIME_GET_BOOT_NS, c->i64, NULL, 0);
		break;
	case BV_ELAPSED:
		v = elapsed(c);
		break;
	case BV_CPU:
		v = cg_helper(c, H_GET_SMP_PROCESSOR_ID, c->i64, NULL, 0);
		v = LLVMBuildAnd(c->b, v, cg_const(c, 0xffffffff), "");
		break;
	case BV_NCPUS:
		v = cg_const(c, c->opts->ncpus);
		break;
	case BV_PROBE:
		v = c->probe_id;
		break;
	case BV_ARG:
	case BV_RETVAL:
		v = arg_load(c, n, sm);
		break;
	case BV_ARGS:
		v = cg_to_i64(c, c->ctxarg);
		break;
	case BV_CGROUP:
		v = cg_helper(c, H_GET_CURRENT_CGROUP_ID, c->i64, NULL, 0);
		break;
	case BV_RAND:
		v = cg_helper(c, H_GET_PRANDOM_U32, c->i64, NULL, 0);
		v = LLVMBuildAnd(c->b, v, cg_const(c, 0xffffffff), "");
		break;
	case BV_CURTASK:
		v = cg_helper(c, H_GET_CURRENT_TASK, c->i64, NULL, 0);
		break;
	case BV_JIFFIES:
		v = cg_helper(c, H_JIFFIES64, c->i64, NULL, 0);
		break;
	case BV_NUMAID:
		v = cg_helper(c, H_GET_NUMA_NODE_ID, c->i64, NULL, 0);
		v = LLVMBuildAnd(c->b, v, cg_const(c, 0xffffffff), "");
		break;
	case BV_KSTACK:
	case BV_USTACK:
		return cg_stack(c, n->type);
	case BV_USERNAME:
		t = cg_helper(c, H_GET_CURRENT_UID_GID, c->i64, NULL, 0);
		v = LLVMBuildAnd(c->b, t, cg_const(c, 0xffffffff), "");
		break;
	case BV_FUNC:
		if (sm->ival) {
			LLVMValueRef p = cg_tmp(c, 16);
			cg_store_int(c, p, c->probe_id, 8);
			cg_store_int(c, cg_gep(c, p, 8), cg_const(c, USYM_PROBE_FUNC), 8);
			return val(p, n->type);
		}
		v = arg_load(c, n, sm);
		if (n->type->kind == TY_USYM)
			return cg_usym(c, v, n->type);
		break;
	case BV_PPID:
	case BV_PCOMM:
		return task_walk(c, n, sm);
	case BV_CPID:
	case BV_COUNT_:
		v = cg_const(c, 0); /* rejected by sema */
		break;
	}
	return val(v, n->type);
}

/* ---- variables ------------------------------------------------------------------------------ */

/* A variable's storage, made (and zeroed, for the verifier) in the entry block on first use. */
static LLVMValueRef var_slot(struct cg *c, struct var_sym *v)
{
	if (c->force_scratch) {
		/* the same bytes of scratch from the probe and from its callbacks */
		unsigned size = (v->type->size < 8 ? 8 : v->type->size + 7) & ~7u;
		bool fresh = v->cg_off < 0;
		if (fresh) {
			v->cg_off = c->scratch_used;
			c->scratch_used += size;
		}
		LLVMValueRef base = cg_scratch_base(c);
		LLVMBasicBlockRef cur = cg_prologue_begin(c);
		LLVMValueRef p = cg_gep(c, base, (unsigned)v->cg_off);
		if (fresh && !c->in_callback)
			cg_memset0_al(c, p, size, 8);
		cg_prologue_end(c, cur);
		return p;
	}
	if (v->cg)
		return v->cg;
	LLVMValueRef p = cg_tmp(c, v->type->size < 8 ? 8 : v->type->size);
	/* cleared once per run, before the body: the verifier wants stack written first */
	LLVMBasicBlockRef cur = cg_prologue_begin(c);
	cg_memset0_al(c, p, (v->type->size + 7) & ~7u, 8);
	cg_prologue_end(c, cur);
	v->cg = p;
	return p;
}

static struct cgv var_read(struct cg *c, struct ast_node *n)
{
	struct var_sym *v = ((struct sem *)n->sema)->var;
	LLVMValueRef p = var_slot(c, v);
	if (type_is_scalar(v->type))
		return val(cg_load_int(c, p, v->type->size, v->type->is_signed), v->type);
	return val(p, v->type);
}

void cg_var_store(struct cg *c, struct var_sym *v, struct cgv x)
{
	LLVMValueRef p = var_slot(c, v);
	cg_store_value(c, p, v->type, x);
}

LLVMValueRef cg_var_slot(struct cg *c, struct var_sym *v)
{
	return var_slot(c, v);
}

/* ---- maps ----------------------------------------------------------------------------------- */

/* Whether cg_expr_into(n, dst, dt) writes every byte of dt (padding included). */
static bool writes_all(struct ast_node *n, const struct type *dt)
{
	switch (dt->kind) {
	case TY_INT:
	case TY_BOOL:
	case TY_ENUM:
	case TY_PTR:
	case TY_PROBE:
	case TY_KSYM:
	case TY_USERNAME:
	case TY_CGROUP_PATH:
	case TY_STRERROR:
	case TY_TUPLE:
	case TY_RECORD:
		return true;
	case TY_STRING:
		return n->kind == AST_IDENT && ((struct sem *)n->sema)->id == BV_COMM && dt->size >= 16;
	case TY_KSTACK:
	case TY_USTACK:
		return n->type->size >= dt->size;
	default:
		return false;
	}
}

/* kstack/ustack written straight into place (a map key, an event). */
static bool is_stack_builtin(const struct ast_node *n)
{
	const struct sem *sm = n->sema;
	if (!sm)
		return false;
	if (n->kind == AST_IDENT)
		return sm->id == BV_KSTACK || sm->id == BV_USTACK;
	return n->kind == AST_CALL && (sm->id == BF_KSTACK || sm->id == BF_USTACK);
}

/*
 * The key of map_node in a new temporary.  The kernel compares whole keys,
 * so every byte is written; zeroing first is skipped when the key value
 * writes them all anyway.  With bucket, the caller writes the last 8 bytes
 * (the hist/lhist bucket).
 */
LLVMValueRef cg_map_key(struct cg *c, struct ast_node *map_node, const struct map_res *r,
			bool bucket)
{
	LLVMValueRef key = cg_tmp(c, r->key_size);
	struct ast_node *k = map_node->u.ident.args;
	unsigned own = k ? r->key->size : 8; /* bytes of the user key (a scalar map: 8 zeros) */
	bool whole = k && writes_all(k, r->key) && own + (bucket ? 8 : 0) == r->key_size;
	if (!k && bucket && r->key_size == 8)
		whole = true;
	if (!whole)
		cg_memset0_al(c, key, r->key_size, 8);
	if (k)
		cg_expr_into(c, k, key, r->key);
	return key;
}

/* Signed division truncating toward zero, from unsigned division (BPF v3 has no sdiv). */
LLVMValueRef cg_sdiv(struct cg *c, LLVMValueRef a, LLVMValueRef b)
{
	LLVMValueRef zero = cg_const(c, 0);
	LLVMValueRef an = LLVMBuildICmp(c->b, LLVMIntSLT, a, zero, "");
	LLVMValueRef bn = LLVMBuildICmp(c->b, LLVMIntSLT, b, zero, "");
	LLVMValueRef ua = LLVMBuildSelect(c->b, an, LLVMBuildNeg(c->b, a, ""), a, "");
	LLVMValueRef ub = LLVMBuildSelect(c->b, bn, LLVMBuildNeg(c->b, b, ""), b, "");
	LLVMValueRef q = LLVMBuildUDiv(c->b, ua, ub, "");
	return LLVMBuildSelect(c->b, LLVMBuildXor(c->b, an, bn, ""), LLVMBuildNeg(c->b, q, ""), q, "");
}

/*
 * An aggregation read inside a probe: every CPU's share, looked up with
 * bpf_map_lookup_percpu_elem and combined as user space would.
 */
static struct cgv agg_read(struct cg *c, struct ast_node *n, const struct map_res *r,
			   LLVMValueRef key)
{
	bool sgn = r->val->is_signed;
	LLVMValueRef acc = cg_tmp(c, 16), set = cg_tmp(c, 8);
	cg_memset0_al(c, acc, 16, 8);
	cg_store_int(c, set, cg_const(c, 0), 8);
	for (unsigned cpu = 0; cpu < c->opts->ncpus; cpu++) {
		LLVMValueRef args[] = { c->maps[r->id], key, cg_const(c, cpu) };
		LLVMValueRef p = cg_helper(c, H_MAP_LOOKUP_PERCPU, c->ptr, args, 3);
		LLVMBasicBlockRef hit = cg_block(c, "pcpu.hit"), next = cg_block(c, "pcpu.next");
		LLVMBuildCondBr(c->b, LLVMBuildIsNull(c->b, p, ""), next, hit);
		LLVMPositionBuilderAtEnd(c->b, hit);
		LLVMValueRef v = cg_load_int(c, p, 8, false), cur = cg_load_int(c, acc, 8, false);
		if (r->agg == AGG_MIN || r->agg == AGG_MAX) {
			LLVMValueRef isset = cg_load_int(c, cg_gep(c, p, 8), 8, false);
			LLVMIntPredicate pr = r->agg == AGG_MAX ? (sgn ? LLVMIntSGT : LLVMIntUGT)
								: (sgn ? LLVMIntSLT : LLVMIntULT);
			LLVMValueRef first = LLVMBuildICmp(c->b, LLVMIntEQ, cg_load_int(c, set, 8, false),
							   cg_const(c, 0), "");
			LLVMValueRef take = LLVMBuildOr(c->b, first, LLVMBuildICmp(c->b, pr, v, cur, ""), "");
			take = LLVMBuildAnd(c->b, take,
					    LLVMBuildICmp(c->b, LLVMIntNE, isset, cg_const(c, 0), ""), "");
			cg_store_int(c, acc, LLVMBuildSelect(c->b, take, v, cur, ""), 8);
			cg_store_int(c, set, LLVMBuildOr(c->b, cg_load_int(c, set, 8, false), isset, ""), 8);
		} else {
			cg_store_int(c, acc, LLVMBuildAdd(c->b, cur, v, ""), 8);
			if (r->agg == AGG_AVG) {
				LLVMValueRef cnt = cg_load_int(c, cg_gep(c, acc, 8), 8, false);
				LLVMValueRef add = cg_load_int(c, cg_gep(c, p, 8), 8, false);
				cg_store_int(c, cg_gep(c, acc, 8), LLVMBuildAdd(c->b, cnt, add, ""), 8);
			}
		}
		LLVMBuildBr(c->b, next);
		LLVMPositionBuilderAtEnd(c->b, next);
	}
	LLVMValueRef total = cg_load_int(c, acc, 8, false);
	if (r->agg != AGG_AVG)
		return val(total, n->type);
	/* the average, 0 when there is nothing yet (avoid dividing by zero) */
	LLVMValueRef cnt = cg_load_int(c, cg_gep(c, acc, 8), 8, false);
	LLVMValueRef zero = LLVMBuildICmp(c->b, LLVMIntEQ, cnt, cg_const(c, 0), "");
	LLVMValueRef d = LLVMBuildSelect(c->b, zero, cg_const(c, 1), cnt, "");
	LLVMValueRef q = sgn ? cg_sdiv(c, total, d) : LLVMBuildUDiv(c->b, total, d, "");
	return val(LLVMBuildSelect(c->b, zero, cg_const(c, 0), q, ""), n->type);
}

/* A map value, or the zero value of its type when the key is missing. */
static struct cgv map_read(struct cg *c, struct ast_node *n)
{
	const struct map_res *r = cg_map_res(c, n);
	LLVMValueRef key = cg_map_key(c, n, r, false);
	if (r->agg != AGG_NONE)
		return agg_read(c, n, r, key);
	LLVMValueRef p = cg_map_lookup(c, c->maps[r->id], key);
	LLVMBasicBlockRef hit = cg_block(c, "hit"), done = cg_block(c, "read"),
			  cur = LLVMGetInsertBlock(c->b);

	if (type_is_scalar(r->val)) {
		LLVMBuildCondBr(c->b, LLVMBuildIsNull(c->b, p, ""), done, hit);
		LLVMPositionBuilderAtEnd(c->b, hit);
		LLVMValueRef v = cg_load_int(c, p, r->val->size, r->val->is_signed);
		LLVMBuildBr(c->b, done);
		LLVMPositionBuilderAtEnd(c->b, done);
		LLVMValueRef phi = LLVMBuildPhi(c->b, c->i64, "");
		LLVMValueRef vals[] = { cg_const(c, 0), v };
		LLVMBasicBlockRef bbs[] = { cur, hit };
		LLVMAddIncoming(phi, vals, bbs, 2);
		return val(phi, r->val);
	}
	LLVMValueRef tmp = cg_tmp(c, r->val->size);
	cg_memset0_al(c, tmp, r->val->size, 8);
	LLVMBuildCondBr(c->b, LLVMBuildIsNull(c->b, p, ""), done, hit);
	LLVMPositionBuilderAtEnd(c->b, hit);
	cg_memcpy_al(c, tmp, p, r->val->size, 8);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
	return val(tmp, r->val);
}

/* ---- operators ------------------------------------------------------------------------------ */

/* Compare two strings as C does, up to the smaller capacity. */
static LLVMValueRef str_eq(struct cg *c, struct ast_node *ln, struct cgv a, struct ast_node *rn,
			   struct cgv b)
{
	if (rn->kind == AST_STRING || ln->kind == AST_STRING) {
		/* against a literal: unrolled, the literal's bytes and its NUL */
		struct ast_node *lit = rn->kind == AST_STRING ? rn : ln;
		struct cgv o = rn->kind == AST_STRING ? a : b;
		unsigned n = (unsigned)lit->u.str.len + 1;
		if (n > o.t->size)
			n = o.t->size;
		LLVMValueRef eq = LLVMConstInt(c->i1, 1, 0);
		for (unsigned i = 0; i < n; i++) {
			LLVMValueRef ch = cg_load_int(c, cg_gep(c, o.v, i), 1, false);
			unsigned char want = i < lit->u.str.len ? (unsigned char)lit->u.str.value[i] : 0;
			eq = LLVMBuildAnd(c->b, eq,
					  LLVMBuildICmp(c->b, LLVMIntEQ, ch, cg_const(c, want), ""), "");
		}
		return eq;
	}
	/* two run-time strings: a bounded loop that stops at the first difference or NUL */
	unsigned n = a.t->size < b.t->size ? a.t->size : b.t->size;
	LLVMBasicBlockRef pre = LLVMGetInsertBlock(c->b), head = cg_block(c, "streq.head"),
			  body = cg_block(c, "streq.body"), next = cg_block(c, "streq.next"),
			  done = cg_block(c, "streq.done");
	LLVMBuildBr(c->b, head);
	LLVMPositionBuilderAtEnd(c->b, head);
	LLVMValueRef i = LLVMBuildPhi(c->b, c->i64, "i");
	LLVMValueRef more = LLVMBuildICmp(c->b, LLVMIntULT, i, cg_const(c, n), "");
	LLVMBuildCondBr(c->b, more, body, done);
	LLVMPositionBuilderAtEnd(c->b, body);
	LLVMValueRef ca = LLVMBuildLoad2(c->b, c->i8, LLVMBuildGEP2(c->b, c->i8, a.v, &i, 1, ""), "");
	LLVMValueRef cb = LLVMBuildLoad2(c->b, c->i8, LLVMBuildGEP2(c->b, c->i8, b.v, &i, 1, ""), "");
	LLVMValueRef differ = LLVMBuildICmp(c->b, LLVMIntNE, ca, cb, "");
	LLVMValueRef same = LLVMBuildNot(c->b, differ, "");
	LLVMValueRef nul = LLVMBuildICmp(c->b, LLVMIntEQ, ca, LLVMConstInt(c->i8, 0, 0), "");
	LLVMValueRef stop = LLVMBuildOr(c->b, differ, nul, "");
	LLVMBuildCondBr(c->b, stop, done, next);
	LLVMPositionBuilderAtEnd(c->b, next);
	LLVMValueRef i1 = LLVMBuildAdd(c->b, i, cg_const(c, 1), "");
	LLVMBuildBr(c->b, head);
	LLVMValueRef iv[] = { cg_const(c, 0), i1 };
	LLVMBasicBlockRef ib[] = { pre, next };
	LLVMAddIncoming(i, iv, ib, 2);
	LLVMPositionBuilderAtEnd(c->b, done);
	LLVMValueRef res = LLVMBuildPhi(c->b, c->i1, "");
	LLVMValueRef rv[] = { LLVMConstInt(c->i1, 1, 0), same };
	LLVMBasicBlockRef rb[] = { head, body };
	LLVMAddIncoming(res, rv, rb, 2);
	return res;
}

/* `probe == "name"`: true for the probe ids of this program's targets with that name. */
static LLVMValueRef probe_eq(struct cg *c, LLVMValueRef id, struct ast_node *lit)
{
	LLVMValueRef eq = LLVMConstInt(c->i1, 0, 0);
	for (unsigned i = 0; i < c->pg->ntargets; i++) {
		const struct attach *a = c->pg->targets[i];
		if (strcmp(a->name, lit->u.str.value))
			continue;
		eq = LLVMBuildOr(c->b, eq,
				 LLVMBuildICmp(c->b, LLVMIntEQ, id, cg_const(c, a->probe_id), ""), "");
	}
	return eq;
}

static LLVMValueRef mem_eq(struct cg *c, struct cgv a, struct cgv b)
{
	LLVMValueRef eq = LLVMConstInt(c->i1, 1, 0);
	for (unsigned off = 0; off < a.t->size; off++) {
		LLVMValueRef x = cg_load_int(c, cg_gep(c, a.v, off), 1, false);
		LLVMValueRef y = cg_load_int(c, cg_gep(c, b.v, off), 1, false);
		eq = LLVMBuildAnd(c->b, eq, LLVMBuildICmp(c->b, LLVMIntEQ, x, y, ""), "");
	}
	return eq;
}

static struct cgv logical(struct cg *c, struct ast_node *n)
{
	bool is_and = n->u.binop.op == BINOP_LAND;
	LLVMValueRef l = cg_cond(c, n->u.binop.lhs);
	LLVMBasicBlockRef lbb = LLVMGetInsertBlock(c->b), rhs = cg_block(c, "logic.rhs"),
			  done = cg_block(c, "logic.done");
	if (is_and)
		LLVMBuildCondBr(c->b, l, rhs, done);
	else
		LLVMBuildCondBr(c->b, l, done, rhs);
	LLVMPositionBuilderAtEnd(c->b, rhs);
	LLVMValueRef r = cg_cond(c, n->u.binop.rhs);
	LLVMBasicBlockRef rbb = LLVMGetInsertBlock(c->b);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
	LLVMValueRef phi = LLVMBuildPhi(c->b, c->i1, "");
	LLVMValueRef vals[] = { LLVMConstInt(c->i1, is_and ? 0 : 1, 0), r };
	LLVMBasicBlockRef bbs[] = { lbb, rbb };
	LLVMAddIncoming(phi, vals, bbs, 2);
	return val(cg_bool(c, phi), n->type);
}

/*
 * Division and modulo by zero give 1, with a run-time warning, as in
 * bpftrace (the BPF ISA would give 0 and x).
 */
LLVMValueRef cg_divmod(struct cg *c, enum binop op, const struct loc *loc, LLVMValueRef l,
		       LLVMValueRef r)
{
	bool is_div = op == BINOP_DIV;
	if (LLVMIsConstant(r) && LLVMConstIntGetZExtValue(r) != 0)
		return is_div ? LLVMBuildUDiv(c->b, l, r, "") : LLVMBuildURem(c->b, l, r, "");
	int id = program_add_fmt(c->p, EV_RUNTIME_ERROR,
				 "Divide or modulo by 0 detected. This can lead to unexpected "
				 "results. 1 is being used as the result.",
				 NULL, loc);
	LLVMBasicBlockRef zero = cg_block(c, "div.zero"), ok = cg_block(c, "div.ok"),
			  done = cg_block(c, "div.done");
	LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntEQ, r, cg_const(c, 0), ""), zero, ok);
	LLVMPositionBuilderAtEnd(c->b, zero);
	LLVMValueRef ev = cg_tmp(c, 8);
	cg_event_hdr(c, EV_RUNTIME_ERROR, (unsigned)id, ev);
	cg_ringbuf_output(c, ev, 8);
	zero = LLVMGetInsertBlock(c->b); /* the event may have added blocks */
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, ok);
	LLVMValueRef q = is_div ? LLVMBuildUDiv(c->b, l, r, "") : LLVMBuildURem(c->b, l, r, "");
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
	LLVMValueRef phi = LLVMBuildPhi(c->b, c->i64, "");
	LLVMValueRef vals[] = { cg_const(c, 1), q };
	LLVMBasicBlockRef bbs[] = { zero, ok };
	LLVMAddIncoming(phi, vals, bbs, 2);
	return phi;
}

static struct cgv binop(struct cg *c, struct ast_node *n)
{
	enum binop op = n->u.binop.op;
	struct ast_node *ln = n->u.binop.lhs, *rn = n->u.binop.rhs;

	if (op == BINOP_LAND || op == BINOP_LOR)
		return logical(c, n);
	struct cgv a = cg_expr(c, ln), b = cg_expr(c, rn);
	const struct type *lt = ln->type, *rt = rn->type;
	LLVMValueRef l = a.v, r = b.v, v = NULL;

	if (lt->kind == TY_STRING && rt->kind == TY_STRING) {
		v = str_eq(c, ln, a, rn, b);
		if (op == BINOP_NE)
			v = LLVMBuildNot(c->b, v, "");
		return val(cg_bool(c, v), n->type);
	}
	if (lt->kind == TY_PROBE || rt->kind == TY_PROBE) {
		if (lt->kind == TY_PROBE && rt->kind == TY_PROBE)
			v = LLVMBuildICmp(c->b, LLVMIntEQ, l, r, "");
		else
			v = lt->kind == TY_PROBE ? probe_eq(c, l, rn) : probe_eq(c, r, ln);
		if (op == BINOP_NE)
			v = LLVMBuildNot(c->b, v, "");
		return val(cg_bool(c, v), n->type);
	}
	if (!type_is_int(lt)) {
		v = mem_eq(c, a, b);
		if (op == BINOP_NE)
			v = LLVMBuildNot(c->b, v, "");
		return val(cg_bool(c, v), n->type);
	}
	bool sgn = lt->is_signed || rt->is_signed;
	switch (op) {
	case BINOP_ADD: v = LLVMBuildAdd(c->b, l, r, ""); break;
	case BINOP_SUB: v = LLVMBuildSub(c->b, l, r, ""); break;
	case BINOP_MUL: v = LLVMBuildMul(c->b, l, r, ""); break;
	case BINOP_DIV:
	case BINOP_MOD: v = cg_divmod(c, op, &n->loc, l, r); break;
	case BINOP_BAND: v = LLVMBuildAnd(c->b, l, r, ""); break;
	case BINOP_BOR: v = LLVMBuildOr(c->b, l, r, ""); break;
	case BINOP_BXOR: v = LLVMBuildXor(c->b, l, r, ""); break;
	/* shifts by 64 or more are undefined in LLVM; the BPF ISA masks the count */
	case BINOP_SHL: v = LLVMBuildShl(c->b, l, LLVMBuildAnd(c->b, r, cg_const(c, 63), ""), ""); break;
	case BINOP_SHR: v = LLVMBuildLShr(c->b, l, LLVMBuildAnd(c->b, r, cg_const(c, 63), ""), ""); break;
	case BINOP_EQ: v = cg_bool(c, LLVMBuildICmp(c->b, LLVMIntEQ, l, r, "")); break;
	case BINOP_NE: v = cg_bool(c, LLVMBuildICmp(c->b, LLVMIntNE, l, r, "")); break;
	case BINOP_LT: v = cg_bool(c, LLVMBuildICmp(c->b, sgn ? LLVMIntSLT : LLVMIntULT, l, r, "")); break;
	case BINOP_LE: v = cg_bool(c, LLVMBuildICmp(c->b, sgn ? LLVMIntSLE : LLVMIntULE, l, r, "")); break;
	case BINOP_GT: v = cg_bool(c, LLVMBuildICmp(c->b, sgn ? LLVMIntSGT : LLVMIntUGT, l, r, "")); break;
	case BINOP_GE: v = cg_bool(c, LLVMBuildICmp(c->b, sgn ? LLVMIntSGE : LLVMIntUGE, l, r, "")); break;
	case BINOP_LAND:
	case BINOP_LOR:
	case BINOP_NONE:
		v = cg_const(c, 0);
		break;
	}
	return val(v, n->type);
}

static struct cgv element(struct cg *c, struct ast_node *n, struct ast_node *base,
			  struct ast_node *index);

static struct cgv unop(struct cg *c, struct ast_node *n)
{
	if (n->u.unop.op == UNOP_ADDR)
		return val(LLVMBuildPtrToInt(c->b, var_slot(c, ((struct sem *)n->u.unop.operand->sema)->var),
					     c->i64, ""),
			   n->type);
	struct cgv o = cg_expr(c, n->u.unop.operand);
	switch (n->u.unop.op) {
	case UNOP_NEG:
		return val(LLVMBuildNeg(c->b, o.v, ""), n->type);
	case UNOP_NOT:
		return val(cg_bool(c, LLVMBuildICmp(c->b, LLVMIntEQ, o.v, cg_const(c, 0), "")),
			   n->type);
	case UNOP_BNOT:
		return val(LLVMBuildNot(c->b, o.v, ""), n->type);
	case UNOP_DEREF:
		return element(c, n, n->u.unop.operand, NULL);
	case UNOP_ADDR:
		break; /* above */
	}
	return val(cg_const(c, 0), n->type); /* rejected by sema */
}

static struct cgv incdec(struct cg *c, struct ast_node *n)
{
	struct ast_node *t = n->u.incdec.target;
	LLVMValueRef one = cg_const(c, n->u.incdec.inc ? 1 : (uint64_t)-1);

	if (t->kind == AST_VAR) {
		struct var_sym *v = ((struct sem *)t->sema)->var;
		LLVMValueRef p = cg_var_slot(c, v);
		LLVMValueRef old = cg_load_int(c, p, v->type->size, v->type->is_signed);
		LLVMValueRef nv = LLVMBuildAdd(c->b, old, one, "");
		cg_store_int(c, p, nv, v->type->size);
		return val(n->u.incdec.prefix ? nv : old, n->type);
	}
	/* a map: read, add, write back; the result is the value before or after */
	struct cgv old = map_read(c, t);
	LLVMValueRef nv = LLVMBuildAdd(c->b, old.v, one, "");
	const struct map_res *r = cg_map_res(c, t);
	LLVMValueRef key = cg_map_key(c, t, r, false);
	LLVMValueRef vp = cg_tmp(c, 8);
	cg_store_int(c, vp, nv, 8);
	cg_map_insert(c, c->maps[r->id], key, vp, &t->loc);
	return val(n->u.incdec.prefix ? nv : old.v, n->type);
}

static struct cgv ternary(struct cg *c, struct ast_node *n)
{
	bool scalar = type_is_scalar(n->type);
	LLVMValueRef res = scalar ? NULL : cg_tmp(c, n->type->size);
	LLVMValueRef cond;
	struct cgv tv = { 0 };

	if (!n->u.ternary.then) {
		/* a ?: b */
		tv = cg_expr(c, n->u.ternary.cond);
		cond = LLVMBuildICmp(c->b, LLVMIntNE, tv.v, cg_const(c, 0), "");
	} else {
		cond = cg_cond(c, n->u.ternary.cond);
	}
	LLVMBasicBlockRef tb = cg_block(c, "tern.then"), eb = cg_block(c, "tern.else"),
			  done = cg_block(c, "tern.done");
	LLVMBuildCondBr(c->b, cond, tb, eb);
	LLVMPositionBuilderAtEnd(c->b, tb);
	if (n->u.ternary.then)
		tv = cg_expr(c, n->u.ternary.then);
	if (!scalar)
		cg_store_value(c, res, n->type, tv);
	LLVMBasicBlockRef tend = LLVMGetInsertBlock(c->b);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, eb);
	struct cgv ev = cg_expr(c, n->u.ternary.els);
	if (!scalar)
		cg_store_value(c, res, n->type, ev);
	LLVMBasicBlockRef eend = LLVMGetInsertBlock(c->b);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
	if (!scalar)
		return val(res, n->type);
	LLVMValueRef phi = LLVMBuildPhi(c->b, c->i64, "");
	LLVMValueRef vals[] = { tv.v, ev.v };
	LLVMBasicBlockRef bbs[] = { tend, eend };
	LLVMAddIncoming(phi, vals, bbs, 2);
	return val(phi, n->type);
}

/*
 * A value of type t at address addr in kernel or user memory: scalars in a
 * register, aggregates copied into a temporary.
 */
struct cgv cg_read(struct cg *c, LLVMValueRef addr, const struct type *t, bool user)
{
	unsigned size = t->size ? t->size : 8;
	LLVMValueRef dst = cg_tmp(c, size < 8 ? 8 : size);
	cg_memset0_al(c, dst, size < 8 ? 8 : size, 8);
	LLVMValueRef args[] = { dst, cg_const(c, size), LLVMBuildIntToPtr(c->b, addr, c->ptr, "") };
	cg_helper(c, user ? H_PROBE_READ_USER : H_PROBE_READ_KERNEL, c->i64, args, 3);
	if (type_is_scalar(t))
		return val(cg_load_int(c, dst, size > 8 ? 8 : size, t->is_signed), t);
	return val(dst, t);
}

/* A bitfield's value from the storage unit that holds it. */
static LLVMValueRef bitfield(struct cg *c, LLVMValueRef unit, const struct field *f, bool sgn)
{
	unsigned shl = 64 - f->bit_offset - f->bit_size;
	LLVMValueRef v = LLVMBuildShl(c->b, unit, cg_const(c, shl), "");
	LLVMValueRef sh = cg_const(c, 64 - f->bit_size);
	return sgn ? LLVMBuildAShr(c->b, v, sh, "") : LLVMBuildLShr(c->b, v, sh, "");
}

/* base.name or base->name: a member of a struct in memory or behind a pointer. */
static struct cgv member(struct cg *c, struct ast_node *n)
{
	const struct sem *sm = n->sema;
	const struct field *f = sm->field;
	struct ast_node *base = n->u.field.base;
	struct cgv b = cg_expr(c, base);
	const struct type *ft = n->type;
	const struct type *raw = f->type;

	if (sm->ival) {
		/* through a pointer: read the member where it lives */
		bool user = base->type->as == AS_USER;
		LLVMValueRef addr = LLVMBuildAdd(c->b, b.v, cg_const(c, f->offset), "");
		if (f->bit_size) {
			struct cgv u = cg_read(c, addr, type_int(raw->size, false), user);
			return val(bitfield(c, u.v, f, raw->is_signed), ft);
		}
		return cg_read(c, addr, ft, user);
	}
	LLVMValueRef p = cg_gep(c, b.v, f->offset);
	if (f->bit_size)
		return val(bitfield(c, cg_load_int(c, p, raw->size, false), f, raw->is_signed), ft);
	if (type_is_scalar(ft))
		return val(cg_load_int(c, p, ft->size, ft->is_signed), ft);
	return val(p, ft);
}

/* *p, p[i], array[i], string[i] */
static struct cgv element(struct cg *c, struct ast_node *n, struct ast_node *base,
			  struct ast_node *index)
{
	struct cgv b = cg_expr(c, base);
	const struct type *bt = base->type, *et = n->type;
	LLVMValueRef i = index ? cg_expr(c, index).v : cg_const(c, 0);

	if (bt->kind == TY_PTR) {
		unsigned esize = bt->elem && bt->elem->size ? bt->elem->size : 1;
		LLVMValueRef addr = LLVMBuildAdd(c->b, b.v, LLVMBuildMul(c->b, i, cg_const(c, esize), ""), "");
		return cg_read(c, addr, et, bt->as == AS_USER);
	}
	/* an array or string in memory: the index is kept inside it for the verifier */
	unsigned n_el = bt->kind == TY_ARRAY ? bt->nelem : bt->size;
	unsigned esize = bt->kind == TY_ARRAY ? bt->elem->size : 1;
	LLVMValueRef ok = LLVMBuildICmp(c->b, LLVMIntULT, i, cg_const(c, n_el), "");
	i = LLVMBuildSelect(c->b, ok, i, cg_const(c, 0), "");
	LLVMValueRef off = LLVMBuildMul(c->b, i, cg_const(c, esize), "");
	LLVMValueRef p = LLVMBuildGEP2(c->b, c->i8, b.v, &off, 1, "");
	if (type_is_scalar(et))
		return val(cg_load_int(c, p, et->size, et->is_signed), et);
	return val(p, et);
}

/* ppid, pcomm: curtask->link->member */
static struct cgv task_walk(struct cg *c, struct ast_node *n, const struct sem *sm)
{
	LLVMValueRef task = cg_helper(c, H_GET_CURRENT_TASK, c->i64, NULL, 0);
	struct cgv link = cg_read(c, LLVMBuildAdd(c->b, task, cg_const(c, sm->ctx.offset), ""),
				  &type_u64, false);
	LLVMValueRef addr = LLVMBuildAdd(c->b, link.v, cg_const(c, (uint64_t)sm->ctx.disp), "");
	return cg_read(c, addr, n->type, false);
}

/* A field of a value in memory (tuple, record) or of the tracepoint context (`args`). */
static struct cgv field_at(struct cg *c, struct ast_node *base, unsigned idx,
			   const struct type *ft)
{
	const struct type *bt = base->type;
	const struct field *f = &bt->fields[idx];
	bool in_ctx = base->kind == AST_IDENT && ((struct sem *)base->sema)->id == BV_ARGS;
	LLVMValueRef p = in_ctx ? c->ctxarg : cg_expr(c, base).v;

	if (in_ctx && c->pg->proto->args) {
		/* this program's targets may keep the field elsewhere than the typed one */
		const struct type *at = c->pg->proto->args;
		for (unsigned i = 0; i < at->nfields; i++)
			if (!strcmp(at->fields[i].name, f->name))
				f = &at->fields[i];
	}

	if (in_ctx && f->data_loc) {
		/* __data_loc: a u32 holding (length << 16) | offset from the record's start */
		LLVMValueRef dl = cg_load_int(c, cg_gep(c, p, f->offset), 4, false);
		LLVMValueRef off = LLVMBuildAnd(c->b, dl, cg_const(c, 0xffff), "");
		LLVMValueRef src = LLVMBuildGEP2(c->b, c->i8, p, &off, 1, "");
		LLVMValueRef dst = cg_tmp(c, ft->size);
		cg_memset0_al(c, dst, ft->size, 8);
		LLVMValueRef args[] = { dst, cg_const(c, ft->size), src };
		cg_helper(c, H_PROBE_READ_KERNEL_STR, c->i64, args, 3);
		return val(dst, ft);
	}
	if (type_is_scalar(ft))
		return val(cg_load_int(c, cg_gep(c, p, f->offset), ft->size, ft->is_signed), ft);
	if (in_ctx) {
		/* aggregates in the context are copied out (ctx loads must be scalar) */
		LLVMValueRef dst = cg_tmp(c, ft->size);
		LLVMValueRef args[] = { dst, cg_const(c, ft->size), cg_gep(c, p, f->offset) };
		cg_helper(c, H_PROBE_READ_KERNEL, c->i64, args, 3);
		return val(dst, ft);
	}
	return val(cg_gep(c, p, f->offset), ft);
}

static struct cgv tuple(struct cg *c, struct ast_node *n)
{
	LLVMValueRef p = cg_tmp(c, n->type->size);
	cg_expr_into(c, n, p, n->type);
	return val(p, n->type);
}

static struct cgv cast(struct cg *c, struct ast_node *n)
{
	struct cgv o = cg_expr(c, n->u.cast.expr);
	const struct type *t = n->type;
	if (t->kind == TY_BOOL)
		return val(cg_bool(c, LLVMBuildICmp(c->b, LLVMIntNE, o.v, cg_const(c, 0), "")), t);
	if (t->size >= 8)
		return val(o.v, t);
	/* truncate, then sign- or zero-extend back to 64 bits */
	LLVMValueRef sh = cg_const(c, 64 - 8 * t->size);
	LLVMValueRef v = LLVMBuildShl(c->b, o.v, sh, "");
	v = t->is_signed ? LLVMBuildAShr(c->b, v, sh, "") : LLVMBuildLShr(c->b, v, sh, "");
	return val(v, t);
}

/*
 * { stmts; e }, and an inlined fn call: its result lives in a slot that each
 * `return e` fills before jumping to the end.
 */
static struct cgv block_expr(struct cg *c, struct ast_node *n)
{
	const struct type *t = n->type;
	typeof(c->inl) saved = c->inl;
	if (n->u.block.fn) {
		c->inl.done = cg_block(c, "fn.done");
		c->inl.type = t;
		c->inl.slot = NULL;
		if (t->kind != TY_VOID) {
			c->inl.slot = cg_tmp(c, t->size < 8 ? 8 : t->size);
			cg_memset0_al(c, c->inl.slot, (t->size + 7) & ~7u, 8); /* falling off the end: 0 */
		}
	}
	cg_stmts(c, n->u.block.stmts);
	struct cgv v = val(cg_const(c, 0), t);
	if (n->u.block.value)
		v = cg_expr(c, n->u.block.value);
	if (n->u.block.fn) {
		LLVMBuildBr(c->b, c->inl.done);
		LLVMPositionBuilderAtEnd(c->b, c->inl.done);
		if (c->inl.slot)
			v = type_is_scalar(t) ? val(cg_load_int(c, c->inl.slot, t->size, t->is_signed), t)
					      : val(c->inl.slot, t);
	}
	c->inl = saved;
	return v;
}

struct cgv cg_expr(struct cg *c, struct ast_node *n)
{
	switch (n->kind) {
	case AST_INT:
		return val(cg_const(c, n->u.num.value), n->type);
	case AST_BOOL:
		return val(cg_const(c, n->u.boolean.value), n->type);
	case AST_STRING:
		return string_lit(c, n);
	case AST_IDENT:
		return builtin(c, n);
	case AST_VAR:
		return var_read(c, n);
	case AST_MAP:
		return map_read(c, n);
	case AST_CALL:
		return cg_call(c, n);
	case AST_BINOP:
		return binop(c, n);
	case AST_UNOP:
		return unop(c, n);
	case AST_INCDEC:
		return incdec(c, n);
	case AST_TERNARY:
		return ternary(c, n);
	case AST_FIELD:
		if (((struct sem *)n->sema)->field)
			return member(c, n);
		return field_at(c, n->u.field.base, (unsigned)((struct sem *)n->sema)->argn, n->type);
	case AST_TUPLE_INDEX:
		return field_at(c, n->u.tindex.base, (unsigned)((struct sem *)n->sema)->argn, n->type);
	case AST_INDEX: {
		const struct type *bt = n->u.index.base->type;
		if (bt->kind == TY_TUPLE || bt->kind == TY_RECORD)
			return field_at(c, n->u.index.base, (unsigned)((struct sem *)n->sema)->argn,
					n->type);
		return element(c, n, n->u.index.base, n->u.index.index);
	}
	case AST_TUPLE:
	case AST_RECORD:
		return tuple(c, n);
	case AST_CAST:
		return cast(c, n);
	case AST_BLOCK_EXPR:
		return block_expr(c, n);
	default:
		/* everything else was rewritten or rejected by sema */
		return val(cg_const(c, 0), n->type);
	}
}

void cg_expr_into(struct cg *c, struct ast_node *n, LLVMValueRef dst, const struct type *dt)
{
	if ((n->kind == AST_TUPLE || n->kind == AST_RECORD) &&
	    (dt->kind == TY_TUPLE || dt->kind == TY_RECORD) && dt->nfields == n->type->nfields) {
		/* element by element, straight into place */
		unsigned i = 0;
		cg_memset0(c, dst, dt->size);
		ast_foreach(e, n->u.tuple.elems)
		{
			struct ast_node *v = n->kind == AST_RECORD ? e->u.named.value : e;
			cg_expr_into(c, v, cg_gep(c, dst, dt->fields[i].offset), dt->fields[i].type);
			i++;
		}
		return;
	}
	if (n->kind == AST_CALL && dt->kind == TY_STRING && ((struct sem *)n->sema)->id == BF_STR &&
	    n->type->kind == TY_STRING &&
	    n->type->size + (unsigned)((struct sem *)n->sema)->argn <= dt->size &&
	    n->u.ident.args->type->kind != TY_STRING) {
		/* str() straight into place: a map key, an event */
		if (!c->no_clean)
			cg_memset0(c, dst, dt->size);
		cg_str_read(c, n, dst, n->type->size + (unsigned)((struct sem *)n->sema)->argn);
		return;
	}
	if (n->kind == AST_IDENT && ((struct sem *)n->sema)->id == BV_COMM && dt->kind == TY_STRING &&
	    dt->size >= 16) {
		/* comm straight into place: a map key, an event */
		LLVMValueRef args[] = { dst, cg_const(c, 16) };
		cg_helper(c, H_GET_CURRENT_COMM, c->i64, args, 2);
		if (dt->size > 16)
			cg_memset0(c, cg_gep(c, dst, 16), dt->size - 16);
		return;
	}
	if (is_stack_builtin(n) && type_equal(n->type, dt)) {
		cg_stack_into(c, dt, dst);
		return;
	}
	cg_store_value(c, dst, dt, cg_expr(c, n));
}

LLVMValueRef cg_cond(struct cg *c, struct ast_node *n)
{
	struct cgv v = cg_expr(c, n);
	return LLVMBuildICmp(c->b, LLVMIntNE, v.v, cg_const(c, 0), "");
}
