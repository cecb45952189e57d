/* SPDX-License-Identifier: Apache-2.0 */
/* Code generator internals shared by the codegen/ files (the only LLVM users). */
#ifndef CTRACE_CG_H
#define CTRACE_CG_H

#include <llvm-c/Core.h>
#include <llvm-c/DebugInfo.h>
#include <llvm-c/TargetMachine.h>

#include "codegen.h"
#include "builtins.h"
#include "program.h"

/* BPF helper function ids (linux/bpf.h, enum bpf_func_id). */
enum bpf_helper {
	H_MAP_LOOKUP = 1,
	H_MAP_UPDATE = 2,
	H_MAP_DELETE = 3,
	H_KTIME_GET_NS = 5,
	H_GET_PRANDOM_U32 = 7,
	H_GET_SMP_PROCESSOR_ID = 8,
	H_GET_CURRENT_PID_TGID = 14,
	H_GET_CURRENT_UID_GID = 15,
	H_GET_CURRENT_COMM = 16,
	H_GET_CURRENT_TASK = 35,
	H_GET_STACK = 67,
	H_SEND_SIGNAL = 109,
	H_SEND_SIGNAL_THREAD = 117,
	H_GET_NUMA_NODE_ID = 42,
	H_GET_CURRENT_CGROUP_ID = 80,
	H_PROBE_READ_USER = 112,
	H_PROBE_READ_KERNEL = 113,
	H_PROBE_READ_USER_STR = 114,
	H_PROBE_READ_KERNEL_STR = 115,
	H_JIFFIES64 = 118,
	H_GET_NS_CURRENT_PID_TGID = 120,
	H_GET_CURRENT_ANCESTOR_CGROUP_ID = 123,
	H_KTIME_GET_BOOT_NS = 125,
	H_RINGBUF_OUTPUT = 130,
	H_FOR_EACH_MAP_ELEM = 164,
	H_GET_FUNC_IP = 173,
	H_GET_ATTACH_COOKIE = 174,
	H_MAP_LOOKUP_PERCPU = 195,
	H_KTIME_GET_TAI_NS = 208,
};

/* BPF map types used for internal maps (linux/bpf.h). */
enum { BPF_ARRAY = 2, BPF_PERCPU_ARRAY = 6, BPF_RINGBUF = 27 };

#define CG_MAX_LOOPS 64
/* Temporaries up to this size live on the BPF stack, while the stack budget lasts. */
#define CG_STACK_TMP_MAX 64
#define CG_STACK_BUDGET 256

struct cg {
	struct program *p;
	const struct cg_opts *opts;
	LLVMContextRef ctx;
	LLVMModuleRef mod;
	LLVMBuilderRef b;
	LLVMDIBuilderRef di;
	LLVMMetadataRef di_file, di_cu, di_int;
	LLVMTargetMachineRef tm;
	LLVMTypeRef i1, i8, i16, i32, i64, ptr, vd;

	LLVMValueRef *maps;     /* user maps, by resources id */
	LLVMValueRef ringbuf;
	LLVMValueRef start_map; /* `elapsed`: the start time, written by the runtime */

	/* the function being generated */
	struct prog *pg;
	LLVMValueRef fn, ctxarg;
	LLVMBasicBlockRef entry;   /* allocas, then a branch to the prologue */
	LLVMValueRef entry_br;     /* that branch */
	LLVMBasicBlockRef pro_end; /* the prologue's open last block: lookups, clearing */
	LLVMBasicBlockRef body;    /* where the prologue goes when it ends */
	LLVMValueRef probe_id;     /* i64 */
	LLVMValueRef scratch;      /* per-CPU scratch base in this function (NULL until needed) */
	LLVMValueRef scratch_map;  /* the program's scratch map (NULL until needed) */
	bool force_scratch;        /* temporaries in scratch: callbacks share them */
	bool in_callback;          /* generating a for-loop callback: no context */
	unsigned scratch_used;
	unsigned stack_used;
	const char *scratch_name;
	struct {
		LLVMBasicBlockRef brk, cont;
	} loops[CG_MAX_LOOPS];
	int nloops;
	struct {
		LLVMBasicBlockRef done; /* where `return` goes in an inlined fn (NULL: none) */
		LLVMValueRef slot;      /* the fn's result (NULL: no result) */
		const struct type *type;
	} inl;
	bool no_clean;
	unsigned opaque_seq; /* numbers the llvm.bpf.passthrough calls */ /* strings read into an event need no clearing past their NUL */
};

/* A value of an expression: scalars live in an i64 register, the rest in memory. */
struct cgv {
	LLVMValueRef v;          /* i64, or a pointer to the value's bytes */
	const struct type *t;
};

/* cg.c */
/* A map definition in ".maps": the global now, its BTF description once the sizes are known. */
LLVMValueRef cg_map_global(struct cg *c, const char *name, unsigned nmembers);
void cg_map_describe(struct cg *c, LLVMValueRef g, const char *name, int type, unsigned key_size,
		     unsigned val_size, unsigned max_entries);
/* Debug info for global g (so that it has a BTF VAR in its data section). */
void cg_describe_global(struct cg *c, LLVMValueRef g, const char *name, LLVMMetadataRef type);
void cg_describe_fn(struct cg *c, LLVMValueRef fn, unsigned nparams);
LLVMValueRef cg_map_def(struct cg *c, const char *name, int type, unsigned key_size,
			unsigned val_size, unsigned max_entries);

/* cg_util.c: memory, helpers, blocks */
LLVMValueRef cg_const(struct cg *c, uint64_t v);
LLVMValueRef cg_helper(struct cg *c, enum bpf_helper id, LLVMTypeRef ret, LLVMValueRef *args,
		       unsigned n);
