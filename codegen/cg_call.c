/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Calls: events sent to user space (printf, print, time, exit, clear, zero),
 * strings, map functions, and the aggregations, which update per-CPU values
 * in place on a hit and insert only on a miss.
 */
#include "cg.h"

#include <string.h>

static struct cgv val(LLVMValueRef v, const struct type *t)
{
	return (struct cgv){ .v = v, .t = t };
}

static const struct sem *sem(struct ast_node *n)
{
	return n->sema;
}

/* An event buffer: on the stack it must be fully written before the helper reads it. */
static LLVMValueRef event_buf(struct cg *c, unsigned size)
{
	LLVMValueRef p = cg_tmp(c, size);
	if (LLVMIsAAllocaInst(p))
		cg_memset0_al(c, p, size, 8);
	return p;
}

static void ev_printf(struct cg *c, struct ast_node *n, enum event_kind kind)
{
	const struct fmt_res *f = &c->p->res.fmts[sem(n)->fmt_id];
	unsigned size = 8 + f->args->size;
	LLVMValueRef buf = event_buf(c, size);
	unsigned i = 0;

	cg_event_hdr(c, kind, (unsigned)f->id, buf);
	/* user space prints strings up to their NUL: no need to clear the rest */
	c->no_clean = !LLVMIsAAllocaInst(buf);
	ast_foreach(a, n->u.ident.args->next)
	{
		const struct field *fl = &f->args->fields[i++];
		cg_expr_into(c, a, cg_gep(c, buf, 8 + fl->offset), fl->type);
	}
	c->no_clean = false;
	cg_ringbuf_output(c, buf, size);
}

static void ev_print(struct cg *c, struct ast_node *n)
{
	struct ast_node *a = n->u.ident.args;
	if (sem(n)->ival == 1) {
		/* print(@m[, top[, div]]): user space reads the map when it handles the event */
		LLVMValueRef buf = event_buf(c, sizeof(struct ev_print_map));
		cg_event_hdr(c, EV_PRINT_MAP, 0, buf);
		cg_store_int(c, cg_gep(c, buf, 8), cg_const(c, (uint64_t)sem(n)->map->id), 8);
		struct ast_node *top = a->next, *div = top ? top->next : NULL;
		cg_store_int(c, cg_gep(c, buf, 16), top ? cg_expr(c, top).v : cg_const(c, 0), 8);
		cg_store_int(c, cg_gep(c, buf, 24), div ? cg_expr(c, div).v : cg_const(c, 0), 8);
		cg_ringbuf_output(c, buf, sizeof(struct ev_print_map));
		return;
	}
	const struct fmt_res *f = &c->p->res.fmts[sem(n)->fmt_id];
	unsigned size = 8 + f->args->size;
	LLVMValueRef buf = event_buf(c, size);
	cg_event_hdr(c, EV_PRINT, (unsigned)f->id, buf);
	cg_expr_into(c, a, cg_gep(c, buf, 8), f->args->fields[0].type);
	cg_ringbuf_output(c, buf, size);
}

static void ev_map(struct cg *c, struct ast_node *n, enum event_kind kind)
{
	LLVMValueRef buf = event_buf(c, sizeof(struct ev_map));
	cg_event_hdr(c, kind, 0, buf);
	cg_store_int(c, cg_gep(c, buf, 8), cg_const(c, (uint64_t)sem(n)->map->id), 8);
	cg_ringbuf_output(c, buf, sizeof(struct ev_map));
}

static void ev_exit(struct cg *c, struct ast_node *n)
{
	LLVMValueRef buf = event_buf(c, 16);
	cg_event_hdr(c, EV_EXIT, 0, buf);
	LLVMValueRef code = n->u.ident.args ? cg_expr(c, n->u.ident.args).v : cg_const(c, 0);
	cg_store_int(c, cg_gep(c, buf, 8), code, 8);
	cg_ringbuf_output(c, buf, 16);
	/* exit() returns from the probe: statements after it never run */
	cg_return(c);
}

