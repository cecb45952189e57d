/* SPDX-License-Identifier: Apache-2.0 */
/* The compilation unit and the front-end driver: parse, probes, types, resources. */
#include "program.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "arena.h"
#include "btf.h"
#include "cdefs.h"

void program_init(struct program *p, struct arena *a, struct diags *d, const struct source *src)
{
	memset(p, 0, sizeof(*p));
	p->arena = a;
	p->diags = d;
	p->src = src;
	p->providers = providers;
	p->tracefs = "/sys/kernel/tracing";
	p->cfg.max_strlen = 1024;
	p->cfg.str_trunc_trailer = "..";
	p->cfg.max_map_keys = 4096;
	p->cfg.print_maps_on_exit = true;
	p->cfg.missing_probes = MISSING_ERROR;
}

static void *grow(struct arena *a, void *old, unsigned n, unsigned *cap, size_t elem)
{
	if (n < *cap)
		return old;
	unsigned ncap = *cap ? *cap * 2 : 16;
	void *p = arena_alloc(a, ncap * elem);
	if (old)
		memcpy(p, old, n * elem);
	*cap = ncap;
	return p;
}

struct attach *program_add_attach(struct program *p, struct probe *pr,
				  const struct provider *prov, const char *name,
				  const struct loc *loc)
{
	struct attach *a = arena_new_obj(p->arena, struct attach);
	a->prov = prov;
	a->name = name;
	a->loc = *loc;
	p->res.probes = grow(p->arena, p->res.probes, p->res.nprobes, &p->cap_probes,
			     sizeof(*p->res.probes));
	a->probe_id = p->res.nprobes;
	p->res.probes[p->res.nprobes++] = name;

	struct attach **tail = &pr->attaches;
	while (*tail)
		tail = &(*tail)->next;
	*tail = a;
	pr->nattaches++;
	return a;
}

struct prog *program_add_prog(struct program *p, struct probe *pr, struct attach **targets,
			      unsigned n, enum probe_id_mode mode)
{
	struct prog *pg = arena_new_obj(p->arena, struct prog);
	const struct provider *prov = targets[0]->prov;

	pg->probe = pr;
	pg->prov = prov;
	pg->prog_type = prov->prog_type;
	pg->idmode = mode;
	pg->targets = arena_alloc(p->arena, sizeof(*targets) * n);
	memcpy(pg->targets, targets, sizeof(*targets) * n);
	pg->ntargets = n;
	pg->proto = targets[0];
	pg->fn_name = arena_printf(p->arena, "ct_p%u_%s", p->nprogs, prov->name);
	pg->section = arena_printf(p->arena, "%s/ct_p%u", prov->section, p->nprogs);
	p->nprogs++;

	struct prog **tail = &pr->progs;
	while (*tail)
		tail = &(*tail)->next;
	*tail = pg;
	return pg;
}

int program_add_fmt(struct program *p, enum event_kind kind, const char *fmt,
		    const struct type *args, const struct loc *loc)
{
	p->res.fmts = grow(p->arena, p->res.fmts, p->res.nfmts, &p->cap_fmts, sizeof(*p->res.fmts));
	struct fmt_res *f = &p->res.fmts[p->res.nfmts];
	memset(f, 0, sizeof(*f));
	f->id = (int)p->res.nfmts;
	f->kind = kind;
	f->fmt = fmt;
	f->args = args;
	if (loc)
		f->loc = *loc;
	return (int)p->res.nfmts++;
}

#define IMPORT_MAX_DEPTH 16

