// SPDX-License-Identifier: Apache-2.0
/* printf rendering with C semantics over typed argument bytes; buffers; strftime. */
#include "printf.h"

#include <string.h>

#include "format.h"
#include "value.h"

void format_buffer(struct strbuf *b, const uint8_t *p, size_t n, enum buf_mode m)
{
	for (size_t i = 0; i < n; i++) {
		if (m == BUF_HEX_SPACED)
			strbuf_printf(b, i ? " %02x" : "%02x", p[i]);
		else if (m == BUF_ASCII && p[i] >= 32 && p[i] <= 126)
			strbuf_putc(b, (char)p[i]);
		else
			strbuf_printf(b, "\\x%02x", p[i]);
	}
}

/* Pad `body` (prefix + digits, or text) to the spec's width. */
static void pad_out(struct strbuf *b, const struct fmt_spec *sp, const char *prefix,
		    const char *body, size_t body_len, bool zero_ok)
{
	size_t plen = strlen(prefix), total = plen + body_len;
	size_t pad = sp->width > 0 && (size_t)sp->width > total ? (size_t)sp->width - total : 0;

	if (sp->minus) {
		strbuf_puts(b, prefix);
		strbuf_add(b, body, body_len);
		strbuf_pad(b, ' ', pad);
	} else if (sp->zero && zero_ok) {
		strbuf_puts(b, prefix);
		strbuf_pad(b, '0', pad);
		strbuf_add(b, body, body_len);
	} else {
		strbuf_pad(b, ' ', pad);
		strbuf_puts(b, prefix);
		strbuf_add(b, body, body_len);
	}
}

/* An integer with C's flags, width and precision. */
static void int_out(struct strbuf *b, const struct fmt_spec *sp, bool neg, uint64_t mag,
		    unsigned base, bool upper, bool is_signed)
{
	const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[72], *d = tmp + sizeof(tmp);
	const char *prefix = "";
	size_t n;

	do {
		*--d = dig[mag % base];
		mag /= base;
	} while (mag);
	n = (size_t)(tmp + sizeof(tmp) - d);
	if (sp->precision == 0 && n == 1 && *d == '0')
		n = 0, d = tmp + sizeof(tmp); /* "%.0d" of 0 prints no digits */
	while (sp->precision > 0 && n < (size_t)sp->precision && d > tmp) {
		*--d = '0';
		n++;
	}
	if (sp->hash && base == 8 && (n == 0 || *d != '0')) {
		*--d = '0';
		n++;
	}
	if (is_signed)
		prefix = neg ? "-" : sp->plus ? "+" : sp->space ? " " : "";
	else if (sp->hash && base == 16 && (n > 1 || (n == 1 && *d != '0')))
		prefix = upper ? "0X" : "0x";
	pad_out(b, sp, prefix, d, n, sp->precision < 0);
}

static int64_t cast_signed(uint64_t v, enum fmt_len len)
{
	switch (len) {
	case FMT_LEN_NONE: return (int32_t)v;
	case FMT_LEN_HH: return (int8_t)v;
	case FMT_LEN_H: return (int16_t)v;
	default: return (int64_t)v;
	}
}

static uint64_t cast_unsigned(uint64_t v, enum fmt_len len)
{
	switch (len) {
	case FMT_LEN_NONE: return (uint32_t)v;
	case FMT_LEN_HH: return (uint8_t)v;
	case FMT_LEN_H: return (uint16_t)v;
	default: return v;
	}
}

static void text_out(struct strbuf *b, const struct fmt_spec *sp, const char *s, size_t n)
{
	if (sp->precision >= 0 && (size_t)sp->precision < n)
		n = (size_t)sp->precision;
	pad_out(b, sp, "", s, n, false);
}

static void buffer_out(struct strbuf *b, const struct fmt_spec *sp, const struct type *t,
		       const uint8_t *p)
{
	static const enum buf_mode modes[] = { [FMT_CONV_R] = BUF_ASCII,
					       [FMT_CONV_RX] = BUF_HEX_ALL,
					       [FMT_CONV_RH] = BUF_HEX_SPACED };
	struct strbuf tmp = { 0 };
	uint64_t len = value_load_u(p, 4), cap = t->size > 4 ? t->size - 4 : 0;

	format_buffer(&tmp, p + 4, (size_t)(len < cap ? len : cap), modes[sp->conv]);
	text_out(b, sp, strbuf_str(&tmp), tmp.len);
	strbuf_free(&tmp);
}

