/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tracepoint (t): `tracepoint:category:event`, with wildcards.  `args` is
 * typed from the event's tracefs format file and read straight from the
 * context.
 *
 * Syscall wildcards (`tracepoint:syscalls:sys_enter_*`) attach once to
 * raw_syscalls:sys_enter (or sys_exit) with an nr -> probe table instead of
 * once per syscall: tearing down each syscall tracepoint's perf event costs
 * tens of milliseconds on current kernels, hundreds of them make exit take
 * seconds.  The raw_syscalls record has the same layout as every syscalls:*
 * record (the number at offset 8, the arguments or the return value from
 * offset 16), so `args` reads the same bytes either way.
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "arena.h"
#include "btf.h"
#include "program.h"
#include "rt.h"
#include "syscall_table.h"

extern const struct provider provider_tracepoint;

/* ---- format files ------------------------------------------------------------------------- */

struct tp_field {
	char type[256], name[256];
	unsigned offset, size;
	int is_signed;
	long array;     /* -1: not an array */
};

static int parse_field_line(const char *line, struct tp_field *f)
{
	const char *d = strstr(line, "field:");
	if (!d)
		return -1;
	d += 6;
	const char *semi = strchr(d, ';');
	if (!semi || sscanf(semi, "; offset:%u; size:%u; signed:%d", &f->offset, &f->size,
			    &f->is_signed) != 3)
		return -1;
	/* "const char * buf" / "char comm[16]" / "__data_loc char[] name": name is the last word */
	char decl[256];
	size_t n = (size_t)(semi - d) < sizeof(decl) - 1 ? (size_t)(semi - d) : sizeof(decl) - 1;
	memcpy(decl, d, n);
	decl[n] = '\0';
	char *br = strchr(decl, '[');
	f->array = -1;
	char *end = decl + strlen(decl);
	if (br && !strstr(decl, "__data_loc")) {
		f->array = strtol(br + 1, NULL, 10);
		end = br;
	}
	*end = '\0';
	while (end > decl && end[-1] == ' ')
		*--end = '\0';
	char *sp = strrchr(decl, ' ');
	char *star = strrchr(decl, '*');
	char *name = sp ? sp + 1 : decl;
	if (star && star + 1 > name)
		name = star + 1;
	snprintf(f->name, sizeof(f->name), "%s", name);
	*name = '\0';
	snprintf(f->type, sizeof(f->type), "%s", decl);
	return 0;
}

/* The size of a C integer type by name, 0 when the name is not one of them. */
static unsigned c_int_size(const char *decl)
{
	static const struct {
		const char *name;
		unsigned size;
	} names[] = {
		{ "char", 1 },	     { "signed char", 1 }, { "unsigned char", 1 }, { "bool", 1 },
		{ "u8", 1 },	     { "s8", 1 },	   { "__u8", 1 },	   { "__s8", 1 },
		{ "short", 2 },	     { "unsigned short", 2 }, { "u16", 2 },	   { "s16", 2 },
		{ "__u16", 2 },	     { "__s16", 2 },	   { "umode_t", 2 },	   { "int", 4 },
		{ "unsigned int", 4 }, { "unsigned", 4 },	   { "u32", 4 },	   { "s32", 4 },
		{ "__u32", 4 },	     { "__s32", 4 },	   { "pid_t", 4 },	   { "uid_t", 4 },
		{ "gid_t", 4 },	     { "qid_t", 4 },	   { "key_serial_t", 4 },  { "clockid_t", 4 },
		{ "timer_t", 4 },    { "mqd_t", 4 },
	};
	char buf[256];
	size_t n = 0;
	/* the type as written, without qualifiers and trailing blanks */
	for (const char *s = decl; *s && n < sizeof(buf) - 1; s++)
		buf[n++] = *s;
	while (n && buf[n - 1] == ' ')
		n--;
	buf[n] = '\0';
	const char *t = buf;
	while (!strncmp(t, "const ", 6) || !strncmp(t, "volatile ", 9))
		t += t[0] == 'c' ? 6 : 9;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(names[i].name, t))
			return names[i].size;
	return 0;
}

/*
 * What a pointer field of the format file points to: `struct __kernel_timespec *`
 * to the kernel's struct from BTF (so that `args.rqtp->tv_sec` works), an
 * integer type to that integer, anything else (char, void, unknown) to bytes.
 */
