/* SPDX-License-Identifier: Apache-2.0 */
/* Statements: assignments, conditionals and loops. */
#include "cg.h"

#include "arena.h"


static void stmt(struct cg *c, struct ast_node *n);

static void assign(struct cg *c, struct ast_node *n)
{
	struct ast_node *t = n->u.assign.target, *v = n->u.assign.value;

	if (t->kind == AST_MAP) {
		cg_map_assign(c, t, v, n->u.assign.op);
		return;
	}
	struct var_sym *var = ((struct sem *)t->sema)->var;
	if (n->u.assign.op == BINOP_NONE) {
		cg_expr_into(c, v, cg_var_slot(c, var), var->type);
		return;
	}
	LLVMValueRef p = cg_var_slot(c, var);
	LLVMValueRef old = cg_load_int(c, p, var->type->size, var->type->is_signed);
	cg_store_int(c, p, cg_compound(c, n->u.assign.op, &n->loc, old, cg_expr(c, v).v), var->type->size);
}

static void if_stmt(struct cg *c, struct ast_node *n)
{
	LLVMBasicBlockRef tb = cg_block(c, "if.then"), eb = cg_block(c, "if.else"),
			  done = cg_block(c, "if.done");
	LLVMBuildCondBr(c->b, cg_cond(c, n->u.cond.cond), tb, eb);
	LLVMPositionBuilderAtEnd(c->b, tb);
	cg_stmts(c, n->u.cond.then->u.block.stmts);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, eb);
	if (n->u.cond.els)
		stmt(c, n->u.cond.els);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
}

static bool push_loop(struct cg *c, LLVMBasicBlockRef brk, LLVMBasicBlockRef cont)
{
	if (c->nloops >= CG_MAX_LOOPS) {
		diag_error(c->p->diags, NULL, "loops are nested too deeply");
		return false;
	}
	c->loops[c->nloops].brk = brk;
	c->loops[c->nloops].cont = cont;
	c->nloops++;
	return true;
}

static void while_stmt(struct cg *c, struct ast_node *n)
{
	LLVMBasicBlockRef head = cg_block(c, "while.head"), body = cg_block(c, "while.body"),
			  done = cg_block(c, "while.done");
	LLVMBuildBr(c->b, head);
	LLVMPositionBuilderAtEnd(c->b, head);
	LLVMBuildCondBr(c->b, cg_cond(c, n->u.cond.cond), body, done);
	LLVMPositionBuilderAtEnd(c->b, body);
	if (push_loop(c, done, head)) {
		cg_stmts(c, n->u.cond.then->u.block.stmts);
		c->nloops--;
	}
	LLVMBuildBr(c->b, head);
	LLVMPositionBuilderAtEnd(c->b, done);
}

/* for ($i : lo..hi): the bounds are evaluated once; the range is half-open. */
static void for_range(struct cg *c, struct ast_node *n)
{
	struct var_sym *v = ((struct sem *)n->sema)->var;
	LLVMValueRef slot = cg_var_slot(c, v);
	LLVMValueRef lo = cg_expr(c, n->u.loop.lo).v, hi = cg_expr(c, n->u.loop.hi).v;
	LLVMValueRef hislot = cg_tmp(c, 8);
	cg_store_int(c, hislot, hi, 8);
	cg_store_int(c, slot, lo, 8);

	LLVMBasicBlockRef head = cg_block(c, "for.head"), body = cg_block(c, "for.body"),
			  step = cg_block(c, "for.step"), done = cg_block(c, "for.done");
	LLVMBuildBr(c->b, head);
	LLVMPositionBuilderAtEnd(c->b, head);
	LLVMValueRef i = cg_load_int(c, slot, 8, true);
	LLVMValueRef more = LLVMBuildICmp(c->b, LLVMIntSLT, i, cg_load_int(c, hislot, 8, true), "");
	LLVMBuildCondBr(c->b, more, body, done);
	LLVMPositionBuilderAtEnd(c->b, body);
	if (push_loop(c, done, step)) {
		cg_stmts(c, n->u.loop.body->u.block.stmts);
		c->nloops--;
	}
	LLVMBuildBr(c->b, step);
	LLVMPositionBuilderAtEnd(c->b, step);
	cg_store_int(c, slot, LLVMBuildAdd(c->b, cg_load_int(c, slot, 8, true), cg_const(c, 1), ""),
		     8);
	LLVMBuildBr(c->b, head);
	LLVMPositionBuilderAtEnd(c->b, done);
}

/* Where the probe id waits for callbacks, which have no context to read it from. */
static long probe_id_slot(struct cg *c)
{
	long off = (long)c->scratch_used;
	c->scratch_used += 8;
	return off;
}

/*
 * for ($kv : @m) { body }: the body becomes a callback of
 * bpf_for_each_map_elem.  The probe's variables live in the per-CPU scratch
 * area, which the callback looks up too, so both see the same bytes.
 */
