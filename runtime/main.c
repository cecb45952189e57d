/* SPDX-License-Identifier: Apache-2.0 */
/* ctrace: the command line.  bpftrace's flags, its messages and exit codes. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "arena.h"
#include "child.h"
#include "codegen.h"
#include "program.h"
#include "rt.h"

#ifndef CTRACE_VERSION
#define CTRACE_VERSION "0.0.0"
#endif

/* -d stages */
enum {
	D_AST = 1 << 0,
	D_TYPES = 1 << 1,
	D_RESOURCES = 1 << 2,
	D_IR = 1 << 3,
	D_IR_OPT = 1 << 4,
	D_VERIFIER = 1 << 5,
};

struct cli {
	const char *prog_text; /* -e */
	const char *file;      /* FILE or "-" */
	char **pos;
	int npos;
	char **named; /* "name=value" or "name" */
	int nnamed;
	const char *out_file;
	const char *emit_elf;
	enum output_format format;
	const char *format_name;
	unsigned dump;
	bool quiet, verbose, dry_run, unsafe, list, list_verbose, verify_ir, warnings, no_warnings;
	const char *list_pattern;
	int pid;
	const char *cmd;
	unsigned deadline;
	const char *cgroups[64];
	unsigned ncgroups;
	int buffering; /* _IOLBF ... */
};

static void usage(FILE *out)
{
	fputs("USAGE:\n"
	      "    ctrace [options] filename [args...]\n"
	      "    ctrace [options] - <stdin input>\n"
	      "    ctrace [options] -e 'program' [args...]\n"
	      "\n"
	      "OPTIONS:\n"
	      "    -B MODE        output buffering mode ('full', 'none', 'line'; default line)\n"
	      "    -d STAGE       dump a stage: ast, types, resources, ir, ir-opt, verifier, all\n"
	      "    --dry-run      compile only: stop before loading into the kernel\n"
	      "    -e 'program'   the program text\n"
	      "    --emit-elf F   write the compiled BPF object to F and stop\n"
	      "    -f FORMAT      output format ('text', 'json')\n"
	      "    -h, --help     show this help message\n"
	      "    --info         print information about the kernel and libraries\n"
	      "    -k             report probe-read and map-lookup helper errors\n"
	      "    -l [PATTERN]   list probes matching PATTERN (-lv: with arguments)\n"
	      "    -o FILE        write program output to FILE\n"
	      "    -p PID         only trace process PID (not begin/end)\n"
	      "    -q             keep messages quiet\n"
	      "    --unsafe       allow unsafe builtin functions\n"
	      "    -v             verbose messages\n"
	      "    --verify-llvm-ir  check the generated LLVM IR (always done)\n"
	      "    -V, --version  print the version\n"
	      "    --deadline N   stop after N seconds: detach, print the maps, exit 0\n"
	      "    --cgroup-filter PATH  only trace tasks in cgroup v2 directory PATH or below\n"
	      "                   (repeatable)\n"
	      "\n"
	      "ENVIRONMENT:\n"
	      "    BPFTRACE_MAX_STRLEN, BPFTRACE_MAX_MAP_KEYS, BPFTRACE_STR_TRUNC_TRAILER,\n"
	      "    BPFTRACE_PRINT_MAPS_ON_EXIT, BPFTRACE_PERF_RB_PAGES, BPFTRACE_MISSING_PROBES\n"
	      "    (CTRACE_ spellings are accepted too)\n"
	      "\n"
	      "EXAMPLES:\n"
	      "ctrace -l '*sleep*'\n"
	      "    list probes containing \"sleep\"\n"
	      "ctrace -e 'tracepoint:syscalls:sys_enter_* { @[probe] = count(); }'\n"
	      "    count system calls by tracepoint until Ctrl-C\n"
	      "ctrace -e 'tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }'\n"
	      "    count system calls by process name\n",
	      out);
}

static int usage_error(const char *msg)
{
	if (msg)
		fprintf(stderr, "ERROR: USAGE: %s\n", msg);
	usage(stderr);
	return 1;
}

