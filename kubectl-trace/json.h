/* SPDX-License-Identifier: Apache-2.0 */
/* json.h - a small JSON tree: parsed from kubectl's -o json, built for manifests, written back. */
#ifndef KT_JSON_H
#define KT_JSON_H

#include <stdbool.h>
#include <stdio.h>

#include "util.h"

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ };

/*
 * One value.  Numbers keep their source text so that nothing is lost in a round trip;
 * object members keep their insertion order so that manifests read the way they are built.
 */
struct json {
	enum json_type type;
	char *key; /* member name when the parent is an object */
	char *str; /* JSON_STR text, JSON_NUM source text */
	bool boolean;
	struct json *child, *last, *next;
	int count;
};

/* Parse text; on failure return NULL and set *err to a static message. */
struct json *json_parse(const char *text, const char **err);
void json_free(struct json *j);

struct json *json_new(enum json_type type);
struct json *json_obj(void);
struct json *json_arr(void);
/* Append child under key (NULL for arrays); returns child. */
struct json *json_add(struct json *parent, const char *key, struct json *child);
struct json *json_add_str(struct json *parent, const char *key, const char *s);
struct json *json_add_int(struct json *parent, const char *key, long long v);
struct json *json_add_bool(struct json *parent, const char *key, bool v);
struct json *json_add_obj(struct json *parent, const char *key);
struct json *json_add_arr(struct json *parent, const char *key);
/* Remove and free a member of an object, if present. */
void json_del(struct json *obj, const char *key);

/* Member lookup; NULL when obj is not an object or lacks key. */
struct json *json_get(const struct json *obj, const char *key);
/* Follow a dotted path of member names ("metadata.labels"). */
struct json *json_path(const struct json *obj, const char *path);
/* The string at path, or NULL. */
const char *json_str(const struct json *obj, const char *path);
/* The number at path, or def. */
long long json_int(const struct json *obj, const char *path, long long def);
double json_double(const struct json *j);
struct json *json_dup(const struct json *j);

/* Serialise: compact (indent < 0) or pretty with indent spaces per level. */
void json_write(struct buf *out, const struct json *j, int indent);
void json_write_str(struct buf *out, const char *s);
/* Serialise as a YAML block document (no leading "---"). */
void json_write_yaml(struct buf *out, const struct json *j);

#define json_foreach(c, parent) for ((c) = (parent) ? (parent)->child : NULL; (c); (c) = (c)->next)

#endif