static const struct type *pointee_type(struct program *p, const char *decl)
{
	char base[256];
	size_t n = 0;
	for (const char *s = decl; *s && *s != '*' && n < sizeof(base) - 1; s++)
		base[n++] = *s;
	while (n && base[n - 1] == ' ')
		n--;
	base[n] = '\0';
	const char *t = base;
	while (!strncmp(t, "const ", 6) || !strncmp(t, "volatile ", 9))
		t += t[0] == 'c' ? 6 : 9;
	if (!strcmp(t, "char") || !strcmp(t, "void") || !strcmp(t, "unsigned char"))
		return &type_u8;
	unsigned isz = c_int_size(t);
	if (isz)
		return type_int(isz, strncmp(t, "unsigned", 8) && t[0] != 'u' && strncmp(t, "__u", 3));
	bool named = !strncmp(t, "struct ", 7) || !strncmp(t, "union ", 6) || !strchr(t, ' ');
	struct btf_ctx *b = named && *t ? program_btf(p) : NULL;
	const struct type *bt = b ? btf_type_by_name(b, t) : NULL;
	return bt ? bt : &type_u8;
}

static const struct type *field_type(struct program *p, const struct tp_field *f, bool user,
				     bool *data_loc)
{
	*data_loc = strstr(f->type, "__data_loc") != NULL;
	if (*data_loc)
		return type_string(p->arena, p->cfg.max_strlen);
	if (strchr(f->type, '*')) {
		const struct type *t = pointee_type(p, f->type);
		for (const char *s = strchr(f->type, '*'); s; s = strchr(s + 1, '*'))
			t = type_ptr(p->arena, t, user ? AS_USER : AS_KERNEL);
		return t;
	}
	if (f->array >= 0) {
		if (strstr(f->type, "char"))
			return type_string(p->arena, f->size);
		unsigned esz = f->array ? f->size / (unsigned)f->array : f->size;
		return type_array(p->arena, type_int(esz ? esz : 1, f->is_signed),
				  (unsigned)f->array);
	}
	if (f->size != 1 && f->size != 2 && f->size != 4 && f->size != 8)
		return type_array(p->arena, &type_u8, f->size);
	unsigned declared = c_int_size(f->type);
	/* syscall arguments sit in 8-byte slots; `unsigned int fd` is still 4 bytes */
	return type_int(declared && declared < f->size ? declared : f->size, f->is_signed);
}

/* The `args` struct of one event, from its format file (common_* fields left out). */
static const struct type *args_type(struct program *p, const char *cat, const char *event)
{
	char path[512], line[512];
	snprintf(path, sizeof(path), "%s/events/%s/%s/format", p->tracefs, cat, event);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return NULL;
	struct field fields[64];
	unsigned n = 0, size = 0;
	/* pointers in syscall arguments point into the calling process */
	bool user = !strcmp(cat, "syscalls");
	while (fgets(line, sizeof(line), fp) && n < 64) {
		struct tp_field f;
		bool dl;
		if (parse_field_line(line, &f) || !strncmp(f.name, "common_", 7))
			continue;
		fields[n].name = arena_strdup(p->arena, f.name);
		fields[n].type = field_type(p, &f, user, &dl);
		fields[n].offset = f.offset;
		fields[n].data_loc = dl;
		fields[n].bit_offset = fields[n].bit_size = 0;
		if (f.offset + f.size > size)
			size = f.offset + f.size;
		n++;
	}
	fclose(fp);
	struct type *t = arena_new_obj(p->arena, struct type);
	struct field *fs = arena_alloc(p->arena, sizeof(*fs) * (n ? n : 1));
	memcpy(fs, fields, sizeof(*fs) * n);
	t->kind = TY_STRUCT;
	t->name = arena_printf(p->arena, "struct _tracepoint_%s_%s", cat, event);
	t->size = size;
	t->align = 8;
	t->fields = fs;
	t->nfields = n;
	return t;
}

