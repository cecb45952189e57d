/* SPDX-License-Identifier: Apache-2.0 */
/* C definitions in scripts through libclang, loaded with dlopen() on first use. */
#define _GNU_SOURCE /* dladdr */
#include "cdefs.h"

#include <ctype.h>
#include <dlfcn.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "diag.h"

/* The LLVM major version whose libclang matches the one codegen links. */
#ifndef CTRACE_LLVM_MAJOR
#define CTRACE_LLVM_MAJOR 19
#endif
#define STR_(x) #x
#define STR(x) STR_(x)

/* Deeper than this, a macro refers to itself or the input is hostile. */
#define MAX_DEPTH 32

/* ---- libclang's C ABI ------------------------------------------------------------------------ */

/*
 * lang/ includes no LLVM headers (DESIGN), so the few libclang structs used
 * here are declared with the layouts of clang-c/Index.h, which is a stable
 * C ABI; values are passed and returned exactly as the header declares.
 */
struct cx_cursor {
	int kind;
	int xdata;
	const void *data[3];
};
struct cx_type {
	int kind;
	void *data[2];
};
struct cx_string {
	const void *data;
	unsigned private_flags;
};
struct cx_loc {
	const void *ptr_data[2];
	unsigned int_data;
};
struct cx_range {
	const void *ptr_data[2];
	unsigned begin_int_data, end_int_data;
};
struct cx_token {
	unsigned int_data[4];
	void *ptr_data;
};
struct cx_unsaved {
	const char *filename;
	const char *contents;
	unsigned long length;
};
typedef int (*cx_visitor)(struct cx_cursor c, struct cx_cursor parent, void *data);
typedef int (*cx_field_visitor)(struct cx_cursor c, void *data);

enum {
	CX_VISIT_BREAK = 0, CX_VISIT_CONTINUE = 1, CX_VISIT_RECURSE = 2, /* CXChildVisitResult */
	CX_STRUCT_DECL = 2, CX_UNION_DECL = 3, CX_ENUM_DECL = 5, /* CXCursorKind */
	CX_ENUM_CONSTANT_DECL = 7, CX_TYPEDEF_DECL = 20, CX_MACRO_DEFINITION = 501,
	CX_DIAG_ERROR = 3, /* CXDiagnosticSeverity */
	CX_TU_DETAILED_PREPROCESSING_RECORD = 0x01, CX_TU_SKIP_FUNCTION_BODIES = 0x40,
};

/* CXTypeKind values of the canonical types this converter meets. */
enum {
	CXT_VOID = 2, CXT_BOOL = 3, CXT_CHAR_U = 4, CXT_UCHAR = 5, CXT_CHAR16 = 6, CXT_CHAR32 = 7,
	CXT_USHORT = 8, CXT_UINT = 9, CXT_ULONG = 10, CXT_ULONGLONG = 11, CXT_UINT128 = 12,
	CXT_CHAR_S = 13, CXT_SCHAR = 14, CXT_WCHAR = 15, CXT_SHORT = 16, CXT_INT = 17,
	CXT_LONG = 18, CXT_LONGLONG = 19, CXT_INT128 = 20,
	CXT_POINTER = 101, CXT_RECORD = 105, CXT_ENUM = 106, CXT_FUNCTION_NOPROTO = 110,
	CXT_FUNCTION_PROTO = 111, CXT_CONSTANT_ARRAY = 112, CXT_INCOMPLETE_ARRAY = 114,
};