static int parse_dump(struct cli *c, const char *arg)
{
	static const struct {
		const char *name;
		unsigned bit;
	} stages[] = {
		{ "ast", D_AST },	  { "types", D_TYPES },	      { "resources", D_RESOURCES },
		{ "ir", D_IR },		  { "codegen", D_IR },	      { "ir-opt", D_IR_OPT },
		{ "codegen-opt", D_IR_OPT }, { "verifier", D_VERIFIER }, { "all", ~0u },
	};
	char *copy = xstrdup(arg), *save = NULL;
	int ok = 1;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;
		for (i = 0; i < sizeof(stages) / sizeof(stages[0]); i++)
			if (!strcmp(stages[i].name, tok))
				break;
		if (i == sizeof(stages) / sizeof(stages[0])) {
			fprintf(stderr, "USAGE: invalid option for -d: %s\n", tok);
			ok = 0;
			break;
		}
		c->dump |= stages[i].bit;
	}
	free(copy);
	return ok ? 0 : -1;
}

enum {
	OPT_DRY_RUN = 256,
	OPT_EMIT_ELF,
	OPT_VERIFY_IR,
	OPT_INFO,
	OPT_UNSAFE,
	OPT_DEADLINE,
	OPT_CGROUP,
	OPT_NO_WARNINGS,
	OPT_IGNORED,
};

static const struct option long_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "emit-elf", required_argument, NULL, OPT_EMIT_ELF },
	{ "verify-llvm-ir", no_argument, NULL, OPT_VERIFY_IR },
	{ "info", no_argument, NULL, OPT_INFO },
	{ "unsafe", no_argument, NULL, OPT_UNSAFE },
	{ "deadline", required_argument, NULL, OPT_DEADLINE },
	{ "cgroup-filter", required_argument, NULL, OPT_CGROUP },
	{ "no-warnings", no_argument, NULL, OPT_NO_WARNINGS },
	{ "btf", no_argument, NULL, 'b' },
	{ "list", no_argument, NULL, 'l' },
	{ "pid", required_argument, NULL, 'p' },
	{ "cmd", required_argument, NULL, 'c' },
	{ "output", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "debug", required_argument, NULL, 'd' },
	{ "warnings", no_argument, NULL, 'k' },
	{ NULL, 0, NULL, 0 },
};

static void print_info(void);