/* ---- expansion ---------------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted names of the subdirectories of dir matching glob (names are arena strings). */
static char **list_dir(struct program *p, const char *dir, const char *glob, unsigned *n)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	unsigned cnt = 0, cap = 0;
	struct dirent *e;

	*n = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || fnmatch(glob, e->d_name, 0))
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 64;
			char **nn = arena_alloc(p->arena, sizeof(*nn) * cap);
			if (names)
				memcpy(nn, names, sizeof(*nn) * cnt);
			names = nn;
		}
		names[cnt++] = arena_strdup(p->arena, e->d_name);
	}
	closedir(d);
	if (cnt)
		qsort(names, cnt, sizeof(*names), cmp_str);
	*n = cnt;
	return names;
}

static int expand(struct program *p, struct probe *pr, const char *spec, const struct loc *loc)
{
	const char *colon = strchr(spec, ':');
	if (!colon || !colon[1] || colon == spec || strchr(colon + 1, ':')) {
		diag_error(p->diags, loc, "tracepoint probes are written tracepoint:category:event");
		return -EINVAL;
	}
	char *cat = arena_strndup(p->arena, spec, (size_t)(colon - spec));
	const char *ev = colon + 1;
	char dir[512];
	unsigned ncat, found = 0;

	snprintf(dir, sizeof(dir), "%s/events", p->tracefs);
	char **cats = list_dir(p, dir, cat, &ncat);
	for (unsigned i = 0; i < ncat; i++) {
		unsigned nev;
		snprintf(dir, sizeof(dir), "%s/events/%s", p->tracefs, cats[i]);
		char **evs = list_dir(p, dir, ev, &nev);
		for (unsigned j = 0; j < nev; j++) {
			const char *name = arena_printf(p->arena, "tracepoint:%s:%s", cats[i], evs[j]);
			struct attach *a = program_add_attach(p, pr, &provider_tracepoint, name, loc);
			a->target = cats[i];
			a->func = evs[j];
			found++;
		}
	}
	if (found)
		return 0;
	if (p->cfg.missing_probes == MISSING_IGNORE)
		return 0;
	if (p->cfg.missing_probes == MISSING_WARN) {
		diag_warning(p->diags, loc, "tracepoint not found: %s:%s. Skipping.", cat, ev);
		return 0;
	}
	diag_error(p->diags, loc, "tracepoint not found: %s:%s", cat, ev);
	diag_hint(p->diags, "`ctrace -l 'tracepoint:%s:*'` lists the tracepoints of this kernel",
		  strpbrk(cat, "*?[") ? "*" : cat);
	return -ENOENT;
}

/* ---- programs ----------------------------------------------------------------------------- */

/*
 * Where task_struct keeps thread_info.status, from the kernel's BTF: its
 * TS_COMPAT bit marks a 32-bit syscall, which raw_syscalls reports with a
 * 32-bit number but the syscalls:* tracepoints skip.  0 if not found.
 */
static unsigned compat_status_offset(void)
{
	static int cached = -1;
	if (cached >= 0)
		return (unsigned)cached;
	cached = 0;
	struct btf *btf = btf__load_vmlinux_btf();
	if (!btf)
		return 0;
	unsigned ti_off = 0, st_off = 0;
	bool found_ti = false, found_st = false;
	int id = btf__find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT);
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, (unsigned)id) : NULL;
	for (unsigned i = 0; t && i < btf_vlen(t); i++) {
		const struct btf_member *m = btf_members(t) + i;
		if (!strcmp(btf__name_by_offset(btf, m->name_off), "thread_info")) {
			ti_off = btf_member_bit_offset(t, i) / 8;
			found_ti = true;
		}
	}
	id = btf__find_by_name_kind(btf, "thread_info", BTF_KIND_STRUCT);
	t = id > 0 ? btf__type_by_id(btf, (unsigned)id) : NULL;
	for (unsigned i = 0; t && i < btf_vlen(t); i++) {
		const struct btf_member *m = btf_members(t) + i;
		if (!strcmp(btf__name_by_offset(btf, m->name_off), "status")) {
			st_off = btf_member_bit_offset(t, i) / 8;
			found_st = true;
		}
	}
	btf__free(btf);
	if (found_ti && found_st)
		cached = (int)(ti_off + st_off);
	return (unsigned)cached;
}

static int syscall_nr(const char *name)
{
	for (size_t i = 0; i < sizeof(syscall_table) / sizeof(syscall_table[0]); i++)
		if (!strcmp(syscall_table[i].name, name))
			return (int)syscall_table[i].nr;
	return -1;
}

