/* SPDX-License-Identifier: Apache-2.0 */
/* Name tables for builtin variables and functions. */
#include "builtins.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

const char *const builtin_var_names[] = {
#define X(k, s) s,
	BUILTIN_VARS(X)
#undef X
};

const struct func_info builtin_funcs[] = {
#define X(k, s, lo, hi) { s, lo, hi },
	BUILTIN_FUNCS(X)
#undef X
};

int builtin_var_find(const char *name, int *argn)
{
	if (!strncmp(name, "arg", 3) && isdigit((unsigned char)name[3])) {
		char *end;
		long n = strtol(name + 3, &end, 10);
		if (*end || n > 255)
			return -1;
		*argn = (int)n;
		return BV_ARG;
	}
	for (int i = 0; i < BV_COUNT_; i++)
		if (i != BV_ARG && !strcmp(builtin_var_names[i], name))
			return i;
	return -1;
}

int builtin_func_find(const char *name)
{
	for (int i = 0; i < BF_COUNT_; i++)
		if (!strcmp(builtin_funcs[i].name, name))
			return i;
	return -1;
}
