/* SPDX-License-Identifier: Apache-2.0 */
/* The config block and the BPFTRACE_* / CTRACE_* environment variables. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "program.h"

enum cfg_kind { CFG_UINT, CFG_STR, CFG_BOOL, CFG_MISSING, CFG_UNSTABLE, CFG_IGNORED };

struct cfg_key {
	const char *name;
	enum cfg_kind kind;
	size_t off; /* offsetof(struct config, ...) for known kinds */
};

#define CFG(n, k, f) { n, k, offsetof(struct config, f) }
#define CFG_IGN(n) { n, CFG_IGNORED, 0 }

static const struct cfg_key cfg_keys[] = {
	CFG("max_strlen", CFG_UINT, max_strlen),
	CFG("str_trunc_trailer", CFG_STR, str_trunc_trailer),
	CFG("max_map_keys", CFG_UINT, max_map_keys),
	CFG("perf_rb_pages", CFG_UINT, perf_rb_pages),
	CFG("print_maps_on_exit", CFG_BOOL, print_maps_on_exit),
	CFG("missing_probes", CFG_MISSING, missing_probes),
	CFG("unstable_tseries", CFG_UNSTABLE, unstable_tseries),
	/* accepted for compatibility; ctrace has no use for them yet */
	CFG_IGN("max_probes"), CFG_IGN("max_bpf_progs"), CFG_IGN("max_cat_bytes"),
	CFG_IGN("log_size"), CFG_IGN("on_stack_limit"), CFG_IGN("stack_mode"),
	CFG_IGN("cache_user_symbols"), CFG_IGN("cpp_demangle"), CFG_IGN("lazy_symbolication"),
	CFG_IGN("show_debug_info"), CFG_IGN("use_blazesym"), CFG_IGN("license"),
	CFG_IGN("unstable_dw_ustack"),
	CFG_IGN("unstable_import_statement"), CFG_IGN("unstable_typeinfo"),
};

/* Old names still accepted in a config block, with a warning. */
static const char *const cfg_renamed[][2] = {
	{ "strlen", "max_strlen" },
	{ "no_cpp_demangle", "cpp_demangle" },
	{ "cat_bytes_max", "max_cat_bytes" },
	{ "map_keys_max", "max_map_keys" },
};

static const struct cfg_key *cfg_find(const char *name)
{
	for (size_t i = 0; i < sizeof(cfg_keys) / sizeof(cfg_keys[0]); i++)
		if (!strcasecmp(cfg_keys[i].name, name))
			return &cfg_keys[i];
	return NULL;
}

static int parse_bool(const char *s, bool *out)
{
	if (!strcmp(s, "1") || !strcasecmp(s, "true")) {
		*out = true;
		return 0;
	}
	if (!strcmp(s, "0") || !strcasecmp(s, "false")) {
		*out = false;
		return 0;
	}
	return -EINVAL;
}

/* Apply one textual value; returns 0 or a message describing what is wrong. */
static const char *cfg_apply(struct program *p, const struct cfg_key *k, const char *val)
{
	void *field = (char *)&p->cfg + k->off;
	char *end;

	switch (k->kind) {
	case CFG_UINT: {
		unsigned long v = strtoul(val, &end, 0);
		if (!*val || *end || v > 0x7fffffff)
			return "expects a non-negative integer";
		if (k->off == offsetof(struct config, max_strlen) && v < 1)
			return "must be at least 1";
		*(unsigned *)field = (unsigned)v;
		return NULL;
	}
	case CFG_STR:
		*(const char **)field = arena_strdup(p->arena, val);
		return NULL;
	case CFG_BOOL:
		return parse_bool(val, (bool *)field) ? "expects a boolean (true/false or 1/0)" : NULL;
	case CFG_MISSING:
		if (!strcmp(val, "error"))
			p->cfg.missing_probes = MISSING_ERROR;
		else if (!strcmp(val, "warn"))
			p->cfg.missing_probes = MISSING_WARN;
		else if (!strcmp(val, "ignore"))
			p->cfg.missing_probes = MISSING_IGNORE;
		else
			return "expects one of: error, warn, ignore";
		return NULL;
	case CFG_UNSTABLE:
		if (!strcmp(val, "error"))
			p->cfg.unstable_tseries = UNSTABLE_ERROR;
		else if (!strcmp(val, "warn"))
			p->cfg.unstable_tseries = UNSTABLE_WARN;
		else if (!strcmp(val, "enable"))
			p->cfg.unstable_tseries = UNSTABLE_ENABLE;
		else
			return "expects one of: error, warn, enable";
		return NULL;
	case CFG_IGNORED:
		return NULL;
	}
	return NULL;
}

static const char *value_text(struct program *p, struct ast_node *v)
{
	switch (v->kind) {
	case AST_INT:
		return arena_printf(p->arena, "%llu", (unsigned long long)v->u.num.value);
	case AST_STRING:
		return v->u.str.value;
	case AST_BOOL:
		return v->u.boolean.value ? "true" : "false";
	case AST_IDENT:
		return v->u.ident.name;
	default:
		return NULL;
	}
}

static void config_block(struct program *p, struct ast_node *cfg)
{
	ast_foreach(it, cfg->u.config.items)
	{
		const char *name = it->u.named.name;
		if (!strncasecmp(name, "BPFTRACE_", 9))
			name += 9;
		for (size_t i = 0; i < sizeof(cfg_renamed) / sizeof(cfg_renamed[0]); i++) {
			if (!strcasecmp(name, cfg_renamed[i][0])) {
				diag_warning(p->diags, &it->loc, "%s has been renamed, please use %s",
					     cfg_renamed[i][0], cfg_renamed[i][1]);
				name = cfg_renamed[i][1];
			}
		}
		const struct cfg_key *k = cfg_find(name);
		if (!k) {
			diag_error(p->diags, &it->loc, "%s: not a known configuration option",
				   it->u.named.name);
			continue;
		}
		const char *val = value_text(p, it->u.named.value);
		const char *msg = val ? cfg_apply(p, k, val) : "expects a literal value";
		if (msg)
			diag_error(p->diags, &it->u.named.value->loc, "%s: %s", k->name, msg);
	}
}

/* BPFTRACE_<KEY> (and CTRACE_<KEY>) in the environment win over the script. */
static void config_env(struct program *p)
{
	for (size_t i = 0; i < sizeof(cfg_keys) / sizeof(cfg_keys[0]); i++) {
		const struct cfg_key *k = &cfg_keys[i];
		char name[64];
		const char *prefixes[] = { "BPFTRACE_", "CTRACE_" };
		for (int j = 0; j < 2; j++) {
			size_t n = (size_t)snprintf(name, sizeof(name), "%s%s", prefixes[j], k->name);
			for (size_t c = 0; c < n; c++)
				name[c] = (char)toupper((unsigned char)name[c]);
			const char *val = getenv(name);
			if (!val)
				continue;
			const char *msg = cfg_apply(p, k, val);
			if (msg)
				diag_error(p->diags, NULL, "%s: %s", name, msg);
		}
	}
}

int sema_config(struct program *p)
{
	if (p->ast->u.program.config)
		config_block(p, p->ast->u.program.config);
	config_env(p);
	p->res.max_strlen = p->cfg.max_strlen;
	p->res.str_trunc_trailer = p->cfg.str_trunc_trailer;
	p->res.print_maps_on_exit = p->cfg.print_maps_on_exit;
	return p->diags->nerrors ? -EINVAL : 0;
}
