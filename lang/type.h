/* SPDX-License-Identifier: Apache-2.0 */
/* Types of values: what sema infers, what maps and events store, what output prints. */
#ifndef CTRACE_TYPE_H
#define CTRACE_TYPE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct arena;

/*
 * Every value that can be stored in a map, sent in an event or printed has
 * one of these kinds.  Sizes are the bytes the value takes in a map or an
 * event; the layouts are the ones described beside each kind.
 */
#define TYPE_KINDS(X)                                                                              \
	X(NONE, "none")           /* not yet known / no value */                                 \
	X(VOID, "void")                                                                            \
	X(INT, "int")             /* size 1, 2, 4 or 8, little-endian, is_signed */              \
	X(BOOL, "bool")           /* 1 byte, 0 or 1 */                                            \
	X(STRING, "string")       /* size bytes, NUL-terminated unless full (then: trailer) */   \
	X(BUFFER, "buffer")       /* u32 length, then size-4 bytes of data */                    \
	X(TUPLE, "tuple")         /* fields at their offsets, C layout */                        \
	X(RECORD, "record")       /* like a tuple, with field names */                           \
	X(STRUCT, "struct")       /* C struct or union from BTF or a definition */               \
	X(ENUM, "enum")           /* an integer with names */                                    \
	X(ARRAY, "array")         /* nelem * elem */                                             \
	X(PTR, "ptr")             /* 8 bytes; elem is the pointee; as is the address space */     \
	X(PROBE, "probe")         /* u64 index into resources.probes: prints the probe name */   \
	X(KSTACK, "kstack")       /* u64 nr, then nr u64 addresses (up to nelem) */              \
	X(USTACK, "ustack")       /* u64 nr, u64 pid, then nr u64 addresses */                   \
	X(KSYM, "ksym")           /* u64 address, printed as a kernel symbol */                  \
	X(USYM, "usym")           /* u64 address, u64 pid: printed as a user symbol */           \
	X(TIMESTAMP, "timestamp") /* u64 ns (boot clock) + u64 format id: strftime() */          \
	X(INET, "inet")           /* u64 af, 16 bytes address: ntop() */                         \
	X(USERNAME, "username")   /* u64 uid */                                                  \
	X(CGROUP_PATH, "cgroup_path") /* u64 cgroup id */                                        \
	X(STRERROR, "strerror")   /* u64 errno */                                                \
	X(MACADDR, "macaddr")     /* 6 bytes */                                                  \
	X(AGG, "agg")             /* a map value of an aggregation: see enum agg_kind */

enum type_kind {
#define X(k, s) TY_##k,
	TYPE_KINDS(X)
#undef X
};

/* Aggregation functions: map value types that are merged across CPUs when printed. */
#define AGG_KINDS(X)                                                                               \
	X(NONE, "none")                                                                            \
	X(COUNT, "count")   /* per CPU: u64 */                                                     \
	X(SUM, "sum")       /* per CPU: s64/u64 (sign from elem) */                                \
	X(MIN, "min")       /* per CPU: s64/u64 value, u64 set-flag */                             \
	X(MAX, "max")       /* per CPU: s64/u64 value, u64 set-flag */                             \
	X(AVG, "avg")       /* per CPU: s64/u64 total, u64 count */                                \
	X(STATS, "stats")   /* per CPU: s64/u64 total, u64 count */                                \
	X(HIST, "hist")     /* key += u64 bucket; per CPU: u64 count */                            \
	X(LHIST, "lhist")   /* key += u64 bucket; per CPU: u64 count */                            \
	X(TSERIES, "tseries") /* key += u64 slot; per CPU: s64/u64 value, u64 meta, u64 epoch */

enum agg_kind {
#define X(k, s) AGG_##k,
	AGG_KINDS(X)
#undef X
};

/* Where a pointer points: it decides which probe_read helper reads it. */
enum addrspace { AS_NONE, AS_KERNEL, AS_USER, AS_CTX };

struct field {
	const char *name;        /* NULL for tuple fields */
	const struct type *type;
	unsigned offset;         /* bytes from the start of the value */
	unsigned bit_offset;     /* bitfields: bits within offset's storage unit */
	unsigned bit_size;       /* 0: not a bitfield */
	bool data_loc;           /* tracepoint __data_loc: a u32 (len << 16 | offset) to the bytes */
};

struct enum_val {
	const char *name;
	int64_t value;
};

struct type {
	enum type_kind kind;
	unsigned size;           /* bytes */
	unsigned align;
	bool is_signed;          /* INT, ENUM; AGG: the argument's sign */
	enum addrspace as;       /* PTR: address space of the pointee */
	const struct type *elem; /* PTR, ARRAY pointee/element */
	unsigned nelem;          /* ARRAY length; KSTACK/USTACK frame limit */
	const struct field *fields; /* TUPLE, RECORD, STRUCT */
	unsigned nfields;
	const char *name;        /* STRUCT/ENUM: "struct task_struct"; others NULL */
	bool is_union;
	const struct enum_val *enums; /* ENUM */
	unsigned nenums;
	enum agg_kind agg;       /* AGG */
	int stack_mode;          /* KSTACK/USTACK: 0 bpftrace, 1 perf, 2 raw */
	/*
	 * STRUCT from BTF (lang/btf.h) or a C definition (lang/cdefs.h).  A
	 * struct reached through a pointer is created without its fields, so
	 * self-referential types such as task_struct stay finite; btf_complete()
	 * loads them in place.  btf_obj/btf_id say where it came from.
	 */
	bool incomplete;         /* fields not loaded yet (or only declared, size 0) */
	unsigned btf_id;         /* BTF type id within btf_obj; 0: not from BTF */
	const void *btf_obj;     /* the BTF file (vmlinux or a module) of btf_id */
};

/* Shared constant types. */
extern const struct type type_none, type_void, type_bool;
extern const struct type type_u8, type_u16, type_u32, type_u64;
extern const struct type type_s8, type_s16, type_s32, type_s64;
extern const struct type type_probe, type_ksym, type_usym, type_username;

const char *type_kind_name(enum type_kind k);
const char *agg_kind_name(enum agg_kind k);

const struct type *type_int(unsigned size, bool is_signed);
const struct type *type_string(struct arena *a, unsigned size);
const struct type *type_buffer(struct arena *a, unsigned size);
const struct type *type_ptr(struct arena *a, const struct type *elem, enum addrspace as);
const struct type *type_array(struct arena *a, const struct type *elem, unsigned n);
const struct type *type_agg(struct arena *a, enum agg_kind agg, bool is_signed);
const struct type *type_stack(struct arena *a, enum type_kind kstack_or_ustack, int mode,
			      unsigned limit);
/*
 * A tuple (names == NULL) or record of n fields, laid out like a C struct:
 * each field at the next multiple of its alignment, the size rounded up to
 * the largest alignment.
 */
const struct type *type_tuple(struct arena *a, const struct type *const *elems,
			      const char *const *names, unsigned n);

bool type_equal(const struct type *a, const struct type *b);
bool type_is_int(const struct type *t);    /* INT, BOOL, ENUM, PTR, PROBE: held in a register */
bool type_is_scalar(const struct type *t); /* fits a 64-bit register: the above + KSYM etc. */
/* "uint64", "string[16]", "(int64,string[3])", "struct task_struct *", "count_t" ... */
void type_print(const struct type *t, FILE *out);
const char *type_str(struct arena *a, const struct type *t);
/* The field of st whose name is one or two edits from want (a likely typo), or NULL. */
const char *type_closest_field(const struct type *st, const char *want);

#endif
