// SPDX-License-Identifier: Apache-2.0
/* json.c - JSON parsing and writing, plus a YAML block writer for --dry-run -o yaml. */
#include "json.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct parser {
	const char *s;
	const char *err;
	int depth;
};

static struct json *parse_value(struct parser *p);

static void skip_ws(struct parser *p)
{
	while (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r')
		p->s++;
}

static struct json *fail(struct parser *p, const char *msg)
{
	if (!p->err)
		p->err = msg;
	return NULL;
}

static void put_utf8(struct buf *b, unsigned cp)
{
	char c[4];

	if (cp < 0x80) {
		c[0] = cp;
		buf_add(b, c, 1);
	} else if (cp < 0x800) {
		c[0] = 0xc0 | (cp >> 6);
		c[1] = 0x80 | (cp & 0x3f);
		buf_add(b, c, 2);
	} else if (cp < 0x10000) {
		c[0] = 0xe0 | (cp >> 12);
		c[1] = 0x80 | ((cp >> 6) & 0x3f);
		c[2] = 0x80 | (cp & 0x3f);
		buf_add(b, c, 3);
	} else {
		c[0] = 0xf0 | (cp >> 18);
		c[1] = 0x80 | ((cp >> 12) & 0x3f);
		c[2] = 0x80 | ((cp >> 6) & 0x3f);
		c[3] = 0x80 | (cp & 0x3f);
		buf_add(b, c, 4);
	}
}

static int hex4(const char *s, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		int c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	*out = v;
	return 0;
}

static int parse_escape(struct parser *p, struct buf *b)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e = strchr(from, *p->s);
	unsigned cp, lo;

	if (*p->s && e) {
		buf_add(b, &to[e - from], 1);
		p->s++;
		return 0;
	}
	if (*p->s != 'u' || hex4(p->s + 1, &cp))
		return -1;
	p->s += 5;
	/* A UTF-16 surrogate pair encodes one code point beyond the BMP. */
	if (cp >= 0xd800 && cp < 0xdc00 && p->s[0] == '\\' && p->s[1] == 'u' &&
	    !hex4(p->s + 2, &lo) && lo >= 0xdc00 && lo < 0xe000) {
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		p->s += 6;
	}
	put_utf8(b, cp);
	return 0;
}

static char *parse_string(struct parser *p)
{
	struct buf b = {0};

	p->s++; /* opening quote */
	buf_add(&b, "", 0);
	while (*p->s != '"') {
		if (!*p->s || (unsigned char)*p->s < 0x20)
			goto bad;
		if (*p->s == '\\') {
			p->s++;
			if (parse_escape(p, &b))
				goto bad;
			continue;
		}
		buf_add(&b, p->s++, 1);
	}
	p->s++;
	return b.p;
bad:
	buf_free(&b);
	fail(p, "bad string");
	return NULL;
}

static struct json *parse_number(struct parser *p)
{
	const char *start = p->s;
	struct json *j;

	if (*p->s == '-')
		p->s++;
	if (!isdigit((unsigned char)*p->s))
		return fail(p, "unexpected character");
	while (isdigit((unsigned char)*p->s) || (*p->s && strchr(".eE+-", *p->s)))
		p->s++;
	j = json_new(JSON_NUM);
	j->str = xmalloc(p->s - start + 1);
	memcpy(j->str, start, p->s - start);
	j->str[p->s - start] = '\0';
	return j;
}

static struct json *parse_word(struct parser *p)
{
	struct json *j;

	if (!strncmp(p->s, "true", 4) || !strncmp(p->s, "false", 5)) {
		j = json_new(JSON_BOOL);
		j->boolean = *p->s == 't';
		p->s += j->boolean ? 4 : 5;
		return j;
	}
	if (!strncmp(p->s, "null", 4)) {
		p->s += 4;
		return json_new(JSON_NULL);
	}
	return parse_number(p);
}

