/* SPDX-License-Identifier: Apache-2.0 */
/* Kernel (kallsyms) and user (libbcc, loaded lazily) symbol lookups behind struct symbolizer. */
#include "symbols.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "arena.h"

/* ---- kernel symbols ------------------------------------------------------------------------ */

struct ksym {
	uint64_t addr;
	const char *name;
};

struct kernel_syms {
	bool loaded;
	struct ksym *s;
	size_t n;
	char *names;
};

static int cmp_ksym(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;
	return (x->addr > y->addr) - (x->addr < y->addr);
}

static void ksyms_load(struct kernel_syms *k)
{
	char line[512];
	size_t cap = 0, nlen = 0, ncap = 0;
	FILE *f = fopen("/proc/kallsyms", "r");

	k->loaded = true;
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long addr;
		char type, name[256];
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3 || !addr)
			continue;
		if (k->n == cap) {
			cap = cap ? cap * 2 : 65536;
			k->s = xrealloc(k->s, sizeof(*k->s) * cap);
		}
		size_t l = strlen(name) + 1;
		if (nlen + l > ncap) {
			ncap = ncap ? ncap * 2 : 1 << 20;
			k->names = xrealloc(k->names, ncap);
		}
		memcpy(k->names + nlen, name, l);
		/* an offset until the name buffer stops moving */
		k->s[k->n++] = (struct ksym){ addr, (const char *)(uintptr_t)nlen };
		nlen += l;
	}
	if (f)
		fclose(f);
	for (size_t i = 0; i < k->n; i++)
		k->s[i].name = k->names + (uintptr_t)k->s[i].name;
	if (k->n)
		qsort(k->s, k->n, sizeof(*k->s), cmp_ksym);
}