/* Returns -1 to go on, or an exit status. */
static int parse_args(struct cli *c, int argc, char **argv)
{
	int opt;
	char *end;

	c->buffering = _IOLBF;
	while ((opt = getopt_long(argc, argv, "e:f:o:d:B:p:c:qvlhVkbI:", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'e':
			c->prog_text = optarg;
			break;
		case 'f':
			c->format_name = optarg;
			break;
		case 'o':
			c->out_file = optarg;
			break;
		case 'd':
			if (parse_dump(c, optarg))
				return 1;
			break;
		case 'B':
			if (!strcmp(optarg, "line"))
				c->buffering = _IOLBF;
			else if (!strcmp(optarg, "full"))
				c->buffering = _IOFBF;
			else if (!strcmp(optarg, "none"))
				c->buffering = _IONBF;
			else
				return usage_error("-B must be either 'line', 'full', or 'none'.");
			break;
		case 'p':
			errno = 0;
			c->pid = (int)strtol(optarg, &end, 10);
			if (*end || !*optarg || errno) {
				fprintf(stderr, "ERROR: Failed to parse pid: invalid integer: %s\n", optarg);
				return 1;
			}
			if (c->pid <= 0 || c->pid > 0x400000) {
				fprintf(stderr, "ERROR: Pid out of range: %s\n", optarg);
				return 1;
			}
			break;
		case 'c':
			c->cmd = optarg;
			break;
		case 'q':
			c->quiet = true;
			break;
		case 'v':
			if (c->list)
				c->list_verbose = true;
			c->verbose = true;
			break;
		case 'l':
			c->list = true;
			if (c->verbose)
				c->list_verbose = true;
			break;
		case 'k':
			if (c->warnings)
				return usage_error("-kk has been deprecated. Use a single -k for runtime "
						   "warnings for errors in map lookups and probe reads.");
			c->warnings = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("ctrace v%s\n", CTRACE_VERSION);
			return 0;
		case OPT_DRY_RUN:
			c->dry_run = true;
			break;
		case OPT_EMIT_ELF:
			c->emit_elf = optarg;
			break;
		case OPT_VERIFY_IR:
			c->verify_ir = true;
			break;
		case OPT_INFO:
			print_info();
			return 0;
		case OPT_UNSAFE:
			c->unsafe = true;
			break;
		case OPT_DEADLINE:
			c->deadline = (unsigned)strtoul(optarg, &end, 10);
			if (*end || !*optarg)
				return usage_error("--deadline takes a number of seconds");
			break;
		case OPT_CGROUP:
			if (c->ncgroups == sizeof(c->cgroups) / sizeof(c->cgroups[0]))
				return usage_error("too many --cgroup-filter paths");
			c->cgroups[c->ncgroups++] = optarg;
			break;
		case OPT_NO_WARNINGS:
			c->no_warnings = true;
			break;
		case 'b':
		case 'I':
			break;
		default:
			return usage_error(NULL);
		}
	}
	if (c->warnings && c->no_warnings)
		return usage_error("-k, --warnings conflicts with --no-warnings");
	if (c->cmd && c->pid)
		return usage_error("Cannot use both -c and -p.");
	if (c->list) {
		if (optind < argc)
			c->list_pattern = argv[optind];
		return -1;
	}
	if (!c->prog_text) {
		if (optind >= argc) {
			if (argc == 1)
				return usage_error(NULL);
			fprintf(stderr, "ERROR: USAGE: filename or -e 'program' required.\n");
			return 1;
		}
		c->file = argv[optind++];
	}
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	/* after the program: positional parameters, and --name[=value] named ones (getopt()) */
	c->pos = xcalloc((size_t)(argc - optind + 1), sizeof(char *));
	c->named = xcalloc((size_t)(argc - optind + 1), sizeof(char *));
	for (int i = optind; i < argc; i++) {
		if (!strncmp(argv[i], "--", 2) && argv[i][2])
			c->named[c->nnamed++] = argv[i] + 2;
		else
			c->pos[c->npos++] = argv[i];
	}
	if (!c->format_name || !strcmp(c->format_name, "text"))
		c->format = OUTPUT_TEXT;
	else if (!strcmp(c->format_name, "json"))
		c->format = OUTPUT_JSON;
	return -1;
}

/* ---- input ---------------------------------------------------------------------------------- */

static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap);
	size_t r;
	while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (cap - n - 1 == 0) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int load_source(struct cli *c, struct source *src)
{
	if (c->prog_text) {
		src->name = "stdin";
		src->text = c->prog_text;
		src->len = strlen(c->prog_text);
		return 0;
	}
	if (!strcmp(c->file, "-")) {
		src->name = "stdin";
		src->text = read_all(stdin, &src->len);
		return 0;
	}
	FILE *f = fopen(c->file, "r");
	struct stat st;
	if (!f || (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode))) {
		fprintf(stderr, "ERROR: failed to open file '%s': %s\n", c->file,
			f ? strerror(EISDIR) : strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	src->name = c->file;
	src->text = read_all(f, &src->len);
	fclose(f);
	return 0;
}

/* ---- environment checks ----------------------------------------------------------------------- */

/* Effective capabilities from /proc/self/status. */
static uint64_t cap_eff(void)
{
	char line[256];
	uint64_t caps = 0;
	FILE *f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %lx", (unsigned long *)&caps) == 1)
			break;
	if (f)
		fclose(f);
	return caps;
}

static int check_privileges(void)
{
	uint64_t caps = cap_eff();
	const uint64_t sys_admin = 1ull << 21, perfmon = 1ull << 38, bpf = 1ull << 39;

	if (caps & sys_admin || ((caps & bpf) && (caps & perfmon)))
		return 0;
	fprintf(stderr, "ERROR: ctrace needs root, or the CAP_BPF and CAP_PERFMON capabilities, to "
			"load BPF programs: run it with sudo\n");
	return -1;
}

static unsigned ncpus(void)
{
	int n = libbpf_num_possible_cpus();
	return n > 0 ? (unsigned)n : (unsigned)get_nprocs_conf();
}

/*
 * A cgroup's depth below the cgroup v2 root: the directories above it on
 * the same filesystem (the root may be /sys/fs/cgroup or, on hybrid hosts,
 * /sys/fs/cgroup/unified).
 */
static uint64_t cgroup_level(const char *path, const struct stat *st)
{
	char *real = realpath(path, NULL);
	uint64_t level = 0;
	if (!real)
		return 0;
	for (;;) {
		char *slash = strrchr(real, '/');
		struct stat up;
		if (!slash || slash == real)
			break;
		*slash = '\0';
		if (stat(real, &up) || up.st_dev != st->st_dev)
			break;
		level++;
	}
	free(real);
	return level;
}

/* cgroup v2: the id of a cgroup is its directory's inode number; its level is its depth. */
static int resolve_cgroups(struct cli *c, struct program *p)
{
	if (!c->ncgroups)
		return 0;
	p->cfg.cgroup_ids = arena_alloc(p->arena, sizeof(uint64_t) * 2 * c->ncgroups);
	for (unsigned i = 0; i < c->ncgroups; i++) {
		struct stat st;
		const char *path = c->cgroups[i];
		if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
			fprintf(stderr, "ERROR: --cgroup-filter %s: %s\n", path,
				errno ? strerror(errno) : "not a directory");
			return -1;
		}
		uint64_t level = cgroup_level(path, &st);
		p->cfg.cgroup_ids[2 * i] = st.st_ino;
		p->cfg.cgroup_ids[2 * i + 1] = level;
	}
	p->cfg.ncgroup_ids = c->ncgroups;
	return 0;
}