static struct json *parse_members(struct parser *p, struct json *j, bool object, char close)
{
	p->s++;
	skip_ws(p);
	if (*p->s == close) {
		p->s++;
		return j;
	}
	for (;;) {
		char *key = NULL;
		struct json *v;

		skip_ws(p);
		if (object) {
			if (*p->s != '"' || !(key = parse_string(p)))
				goto bad;
			skip_ws(p);
			if (*p->s++ != ':') {
				free(key);
				goto bad;
			}
		}
		v = parse_value(p);
		if (!v) {
			free(key);
			goto bad;
		}
		json_add(j, NULL, v);
		v->key = key;
		skip_ws(p);
		if (*p->s == ',') {
			p->s++;
			continue;
		}
		if (*p->s++ == close)
			return j;
		goto bad;
	}
bad:
	json_free(j);
	return fail(p, object ? "bad object" : "bad array");
}

static struct json *parse_value(struct parser *p)
{
	struct json *j = NULL;

	if (++p->depth > 512)
		return fail(p, "nesting too deep");
	skip_ws(p);
	if (*p->s == '{') {
		j = parse_members(p, json_obj(), true, '}');
	} else if (*p->s == '[') {
		j = parse_members(p, json_arr(), false, ']');
	} else if (*p->s == '"') {
		char *s = parse_string(p);

		if (s) {
			j = json_new(JSON_STR);
			j->str = s;
		}
	} else {
		j = parse_word(p);
	}
	p->depth--;
	return j;
}

struct json *json_parse(const char *text, const char **err)
{
	struct parser p = {.s = text};
	struct json *j = parse_value(&p);

	if (j) {
		skip_ws(&p);
		if (*p.s) {
			json_free(j);
			j = fail(&p, "trailing characters");
		}
	}
	if (!j && err)
		*err = p.err ? p.err : "bad JSON";
	return j;
}

void json_free(struct json *j)
{
	while (j) {
		struct json *next = j->next;

		json_free(j->child);
		free(j->key);
		free(j->str);
		free(j);
		j = next;
	}
}

struct json *json_new(enum json_type type)
{
	struct json *j = xcalloc(1, sizeof(*j));

	j->type = type;
	return j;
}

struct json *json_obj(void)
{
	return json_new(JSON_OBJ);
}

struct json *json_arr(void)
{
	return json_new(JSON_ARR);
}

struct json *json_add(struct json *parent, const char *key, struct json *child)
{
	if (key)
		child->key = xstrdup(key);
	if (parent->last)
		parent->last->next = child;
	else
		parent->child = child;
	parent->last = child;
	parent->count++;
	return child;
}

struct json *json_add_str(struct json *parent, const char *key, const char *s)
{
	struct json *j = json_new(JSON_STR);

	j->str = xstrdup(s);
	return json_add(parent, key, j);
}

struct json *json_add_int(struct json *parent, const char *key, long long v)
{
	struct json *j = json_new(JSON_NUM);

	j->str = xasprintf("%lld", v);
	return json_add(parent, key, j);
}

struct json *json_add_bool(struct json *parent, const char *key, bool v)
{
	struct json *j = json_new(JSON_BOOL);

	j->boolean = v;
	return json_add(parent, key, j);
}

struct json *json_add_obj(struct json *parent, const char *key)
{
	return json_add(parent, key, json_obj());
}

struct json *json_add_arr(struct json *parent, const char *key)
{
	return json_add(parent, key, json_arr());
}

void json_del(struct json *obj, const char *key)
{
	struct json **pp, *prev = NULL;

	if (!obj || obj->type != JSON_OBJ)
		return;
	for (pp = &obj->child; *pp; prev = *pp, pp = &(*pp)->next) {
		struct json *c = *pp;

		if (!c->key || strcmp(c->key, key))
			continue;
		*pp = c->next;
		if (obj->last == c)
			obj->last = prev;
		obj->count--;
		c->next = NULL;
		json_free(c);
		return;
	}
}