/* The symbol at or below addr; NULL past the end of the table or before its start. */
static const struct ksym *ksym_find(const struct kernel_syms *k, uint64_t addr)
{
	size_t lo = 0, hi = k->n;
	if (!k->n || addr < k->s[0].addr)
		return NULL;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (k->s[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return &k->s[lo];
}

/* ---- user symbols through libbcc ------------------------------------------------------------ */

/* The parts of bcc_syms.h used here (libbcc 0.26); the library is opened at run time. */
struct bcc_sym {
	const char *name, *demangle_name, *module;
	uint64_t offset;
};

struct bcc_sym_opt {
	int use_debug_file, check_debug_file_crc, lazy_symbolize;
	uint32_t use_symbol_type;
};

struct bcc_api {
	bool tried, ok;
	void *h;
	void *(*cache_new)(int pid, struct bcc_sym_opt *opt);
	void (*cache_free)(void *cache, int pid);
	int (*resolve)(void *cache, uint64_t addr, struct bcc_sym *sym);
	void (*free_demangle)(struct bcc_sym *sym);
};

/*
 * One traced process.  bcc's cache stats /proc/PID/exe on every lookup (to
 * notice an exec), which dominated printing thousands of stacks of the same
 * few dozen return addresses; so resolved addresses are kept here, and the
 * process is checked for an exec or a reused pid at most every
 * PID_CHECK_NS instead.  A change bumps gen, which orphans the old entries.
 */
struct pid_cache {
	uint32_t pid;
	uint32_t gen;
	void *cache;	  /* bcc's, NULL if it could not be made */
	uint64_t ino;	  /* of /proc/PID/exe ... */
	uint64_t start;	  /* ... and the start time in /proc/PID/stat, when last checked */
	uint64_t checked; /* CLOCK_MONOTONIC ns of that check */
};

#define PID_CHECK_NS 1000000000ull

/* One resolved (or unresolvable) address of one process generation. */
struct usym_entry {
	uint64_t addr;
	uint32_t pid, gen;
	bool used, found;
	uint64_t offset;
	char *name; /* demangled when bcc could */
	char *module;
};

struct usym_table {
	struct usym_entry *e;
	size_t n, cap; /* cap is a power of two, at most half full */
};

struct syms {
	struct symbolizer pub;
	struct kernel_syms k;
	struct bcc_api bcc;
	struct pid_cache *pids;
	size_t npids, cap_pids, last_pid;
	struct usym_table addrs;
	char buf[4][1024]; /* results, rotated so a caller may hold a few at once */
	char modbuf[4][1024];
	unsigned next;
};

static bool bcc_open(struct bcc_api *b)
{
	if (b->tried)
		return b->ok;
	b->tried = true;
	b->h = dlopen("libbcc.so.0", RTLD_LAZY | RTLD_LOCAL);
	if (!b->h)
		return false;
	*(void **)&b->cache_new = dlsym(b->h, "bcc_symcache_new");
	*(void **)&b->cache_free = dlsym(b->h, "bcc_free_symcache");
	*(void **)&b->resolve = dlsym(b->h, "bcc_symcache_resolve");
	*(void **)&b->free_demangle = dlsym(b->h, "bcc_symbol_free_demangle_name");
	b->ok = b->cache_new && b->cache_free && b->resolve && b->free_demangle;
	return b->ok;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* What identifies the process now running as pid: its executable and start time. */
static void pid_identity(uint32_t pid, uint64_t *ino, uint64_t *start)
{
	char path[64], line[1024];
	struct stat st;

	*ino = *start = 0;
	snprintf(path, sizeof(path), "/proc/%u/exe", pid);
	if (!stat(path, &st))
		*ino = (uint64_t)st.st_ino;
	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	/* starttime is field 22; comm (field 2) may hold spaces, so count from its ')' */
	char *p = fgets(line, sizeof(line), f) ? strrchr(line, ')') : NULL;
	fclose(f);
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (p)
		*start = strtoull(p + 1, NULL, 10);
}

static void *bcc_cache_new(struct syms *s, uint32_t pid)
{
	/* functions (STT_FUNC, STT_GNU_IFUNC), read lazily, from debug files where present */
	struct bcc_sym_opt opt = { 1, 1, 1, (1u << 2) | (1u << 10) };
	return s->bcc.cache_new((int)pid, &opt);
}

/* The record of pid, made on first use, checked for an exec or a new process every so often. */
static struct pid_cache *pid_cache(struct syms *s, uint32_t pid)
{
	struct pid_cache *pc = NULL;
	uint64_t t = now_ns(), ino, start;

	if (s->last_pid < s->npids && s->pids[s->last_pid].pid == pid)
		pc = &s->pids[s->last_pid];
	for (size_t i = 0; !pc && i < s->npids; i++)
		if (s->pids[i].pid == pid) {
			pc = &s->pids[i];
			s->last_pid = i;
		}
	if (pc && t - pc->checked < PID_CHECK_NS)
		return pc;
	pid_identity(pid, &ino, &start);
	if (pc) {
		pc->checked = t;
		/* a process that is gone keeps what was resolved, as bcc's own check does */
		if ((ino == pc->ino && start == pc->start) || (!ino && !start))
			return pc;
		/* another program, or another process with this pid: forget what was resolved */
		if (pc->cache)
			s->bcc.cache_free(pc->cache, (int)pid);
		pc->cache = bcc_cache_new(s, pid);
		pc->gen++;
		pc->ino = ino;
		pc->start = start;
		return pc;
	}
	if (s->npids == s->cap_pids) {
		s->cap_pids = s->cap_pids ? s->cap_pids * 2 : 16;
		s->pids = xrealloc(s->pids, sizeof(*s->pids) * s->cap_pids);
	}
	s->last_pid = s->npids;
	pc = &s->pids[s->npids++];
	*pc = (struct pid_cache){ pid, 0, bcc_cache_new(s, pid), ino, start, t };
	return pc;
}

static size_t usym_hash(uint64_t addr, uint32_t pid, uint32_t gen)
{
	uint64_t h = addr ^ ((uint64_t)pid << 32 | gen);
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (size_t)h;
}

/* The slot of (addr, pid, gen): its entry, or the free slot where it belongs. */
static struct usym_entry *usym_slot(struct usym_table *t, uint64_t addr, uint32_t pid,
				    uint32_t gen)
{
	size_t i = usym_hash(addr, pid, gen) & (t->cap - 1);
	while (t->e[i].used && !(t->e[i].addr == addr && t->e[i].pid == pid && t->e[i].gen == gen))
		i = (i + 1) & (t->cap - 1);
	return &t->e[i];
}

static void usym_grow(struct usym_table *t)
{
	struct usym_entry *old = t->e;
	size_t oldcap = t->cap;

	t->cap = t->cap ? t->cap * 2 : 1024;
	t->e = xcalloc(t->cap, sizeof(*t->e));
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].used)
			*usym_slot(t, old[i].addr, old[i].pid, old[i].gen) = old[i];
	free(old);
}

/* The cached resolution of addr in pid, asking bcc the first time. */
static const struct usym_entry *usym_lookup(struct syms *s, uint64_t addr, uint32_t pid)
{
	struct pid_cache *pc = pid_cache(s, pid);
	struct usym_table *t = &s->addrs;
	struct bcc_sym sym = { 0 };

	if (t->n + 1 > t->cap / 2)
		usym_grow(t);
	struct usym_entry *e = usym_slot(t, addr, pid, pc->gen);
	if (e->used)
		return e;
	*e = (struct usym_entry){ .addr = addr, .pid = pid, .gen = pc->gen, .used = true };
	t->n++;
	if (!pc->cache || s->bcc.resolve(pc->cache, addr, &sym) || !sym.name)
		return e;
	e->found = true;
	e->name = xstrdup(sym.demangle_name ? sym.demangle_name : sym.name);
	e->module = sym.module ? xstrdup(sym.module) : NULL;
	e->offset = sym.offset;
	s->bcc.free_demangle(&sym);
	return e;
}

/* ---- the hooks ------------------------------------------------------------------------------ */

static char *next_buf(struct syms *s, char **mod)
{
	unsigned i = s->next++ % 4;
	if (mod)
		*mod = s->modbuf[i];
	return s->buf[i];
}

static const char *ksym_hook(void *ctx, uint64_t addr, bool with_offset)
{
	struct syms *s = ctx;
	if (!s->k.loaded)
		ksyms_load(&s->k);
	const struct ksym *k = ksym_find(&s->k, addr);
	if (!k)
		return NULL;
	char *b = next_buf(s, NULL);
	if (with_offset)
		snprintf(b, sizeof(s->buf[0]), "%s+%llu", k->name, (unsigned long long)(addr - k->addr));
	else
		snprintf(b, sizeof(s->buf[0]), "%s", k->name);
	return b;
}

static const char *usym_hook(void *ctx, uint64_t addr, uint32_t pid, bool with_offset,
			     const char **module)
{
	struct syms *s = ctx;
	char *mod;

	*module = NULL;
	if (!bcc_open(&s->bcc))
		return NULL;
	const struct usym_entry *e = usym_lookup(s, addr, pid);
	if (!e->found)
		return NULL;
	char *b = next_buf(s, &mod);
	if (with_offset)
		snprintf(b, sizeof(s->buf[0]), "%s+%llu", e->name, (unsigned long long)e->offset);
	else
		snprintf(b, sizeof(s->buf[0]), "%s", e->name);
	if (e->module) {
		snprintf(mod, sizeof(s->modbuf[0]), "%s", e->module);
		*module = mod;
	}
	return b;
}

struct symbolizer *symbolizer_new(void)
{
	struct syms *s = xcalloc(1, sizeof(*s));
	s->pub.ctx = s;
	s->pub.ksym = ksym_hook;
	s->pub.usym = usym_hook;
	return &s->pub;
}

void symbolizer_free(struct symbolizer *pub)
{
	struct syms *s = pub ? pub->ctx : NULL;
	if (!s)
		return;
	for (size_t i = 0; i < s->npids; i++)
		if (s->pids[i].cache)
			s->bcc.cache_free(s->pids[i].cache, (int)s->pids[i].pid);
	free(s->pids);
	for (size_t i = 0; i < s->addrs.cap; i++) {
		free(s->addrs.e[i].name);
		free(s->addrs.e[i].module);
	}
	free(s->addrs.e);
	if (s->bcc.h)
		dlclose(s->bcc.h);
	free(s->k.s);
	free(s->k.names);
	free(s);
}
