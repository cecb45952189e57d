/* SPDX-License-Identifier: Apache-2.0 */
/* Kernel (kallsyms) and user (libbcc, loaded lazily) symbol lookups behind struct symbolizer. */
#include "symbols.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

struct pid_cache {
	uint32_t pid;
	void *cache;
};

struct syms {
	struct symbolizer pub;
	struct kernel_syms k;
	struct bcc_api bcc;
	struct pid_cache *pids;
	size_t npids, cap_pids;
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

static void *pid_cache(struct syms *s, uint32_t pid)
{
	for (size_t i = 0; i < s->npids; i++)
		if (s->pids[i].pid == pid)
			return s->pids[i].cache;
	/* functions (STT_FUNC, STT_GNU_IFUNC), read lazily, from debug files where present */
	struct bcc_sym_opt opt = { 1, 1, 1, (1u << 2) | (1u << 10) };
	void *c = s->bcc.cache_new((int)pid, &opt);
	if (s->npids == s->cap_pids) {
		s->cap_pids = s->cap_pids ? s->cap_pids * 2 : 16;
		s->pids = xrealloc(s->pids, sizeof(*s->pids) * s->cap_pids);
	}
	s->pids[s->npids++] = (struct pid_cache){ pid, c };
	return c;
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
	struct bcc_sym sym = { 0 };
	char *mod;

	*module = NULL;
	if (!bcc_open(&s->bcc))
		return NULL;
	void *c = pid_cache(s, pid);
	if (!c || s->bcc.resolve(c, addr, &sym) || !sym.name)
		return NULL;
	char *b = next_buf(s, &mod);
	const char *name = sym.demangle_name ? sym.demangle_name : sym.name;
	if (with_offset)
		snprintf(b, sizeof(s->buf[0]), "%s+%llu", name, (unsigned long long)sym.offset);
	else
		snprintf(b, sizeof(s->buf[0]), "%s", name);
	if (sym.module) {
		snprintf(mod, sizeof(s->modbuf[0]), "%s", sym.module);
		*module = mod;
	}
	s->bcc.free_demangle(&sym);
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
	if (s->bcc.h)
		dlclose(s->bcc.h);
	free(s->k.s);
	free(s->k.names);
	free(s);
}
