/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usdt (U): `usdt:BIN:PROBE`, `usdt:BIN:PROVIDER:PROBE`, with wildcards, from
 * the ELF `.note.stapsdt` notes of an executable or a library.  Every call
 * site of a probe is a target (they share the probe's id, so `probe` names
 * the probe once); its arguments are decoded from the note's operand text
 * (`-4@%edi`, `8@-8(%rbp)`, `4@$5`) into context accesses.  Sites whose
 * operands read the same way share a program; the others get their own.
 * Semaphores are counted by the kernel (the uprobe's reference counter),
 * with or without -p.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "arena.h"
#include "elf.h"
#include "program.h"
#include "regs.h"
#include "rt.h"
#include "umulti.h"
#include "uspec.h"

extern const struct provider provider_usdt;

/*
 * What each target came from.  struct attach has no slot for provider data,
 * so the sites are kept here, found by their attach (one compilation per
 * process).
 */
struct site {
	const struct attach *a;
	const char *args;
	uint64_t sema_off;
};

static struct site *sites;
static size_t nsites, cap_sites;

static const struct site *site_of(const struct attach *a)
{
	for (size_t i = nsites; i-- > 0;)
		if (sites[i].a == a)
			return &sites[i];
	return NULL;
}

/* ---- expansion ---------------------------------------------------------------------------- */

static void add_site(struct program *p, struct probe *pr, const char *path,
		     const struct usdt_note *n, const struct loc *loc)
{
	const char *name = arena_printf(p->arena, "usdt:%s:%s:%s", path, n->provider, n->name);
	struct attach *a = program_add_attach(p, pr, &provider_usdt, name, loc);
	a->target = arena_strdup(p->arena, path);
	a->func = arena_printf(p->arena, "%s:%s", n->provider, n->name);
	a->num = n->off;
	/* the other sites of the same probe answer to the first one's id */
	for (struct attach *o = pr->attaches; o != a; o = o->next) {
		if (o->prov == &provider_usdt && !strcmp(o->name, name)) {
			a->probe_id = o->probe_id;
			break;
		}
	}
	if (nsites == cap_sites) {
		cap_sites = cap_sites ? cap_sites * 2 : 64;
		sites = xrealloc(sites, sizeof(*sites) * cap_sites);
	}
	sites[nsites++] = (struct site){ a, arena_strdup(p->arena, n->args), n->sema_off };
}

static unsigned expand_file(struct program *p, struct probe *pr, const char *path, const char *ns,
			    const char *probe, const struct loc *loc)
{
	struct usdt_notes notes;
	unsigned found = 0;

	if (elf_usdt_load(path, &notes))
		return 0;
	for (size_t i = 0; i < notes.count; i++) {
		const struct usdt_note *n = &notes.n[i];
		if (fnmatch(ns, n->provider, 0) || fnmatch(probe, n->name, 0))
			continue;
		add_site(p, pr, path, n, loc);
		found++;
	}
	elf_usdt_free(&notes);
	return found;
}

static int expand(struct program *p, struct probe *pr, const char *spec, const struct loc *loc)
{
	struct uspec s;
	unsigned found = 0;
	int err = uspec_split(p, spec, loc, "usdt", &s);
	if (err)
		return err;
	/* PROBE or PROVIDER:PROBE */
	const char *colon = strchr(s.rest, ':');
	const char *ns = colon ? arena_strndup(p->arena, s.rest, (size_t)(colon - s.rest)) : "*";
	const char *probe = colon ? colon + 1 : s.rest;
	if (!*probe || !*ns || strchr(probe, ':')) {
		diag_error(p->diags, loc, "usdt probes are written usdt:BINARY:[PROVIDER:]PROBE");
		return -EINVAL;
	}
	if (s.bin_wildcard) {
		char **files;
		unsigned n = uspec_mapped_files(p, p->cfg.pid, s.bin, &files);
		for (unsigned i = 0; i < n; i++)
			found += expand_file(p, pr, files[i], ns, probe, loc);
	} else {
		found = expand_file(p, pr, s.path, ns, probe, loc);
	}
	if (found || p->cfg.missing_probes == MISSING_IGNORE)
		return 0;
	if (p->cfg.missing_probes == MISSING_WARN) {
		diag_warning(p->diags, loc, "usdt probe not found: %s:%s. Skipping.", s.bin, s.rest);
		return 0;
	}
	diag_error(p->diags, loc, "usdt probe not found: %s:%s", s.bin, s.rest);
	diag_hint(p->diags, "`ctrace -l 'usdt:%s:*'` lists the probes of %s", s.bin, s.bin);
	return -ENOENT;
}

/* ---- arguments ---------------------------------------------------------------------------- */

/* `[-]SIZE@` in front of an operand; without it the operand is an unsigned 8-byte value. */
static const char *operand_size(const char *op, unsigned *size, bool *is_signed)
{
	const char *at = strchr(op, '@');
	*size = 8;
	*is_signed = false;
	if (!at)
		return op;
	int n = atoi(op);
	*is_signed = n < 0;
	*size = (unsigned)abs(n);
	return at + 1;
}

/* `%reg`, `$imm`, `disp(%reg)`; 0 or -EINVAL for what a BPF program cannot read. */
static int decode_operand(const char *op, struct ctx_access *out)
{
	unsigned size, rsize;
	bool sgn;
	char *end;

	memset(out, 0, sizeof(*out));
	op = operand_size(op, &size, &sgn);
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return -EINVAL;
	out->size = size;
	out->is_signed = sgn;
	if (op[0] == '$') {
		out->kind = CTX_CONST;
		out->value = strtoll(op + 1, &end, 0);
		return *end ? -EINVAL : 0;
	}
	if (op[0] == '%') {
		out->kind = CTX_LOAD;
		return regs_find(op + 1, &out->offset, &rsize);
	}
	/* memory: an optional numeric displacement, then (%base) without index */
	out->kind = CTX_DEREF;
	out->user = true;
	out->disp = op[0] == '(' ? 0 : strtoll(op, &end, 0);
	const char *paren = op[0] == '(' ? op : end;
	if (paren[0] != '(' || paren[1] != '%')
		return -EINVAL;
	char reg[16];
	size_t rl = strcspn(paren + 2, ")");
	if (rl >= sizeof(reg) || paren[2 + rl] != ')' || paren[3 + rl])
		return -EINVAL;
	memcpy(reg, paren + 2, rl);
	reg[rl] = '\0';
	if (regs_find(reg, &out->offset, &rsize) || rsize != 8)
		return -EINVAL;
	return 0;
}

/* The n-th operand of a site's argument text, copied into buf. */
static bool nth_operand(const char *args, long n, char *buf, size_t len)
{
	const char *s = args;
	for (long i = 0;; i++) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			return false;
		size_t l = strcspn(s, " \t");
		if (i == n) {
			snprintf(buf, len, "%.*s", (int)l, s);
			return true;
		}
		s += l;
	}
}