/*
 * Targets sys_<dir>_NAME of category syscalls go through one raw_syscalls
 * program; the ones whose number we do not know are attached one by one.
 */
static void plan_syscalls(struct program *p, struct probe *pr, struct attach **t, unsigned n,
			  const char *dir, struct attach **rest, unsigned *nrest)
{
	struct attach **mine = arena_alloc(p->arena, sizeof(*mine) * (n + 1));
	char prefix[16];
	unsigned k = 0, maxnr = 0;
	int *nrs = arena_alloc(p->arena, sizeof(int) * (n + 1));

	snprintf(prefix, sizeof(prefix), "sys_%s_", dir);
	for (unsigned i = 0; i < n; i++) {
		int nr = -1;
		if (!strcmp(t[i]->target, "syscalls") &&
		    !strncmp(t[i]->func, prefix, strlen(prefix)))
			nr = syscall_nr(t[i]->func + strlen(prefix));
		if (nr < 0) {
			rest[(*nrest)++] = t[i];
			continue;
		}
		nrs[k] = nr;
		mine[k++] = t[i];
		if ((unsigned)nr > maxnr)
			maxnr = (unsigned)nr;
	}
	if (!k)
		return;
	struct prog *pg = program_add_prog(p, pr, mine, k, PID_SYSCALL_TABLE);
	pg->tp_category = "raw_syscalls";
	pg->tp_event = arena_printf(p->arena, "sys_%s", dir);
	pg->section = arena_printf(p->arena, "tracepoint/raw_syscalls/sys_%s", dir);
	pg->table_map = arena_printf(p->arena, "st_%u", p->nprogs);
	pg->table_len = maxnr + 1;
	pg->compat_status_off = compat_status_offset();
	pg->table = arena_alloc(p->arena, sizeof(*pg->table) * pg->table_len);
	for (unsigned i = 0; i < k; i++)
		pg->table[nrs[i]] = mine[i]->probe_id + 1;
}

/* One group of targets with the same layout of the fields the body reads. */
static int plan_group(struct program *p, struct probe *pr, struct attach **t, unsigned n)
{
	struct attach **enter = arena_alloc(p->arena, sizeof(*t) * n);
	struct attach **rest = arena_alloc(p->arena, sizeof(*t) * n);
	unsigned nenter = 0, nrest = 0;
	const char *env = getenv("CTRACE_SYSCALL_TABLE");
	bool use_table = n > 1 && !(env && !strcmp(env, "0"));

	if (use_table) {
		plan_syscalls(p, pr, t, n, "enter", enter, &nenter);
		plan_syscalls(p, pr, enter, nenter, "exit", rest, &nrest);
	} else {
		memcpy(rest, t, sizeof(*t) * n);
		nrest = n;
	}
	if (nrest)
		program_add_prog(p, pr, rest, nrest, nrest == 1 ? PID_CONST : PID_COOKIE);
	return 0;
}

/*
 * "name@offset:size:kind;..." for the fields pr reads, or NULL (after an
 * error) when target a lacks one of them.
 */
static const char *layout_of(struct program *p, struct probe *pr, struct attach *a)
{
	if (!a->args)
		a->args = args_type(p, a->target, a->func);
	const char *sig = "";
	for (unsigned i = 0; i < pr->nargs_fields; i++) {
		const struct field *f = NULL;
		for (unsigned j = 0; a->args && j < a->args->nfields; j++)
			if (!strcmp(a->args->fields[j].name, pr->args_fields[i]))
				f = &a->args->fields[j];
		if (!f) {
			diag_error(p->diags, &a->loc, "%s has no field named '%s'", a->name,
				   pr->args_fields[i]);
			const char *close = a->args ? type_closest_field(a->args, pr->args_fields[i]) : NULL;
			if (close)
				diag_hint(p->diags, "did you mean '%s'?", close);
			return NULL;
		}
		sig = arena_printf(p->arena, "%s%s@%u:%u:%d;", sig, f->name, f->offset,
				   f->type->size, (int)f->type->kind);
	}
	return sig;
}

/*
 * One program serves many targets when the fields the body reads sit at the
 * same places in each of them; targets are grouped by that layout.
 */