/* Each runtime error's source line, for its message. */
static void fill_source_lines(struct program *p, const struct source *src)
{
	for (unsigned i = 0; i < p->res.nfmts; i++) {
		struct fmt_res *f = &p->res.fmts[i];
		if (!f->loc.line)
			continue;
		const char *s = src->text, *e;
		for (int l = 1; l < f->loc.line && s; l++) {
			s = strchr(s, '\n');
			if (s)
				s++;
		}
		if (!s)
			continue;
		e = strchr(s, '\n');
		f->src_line = arena_strndup(p->arena, s, e ? (size_t)(e - s) : strlen(s));
	}
}

static void print_info(void)
{
	struct utsname u;
	uname(&u);
	printf("System\n  OS: %s %s %s\n  Arch: %s\n\n", u.sysname, u.release, u.version, u.machine);
	printf("Build\n  version: v%s\n  %s\n  libbpf: %u.%u\n\n", CTRACE_VERSION,
	       codegen_llvm_version(), libbpf_major_version(), libbpf_minor_version());
	printf("Kernel features\n");
	printf("  btf: %s\n", access("/sys/kernel/btf/vmlinux", R_OK) ? "no" : "yes");
	printf("  tracefs: %s\n", tracefs_root() ? "yes" : "no");
	printf("  Loop support: yes\n");
	printf("  ringbuf: %s\n", libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) > 0 ? "yes" : "no");
	printf("  lookup_percpu_elem: %s\n",
	       libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_map_lookup_percpu_elem, NULL) > 0
		       ? "yes"
		       : "no");
	printf("  get_attach_cookie: %s\n",
	       libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_get_attach_cookie, NULL) > 0
		       ? "yes"
		       : "no");
	printf("\nProbe types\n");
	for (const struct provider *const *it = providers; *it; it++) {
		const char *why = (*it)->unavailable ? (*it)->unavailable() : NULL;
		printf("  %s: %s%s%s\n", (*it)->name, why ? "no (" : "yes", why ? why : "", why ? ")" : "");
	}
}

static int list_probes(struct cli *c)
{
	const char *pat = c->list_pattern;
	for (const struct provider *const *it = providers; *it; it++)
		if ((*it)->list)
			(*it)->list(pat, c->list_verbose, stdout);
	return 0;
}

/* ---- the pipeline ----------------------------------------------------------------------------- */

