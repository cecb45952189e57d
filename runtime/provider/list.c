/* SPDX-License-Identifier: Apache-2.0 */
/* Patterns of `ctrace -l`: aliases written in place of a provider's name. */
#include "list.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "provider.h"

const char *list_glob(const struct provider *prov, const char *glob, char *buf, size_t len)
{
	const char *colon = glob ? strchr(glob, ':') : NULL;
	if (!colon)
		return glob;
	size_t n = (size_t)(colon - glob);
	for (const char *const *al = prov->aliases; al && *al; al++) {
		if (strlen(*al) == n && !strncmp(*al, glob, n)) {
			snprintf(buf, len, "%s%s", prov->name, colon);
			return buf;
		}
	}
	return glob;
}

bool list_match(const char *glob, const char *name)
{
	return !glob || !fnmatch(glob, name, 0);
}
