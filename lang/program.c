/* SPDX-License-Identifier: Apache-2.0 */
/* The compilation unit and the front-end driver: parse, probes, types, resources. */
#include "program.h"

#include <errno.h>
#include <string.h>

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

int program_compile_front(struct program *p)
{
	int err = 0;

	p->ast = parse_program(p->arena, p->diags, p->src);
	if (!p->ast || p->diags->nerrors)
		return -EINVAL;
	err = err ?: sema_config(p);
	err = err ?: sema_probes(p);
	err = err ?: sema_types(p);
	err = err ?: sema_resources(p);
	return err;
}

void program_fini(struct program *p)
{
	btf_close(p->btf);
	cdefs_free(p->cdefs);
	p->btf = NULL;
	p->cdefs = NULL;
}