void cg_str_read(struct cg *c, struct ast_node *n, LLVMValueRef dst, unsigned size)
{
	struct ast_node *a = n->u.ident.args, *len = a->next;
	LLVMValueRef src = cg_expr(c, a).v;
	LLVMValueRef sz = cg_const(c, size);

	if (len && !sem(len)) {
		/* a run-time length, bounded by the buffer for the verifier */
		LLVMValueRef l = cg_expr(c, len).v;
		LLVMValueRef small = LLVMBuildICmp(c->b, LLVMIntULT, l, sz, "");
		sz = LLVMBuildSelect(c->b, small, l, sz, "");
	}
	src = LLVMBuildIntToPtr(c->b, src, c->ptr, "");
	LLVMValueRef args[] = { dst, sz, src };
	cg_helper(c, sem(n)->ival ? H_PROBE_READ_USER_STR : H_PROBE_READ_KERNEL_STR, c->i64, args,
		  3);
}

static struct cgv str(struct cg *c, struct ast_node *n)
{
	struct ast_node *a = n->u.ident.args;
	if (a->type->kind == TY_STRING)
		return cg_expr(c, a);
	unsigned size = n->type->size + (unsigned)sem(n)->argn; /* + the byte past max_strlen */
	LLVMValueRef dst = cg_tmp(c, size);
	cg_memset0_al(c, dst, size, 8);
	cg_str_read(c, n, dst, size);
	return val(dst, n->type);
}

/* The map key of the map argument of delete(@m, k) / has_key(@m, k). */
static LLVMValueRef key_of(struct cg *c, struct ast_node *mapnode, struct ast_node *key,
			   const struct map_res *r)
{
	struct ast_node *saved = mapnode->u.ident.args;
	if (key)
		mapnode->u.ident.args = key;
	LLVMValueRef k = cg_map_key(c, mapnode, r, false);
	mapnode->u.ident.args = saved;
	return k;
}

static struct cgv map_delete(struct cg *c, struct ast_node *n)
{
	struct ast_node *m = n->u.ident.args;
	const struct map_res *r = cg_map_res(c, m);
	/* delete(@m, k), or the old delete(@m[k]) whose key is the map node's own */
	LLVMValueRef key = key_of(c, m, m->next, r);
	LLVMValueRef args[] = { c->maps[r->id], key };
	LLVMValueRef rc = cg_helper(c, H_MAP_DELETE, c->i64, args, 2);
	return val(cg_bool(c, LLVMBuildICmp(c->b, LLVMIntEQ, rc, cg_const(c, 0), "")), n->type);
}

static struct cgv has_key(struct cg *c, struct ast_node *n)
{
	struct ast_node *m = n->u.ident.args;
	const struct map_res *r = cg_map_res(c, m);
	LLVMValueRef key = key_of(c, m, m->next, r);
	LLVMValueRef p = cg_map_lookup(c, c->maps[r->id], key);
	return val(cg_bool(c, LLVMBuildIsNotNull(c->b, p, "")), n->type);
}

/* The callback of len(): counts the elements bpf_for_each_map_elem visits. */
static LLVMValueRef len_callback(struct cg *c)
{
	LLVMValueRef fn = LLVMGetNamedFunction(c->mod, "ct_len_cb");
	if (fn)
		return fn;
	LLVMTypeRef params[] = { c->ptr, c->ptr, c->ptr, c->ptr };
	fn = LLVMAddFunction(c->mod, "ct_len_cb", LLVMFunctionType(c->i64, params, 4, 0));
	LLVMSetLinkage(fn, LLVMInternalLinkage);
	cg_describe_fn(c, fn, 4);
	LLVMBasicBlockRef cur = LLVMGetInsertBlock(c->b);
	LLVMPositionBuilderAtEnd(c->b, LLVMAppendBasicBlockInContext(c->ctx, fn, "entry"));
	LLVMValueRef cnt = LLVMGetParam(fn, 3);
	LLVMValueRef v = LLVMBuildLoad2(c->b, c->i64, cnt, "");
	LLVMBuildStore(c->b, LLVMBuildAdd(c->b, v, cg_const(c, 1), ""), cnt);
	LLVMBuildRet(c->b, cg_const(c, 0));
	LLVMPositionBuilderAtEnd(c->b, cur);
	return fn;
}

