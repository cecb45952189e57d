/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Builtin variables and functions: one X-macro row each.  A new builtin is a
 * row here, a type rule in sema_types.c and an emit case in codegen; -Wswitch
 * finds the places that miss it.
 */
#ifndef CTRACE_BUILTINS_H
#define CTRACE_BUILTINS_H

#include <stdbool.h>

#include "provider.h"

struct var_sym;
struct map_sym;

/* name, spelling */
#define BUILTIN_VARS(X)                                                                            \
	X(PID, "pid") X(TID, "tid") X(UID, "uid") X(GID, "gid") X(COMM, "comm")                    \
	X(NSECS, "nsecs") X(ELAPSED, "elapsed") X(CPU, "cpu") X(NCPUS, "ncpus")                    \
	X(PROBE, "probe") X(ARGS, "args") X(ARG, "arg") X(RETVAL, "retval")                        \
	X(CGROUP, "cgroup") X(RAND, "rand") X(CURTASK, "curtask") X(JIFFIES, "jiffies")            \
	X(NUMAID, "numaid") X(CPID, "cpid") X(FUNC, "func") X(USERNAME, "username")                \
	X(KSTACK, "kstack") X(USTACK, "ustack") X(PPID, "ppid") X(PCOMM, "pcomm")

enum builtin_var {
#define X(k, s) BV_##k,
	BUILTIN_VARS(X)
#undef X
	BV_COUNT_
};

/* name, spelling, min args, max args */
#define BUILTIN_FUNCS(X)                                                                           \
	X(PRINTF, "printf", 1, 128)                                                                \
	X(PRINT, "print", 1, 3)                                                                    \
	X(TIME, "time", 0, 1)                                                                      \
	X(STR, "str", 1, 2)                                                                        \
	X(EXIT, "exit", 0, 1)                                                                      \
	X(COUNT, "count", 0, 0)                                                                    \
	X(SUM, "sum", 1, 1)                                                                        \
	X(AVG, "avg", 1, 1)                                                                        \
	X(MIN, "min", 1, 1)                                                                        \
	X(MAX, "max", 1, 1)                                                                        \
	X(STATS, "stats", 1, 1)                                                                    \
	X(HIST, "hist", 1, 2)                                                                      \
	X(LHIST, "lhist", 4, 4)                                                                    \
	X(TSERIES, "tseries", 3, 4)                                                                \
	X(DELETE, "delete", 1, 2)                                                                  \
	X(CLEAR, "clear", 1, 1)                                                                    \
	X(ZERO, "zero", 1, 1)                                                                      \
	X(HAS_KEY, "has_key", 2, 2)                                                                \
	X(LEN, "len", 1, 1)                                                                        \
	X(BSWAP, "bswap", 1, 1)                                                                    \
	X(KSTACK, "kstack", 0, 2)                                                                  \
	X(USTACK, "ustack", 0, 2)                                                                  \
	X(KSYM, "ksym", 1, 1)                                                                      \
	X(USYM, "usym", 1, 1)                                                                      \
	X(KADDR, "kaddr", 1, 1)                                                                    \
	X(REG, "reg", 1, 1)                                                                        \
	X(BUF, "buf", 1, 2)                                                                        \
	X(STRNCMP, "strncmp", 3, 3)                                                                \
	X(STRCONTAINS, "strcontains", 2, 2)                                                        \
	X(STRLEN, "strlen", 1, 1)                                                                  \
	X(STRSTR, "strstr", 2, 2)                                                                  \
	X(NTOP, "ntop", 1, 2)                                                                      \
	X(PTON, "pton", 1, 1)                                                                      \
	X(MACADDR, "macaddr", 1, 1)                                                                \
	X(STRERROR, "strerror", 1, 1)                                                              \
	X(STRFTIME, "strftime", 2, 2)                                                              \
	X(CGROUPID, "cgroupid", 1, 1)                                                              \
	X(JOIN, "join", 1, 2)                                                                      \
	X(CAT, "cat", 1, 128)                                                                      \
	X(SYSTEM, "system", 1, 128)                                                                \
	X(SIGNAL, "signal", 1, 1)                                                                  \
	X(SIGNAL_THREAD, "signal_thread", 1, 1)                                                    \
	X(GETOPT, "getopt", 1, 3)                                                                  \
	X(KPTR, "kptr", 1, 1)                                                                      \
	X(UPTR, "uptr", 1, 1)                                                                      \
	/* builtin variables that take an argument: pid(init), nsecs(tai), comm(pid) */           \
	X(PID, "pid", 0, 1)                                                                        \
	X(TID, "tid", 0, 1)                                                                        \
	X(NSECS, "nsecs", 0, 1)                                                                    \
	X(COMM, "comm", 0, 1)                                                                      \
	X(USERMODE, "usermode", 0, 0)                                                              \
	X(LEADER_TID, "leader_tid", 0, 0)                                                          \
	X(LEADER_COMM, "leader_comm", 0, 0)                                                        \
	X(PROBETYPE, "probetype", 0, 0)                                                            \
	X(CGROUP_PATH, "cgroup_path", 1, 2)                                                        \
	X(STR_CONCAT, "str_concat", 2, 16)                                                         \
	X(STRCAP, "strcap", 1, 1)                                                                  \
	X(MEMCMP, "memcmp", 3, 3)                                                                  \
	X(SIGNAL_NAME, "signal_name", 1, 1)                                                        \
	X(SYSCALL_NAME, "syscall_name", 1, 1)                                                      \
	X(IS_ERR, "is_err", 1, 1)                                                                  \
	X(IS_ARRAY, "is_array", 1, 1)                                                              \
	X(IS_INTEGER, "is_integer", 1, 1)                                                          \
	X(IS_UNSIGNED_INTEGER, "is_unsigned_integer", 1, 1)                                        \
	X(IS_PTR, "is_ptr", 1, 1)                                                                  \
	X(IS_STR, "is_str", 1, 1)                                                                  \
	X(IS_LITERAL, "is_literal", 1, 1)                                                          \
	X(ERRORF, "errorf", 1, 128)                                                                \
	X(WARNF, "warnf", 1, 128)                                                                  \
	X(FAIL, "fail", 1, 128)                                                                    \
	X(ASSERT, "assert", 2, 2)                                                                  \
	X(STATIC_ASSERT, "static_assert", 2, 2)                                                    \
	X(FIND, "find", 3, 3)                                                                      \
	X(PERCPU_KADDR, "percpu_kaddr", 1, 2)

