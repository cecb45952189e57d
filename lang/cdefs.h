/* SPDX-License-Identifier: Apache-2.0 */
/* C definitions in scripts: structs, enums, typedefs and #defines, through libclang. */
#ifndef CTRACE_CDEFS_H
#define CTRACE_CDEFS_H

/*
 * A script's C definitions (`struct foo { ... };`, `#include <...>`,
 * `#define X 5`) are parsed by libclang of ctrace's LLVM version.  libclang
 * is loaded with dlopen() on the first cdefs_parse(), so scripts without C
 * definitions never pay for it, and ctrace has no link-time dependency on
 * it (runtime package libclang1-19; the builtin headers such as stddef.h
 * come from libclang-common-19-dev).  It stays loaded for the life of the
 * process.  CTRACE_LIBCLANG=path overrides where it is looked for.
 *
 * Clang sees the text as the file "definitions.h", with the kernel include
 * flags bpftrace uses when kernel headers are installed
 * (/lib/modules/$(uname -r)/{source,build}, or BPFTRACE_KERNEL_SOURCE /
 * BPFTRACE_KERNEL_BUILD), and the system headers otherwise.  Layouts are the
 * host target's.
 *
 * Types come out as ctrace's struct type in the caller's arena, converted
 * when first asked for (and cached, so each C type is one pointer):
 *  - structs and unions: every field with clang's offset; bitfields as in
 *    btf.h (offset of the naturally aligned unit of the field type's size,
 *    bit_offset within it, bit_size); anonymous struct/union members
 *    flattened into the parent; align from clang.  An anonymous struct takes
 *    its typedef's name ("foo_t"), else clang's "struct (unnamed at ...)";
 *  - a struct only declared, never defined, is TY_STRUCT with that name,
 *    size 0 and incomplete set: sema looks it up in BTF by name (as in
 *    `struct foo { struct task_struct *t; }`);
 *  - pointers: TY_PTR with as = AS_NONE (the probe decides kernel or user);
 *    function pointers point to void;
 *  - typedefs and qualifiers resolved; char arrays are TY_ARRAY of int8;
 *    __int128, floating and vector types are TY_ARRAY of uint8 of their size;
 *  - enums: TY_ENUM with names, values and the sign of the underlying type.
 */

#include <stdbool.h>
#include <stdint.h>

#include "type.h"

struct arena;
struct diags;
struct loc;
struct cdefs;

struct cdefs_opts {
	const char *const *include_dirs;  /* -I DIR, in order */
	unsigned ninclude_dirs;
	const char *const *include_files; /* --include FILE, in order */
	unsigned ninclude_files;
	bool have_btf;                    /* predefine BPFTRACE_HAVE_BTF, as bpftrace does */
};

/*
 * Parse text (the script's C definitions, which start at *loc in the
 * script).  Clang's errors are reported to d at the matching script line
 * and column (errors inside an included header: at loc, naming the header);
 * warnings are dropped.  Returns NULL after reporting an error, or when
 * libclang cannot be loaded (also reported).  opts may be NULL.
 * cdefs_free() releases clang's data; the types stay in the arena.
 */
struct cdefs *cdefs_parse(struct arena *a, struct diags *d, const char *text,
			  const struct loc *loc, const struct cdefs_opts *opts);
/* Release the translation unit.  NULL is fine. */
void cdefs_free(struct cdefs *cd);

/*
 * A type by name: "struct foo", "union u", "enum e", or a typedef or tag
 * name ("foo_t", "foo").  NULL when the definitions and headers have none.
 */
const struct type *cdefs_type(struct cdefs *cd, const char *name);

/*
 * The value of an object-like macro that is an integer constant expression
 * (`#define X 5`, `#define Y (X << 2 | 1UL)`, other macros and enum
 * constants included).  false for function-like macros, macros that are not
 * integer constants, and unknown names.
 */
bool cdefs_macro(struct cdefs *cd, const char *name, int64_t *value);

/* A macro's definition, for bpftrace's textual substitution in scripts. */
struct cdef_macro {
	const char *name;
	const char *body;                 /* replacement tokens separated by spaces */
	bool function_like;
	const char *const *params;        /* function-like: parameter names */
	unsigned nparams;
};
/* Any macro defined by the definitions or their headers; NULL if none. */
const struct cdef_macro *cdefs_macro_def(struct cdefs *cd, const char *name);

/* An enum constant of the definitions: its value and enum type.  false if none. */
bool cdefs_enum_value(struct cdefs *cd, const char *name, int64_t *value,
		      const struct type **enum_type);

/* Milliseconds spent loading libclang (0 after the first time) and parsing. */
void cdefs_times(const struct cdefs *cd, double *load_ms, double *parse_ms);

#endif
