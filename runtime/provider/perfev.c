/* SPDX-License-Identifier: Apache-2.0 */
/* Named perf events shared by the software and hardware providers. */
#include "perfev.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "list.h"
#include "program.h"

const struct perfev *perfev_find(const struct perfev *evs, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(evs[i].name, name) || (evs[i].alias && !strcmp(evs[i].alias, name)))
			return &evs[i];
	return NULL;
}

int perfev_expand(struct program *p, struct probe *pr, const struct provider *prov,
		  const struct perfev *evs, unsigned n, const char *spec, const struct loc *loc)
{
	const char *colon = strchr(spec, ':');
	char *name = arena_strndup(p->arena, spec, colon ? (size_t)(colon - spec) : strlen(spec));
	const struct perfev *ev = perfev_find(evs, n, name);
	uint64_t count;

	if (!ev) {
		diag_error(p->diags, loc, "%s: unknown %s event '%s'", prov->name, prov->name, name);
		diag_hint(p->diags, "`ctrace -l '%s:*'` lists them", prov->name);
		return -EINVAL;
	}
	count = ev->period;
	if (colon) {
		char *end;
		errno = 0;
		count = strtoull(colon + 1, &end, 10);
		if (*end || errno || !count || colon[1] == '-') {
			diag_error(p->diags, loc, "%s: invalid count '%s'", prov->name, colon + 1);
			return -EINVAL;
		}
	}
	/* bpftrace names the probe as written */
	const char *pname = arena_printf(p->arena, "%s:%s", prov->name, spec);
	struct attach *a = program_add_attach(p, pr, prov, pname, loc);
	a->target = ev->name;
	a->num = count;
	return 0;
}

void perfev_list(const struct provider *prov, const struct perfev *evs, unsigned n,
		 const char *glob, FILE *out)
{
	char name[128], buf[256];
	glob = list_glob(prov, glob, buf, sizeof(buf));
	for (unsigned i = 0; i < n; i++) {
		/* bpftrace lists `software:cpu-clock:`; `software:cpu-clock` matches it too */
		snprintf(name, sizeof(name), "%s:%s", prov->name, evs[i].name);
		bool hit = list_match(glob, name);
		strcat(name, ":");
		if (hit || list_match(glob, name))
			fprintf(out, "%s\n", name);
	}
}
