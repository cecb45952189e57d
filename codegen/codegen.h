/* SPDX-License-Identifier: Apache-2.0 */
/* Code generation: a typed program -> LLVM IR -> a BPF ELF object in memory. */
#ifndef CTRACE_CODEGEN_H
#define CTRACE_CODEGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct program;

struct cg_opts {
	FILE *dump_ir;     /* -d ir: the module before optimisation */
	FILE *dump_ir_opt; /* -d ir-opt: after */
	bool verify;       /* --verify-llvm-ir */
	unsigned ncpus;    /* the `ncpus` builtin */
};

/*
 * Compile p (after the front end) into a BPF ELF object.  On success *elf
 * is a malloc'd buffer of *size bytes.  Errors go to p's diagnostics.
 */
int codegen(struct program *p, const struct cg_opts *o, void **elf, size_t *size);

/* "LLVM 19.1.7" */
const char *codegen_llvm_version(void);

#endif
