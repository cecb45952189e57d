/* SPDX-License-Identifier: Apache-2.0 */
/* Parsing `BIN:FUNC`-style attach points of the user-space providers. */
#include "uspec.h"

#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "elf.h"
#include "program.h"

/* The next field of s up to an unquoted ':' (or the end), quotes removed; *s moves past it. */
static char *field(struct arena *a, const char **s, bool to_end)
{
	size_t cap = strlen(*s) + 1, n = 0;
	char *out = arena_alloc(a, cap);
	bool q = false;
	const char *c = *s;

	for (; *c; c++) {
		if (*c == '"') {
			q = !q;
			continue;
		}
		if (*c == ':' && !q && !to_end)
			break;
		out[n++] = *c;
	}
	out[n] = '\0';
	*s = *c == ':' ? c + 1 : c;
	return out;
}

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

int uspec_split(struct program *p, const char *spec, const struct loc *loc, const char *what,
		struct uspec *s)
{
	const char *c = spec;
	char path[PATH_MAX];

	memset(s, 0, sizeof(*s));
	s->bin = field(p->arena, &c, false);
	if (!*s->bin || c == spec + strlen(spec)) {
		diag_error(p->diags, loc, "%s probes are written %s:BINARY:%s", what, what,
			   strcmp(what, "usdt") ? "FUNCTION" : "[PROVIDER:]PROBE");
		return -EINVAL;
	}
	s->rest = field(p->arena, &c, true);
	if (!strcmp(s->bin, "*")) {
		if (p->cfg.pid <= 0) {
			diag_error(p->diags, loc, "a binary wildcard (%s:*:...) needs -p PID", what);
			return -EINVAL;
		}
		s->bin_wildcard = true;
		s->path = s->bin;
		return 0;
	}
	if (elf_resolve(s->bin, p->cfg.pid, path, sizeof(path))) {
		diag_error(p->diags, loc, "%s target '%s' not found: no such file, command or library",
			   what, s->bin);
		return -ENOENT;
	}
	s->path = arena_strdup(p->arena, path);
	return 0;
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;
	if (!*s || *s == '-')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !*end && !errno;
}

int uspec_parse(struct program *p, const char *spec, const struct loc *loc, const char *what,
		struct uspec *s)
{
	int err = uspec_split(p, spec, loc, what, s);
	if (err)
		return err;
	const char *f = s->rest;
	/* a language prefix: C++ names are matched as written (demangled names are not indexed) */
	if (!strncmp(f, "cpp:", 4) || !strncmp(f, "c:", 2))
		f = strchr(f, ':') + 1;
	s->func = f;
	if (!*f) {
		diag_error(p->diags, loc, "%s probes need a function: %s:%s:FUNCTION", what, what, s->bin);
		return -EINVAL;
	}
	if (f[0] >= '0' && f[0] <= '9') {
		if (!parse_u64(f, &s->addr)) {
			diag_error(p->diags, loc, "invalid address '%s'", f);
			return -EINVAL;
		}
		s->is_addr = true;
		return 0;
	}
	const char *plus = strrchr(f, '+');
	if (plus && plus != f && parse_u64(plus + 1, &s->off)) {
		s->has_off = true;
		s->func = arena_strndup(p->arena, f, (size_t)(plus - f));
	}
	s->wildcard = has_glob(s->func);
	if (s->wildcard && s->has_off) {
		diag_error(p->diags, loc, "an offset cannot follow a wildcard");
		return -EINVAL;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

unsigned uspec_mapped_files(struct program *p, int pid, const char *glob, char ***out)
{
	char path[64], line[PATH_MAX + 128];
	char **files = NULL;
	unsigned n = 0, cap = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *file = strchr(line, '/');
		if (!file || !strstr(line, " r-xp "))
			continue;
		file[strcspn(file, "\n")] = '\0';
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			char **nf = arena_alloc(p->arena, sizeof(*nf) * cap);
			if (files)
				memcpy(nf, files, sizeof(*nf) * n);
			files = nf;
		}
		files[n++] = arena_printf(p->arena, "/proc/%d/root%s", pid, file);
	}
	if (f)
		fclose(f);
	if (n)
		qsort(files, n, sizeof(*files), cmp_str);
	unsigned u = 0;
	for (unsigned i = 0; i < n; i++)
		if (!u || strcmp(files[u - 1], files[i]))
			files[u++] = files[i];
	*out = files;
	return u;
}

bool uspec_list_target(const char *pattern, const struct provider *prov, char *path, size_t len,
		       const char **rest)
{
	const char *colon = pattern ? strchr(pattern, ':') : NULL;
	bool named = false;

	if (!colon)
		return false;
	size_t n = (size_t)(colon - pattern);
	if (strlen(prov->name) == n && !strncmp(prov->name, pattern, n))
		named = true;
	for (const char *const *al = prov->aliases; al && *al && !named; al++)
		named = strlen(*al) == n && !strncmp(*al, pattern, n);
	if (!named)
		return false;
	struct arena *a = arena_new();
	const char *c = colon + 1;
	char *bin = field(a, &c, false);
	char *r = field(a, &c, true);
	bool ok = *bin && !has_glob(bin) && !elf_resolve(bin, 0, path, len);
	static char rest_buf[1024];
	snprintf(rest_buf, sizeof(rest_buf), "%s", *r ? r : "*");
	*rest = rest_buf;
	arena_free(a);
	return ok;
}
