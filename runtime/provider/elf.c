/* SPDX-License-Identifier: Apache-2.0 */
/* ELF function symbols, USDT notes and binary/library lookup for uprobe and usdt (libelf). */
#include "elf.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"

/* ---- opening ------------------------------------------------------------------------------ */

struct elf_h {
	int fd;
	Elf *e;
};

static int elf_open(const char *path, struct elf_h *h)
{
	h->e = NULL;
	h->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (h->fd < 0)
		return -errno;
	elf_version(EV_CURRENT);
	h->e = elf_begin(h->fd, ELF_C_READ_MMAP, NULL);
	if (!h->e || elf_kind(h->e) != ELF_K_ELF) {
		if (h->e)
			elf_end(h->e);
		close(h->fd);
		return -ENOEXEC;
	}
	return 0;
}

static void elf_close(struct elf_h *h)
{
	elf_end(h->e);
	close(h->fd);
}

/*
 * A virtual address as an offset into the file, through the PT_LOAD segment
 * holding it: uprobes and semaphore reference counters are placed by file
 * offset, which differs from the address in PIE executables and libraries
 * whose segments are not aligned the same way in memory and on disk.
 */
static int vaddr_to_off(Elf *e, uint64_t vaddr, uint64_t *off)
{
	size_t n;
	if (elf_getphdrnum(e, &n))
		return -ENOEXEC;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (vaddr >= ph.p_vaddr && vaddr < ph.p_vaddr + ph.p_memsz) {
			*off = vaddr - ph.p_vaddr + ph.p_offset;
			return 0;
		}
	}
	return -ENOENT;
}

/* ---- function symbols --------------------------------------------------------------------- */

struct sym_buf {
	struct elf_func *f;
	size_t n, cap;
	char *str;
	size_t slen, scap;
};

static void add_sym(struct sym_buf *b, const char *name, size_t nlen, uint64_t addr, uint64_t size,
		    uint64_t off)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 1024;
		b->f = xrealloc(b->f, sizeof(*b->f) * b->cap);
	}
	if (b->slen + nlen + 1 > b->scap) {
		b->scap = (b->scap + nlen + 1) * 2;
		b->str = xrealloc(b->str, b->scap);
	}
	memcpy(b->str + b->slen, name, nlen);
	b->str[b->slen + nlen] = '\0';
	/* names are offsets until the string buffer stops moving */
	b->f[b->n++] = (struct elf_func){ .name = (const char *)(uintptr_t)b->slen, .addr = addr,
					  .size = size, .off = off };
	b->slen += nlen + 1;
}

static void scan_symtab(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh, struct sym_buf *b)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;

	for (size_t i = 0; d && i < n; i++) {
		GElf_Sym s;
		if (!gelf_getsym(d, (int)i, &s) || s.st_shndx == SHN_UNDEF || !s.st_value)
			continue;
		int type = GELF_ST_TYPE(s.st_info);
		if (type != STT_FUNC && type != STT_GNU_IFUNC)
			continue;
		const char *name = elf_strptr(e, sh->sh_link, s.st_name);
		uint64_t off;
		if (!name || !*name || vaddr_to_off(e, s.st_value, &off))
			continue;
		add_sym(b, name, strcspn(name, "@"), s.st_value, s.st_size, off);
	}
}

static int cmp_func(const void *a, const void *b)
{
	const struct elf_func *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->addr > y->addr) - (x->addr < y->addr);
}

int elf_funcs_load(const char *path, struct elf_funcs *out)
{
	struct elf_h h;
	struct sym_buf b = { 0 };
	int err = elf_open(path, &h);

	memset(out, 0, sizeof(*out));
	if (err)
		return err;
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(h.e, scn));) {
		GElf_Shdr sh;
		if (gelf_getshdr(scn, &sh) && (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM))
			scan_symtab(h.e, scn, &sh, &b);
	}
	elf_close(&h);
	for (size_t i = 0; i < b.n; i++)
		b.f[i].name = b.str + (uintptr_t)b.f[i].name;
	if (b.n)
		qsort(b.f, b.n, sizeof(*b.f), cmp_func);
	/* the same function is usually in both tables: keep each name once */
	size_t u = 0;
	for (size_t i = 0; i < b.n; i++)
		if (!u || strcmp(b.f[u - 1].name, b.f[i].name))
			b.f[u++] = b.f[i];
	out->f = b.f;
	out->n = u;
	out->strings = b.str;
	return 0;
}

void elf_funcs_free(struct elf_funcs *fs)
{
	free(fs->f);
	free(fs->strings);
	memset(fs, 0, sizeof(*fs));
}

