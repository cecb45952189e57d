/* SPDX-License-Identifier: Apache-2.0 */
/* Code generation helpers: constants, BPF helper calls, temporaries, memory. */
#include "cg.h"

#include <string.h>

#include "arena.h"

LLVMValueRef cg_const(struct cg *c, uint64_t v)
{
	return LLVMConstInt(c->i64, v, 0);
}

/* BPF helpers are called through their number cast to a function pointer. */
LLVMValueRef cg_helper(struct cg *c, enum bpf_helper id, LLVMTypeRef ret, LLVMValueRef *args,
		       unsigned n)
{
	LLVMTypeRef params[8];
	for (unsigned i = 0; i < n; i++)
		params[i] = LLVMTypeOf(args[i]);
	LLVMTypeRef fty = LLVMFunctionType(ret, params, n, 0);
	LLVMValueRef callee = LLVMConstIntToPtr(cg_const(c, id), c->ptr);
	return LLVMBuildCall2(c->b, fty, callee, args, n, "");
}

LLVMValueRef cg_gep(struct cg *c, LLVMValueRef p, unsigned off)
{
	if (!off)
		return p;
	LLVMValueRef idx = cg_const(c, off);
	return LLVMBuildGEP2(c->b, c->i8, p, &idx, 1, "");
}

/* A new function: an entry block for allocas, an open prologue, then the body. */
void cg_function_begin(struct cg *c, LLVMValueRef fn)
{
	c->fn = fn;
	c->entry = cg_block(c, "entry");
	LLVMBasicBlockRef pro = cg_block(c, "prologue");
	c->body = cg_block(c, "body");
	LLVMPositionBuilderAtEnd(c->b, c->entry);
	c->entry_br = LLVMBuildBr(c->b, pro);
	c->pro_end = pro;
	LLVMPositionBuilderAtEnd(c->b, c->body);
}

LLVMBasicBlockRef cg_prologue_begin(struct cg *c)
{
	LLVMBasicBlockRef cur = LLVMGetInsertBlock(c->b);
	LLVMPositionBuilderAtEnd(c->b, c->pro_end);
	return cur;
}

void cg_prologue_end(struct cg *c, LLVMBasicBlockRef resume)
{
	/* loops emitted in the prologue leave it in a later block */
	c->pro_end = LLVMGetInsertBlock(c->b);
	LLVMPositionBuilderAtEnd(c->b, resume);
}

void cg_prologue_bail(struct cg *c, LLVMValueRef isnull)
{
	LLVMBasicBlockRef out = cg_block(c, "bail"), next = cg_block(c, "prologue.next");
	LLVMBuildCondBr(c->b, isnull, out, next);
	LLVMPositionBuilderAtEnd(c->b, out);
	LLVMBuildRet(c->b, cg_const(c, 0));
	LLVMPositionBuilderAtEnd(c->b, next);
}

void cg_prologue_finish(struct cg *c)
{
	LLVMBasicBlockRef cur = cg_prologue_begin(c);
	LLVMBuildBr(c->b, c->body);
	LLVMPositionBuilderAtEnd(c->b, cur);
}

/* Element 0 of an array map, looked up once in the prologue (returning when missing). */
static LLVMValueRef prologue_lookup0(struct cg *c, LLVMValueRef map)
{
	LLVMBasicBlockRef cur = LLVMGetInsertBlock(c->b);
	LLVMPositionBuilderBefore(c->b, c->entry_br);
	LLVMValueRef key = LLVMBuildAlloca(c->b, c->i32, "");
	LLVMPositionBuilderAtEnd(c->b, cur);
	cur = cg_prologue_begin(c);
	LLVMBuildStore(c->b, LLVMConstInt(c->i32, 0, 0), key);
	LLVMValueRef p = cg_map_lookup(c, map, key);
	cg_prologue_bail(c, LLVMBuildIsNull(c->b, p, ""));
	cg_prologue_end(c, cur);
	return p;
}