enum builtin_func {
#define X(k, s, lo, hi) BF_##k,
	BUILTIN_FUNCS(X)
#undef X
	BF_COUNT_
};

/* nsecs(mode): the clock, in sem.argn (boot is the builtin variable nsecs). */
enum nsecs_clock { NSECS_MONOTONIC = 1, NSECS_TAI, NSECS_SW_TAI };

/* The capacity of signal_name() and syscall_name() strings, as in bpftrace. */
#define NAME_STR_SIZE 64

struct func_info {
	const char *name;
	int min_args, max_args;
};

extern const char *const builtin_var_names[];
extern const struct func_info builtin_funcs[];

/* The builtin variable named name (argN gives BV_ARG and *argn = N), or -1. */
int builtin_var_find(const char *name, int *argn);
/* The builtin function named name, or -1. */
int builtin_func_find(const char *name);

/* What sema records on a node for codegen (node->sema). */
struct sem {
	int id;                  /* builtin_var / builtin_func / agg */
	int argn;                /* BV_ARG: N */
	struct var_sym *var;     /* VAR */
	struct map_sym *map;     /* MAP, and map arguments of calls */
	int fmt_id;              /* printf, time, print, runtime errors (division) */
	struct ctx_access ctx;   /* provider arguments */
	long long ival;          /* constant operands (str length, exit code, ...) */
	bool is_const;           /* ival holds the node's constant value */
	const char *bytes;       /* a folded constant's bytes (pton) */
	const struct field *field; /* a struct member read (FIELD) */
};

#endif