const struct elf_func *elf_funcs_find(const struct elf_funcs *fs, const char *name)
{
	size_t lo = 0, hi = fs->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(fs->f[mid].name, name);
		if (!c)
			return &fs->f[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---- USDT notes --------------------------------------------------------------------------- */

/* The address .stapsdt.base has in this file: notes record where it was at link time. */
static bool stapsdt_base(Elf *e, uint64_t *addr)
{
	size_t shstrndx;
	if (elf_getshdrstrndx(e, &shstrndx))
		return false;
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(e, scn));) {
		GElf_Shdr sh;
		const char *name;
		if (gelf_getshdr(scn, &sh) && (name = elf_strptr(e, shstrndx, sh.sh_name)) &&
		    !strcmp(name, ".stapsdt.base")) {
			*addr = sh.sh_addr;
			return true;
		}
	}
	return false;
}

static void add_note(Elf *e, const uint8_t *desc, size_t len, bool has_base, uint64_t base,
		     struct usdt_notes *out, size_t *cap, struct sym_buf *strs)
{
	uint64_t pc, link_base, sema;
	if (len < 24)
		return;
	memcpy(&pc, desc, 8);
	memcpy(&link_base, desc + 8, 8);
	memcpy(&sema, desc + 16, 8);
	const char *prov = (const char *)desc + 24, *end = (const char *)desc + len;
	const char *name = memchr(prov, '\0', (size_t)(end - prov));
	const char *args = name ? memchr(name + 1, '\0', (size_t)(end - name - 1)) : NULL;
	if (!name || !args || !memchr(args + 1, '\0', (size_t)(end - args - 1)))
		return;
	name++;
	args++;
	if (has_base) {
		/* prelinked or relocated since the note was written */
		pc += base - link_base;
		if (sema)
			sema += base - link_base;
	}
	struct usdt_note n = { .pc = pc };
	if (vaddr_to_off(e, pc, &n.off) || (sema && vaddr_to_off(e, sema, &n.sema_off)))
		return;
	if (out->count == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		out->n = xrealloc(out->n, sizeof(*out->n) * *cap);
	}
	/* the three strings, as offsets into strs until it stops growing */
	n.provider = (const char *)(uintptr_t)strs->slen;
	add_sym(strs, prov, strlen(prov), 0, 0, 0);
	n.name = (const char *)(uintptr_t)strs->slen;
	add_sym(strs, name, strlen(name), 0, 0, 0);
	n.args = (const char *)(uintptr_t)strs->slen;
	add_sym(strs, args, strlen(args), 0, 0, 0);
	out->n[out->count++] = n;
}

static void scan_notes(Elf *e, Elf_Scn *scn, bool has_base, uint64_t base, struct usdt_notes *out,
		       size_t *cap, struct sym_buf *strs)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nh;

	while (d && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
		if (nh.n_type != 3 || nh.n_namesz != 8 ||
		    memcmp((const char *)d->d_buf + name_off, "stapsdt", 8))
			continue;
		add_note(e, (const uint8_t *)d->d_buf + desc_off, nh.n_descsz, has_base, base, out,
			 cap, strs);
	}
}

int elf_addr_to_off(const char *path, uint64_t vaddr, uint64_t *off)
{
	struct elf_h h;
	int err = elf_open(path, &h);
	if (err)
		return err;
	err = vaddr_to_off(h.e, vaddr, off);
	elf_close(&h);
	return err;
}

int elf_usdt_load(const char *path, struct usdt_notes *out)
{
	struct elf_h h;
	struct sym_buf strs = { 0 };
	size_t cap = 0, shstrndx;
	uint64_t base = 0;
	int err = elf_open(path, &h);

	memset(out, 0, sizeof(*out));
	if (err)
		return err;
	bool has_base = stapsdt_base(h.e, &base);
	if (elf_getshdrstrndx(h.e, &shstrndx))
		shstrndx = 0;
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(h.e, scn));) {
		GElf_Shdr sh;
		const char *name;
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_NOTE &&
		    (name = elf_strptr(h.e, shstrndx, sh.sh_name)) && !strcmp(name, ".note.stapsdt"))
			scan_notes(h.e, scn, has_base, base, out, &cap, &strs);
	}
	elf_close(&h);
	for (size_t i = 0; i < out->count; i++) {
		out->n[i].provider = strs.str + (uintptr_t)out->n[i].provider;
		out->n[i].name = strs.str + (uintptr_t)out->n[i].name;
		out->n[i].args = strs.str + (uintptr_t)out->n[i].args;
	}
	free(strs.f);
	out->strings = strs.str;
	return 0;
}

void elf_usdt_free(struct usdt_notes *ns)
{
	free(ns->n);
	free(ns->strings);
	memset(ns, 0, sizeof(*ns));
}

