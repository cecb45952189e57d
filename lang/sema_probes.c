/* SPDX-License-Identifier: Apache-2.0 */
/* Probes: split attach points, find their providers, expand wildcards, plan programs. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "program.h"

const struct provider *provider_find(const struct provider *const *registry, const char *name)
{
	/* exact names and aliases first: aliases are case-sensitive (U is usdt, u uprobe) */
	for (const struct provider *const *it = registry; *it; it++) {
		if (!strcmp((*it)->name, name))
			return *it;
		for (const char *const *al = (*it)->aliases; al && *al; al++)
			if (!strcmp(*al, name))
				return *it;
	}
	/* then the full name, case-insensitively (BEGIN, Tracepoint) */
	for (const struct provider *const *it = registry; *it; it++)
		if (!strcasecmp((*it)->name, name))
			return *it;
	return NULL;
}

/* Replace $N and $# in an attach point's text by the positional parameters. */
static const char *substitute_positional(struct program *p, const char *text)
{
	if (!strchr(text, '$'))
		return text;
	size_t cap = strlen(text) + 1;
	for (int i = 0; i < p->npos; i++)
		cap += strlen(p->pos[i]);
	char *out = arena_alloc(p->arena, cap + 16), *o = out;
	for (const char *s = text; *s;) {
		if (s[0] == '$' && isdigit((unsigned char)s[1])) {
			char *end;
			long n = strtol(s + 1, &end, 10);
			if (n >= 1 && n <= p->npos)
				o = stpcpy(o, p->pos[n - 1]);
			s = end;
		} else if (s[0] == '$' && s[1] == '#') {
			o += sprintf(o, "%d", p->npos);
			s += 2;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

static int expand_attach(struct program *p, struct probe *pr, struct ast_node *at)
{
	const char *text = substitute_positional(p, at->u.attach.text);
	const char *colon = strchr(text, ':');
	char *pname = arena_strndup(p->arena, text, colon ? (size_t)(colon - text) : strlen(text));
	const struct provider *prov = provider_find(p->providers, pname);

	if (!prov) {
		diag_error(p->diags, &at->loc, "Invalid probe type: %s", pname);
		return -EINVAL;
	}
	if (!pr->prov)
		pr->prov = prov;
	return prov->expand(p, pr, colon ? colon + 1 : "", &at->loc);
}

/* One program per provider for all of the probe's targets, told apart by cookie. */
static int default_plan(struct program *p, struct probe *pr, struct attach **t, unsigned n)
{
	program_add_prog(p, pr, t, n, n == 1 ? PID_CONST : PID_COOKIE);
	return 0;
}

static int plan_probe(struct program *p, struct probe *pr)
{
	struct attach **all = arena_alloc(p->arena, sizeof(*all) * pr->nattaches);
	struct attach **group = arena_alloc(p->arena, sizeof(*group) * pr->nattaches);
	unsigned n = 0;
	int err = 0;

	for (struct attach *a = pr->attaches; a; a = a->next)
		all[n++] = a;
	/* group targets by provider, in order of first appearance */
	for (unsigned i = 0; i < n && !err; i++) {
		if (!all[i])
			continue;
		const struct provider *prov = all[i]->prov;
		unsigned g = 0;
		for (unsigned j = i; j < n; j++) {
			if (all[j] && all[j]->prov == prov) {
				group[g++] = all[j];
				all[j] = NULL;
			}
		}
		err = prov->plan ? prov->plan(p, pr, group, g) : default_plan(p, pr, group, g);
	}
	return err;
}

static void add_args_field(struct program *p, struct probe *pr, const char *name)
{
	for (unsigned i = 0; i < pr->nargs_fields; i++)
		if (!strcmp(pr->args_fields[i], name))
			return;
	const char **nf = arena_alloc(p->arena, sizeof(*nf) * (pr->nargs_fields + 1));
	if (pr->nargs_fields)
		memcpy(nf, pr->args_fields, sizeof(*nf) * pr->nargs_fields);
	nf[pr->nargs_fields++] = name;
	pr->args_fields = nf;
}

/* Every args.NAME / args->NAME the tree reads (before types are known). */
static void find_args_fields(struct program *p, struct probe *pr, const struct ast_node *n,
			     int depth)
{
	struct ast_node *kids[AST_MAX_CHILDREN];
	if (!n || depth > 2000)
		return;
	if (n->kind == AST_FIELD && n->u.field.base->kind == AST_IDENT &&
	    !strcmp(n->u.field.base->u.ident.name, "args"))
		add_args_field(p, pr, n->u.field.name);
	size_t k = ast_children(n, kids);
	for (size_t i = 0; i < k; i++)
		ast_foreach(c, kids[i]) find_args_fields(p, pr, c, depth + 1);
}

int sema_probes(struct program *p)
{
	struct probe **tail = &p->probes;
	bool only_special = true;
	int index = 0;

	ast_foreach(item, p->ast->u.program.items)
	{
		if (item->kind != AST_PROBE)
			continue;
		struct probe *pr = arena_new_obj(p->arena, struct probe);
		pr->node = item;
		pr->index = index++;
		*tail = pr;
		tail = &pr->next;
		p->nprobes++;

		find_args_fields(p, pr, item->u.probe.pred, 0);
		find_args_fields(p, pr, item->u.probe.body, 0);
		int err = 0;
		ast_foreach(at, item->u.probe.attach)
			err = err ?: expand_attach(p, pr, at);
		if (err)
			continue;
		if (!pr->nattaches) {
			/* every attach point matched nothing and missing_probes allowed it */
			continue;
		}
		for (struct attach *a = pr->attaches; a; a = a->next)
			if (!(a->prov->flags & PROV_SPECIAL))
				only_special = false;
		plan_probe(p, pr);
	}
	if (!p->nprobes && !p->diags->nerrors)
		diag_error(p->diags, NULL, "No probes to attach");
	p->has_begin_end_only = only_special;
	return p->diags->nerrors ? -EINVAL : 0;
}