#define CLANG_FUNCS(X)                                                                             \
	X(void *, clang_createIndex, (int, int))                                                   \
	X(void, clang_disposeIndex, (void *))                                                      \
	X(int, clang_parseTranslationUnit2,                                                        \
	  (void *, const char *, const char *const *, int, struct cx_unsaved *, unsigned, unsigned, \
	   void **))                                                                               \
	X(void, clang_disposeTranslationUnit, (void *))                                            \
	X(struct cx_cursor, clang_getTranslationUnitCursor, (void *))                              \
	X(unsigned, clang_visitChildren, (struct cx_cursor, cx_visitor, void *))                   \
	X(struct cx_string, clang_getCursorSpelling, (struct cx_cursor))                           \
	X(struct cx_type, clang_getCursorType, (struct cx_cursor))                                 \
	X(unsigned, clang_isCursorDefinition, (struct cx_cursor))                                  \
	X(struct cx_type, clang_getEnumDeclIntegerType, (struct cx_cursor))                        \
	X(long long, clang_getEnumConstantDeclValue, (struct cx_cursor))                           \
	X(struct cx_string, clang_getTypeSpelling, (struct cx_type))                               \
	X(struct cx_type, clang_getCanonicalType, (struct cx_type))                                \
	X(struct cx_type, clang_getPointeeType, (struct cx_type))                                  \
	X(struct cx_type, clang_getArrayElementType, (struct cx_type))                             \
	X(long long, clang_getArraySize, (struct cx_type))                                         \
	X(struct cx_cursor, clang_getTypeDeclaration, (struct cx_type))                            \
	X(long long, clang_Type_getSizeOf, (struct cx_type))                                       \
	X(long long, clang_Type_getAlignOf, (struct cx_type))                                      \
	X(unsigned, clang_Type_visitFields, (struct cx_type, cx_field_visitor, void *))            \
	X(long long, clang_Cursor_getOffsetOfField, (struct cx_cursor))                            \
	X(unsigned, clang_Cursor_isBitField, (struct cx_cursor))                                   \
	X(int, clang_getFieldDeclBitWidth, (struct cx_cursor))                                     \
	X(unsigned, clang_Cursor_isAnonymousRecordDecl, (struct cx_cursor))                        \
	X(unsigned, clang_Cursor_isMacroFunctionLike, (struct cx_cursor))                          \
	X(struct cx_range, clang_getCursorExtent, (struct cx_cursor))                              \
	X(struct cx_loc, clang_getCursorLocation, (struct cx_cursor))                              \
	X(void, clang_tokenize, (void *, struct cx_range, struct cx_token **, unsigned *))         \
	X(struct cx_string, clang_getTokenSpelling, (void *, struct cx_token))                     \
	X(void, clang_disposeTokens, (void *, struct cx_token *, unsigned))                        \
	X(const char *, clang_getCString, (struct cx_string))                                      \
	X(void, clang_disposeString, (struct cx_string))                                           \
	X(unsigned, clang_getNumDiagnostics, (void *))                                             \
	X(void *, clang_getDiagnostic, (void *, unsigned))                                         \
	X(int, clang_getDiagnosticSeverity, (void *))                                              \
	X(struct cx_string, clang_getDiagnosticSpelling, (void *))                                 \
	X(struct cx_loc, clang_getDiagnosticLocation, (void *))                                    \
	X(void, clang_disposeDiagnostic, (void *))                                                 \
	X(void, clang_getExpansionLocation,                                                        \
	  (struct cx_loc, void **, unsigned *, unsigned *, unsigned *))                             \
	X(struct cx_string, clang_getFileName, (void *))                                           \
	X(int, clang_Location_isFromMainFile, (struct cx_loc))

static struct clang_api {
#define X(ret, name, args) ret(*name) args;
	CLANG_FUNCS(X)
#undef X
} cx;

static const struct {
	const char *name;
	size_t off;
} cx_syms[] = {
#define X(ret, name, args) { #name, offsetof(struct clang_api, name) },
	CLANG_FUNCS(X)
#undef X
};

static bool cx_loaded;
static char cx_resource_dir[PATH_MAX + 64]; /* "": let libclang find its own */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * libclang needs its resource directory (stddef.h, stdarg.h ...) beside
 * itself: <libdir>/clang/<major>.  It finds it from its own path, which
 * fails when it was loaded through a symlink in a system library directory,
 * so look for it from the real path of the loaded library.
 */
static void find_resource_dir(void)
{
	Dl_info info;
	char real[PATH_MAX], dir[PATH_MAX + 64];
	void *sym;

	memcpy(&sym, &cx.clang_createIndex, sizeof(sym));
	if (!dladdr(sym, &info) || !info.dli_fname || !realpath(info.dli_fname, real))
		return;
	char *slash = strrchr(real, '/');
	if (!slash)
		return;
	*slash = '\0';
	snprintf(dir, sizeof(dir), "%s/clang/%d/include", real, CTRACE_LLVM_MAJOR);
	if (is_dir(dir)) {
		snprintf(cx_resource_dir, sizeof(cx_resource_dir), "%s/clang/%d", real,
			 CTRACE_LLVM_MAJOR);
	}
}

static void *open_libclang(void)
{
	static const char *const names[] = {
		"libclang-" STR(CTRACE_LLVM_MAJOR) ".so." STR(CTRACE_LLVM_MAJOR),
		"libclang-" STR(CTRACE_LLVM_MAJOR) ".so.1",
		"/usr/lib/llvm-" STR(CTRACE_LLVM_MAJOR) "/lib/libclang.so.1",
		"/usr/lib/llvm-" STR(CTRACE_LLVM_MAJOR) "/lib/libclang-" STR(CTRACE_LLVM_MAJOR) ".so.1",
		"/usr/lib/llvm-" STR(CTRACE_LLVM_MAJOR) "/lib/libclang.so",
	};
	const char *env = getenv("CTRACE_LIBCLANG");
	void *h;

	if (env)
		return dlopen(env, RTLD_NOW | RTLD_LOCAL);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL)))
			return h;
	return NULL;
}

/*
 * Load libclang once per process; it is never unloaded (LLVM's static
 * destructors do not survive dlclose()).  Returns NULL or an error text.
 */
static const char *load_clang(void)
{
	if (cx_loaded)
		return NULL;
	void *h = open_libclang();
	if (!h)
		return "cannot load libclang " STR(CTRACE_LLVM_MAJOR)
		       " (package libclang1-" STR(CTRACE_LLVM_MAJOR) ")";
	for (size_t i = 0; i < sizeof(cx_syms) / sizeof(cx_syms[0]); i++) {
		void *p = dlsym(h, cx_syms[i].name);
		if (!p)
			return "libclang lacks a needed function";
		memcpy((char *)&cx + cx_syms[i].off, &p, sizeof(p));
	}
	find_resource_dir();
	cx_loaded = true;
	return NULL;
}