static struct cgv map_len(struct cg *c, struct ast_node *n)
{
	const struct map_res *r = cg_map_res(c, n->u.ident.args);
	LLVMValueRef cnt = cg_tmp(c, 8);
	cg_store_int(c, cnt, cg_const(c, 0), 8);
	LLVMValueRef args[] = { c->maps[r->id], len_callback(c), cnt, cg_const(c, 0) };
	cg_helper(c, H_FOR_EACH_MAP_ELEM, c->i64, args, 4);
	LLVMValueRef v = cg_load_int(c, cnt, 8, false);
	if (r->agg == AGG_HIST || r->agg == AGG_LHIST) {
		/* hist maps hold one element per bucket: not the number of keys */
		return val(v, n->type);
	}
	return val(v, n->type);
}

static struct cgv bswap(struct cg *c, struct ast_node *n)
{
	struct cgv v = cg_expr(c, n->u.ident.args);
	unsigned size = n->type->size;
	if (size == 1)
		return val(v.v, n->type);
	LLVMTypeRef t = LLVMIntTypeInContext(c->ctx, size * 8);
	unsigned id = LLVMLookupIntrinsicID("llvm.bswap", 10);
	LLVMValueRef fn = LLVMGetIntrinsicDeclaration(c->mod, id, &t, 1);
	LLVMValueRef x = size == 8 ? v.v : LLVMBuildTrunc(c->b, v.v, t, "");
	LLVMValueRef r = LLVMBuildCall2(c->b, LLVMIntrinsicGetType(c->ctx, id, &t, 1), fn, &x, 1, "");
	return val(size == 8 ? r : LLVMBuildZExt(c->b, r, c->i64, ""), n->type);
}

struct cgv cg_call(struct cg *c, struct ast_node *n)
{
	switch ((enum builtin_func)sem(n)->id) {
	case BF_PRINTF:
		ev_printf(c, n, EV_PRINTF);
		break;
	case BF_PRINT:
		ev_print(c, n);
		break;
	case BF_TIME: {
		LLVMValueRef buf = event_buf(c, 8);
		cg_event_hdr(c, EV_TIME, (unsigned)sem(n)->fmt_id, buf);
		cg_ringbuf_output(c, buf, 8);
		break;
	}
	case BF_EXIT:
		ev_exit(c, n);
		break;
	case BF_CLEAR:
		ev_map(c, n, EV_CLEAR);
		break;
	case BF_ZERO:
		ev_map(c, n, EV_ZERO);
		break;
	case BF_STR:
		return str(c, n);
	case BF_DELETE:
		return map_delete(c, n);
	case BF_HAS_KEY:
		return has_key(c, n);
	case BF_BSWAP:
		return bswap(c, n);
	case BF_LEN:
		return map_len(c, n);
	case BF_CAT:
		ev_printf(c, n, EV_CAT);
		break;
	case BF_SYSTEM:
		ev_printf(c, n, EV_SYSTEM);
		break;
	case BF_KSTACK:
	case BF_USTACK:
	case BF_KSYM:
	case BF_USYM:
	case BF_KADDR:
	case BF_REG:
	case BF_BUF:
	case BF_STRNCMP:
	case BF_STRCONTAINS:
	case BF_STRSTR:
	case BF_STRLEN:
	case BF_NTOP:
	case BF_PTON:
	case BF_MACADDR:
	case BF_STRERROR:
	case BF_STRFTIME:
	case BF_CGROUPID:
	case BF_JOIN:
	case BF_SIGNAL:
	case BF_SIGNAL_THREAD:
	case BF_PID:
	case BF_TID:
	case BF_NSECS:
	case BF_COMM:
	case BF_USERMODE:
	case BF_LEADER_TID:
	case BF_LEADER_COMM:
	case BF_PROBETYPE:
	case BF_CGROUP_PATH:
	case BF_STR_CONCAT:
	case BF_STRCAP:
	case BF_MEMCMP:
	case BF_SIGNAL_NAME:
	case BF_SYSCALL_NAME:
	case BF_IS_ERR:
	case BF_IS_ARRAY:
	case BF_IS_INTEGER:
	case BF_IS_UNSIGNED_INTEGER:
	case BF_IS_PTR:
	case BF_IS_STR:
	case BF_IS_LITERAL:
	case BF_ERRORF:
	case BF_WARNF:
	case BF_FAIL:
	case BF_ASSERT:
	case BF_STATIC_ASSERT:
	case BF_FIND:
	case BF_PERCPU_KADDR:
		return cg_func(c, n, (enum builtin_func)sem(n)->id);
	case BF_GETOPT: /* folded by sema */
	case BF_KPTR:
	case BF_UPTR:
		/* the same bits; the type says which memory they point into */
		return val(cg_expr(c, n->u.ident.args).v, n->type);
	case BF_COUNT:
	case BF_SUM:
	case BF_AVG:
	case BF_MIN:
	case BF_MAX:
	case BF_STATS:
	case BF_HIST:
	case BF_LHIST:
	case BF_TSERIES:
	case BF_COUNT_:
		break; /* aggregations are handled by their assignment */
	}
	return val(cg_const(c, 0), n->type);
}