/*
 * The per-CPU scratch area of this program, looked up once in the
 * prologue.  Every program has its own, because a profile or interval
 * program can interrupt a tracepoint program on the same CPU; a program's
 * callbacks (for loops over maps) share its area.
 */
LLVMValueRef cg_scratch_base(struct cg *c)
{
	if (c->scratch)
		return c->scratch;
	/* the map itself is described after the body, once its size is known */
	if (!c->scratch_map) {
		c->scratch_name = arena_printf(c->p->arena, "sc_%s", c->pg->fn_name);
		c->scratch_map = cg_map_global(c, c->scratch_name, 4);
	}
	c->scratch = prologue_lookup0(c, c->scratch_map);
	return c->scratch;
}

/*
 * A temporary of size bytes, 8-aligned: on the stack if small and the stack
 * budget allows, else in the per-CPU scratch area.  Its address is computed
 * in the entry block or the prologue so that it dominates every use.  Stack
 * temporaries are not initialised: the verifier refuses reads of stack bytes
 * never written, so whoever hands one to a helper writes every byte first.
 */
LLVMValueRef cg_tmp(struct cg *c, unsigned size)
{
	LLVMBasicBlockRef cur = LLVMGetInsertBlock(c->b);
	LLVMValueRef p;

	size = (size + 7) & ~7u;
	if (size <= CG_STACK_TMP_MAX && c->stack_used + size <= CG_STACK_BUDGET && !c->force_scratch) {
		LLVMPositionBuilderBefore(c->b, c->entry_br);
		p = LLVMBuildAlloca(c->b, LLVMArrayType2(c->i64, size / 8), "");
		LLVMSetAlignment(p, 8);
		c->stack_used += size;
		LLVMPositionBuilderAtEnd(c->b, cur);
		return p;
	}
	LLVMValueRef base = cg_scratch_base(c);
	unsigned off = c->scratch_used;
	c->scratch_used += size;
	cur = cg_prologue_begin(c);
	p = cg_gep(c, base, off);
	cg_prologue_end(c, cur);
	return p;
}

static LLVMTypeRef int_type(struct cg *c, unsigned size)
{
	switch (size) {
	case 1:
		return c->i8;
	case 2:
		return c->i16;
	case 4:
		return c->i32;
	default:
		return c->i64;
	}
}

/*
 * Scalars are naturally aligned wherever ctrace lays them out (map values,
 * tuple fields, temporaries, tracepoint fields); byte copies use align 1.
 */
static void store_al(struct cg *c, LLVMValueRef p, LLVMValueRef v, unsigned size, unsigned al)
{
	LLVMTypeRef t = int_type(c, size);
	if (LLVMTypeOf(v) != t)
		v = LLVMBuildTrunc(c->b, v, t, "");
	LLVMValueRef st = LLVMBuildStore(c->b, v, p);
	LLVMSetAlignment(st, al);
}

static LLVMValueRef load_al(struct cg *c, LLVMValueRef p, unsigned size, bool is_signed,
			    unsigned al)
{
	LLVMTypeRef t = int_type(c, size);
	LLVMValueRef v = LLVMBuildLoad2(c->b, t, p, "");
	LLVMSetAlignment(v, al);
	if (size == 8)
		return v;
	return is_signed ? LLVMBuildSExt(c->b, v, c->i64, "") : LLVMBuildZExt(c->b, v, c->i64, "");
}

void cg_store_int(struct cg *c, LLVMValueRef p, LLVMValueRef v, unsigned size)
{
	store_al(c, p, v, size, size);
}

LLVMValueRef cg_load_int(struct cg *c, LLVMValueRef p, unsigned size, bool is_signed)
{
	return load_al(c, p, size, is_signed, size);
}


