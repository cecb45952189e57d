/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x86-64 registers as fields of the kernel's struct pt_regs, the context of
 * kprobe, uprobe and usdt programs: argN, retval, reg("name") and USDT operands.
 */
#ifndef CTRACE_PROVIDER_REGS_H
#define CTRACE_PROVIDER_REGS_H

#include <stdbool.h>

struct ctx_access;
struct type;

/*
 * Where register name lives in pt_regs and how wide it is: "rdi", "edi",
 * "di", "dil", "r8d", "ip" ...  0, or -ENOENT for an unknown name.
 */
int regs_find(const char *name, unsigned *offset, unsigned *size);

/*
 * The argN / retval / func / reg:NAME builtins of pt_regs-based probes.
 * args_ok: argN is available (entry probes); ret_ok: retval is.
 */
int regs_arg(const char *name, bool args_ok, bool ret_ok, struct ctx_access *out,
	     const struct type **type);

#endif