/* ---- aggregations ------------------------------------------------------------------------- */

/* floor(log2(v)) for v > 0, as a branch-free binary search (BPF has no clz). */
static LLVMValueRef log2_floor(struct cg *c, LLVMValueRef v)
{
	LLVMValueRef p = cg_const(c, 0);
	for (int sh = 32; sh >= 1; sh /= 2) {
		LLVMValueRef big = LLVMBuildICmp(c->b, LLVMIntUGE, v, cg_const(c, 1ull << sh), "");
		p = LLVMBuildAdd(c->b, p, LLVMBuildSelect(c->b, big, cg_const(c, (uint64_t)sh),
							  cg_const(c, 0), ""), "");
		v = LLVMBuildSelect(c->b, big, LLVMBuildLShr(c->b, v, cg_const(c, (uint64_t)sh), ""),
				    v, "");
	}
	return p;
}

/*
 * ct_log2, a 256-byte table in .rodata: entry x is floor(log2(x)) + 1, and
 * entry 0 is 0.  The verifier sees the index stay below 256 from the
 * comparisons that bring it there.
 */
static LLVMValueRef log2_table(struct cg *c)
{
	LLVMValueRef g = LLVMGetNamedGlobal(c->mod, "ct_log2");
	if (g)
		return g;
	LLVMValueRef vals[256];
	for (unsigned x = 0; x < 256; x++) {
		unsigned l = 0;
		while (x >> l)
			l++;
		vals[x] = LLVMConstInt(c->i8, l, 0);
	}
	LLVMTypeRef at = LLVMArrayType2(c->i8, 256);
	g = LLVMAddGlobal(c->mod, at, "ct_log2");
	LLVMSetInitializer(g, LLVMConstArray2(c->i8, vals, 256));
	LLVMSetGlobalConstant(g, 1);
	LLVMSetSection(g, ".rodata");
	LLVMSetAlignment(g, 8);
	LLVMMetadataRef u8 = LLVMDIBuilderCreateBasicType(c->di, "unsigned char", 13, 8,
							 0x08 /* DW_ATE_unsigned_char */, 0);
	LLVMMetadataRef sub = LLVMDIBuilderGetOrCreateSubrange(c->di, 0, 256);
	LLVMMetadataRef arr = LLVMDIBuilderCreateArrayType(c->di, 256 * 8, 8, u8, &sub, 1);
	cg_describe_global(c, g, "ct_log2", arr);
	return g;
}

/*
 * hist(v) (no sub-buckets): 0 for a negative v, 1 for 0, else
 * floor(log2(v)) + 2.  Three halving steps bring v below 256, and the table
 * gives the rest: much shorter than six steps.
 */