LLVMValueRef cg_to_i64(struct cg *c, LLVMValueRef v)
{
	LLVMTypeRef t = LLVMTypeOf(v);
	if (t == c->i64)
		return v;
	if (LLVMGetTypeKind(t) == LLVMPointerTypeKind)
		return LLVMBuildPtrToInt(c->b, v, c->i64, "");
	return LLVMBuildZExt(c->b, v, c->i64, "");
}

LLVMValueRef cg_bool(struct cg *c, LLVMValueRef i1v)
{
	return LLVMBuildZExt(c->b, i1v, c->i64, "");
}

/*
 * Large clears and copies are loops of volatile 8-byte accesses: LLVM would
 * otherwise merge them into memset/memcpy calls, which the BPF backend can
 * only expand for small sizes.
 */
#define CG_UNROLL_MAX 64

static void mem_loop(struct cg *c, LLVMValueRef dst, LLVMValueRef src, unsigned words,
		     unsigned al)
{
	LLVMBasicBlockRef pre = LLVMGetInsertBlock(c->b), body = cg_block(c, "mem.body"),
			  done = cg_block(c, "mem.done");
	LLVMBuildBr(c->b, body);
	LLVMPositionBuilderAtEnd(c->b, body);
	LLVMValueRef i = LLVMBuildPhi(c->b, c->i64, "");
	LLVMValueRef off = LLVMBuildShl(c->b, i, cg_const(c, 3), "");
	LLVMValueRef v = LLVMConstInt(c->i64, 0, 0);
	if (src) {
		v = LLVMBuildLoad2(c->b, c->i64, LLVMBuildGEP2(c->b, c->i8, src, &off, 1, ""), "");
		LLVMSetAlignment(v, al);
		LLVMSetVolatile(v, 1);
	}
	LLVMValueRef st = LLVMBuildStore(c->b, v, LLVMBuildGEP2(c->b, c->i8, dst, &off, 1, ""));
	LLVMSetAlignment(st, al);
	LLVMSetVolatile(st, 1);
	LLVMValueRef next = LLVMBuildAdd(c->b, i, cg_const(c, 1), "");
	LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntULT, next, cg_const(c, words), ""), body,
			done);
	LLVMValueRef vals[] = { cg_const(c, 0), next };
	LLVMBasicBlockRef bbs[] = { pre, body };
	LLVMAddIncoming(i, vals, bbs, 2);
	LLVMPositionBuilderAtEnd(c->b, done);
}

static void mem_tail(struct cg *c, LLVMValueRef dst, LLVMValueRef src, unsigned off,
		     unsigned size, unsigned al)
{
	static const unsigned chunks[] = { 8, 4, 2, 1 };
	for (unsigned i = 0; i < 4; i++) {
		while (size - off >= chunks[i]) {
			unsigned a = al < chunks[i] ? al : chunks[i];
			LLVMValueRef v = src ? load_al(c, cg_gep(c, src, off), chunks[i], false, a)
					     : LLVMConstInt(int_type(c, chunks[i]), 0, 0);
			store_al(c, cg_gep(c, dst, off), v, chunks[i], a);
			off += chunks[i];
		}
	}
}

void cg_memset0_al(struct cg *c, LLVMValueRef p, unsigned size, unsigned al)
{
	unsigned off = 0;
	if (size > CG_UNROLL_MAX) {
		mem_loop(c, p, NULL, size / 8, al);
		off = size / 8 * 8;
	}
	mem_tail(c, p, NULL, off, size, al);
}

void cg_memcpy_al(struct cg *c, LLVMValueRef dst, LLVMValueRef src, unsigned size, unsigned al)
{
	unsigned off = 0;
	if (size > CG_UNROLL_MAX) {
		mem_loop(c, dst, src, size / 8, al);
		off = size / 8 * 8;
	}
	mem_tail(c, dst, src, off, size, al);
}

void cg_memset0(struct cg *c, LLVMValueRef p, unsigned size)
{
	cg_memset0_al(c, p, size, 1);
}

