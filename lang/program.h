/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The compilation unit: one program text, its AST, its probes and the
 * programs they become, its maps, and the resources handed to the runtime.
 */
#ifndef CTRACE_PROGRAM_H
#define CTRACE_PROGRAM_H

#include <stdbool.h>
#include <stdint.h>

#include "ast.h"
#include "diag.h"
#include "provider.h"
#include "resources.h"
#include "type.h"

struct arena;
struct btf_ctx;
struct cdefs;

/* Settings from the command line, the config block and the environment. */
struct config {
	unsigned max_strlen;           /* 1024 */
	const char *str_trunc_trailer; /* ".." */
	unsigned max_map_keys;         /* 4096 */
	unsigned perf_rb_pages;        /* 0: sized automatically */
	bool print_maps_on_exit;
	enum { MISSING_ERROR, MISSING_WARN, MISSING_IGNORE } missing_probes;
	/* config unstable_tseries; the zero value is bpftrace's default, warn */
	enum { UNSTABLE_WARN, UNSTABLE_ENABLE, UNSTABLE_ERROR } unstable_tseries;
	bool unsafe;
	bool warnings;                 /* -k */
	bool no_warnings;
	int pid;                       /* -p: filter every probe but begin/end; 0 none */
	int cpid;                      /* -c: the command's pid (`cpid`); 0 none */
	const char *const *cgroup_filter; /* --cgroup-filter paths (NULL-terminated) */
	uint64_t *cgroup_ids;          /* their cgroup ids, resolved by the driver */
	unsigned ncgroup_ids;
};

/* One expanded attach target (what `probe` names). */
struct attach {
	const struct provider *prov;
	const char *name;         /* full probe name: "tracepoint:syscalls:sys_enter_write" */
	const char *target;       /* provider-specific parts, e.g. "syscalls" ... */
	const char *func;         /* ... and "sys_enter_write" */
	uint64_t num;             /* provider-specific number (interval period, ...) */
	unsigned probe_id;        /* index into resources.probes */
	const struct type *args;  /* tracepoint args struct, if any */
	struct loc loc;
	void *priv;               /* the provider's own data */
	struct attach *next;      /* in the probe's list */
};

/* How a program learns which of its targets fired (for the `probe` builtin). */
enum probe_id_mode {
	PID_CONST,         /* one target */
	PID_COOKIE,        /* bpf_get_attach_cookie() holds the probe id */
	PID_SYSCALL_TABLE, /* one raw_syscalls attachment: nr -> probe id + 1 through an array map */
};

/* One BPF program: a probe's body compiled for one provider and mode. */
struct prog {
	struct probe *probe;
	const struct provider *prov;
	const char *fn_name;      /* ELF symbol */
	const char *section;      /* ELF section */
	int prog_type;
	enum probe_id_mode idmode;
	struct attach **targets;
	unsigned ntargets;
	const struct attach *proto; /* the target whose args typing the body uses */
	/* PID_SYSCALL_TABLE */
	const char *tp_category, *tp_event; /* the one tracepoint to attach, e.g. raw_syscalls/sys_enter */
	const char *table_map;    /* ELF name of the nr -> probe id + 1 array */
	uint32_t *table;          /* table[nr] = probe id + 1, 0: not traced */
	unsigned table_len;
	/* offset of thread_info.status in task_struct: skip 32-bit (compat) syscalls, which
	   the syscalls:* tracepoints never see; 0 when unknown */
	unsigned compat_status_off;
	struct prog *next;
};

/* A scratch variable ($name) of one probe. */
struct var_sym {
	const char *name;
	const struct type *type;
	struct loc first;
	bool is_let;              /* block-scoped: `let`, or a for-loop variable */
	void *cg;                 /* codegen's storage */
	long cg_off;              /* codegen: its offset in scratch when shared with callbacks */
	struct var_sym *next;
};

