/* SPDX-License-Identifier: Apache-2.0 */
/* Semantic analysis of kernel and user memory: named types, pointers, members, task walks. */
#ifndef CTRACE_SEMA_PTR_H
#define CTRACE_SEMA_PTR_H

#include "sema.h"

struct btf_ctx;

/* The kernel's BTF, opened on first use (NULL when the kernel has none). */
struct btf_ctx *sema_btf(struct sema *s);
/* char arrays read as strings; everything else unchanged. */
const struct type *sema_value_type(struct sema *s, const struct type *t);
const struct type *sema_complete(struct sema *s, const struct type *t);
/* The HINT after "no field named want" in st: the closest field, or all of them. */
void sema_field_hint(struct sema *s, const struct type *st, const char *want);
/* A type named in a cast, let or sizeof: script definitions, then BTF. NULL if unknown. */
const struct type *sema_named_type(struct sema *s, struct ast_typespec *ts);
const struct type *sema_curtask_type(struct sema *s);
/* ppid / pcomm: curtask->link->member. */
const struct type *sema_task_walk(struct sema *s, struct ast_node *n, const char *link,
				  const char *member);
/* A member of a struct value or of the struct a pointer points to. */
const struct type *sema_member(struct sema *s, struct ast_node *n, const struct type *bt);
const struct type *sema_deref(struct sema *s, struct ast_node *n, const struct type *t);
const struct type *sema_index(struct sema *s, struct ast_node *n);
const struct type *sema_addrspace(struct sema *s, struct ast_node *n, enum addrspace as);
const struct type *sema_offsetof(struct sema *s, struct ast_node *n);

#endif