/* A libclang string copied into the arena, and disposed of. */
static const char *take(struct arena *a, struct cx_string s)
{
	const char *c = cx.clang_getCString(s);
	const char *r = arena_strdup(a, c ? c : "");

	cx.clang_disposeString(s);
	return r;
}

/* ---- string maps ----------------------------------------------------------------------------- */

struct smap {
	const char **keys;
	void **vals;
	unsigned cap, n;
};

static unsigned str_hash(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void **smap_slot(struct smap *m, const char *key)
{
	unsigned i = str_hash(key) & (m->cap - 1);

	while (m->keys[i] && strcmp(m->keys[i], key))
		i = (i + 1) & (m->cap - 1);
	return &m->vals[i];
}

static void *smap_get(struct smap *m, const char *key)
{
	return m->cap ? *smap_slot(m, key) : NULL;
}

static void smap_grow(struct arena *a, struct smap *m)
{
	struct smap old = *m;

	m->cap = old.cap ? old.cap * 2 : 64;
	m->keys = arena_alloc(a, m->cap * sizeof(*m->keys));
	m->vals = arena_alloc(a, m->cap * sizeof(*m->vals));
	for (unsigned i = 0; i < old.cap; i++) {
		if (!old.keys[i])
			continue;
		void **slot = smap_slot(m, old.keys[i]);
		m->keys[slot - m->vals] = old.keys[i];
		*slot = old.vals[i];
	}
}

/* Set key (copied) to val, replacing an older value. */
static void smap_put(struct arena *a, struct smap *m, const char *key, void *val)
{
	if ((m->n + 1) * 2 > m->cap)
		smap_grow(a, m);
	void **slot = smap_slot(m, key);
	if (!m->keys[slot - m->vals]) {
		m->keys[slot - m->vals] = arena_strdup(a, key);
		m->n++;
	}
	*slot = val;
}

/* ---- the parsed definitions ------------------------------------------------------------------ */

struct decl {
	struct cx_cursor cur;
	struct cx_cursor parent; /* enum constants: their enum */
};

struct macro {
	struct cdef_macro pub;
	struct cx_cursor cur;
	bool tokenized;
	const char **toks; /* the body's tokens */
	unsigned ntoks;
	bool evaluating;   /* guards `#define A A` */
};

struct cdefs {
	struct arena *arena;
	void *index, *tu;
	struct smap decls;  /* "struct foo", "union u", "enum e", typedef "foo_t" */
	struct smap consts; /* enum constant -> struct decl */
	struct smap macros; /* name -> struct macro */
	struct smap types;  /* canonical spelling -> converted struct type */
	double load_ms, parse_ms;
};

/* ---- clang invocation ------------------------------------------------------------------------ */

/* Fixed flags: the kernel's and the system's; the user's -I/--include come on top. */
#define FIXED_ARGS 48

struct args {
	const char **v;
	int n, cap;
};

static void arg(struct args *a, const char *s)
{
	if (a->n < a->cap)
		a->v[a->n++] = s;
}

static const char *kernel_arch(const char *machine)
{
	if (!strcmp(machine, "x86_64") || (machine[0] == 'i' && !strcmp(machine + 2, "86")))
		return "x86";
	if (!strcmp(machine, "aarch64"))
		return "arm64";
	if (!strncmp(machine, "arm", 3))
		return "arm";
	if (!strncmp(machine, "ppc", 3))
		return "powerpc";
	if (!strncmp(machine, "s390", 4))
		return "s390";
	if (!strncmp(machine, "riscv", 5))
		return "riscv";
	return machine;
}

/* bpftrace's kernel header flags (its get_kernel_cflags), when the headers exist. */
static void kernel_args(struct arena *ar, struct args *a)
{
	struct utsname u;
	const char *src = getenv("BPFTRACE_KERNEL_SOURCE"), *obj = getenv("BPFTRACE_KERNEL_BUILD");

	if (uname(&u))
		return;
	if (!src) {
		const char *s = arena_printf(ar, "/lib/modules/%s/source", u.release);
		const char *b = arena_printf(ar, "/lib/modules/%s/build", u.release);
		src = is_dir(s) ? s : is_dir(b) ? b : NULL;
		obj = is_dir(b) ? b : src;
	}
	if (!src || !is_dir(src))
		return;
	if (!obj)
		obj = src;
	const char *arch = kernel_arch(u.machine);
	arg(a, "-nostdinc");
	if (*cx_resource_dir)
		arg(a, "-isystem"), arg(a, arena_printf(ar, "%s/include", cx_resource_dir));
	arg(a, arena_printf(ar, "-I%s/arch/%s/include", src, arch));
	arg(a, arena_printf(ar, "-I%s/arch/%s/include/generated", obj, arch));
	arg(a, arena_printf(ar, "-I%s/include", src));
	arg(a, arena_printf(ar, "-I%s/include", obj));
	arg(a, arena_printf(ar, "-I%s/arch/%s/include/uapi", src, arch));
	arg(a, arena_printf(ar, "-I%s/arch/%s/include/generated/uapi", obj, arch));
	arg(a, arena_printf(ar, "-I%s/include/uapi", src));
	arg(a, arena_printf(ar, "-I%s/include/generated/uapi", obj));
	arg(a, "-include"), arg(a, arena_printf(ar, "%s/include/linux/kconfig.h", src));
	arg(a, "-D__KERNEL__");
	arg(a, "-D__BPF_TRACING__");
	arg(a, "-D__HAVE_BUILTIN_BSWAP16__");
	arg(a, "-D__HAVE_BUILTIN_BSWAP32__");
	arg(a, "-D__HAVE_BUILTIN_BSWAP64__");
	arg(a, "-DKBUILD_MODNAME=\"ctrace\"");
}

static void build_args(struct arena *ar, struct args *a, const struct cdefs_opts *o)
{
	a->cap = FIXED_ARGS + (o ? 2 * (int)(o->ninclude_dirs + o->ninclude_files) : 0);
	a->v = arena_alloc(ar, (size_t)a->cap * sizeof(*a->v));
	arg(a, "-x"), arg(a, "c");
	if (*cx_resource_dir)
		arg(a, "-resource-dir"), arg(a, cx_resource_dir);
	kernel_args(ar, a);
	arg(a, "-isystem"), arg(a, "/usr/local/include");
	arg(a, "-isystem"), arg(a, "/usr/include");
	if (o && o->have_btf)
		arg(a, "-DBPFTRACE_HAVE_BTF");
	for (unsigned i = 0; o && i < o->ninclude_dirs; i++)
		arg(a, "-I"), arg(a, o->include_dirs[i]);
	for (unsigned i = 0; o && i < o->ninclude_files; i++)
		arg(a, "-include"), arg(a, o->include_files[i]);
}

/* One clang error, at the script position of its line in the definitions. */
static void report(struct cdefs *cd, struct diags *d, const struct loc *at, void *diag)
{
	struct cx_loc cl = cx.clang_getDiagnosticLocation(diag);
	const char *msg = take(cd->arena, cx.clang_getDiagnosticSpelling(diag));
	unsigned line = 0, col = 0, off = 0;
	void *file = NULL;
	struct loc l = *at;

	cx.clang_getExpansionLocation(cl, &file, &line, &col, &off);
	if (file && line && cx.clang_Location_isFromMainFile(cl)) {
		l.line = at->line + (int)line - 1;
		l.col = line == 1 ? at->col + (int)col - 1 : (int)col;
		l.end_line = l.line;
		l.end_col = l.col + 1;
		diag_error(d, &l, "%s", msg);
	} else if (file) {
		const char *name = take(cd->arena, cx.clang_getFileName(file));
		diag_error(d, &l, "%s:%u:%u: %s", name, line, col, msg);
	} else {
		diag_error(d, &l, "%s", msg);
	}
}

/* Report every error; true when there was one. */
static bool report_errors(struct cdefs *cd, struct diags *d, const struct loc *at)
{
	unsigned n = cx.clang_getNumDiagnostics(cd->tu);
	bool err = false;

	for (unsigned i = 0; i < n; i++) {
		void *diag = cx.clang_getDiagnostic(cd->tu, i);
		if (cx.clang_getDiagnosticSeverity(diag) >= CX_DIAG_ERROR) {
			report(cd, d, at, diag);
			err = true;
		}
		cx.clang_disposeDiagnostic(diag);
	}
	return err;
}

/* ---- the declaration index ------------------------------------------------------------------- */

static bool is_ident(const char *s)
{
	if (!*s || !(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

static struct decl *new_decl(struct cdefs *cd, struct cx_cursor c, struct cx_cursor parent)
{
	struct decl *dl = arena_new_obj(cd->arena, struct decl);

	dl->cur = c;
	dl->parent = parent;
	return dl;
}

/* A tag or typedef: a definition replaces a declaration, never the reverse. */
static void index_decl(struct cdefs *cd, const char *key, struct cx_cursor c)
{
	struct decl *old = smap_get(&cd->decls, key);

	if (old && cx.clang_isCursorDefinition(old->cur) && !cx.clang_isCursorDefinition(c))
		return;
	smap_put(cd->arena, &cd->decls, key, new_decl(cd, c, c));
}

static void index_macro(struct cdefs *cd, struct cx_cursor c, const char *name)
{
	void *file = NULL;
	unsigned line, col, off;

	/* Predefined macros (__x86_64__ ...) come from no file. */
	cx.clang_getExpansionLocation(cx.clang_getCursorLocation(c), &file, &line, &col, &off);
	if (!file)
		return;
	struct macro *m = arena_new_obj(cd->arena, struct macro);
	m->cur = c;
	m->pub.name = arena_strdup(cd->arena, name);
	m->pub.function_like = cx.clang_Cursor_isMacroFunctionLike(c);
	smap_put(cd->arena, &cd->macros, name, m);
}

static int index_visit(struct cx_cursor c, struct cx_cursor parent, void *data)
{
	struct cdefs *cd = data;
	static const char *const tags[] = {
		[CX_STRUCT_DECL] = "struct", [CX_UNION_DECL] = "union", [CX_ENUM_DECL] = "enum",
	};
	const char *name;

	switch (c.kind) {
	case CX_STRUCT_DECL:
	case CX_UNION_DECL:
	case CX_ENUM_DECL:
		name = take(cd->arena, cx.clang_getCursorSpelling(c));
		if (is_ident(name))
			index_decl(cd, arena_printf(cd->arena, "%s %s", tags[c.kind], name), c);
		/* Nested definitions and enum constants are file scope in C. */
		return CX_VISIT_RECURSE;
	case CX_ENUM_CONSTANT_DECL:
		name = take(cd->arena, cx.clang_getCursorSpelling(c));
		smap_put(cd->arena, &cd->consts, name, new_decl(cd, c, parent));
		return CX_VISIT_CONTINUE;
	case CX_TYPEDEF_DECL:
		index_decl(cd, take(cd->arena, cx.clang_getCursorSpelling(c)), c);
		return CX_VISIT_CONTINUE;
	case CX_MACRO_DEFINITION:
		index_macro(cd, c, take(cd->arena, cx.clang_getCursorSpelling(c)));
		return CX_VISIT_CONTINUE;
	default:
		return CX_VISIT_CONTINUE;
	}
}

/* ---- parse ----------------------------------------------------------------------------------- */

struct cdefs *cdefs_parse(struct arena *a, struct diags *d, const char *text,
			  const struct loc *loc, const struct cdefs_opts *opts)
{
	struct cdefs *cd = arena_new_obj(a, struct cdefs);
	/* bpftrace lets the last definition go without its `;`: an empty declaration is harmless. */
	const char *src = arena_printf(a, "%s\n;\n", text);
	struct cx_unsaved file = { "definitions.h", src, (unsigned long)strlen(src) };
	struct args args = { .n = 0 };
	double t0 = now_ms();
	const char *err = load_clang();

	cd->arena = a;
	if (err) {
		diag_error(d, loc, "%s", err);
		return NULL;
	}
	cd->load_ms = now_ms() - t0;
	t0 = now_ms();
	build_args(a, &args, opts);
	cd->index = cx.clang_createIndex(0, 0);
	int rc = cx.clang_parseTranslationUnit2(
		cd->index, "definitions.h", args.v, args.n, &file, 1,
		CX_TU_DETAILED_PREPROCESSING_RECORD | CX_TU_SKIP_FUNCTION_BODIES, &cd->tu);
	if (rc || !cd->tu) {
		diag_error(d, loc, "clang failed to parse the C definitions (error %d)", rc);
		cdefs_free(cd);
		return NULL;
	}
	if (report_errors(cd, d, loc)) {
		cdefs_free(cd);
		return NULL;
	}
	cx.clang_visitChildren(cx.clang_getTranslationUnitCursor(cd->tu), index_visit, cd);
	cd->parse_ms = now_ms() - t0;
	return cd;
}

void cdefs_free(struct cdefs *cd)
{
	if (!cd)
		return;
	if (cd->tu)
		cx.clang_disposeTranslationUnit(cd->tu);
	if (cd->index)
		cx.clang_disposeIndex(cd->index);
	cd->tu = cd->index = NULL;
}

void cdefs_times(const struct cdefs *cd, double *load_ms, double *parse_ms)
{
	*load_ms = cd->load_ms;
	*parse_ms = cd->parse_ms;
}

/* ---- type conversion ------------------------------------------------------------------------- */

static const struct type *conv(struct cdefs *cd, struct cx_type t, int depth);

static struct type *new_type(struct cdefs *cd, enum type_kind kind, long long size,
			     long long align)
{
	struct type *t = arena_new_obj(cd->arena, struct type);

	t->kind = kind;
	t->size = size > 0 ? (unsigned)size : 0;
	t->align = align > 0 ? (unsigned)align : 1;
	return t;
}

static const struct type *conv_int(struct cx_type t, long long size)
{
	switch (t.kind) {
	case CXT_BOOL:
		return &type_bool;
	case CXT_CHAR_S:
	case CXT_SCHAR:
	case CXT_WCHAR:
	case CXT_SHORT:
	case CXT_INT:
	case CXT_LONG:
	case CXT_LONGLONG:
		return type_int((unsigned)size, true);
	case CXT_CHAR_U:
	case CXT_UCHAR:
	case CXT_CHAR16:
	case CXT_CHAR32:
	case CXT_USHORT:
	case CXT_UINT:
	case CXT_ULONG:
	case CXT_ULONGLONG:
		return type_int((unsigned)size, false);
	default:
		return NULL;
	}
}

static const struct type *conv_enum(struct cdefs *cd, struct cx_type t, const char *name);
static const struct type *conv_record(struct cdefs *cd, struct cx_type t, const char *name,
				      int depth);

static const struct type *conv_ptr(struct cdefs *cd, struct cx_type t, int depth)
{
	struct cx_type to = cx.clang_getCanonicalType(cx.clang_getPointeeType(t));
	const struct type *elem = &type_void;

	/* A function pointer is an address: void * says as much. */
	if (to.kind != CXT_FUNCTION_PROTO && to.kind != CXT_FUNCTION_NOPROTO)
		elem = conv(cd, to, depth + 1);
	return type_ptr(cd->arena, elem ? elem : &type_void, AS_NONE);
}

static const struct type *conv_array(struct cdefs *cd, struct cx_type t, int depth)
{
	const struct type *elem = conv(cd, cx.clang_getArrayElementType(t), depth + 1);
	long long n = t.kind == CXT_CONSTANT_ARRAY ? cx.clang_getArraySize(t) : 0;

	return elem ? type_array(cd->arena, elem, n > 0 ? (unsigned)n : 0) : NULL;
}

/* t is canonical; converted types are cached by clang's spelling of them. */
static const struct type *conv(struct cdefs *cd, struct cx_type t, int depth)
{
	const struct type *r;

	t = cx.clang_getCanonicalType(t);
	long long size = cx.clang_Type_getSizeOf(t);
	if (depth > MAX_DEPTH)
		return NULL;
	if (t.kind == CXT_VOID)
		return &type_void;
	if ((r = conv_int(t, size)))
		return r;
	switch (t.kind) {
	case CXT_POINTER:
		return conv_ptr(cd, t, depth);
	case CXT_CONSTANT_ARRAY:
	case CXT_INCOMPLETE_ARRAY:
		return conv_array(cd, t, depth);
	case CXT_RECORD:
	case CXT_ENUM: {
		const char *name = take(cd->arena, cx.clang_getTypeSpelling(t));
		if ((r = smap_get(&cd->types, name)))
			return r;
		return t.kind == CXT_ENUM ? conv_enum(cd, t, name) : conv_record(cd, t, name, depth);
	}
	case CXT_FUNCTION_PROTO:
	case CXT_FUNCTION_NOPROTO:
		return NULL;
	default: /* __int128, floating point, vectors, _Atomic: kept as bytes */
		return size > 0 ? type_array(cd->arena, &type_u8, (unsigned)size) : NULL;
	}
}

struct enum_walk {
	struct cdefs *cd;
	struct enum_val *vals;
	unsigned n, cap;
};

static int enum_visit(struct cx_cursor c, struct cx_cursor parent, void *data)
{
	struct enum_walk *w = data;

	if (c.kind != CX_ENUM_CONSTANT_DECL)
		return CX_VISIT_CONTINUE;
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 8;
		w->vals = xrealloc(w->vals, w->cap * sizeof(*w->vals));
	}
	w->vals[w->n].name = take(w->cd->arena, cx.clang_getCursorSpelling(c));
	w->vals[w->n].value = cx.clang_getEnumConstantDeclValue(c);
	w->n++;
	return CX_VISIT_CONTINUE;
}

static const struct type *conv_enum(struct cdefs *cd, struct cx_type t, const char *name)
{
	struct cx_cursor decl = cx.clang_getTypeDeclaration(t);
	struct cx_type it = cx.clang_getCanonicalType(cx.clang_getEnumDeclIntegerType(decl));
	const struct type *base = conv_int(it, cx.clang_Type_getSizeOf(it));
	struct type *e = new_type(cd, TY_ENUM, cx.clang_Type_getSizeOf(t), cx.clang_Type_getAlignOf(t));
	struct enum_walk w = { .cd = cd };

	cx.clang_visitChildren(decl, enum_visit, &w);
	e->name = name;
	e->is_signed = base && base->is_signed;
	e->nenums = w.n;
	e->enums = arena_alloc(cd->arena, (w.n ? w.n : 1) * sizeof(*e->enums));
	if (w.n)
		memcpy((void *)e->enums, w.vals, w.n * sizeof(*w.vals));
	free(w.vals);
	smap_put(cd->arena, &cd->types, name, e);
	return e;
}

struct field_walk {
	struct cdefs *cd;
	struct field *fields;
	unsigned n, cap;
	long long base_bits; /* offset of the anonymous member being flattened */
	unsigned size;       /* the outermost record's size */
	int depth;
};

/* Place a bitfield in the aligned unit of its type's size (as lang/btf.c does). */
static void place_bitfield(struct field *fl, unsigned bitoff, unsigned bits, unsigned size)
{
	unsigned unit = fl->type->size;

	if (unit != 1 && unit != 2 && unit != 4 && unit != 8)
		unit = 1;
	fl->offset = bitoff / 8 / unit * unit;
	fl->bit_offset = bitoff - fl->offset * 8;
	fl->bit_size = bits;
	if (fl->bit_offset + bits > unit * 8 || fl->offset + unit > size) {
		fl->offset = bitoff / 8;
		fl->bit_offset = bitoff % 8;
	}
}

static int field_visit(struct cx_cursor c, void *data)
{
	struct field_walk *w = data;
	struct cx_type ft = cx.clang_getCanonicalType(cx.clang_getCursorType(c));
	long long bits = w->base_bits + cx.clang_Cursor_getOffsetOfField(c);
	const char *name = take(w->cd->arena, cx.clang_getCursorSpelling(c));

	/*
	 * bpftrace flattens anonymous struct and union members into the parent.
	 * (clang spells such a member like its type, "union foo::(anonymous at
	 * ...)", so the declaration says whether it is one.)
	 */
	if (ft.kind == CXT_RECORD &&
	    cx.clang_Cursor_isAnonymousRecordDecl(cx.clang_getTypeDeclaration(ft))) {
		long long saved = w->base_bits;
		w->base_bits = bits;
		cx.clang_Type_visitFields(ft, field_visit, w);
		w->base_bits = saved;
		return CX_VISIT_CONTINUE;
	}
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 16;
		w->fields = xrealloc(w->fields, w->cap * sizeof(*w->fields));
	}
	struct field *fl = &w->fields[w->n++];
	memset(fl, 0, sizeof(*fl));
	fl->name = name;
	fl->type = conv(w->cd, ft, w->depth + 1);
	if (!fl->type)
		fl->type = &type_void;
	if (cx.clang_Cursor_isBitField(c))
		place_bitfield(fl, (unsigned)bits, (unsigned)cx.clang_getFieldDeclBitWidth(c), w->size);
	else
		fl->offset = (unsigned)(bits / 8);
	return CX_VISIT_CONTINUE;
}

static const struct type *conv_record(struct cdefs *cd, struct cx_type t, const char *name,
				      int depth)
{
	struct cx_cursor decl = cx.clang_getTypeDeclaration(t);
	long long size = cx.clang_Type_getSizeOf(t);
	struct type *r = new_type(cd, TY_STRUCT, size, cx.clang_Type_getAlignOf(t));

	r->name = name;
	r->is_union = decl.kind == CX_UNION_DECL;
	/* Cached before the fields, so `struct foo *next` finds this very type. */
	smap_put(cd->arena, &cd->types, name, r);
	if (size < 0) { /* declared, never defined: sema finds it in BTF */
		r->incomplete = true;
		return r;
	}
	struct field_walk w = { .cd = cd, .size = r->size, .depth = depth };
	cx.clang_Type_visitFields(t, field_visit, &w);
	r->nfields = w.n;
	r->fields = arena_alloc(cd->arena, (w.n ? w.n : 1) * sizeof(*r->fields));
	if (w.n)
		memcpy((void *)r->fields, w.fields, w.n * sizeof(*w.fields));
	free(w.fields);
	return r;
}

static const char *const tag_prefixes[] = { "struct ", "union ", "enum " };

const struct type *cdefs_type(struct cdefs *cd, const char *name)
{
	struct decl *dl = smap_get(&cd->decls, name);

	/* After cdefs_free(), what was converted can still be found. */
	if (!cd->tu)
		return smap_get(&cd->types, name);

	/* A bare tag name: `foo` for `struct foo`, as BTF lookups allow. */
	for (size_t i = 0; !dl && i < sizeof(tag_prefixes) / sizeof(tag_prefixes[0]); i++)
		dl = smap_get(&cd->decls, arena_printf(cd->arena, "%s%s", tag_prefixes[i], name));
	if (!dl || !cd->tu)
		return NULL;
	return conv(cd, cx.clang_getCursorType(dl->cur), 0);
}

bool cdefs_enum_value(struct cdefs *cd, const char *name, int64_t *value,
		      const struct type **enum_type)
{
	struct decl *dl = smap_get(&cd->consts, name);

	if (!dl || !cd->tu)
		return false;
	*value = cx.clang_getEnumConstantDeclValue(dl->cur);
	if (enum_type)
		*enum_type = conv(cd, cx.clang_getCursorType(dl->parent), 0);
	return true;
}

/* ---- macros ---------------------------------------------------------------------------------- */

/* The definition's tokens: NAME [ ( params ) ] body... */
static void tokenize(struct cdefs *cd, struct macro *m)
{
	struct cx_token *toks = NULL;
	unsigned n = 0, i = 1;
	struct cdef_macro *p = &m->pub;

	m->tokenized = true;
	cx.clang_tokenize(cd->tu, cx.clang_getCursorExtent(m->cur), &toks, &n);
	const char **s = arena_alloc(cd->arena, (n ? n : 1) * sizeof(*s));
	for (unsigned k = 0; k < n; k++)
		s[k] = take(cd->arena, cx.clang_getTokenSpelling(cd->tu, toks[k]));
	if (toks)
		cx.clang_disposeTokens(cd->tu, toks, n);
	if (p->function_like && i < n && !strcmp(s[i], "(")) {
		const char **params = arena_alloc(cd->arena, n * sizeof(*params));
		for (i++; i < n && strcmp(s[i], ")"); i++)
			if (strcmp(s[i], ","))
				params[p->nparams++] = s[i];
		i++;
		p->params = params;
	}
	m->toks = s + (i < n ? i : n);
	m->ntoks = i < n ? n - i : 0;
	size_t len = 1;
	for (unsigned k = 0; k < m->ntoks; k++)
		len += strlen(m->toks[k]) + 1;
	char *body = arena_alloc(cd->arena, len);
	for (unsigned k = 0; k < m->ntoks; k++) {
		if (k)
			strcat(body, " ");
		strcat(body, m->toks[k]);
	}
	p->body = body;
}

static struct macro *get_macro(struct cdefs *cd, const char *name)
{
	struct macro *m = smap_get(&cd->macros, name);

	if (m && !m->tokenized && cd->tu)
		tokenize(cd, m);
	return m && m->tokenized ? m : NULL;
}

const struct cdef_macro *cdefs_macro_def(struct cdefs *cd, const char *name)
{
	struct macro *m = get_macro(cd, name);

	return m ? &m->pub : NULL;
}

/*
 * A small evaluator of C integer constant expressions over a macro's tokens:
 * literals, other object-like macros, enum constants, parentheses and the
 * unary, binary and ?: operators.  Arithmetic wraps as in 64-bit unsigned
 * C; comparisons, division and right shifts are signed.
 */
struct eval {
	struct cdefs *cd;
	const char *const *t;
	unsigned n, i;
	int depth;
	bool ok;
};

static const char *peek(struct eval *e)
{
	return e->i < e->n ? e->t[e->i] : "";
}

static bool accept(struct eval *e, const char *tok)
{
	if (e->i < e->n && !strcmp(e->t[e->i], tok)) {
		e->i++;
		return true;
	}
	return false;
}

static int64_t fail(struct eval *e)
{
	e->ok = false;
	e->i = e->n;
	return 0;
}

static int64_t number(struct eval *e, const char *s)
{
	char *end;
	uint64_t v;

	if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		v = strtoull(s + 2, &end, 2);
	else
		v = strtoull(s, &end, 0);
	/* integer suffixes change nothing at 64 bits */
	while (*end == 'u' || *end == 'U' || *end == 'l' || *end == 'L')
		end++;
	return *end ? fail(e) : (int64_t)v;
}

static bool macro_value(struct cdefs *cd, struct macro *m, int depth, int64_t *v);
static int64_t ternary(struct eval *e);

static int64_t ident(struct eval *e, const char *s)
{
	struct macro *m = get_macro(e->cd, s);
	int64_t v;

	if (m && macro_value(e->cd, m, e->depth + 1, &v))
		return v;
	/* also `#define SOCK_STREAM SOCK_STREAM` beside the enum constant */
	if (cdefs_enum_value(e->cd, s, &v, NULL))
		return v;
	return fail(e);
}

static int64_t primary(struct eval *e)
{
	const char *s = peek(e);

	if (accept(e, "(")) {
		int64_t v = ternary(e);
		return accept(e, ")") ? v : fail(e);
	}
	if (!*s)
		return fail(e);
	e->i++;
	if (isdigit((unsigned char)*s))
		return number(e, s);
	if (s[0] == '\'' && s[1] && s[1] != '\\' && s[2] == '\'' && !s[3])
		return (unsigned char)s[1];
	if (is_ident(s))
		return ident(e, s);
	return fail(e);
}

static int64_t unary(struct eval *e)
{
	if (accept(e, "-"))
		return (int64_t)(0 - (uint64_t)unary(e));
	if (accept(e, "+"))
		return unary(e);
	if (accept(e, "~"))
		return ~unary(e);
	if (accept(e, "!"))
		return !unary(e);
	return primary(e);
}

/* Binary operators by precedence level, lowest first. */
static const char *const levels[][4] = {
	{ "||" }, { "&&" }, { "|" }, { "^" }, { "&" }, { "==", "!=" },
	{ "<", "<=", ">", ">=" }, { "<<", ">>" }, { "+", "-" }, { "*", "/", "%" },
};
#define NLEVELS (sizeof(levels) / sizeof(levels[0]))

static int64_t apply(struct eval *e, const char *op, int64_t a, int64_t b)
{
	uint64_t ua = (uint64_t)a, ub = (uint64_t)b;

	switch (op[0]) {
	case '|': return op[1] ? (a || b) : (int64_t)(ua | ub);
	case '&': return op[1] ? (a && b) : (int64_t)(ua & ub);
	case '^': return (int64_t)(ua ^ ub);
	case '=': return a == b;
	case '!': return a != b;
	case '+': return (int64_t)(ua + ub);
	case '-': return (int64_t)(ua - ub);
	case '*': return (int64_t)(ua * ub);
	case '/':
	case '%':
		if (b == 0 || (a == INT64_MIN && b == -1))
			return fail(e);
		return op[0] == '/' ? a / b : a % b;
	case '<':
		if (op[1] == '<')
			return ub < 64 ? (int64_t)(ua << ub) : fail(e);
		return op[1] ? a <= b : a < b;
	case '>':
		if (op[1] == '>')
			return ub < 64 ? a >> ub : fail(e);
		return op[1] ? a >= b : a > b;
	default:
		return fail(e);
	}
}

static int64_t binary(struct eval *e, unsigned level)
{
	if (level == NLEVELS)
		return unary(e);
	int64_t v = binary(e, level + 1);
	for (;;) {
		const char *op = NULL;
		for (unsigned k = 0; k < 4 && levels[level][k]; k++)
			if (!strcmp(peek(e), levels[level][k]))
				op = levels[level][k];
		if (!op || !e->ok)
			return v;
		e->i++;
		v = apply(e, op, v, binary(e, level + 1));
	}
}

static int64_t ternary(struct eval *e)
{
	int64_t c = binary(e, 0);

	if (!accept(e, "?"))
		return c;
	int64_t a = ternary(e);
	if (!accept(e, ":"))
		return fail(e);
	int64_t b = ternary(e);
	return c ? a : b;
}

static bool macro_value(struct cdefs *cd, struct macro *m, int depth, int64_t *v)
{
	if (m->pub.function_like || m->evaluating || depth > MAX_DEPTH || !m->ntoks)
		return false;
	struct eval e = { .cd = cd, .t = m->toks, .n = m->ntoks, .depth = depth, .ok = true };
	m->evaluating = true;
	*v = ternary(&e);
	m->evaluating = false;
	return e.ok && e.i == e.n;
}

bool cdefs_macro(struct cdefs *cd, const char *name, int64_t *value)
{
	struct macro *m = get_macro(cd, name);

	return m && macro_value(cd, m, 0, value);
}
