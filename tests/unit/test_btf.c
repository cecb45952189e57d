/* SPDX-License-Identifier: Apache-2.0 */
/* BTF reader: kernel types against bpftool's raw dump, lazy structs, protos, split BTF. */
#include <errno.h>
#include <linux/btf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "btf.h"
#include "t.h"

#define VMLINUX "/sys/kernel/btf/vmlinux"

static struct arena *arena;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * bpftool's raw dump of vmlinux, the reference this reader is checked
 * against: for each type id its kind, name, referenced type and members.
 */
struct raw_member {
	char *name;
	unsigned type, bits, bitfield;
};

struct raw_type {
	char kind[16];
	char *name;
	unsigned type, size, nmembers;
	struct raw_member *members;
};

static struct raw_type *raw;
static unsigned nraw;

static void raw_header(const char *line)
{
	unsigned id;
	char kind[16], name[256];
	const char *s;

	if (sscanf(line, "[%u] %15s '%255[^']'", &id, kind, name) != 3)
		return;
	if (id >= nraw) {
		unsigned n = id * 2 + 1024;
		raw = xrealloc(raw, n * sizeof(*raw));
		memset(raw + nraw, 0, (n - nraw) * sizeof(*raw));
		nraw = n;
	}
	struct raw_type *t = &raw[id];
	snprintf(t->kind, sizeof(t->kind), "%s", kind);
	t->name = arena_strdup(arena, name);
	if ((s = strstr(line, " type_id=")))
		t->type = (unsigned)strtoul(s + 9, NULL, 10);
	if ((s = strstr(line, " size=")))
		t->size = (unsigned)strtoul(s + 6, NULL, 10);
}

/* Returns the id the following member lines belong to. */
static unsigned raw_line(const char *line, unsigned cur)
{
	char name[256];
	struct raw_member m = { 0 };

	if (line[0] == '[') {
		raw_header(line);
		return (unsigned)strtoul(line + 1, NULL, 10);
	}
	if (!cur || cur >= nraw ||
	    sscanf(line, "\t'%255[^']' type_id=%u bits_offset=%u bitfield_size=%u", name, &m.type,
		   &m.bits, &m.bitfield) < 3)
		return cur;
	struct raw_type *t = &raw[cur];
	t->members = xrealloc(t->members, (t->nmembers + 1) * sizeof(*t->members));
	m.name = arena_strdup(arena, name);
	t->members[t->nmembers++] = m;
	return cur;
}

/* Load the dump once; false without bpftool. */
static bool raw_load(void)
{
	char line[1024];
	unsigned cur = 0;
	FILE *p = popen("bpftool btf dump file " VMLINUX " format raw 2>/dev/null", "r");

	if (!p)
		return false;
	while (fgets(line, sizeof(line), p))
		cur = raw_line(line, cur);
	pclose(p);
	return nraw > 0;
}

static void raw_free(void)
{
	for (unsigned i = 0; i < nraw; i++)
		free(raw[i].members);
	free(raw);
}

static unsigned raw_find(const char *kind, const char *name)
{
	for (unsigned i = 1; i < nraw; i++)
		if (raw[i].name && !strcmp(raw[i].kind, kind) && !strcmp(raw[i].name, name))
			return i;
	return 0;
}

static const struct raw_type *raw_skip_mods(unsigned id)
{
	while (id < nraw && (!strcmp(raw[id].kind, "TYPEDEF") || !strcmp(raw[id].kind, "CONST") ||
			     !strcmp(raw[id].kind, "VOLATILE") || !strcmp(raw[id].kind, "TYPE_TAG")))
		id = raw[id].type;
	return id < nraw ? &raw[id] : NULL;
}

/*
 * Check every member of raw struct id, anonymous members flattened as the
 * reader does, against t's fields; returns the number of mismatches.
 */
