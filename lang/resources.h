/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The contract between compile time and run time: everything the runtime
 * needs to know about a compiled program besides the ELF object.  The runtime
 * never walks the AST; it reads maps, events and probe names from here.
 */
#ifndef CTRACE_RESOURCES_H
#define CTRACE_RESOURCES_H

#include <stdbool.h>
#include <stdint.h>

#include "loc.h"
#include "type.h"

/* One user map (@name). */
struct map_res {
	const char *name;          /* "@x", "@" */
	const char *elf_name;      /* the BPF map's name in the object */
	int id;                    /* index in resources.maps, sorted by name */
	const struct type *key;    /* user key type; NULL for a scalar map */
	const struct type *val;    /* value type; kind TY_AGG for aggregations */
	enum agg_kind agg;         /* == val->agg for TY_AGG values, else AGG_NONE */
	unsigned key_size;         /* BPF key bytes: key->size or 8 (scalar), + 8 for hist/lhist */
	unsigned val_size;         /* BPF value bytes (one CPU's share for per-CPU maps) */
	unsigned max_entries;
	bool percpu;               /* values are per CPU and merged when printed */
	int bpf_type;              /* BPF_MAP_TYPE_* */
	int hist_bits;             /* HIST: 0..5, sub-buckets per power of two = 1 << bits */
	int64_t lhist_min, lhist_max, lhist_step; /* LHIST */
	uint64_t ts_interval;      /* TSERIES: nanoseconds per interval */
	uint64_t ts_count;         /* TSERIES: intervals kept, the slots per key */
	int ts_fn;                 /* TSERIES: enum tseries_fn */
};

/*
 * How tseries() combines the values written in one interval.  Each slot of
 * a key holds (value, meta, epoch) per CPU, epoch = TAI ns / interval (0: an
 * unused slot); meta is the TAI time of the write for TS_LAST (so the latest
 * CPU wins when they are merged) and the number of values for the others.
 */
enum tseries_fn { TS_LAST, TS_AVG, TS_MIN, TS_MAX, TS_SUM };

/* Kinds of asynchronous events sent through the ring buffer. */
#define EVENT_KINDS(X)                                                                             \
	X(PRINTF, "printf")       /* id: fmt; payload: args tuple */                             \
	X(PRINT, "print")         /* id: fmt (its args type is the value's); payload: value */   \
	X(PRINT_MAP, "print_map") /* payload: struct ev_print_map */                             \
	X(CLEAR, "clear")         /* payload: struct ev_map */                                   \
	X(ZERO, "zero")           /* payload: struct ev_map */                                   \
	X(TIME, "time")           /* id: fmt (strftime format); no payload */                    \
	X(EXIT, "exit")           /* payload: u64 exit code */                                   \
	X(RUNTIME_ERROR, "runtime_error") /* id: fmt (message and location) */                   \
	X(CAT, "cat")             /* id: fmt (path format); payload: args tuple */               \
	X(SYSTEM, "system")       /* id: fmt (command format); payload: args tuple */            \
	X(JOIN, "join")           /* id: fmt (separator); payload: joined strings */             \
	X(ERRORF, "errorf")       /* id: fmt (message format, location); payload: args tuple */  \
	X(WARNF, "warnf")         /* id: fmt (message format, location); payload: args tuple */

enum event_kind {
#define X(k, s) EV_##k,
	EVENT_KINDS(X)
#undef X
};

/* Every ring-buffer record starts with this header. */
/*
 * A TY_USYM value whose pid is this holds a probe id instead of an address:
 * `func` in a user-space probe is the probe's function, known when attaching,
 * so it prints even after the traced process has exited.
 */
#define USYM_PROBE_FUNC 0xffffffffu

struct ev_hdr {
	uint32_t kind; /* enum event_kind */
	uint32_t id;   /* index in resources.fmts for kinds that have one */
};

struct ev_print_map {
	struct ev_hdr hdr;
	uint64_t map_id;
	uint64_t top; /* 0: all */
	uint64_t div; /* 0 or 1: no division */
};

/*
 * join(): the header, a u64 count of strings, then JOIN_MAX slots of
 * min(max_strlen, 1024) bytes each, NUL-terminated.
 */
#define JOIN_MAX 16

struct ev_map {
	struct ev_hdr hdr;
	uint64_t map_id;
};

/*
 * A format with typed arguments: printf, time, print of a value, runtime
 * errors, cat, system.  args is a TUPLE type giving each argument's type and
 * offset within the payload that follows the event header.
 */
struct fmt_res {
	int id;
	enum event_kind kind;
	const char *fmt;           /* printf/time/cat/system format; runtime error message */
	const struct type *args;   /* TUPLE; PRINT: the printed value's type wrapped in a 1-tuple */
	struct loc loc;            /* where in the script (runtime errors, warnings) */
	const char *src_line;      /* that line's text, for runtime errors */
	const char *detail;        /* runtime errors: an `Additional Info` line, or NULL */
};

struct resources {
	struct map_res *maps;      /* sorted by name: the order maps print at exit */
	unsigned nmaps;
	struct fmt_res *fmts;
	unsigned nfmts;
	const char **probes;       /* full probe names, indexed by TY_PROBE values */
	const char **probe_funcs;  /* each probe's function (uprobes: `func`), or NULL */
	unsigned nprobes;
	unsigned ringbuf_size;     /* bytes */
	unsigned max_strlen;
	const char *str_trunc_trailer;
	bool print_maps_on_exit;
	bool needs_elapsed;        /* the program reads `elapsed`: the runtime writes its start */
	/*
	 * Per-CPU counters kept by the BPF programs in the map ct_counters:
	 * slot 0 counts lost events; every other slot a run-time warning site
	 * (its fmt id in counter_fmt), reported when it grows.
	 */
	unsigned ncounters;
	int *counter_fmt;
	unsigned cap_counters;
};

#endif
