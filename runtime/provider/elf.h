/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the user-space providers need from ELF files: function symbols with
 * their file offsets (uprobe), USDT notes (usdt), and finding a binary or a
 * library from the name a user writes (`bash`, `libc`, `/proc/PID/root/...`).
 */
#ifndef CTRACE_PROVIDER_ELF_H
#define CTRACE_PROVIDER_ELF_H

#include <stddef.h>
#include <stdint.h>

/* A function symbol; off is where its first instruction is in the file (what uprobes want). */
struct elf_func {
	const char *name;
	uint64_t addr, size, off;
};

/* A list of function symbols owned by one allocation; sorted by name, unique names. */
struct elf_funcs {
	struct elf_func *f;
	size_t n;
	char *strings;
};

/*
 * The defined functions of path from .symtab and .dynsym (STT_FUNC and
 * STT_GNU_IFUNC), versioned names (`malloc@@GLIBC_2.2.5`) without their
 * version.  0, or a negative errno (-ENOENT: no such file, -ENOEXEC: not ELF).
 */
int elf_funcs_load(const char *path, struct elf_funcs *out);
void elf_funcs_free(struct elf_funcs *fs);
/* The symbol named name, or NULL. */
const struct elf_func *elf_funcs_find(const struct elf_funcs *fs, const char *name);

/* The file offset of virtual address vaddr of path (`uprobe:BIN:0xADDR`). */
int elf_addr_to_off(const char *path, uint64_t vaddr, uint64_t *off);

/* One USDT probe site from .note.stapsdt; offsets are file offsets (0: no semaphore). */
struct usdt_note {
	const char *provider, *name, *args;
	uint64_t pc, off, sema_off;
};

struct usdt_notes {
	struct usdt_note *n;
	size_t count;
	char *strings;
};

int elf_usdt_load(const char *path, struct usdt_notes *out);
void elf_usdt_free(struct usdt_notes *ns);

/*
 * The file behind the binary or library name a user wrote: a path (kept as
 * written when under /proc, else made canonical), a command found in PATH,
 * or a library by name (`libc`, `libssl.so.3`) from the process's maps when
 * pid > 0, else ld.so.cache and the standard directories.  0 or -ENOENT.
 */
int elf_resolve(const char *name, int pid, char *out, size_t len);

#endif
