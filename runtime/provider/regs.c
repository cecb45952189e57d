/* SPDX-License-Identifier: Apache-2.0 */
/* x86-64 struct pt_regs offsets for the pt_regs-based providers (kprobe, uprobe, usdt). */
#include "regs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "provider.h"
#include "type.h"

/* The 64-bit registers at their pt_regs offsets, with the names of their narrower parts. */
static const struct {
	const char *names[4]; /* 8, 4, 2, 1 bytes */
	unsigned offset;
} regs[] = {
	{ { "r15", "r15d", "r15w", "r15b" }, 0 },   { { "r14", "r14d", "r14w", "r14b" }, 8 },
	{ { "r13", "r13d", "r13w", "r13b" }, 16 },  { { "r12", "r12d", "r12w", "r12b" }, 24 },
	{ { "rbp", "ebp", "bp", "bpl" }, 32 },      { { "rbx", "ebx", "bx", "bl" }, 40 },
	{ { "r11", "r11d", "r11w", "r11b" }, 48 },  { { "r10", "r10d", "r10w", "r10b" }, 56 },
	{ { "r9", "r9d", "r9w", "r9b" }, 64 },      { { "r8", "r8d", "r8w", "r8b" }, 72 },
	{ { "rax", "eax", "ax", "al" }, 80 },       { { "rcx", "ecx", "cx", "cl" }, 88 },
	{ { "rdx", "edx", "dx", "dl" }, 96 },       { { "rsi", "esi", "si", "sil" }, 104 },
	{ { "rdi", "edi", "di", "dil" }, 112 },     { { "orig_rax", NULL, NULL, NULL }, 120 },
	{ { "rip", "eip", "ip", NULL }, 128 },      { { "cs", NULL, NULL, NULL }, 136 },
	{ { "flags", "eflags", NULL, NULL }, 144 }, { { "rsp", "esp", "sp", "spl" }, 152 },
	{ { "ss", NULL, NULL, NULL }, 160 },
};

/* The System V calling convention's argument registers. */
static const unsigned arg_offsets[] = { 112, 104, 96, 88, 72, 64 };

int regs_find(const char *name, unsigned *offset, unsigned *size)
{
	static const unsigned sizes[] = { 8, 4, 2, 1 };

	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		for (int w = 0; w < 4; w++) {
			if (regs[i].names[w] && !strcmp(regs[i].names[w], name)) {
				*offset = regs[i].offset;
				*size = sizes[w];
				return 0;
			}
		}
	}
	if (!strcmp(name, "ah") || !strcmp(name, "bh") || !strcmp(name, "ch") || !strcmp(name, "dh")) {
		char low[3] = { name[0], 'l', 0 };
		int err = regs_find(low, offset, size);
		*offset += 1;
		return err;
	}
	return -ENOENT;
}

/* reg()'s names are struct pt_regs' field names (ip, sp, ax, r8): the 64-bit registers */
static const char *reg_name(const char *name)
{
	static const char *const short_names[] = { "ip", "sp", "bp", "ax", "bx", "cx", "dx",
						   "si", "di", "orig_ax" };
	static const char *const long_names[] = { "rip", "rsp", "rbp", "rax", "rbx", "rcx", "rdx",
						  "rsi", "rdi", "orig_rax" };
	for (size_t i = 0; i < sizeof(short_names) / sizeof(short_names[0]); i++)
		if (!strcmp(name, short_names[i]))
			return long_names[i];
	return name;
}

static void load64(struct ctx_access *out, unsigned offset, const struct type **type)
{
	out->kind = CTX_LOAD;
	out->offset = offset;
	out->size = 8;
	out->is_signed = false;
	*type = &type_u64;
}

int regs_arg(const char *name, bool args_ok, bool ret_ok, struct ctx_access *out,
	     const struct type **type)
{
	unsigned off, size;

	memset(out, 0, sizeof(*out));
	if (args_ok && !strncmp(name, "arg", 3) && name[3] >= '0' && name[3] <= '9') {
		char *end;
		long n = strtol(name + 3, &end, 10);
		if (*end || n >= (long)(sizeof(arg_offsets) / sizeof(arg_offsets[0])))
			return -ENOENT;
		load64(out, arg_offsets[n], type);
		return 0;
	}
	if (ret_ok && !strcmp(name, "retval")) {
		load64(out, 80, type);
		return 0;
	}
	if (!strcmp(name, "func")) {
		out->kind = CTX_FUNC_IP;
		out->size = 8;
		*type = &type_u64;
		return 0;
	}
	if (!strncmp(name, "reg:", 4) && !regs_find(reg_name(name + 4), &off, &size)) {
		load64(out, off, type);
		return 0;
	}
	return -ENOENT;
}
