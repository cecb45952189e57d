/* SPDX-License-Identifier: Apache-2.0 */
/* opts.h - command-line options: kubectl's global flags plus each command's own. */
#ifndef KT_OPTS_H
#define KT_OPTS_H

#include <stdbool.h>

#include "kube.h"

struct opt {
	const char *lng;
	char shrt;
	bool arg;
	int id;
};

enum { OPT_END = -1, OPT_ERR = -2, OPT_POS = -3, OPT_REST = -4 };

struct optstate {
	int argc;
	char **argv;
	int i;
	const char *val;
	bool rest;
};

/*
 * Next option from st: returns its id (with st->val set when it takes a value), OPT_POS for
 * a positional argument (in st->val), OPT_REST for each argument after "--", OPT_END, or
 * OPT_ERR after printing why.  kubectl's global flags are handled here and never returned.
 */
int opt_next(struct optstate *st, const struct opt *tab, struct kube *k);

#endif
