/* SPDX-License-Identifier: Apache-2.0 */
/* A bump allocator: one per compilation, freed in one call. */
#ifndef CTRACE_ARENA_H
#define CTRACE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

/* A new, empty arena.  Aborts on out-of-memory, like every allocation here. */
struct arena *arena_new(void);
/* Frees the arena and everything allocated from it.  NULL is fine. */
void arena_free(struct arena *a);
/* n zeroed bytes, aligned for any type. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Process-wide allocation helpers for code that does not use an arena. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t sz);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#define arena_new_obj(a, T) ((T *)arena_alloc((a), sizeof(T)))

#endif