static void value_out(struct strbuf *b, const struct value_ctx *c, const struct fmt_spec *sp,
		      const struct type *t, const uint8_t *p)
{
	struct strbuf tmp = { 0 };

	value_text(&tmp, c, t, p);
	text_out(b, sp, strbuf_str(&tmp), tmp.len);
	strbuf_free(&tmp);
}

static void conv_out(struct strbuf *b, const struct value_ctx *c, const struct fmt_spec *sp,
		     const struct type *t, const uint8_t *p)
{
	bool intlike = t->kind == TY_INT || t->kind == TY_BOOL || t->kind == TY_PTR ||
		       t->kind == TY_ENUM;
	uint64_t v = intlike ? value_int_bits(t, p) : 0;
	int64_t s;
	char ch;

	if (!intlike && sp->conv != FMT_CONV_S && t->kind == TY_BUFFER) {
		buffer_out(b, sp, t, p);
		return;
	}
	if (!intlike || sp->conv == FMT_CONV_S) {
		value_out(b, c, sp, t, p);
		return;
	}
	switch (sp->conv) {
	case FMT_CONV_D:
		s = cast_signed(v, sp->len);
		int_out(b, sp, s < 0, s < 0 ? 0 - (uint64_t)s : (uint64_t)s, 10, false, true);
		break;
	case FMT_CONV_U: int_out(b, sp, false, cast_unsigned(v, sp->len), 10, false, false); break;
	case FMT_CONV_O: int_out(b, sp, false, cast_unsigned(v, sp->len), 8, false, false); break;
	case FMT_CONV_X: int_out(b, sp, false, cast_unsigned(v, sp->len), 16, false, false); break;
	case FMT_CONV_XX: int_out(b, sp, false, cast_unsigned(v, sp->len), 16, true, false); break;
	case FMT_CONV_C:
		ch = (char)v;
		pad_out(b, sp, "", &ch, 1, false);
		break;
	case FMT_CONV_P:
		if (!v) {
			text_out(b, sp, "(nil)", 5); /* glibc */
			break;
		}
		{
			struct fmt_spec hex = *sp;

			hex.hash = true;
			hex.plus = hex.space = false;
			int_out(b, &hex, false, v, 16, false, false);
		}
		break;
	default: value_out(b, c, sp, t, p); break;
	}
}

void printf_render(struct strbuf *b, const struct value_ctx *c, const char *fmt,
		   const struct type *args, const uint8_t *payload, size_t len)
{
	struct fmt_piece piece;
	size_t pos = 0;
	unsigned arg = 0;

	while (format_next(fmt, &pos, &piece)) {
		const struct field *f;

		if (!piece.is_spec) {
			strbuf_add(b, piece.text, piece.len);
			continue;
		}
		if (!args || arg >= args->nfields)
			continue;
		f = &args->fields[arg++];
		if ((size_t)f->offset + f->type->size > len)
			continue;
		conv_out(b, c, &piece.spec, f->type, payload + f->offset);
	}
}

/* Copy fmt, replacing bpftrace's sub-second conversions with digits. */
static void expand_subsec(struct strbuf *out, const char *fmt, long nsec, bool extended)
{
	for (const char *p = fmt; *p; p++) {
		if (p[0] != '%' || !p[1]) {
			strbuf_putc(out, *p);
			continue;
		}
		if (p[1] == 'f')
			strbuf_printf(out, "%06ld", nsec / 1000);
		else if (extended && p[1] == 'k')
			strbuf_printf(out, "%09ld", nsec);
		else if (extended && p[1] == 'l')
			strbuf_printf(out, "%03ld", nsec / 1000000);
		else
			strbuf_add(out, p, 2); /* includes "%%", which strftime handles */
		p++;
	}
}

void format_time(struct strbuf *b, const char *fmt, struct timespec ts, bool extended)
{
	struct strbuf f = { 0 };
	struct tm tm;
	char out[512];
	size_t n;

	if (!localtime_r(&ts.tv_sec, &tm)) {
		strbuf_puts(b, "(?)");
		return;
	}
	expand_subsec(&f, fmt, ts.tv_nsec, extended);
	/* The format is the script's, so it cannot be a literal. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	n = strftime(out, sizeof(out), strbuf_str(&f), &tm);
#pragma GCC diagnostic pop
	strbuf_add(b, out, n);
	strbuf_free(&f);
}
