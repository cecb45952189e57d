/* SPDX-License-Identifier: Apache-2.0 */
/*
 * uprobe (u) and uretprobe (ur): `uprobe:BIN:FUNC`, `BIN:FUNC+OFF`,
 * `BIN:0xADDR`, with wildcards over the binary's function symbols.  BIN is a
 * path (also /proc/PID/root/... and /proc/PID/exe), a command in PATH or a
 * library by name (`libc`, `libssl.so.3`).  Probes are placed by file offset,
 * so PIE executables and shared libraries need no load address; with -p they
 * fire in that process only.  Arguments are pt_regs registers.
 */
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

extern const struct provider provider_uprobe, provider_uretprobe;

/* ---- expansion ---------------------------------------------------------------------------- */

static void add_target(struct program *p, struct probe *pr, const struct provider *prov,
		       const char *path, const char *func, uint64_t off, const struct loc *loc)
{
	const char *name = arena_printf(p->arena, "%s:%s:%s", prov->name, path, func);
	struct attach *a = program_add_attach(p, pr, prov, name, loc);
	a->target = arena_strdup(p->arena, path);
	a->func = arena_strdup(p->arena, func);
	a->num = off;
}

/* `BIN:0x1234` (an address in the file's address space) or `BIN:FUNC+OFF`. */
static int expand_exact(struct program *p, struct probe *pr, const struct provider *prov,
			const struct uspec *s, const struct elf_funcs *fs, const struct loc *loc)
{
	uint64_t off;
	if (s->is_addr) {
		if (elf_addr_to_off(s->path, s->addr, &off)) {
			diag_error(p->diags, loc, "address 0x%llx is not in a loaded segment of %s",
				   (unsigned long long)s->addr, s->path);
			return -ENOENT;
		}
		add_target(p, pr, prov, s->path, arena_printf(p->arena, "0x%llx",
							       (unsigned long long)s->addr), off, loc);
		return 0;
	}
	const struct elf_func *f = elf_funcs_find(fs, s->func);
	if (!f)
		return -ENOENT;
	if (s->has_off && f->size && s->off >= f->size) {
		diag_error(p->diags, loc, "offset %llu is beyond the end of %s (%llu bytes)",
			   (unsigned long long)s->off, f->name, (unsigned long long)f->size);
		return -EINVAL;
	}
	add_target(p, pr, prov, s->path,
		   s->has_off ? arena_printf(p->arena, "%s+%llu", f->name, (unsigned long long)s->off)
			      : f->name,
		   f->off + s->off, loc);
	return 0;
}

static int expand_file(struct program *p, struct probe *pr, const struct provider *prov,
		       const struct uspec *s, const struct loc *loc, unsigned *found)
{
	struct elf_funcs fs;
	int err = elf_funcs_load(s->path, &fs);
	if (err) {
		diag_error(p->diags, loc, "%s: %s", s->path,
			   err == -ENOEXEC ? "not an ELF file" : strerror(-err));
		return err;
	}
	if (!s->wildcard) {
		err = expand_exact(p, pr, prov, s, &fs, loc);
		if (!err)
			(*found)++;
		elf_funcs_free(&fs);
		return err == -ENOENT && !s->is_addr ? 0 : err;
	}
	for (size_t i = 0; i < fs.n; i++) {
		if (fnmatch(s->func, fs.f[i].name, 0))
			continue;
		add_target(p, pr, prov, s->path, fs.f[i].name, fs.f[i].off, loc);
		(*found)++;
	}
	elf_funcs_free(&fs);
	return 0;
}

static int not_found(struct program *p, const struct provider *prov, const struct uspec *s,
		     const struct loc *loc)
{
	if (p->cfg.missing_probes == MISSING_IGNORE)
		return 0;
	if (p->cfg.missing_probes == MISSING_WARN) {
		diag_warning(p->diags, loc, "No %s matched %s:%s. Skipping.", prov->name, s->path,
			     s->func);
		return 0;
	}
	diag_error(p->diags, loc, "Could not resolve symbol: %s:%s", s->path, s->func);
	diag_hint(p->diags, "`ctrace -l '%s:%s:*'` lists the functions of %s", prov->name, s->path,
		  s->path);
	return -ENOENT;
}