static void for_map(struct cg *c, struct ast_node *n)
{
	struct ast_node *mapnode = n->u.loop.lo;
	const struct map_res *r = cg_map_res(c, mapnode);
	struct var_sym *kv = ((struct sem *)n->sema)->var;
	long pid_off = probe_id_slot(c);

	cg_store_int(c, cg_gep(c, cg_scratch_base(c), (unsigned)pid_off), c->probe_id, 8);

	/* the callback */
	struct cg saved = *c;
	LLVMBasicBlockRef back = LLVMGetInsertBlock(c->b);
	LLVMTypeRef params[] = { c->ptr, c->ptr, c->ptr, c->ptr };
	const char *name = arena_printf(c->p->arena, "%s_each%ld", c->pg->fn_name, pid_off);
	LLVMValueRef fn = LLVMAddFunction(c->mod, name, LLVMFunctionType(c->i64, params, 4, 0));
	LLVMSetLinkage(fn, LLVMInternalLinkage);
	cg_describe_fn(c, fn, 4);
	cg_function_begin(c, fn);
	c->scratch = NULL;
	c->ctxarg = NULL;
	c->in_callback = true;
	c->nloops = 0;
	c->inl.done = NULL; /* an fn around the loop ends in the probe, not here */
	c->probe_id = cg_load_int(c, cg_gep(c, cg_scratch_base(c), (unsigned)pid_off), 8, false);

	/* $kv = (key, value) */
	LLVMValueRef slot = cg_var_slot(c, kv);
	const struct type *t = kv->type;
	cg_memcpy(c, cg_gep(c, slot, t->fields[0].offset), LLVMGetParam(c->fn, 1), r->key->size);
	cg_memcpy(c, cg_gep(c, slot, t->fields[1].offset), LLVMGetParam(c->fn, 2), r->val->size);

	/* break stops the walk (1), continue goes on to the next element (0) */
	LLVMBasicBlockRef brk = cg_block(c, "each.break"), cont = cg_block(c, "each.next");
	if (push_loop(c, brk, cont)) {
		cg_stmts(c, n->u.loop.body->u.block.stmts);
		c->nloops--;
	}
	LLVMBuildBr(c->b, cont);
	LLVMPositionBuilderAtEnd(c->b, brk);
	LLVMBuildRet(c->b, cg_const(c, 1));
	LLVMPositionBuilderAtEnd(c->b, cont);
	LLVMBuildRet(c->b, cg_const(c, 0));
	cg_prologue_finish(c);
	LLVMValueRef cb = c->fn;

	/* back in the probe: walk the map */
	unsigned scratch_used = c->scratch_used, stack_used = c->stack_used;
	LLVMValueRef scratch_map = c->scratch_map;
	const char *scratch_name = c->scratch_name;
	*c = saved;
	c->scratch_used = scratch_used;
	c->stack_used = stack_used;
	c->scratch_map = scratch_map;
	c->scratch_name = scratch_name;
	LLVMPositionBuilderAtEnd(c->b, back);
	LLVMValueRef args[] = { c->maps[r->id], cb, LLVMConstNull(c->ptr), cg_const(c, 0) };
	cg_helper(c, H_FOR_EACH_MAP_ELEM, c->i64, args, 4);
}

static void jump(struct cg *c, bool is_break)
{
	if (!c->nloops)
		return; /* rejected by sema */
	LLVMBuildBr(c->b, is_break ? c->loops[c->nloops - 1].brk : c->loops[c->nloops - 1].cont);
	cg_dead_block(c);
}

static void stmt(struct cg *c, struct ast_node *n)
{
	switch (n->kind) {
	case AST_EXPR_STMT:
		cg_expr(c, n->u.stmt.expr);
		break;
	case AST_ASSIGN:
		assign(c, n);
		break;
	case AST_LET:
		if (n->u.let.init) {
			struct var_sym *v = ((struct sem *)n->sema)->var;
			cg_expr_into(c, n->u.let.init, cg_var_slot(c, v), v->type);
		}
		break;
	case AST_IF:
		if_stmt(c, n);
		break;
	case AST_WHILE:
		while_stmt(c, n);
		break;
	case AST_UNROLL: {
		long long cnt = (long long)n->u.unroll.count->u.num.value;
		for (long long i = 0; i < cnt; i++)
			cg_stmts(c, n->u.unroll.body->u.block.stmts);
		break;
	}
	case AST_FOR_RANGE:
		for_range(c, n);
		break;
	case AST_FOR_MAP:
		for_map(c, n);
		break;
	case AST_BREAK:
		jump(c, true);
		break;
	case AST_CONTINUE:
		jump(c, false);
		break;
	case AST_RETURN:
		if (!c->inl.done) {
			cg_return(c);
			break;
		}
		/* inside an inlined fn: its result, then its end */
		if (n->u.stmt.expr && c->inl.slot)
			cg_expr_into(c, n->u.stmt.expr, c->inl.slot, c->inl.type);
		LLVMBuildBr(c->b, c->inl.done);
		cg_dead_block(c);
		break;
	case AST_BLOCK:
		cg_stmts(c, n->u.block.stmts);
		break;
	default:
		break; /* rejected by sema */
	}
}

void cg_stmts(struct cg *c, struct ast_node *list)
{
	ast_foreach(n, list) stmt(c, n);
}