/* ---- finding binaries and libraries -------------------------------------------------------- */

static bool is_file(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISREG(st.st_mode);
}

/* Paths under /proc (PID/root, PID/exe) lead into another mount namespace: keep them as written. */
static int keep_or_canonical(const char *path, char *out, size_t len)
{
	char real[PATH_MAX];
	if (!is_file(path))
		return -ENOENT;
	if (!strncmp(path, "/proc/", 6) || !realpath(path, real))
		snprintf(out, len, "%s", path);
	else
		snprintf(out, len, "%s", real);
	return 0;
}

/* Does a library file name (`libc.so.6`) answer to what the user wrote (`libc`, `c`, `libc.so.6`)? */
static bool lib_matches(const char *file, const char *want)
{
	size_t n = strlen(want);
	if (!strcmp(file, want))
		return true;
	if (!strncmp(file, want, n) && !strncmp(file + n, ".so", 3))
		return true;
	return !strncmp(file, "lib", 3) && !strncmp(file + 3, want, n) && !strncmp(file + 3 + n, ".so", 3);
}

static int from_maps(const char *want, int pid, char *out, size_t len)
{
	char path[64], line[PATH_MAX + 128];
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -ENOENT;
	int err = -ENOENT;
	while (err && fgets(line, sizeof(line), f)) {
		char *file = strchr(line, '/');
		if (!file)
			continue;
		file[strcspn(file, "\n")] = '\0';
		const char *base = strrchr(file, '/') + 1;
		if (lib_matches(base, want)) {
			/* the file as the process sees it, reached through its root */
			snprintf(out, len, "/proc/%d/root%s", pid, file);
			err = is_file(out) ? 0 : -ENOENT;
		}
	}
	fclose(f);
	return err;
}

/* glibc's ld.so.cache, new format: a header, then entries of {flags, key, value, ...}. */
static int from_ld_cache(const char *want, char *out, size_t len)
{
	int fd = open("/etc/ld.so.cache", O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return -ENOENT;
	if (fstat(fd, &st) || st.st_size < 48) {
		close(fd);
		return -ENOENT;
	}
	size_t size = (size_t)st.st_size;
	const char *m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -ENOENT;
	int err = -ENOENT;
	if (!memcmp(m, "glibc-ld.so.cache1.1", 20)) {
		uint32_t nlibs;
		memcpy(&nlibs, m + 20, 4);
		for (uint32_t i = 0; i < nlibs && 48 + (i + 1) * 24ul <= size && err; i++) {
			const char *e = m + 48 + i * 24ul;
			uint32_t flags, key, val;
			memcpy(&flags, e, 4);
			memcpy(&key, e + 4, 4);
			memcpy(&val, e + 8, 4);
			/* 0x0300: x86-64 libc6 libraries */
			if ((flags & 0xff00) != 0x0300 || key >= size || val >= size ||
			    !memchr(m + key, '\0', size - key) || !memchr(m + val, '\0', size - val))
				continue;
			if (lib_matches(m + key, want))
				err = keep_or_canonical(m + val, out, len);
		}
	}
	munmap((void *)m, size);
	return err;
}

static int from_dirs(const char *want, const char *dirs, int mode, char *out, size_t len)
{
	char *copy = xstrdup(dirs), *save = NULL;
	int err = -ENOENT;
	for (char *d = strtok_r(copy, ":", &save); d && err; d = strtok_r(NULL, ":", &save)) {
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", d, want);
		if (!access(path, mode))
			err = keep_or_canonical(path, out, len);
	}
	free(copy);
	return err;
}

int elf_resolve(const char *name, int pid, char *out, size_t len)
{
	if (strchr(name, '/'))
		return keep_or_canonical(name, out, len);
	if (pid > 0 && !from_maps(name, pid, out, len))
		return 0;
	const char *path = getenv("PATH");
	if (!from_dirs(name, path ? path : "/usr/local/bin:/usr/bin:/bin", X_OK, out, len))
		return 0;
	if (!from_ld_cache(name, out, len))
		return 0;
	const char *ld = getenv("LD_LIBRARY_PATH");
	if (ld && !from_dirs(name, ld, R_OK, out, len))
		return 0;
	char so[NAME_MAX + 1];
	snprintf(so, sizeof(so), "%s%s.so", strncmp(name, "lib", 3) ? "lib" : "", name);
	return from_dirs(strstr(name, ".so") ? name : so,
			 "/usr/lib/x86_64-linux-gnu:/lib/x86_64-linux-gnu:/usr/lib64:/lib64:/usr/lib:/lib",
			 R_OK, out, len);
}