static LLVMValueRef hist_bucket0(struct cg *c, LLVMValueRef v)
{
	LLVMValueRef neg = LLVMBuildICmp(c->b, LLVMIntSLT, v, cg_const(c, 0), "");
	LLVMValueRef p = cg_const(c, 1), x = v;
	for (int sh = 32; sh >= 8; sh /= 2) {
		LLVMValueRef big = LLVMBuildICmp(c->b, LLVMIntUGE, x, cg_const(c, 1ull << sh), "");
		p = LLVMBuildAdd(c->b, p, LLVMBuildSelect(c->b, big, cg_const(c, (uint64_t)sh),
							  cg_const(c, 0), ""), "");
		x = LLVMBuildSelect(c->b, big, LLVMBuildLShr(c->b, x, cg_const(c, (uint64_t)sh), ""),
				    x, "");
	}
	/*
	 * x < 256 here, but LLVM may rewrite the comparisons above in terms of
	 * what x was computed from (a quotient's dividend, say), and then the
	 * verifier cannot bound the index.  An explicit mask that LLVM cannot
	 * see through (bpf.passthrough) gives it the bound in one instruction.
	 */
	LLVMValueRef idx[] = { LLVMBuildAnd(c->b, cg_opaque(c, x), cg_const(c, 255), "") };
	LLVMValueRef e = LLVMBuildGEP2(c->b, c->i8, log2_table(c), idx, 1, "");
	LLVMValueRef l = LLVMBuildZExt(c->b, LLVMBuildLoad2(c->b, c->i8, e, ""), c->i64, "");
	return LLVMBuildSelect(c->b, neg, cg_const(c, 0), LLVMBuildAdd(c->b, p, l, ""), "");
}

/* The bucket of hist(v, bits); the same function as hist_index() in runtime/hist.c. */
static LLVMValueRef hist_bucket(struct cg *c, LLVMValueRef v, int bits)
{
	if (bits == 0)
		return hist_bucket0(c, v);
	uint64_t n = 1ull << bits;
	LLVMValueRef neg = LLVMBuildICmp(c->b, LLVMIntSLT, v, cg_const(c, 0), "");
	LLVMValueRef small = LLVMBuildICmp(c->b, LLVMIntULT, v, cg_const(c, 2 * n), "");
	LLVMValueRef p = log2_floor(c, v);
	LLVMValueRef shift = LLVMBuildSub(c->b, p, cg_const(c, (uint64_t)bits), "");
	LLVMValueRef j = LLVMBuildSub(c->b, LLVMBuildLShr(c->b, v, shift, ""), cg_const(c, n), "");
	LLVMValueRef base = LLVMBuildShl(c->b, LLVMBuildAdd(c->b, shift, cg_const(c, 1), ""),
					 cg_const(c, (uint64_t)bits), "");
	LLVMValueRef big = LLVMBuildAdd(c->b, LLVMBuildAdd(c->b, base, j, ""), cg_const(c, 1), "");
	LLVMValueRef r = LLVMBuildSelect(c->b, small, LLVMBuildAdd(c->b, v, cg_const(c, 1), ""), big, "");
	return LLVMBuildSelect(c->b, neg, cg_const(c, 0), r, "");
}

/* The bucket of lhist(v, min, max, step); the same function as lhist_index(). */
static LLVMValueRef lhist_bucket(struct cg *c, LLVMValueRef v, const struct map_res *r)
{
	LLVMValueRef mn = cg_const(c, (uint64_t)r->lhist_min), mx = cg_const(c, (uint64_t)r->lhist_max);
	LLVMValueRef step = cg_const(c, (uint64_t)r->lhist_step);
	LLVMValueRef last = cg_const(c, (uint64_t)((r->lhist_max - r->lhist_min) / r->lhist_step + 1));
	LLVMValueRef in = LLVMBuildAdd(c->b, LLVMBuildUDiv(c->b, LLVMBuildSub(c->b, v, mn, ""), step, ""),
				       cg_const(c, 1), "");
	LLVMValueRef below = LLVMBuildICmp(c->b, LLVMIntSLT, v, mn, "");
	LLVMValueRef above = LLVMBuildICmp(c->b, LLVMIntSGT, v, mx, "");
	LLVMValueRef x = LLVMBuildSelect(c->b, above, last, in, "");
	return LLVMBuildSelect(c->b, below, cg_const(c, 0), x, "");
}

