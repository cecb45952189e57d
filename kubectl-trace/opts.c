// SPDX-License-Identifier: Apache-2.0
/* opts.c - a small getopt_long for subcommands, with kubectl's global flags passed through. */
#include "opts.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

enum { G_NS = 1000, G_ALL, G_PASS, G_PASS_BOOL };

/* Flags kubectl itself understands: handed to every kubectl call unchanged. */
static const struct opt globals[] = {
    {"namespace", 'n', true, G_NS},
    {"all-namespaces", 'A', false, G_ALL},
    {"kubeconfig", 0, true, G_PASS},
    {"context", 0, true, G_PASS},
    {"cluster", 0, true, G_PASS},
    {"user", 0, true, G_PASS},
    {"server", 's', true, G_PASS},
    {"token", 0, true, G_PASS},
    {"as", 0, true, G_PASS},
    {"as-group", 0, true, G_PASS},
    {"as-uid", 0, true, G_PASS},
    {"certificate-authority", 0, true, G_PASS},
    {"client-certificate", 0, true, G_PASS},
    {"client-key", 0, true, G_PASS},
    {"tls-server-name", 0, true, G_PASS},
    {"request-timeout", 0, true, G_PASS},
    {"cache-dir", 0, true, G_PASS},
    {"insecure-skip-tls-verify", 0, false, G_PASS_BOOL},
    {NULL, 0, false, 0},
};

static const struct opt *find(const struct opt *tab, const char *lng, size_t n, char shrt)
{
	for (; tab->id; tab++)
		if (lng ? tab->lng && strlen(tab->lng) == n && !strncmp(tab->lng, lng, n)
			: tab->shrt == shrt && shrt)
			return tab;
	return NULL;
}

static int global(struct optstate *st, const struct opt *o, struct kube *k)
{
	if (k->nglobal + 2 > (int)(sizeof(k->global) / sizeof(k->global[0]))) {
		kt_err("too many kubectl flags");
		return OPT_ERR;
	}
	switch (o->id) {
	case G_NS:
		k->ns = st->val;
		break;
	case G_ALL:
		k->all_ns = true;
		break;
	case G_PASS:
		k->global[k->nglobal++] = xasprintf("--%s=%s", o->lng, st->val);
		break;
	default:
		k->global[k->nglobal++] = xasprintf("--%s", o->lng);
		break;
	}
	return 0;
}

static int take_value(struct optstate *st, const struct opt *o, const char *inline_val)
{
	if (!o->arg) {
		if (inline_val) {
			kt_err("flag --%s takes no value", o->lng ? o->lng : "?");
			return OPT_ERR;
		}
		st->val = NULL;
		return o->id;
	}
	if (inline_val) {
		st->val = inline_val;
		return o->id;
	}
	if (st->i >= st->argc) {
		if (o->lng)
			kt_err("flag --%s needs a value", o->lng);
		else
			kt_err("flag -%c needs a value", o->shrt);
		return OPT_ERR;
	}
	st->val = st->argv[st->i++];
	return o->id;
}

static int parse_one(struct optstate *st, const struct opt *tab, const struct opt **hit)
{
	char *a = st->argv[st->i++];
	const char *eq = NULL;
	const struct opt *o;

	if (a[1] == '-') {
		eq = strchr(a + 2, '=');
		o = find(tab, a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2), 0);
		if (!o)
			o = find(globals, a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2), 0);
		if (eq)
			eq++;
	} else {
		o = find(tab, NULL, 0, a[1]);
		if (!o)
			o = find(globals, NULL, 0, a[1]);
		/* -eVALUE, -n=ns */
		if (o && a[2])
			eq = a[2] == '=' ? a + 3 : a + 2;
	}
	if (!o) {
		kt_err("unknown flag %s", a);
		return OPT_ERR;
	}
	*hit = o;
	return take_value(st, o, eq);
}

int opt_next(struct optstate *st, const struct opt *tab, struct kube *k)
{
	for (;;) {
		const struct opt *o = NULL;
		char *a;
		int id;

		if (st->i >= st->argc)
			return OPT_END;
		a = st->argv[st->i];
		if (st->rest) {
			st->val = a;
			st->i++;
			return OPT_REST;
		}
		if (!strcmp(a, "--")) {
			st->rest = true;
			st->i++;
			continue;
		}
		if (a[0] != '-' || !a[1]) {
			st->val = a;
			st->i++;
			return OPT_POS;
		}
		id = parse_one(st, tab, &o);
		if (id < 0)
			return id;
		if (id < 1000)
			return id;
		if (global(st, o, k))
			return OPT_ERR;
	}
}
