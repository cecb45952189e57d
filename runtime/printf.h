/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rendering printf formats with typed argument bytes, C printf semantics
 * (as bpftrace 0.17 did); buffers for %r/%rx/%rh; strftime with bpftrace's
 * extensions.
 */
#ifndef CTRACE_PRINTF_H
#define CTRACE_PRINTF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct strbuf;
struct type;
struct value_ctx;

/*
 * Append fmt with its conversions filled from payload, whose layout is the
 * args TUPLE type (field i = argument i).  %d/%i print as 32-bit int and
 * %u/%x/%X/%o as 32-bit unsigned unless a length modifier widens them; %s
 * prints any value's text form; %c one byte; %p 0x + hex ("(nil)" for 0).
 * Arguments beyond len bytes are treated as missing and print nothing.
 */
void printf_render(struct strbuf *b, const struct value_ctx *c, const char *fmt,
		   const struct type *args, const uint8_t *payload, size_t len);

enum buf_mode {
	BUF_ASCII,      /* %r and the text form: bytes 32..126 as-is, others \xNN */
	BUF_HEX_ALL,    /* %rx: every byte \xNN */
	BUF_HEX_SPACED, /* %rh: "48 65 6c" */
};
void format_buffer(struct strbuf *b, const uint8_t *p, size_t n, enum buf_mode m);

/*
 * strftime(fmt) of ts in local time.  %f is microseconds (6 digits); with
 * extended, %k is nanoseconds (9) and %l milliseconds (3) as in HEAD's
 * strftime().  "(?)" when the time cannot be converted.
 */
void format_time(struct strbuf *b, const char *fmt, struct timespec ts, bool extended);

#endif