static int arg(struct program *p, struct attach *a, const char *name, struct ctx_access *out,
	       const struct type **type)
{
	const struct site *st = site_of(a);
	char op[128], *end;

	if (!strcmp(name, "func") || !strncmp(name, "reg:", 4))
		return regs_arg(name, false, false, out, type);
	if (!st || strncmp(name, "arg", 3) || !isdigit((unsigned char)name[3]))
		return -ENOENT;
	long n = strtol(name + 3, &end, 10);
	if (*end || !nth_operand(st->args, n, op, sizeof(op)))
		return -ENOENT;
	if (decode_operand(op, out)) {
		diag_error(p->diags, &a->loc, "%s: argument %ld is '%s', which ctrace cannot read",
			   a->name, n, op);
		return -EINVAL;
	}
	*type = out->is_signed ? &type_s64 : &type_u64;
	return 0;
}

/* ---- programs and attaching --------------------------------------------------------------- */

/* Sites with the same operand text read their arguments the same way: one program each. */
static int plan(struct program *p, struct probe *pr, struct attach **t, unsigned n)
{
	struct attach **group = arena_alloc(p->arena, sizeof(*group) * n);
	bool *done = arena_alloc(p->arena, n);

	memset(done, 0, n);
	for (unsigned i = 0; i < n; i++) {
		if (done[i])
			continue;
		const char *args = site_of(t[i])->args;
		unsigned g = 0;
		for (unsigned j = i; j < n; j++) {
			if (!done[j] && !strcmp(site_of(t[j])->args, args)) {
				group[g++] = t[j];
				done[j] = true;
			}
		}
		bool one_id = true;
		for (unsigned j = 1; j < g; j++)
			one_id = one_id && group[j]->probe_id == group[0]->probe_id;
		program_add_prog(p, pr, group, g, one_id ? PID_CONST : PID_COOKIE);
	}
	return 0;
}

static int attach(struct rt *rt, struct prog *pg, struct bpf_program *bp)
{
	int pid = rt->p->cfg.pid > 0 ? rt->p->cfg.pid : -1;
	uint64_t *refs = xcalloc(pg->ntargets, 8);
	int err;

	for (unsigned i = 0; i < pg->ntargets; i++)
		refs[i] = site_of(pg->targets[i])->sema_off;
	err = umulti_attach(rt, pg, bp, false, refs);
	bool fallback = err == -EOPNOTSUPP;
	if (fallback)
		err = 0;
	for (unsigned i = 0; fallback && !err && i < pg->ntargets; i++) {
		const struct attach *a = pg->targets[i];
		LIBBPF_OPTS(bpf_uprobe_opts, o, .ref_ctr_offset = refs[i], .bpf_cookie = a->probe_id);
		struct bpf_link *l = bpf_program__attach_uprobe_opts(bp, pid, a->target, a->num, &o);
		if (l)
			rt_add_link(rt, l);
		else
			err = rt_attach_error(rt, a, -errno, NULL);
	}
	free(refs);
	return err;
}

/* ---- listing ------------------------------------------------------------------------------ */

static int list(const char *glob, bool verbose, FILE *out)
{
	char path[PATH_MAX];
	const char *rest;
	struct usdt_notes notes;

	if (!uspec_list_target(glob, &provider_usdt, path, sizeof(path), &rest) ||
	    elf_usdt_load(path, &notes))
		return 0;
	for (size_t i = 0; i < notes.count; i++) {
		const struct usdt_note *n = &notes.n[i];
		char name[512];
		bool dup = false;
		snprintf(name, sizeof(name), "%s:%s", n->provider, n->name);
		/* a probe with several call sites is listed once */
		for (size_t j = 0; j < i && !dup; j++)
			dup = !strcmp(notes.n[j].provider, n->provider) &&
			      !strcmp(notes.n[j].name, n->name);
		if (dup || (fnmatch(rest, name, 0) && fnmatch(rest, n->name, 0)))
			continue;
		fprintf(out, "usdt:%s:%s\n", path, name);
		if (verbose)
			fprintf(out, "    %s\n", n->args);
	}
	elf_usdt_free(&notes);
	return 0;
}

const struct provider provider_usdt = {
	.name = "usdt",
	.aliases = (const char *const[]){ "U", NULL },
	.prog_type = BPF_PROG_TYPE_KPROBE,
	.section = "uprobe",
	.flags = PROV_USER,
	.expand = expand,
	.plan = plan,
	.arg = arg,
	.attach = attach,
	.list = list,
};