/*
 * Adds v to the u64 at p + off: one atomic add instruction instead of a
 * load, an add and a store.  The value is this CPU's own share, so the
 * lock prefix is never contended.
 */
static void add_at(struct cg *c, LLVMValueRef p, unsigned off, LLVMValueRef v)
{
	LLVMBuildAtomicRMW(c->b, LLVMAtomicRMWBinOpAdd, cg_gep(c, p, off), v,
			   LLVMAtomicOrderingMonotonic, 0);
}

/* min/max: replace the stored value when unset or beaten. */
static void minmax_at(struct cg *c, LLVMValueRef p, LLVMValueRef v, bool is_max, bool sgn)
{
	LLVMValueRef cur = cg_load_int(c, p, 8, false);
	LLVMValueRef set = cg_load_int(c, cg_gep(c, p, 8), 8, false);
	LLVMIntPredicate pr = is_max ? (sgn ? LLVMIntSGT : LLVMIntUGT) : (sgn ? LLVMIntSLT : LLVMIntULT);
	LLVMValueRef better = LLVMBuildICmp(c->b, pr, v, cur, "");
	LLVMValueRef unset = LLVMBuildICmp(c->b, LLVMIntEQ, set, cg_const(c, 0), "");
	LLVMValueRef take = LLVMBuildOr(c->b, better, unset, "");
	cg_store_int(c, p, LLVMBuildSelect(c->b, take, v, cur, ""), 8);
	cg_store_int(c, cg_gep(c, p, 8), cg_const(c, 1), 8);
}

/*
 * tseries(): the slot of the interval now falls in is (key, epoch % count),
 * epoch = TAI ns / interval (TAI so that user space can turn it back into
 * wall-clock time, and so that intervals start on round times).  A slot
 * still holding an older epoch is this interval's first write and starts
 * over; user space keeps, per slot, only the newest epoch any CPU saw.
 */
static void tseries_update(struct cg *c, struct ast_node *target, const struct map_res *r,
			   LLVMValueRef v)
{
	LLVMValueRef key = cg_map_key(c, target, r, true);
	LLVMValueRef now = cg_helper(c, H_KTIME_GET_TAI_NS, c->i64, NULL, 0);
	LLVMValueRef epoch = LLVMBuildUDiv(c->b, now, cg_const(c, r->ts_interval), "");
	LLVMValueRef meta = r->ts_fn == TS_LAST ? now : cg_const(c, 1);
	bool sgn = r->val->is_signed;

	cg_store_int(c, cg_gep(c, key, r->key_size - 8),
		     LLVMBuildURem(c->b, epoch, cg_const(c, r->ts_count), ""), 8);
	LLVMValueRef p = cg_map_lookup(c, c->maps[r->id], key);
	LLVMBasicBlockRef hit = cg_block(c, "ts.hit"), same = cg_block(c, "ts.same"),
			  fresh = cg_block(c, "ts.fresh"), miss = cg_block(c, "ts.miss"),
			  done = cg_block(c, "ts.done");
	LLVMBuildCondBr(c->b, LLVMBuildIsNull(c->b, p, ""), miss, hit);

	LLVMPositionBuilderAtEnd(c->b, hit);
	LLVMValueRef old = cg_load_int(c, cg_gep(c, p, 16), 8, false);
	LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntEQ, old, epoch, ""), same, fresh);

	/* another value in the same interval on this CPU */
	LLVMPositionBuilderAtEnd(c->b, same);
	switch ((enum tseries_fn)r->ts_fn) {
	case TS_LAST:
		cg_store_int(c, p, v, 8);
		cg_store_int(c, cg_gep(c, p, 8), now, 8);
		break;
	case TS_AVG:
	case TS_SUM:
		add_at(c, p, 0, v);
		add_at(c, p, 8, cg_const(c, 1));
		break;
	case TS_MIN:
	case TS_MAX: {
		LLVMValueRef cur = cg_load_int(c, p, 8, false);
		LLVMIntPredicate pr = r->ts_fn == TS_MAX ? (sgn ? LLVMIntSGT : LLVMIntUGT)
							 : (sgn ? LLVMIntSLT : LLVMIntULT);
		LLVMValueRef better = LLVMBuildICmp(c->b, pr, v, cur, "");
		cg_store_int(c, p, LLVMBuildSelect(c->b, better, v, cur, ""), 8);
		add_at(c, p, 8, cg_const(c, 1));
		break;
	}
	}
	LLVMBuildBr(c->b, done);

	/* the slot last held an interval count intervals ago (or was zeroed) */
	LLVMPositionBuilderAtEnd(c->b, fresh);
	cg_store_int(c, p, v, 8);
	cg_store_int(c, cg_gep(c, p, 8), meta, 8);
	cg_store_int(c, cg_gep(c, p, 16), epoch, 8);
	LLVMBuildBr(c->b, done);

	LLVMPositionBuilderAtEnd(c->b, miss);
	LLVMValueRef init = cg_tmp(c, r->val_size);
	cg_store_int(c, init, v, 8);
	cg_store_int(c, cg_gep(c, init, 8), meta, 8);
	cg_store_int(c, cg_gep(c, init, 16), epoch, 8);
	cg_map_insert(c, c->maps[r->id], key, init, &target->loc);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
}