static int raw_check(struct btf_ctx *c, const struct type *t, unsigned id, unsigned base,
		     int *checked, int *bitfields)
{
	int bad = 0;

	for (unsigned i = 0; i < raw[id].nmembers; i++) {
		const struct raw_member *m = &raw[id].members[i];
		const struct raw_type *mt = raw_skip_mods(m->type);
		if (!strcmp(m->name, "(anon)") && mt &&
		    (!strcmp(mt->kind, "STRUCT") || !strcmp(mt->kind, "UNION"))) {
			bad += raw_check(c, t, (unsigned)(mt - raw), base + m->bits, checked, bitfields);
			continue;
		}
		const struct field *f = btf_find_member(c, t, m->name);
		unsigned bits = f ? f->offset * 8 + f->bit_offset : ~0u;
		if (!f || bits != base + m->bits || f->bit_size != m->bitfield ||
		    (f->bit_size && f->bit_offset + f->bit_size > f->type->size * 8)) {
			fprintf(stderr, "%s.%s: bpftool bits %u/%u, got %u/%u\n", t->name, m->name,
				base + m->bits, m->bitfield, bits, f ? f->bit_size : 0);
			bad++;
		}
		++*checked;
		*bitfields += m->bitfield != 0;
	}
	return bad;
}

static void test_first_lookup(void)
{
	double t0 = now_ms();
	struct btf_ctx *c = btf_open(arena, NULL);
	double t1 = now_ms();
	const struct type *t = btf_type_by_name(c, "struct task_struct");
	double t2 = now_ms();
	const struct type *t2nd = btf_type_by_name(c, "struct mm_struct");
	double t3 = now_ms();
	struct btf_stats st;

	CHECK(c != NULL);
	CHECK(t != NULL && t2nd != NULL);
	btf_stats(c, &st);
	printf("btf: open %.3f ms, first lookup (index %u types, %u names: %.3f ms) %.3f ms, "
	       "next lookup %.3f ms\n",
	       t1 - t0, st.ntypes, st.nnames, st.index_ms, t2 - t1, t3 - t2);
	CHECK(st.ntypes > 1000);
	/* Generous: a sanitizer build is several times slower than the ~10 ms expected. */
	CHECK(t2 - t0 < 300);
	btf_close(c);
}

static const struct field *field(struct btf_ctx *c, const struct type *t, const char *name)
{
	const struct field *f = btf_find_member(c, t, name);
	if (!f)
		fprintf(stderr, "no field %s\n", name);
	return f;
}

static void test_task_struct(struct btf_ctx *c)
{
	const struct type *t = btf_type_by_name(c, "struct task_struct");
	const struct field *pid, *comm, *parent;

	if (!t) {
		CHECK(t != NULL);
		return;
	}
	CHECK_INT(t->kind, TY_STRUCT);
	CHECK_STR(t->name, "struct task_struct");
	CHECK(!t->incomplete);
	CHECK(!t->is_union);
	CHECK(t->align >= 8);
	pid = field(c, t, "pid");
	comm = field(c, t, "comm");
	parent = field(c, t, "parent");
	if (!pid || !comm || !parent)
		return;
	CHECK(pid->type == &type_s32); /* pid_t: typedef int */
	CHECK_INT(comm->type->kind, TY_ARRAY);
	CHECK_INT(comm->type->nelem, 16);
	/* Since 6.2 the kernel builds with -funsigned-char: BTF char has no sign. */
	CHECK(comm->type->elem == &type_u8 || comm->type->elem == &type_s8);
	CHECK_INT(parent->type->kind, TY_PTR);
	CHECK_INT(parent->type->as, AS_KERNEL);
	/* Cached per BTF id: the pointee is this very struct, so chains are finite. */
	CHECK(parent->type->elem == t);
	CHECK(btf_find_member(c, t, "real_parent")->type->elem == t);
	CHECK(btf_find_member(c, t, "no_such_field") == NULL);
	CHECK(btf_type_by_name(c, "task_struct") == t); /* bare tag names are accepted */
	CHECK(btf_type_by_id(c, NULL, t->btf_id) == t);
}

/* Every member of these structs at bpftool's offset, bitfields and anonymous members included. */
static void test_against_bpftool(struct btf_ctx *c)
{
	static const char *const names[] = {
		"task_struct", "page", "sk_buff", "mm_struct", "inode", "file", "list_head", "sock",
	};
	int checked = 0, bitfields = 0, bad = 0;

	if (!raw_load()) {
		printf("btf: bpftool not found, offsets not cross-checked\n");
		return;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		unsigned id = raw_find("STRUCT", names[i]);
		char tag[64];

		snprintf(tag, sizeof(tag), "struct %s", names[i]);
		const struct type *t = btf_type_by_name(c, tag);
		CHECK(id && t);
		if (!id || !t)
			continue;
		CHECK_INT(t->size, raw[id].size);
		CHECK_INT(t->btf_id, id);
		bad += raw_check(c, t, id, 0, &checked, &bitfields);
	}
	CHECK_INT(bad, 0);
	CHECK(checked > 500 && bitfields > 0);
	printf("btf: %d members of %zu structs (%d bitfields) match bpftool\n", checked,
	       sizeof(names) / sizeof(names[0]), bitfields);
}

