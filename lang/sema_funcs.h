/* SPDX-License-Identifier: Apache-2.0 */
/* Semantic analysis of stacks, symbols, registers, buffers, strings, addresses, time, unsafe calls. */
#ifndef CTRACE_SEMA_FUNCS_H
#define CTRACE_SEMA_FUNCS_H

#include "sema.h"

/* kstack/ustack as a builtin or a call. */
const struct type *sema_stack(struct sema *s, struct ast_node *n, bool user);
/* The type of call n to f, a function of sema_funcs.c (*handled false otherwise). */
const struct type *sema_func(struct sema *s, struct ast_node *n, enum builtin_func f,
			     bool *handled);

#endif
