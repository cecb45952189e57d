/* SPDX-License-Identifier: Apache-2.0 */
/* interval (i): `interval:s:5`, `i:ms:100`, `interval:1s`: fires on one CPU at that rate. */
#include <linux/bpf.h>

#include "perf.h"
#include "program.h"

extern const struct provider provider_interval;

static int expand(struct program *p, struct probe *pr, const char *spec, const struct loc *loc)
{
	return perf_expand(p, pr, &provider_interval, spec, loc);
}

static int attach(struct rt *rt, struct prog *pg, struct bpf_program *bp)
{
	/* one timer, not one per CPU: the probe fires once per period */
	return perf_attach_cpu(rt, pg, bp, 0);
}

const struct provider provider_interval = {
	.name = "interval",
	.aliases = (const char *const[]){ "i", NULL },
	.prog_type = BPF_PROG_TYPE_PERF_EVENT,
	.section = "perf_event",
	.expand = expand,
	.attach = attach,
};