static void test_list_head_and_lazy(struct btf_ctx *c)
{
	const struct type *lh = btf_type_by_name(c, "struct list_head");
	const struct type *t = btf_type_by_name(c, "struct task_struct");
	const struct field *mm = btf_find_member(c, t, "mm");

	CHECK_INT(lh->size, 16);
	CHECK_INT(field(c, lh, "next")->offset, 0);
	CHECK_INT(field(c, lh, "prev")->offset, 8);
	CHECK(field(c, lh, "prev")->type->elem == lh);

	/* A struct seen only through a pointer has no fields until asked. */
	const struct type *sig = btf_find_member(c, t, "signal")->type->elem;
	CHECK_STR(sig->name, "struct signal_struct");
	CHECK(sig->incomplete);
	CHECK(sig->nfields == 0);
	CHECK(btf_complete(c, sig) == sig);
	CHECK(!sig->incomplete && sig->nfields > 10);
	CHECK(mm && mm->type->kind == TY_PTR);
	CHECK(btf_find_member(c, mm->type->elem, "pgd") != NULL);
	CHECK(!mm->type->elem->incomplete);
}

/* struct page is made of anonymous unions of anonymous structs: flattened. */
static void test_anonymous(struct btf_ctx *c)
{
	const struct type *pg = btf_type_by_name(c, "struct page");
	const struct field *lru = btf_find_member(c, pg, "lru");
	const struct field *buddy = btf_find_member(c, pg, "buddy_list");
	const struct field *map = btf_find_member(c, pg, "mapping");
	const struct field *cb = btf_find_member(c, pg, "callback_head");
	const struct field *pt = btf_find_member(c, pg, "page_type");
	const struct field *mc = btf_find_member(c, pg, "_mapcount");

	CHECK(lru && buddy && map && cb && pt && mc);
	if (!lru || !buddy || !map || !cb || !pt || !mc)
		return;
	/* union { struct { union { lru; buddy_list; ... }; mapping; ... }; ...; callback_head; } */
	CHECK(lru->offset == buddy->offset && lru->offset == 8);
	CHECK_INT(map->offset, lru->offset + 16);
	CHECK_INT(cb->offset, lru->offset);
	CHECK(pt->offset == mc->offset);
	CHECK_STR(lru->type->name, "struct list_head");
	CHECK_STR(mc->type->name, "atomic_t"); /* typedef struct { int counter; } atomic_t */

	const struct type *at = btf_type_by_name(c, "atomic_t");
	CHECK(at == mc->type);
	CHECK(at && at->kind == TY_STRUCT && at->size == 4 && at->align == 4);
	CHECK(at && btf_find_member(c, at, "counter")->type == &type_s32);
	const struct type *rc = btf_type_by_name(c, "refcount_t");
	CHECK_STR(rc ? rc->name : NULL, "struct refcount_struct");
	CHECK(btf_type_by_name(c, "struct no_such_struct_xyz") == NULL);
	CHECK(btf_type_by_name(c, "no_such_type_xyz") == NULL);
}

static void test_scalars(struct btf_ctx *c)
{
	CHECK(btf_type_by_name(c, "u32") == &type_u32);
	CHECK(btf_type_by_name(c, "s64") == &type_s64);
	CHECK(btf_type_by_name(c, "pid_t") == &type_s32);
	CHECK(btf_type_by_name(c, "unsigned int") == &type_u32);
	CHECK(btf_type_by_name(c, "bool") == &type_bool);
	CHECK(btf_type_by_name(c, "void") == &type_void);
	const struct type *sz = btf_type_by_name(c, "size_t");
	CHECK(sz == &type_u64);
}

static void test_enum(struct btf_ctx *c)
{
	const struct type *e = btf_type_by_name(c, "enum pid_type");

	if (!e) {
		CHECK(e != NULL);
		return;
	}
	CHECK_INT(e->kind, TY_ENUM);
	CHECK_STR(e->name, "enum pid_type");
	CHECK_INT(e->size, 4);
	CHECK(e->nenums >= 4);
	CHECK_STR(e->enums[0].name, "PIDTYPE_PID");
	CHECK_INT(e->enums[0].value, 0);
	CHECK_STR(e->enums[1].name, "PIDTYPE_TGID");
	CHECK_INT(e->enums[1].value, 1);
	CHECK(!e->is_signed); /* bpftool: encoding=UNSIGNED */
	CHECK(btf_type_by_name(c, "pid_type") == e);
}