void cg_memcpy(struct cg *c, LLVMValueRef dst, LLVMValueRef src, unsigned size)
{
	cg_memcpy_al(c, dst, src, size, 1);
}

LLVMBasicBlockRef cg_block(struct cg *c, const char *name)
{
	return LLVMAppendBasicBlockInContext(c->ctx, c->fn, name);
}

/* After a return or a branch: later statements go to an unreachable block LLVM removes. */
void cg_dead_block(struct cg *c)
{
	LLVMPositionBuilderAtEnd(c->b, cg_block(c, "dead"));
}

void cg_return(struct cg *c)
{
	LLVMBuildRet(c->b, cg_const(c, 0));
	cg_dead_block(c);
}

static void store_string(struct cg *c, LLVMValueRef dst, unsigned dsize, struct cgv v)
{
	unsigned n = v.t->size < dsize ? v.t->size : dsize;
	cg_memcpy(c, dst, v.v, n);
	if (n < dsize)
		cg_memset0(c, cg_gep(c, dst, n), dsize - n);
}

void cg_store_value(struct cg *c, LLVMValueRef dst, const struct type *dt, struct cgv v)
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
		cg_store_int(c, dst, v.v, dt->size);
		return;
	case TY_STRING:
		store_string(c, dst, dt->size, v);
		return;
	case TY_TUPLE:
	case TY_RECORD:
		if (type_equal(dt, v.t)) {
			cg_memcpy(c, dst, v.v, dt->size);
			return;
		}
		cg_memset0(c, dst, dt->size);
		for (unsigned i = 0; i < dt->nfields; i++) {
			const struct field *df = &dt->fields[i], *sf = &v.t->fields[i];
			struct cgv fv = { .t = sf->type };
			if (type_is_scalar(sf->type))
				fv.v = cg_load_int(c, cg_gep(c, v.v, sf->offset), sf->type->size,
						   sf->type->is_signed);
			else
				fv.v = cg_gep(c, v.v, sf->offset);
			cg_store_value(c, cg_gep(c, dst, df->offset), df->type, fv);
		}
		return;
	default:
		cg_memcpy(c, dst, v.v, dt->size < v.t->size ? dt->size : v.t->size);
		return;
	}
}

LLVMValueRef cg_map_lookup(struct cg *c, LLVMValueRef map, LLVMValueRef key)
{
	LLVMValueRef args[] = { map, key };
	return cg_helper(c, H_MAP_LOOKUP, c->ptr, args, 2);
}

LLVMValueRef cg_map_update(struct cg *c, LLVMValueRef map, LLVMValueRef key, LLVMValueRef val)
{
	LLVMValueRef args[] = { map, key, val, cg_const(c, 0) };
	return cg_helper(c, H_MAP_UPDATE, c->i64, args, 4);
}

/*
 * v, hidden from LLVM's optimisers (llvm.bpf.passthrough, removed when
 * instructions are selected): what is computed from it stays as written.
 */
LLVMValueRef cg_opaque(struct cg *c, LLVMValueRef v)
{
	static const char name[] = "llvm.bpf.passthrough";
	unsigned id = LLVMLookupIntrinsicID(name, sizeof(name) - 1);
	LLVMTypeRef over[] = { c->i64, c->i64 };
	LLVMValueRef fn = LLVMGetIntrinsicDeclaration(c->mod, id, over, 2);
	LLVMTypeRef pt[] = { c->i32, c->i64 };
	LLVMValueRef args[] = { LLVMConstInt(c->i32, ++c->opaque_seq, 0), v };
	return LLVMBuildCall2(c->b, LLVMFunctionType(c->i64, pt, 2, 0), fn, args, 2, "");
}

/*
 * Counter slot (0: lost events, then one per map-full site) is the u64
 * global ct_counter_<slot> in .bss: libbpf turns the section into a
 * one-element array map, and the program reaches the counter by address,
 * without a lookup.  User space finds each one's offset in the section's BTF.
 */
