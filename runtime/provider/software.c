/* SPDX-License-Identifier: Apache-2.0 */
/* software (s): `software:EVENT[:COUNT]`, a kernel software perf event on every CPU. */
#include <linux/bpf.h>
#include <linux/perf_event.h>

#include "perf.h"
#include "perfev.h"
#include "program.h"
#include "rt.h"

extern const struct provider provider_software;

/* Names and default counts as bpftrace has them. */
static const struct perfev events[] = {
	{ "cpu-clock", "cpu", PERF_COUNT_SW_CPU_CLOCK, 1000000 },
	{ "task-clock", NULL, PERF_COUNT_SW_TASK_CLOCK, 1000000 },
	{ "page-faults", "faults", PERF_COUNT_SW_PAGE_FAULTS, 100 },
	{ "context-switches", "cs", PERF_COUNT_SW_CONTEXT_SWITCHES, 1000 },
	{ "cpu-migrations", NULL, PERF_COUNT_SW_CPU_MIGRATIONS, 1 },
	{ "minor-faults", NULL, PERF_COUNT_SW_PAGE_FAULTS_MIN, 100 },
	{ "major-faults", NULL, PERF_COUNT_SW_PAGE_FAULTS_MAJ, 1 },
	{ "alignment-faults", NULL, PERF_COUNT_SW_ALIGNMENT_FAULTS, 1 },
	{ "emulation-faults", NULL, PERF_COUNT_SW_EMULATION_FAULTS, 1 },
	{ "dummy", NULL, PERF_COUNT_SW_DUMMY, 1 },
	{ "bpf-output", NULL, PERF_COUNT_SW_BPF_OUTPUT, 1 },
};

#define NEVENTS (sizeof(events) / sizeof(events[0]))

static int expand(struct program *p, struct probe *pr, const char *spec, const struct loc *loc)
{
	return perfev_expand(p, pr, &provider_software, events, NEVENTS, spec, loc);
}

static int attach(struct rt *rt, struct prog *pg, struct bpf_program *bp)
{
	for (unsigned i = 0; i < pg->ntargets; i++) {
		const struct attach *a = pg->targets[i];
		const struct perfev *ev = perfev_find(events, NEVENTS, a->target);
		int err = perf_attach_event(rt, a, bp, PERF_TYPE_SOFTWARE, ev->config, a->num, NULL);
		if (err)
			return err;
	}
	return 0;
}

static int list(const char *glob, bool verbose, FILE *out)
{
	perfev_list(&provider_software, events, NEVENTS, glob, out);
	return 0;
}

const struct provider provider_software = {
	.name = "software",
	.aliases = (const char *const[]){ "s", NULL },
	.prog_type = BPF_PROG_TYPE_PERF_EVENT,
	.section = "perf_event",
	.flags = PROV_KERNEL_STACK,
	.expand = expand,
	.attach = attach,
	.list = list,
};