static void test_funcs(struct btf_ctx *c)
{
	const struct field *p;
	const struct type *ret;
	unsigned n;

	CHECK(btf_has_func(c, "vfs_read"));
	CHECK(!btf_has_func(c, "no_such_function_xyz"));
	CHECK(!btf_has_func(c, "task_struct")); /* a struct is not a function */
	CHECK_STR(btf_func_module(c, "vfs_read"), "vmlinux");
	CHECK_INT(btf_func_proto(c, "no_such_function_xyz", &p, &n, &ret), -ENOENT);
	CHECK_INT(btf_func_proto(c, "do_sys_openat2", &p, &n, &ret), 0);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(p[0].name, "dfd");
		CHECK(p[0].type == &type_s32);
		CHECK_STR(p[1].name, "filename");
		CHECK(p[1].type->kind == TY_PTR && p[1].type->elem->kind == TY_INT &&
		      p[1].type->elem->size == 1);
		CHECK_INT(p[1].offset, 8);
		CHECK_STR(p[2].name, "how");
		CHECK_STR(p[2].type->elem->name, "struct open_how");
		CHECK_INT(p[2].offset, 16);
	}
	CHECK(ret == &type_s32 || ret == &type_s64); /* int since 6.x, long before */
	CHECK_INT(btf_func_proto(c, "vfs_read", &p, &n, &ret), 0);
	CHECK_INT(n, 4);
	CHECK(ret == &type_s64); /* ssize_t */

	CHECK_INT(btf_rawtp_proto(c, "sched_switch", &p, &n), 0);
	CHECK(n >= 3);
	if (n >= 3) {
		CHECK_STR(p[0].name, "preempt");
		CHECK(p[0].type == &type_bool);
		CHECK_STR(p[1].name, "prev");
		CHECK_STR(p[1].type->elem->name, "struct task_struct");
	}
	CHECK_INT(btf_rawtp_proto(c, "no_such_tp_xyz", &p, &n), -ENOENT);
}

/* ---- split BTF: a hand-made module on top of vmlinux ------------------------------------------ */

struct blob {
	uint8_t buf[1024];
	size_t len;
};

static void put(struct blob *b, const void *p, size_t n)
{
	memcpy(b->buf + b->len, p, n);
	b->len += n;
}

static void put_type(struct blob *b, uint32_t name, unsigned kind, unsigned vlen, bool kflag,
		     uint32_t size_or_type)
{
	struct btf_type t = { .name_off = name,
			      .info = (uint32_t)kind << 24 | vlen | (uint32_t)kflag << 31,
			      .size = size_or_type };
	put(b, &t, sizeof(t));
}

static void put_u32(struct blob *b, uint32_t v)
{
	put(b, &v, sizeof(v));
}

/* Strings: "\0ctrace_u16\0ctrace_mod_struct\0a\0t\0bits\0p\0ctrace_mod_func" */
static const char mod_strs[] = "\0ctrace_u16\0ctrace_mod_struct\0a\0t\0bits\0p\0ctrace_mod_func";
enum { S_U16 = 1, S_STRUCT = 12, S_A = 30, S_T = 32, S_BITS = 34, S_P = 39, S_FUNC = 41 };

/*
 * ids base+1 INT ctrace_u16; +2 PTR -> task_struct; +3 STRUCT ctrace_mod_struct
 * { ctrace_u16 a; task_struct *t; ctrace_u16 bits:3 at bit 19 }; +4 FUNC_PROTO
 * void (task_struct *p); +5 FUNC ctrace_mod_func.
 */