static LLVMValueRef counter(struct cg *c, unsigned slot)
{
	char name[32];
	snprintf(name, sizeof(name), "ct_counter_%u", slot);
	LLVMValueRef g = LLVMGetNamedGlobal(c->mod, name);
	if (g)
		return g;
	g = LLVMAddGlobal(c->mod, c->i64, name);
	LLVMSetInitializer(g, cg_const(c, 0));
	LLVMSetSection(g, ".bss");
	LLVMSetAlignment(g, 8);
	cg_describe_global(c, g, name,
			   LLVMDIBuilderCreateBasicType(c->di, "unsigned long long", 18, 64,
							0x07 /* DW_ATE_unsigned */, 0));
	return g;
}

/*
 * Adds 1 to counter slot when rc, a helper's result, is negative (an
 * errno).  The counters are shared by every CPU: the branch keeps the
 * common, successful path free of stores, so no cache line moves between
 * CPUs.  Inside a loop the verifier would keep one pending state per
 * iteration for that branch (and gives up after 8192), so there the sign
 * bit itself is added, without a branch.
 */
static void count_failure(struct cg *c, LLVMValueRef rc, unsigned slot)
{
	if (c->nloops > 0) {
		LLVMBuildAtomicRMW(c->b, LLVMAtomicRMWBinOpAdd, counter(c, slot),
				   LLVMBuildLShr(c->b, rc, cg_const(c, 63), ""),
				   LLVMAtomicOrderingMonotonic, 0);
		return;
	}
	LLVMValueRef failed = LLVMBuildICmp(c->b, LLVMIntSLT, rc, cg_const(c, 0), "");
	LLVMBasicBlockRef bump = cg_block(c, "count.fail"), next = cg_block(c, "count.next");
	LLVMBuildCondBr(c->b, failed, bump, next);
	LLVMPositionBuilderAtEnd(c->b, bump);
	LLVMBuildAtomicRMW(c->b, LLVMAtomicRMWBinOpAdd, counter(c, slot), cg_const(c, 1),
			   LLVMAtomicOrderingMonotonic, 0);
	LLVMBuildBr(c->b, next);
	LLVMPositionBuilderAtEnd(c->b, next);
}

/*
 * An insert that can find the map full: bpftrace reports that at run time
 * (a full map otherwise drops keys without a word).  Each site has its own
 * counter; user space reports the sites whose counter grew.
 */
void cg_map_insert(struct cg *c, LLVMValueRef map, LLVMValueRef key, LLVMValueRef val,
		   const struct loc *loc)
{
	LLVMValueRef rc = cg_map_update(c, map, key, val);
	int id = program_add_fmt(c->p, EV_RUNTIME_ERROR,
				 "Map full; can't update element. Try increasing max_map_keys config "
				 "or manually setting the max entries in a map declaration e.g. "
				 "`let @a = hash(5000)`",
				 NULL, loc);
	c->p->res.fmts[id].detail = "Additional Info - helper: map_update_elem, retcode: -7";
	unsigned slot = resources_add_counter(c->p, id);
	count_failure(c, rc, slot);
}

/*
 * An event.  When the ring buffer is full the helper fails and the event is
 * counted as lost in slot 0 (user space says so at exit).
 */
void cg_ringbuf_output(struct cg *c, LLVMValueRef data, unsigned size)
{
	LLVMValueRef args[] = { c->ringbuf, data, cg_const(c, size), cg_const(c, 0) };
	LLVMValueRef rc = cg_helper(c, H_RINGBUF_OUTPUT, c->i64, args, 4);
	count_failure(c, rc, 0);
}

void cg_event_hdr(struct cg *c, enum event_kind kind, unsigned id, LLVMValueRef buf)
{
	cg_store_int(c, buf, LLVMConstInt(c->i32, kind, 0), 4);
	cg_store_int(c, cg_gep(c, buf, 4), LLVMConstInt(c->i32, id, 0), 4);
}