void cg_agg_update(struct cg *c, struct ast_node *target, struct ast_node *call)
{
	const struct map_res *r = cg_map_res(c, target);
	struct ast_node *arg = call->u.ident.args;
	LLVMValueRef v = arg ? cg_expr(c, arg).v : cg_const(c, 1);

	if (r->agg == AGG_TSERIES) {
		tseries_update(c, target, r, v);
		return;
	}
	bool bucket = r->agg == AGG_HIST || r->agg == AGG_LHIST;
	LLVMValueRef key = cg_map_key(c, target, r, bucket);
	bool sgn = r->val->is_signed;

	if (r->agg == AGG_HIST || r->agg == AGG_LHIST) {
		LLVMValueRef b = r->agg == AGG_HIST ? hist_bucket(c, v, r->hist_bits)
						    : lhist_bucket(c, v, r);
		cg_store_int(c, cg_gep(c, key, r->key_size - 8), b, 8);
	}
	LLVMValueRef p = cg_map_lookup(c, c->maps[r->id], key);
	LLVMBasicBlockRef hit = cg_block(c, "agg.hit"), miss = cg_block(c, "agg.miss"),
			  done = cg_block(c, "agg.done");
	LLVMBuildCondBr(c->b, LLVMBuildIsNull(c->b, p, ""), miss, hit);

	/* a hit: the value is this CPU's own, so a plain read-modify-write is safe */
	LLVMPositionBuilderAtEnd(c->b, hit);
	switch (r->agg) {
	case AGG_COUNT:
	case AGG_HIST:
	case AGG_LHIST:
		add_at(c, p, 0, cg_const(c, 1));
		break;
	case AGG_SUM:
		add_at(c, p, 0, v);
		break;
	case AGG_AVG:
	case AGG_STATS:
		add_at(c, p, 0, v);
		add_at(c, p, 8, cg_const(c, 1));
		break;
	case AGG_MIN:
	case AGG_MAX:
		minmax_at(c, p, v, r->agg == AGG_MAX, sgn);
		break;
	case AGG_TSERIES: /* tseries_update() */
	case AGG_NONE:
		break;
	}
	LLVMBuildBr(c->b, done);

	/* a miss: insert the first value */
	LLVMPositionBuilderAtEnd(c->b, miss);
	LLVMValueRef init = cg_tmp(c, r->val_size);
	bool pair = r->agg == AGG_AVG || r->agg == AGG_STATS || r->agg == AGG_MIN ||
		    r->agg == AGG_MAX;
	bool one = r->agg == AGG_COUNT || r->agg == AGG_HIST || r->agg == AGG_LHIST;
	cg_store_int(c, init, one ? cg_const(c, 1) : v, 8);
	if (pair)
		cg_store_int(c, cg_gep(c, init, 8), cg_const(c, 1), 8);
	cg_map_insert(c, c->maps[r->id], key, init, &target->loc);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
}