struct json *json_get(const struct json *obj, const char *key)
{
	struct json *c;

	if (!obj || obj->type != JSON_OBJ)
		return NULL;
	json_foreach(c, obj) if (c->key && !strcmp(c->key, key)) return c;
	return NULL;
}

struct json *json_path(const struct json *obj, const char *path)
{
	char name[256];
	const struct json *j = obj;

	while (j && *path) {
		size_t n = strcspn(path, ".");

		if (n >= sizeof(name))
			return NULL;
		memcpy(name, path, n);
		name[n] = '\0';
		j = json_get(j, name);
		path += n + (path[n] == '.');
	}
	return (struct json *)j;
}

const char *json_str(const struct json *obj, const char *path)
{
	struct json *j = json_path(obj, path);

	return j && j->type == JSON_STR ? j->str : NULL;
}

long long json_int(const struct json *obj, const char *path, long long def)
{
	struct json *j = json_path(obj, path);

	return j && j->type == JSON_NUM ? strtoll(j->str, NULL, 10) : def;
}

double json_double(const struct json *j)
{
	return j && j->type == JSON_NUM ? strtod(j->str, NULL) : 0;
}

struct json *json_dup(const struct json *j)
{
	struct json *d = json_new(j->type), *c;

	d->boolean = j->boolean;
	if (j->str)
		d->str = xstrdup(j->str);
	json_foreach(c, j) json_add(d, c->key, json_dup(c));
	return d;
}

void json_write_str(struct buf *out, const char *s)
{
	buf_add(out, "\"", 1);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\') {
			buf_add(out, "\\", 1);
			buf_add(out, s, 1);
		} else if (c == '\n') {
			buf_adds(out, "\\n");
		} else if (c == '\t') {
			buf_adds(out, "\\t");
		} else if (c < 0x20 || c == 0x7f) {
			buf_printf(out, "\\u%04x", c);
		} else {
			buf_add(out, s, 1);
		}
	}
	buf_add(out, "\"", 1);
}

static void newline(struct buf *out, int indent, int level)
{
	if (indent < 0)
		return;
	buf_add(out, "\n", 1);
	for (int i = 0; i < indent * level; i++)
		buf_add(out, " ", 1);
}

static void write_value(struct buf *out, const struct json *j, int indent, int level)
{
	const struct json *c;

	switch (j->type) {
	case JSON_NULL:
		buf_adds(out, "null");
		return;
	case JSON_BOOL:
		buf_adds(out, j->boolean ? "true" : "false");
		return;
	case JSON_NUM:
		buf_adds(out, j->str);
		return;
	case JSON_STR:
		json_write_str(out, j->str);
		return;
	case JSON_ARR:
	case JSON_OBJ:
		break;
	}
	buf_adds(out, j->type == JSON_OBJ ? "{" : "[");
	json_foreach(c, j)
	{
		newline(out, indent, level + 1);
		if (j->type == JSON_OBJ) {
			json_write_str(out, c->key ? c->key : "");
			buf_adds(out, indent < 0 ? ":" : ": ");
		}
		write_value(out, c, indent, level + 1);
		if (c->next)
			buf_add(out, ",", 1);
	}
	if (j->child)
		newline(out, indent, level);
	buf_adds(out, j->type == JSON_OBJ ? "}" : "]");
}

void json_write(struct buf *out, const struct json *j, int indent)
{
	write_value(out, j, indent, 0);
}

/* --- YAML --------------------------------------------------------------------------------- */

static bool yaml_reserved(const char *s)
{
	static const char *const words[] = {"true", "false", "yes",  "no", "on", "off",
					    "y",    "n",     "null", "~",  NULL};

	for (int i = 0; words[i]; i++)
		if (!strcasecmp(s, words[i]))
			return true;
	return false;
}

