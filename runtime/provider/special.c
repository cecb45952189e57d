/* SPDX-License-Identifier: Apache-2.0 */
/*
 * begin and end (BEGIN/END): raw-tracepoint programs that are never
 * attached; the runtime runs them once through BPF_PROG_TEST_RUN, begin
 * before the other probes attach and end after they detach.
 */
#include <errno.h>
#include <linux/bpf.h>

#include "diag.h"
#include "program.h"

static int expand_special(struct program *p, struct probe *pr, const char *spec,
			  const struct loc *loc, const struct provider *self)
{
	if (*spec) {
		diag_error(p->diags, loc, "%s probes take no arguments", self->name);
		return -EINVAL;
	}
	program_add_attach(p, pr, self, self->name, loc);
	return 0;
}

extern const struct provider provider_begin, provider_end;

static int expand_begin(struct program *p, struct probe *pr, const char *spec,
			const struct loc *loc)
{
	return expand_special(p, pr, spec, loc, &provider_begin);
}

static int expand_end(struct program *p, struct probe *pr, const char *spec, const struct loc *loc)
{
	return expand_special(p, pr, spec, loc, &provider_end);
}

/* One program per begin/end probe: they run in declaration order. */
static int plan_special(struct program *p, struct probe *pr, struct attach **t, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		program_add_prog(p, pr, &t[i], 1, PID_CONST);
	return 0;
}

const struct provider provider_begin = {
	.name = "begin",
	.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
	.section = "raw_tp",
	.flags = PROV_SPECIAL | PROV_NO_FILTER,
	.expand = expand_begin,
	.plan = plan_special,
};

const struct provider provider_end = {
	.name = "end",
	.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
	.section = "raw_tp",
	.flags = PROV_SPECIAL | PROV_NO_FILTER,
	.expand = expand_end,
	.plan = plan_special,
};