static size_t make_module(struct blob *b, uint32_t base_n, uint32_t base_str, uint32_t task_id)
{
	struct btf_header h = { .magic = BTF_MAGIC, .version = BTF_VERSION, .hdr_len = sizeof(h) };
	struct blob types = { .len = 0 };

	put_type(&types, base_str + S_U16, BTF_KIND_INT, 0, false, 2);
	put_u32(&types, 16);
	put_type(&types, 0, BTF_KIND_PTR, 0, false, task_id);
	put_type(&types, base_str + S_STRUCT, BTF_KIND_STRUCT, 3, true, 16);
	put_u32(&types, base_str + S_A), put_u32(&types, base_n + 1), put_u32(&types, 0);
	put_u32(&types, base_str + S_T), put_u32(&types, base_n + 2), put_u32(&types, 64);
	put_u32(&types, base_str + S_BITS), put_u32(&types, base_n + 1), put_u32(&types, 3u << 24 | 19);
	put_type(&types, 0, BTF_KIND_FUNC_PROTO, 1, false, 0);
	put_u32(&types, base_str + S_P), put_u32(&types, base_n + 2);
	put_type(&types, base_str + S_FUNC, BTF_KIND_FUNC, 1, false, base_n + 4);

	h.type_off = 0;
	h.type_len = (uint32_t)types.len;
	h.str_off = (uint32_t)types.len;
	h.str_len = sizeof(mod_strs);
	put(b, &h, sizeof(h));
	put(b, types.buf, types.len);
	put(b, mod_strs, sizeof(mod_strs));
	return b->len;
}

static const char *write_tmp(const void *p, size_t n)
{
	char *path = arena_strdup(arena, "/tmp/ctrace-btf-XXXXXX");
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, p, n) != (ssize_t)n)
		return NULL;
	close(fd);
	return path;
}

static void test_split(void)
{
	struct btf_ctx *c = btf_open(arena, VMLINUX);
	const struct type *task = btf_type_by_name(c, "struct task_struct");
	struct btf_header vh;
	FILE *f = fopen(VMLINUX, "rb");
	struct btf_stats st;
	struct blob b = { .len = 0 };

	CHECK(f && fread(&vh, sizeof(vh), 1, f) == 1);
	if (f)
		fclose(f);
	btf_stats(c, &st);
	make_module(&b, st.ntypes, vh.str_len, task->btf_id);
	const char *path = write_tmp(b.buf, b.len);
	CHECK(path != NULL);
	CHECK_INT(btf_add_module(c, path, "ctmod"), 0);

	const struct type *s = btf_type_by_name(c, "struct ctrace_mod_struct");
	CHECK(s != NULL);
	if (s) {
		CHECK_INT(s->size, 16);
		CHECK(btf_find_member(c, s, "a")->type == &type_u16);
		CHECK(btf_find_member(c, s, "t")->type->elem == task); /* a vmlinux id */
		const struct field *bf = btf_find_member(c, s, "bits");
		/* bits 19..21 lie in the u16 unit at byte 2 */
		CHECK_INT(bf->offset, 2);
		CHECK_INT(bf->bit_offset, 3);
		CHECK_INT(bf->bit_size, 3);
		CHECK(btf_type_by_id(c, "ctmod", st.ntypes + 3) == s);
	}
	CHECK_STR(btf_func_module(c, "ctrace_mod_func"), "ctmod");
	const struct field *p;
	unsigned n;
	CHECK_INT(btf_func_proto(c, "ctrace_mod_func", &p, &n, NULL), 0);
	CHECK(n == 1 && p[0].type->elem == task);
	btf_stats(c, &st);
	CHECK_INT(st.nmodules, 1);
	unlink(path);

	/* Not split BTF of this vmlinux: refused. */
	const char *junk = write_tmp("not btf at all, not at all", 27);
	CHECK(btf_add_module(c, junk, "junk") < 0);
	CHECK(btf_open(arena, junk) == NULL);
	unlink(junk);
	errno = 0;
	CHECK(btf_open(arena, "/nonexistent/vmlinux") == NULL && errno == ENOENT);
	btf_close(c);
	btf_close(c); /* twice is fine */
	btf_close(NULL);
	CHECK(btf_type_by_name(NULL, "struct task_struct") == NULL);
	CHECK(!btf_has_func(NULL, "vfs_read"));
}

int main(void)
{
	if (access(VMLINUX, R_OK)) {
		printf("no %s: skipped\n", VMLINUX);
		return t_done();
	}
	arena = arena_new();
	test_first_lookup();
	struct btf_ctx *c = btf_open(arena, NULL);
	test_task_struct(c);
	test_against_bpftool(c);
	test_list_head_and_lazy(c);
	test_anonymous(c);
	test_scalars(c);
	test_enum(c);
	test_funcs(c);
	btf_close(c);
	raw_free();
	test_split();
	arena_free(arena);
	return t_done();
}
