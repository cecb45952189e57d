// SPDX-License-Identifier: Apache-2.0
/* Parsing printf formats and checking them against argument types. */
#include "format.h"

#include <string.h>

#include "diag.h"
#include "type.h"

/* Digits or '*' (ignored: bpftrace has no variable widths); -1 if absent. */
static int parse_number(const char *s, size_t *i)
{
	int v = 0;

	if (s[*i] == '*') {
		(*i)++;
		return -1;
	}
	if (s[*i] < '0' || s[*i] > '9')
		return -1;
	while (s[*i] >= '0' && s[*i] <= '9') {
		if (v < 100000)
			v = v * 10 + (s[*i] - '0');
		(*i)++;
	}
	return v;
}

static enum fmt_len parse_len(const char *s, size_t *i)
{
	size_t start = *i, n;

	while (s[*i] && strchr("hlLjzt", s[*i]))
		(*i)++;
	n = *i - start;
	if (n == 0)
		return FMT_LEN_NONE;
	if (n == 2 && !strncmp(s + start, "hh", 2))
		return FMT_LEN_HH;
	if (n == 2 && !strncmp(s + start, "ll", 2))
		return FMT_LEN_LL;
	if (n != 1)
		return FMT_LEN_LL; /* bpftrace's default for odd combinations: 64 bits */
	switch (s[start]) {
	case 'h': return FMT_LEN_H;
	case 'l': return FMT_LEN_L;
	case 'j': return FMT_LEN_J;
	case 'z': return FMT_LEN_Z;
	case 't': return FMT_LEN_T;
	default: return FMT_LEN_BIG_L;
	}
}

static bool parse_conv(const char *s, size_t *i, struct fmt_spec *sp)
{
	char c = s[*i];

	sp->name[0] = c;
	sp->name[1] = sp->name[2] = '\0';
	if (!c)
		return false;
	(*i)++;
	switch (c) {
	case 'd':
	case 'i': sp->conv = FMT_CONV_D; return true;
	case 'u': sp->conv = FMT_CONV_U; return true;
	case 'o': sp->conv = FMT_CONV_O; return true;
	case 'x': sp->conv = FMT_CONV_X; return true;
	case 'X': sp->conv = FMT_CONV_XX; return true;
	case 'c': sp->conv = FMT_CONV_C; return true;
	case 's': sp->conv = FMT_CONV_S; return true;
	case 'p': sp->conv = FMT_CONV_P; return true;
	case 'r':
		sp->conv = FMT_CONV_R;
		if (s[*i] == 'x' || s[*i] == 'h') {
			sp->conv = s[*i] == 'x' ? FMT_CONV_RX : FMT_CONV_RH;
			sp->name[1] = s[(*i)++];
		}
		return true;
	default:
		if (strchr("eEfFgGaAn", c)) {
			sp->conv = FMT_CONV_UNSUPPORTED;
			return true;
		}
		return false;
	}
}

/* A conversion starting at fmt[start] == '%'; its end in *end. */
static bool parse_spec(const char *fmt, size_t start, size_t *end, struct fmt_spec *sp)
{
	size_t i = start + 1;

	memset(sp, 0, sizeof(*sp));
	for (;; i++) {
		switch (fmt[i]) {
		case '-': sp->minus = true; continue;
		case '+': sp->plus = true; continue;
		case ' ': sp->space = true; continue;
		case '#': sp->hash = true; continue;
		case '0': sp->zero = true; continue;
		default: break;
		}
		break;
	}
	sp->width = parse_number(fmt, &i);
	sp->precision = -1;
	if (fmt[i] == '.') {
		i++;
		sp->precision = parse_number(fmt, &i);
		if (sp->precision < 0)
			sp->precision = 0;
	}
	sp->len = parse_len(fmt, &i);
	if (!parse_conv(fmt, &i, sp))
		return false;
	*end = i;
	return true;
}

bool format_next(const char *fmt, size_t *pos, struct fmt_piece *out)
{
	size_t i = *pos, end;

	memset(out, 0, sizeof(*out));
	if (!fmt[i])
		return false;
	out->text = fmt + i;
	if (fmt[i] != '%') {
		const char *pct = strchr(fmt + i, '%');

		out->len = pct ? (size_t)(pct - (fmt + i)) : strlen(fmt + i);
		*pos = i + out->len;
		return true;
	}
	if (fmt[i + 1] == '%') {
		out->len = 1;
		*pos = i + 2;
		return true;
	}
	if (parse_spec(fmt, i, &end, &out->spec)) {
		out->is_spec = true;
		out->len = end - i;
		*pos = end;
		return true;
	}
	out->len = 1; /* a lone '%' is copied as it is */
	*pos = i + 1;
	return true;
}

unsigned format_nargs(const char *fmt)
{
	struct fmt_piece p;
	size_t pos = 0;
	unsigned n = 0;

	while (format_next(fmt, &pos, &p))
		n += p.is_spec;
	return n;
}

static bool integer_like(const struct type *t)
{
	return t->kind == TY_INT || t->kind == TY_BOOL || t->kind == TY_PTR || t->kind == TY_ENUM;
}

static bool spec_accepts(const struct fmt_spec *sp, const struct type *t)
{
	switch (sp->conv) {
	case FMT_CONV_S: return true;
	case FMT_CONV_R:
	case FMT_CONV_RX:
	case FMT_CONV_RH: return t->kind == TY_BUFFER;
	default: return integer_like(t);
	}
}

int format_check(struct diags *d, const struct loc *loc, const char *fname, const char *fmt,
		 const struct type *const *args, unsigned nargs)
{
	unsigned expected = format_nargs(fmt), i = 0;
	struct fmt_piece p;
	size_t pos = 0;

	if (nargs < expected) {
		diag_error(d, loc, "not enough arguments for format string (%u supplied, %u expected)",
			   nargs, expected);
		return -1;
	}
	if (nargs > expected) {
		diag_error(d, loc, "too many arguments for format string (%u supplied, %u expected)",
			   nargs, expected);
		return -1;
	}
	while (format_next(fmt, &pos, &p)) {
		if (!p.is_spec)
			continue;
		if (p.spec.conv == FMT_CONV_UNSUPPORTED) {
			diag_error(d, loc, "unsupported format specifier: %s", p.spec.name);
			return -1;
		}
		if (!spec_accepts(&p.spec, args[i])) {
			diag_error(d, loc, "unsupported format specifier for type '%s': %s",
				   type_str(d->arena, args[i]), p.spec.name);
			return -1;
		}
		i++;
	}
	return 0;
}