static int plan(struct program *p, struct probe *pr, struct attach **t, unsigned n)
{
	if (!pr->nargs_fields)
		return plan_group(p, pr, t, n);
	const char **sig = arena_alloc(p->arena, sizeof(*sig) * n);
	struct attach **group = arena_alloc(p->arena, sizeof(*group) * n);
	bool *done = arena_alloc(p->arena, sizeof(*done) * n);
	int err = 0;

	for (unsigned i = 0; i < n; i++) {
		sig[i] = layout_of(p, pr, t[i]);
		if (!sig[i])
			return -EINVAL;
	}
	for (unsigned i = 0; i < n && !err; i++) {
		unsigned g = 0;
		if (done[i])
			continue;
		for (unsigned j = i; j < n; j++) {
			if (!done[j] && !strcmp(sig[i], sig[j])) {
				group[g++] = t[j];
				done[j] = true;
			}
		}
		err = plan_group(p, pr, group, g);
	}
	return err;
}

static int arg(struct program *p, struct attach *a, const char *name, struct ctx_access *out,
	       const struct type **type)
{
	if (strcmp(name, "args"))
		return -ENOENT;
	if (!a->args) {
		/* parsed on first use: most scripts never read args */
		a->args = args_type(p, a->target, a->func);
		if (!a->args)
			return -ENOENT;
	}
	out->kind = CTX_ARGS_PTR;
	*type = a->args;
	return 0;
}

/* ---- attaching ---------------------------------------------------------------------------- */

static int attach(struct rt *rt, struct prog *pg, struct bpf_program *bp)
{
	if (pg->idmode == PID_SYSCALL_TABLE) {
		struct bpf_link *l = bpf_program__attach_tracepoint(bp, pg->tp_category, pg->tp_event);
		if (!l)
			return rt_attach_error(rt, pg->targets[0], -errno, NULL);
		rt_add_link(rt, l);
		return 0;
	}
	for (unsigned i = 0; i < pg->ntargets; i++) {
		const struct attach *a = pg->targets[i];
		LIBBPF_OPTS(bpf_tracepoint_opts, o, .bpf_cookie = a->probe_id);
		struct bpf_link *l = bpf_program__attach_tracepoint_opts(bp, a->target, a->func, &o);
		if (!l)
			return rt_attach_error(rt, a, -errno, NULL);
		rt_add_link(rt, l);
	}
	return 0;
}

static int list(const char *glob, bool verbose, FILE *out)
{
	const char *root = tracefs_root();
	char dir[512];
	if (!root)
		return -ENOENT;
	struct arena *a = arena_new();
	struct program p = { .arena = a, .tracefs = root };
	unsigned ncat;
	snprintf(dir, sizeof(dir), "%s/events", root);
	char **cats = list_dir(&p, dir, "*", &ncat);
	for (unsigned i = 0; i < ncat; i++) {
		unsigned nev;
		snprintf(dir, sizeof(dir), "%s/events/%s", root, cats[i]);
		char **evs = list_dir(&p, dir, "*", &nev);
		for (unsigned j = 0; j < nev; j++) {
			char name[512];
			snprintf(name, sizeof(name), "tracepoint:%s:%s", cats[i], evs[j]);
			if (glob && fnmatch(glob, name, 0))
				continue;
			snprintf(dir, sizeof(dir), "%s/events/%s/%s/format", root, cats[i], evs[j]);
			if (access(dir, R_OK))
				continue;
			fprintf(out, "%s\n", name);
			if (!verbose)
				continue;
			p.cfg.max_strlen = 1024;
			const struct type *t = args_type(&p, cats[i], evs[j]);
			for (unsigned f = 0; t && f < t->nfields; f++) {
				fputs("    ", out);
				type_print(t->fields[f].type, out);
				fprintf(out, " %s\n", t->fields[f].name);
			}
		}
	}
	arena_free(a);
	return 0;
}

const struct provider provider_tracepoint = {
	.name = "tracepoint",
	.aliases = (const char *const[]){ "t", NULL },
	.prog_type = BPF_PROG_TYPE_TRACEPOINT,
	.section = "tracepoint",
	.expand = expand,
	.plan = plan,
	.arg = arg,
	.attach = attach,
	.list = list,
};
