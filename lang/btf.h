/* SPDX-License-Identifier: Apache-2.0 */
/* Kernel types from BTF: a reader of the raw format that yields ctrace's struct type. */
#ifndef CTRACE_BTF_H
#define CTRACE_BTF_H

/*
 * A small reader of the raw BTF format (the kernel's uapi <linux/btf.h>, not
 * libbpf, so lang/ stays free of libbpf).  It maps /sys/kernel/btf/vmlinux,
 * and searches the kernel modules' split BTF files beside it when a name is
 * not in vmlinux.  Opening reads only the header; the first lookup walks the
 * type section once and hashes the names (a few ms for a 5 MB vmlinux).
 *
 * Types come out as ctrace's struct type, allocated in the caller's arena
 * and cached per BTF id, so the same BTF type is always the same pointer:
 *
 *  - typedefs, const, volatile, restrict and type tags are resolved away;
 *  - INT: type_int(size, signed); _Bool: type_bool; 16-byte ints and floats
 *    become TY_ARRAY of uint8 of their size (ctrace has no such scalars);
 *  - char arrays stay TY_ARRAY of int8 (sema decides when they are strings,
 *    as bpftrace prints char[N] fields as strings);
 *  - STRUCT/UNION: name "struct foo" / "union foo"; anonymous ones take the
 *    name of the typedef that reaches them ("atomic_t"), or
 *    "struct (anonymous #ID)".  Members of anonymous struct/union members
 *    are flattened into the parent with their offsets adjusted, as bpftrace
 *    does (task_struct's `__state`, `rcu`).  align is the largest member
 *    alignment (1 when the size shows the struct is packed);
 *  - bitfields: field.type is the declared integer/enum type, offset the
 *    byte offset of the naturally aligned unit of that type's size holding
 *    the bits, bit_offset the bits from that unit's low end (little-endian),
 *    bit_size the width; so reading type->size bytes at offset, shifting
 *    right by bit_offset and masking bit_size bits gives the value.  Only a
 *    bitfield straddling such a unit (packed structs) falls back to the byte
 *    holding its first bit;
 *  - ENUM/ENUM64: name "enum foo" (or the typedef's / "enum (anonymous #ID)"),
 *    values and signedness from BTF;
 *  - PTR: TY_PTR with as = AS_KERNEL.  A pointed-to struct or union is
 *    created incomplete (name and size known, no fields, t->incomplete):
 *    btf_complete() or btf_find_member() fill it in place, so pointer chains
 *    such as task->parent->parent never recurse.  Function pointers point to
 *    void.  Structs held by value (members, array elements) are complete;
 *  - a forward declaration resolves to the definition of that name in any
 *    loaded BTF file, or stays incomplete with size 0.
 *
 * Names (type names, field names) are copied into the arena, so types stay
 * valid after btf_close(); only completing an incomplete struct needs the
 * context open.
 */

#include <stdbool.h>

#include "type.h"

struct arena;
struct btf_ctx;

/*
 * Open vmlinux BTF.  vmlinux_path NULL: /sys/kernel/btf/vmlinux, with the
 * module files in /sys/kernel/btf/ searched lazily; a path (BPFTRACE_BTF):
 * that file only.  Returns NULL with errno set when the file is missing or
 * not BTF.  Types and the context live in arena a; btf_close() releases the
 * mapping and the indexes.
 */
struct btf_ctx *btf_open(struct arena *a, const char *vmlinux_path);
/* Release the file mappings and indexes.  NULL is fine; calling twice is fine. */
void btf_close(struct btf_ctx *c);
/*
 * Add a split BTF file (a kernel module's: type ids continue after vmlinux's,
 * strings likewise), searched after vmlinux in the order added.  Returns 0
 * or a negative errno (-EINVAL when the file is not split BTF over this
 * vmlinux).  name is the module name ("ext4").
 */
int btf_add_module(struct btf_ctx *c, const char *path, const char *name);

/*
 * Every function below accepts c == NULL (no BTF) and then finds nothing.
 *
 * A type by its C name: "struct task_struct", "union bpf_attr",
 * "enum pid_type", "u32", "pid_t", "unsigned int".  A bare name is looked up
 * as a typedef or base type first, then as a struct, union or enum tag
 * (bpftrace accepts `(task_struct *)`).  Structs come back complete.  NULL
 * when no loaded BTF file has it.
 */
const struct type *btf_type_by_name(struct btf_ctx *c, const char *name);
/*
 * A type by BTF id in vmlinux (module NULL) or in a module's numbering.
 * Returns NULL for ids of non-value kinds (FUNC, FUNC_PROTO, VAR, DATASEC,
 * DECL_TAG) and for ids out of range.  Id 0 is void.
 */
const struct type *btf_type_by_id(struct btf_ctx *c, const char *module, unsigned id);
/*
 * Load the fields of an incomplete BTF struct in place and return it (any
 * other type is returned as is).  t must come from this context.
 */
const struct type *btf_complete(struct btf_ctx *c, const struct type *t);
/* The kernel enumerator called name (SKB_DROP_REASON_..., TASK_...): its value and enum type. */
bool btf_enum_value(struct btf_ctx *c, const char *name, int64_t *value, const struct type **et);
/*
 * The field called name in struct t (completing t first), after flattening
 * anonymous members; NULL when there is none.  c may be NULL for types that
 * are already complete (C definitions, tracepoint formats).
 */
const struct field *btf_find_member(struct btf_ctx *c, const struct type *t, const char *name);

/* Whether a kernel function (BTF FUNC) of that name exists in vmlinux or a module. */
bool btf_has_func(struct btf_ctx *c, const char *func);
/*
 * The module defining kernel function func: "vmlinux" or the module name;
 * NULL when none does.
 */
const char *btf_func_module(struct btf_ctx *c, const char *func);
/*
 * The parameters and return type of kernel function func (fentry/fexit
 * args).  *params: n fields named as in the source, field i at offset 8 * i
 * (its u64 slot in the fentry context).  A variadic tail is dropped; an
 * unnamed parameter is named "argN".  *ret: the return type (type_void for
 * void).  Returns 0, or -ENOENT when there is no such function.
 */
int btf_func_proto(struct btf_ctx *c, const char *func, const struct field **params, unsigned *n,
		   const struct type **ret);
/*
 * The same for raw tracepoint tp ("sched_switch"): the proto of
 * __bpf_trace_<tp> or __probestub_<tp> (which name the parameters), else of
 * the typedef btf_trace_<tp> (names "argN").  The leading `void *__data` is
 * skipped, so field i is the tracepoint's argument i.  -ENOENT if none.
 */
int btf_rawtp_proto(struct btf_ctx *c, const char *tp, const struct field **params, unsigned *n);

/* Timing and size figures, for tests and --info. */
struct btf_stats {
	unsigned ntypes;      /* types in vmlinux */
	unsigned nnames;      /* names hashed so far, over every indexed file */
	unsigned nmodules;    /* module files loaded */
	double index_ms;      /* time spent walking and hashing (all files) */
};
void btf_stats(const struct btf_ctx *c, struct btf_stats *out);

#endif