static LLVMValueRef apply_op(struct cg *c, enum binop op, const struct loc *loc, LLVMValueRef a,
			     LLVMValueRef b)
{
	LLVMValueRef z, q;
	switch (op) {
	case BINOP_ADD: return LLVMBuildAdd(c->b, a, b, "");
	case BINOP_SUB: return LLVMBuildSub(c->b, a, b, "");
	case BINOP_MUL: return LLVMBuildMul(c->b, a, b, "");
	case BINOP_BAND: return LLVMBuildAnd(c->b, a, b, "");
	case BINOP_BOR: return LLVMBuildOr(c->b, a, b, "");
	case BINOP_BXOR: return LLVMBuildXor(c->b, a, b, "");
	case BINOP_SHL: return LLVMBuildShl(c->b, a, LLVMBuildAnd(c->b, b, cg_const(c, 63), ""), "");
	case BINOP_SHR: return LLVMBuildLShr(c->b, a, LLVMBuildAnd(c->b, b, cg_const(c, 63), ""), "");
	case BINOP_DIV:
	case BINOP_MOD:
		if (loc)
			return cg_divmod(c, op, loc, a, b);
		/* x / 0 is 1, as for the operator; a divisor of 0 is replaced to keep LLVM defined */
		z = LLVMBuildICmp(c->b, LLVMIntEQ, b, cg_const(c, 0), "");
		b = LLVMBuildSelect(c->b, z, cg_const(c, 1), b, "");
		q = op == BINOP_DIV ? LLVMBuildUDiv(c->b, a, b, "") : LLVMBuildURem(c->b, a, b, "");
		return LLVMBuildSelect(c->b, z, cg_const(c, 1), q, "");
	default:
		return b;
	}
}

LLVMValueRef cg_compound(struct cg *c, enum binop op, const struct loc *loc, LLVMValueRef a,
			 LLVMValueRef b)
{
	return apply_op(c, op, loc, a, b);
}

void cg_map_assign(struct cg *c, struct ast_node *target, struct ast_node *value, enum binop op)
{
	const struct map_res *r = cg_map_res(c, target);

	if (r->agg != AGG_NONE && op == BINOP_NONE) {
		cg_agg_update(c, target, value);
		return;
	}
	if (op == BINOP_NONE) {
		LLVMValueRef key = cg_map_key(c, target, r, false);
		LLVMValueRef vp = cg_tmp(c, r->val_size);
		cg_expr_into(c, value, vp, r->val);
		cg_map_insert(c, c->maps[r->id], key, vp, &target->loc);
		return;
	}
	/* @m[k] op= v: in place on a hit, an insert of (0 op v) on a miss */
	LLVMValueRef v = cg_expr(c, value).v;
	LLVMValueRef key = cg_map_key(c, target, r, false);
	LLVMValueRef p = cg_map_lookup(c, c->maps[r->id], key);
	LLVMBasicBlockRef hit = cg_block(c, "op.hit"), miss = cg_block(c, "op.miss"),
			  done = cg_block(c, "op.done");
	LLVMBuildCondBr(c->b, LLVMBuildIsNull(c->b, p, ""), miss, hit);
	LLVMPositionBuilderAtEnd(c->b, hit);
	cg_store_int(c, p, apply_op(c, op, &target->loc, cg_load_int(c, p, 8, false), v), 8);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, miss);
	LLVMValueRef init = cg_tmp(c, 8);
	cg_store_int(c, init, apply_op(c, op, &target->loc, cg_const(c, 0), v), 8);
	cg_map_insert(c, c->maps[r->id], key, init, &target->loc);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
}