/* A map (@name). */
struct map_sym {
	const char *name;
	const struct type *key;   /* NULL: scalar */
	const struct type *val;
	enum agg_kind agg;
	int hist_bits;
	int64_t lhist_min, lhist_max, lhist_step;
	bool lhist_set;
	uint64_t ts_interval, ts_count; /* tseries(v, interval, count[, fn]) */
	int ts_fn;                /* enum tseries_fn */
	bool ts_set;
	struct loc first;
	const char *decl_type;    /* from `let @m = hash(N)`, or NULL */
	unsigned max_entries;
	int id;                   /* index in resources.maps */
	bool used_keyed, used_scalar;
	struct map_sym *next;
};

/* One probe of the script: attach points sharing a predicate and a body. */
struct probe {
	struct ast_node *node;
	int index;                /* declaration order */
	const struct provider *prov; /* all of a probe's targets share one provider */
	struct attach *attaches;
	unsigned nattaches;
	struct prog *progs;
	struct var_sym *vars;
	bool uses_probe;          /* the body reads `probe` */
	bool has_formap;          /* the body loops over a map (a callback) */
	bool uses_args;
	/* the fields the body reads as args.NAME, found before planning (providers group
	   targets whose layout of these fields is the same into one program) */
	const char **args_fields;
	unsigned nargs_fields;
	struct probe *next;
};

struct program {
	struct arena *arena;
	struct diags *diags;
	const struct source *src;
	struct ast_node *ast;
	struct config cfg;
	const struct provider *const *providers;
	const char *tracefs;      /* tracefs root: /sys/kernel/tracing, or a test fixture */
	char **pos;               /* positional parameters $1.. */
	int npos;
	char **named;             /* named parameters after --: "name=value" or "name" */
	int nnamed;
	struct probe *probes;
	unsigned nprobes;
	struct map_sym *maps;
	struct btf_ctx *btf;      /* the kernel's types, opened on first use */
	bool btf_tried;
	struct cdefs *cdefs;      /* the script's C definitions, if any */
	unsigned nprogs;
	struct resources res;
	/* growable tables that become resources */
	unsigned cap_fmts, cap_probes;
	bool has_begin_end_only;  /* only begin/end probes: exit after end */
};

void program_init(struct program *p, struct arena *a, struct diags *d, const struct source *src);
/* The kernel's BTF (or $BPFTRACE_BTF), opened on first use; NULL when there is none. */
struct btf_ctx *program_btf(struct program *p);
/* Whether the running kernel is major.minor or newer (false when its release cannot be read). */
bool kernel_at_least(unsigned major, unsigned minor);
/* Release what the program holds outside its arena (BTF mappings, libclang). */
void program_fini(struct program *p);

/* Add a target to probe pr (providers' expand hooks). */
struct attach *program_add_attach(struct program *p, struct probe *pr,
				  const struct provider *prov, const char *name,
				  const struct loc *loc);
/* Add a BPF program for probe pr covering targets (providers' plan hooks). */
struct prog *program_add_prog(struct program *p, struct probe *pr, struct attach **targets,
			      unsigned n, enum probe_id_mode mode);
/* A counter slot for a run-time warning site (fmt_id); returns the slot. */
unsigned resources_add_counter(struct program *p, int fmt_id);
/* Register a format (printf, time, runtime error ...); returns its id. */
int program_add_fmt(struct program *p, enum event_kind kind, const char *fmt,
		    const struct type *args, const struct loc *loc);

/*
 * The front end: parse, expand probes, resolve and type-check, and lay out
 * resources.  Returns 0, or -EINVAL when errors were reported.
 */
int program_compile_front(struct program *p);

/* Passes, in order. */
int macros_expand(struct program *p);
int sema_config(struct program *p);
int sema_probes(struct program *p);
int sema_types(struct program *p);
int sema_resources(struct program *p);

/* `-d types`: the typed AST. */
void program_dump_types(const struct program *p, FILE *out);
/* `-d resources`. */
void program_dump_resources(const struct program *p, FILE *out);

#endif
