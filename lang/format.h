/* SPDX-License-Identifier: Apache-2.0 */
/*
 * printf-style formats (printf, errorf, warnf, system, cat): split into
 * literal text and conversions, and checked against the argument types at
 * compile time.  The runtime renders with the same parser (runtime/printf.c).
 */
#ifndef CTRACE_FORMAT_H
#define CTRACE_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

struct diags;
struct loc;
struct type;

enum fmt_len { FMT_LEN_NONE, FMT_LEN_HH, FMT_LEN_H, FMT_LEN_L, FMT_LEN_LL, FMT_LEN_J,
	       FMT_LEN_Z, FMT_LEN_T, FMT_LEN_BIG_L };

enum fmt_conv {
	FMT_CONV_D,  /* d i */
	FMT_CONV_U,  /* u */
	FMT_CONV_O,  /* o */
	FMT_CONV_X,  /* x */
	FMT_CONV_XX, /* X */
	FMT_CONV_C,  /* c */
	FMT_CONV_S,  /* s: any value, in its text form */
	FMT_CONV_P,  /* p */
	FMT_CONV_R,  /* r: buffer, printable bytes as-is, others \xNN */
	FMT_CONV_RX, /* rx: buffer, every byte \xNN */
	FMT_CONV_RH, /* rh: buffer, bytes as hex pairs separated by spaces */
	FMT_CONV_UNSUPPORTED, /* e E f F g G a A n: parsed, rejected by format_check */
};

struct fmt_spec {
	bool minus, plus, space, hash, zero;
	int width;     /* -1: none; '*' is accepted and ignored, as bpftrace does */
	int precision; /* -1: none */
	enum fmt_len len;
	enum fmt_conv conv;
	char name[3];  /* the conversion as written: "d", "rx", "f" */
};

/* One piece of a format: literal bytes to copy, or a conversion. */
struct fmt_piece {
	bool is_spec;
	const char *text; /* literal: the bytes to copy; spec: its text in the format */
	size_t len;
	struct fmt_spec spec;
};

/*
 * The piece of fmt starting at *pos, advancing *pos; false at the end.
 * "%%" is the literal "%"; a '%' that does not start a valid conversion is
 * copied literally.
 */
bool format_next(const char *fmt, size_t *pos, struct fmt_piece *out);
/* Number of conversions (arguments expected) in fmt. */
unsigned format_nargs(const char *fmt);

/*
 * Check fmt against the argument types, reporting at loc with bpftrace's
 * messages: "not enough arguments for format string (N supplied, M
 * expected)", "too many arguments ...", "unsupported format specifier: f",
 * "unsupported format specifier for type 'string[4]': d".  fname is the
 * calling function (printf, errorf, ...), kept for callers' messages.
 * Returns 0, or -1 after reporting an error.
 */
int format_check(struct diags *d, const struct loc *loc, const char *fname, const char *fmt,
		 const struct type *const *args, unsigned nargs);

#endif
