// SPDX-License-Identifier: Apache-2.0
/* printf formats: parsing, compile-time checks and rendering with C printf semantics. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diag.h"
#include "format.h"
#include "printf.h"
#include "t_out.h"
#include "type.h"
#include "value.h"

static const struct type u8_t = { .kind = TY_INT, .size = 1, .align = 1 };
static const struct type s8_t = { .kind = TY_INT, .size = 1, .align = 1, .is_signed = true };
static const struct type s16_t = { .kind = TY_INT, .size = 2, .align = 2, .is_signed = true };
static const struct type u64_t = { .kind = TY_INT, .size = 8, .align = 8 };
static const struct type s64_t = { .kind = TY_INT, .size = 8, .align = 8, .is_signed = true };
static const struct type bool_t = { .kind = TY_BOOL, .size = 1, .align = 1 };
static const struct type ptr_t = { .kind = TY_PTR, .size = 8, .align = 8, .elem = &u8_t };
static const struct type str8_t = { .kind = TY_STRING, .size = 8, .align = 1 };
static const struct type buf8_t = { .kind = TY_BUFFER, .size = 12, .align = 4 };

static struct resources res = { .str_trunc_trailer = ".." };
static const struct value_ctx vc = { .res = &res };

/* Render fmt with one argument of type t holding data. */
static char *one(const char *fmt, const struct type *t, const void *data)
{
	struct field f = { .type = t, .offset = 0 };
	struct type args = { .kind = TY_TUPLE, .size = t->size, .fields = &f, .nfields = 1 };
	struct strbuf b = { 0 };
	char *s;

	printf_render(&b, &vc, fmt, &args, data, t->size);
	s = xstrdup(strbuf_str(&b));
	strbuf_free(&b);
	return s;
}

static char *int_arg(const char *fmt, const struct type *t, int64_t v)
{
	uint8_t p[8];

	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)((uint64_t)v >> (8 * i));
	return one(fmt, t, p);
}

#define CHECK_INT(fmt, t, v, want)                                                                 \
	do {                                                                                       \
		char *got_ = int_arg((fmt), (t), (v));                                              \
		T_STR(got_, (want));                                                               \
		free(got_);                                                                        \
	} while (0)

#define CHECK_ONE(fmt, t, data, want)                                                              \
	do {                                                                                       \
		char *got_ = one((fmt), (t), (data));                                               \
		T_STR(got_, (want));                                                               \
		free(got_);                                                                        \
	} while (0)

static void test_integers(void)
{
	CHECK_INT("%d", &s64_t, 0x100000001LL, "1");
	CHECK_INT("%ld", &s64_t, 0x100000001LL, "4294967297");
	CHECK_INT("%lld", &s64_t, -1, "-1");
	CHECK_INT("%lu", &s64_t, -1, "18446744073709551615");
	CHECK_INT("%u", &s64_t, -1, "4294967295");
	CHECK_INT("%hhx", &u64_t, 0x12345678abcdefLL, "ef");
	CHECK_INT("%hx", &u64_t, 0x12345678abcdefLL, "cdef");
	CHECK_INT("%x", &u64_t, 0x12345678abcdefLL, "78abcdef");
	CHECK_INT("%jx", &u64_t, 0x12345678abcdefLL, "12345678abcdef");
	CHECK_INT("%d", &s8_t, -10, "-10");
	CHECK_INT("%d", &s16_t, -123, "-123");
	CHECK_INT("%d", &u8_t, 255, "255");
	CHECK_INT("%05d", &s64_t, -42, "-0042");
	CHECK_INT("%-5d|", &s64_t, 42, "42   |");
	CHECK_INT("%+d % d", &s64_t, 42, "+42 ");
	CHECK_INT("%.3d", &s64_t, 7, "007");
	CHECK_INT("%.0d|", &s64_t, 0, "|");
	CHECK_INT("%8.3d|", &s64_t, -7, "    -007|");
	CHECK_INT("%#x", &s64_t, 31, "0x1f");
	CHECK_INT("%#X", &s64_t, 31, "0X1F");
	CHECK_INT("%#o", &s64_t, 8, "010");
	CHECK_INT("%#x", &s64_t, 0, "0");
	CHECK_INT("%o", &s64_t, 8, "10");
	CHECK_INT("%c", &s64_t, 'A', "A");
	CHECK_INT("%3c|", &s64_t, 'A', "  A|");
	CHECK_INT("%d", &bool_t, 1, "1");
	CHECK_INT("%s", &bool_t, 1, "true");
	CHECK_INT("%s", &s64_t, -5, "-5");
	CHECK_INT("%p", &ptr_t, 0x1234, "0x1234");
	CHECK_INT("%p", &ptr_t, 0, "(nil)");
	CHECK_INT("%18p|", &ptr_t, 0xffff, "            0xffff|");
	CHECK_INT("100%% %d%%", &s64_t, 5, "100% 5%");
	CHECK_INT("%d %", &s64_t, 5, "5 %");
}

