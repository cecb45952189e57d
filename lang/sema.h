/* SPDX-License-Identifier: Apache-2.0 */
/* Semantic analysis internals shared by lang/sema_types.c and lang/sema_calls.c. */
#ifndef CTRACE_SEMA_H
#define CTRACE_SEMA_H

#include <stdbool.h>
#include <stdint.h>

#include "builtins.h"
#include "program.h"

#define SEMA_MAX_LETS 1024

/*
 * Variables: one assigned without `let` lives for the whole probe (as in
 * bpftrace 0.17); one declared with `let` (or a for-loop variable) lives in
 * its block (as in bpftrace's newest release) and may not shadow another.
 */
struct sema {
	struct program *p;
	struct probe *pr;
	struct attach *proto; /* the target whose arguments the body reads */
	int loop_depth;
	int in_formap;        /* inside the body of a for loop over a map (a callback) */
	bool final;
	int depth;            /* block nesting */
	struct ast_node *fn;  /* the BLOCK_EXPR of the inlined fn call being checked, or NULL */
	struct {
		struct var_sym *v;
		int depth;
	} lets[SEMA_MAX_LETS]; /* the block-scoped variables in scope, innermost last */
	int nlets;
};

/* Diagnostics: reported only on the last pass, when types have settled. */
void sema_err(struct sema *s, const struct loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void sema_warn(struct sema *s, const struct loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *sema_tstr(struct sema *s, const struct type *t);
/* A `HINT:` line for the last diagnostic (last pass only). */
void sema_hint(struct sema *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The node's annotation for codegen, made on first use. */
struct sem *sema_sem(struct sema *s, struct ast_node *n);
const struct type *sema_settype(struct ast_node *n, const struct type *t);
/* The type a value takes in a map, a variable or an event: integers widen to 64 bits. */
const struct type *sema_storage_type(struct sema *s, const struct type *t);
/* Combine a stored type with a newly assigned one; NULL if they cannot be combined. */
const struct type *sema_unify(struct sema *s, const struct type *old, const struct type *new);
bool sema_is_intlike(const struct type *t);
bool sema_const_int(struct ast_node *n, int64_t *out);
/* Turn n into an integer literal in place. */
void sema_make_int(struct ast_node *n, uint64_t v, bool is_unsigned);
void sema_make_string(struct ast_node *n, const char *v, size_t len);

/* The variable name refers to here: a block-scoped one in scope, else the probe's. */
struct var_sym *sema_var_find(struct sema *s, const char *name);
/* The variable an assignment to name writes: an existing one, or a new probe-wide one. */
struct var_sym *sema_var_get(struct sema *s, const char *name, const struct loc *loc);
/* Blocks: block-scoped variables declared inside end with the block. */
void sema_block_enter(struct sema *s);
void sema_block_leave(struct sema *s);
struct map_sym *sema_map_get(struct sema *s, const char *name, const struct loc *loc);
const struct type *sema_map_key(struct sema *s, struct ast_node *n, struct map_sym *m);
/* The key k used with map m (NULL: none), reported at n. */
const struct type *sema_map_key_of(struct sema *s, struct ast_node *n, struct ast_node *k,
				   struct map_sym *m);
struct map_sym *sema_map_ref(struct sema *s, struct ast_node *n);

const struct type *sema_expr(struct sema *s, struct ast_node *n);
const struct type *sema_expr_int(struct sema *s, struct ast_node *n, const char *what);
void sema_cond(struct sema *s, struct ast_node *n);
const struct type *sema_positional(struct sema *s, struct ast_node *n);
const struct type *sema_cast_target(struct sema *s, struct ast_typespec *ts);

/* sema_calls.c: a call; assign_to is the map an aggregation is assigned to, or NULL. */
const struct type *sema_call(struct sema *s, struct ast_node *n, struct map_sym *assign_to);
struct map_sym *sema_map_arg(struct sema *s, struct ast_node *call, struct ast_node *a,
			     bool allow_key);

#endif