static int expand_common(struct program *p, struct probe *pr, const struct provider *prov,
			 const char *spec, const struct loc *loc)
{
	struct uspec s;
	unsigned found = 0;
	int err = uspec_parse(p, spec, loc, prov->name, &s);

	if (err)
		return err;
	if (s.bin_wildcard) {
		/* `u:*:fn`: every file mapped into the -p process */
		char **files;
		unsigned n = uspec_mapped_files(p, p->cfg.pid, s.bin, &files);
		for (unsigned i = 0; i < n && !err; i++) {
			s.path = files[i];
			err = expand_file(p, pr, prov, &s, loc, &found);
		}
		s.path = s.bin;
	} else {
		err = expand_file(p, pr, prov, &s, loc, &found);
	}
	if (err)
		return err;
	return found ? 0 : not_found(p, prov, &s, loc);
}

static int expand_u(struct program *p, struct probe *pr, const char *spec, const struct loc *loc)
{
	return expand_common(p, pr, &provider_uprobe, spec, loc);
}

static int expand_ur(struct program *p, struct probe *pr, const char *spec, const struct loc *loc)
{
	return expand_common(p, pr, &provider_uretprobe, spec, loc);
}

/* ---- arguments ---------------------------------------------------------------------------- */

static int arg_u(struct program *p, struct attach *a, const char *name, struct ctx_access *out,
		 const struct type **type)
{
	return regs_arg(name, true, false, out, type);
}

static int arg_ur(struct program *p, struct attach *a, const char *name, struct ctx_access *out,
		  const struct type **type)
{
	return regs_arg(name, false, true, out, type);
}

/* ---- attaching ---------------------------------------------------------------------------- */

static int uprobe_attach_targets(struct rt *rt, struct prog *pg, struct bpf_program *bp, bool ret)
{
	int pid = rt->p->cfg.pid > 0 ? rt->p->cfg.pid : -1;
	int err = umulti_attach(rt, pg, bp, ret, NULL);

	if (err != -EOPNOTSUPP)
		return err;
	for (unsigned i = 0; i < pg->ntargets; i++) {
		const struct attach *a = pg->targets[i];
		LIBBPF_OPTS(bpf_uprobe_opts, o, .retprobe = ret, .bpf_cookie = a->probe_id);
		struct bpf_link *l =
			bpf_program__attach_uprobe_opts(bp, pid, a->target, (size_t)a->num, &o);
		if (!l) {
			err = -errno;
			return rt_attach_error(rt, a, err,
					       err == -ESRCH ? "no process with the -p PID" : NULL);
		}
		rt_add_link(rt, l);
	}
	return 0;
}

static int attach_u(struct rt *rt, struct prog *pg, struct bpf_program *bp)
{
	return uprobe_attach_targets(rt, pg, bp, false);
}

static int attach_ur(struct rt *rt, struct prog *pg, struct bpf_program *bp)
{
	return uprobe_attach_targets(rt, pg, bp, true);
}

/* ---- listing ------------------------------------------------------------------------------ */

static int list_common(const struct provider *prov, const char *glob, bool verbose, FILE *out)
{
	char path[PATH_MAX];
	const char *func;
	struct elf_funcs fs;

	/* only a pattern naming a binary lists anything: there is no list of every binary */
	if (!uspec_list_target(glob, prov, path, sizeof(path), &func))
		return 0;
	if (elf_funcs_load(path, &fs))
		return 0;
	for (size_t i = 0; i < fs.n; i++)
		if (!fnmatch(func, fs.f[i].name, 0))
			fprintf(out, "%s:%s:%s\n", prov->name, path, fs.f[i].name);
	elf_funcs_free(&fs);
	return 0;
}

static int list_u(const char *glob, bool verbose, FILE *out)
{
	return list_common(&provider_uprobe, glob, verbose, out);
}

static int list_ur(const char *glob, bool verbose, FILE *out)
{
	return list_common(&provider_uretprobe, glob, verbose, out);
}

const struct provider provider_uprobe = {
	.name = "uprobe",
	.aliases = (const char *const[]){ "u", NULL },
	.prog_type = BPF_PROG_TYPE_KPROBE,
	.section = "uprobe",
	.flags = PROV_USER,
	.expand = expand_u,
	.arg = arg_u,
	.attach = attach_u,
	.list = list_u,
};

const struct provider provider_uretprobe = {
	.name = "uretprobe",
	.aliases = (const char *const[]){ "ur", NULL },
	.prog_type = BPF_PROG_TYPE_KPROBE,
	.section = "uretprobe",
	.flags = PROV_USER,
	.expand = expand_ur,
	.arg = arg_ur,
	.attach = attach_ur,
	.list = list_ur,
};
