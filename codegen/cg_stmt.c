/* SPDX-License-Identifier: Apache-2.0 */
/* Statements: assignments, conditionals and loops. */
#include "cg.h"


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
	case AST_BREAK:
		jump(c, true);
		break;
	case AST_CONTINUE:
		jump(c, false);
		break;
	case AST_RETURN:
		cg_return(c);
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
