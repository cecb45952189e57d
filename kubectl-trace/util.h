/* SPDX-License-Identifier: Apache-2.0 */
/* util.h - growable buffers, checked allocation and error reporting for kubectl-trace. */
#ifndef KT_UTIL_H
#define KT_UTIL_H

#include <stdarg.h>
#include <stddef.h>

/* A growable byte buffer; p is always NUL-terminated when non-NULL. */
struct buf {
	char *p;
	size_t len, cap;
};

/* xmalloc, xcalloc, xrealloc, xstrdup: ctrace's own, which abort on out-of-memory */
#include "arena.h"
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void buf_add(struct buf *b, const void *data, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Drop the first n bytes (consumed input). */
void buf_consume(struct buf *b, size_t n);
void buf_free(struct buf *b);

/* Print "kubectl-trace: error: ..." to stderr. */
void kt_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kt_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Read a whole file into b; returns 0 or -errno. */
int read_file(const char *path, struct buf *b);

/* Monotonic time in milliseconds. */
long long now_ms(void);
void sleep_ms(long ms);

#endif
