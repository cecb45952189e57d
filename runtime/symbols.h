/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Symbol lookups for stacks, ksym(), usym() and func: kernel symbols from
 * /proc/kallsyms (read once, on first use), user symbols through bcc's
 * symbol library (libbcc, opened with dlopen on the first user lookup, so
 * scripts that never print a user symbol never load it), cached per
 * process and resolved in that process's mount namespace.
 */
#ifndef CTRACE_SYMBOLS_H
#define CTRACE_SYMBOLS_H

#include "output.h"

struct symbolizer *symbolizer_new(void);
void symbolizer_free(struct symbolizer *s);

#endif