static void on_signal(int sig)
{
	(void)sig;
	rt_signalled = 1;
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int write_file(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size) {
		fprintf(stderr, "ERROR: failed to write '%s': %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return 1;
	}
	return fclose(f) ? 1 : 0;
}

static int compile_and_run(struct cli *c, struct arena *a)
{
	struct source src = { 0 };
	struct diags d;
	struct program p;
	struct child child = { 0 };
	void *elf = NULL;
	size_t size = 0;
	int rc = 1;

	if (load_source(c, &src))
		return 1;
	diags_init(&d, a, &src);
	program_init(&p, a, &d, &src);
	p.pos = c->pos;
	p.npos = c->npos;
	p.named = c->named;
	p.nnamed = c->nnamed;
	p.cfg.unsafe = c->unsafe;
	p.cfg.pid = c->pid;
	p.cfg.warnings = c->warnings;
	p.cfg.no_warnings = c->no_warnings;
	const char *tfs = getenv("CTRACE_TRACEFS");
	p.tracefs = tfs ? tfs : tracefs_root() ? tracefs_root() : "/sys/kernel/tracing";
	if (resolve_cgroups(c, &p))
		return 1;
	/* the command starts first, held before exec, so that `cpid` is a constant */
	if (c->cmd && !c->dry_run && !c->emit_elf) {
		if (child_start(&child, c->cmd))
			return 1;
		p.cfg.cpid = child.pid;
	}

	int err = program_compile_front(&p);
	if (p.ast && (c->dump & D_AST))
		ast_print(p.ast, stdout);
	if (!err && (c->dump & D_TYPES))
		program_dump_types(&p, stdout);
	if (!err && (c->dump & D_RESOURCES))
		program_dump_resources(&p, stdout);
	if (!err) {
		struct cg_opts co = {
			.dump_ir = (c->dump & D_IR) ? stdout : NULL,
			.dump_ir_opt = (c->dump & D_IR_OPT) ? stdout : NULL,
			.verify = c->verify_ir,
			.ncpus = ncpus(),
		};
		err = codegen(&p, &co, &elf, &size);
	}
	if (err || d.nerrors) {
		diags_print(&d, stderr);
		goto out;
	}
	/* bpftrace prints the warnings of a successful compile on stdout */
	if (!c->no_warnings)
		diags_print(&d, stdout);
	if (c->format_name && c->format == OUTPUT_TEXT && strcmp(c->format_name, "text")) {
		fprintf(stderr, "ERROR: Invalid output format \"%s\"\nValid formats: 'text', 'json'\n",
			c->format_name);
		goto out;
	}
	fill_source_lines(&p, &src);
	if (c->emit_elf) {
		rc = write_file(c->emit_elf, elf, size);
		goto out;
	}
	if (c->dry_run && !(c->dump & D_VERIFIER)) {
		rc = 0;
		goto out;
	}
	if (check_privileges())
		goto out;

	FILE *out = stdout;
	if (c->out_file) {
		out = fopen(c->out_file, "w");
		if (!out) {
			fprintf(stderr, "ERROR: Failed to open output file: \"%s\": %s\n", c->out_file,
				strerror(errno));
			goto out;
		}
	}
	setvbuf(out, NULL, c->buffering, 0);
	struct rt_opts ro = {
		.format = c->format,
		.out = out,
		.quiet = c->quiet,
		.verbose = c->verbose,
		.dump_verifier = c->dump & D_VERIFIER,
		.dry_run = c->dry_run,
		.deadline = c->deadline,
		.child = c->cmd ? &child : NULL,
		.watch_pid = c->pid,
	};
	install_signals();
	rc = rt_run(&p, elf, size, &ro);
	fflush(out);
	if (out != stdout)
		fclose(out);
out:
	program_fini(&p);
	child_stop(&child);
	free(elf);
	if (!c->prog_text && src.text)
		free((void *)src.text);
	return rc;
}

int main(int argc, char **argv)
{
	struct cli c = { 0 };
	int rc = parse_args(&c, argc, argv);
	if (rc >= 0)
		return rc;
	if (c.list)
		return list_probes(&c);
	struct arena *a = arena_new();
	rc = compile_and_run(&c, a);
	arena_free(a);
	free(c.pos);
	free(c.named);
	return rc;
}