LLVMValueRef cg_tmp(struct cg *c, unsigned size);
LLVMValueRef cg_gep(struct cg *c, LLVMValueRef p, unsigned off);
/* Clear or copy size bytes; the _al forms know both sides are al-aligned (temporaries: 8). */
void cg_memset0(struct cg *c, LLVMValueRef p, unsigned size);
void cg_memcpy(struct cg *c, LLVMValueRef dst, LLVMValueRef src, unsigned size);
void cg_memset0_al(struct cg *c, LLVMValueRef p, unsigned size, unsigned al);
void cg_memcpy_al(struct cg *c, LLVMValueRef dst, LLVMValueRef src, unsigned size, unsigned al);
void cg_store_int(struct cg *c, LLVMValueRef p, LLVMValueRef v, unsigned size);
LLVMValueRef cg_load_int(struct cg *c, LLVMValueRef p, unsigned size, bool is_signed);
LLVMValueRef cg_to_i64(struct cg *c, LLVMValueRef v);
LLVMValueRef cg_bool(struct cg *c, LLVMValueRef i1v);
LLVMBasicBlockRef cg_block(struct cg *c, const char *name);
void cg_dead_block(struct cg *c);
void cg_return(struct cg *c);
/* Write v (of v.t) into dst laid out as dst_t (widening ints, padding strings). */
void cg_store_value(struct cg *c, LLVMValueRef dst, const struct type *dst_t, struct cgv v);
LLVMValueRef cg_map_lookup(struct cg *c, LLVMValueRef map, LLVMValueRef key);
LLVMValueRef cg_map_update(struct cg *c, LLVMValueRef map, LLVMValueRef key, LLVMValueRef val);
void cg_ringbuf_output(struct cg *c, LLVMValueRef data, unsigned size);
/* Update the map, reporting a full map at run time (for loc). */
void cg_map_insert(struct cg *c, LLVMValueRef map, LLVMValueRef key, LLVMValueRef val,
		   const struct loc *loc);
/* Send an event with only a header. */
void cg_event_hdr(struct cg *c, enum event_kind kind, unsigned id, LLVMValueRef buf);
LLVMValueRef cg_scratch_base(struct cg *c);
/*
 * The prologue runs before the body on every path: code that must dominate
 * all uses (lookups of per-CPU areas, clearing variables) goes there.
 * Begin and end bracket emitting into it; cg_prologue_finish closes it.
 */
LLVMBasicBlockRef cg_prologue_begin(struct cg *c);
void cg_prologue_end(struct cg *c, LLVMBasicBlockRef resume);
/* In the prologue: when isnull, return 0 from the function. */
void cg_prologue_bail(struct cg *c, LLVMValueRef isnull);
void cg_function_begin(struct cg *c, LLVMValueRef fn);
void cg_prologue_finish(struct cg *c);

/* cg_expr.c */
struct cgv cg_expr(struct cg *c, struct ast_node *n);
/* An expression's value evaluated straight into dst (laid out as dst_t). */
void cg_expr_into(struct cg *c, struct ast_node *n, LLVMValueRef dst, const struct type *dst_t);
LLVMValueRef cg_cond(struct cg *c, struct ast_node *n); /* i1 */
LLVMValueRef cg_sdiv(struct cg *c, LLVMValueRef a, LLVMValueRef b);
/* A value of type t read from kernel or user memory at addr. */
struct cgv cg_read(struct cg *c, LLVMValueRef addr, const struct type *t, bool user);
/* l / r or l % r, unsigned; by zero: 1 and the run-time warning for loc */
LLVMValueRef cg_divmod(struct cg *c, enum binop op, const struct loc *loc, LLVMValueRef l,
		       LLVMValueRef r);
/* The map key of a MAP node (or scalar key 0) in a fresh temporary; bucket: see cg_expr.c. */
LLVMValueRef cg_map_key(struct cg *c, struct ast_node *map_node, const struct map_res *r,
			bool bucket);

void cg_var_store(struct cg *c, struct var_sym *v, struct cgv x);
LLVMValueRef cg_var_slot(struct cg *c, struct var_sym *v);

/* cg_call.c */
/* str(): read the string of call n into dst (size bytes, already zeroed). */
void cg_str_read(struct cg *c, struct ast_node *n, LLVMValueRef dst, unsigned size);
struct cgv cg_call(struct cg *c, struct ast_node *n);
void cg_agg_update(struct cg *c, struct ast_node *target, struct ast_node *call);
void cg_map_assign(struct cg *c, struct ast_node *target, struct ast_node *value, enum binop op);
/* a op b for a compound assignment (x / 0 is 1) */
LLVMValueRef cg_compound(struct cg *c, enum binop op, const struct loc *loc, LLVMValueRef a,
			 LLVMValueRef b);

/* cg_funcs.c */
struct cgv cg_func(struct cg *c, struct ast_node *n, enum builtin_func f);
struct cgv cg_stack(struct cg *c, const struct type *t);
void cg_stack_into(struct cg *c, const struct type *t, LLVMValueRef dst);
/* v as a value LLVM cannot reason about (so that a bound written after it stays). */
LLVMValueRef cg_opaque(struct cg *c, LLVMValueRef v);
struct cgv cg_usym(struct cg *c, LLVMValueRef addr, const struct type *t);

/* cg_stmt.c */
void cg_stmts(struct cg *c, struct ast_node *list);

static inline const struct map_res *cg_map_res(struct cg *c, struct ast_node *map_node)
{
	const struct sem *sm = map_node->sema;
	return &c->p->res.maps[sm->map->id];
}

#endif
