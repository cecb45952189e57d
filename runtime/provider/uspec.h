/* SPDX-License-Identifier: Apache-2.0 */
/* The `BIN:...` part shared by uprobe, uretprobe and usdt attach points. */
#ifndef CTRACE_PROVIDER_USPEC_H
#define CTRACE_PROVIDER_USPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct program;
struct provider;
struct loc;

struct uspec {
	const char *bin;   /* as written, quotes removed */
	const char *path;  /* the file it names */
	bool bin_wildcard; /* `*`: every file mapped into the -p process */
	const char *rest;  /* what follows BIN:, quotes removed */
	/* uprobe's function part */
	const char *func;
	bool wildcard, is_addr, has_off;
	uint64_t addr, off;
};

/*
 * Split spec into BIN and the rest and find BIN's file (reports errors).
 * Text in double quotes is taken as written (`"/a:b/x":f`, `bin:"A::f(int)"`).
 */
int uspec_split(struct program *p, const char *spec, const struct loc *loc, const char *what,
		struct uspec *s);
/* uspec_split, then the uprobe function part: FUNC, FUNC+OFF, 0xADDR, [cpp:]"A::b". */
int uspec_parse(struct program *p, const char *spec, const struct loc *loc, const char *what,
		struct uspec *s);
/* The ELF files mapped into process pid (as /proc/PID/root/FILE), sorted; their number. */
unsigned uspec_mapped_files(struct program *p, int pid, const char *glob, char ***out);
/*
 * For `ctrace -l PATTERN`: true when PATTERN is `NAME:BIN[:REST]` with NAME
 * prov's name or alias; path gets BIN's file, rest what follows ("*" if nothing).
 */
bool uspec_list_target(const char *pattern, const struct provider *prov, char *path, size_t len,
		       const char **rest);

#endif
