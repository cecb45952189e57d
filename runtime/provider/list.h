/* SPDX-License-Identifier: Apache-2.0 */
/* `ctrace -l PATTERN` helpers shared by the providers' list hooks. */
#ifndef CTRACE_PROVIDER_LIST_H
#define CTRACE_PROVIDER_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct provider;

/*
 * PATTERN with an alias of prov in front (`s:*`, `k:vfs_*`) rewritten to the
 * full name (`software:*`) in buf; PATTERN itself otherwise (NULL stays NULL).
 */
const char *list_glob(const struct provider *prov, const char *glob, char *buf, size_t len);
/* Whether name matches the pattern (NULL matches everything). */
bool list_match(const char *glob, const char *name);

#endif
