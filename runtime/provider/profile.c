/* SPDX-License-Identifier: Apache-2.0 */
/* profile (p): `profile:hz:99`, `p:ms:10`: fires on every CPU at that rate. */
#include <linux/bpf.h>

#include <bpf/libbpf.h>

#include "perf.h"
#include "program.h"
#include "rt.h"

extern const struct provider provider_profile;

static int expand(struct program *p, struct probe *pr, const char *spec, const struct loc *loc)
{
	return perf_expand(p, pr, &provider_profile, spec, loc);
}

static int attach(struct rt *rt, struct prog *pg, struct bpf_program *bp)
{
	for (int cpu = 0; cpu < rt->ncpus; cpu++) {
		int err = perf_attach_cpu(rt, pg, bp, cpu);
		if (err)
			return err;
	}
	return 0;
}

const struct provider provider_profile = {
	.name = "profile",
	.aliases = (const char *const[]){ "p", NULL },
	.prog_type = BPF_PROG_TYPE_PERF_EVENT,
	.section = "perf_event",
	.expand = expand,
	.attach = attach,
};