/* Plain scalars only for a conservative alphabet; everything else is double-quoted. */
static bool yaml_plain(const char *s)
{
	if (!*s || yaml_reserved(s) || !isalpha((unsigned char)*s))
		return false;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_./=-@+", *p))
			return false;
	return true;
}

/* A literal block (|) keeps a program readable; it cannot express every string. */
static bool yaml_literal(const char *s)
{
	size_t n = strlen(s);

	if (!strchr(s, '\n') || s[0] == ' ' || s[0] == '\n')
		return false;
	if (n >= 2 && s[n - 1] == '\n' && s[n - 2] == '\n')
		return false;
	for (const char *p = s; *p; p++) {
		unsigned char c = *p;

		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			return false;
		if (c == ' ' && (p[1] == '\n' || !p[1]))
			return false;
	}
	return true;
}

static void yaml_pad(struct buf *out, int n)
{
	for (int i = 0; i < n; i++)
		buf_add(out, " ", 1);
}

static void yaml_string(struct buf *out, const char *s, int indent)
{
	if (yaml_plain(s)) {
		buf_adds(out, s);
		return;
	}
	if (!yaml_literal(s)) {
		json_write_str(out, s);
		return;
	}
	buf_adds(out, s[strlen(s) - 1] == '\n' ? "|" : "|-");
	while (*s) {
		size_t n = strcspn(s, "\n");

		buf_add(out, "\n", 1);
		if (n)
			yaml_pad(out, indent);
		buf_add(out, s, n);
		s += n + (s[n] == '\n');
	}
}

static bool yaml_inline(const struct json *j)
{
	return (j->type != JSON_OBJ && j->type != JSON_ARR) || !j->child;
}

static void yaml_node(struct buf *out, const struct json *j, int indent);

static void yaml_scalar(struct buf *out, const struct json *j, int indent)
{
	if (j->type == JSON_STR)
		yaml_string(out, j->str, indent);
	else if (j->type == JSON_OBJ)
		buf_adds(out, "{}");
	else if (j->type == JSON_ARR)
		buf_adds(out, "[]");
	else
		write_value(out, j, -1, 0);
}

/* Members of an object at indent; the first one may already sit after "- ". */
static void yaml_members(struct buf *out, const struct json *j, int indent, bool first_inline)
{
	const struct json *c;

	json_foreach(c, j)
	{
		if (!first_inline || c != j->child)
			yaml_pad(out, indent);
		if (yaml_plain(c->key ? c->key : ""))
			buf_adds(out, c->key);
		else
			json_write_str(out, c->key ? c->key : "");
		buf_add(out, ":", 1);
		if (yaml_inline(c)) {
			buf_add(out, " ", 1);
			yaml_scalar(out, c, indent + 2);
			buf_add(out, "\n", 1);
		} else {
			buf_add(out, "\n", 1);
			/* kubectl's style: sequences under a key are not indented further. */
			yaml_node(out, c, c->type == JSON_ARR ? indent : indent + 2);
		}
	}
}

static void yaml_items(struct buf *out, const struct json *j, int indent)
{
	const struct json *c;

	json_foreach(c, j)
	{
		yaml_pad(out, indent);
		buf_adds(out, "- ");
		if (yaml_inline(c)) {
			yaml_scalar(out, c, indent + 2);
			buf_add(out, "\n", 1);
		} else if (c->type == JSON_OBJ) {
			yaml_members(out, c, indent + 2, true);
		} else {
			buf_add(out, "\n", 1);
			yaml_items(out, c, indent + 2);
		}
	}
}

static void yaml_node(struct buf *out, const struct json *j, int indent)
{
	if (yaml_inline(j)) {
		yaml_pad(out, indent);
		yaml_scalar(out, j, indent);
		buf_add(out, "\n", 1);
	} else if (j->type == JSON_OBJ) {
		yaml_members(out, j, indent, false);
	} else {
		yaml_items(out, j, indent);
	}
}

void json_write_yaml(struct buf *out, const struct json *j)
{
	yaml_node(out, j, 0);
}
