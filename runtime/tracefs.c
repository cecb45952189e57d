/* SPDX-License-Identifier: Apache-2.0 */
/* Finding tracefs, and mounting it when it is missing and we may. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rt.h"

static bool has_events(const char *root)
{
	char path[256];
	struct stat st;
	snprintf(path, sizeof(path), "%s/events", root);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *tracefs_root(void)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	static const char *found;

	if (found)
		return found;
	for (size_t i = 0; i < 2; i++)
		if (has_events(roots[i]))
			return found = roots[i];
	/* not mounted: mount it ourselves when we can (DESIGN: ctrace does this as root) */
	if (geteuid() == 0 && mount("nodev", roots[0], "tracefs", 0, NULL) == 0 &&
	    has_events(roots[0]))
		return found = roots[0];
	return NULL;
}