static void test_strings_buffers(void)
{
	uint8_t buf[12] = { 6, 0, 0, 0, 'H', 'e', 'l', 'l', 'o', 0 };

	CHECK_ONE("%s!", &str8_t, "abcdef\0\0", "abcdef!");
	CHECK_ONE("%.2s!", &str8_t, "abcdef\0\0", "ab!");
	CHECK_ONE("%-8s|", &str8_t, "abc\0\0\0\0\0", "abc     |");
	CHECK_ONE("%8s|", &str8_t, "abc\0\0\0\0\0", "     abc|");
	CHECK_ONE("%s", &str8_t, "abcdefgh", "abcdefgh..");
	CHECK_ONE("%r", &buf8_t, buf, "Hello\\x00");
	CHECK_ONE("%rx", &buf8_t, buf, "\\x48\\x65\\x6c\\x6c\\x6f\\x00");
	CHECK_ONE("%rh", &buf8_t, buf, "48 65 6c 6c 6f 00");
	CHECK_ONE("%s", &buf8_t, buf, "Hello\\x00");
}

static void test_several_args(void)
{
	static const struct field f[] = { { .type = &s64_t, .offset = 0 },
					  { .type = &str8_t, .offset = 8 },
					  { .type = &s8_t, .offset = 16 } };
	static const struct type args = { .kind = TY_TUPLE, .size = 24, .fields = f, .nfields = 3 };
	uint8_t p[24] = { 0 };
	struct strbuf b = { 0 };

	p[0] = 7;
	memcpy(p + 8, "hi", 3);
	p[16] = 0xfe;
	printf_render(&b, &vc, "a=%d s=%s c=%d\n", &args, p, sizeof(p));
	T_STR(strbuf_str(&b), "a=7 s=hi c=-2\n");
	strbuf_reset(&b);
	/* A short payload: missing arguments print nothing. */
	printf_render(&b, &vc, "a=%d s=%s c=%d\n", &args, p, 8);
	T_STR(strbuf_str(&b), "a=7 s= c=\n");
	strbuf_free(&b);
}

static void test_parse(void)
{
	struct fmt_piece p;
	size_t pos = 0;

	T_OK(format_nargs("a %d %s %% %-08.3lld %rx %rh %r %p %c %5%") == 8);
	T_OK(format_nargs("no args") == 0);
	T_OK(format_nargs("%") == 0);
	T_OK(format_next("x%-5.2lux", &pos, &p) && !p.is_spec && p.len == 1);
	T_OK(format_next("x%-5.2lux", &pos, &p) && p.is_spec && p.len == 7);
	T_OK(p.spec.minus && p.spec.width == 5 && p.spec.precision == 2);
	T_OK(p.spec.len == FMT_LEN_L && p.spec.conv == FMT_CONV_U);
	T_OK(format_next("x%-5.2lux", &pos, &p) && !p.is_spec && p.len == 1 && *p.text == 'x');
	T_OK(!format_next("x%-5.2lux", &pos, &p));
}

/* Check and return the first diagnostic's message ("" if none). */
static const char *check(struct diags *d, const char *fmt, const struct type *const *args,
			 unsigned n)
{
	struct loc l = { .file = "stdin", .line = 1, .col = 1, .end_line = 1, .end_col = 5 };

	d->head = NULL;
	d->tail = &d->head;
	d->nerrors = 0;
	format_check(d, &l, "printf", fmt, args, n);
	return d->head ? d->head->msg : "";
}

static void test_check(void)
{
	struct arena *a = arena_new();
	struct diags d;
	const struct type *ints[] = { &s64_t, &s64_t };
	const struct type *str[] = { &str8_t };
	const struct type *buf[] = { &buf8_t };
	const struct type *misc[] = { &bool_t, &ptr_t };

	diags_init(&d, a, NULL);
	T_STR(check(&d, "%d %d", ints, 2), "");
	T_STR(check(&d, "%d %d %d", ints, 2),
	      "not enough arguments for format string (2 supplied, 3 expected)");
	T_STR(check(&d, "%d", ints, 2), "too many arguments for format string (2 supplied, 1 expected)");
	T_STR(check(&d, "100%%", ints, 0), "");
	T_STR(check(&d, "%f", ints, 1), "unsupported format specifier: f");
	T_STR(check(&d, "%s", str, 1), "");
	T_STR(check(&d, "%s %s", ints, 2), "");
	T_STR(check(&d, "%x %p", misc, 2), "");
	T_STR(check(&d, "%d", str, 1), "unsupported format specifier for type 'string[8]': d");
	T_STR(check(&d, "%rx", buf, 1), "");
	T_OK(strstr(check(&d, "%r", ints, 1), "unsupported format specifier for type") != NULL);
	arena_free(a);
}

static void test_time(void)
{
	struct strbuf b = { 0 };
	struct timespec ts = { .tv_sec = 86400 * 365, .tv_nsec = 123456789 };

	format_time(&b, "%f|%l|%k|%%f", ts, true);
	T_STR(strbuf_str(&b), "123456|123|123456789|%f");
	strbuf_reset(&b);
	format_time(&b, "%f", ts, false);
	T_STR(strbuf_str(&b), "123456");
	strbuf_free(&b);
}

int main(void)
{
	test_integers();
	test_strings_buffers();
	test_several_args();
	test_parse();
	test_check();
	test_time();
	return t_done();
}