static bool already_loaded(struct program *p, const char *real)
{
	for (const struct source *s = p->src; s; s = s->next)
		if (!strcmp(s->name, real))
			return true;
	return false;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0, r;
	char *buf = xmalloc(cap);
	while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (cap - n - 1 == 0)
			buf = xrealloc(buf, cap *= 2);
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The path an import names, relative to the importing script's directory. */
static char *import_path(struct program *p, const char *from, const char *path)
{
	if (path[0] == '/' || !strcmp(from, "stdin"))
		return arena_strdup(p->arena, path);
	const char *slash = strrchr(from, '/');
	if (!slash)
		return arena_strdup(p->arena, path);
	return arena_printf(p->arena, "%.*s/%s", (int)(slash - from), from, path);
}

/*
 * import "x.bt": parse the script and add its probes, macros and map
 * declarations to the program (once each, however often imported).
 */
static int load_imports(struct program *p, struct ast_node *prog, const char *from, int depth)
{
	struct ast_node **tail = &p->ast->u.program.items;
	while (*tail)
		tail = &(*tail)->next;
	ast_foreach(im, prog->u.program.imports)
	{
		const char *path = import_path(p, from, im->u.import.path);
		struct stat st;
		char *real = realpath(path, NULL);
		if (!real || stat(real, &st) || !S_ISREG(st.st_mode)) {
			diag_error(p->diags, &im->loc, "Could not import '%s': %s", im->u.import.path,
				   real ? "not a regular file" : strerror(errno));
			free(real);
			continue;
		}
		const char *dot = strrchr(real, '.');
		if (!dot || strcmp(dot, ".bt")) {
			diag_error(p->diags, &im->loc, "Could not import '%s': only .bt scripts can be imported",
				   im->u.import.path);
			free(real);
			continue;
		}
		if (depth >= IMPORT_MAX_DEPTH || already_loaded(p, real)) {
			free(real);
			continue;
		}
		struct source *src = arena_new_obj(p->arena, struct source);
		size_t len;
		char *text = read_file(real, &len);
		src->name = arena_strdup(p->arena, real);
		free(real);
		if (!text) {
			diag_error(p->diags, &im->loc, "Could not import '%s': %s", im->u.import.path,
				   strerror(errno));
			continue;
		}
		src->text = arena_strndup(p->arena, text, len);
		src->len = len;
		free(text);
		/* chained after the main source, so diagnostics can show its lines */
		struct source *last = (struct source *)p->src;
		while (last->next)
			last = last->next;
		last->next = src;
		struct ast_node *sub = parse_program(p->arena, p->diags, src);
		if (!sub)
			continue;
		if (sub->u.program.config)
			diag_error(p->diags, &sub->u.program.config->loc,
				   "a config block is only allowed in the main script");
		*tail = sub->u.program.items;
		while (*tail)
			tail = &(*tail)->next;
		p->ast->u.program.cdefs = ast_append(p->ast->u.program.cdefs, sub->u.program.cdefs);
		load_imports(p, sub, src->name, depth + 1);
		while (*tail)
			tail = &(*tail)->next;
	}
	return p->diags->nerrors ? -EINVAL : 0;
}

unsigned resources_add_counter(struct program *p, int fmt_id)
{
	struct resources *r = &p->res;
	r->counter_fmt = grow(p->arena, r->counter_fmt, r->ncounters, &r->cap_counters,
			      sizeof(*r->counter_fmt));
	r->counter_fmt[0] = -1; /* lost events */
	r->counter_fmt[r->ncounters] = fmt_id;
	return r->ncounters++;
}

int program_compile_front(struct program *p)
{
	int err = 0;

	p->ast = parse_program(p->arena, p->diags, p->src);
	if (!p->ast || p->diags->nerrors)
		return -EINVAL;
	if (p->ast->u.program.imports && load_imports(p, p->ast, p->src->name, 0))
		return -EINVAL;
	err = err ?: macros_expand(p);
	err = err ?: sema_config(p);
	err = err ?: sema_probes(p);
	err = err ?: sema_types(p);
	err = err ?: sema_resources(p);
	return err;
}

bool kernel_at_least(unsigned major, unsigned minor)
{
	static int have = -1;
	static unsigned kmajor, kminor;
	if (have < 0) {
		struct utsname u;
		have = !uname(&u) && sscanf(u.release, "%u.%u", &kmajor, &kminor) == 2;
	}
	return have && (kmajor > major || (kmajor == major && kminor >= minor));
}

struct btf_ctx *program_btf(struct program *p)
{
	if (!p->btf_tried) {
		p->btf_tried = true;
		p->btf = btf_open(p->arena, getenv("BPFTRACE_BTF"));
	}
	return p->btf;
}

void program_fini(struct program *p)
{
	btf_close(p->btf);
	cdefs_free(p->cdefs);
	p->btf = NULL;
	p->cdefs = NULL;
}
