/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hardware (h): `hardware:EVENT[:COUNT]`, a CPU performance counter on every
 * CPU.  Virtual machines often have no PMU: the attach error says so and
 * names the software events that work instead.
 */
#include <errno.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>

#include "perf.h"
#include "perfev.h"
#include "program.h"
#include "rt.h"

extern const struct provider provider_hardware;

static const struct perfev events[] = {
	{ "cpu-cycles", "cycles", PERF_COUNT_HW_CPU_CYCLES, 1000000 },
	{ "instructions", NULL, PERF_COUNT_HW_INSTRUCTIONS, 1000000 },
	{ "cache-references", NULL, PERF_COUNT_HW_CACHE_REFERENCES, 1000000 },
	{ "cache-misses", NULL, PERF_COUNT_HW_CACHE_MISSES, 1000000 },
	{ "branch-instructions", "branches", PERF_COUNT_HW_BRANCH_INSTRUCTIONS, 100000 },
	{ "branch-misses", NULL, PERF_COUNT_HW_BRANCH_MISSES, 100000 },
	{ "bus-cycles", NULL, PERF_COUNT_HW_BUS_CYCLES, 100000 },
	{ "frontend-stalls", NULL, PERF_COUNT_HW_STALLED_CYCLES_FRONTEND, 1000000 },
	{ "backend-stalls", NULL, PERF_COUNT_HW_STALLED_CYCLES_BACKEND, 1000000 },
	{ "ref-cycles", NULL, PERF_COUNT_HW_REF_CPU_CYCLES, 1000000 },
};

#define NEVENTS (sizeof(events) / sizeof(events[0]))

static int expand(struct program *p, struct probe *pr, const char *spec, const struct loc *loc)
{
	return perfev_expand(p, pr, &provider_hardware, events, NEVENTS, spec, loc);
}

static int attach(struct rt *rt, struct prog *pg, struct bpf_program *bp)
{
	static const char hint[] = "This machine has no hardware performance counters (no PMU); "
				   "use software:cpu-clock or profile:hz:99 instead";
	for (unsigned i = 0; i < pg->ntargets; i++) {
		const struct attach *a = pg->targets[i];
		const struct perfev *ev = perfev_find(events, NEVENTS, a->target);
		int err = perf_attach_event(rt, a, bp, PERF_TYPE_HARDWARE, ev->config, a->num, hint);
		if (err)
			return err;
	}
	return 0;
}

static int list(const char *glob, bool verbose, FILE *out)
{
	perfev_list(&provider_hardware, events, NEVENTS, glob, out);
	return 0;
}

static const char *unavailable(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_HARDWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_HW_CPU_CYCLES,
		.disabled = 1,
	};
	int fd = (int)syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return "no hardware performance counters (no PMU)";
	close(fd);
	return NULL;
}

const struct provider provider_hardware = {
	.unavailable = unavailable,
	.name = "hardware",
	.aliases = (const char *const[]){ "h", NULL },
	.prog_type = BPF_PROG_TYPE_PERF_EVENT,
	.section = "perf_event",
	.flags = PROV_KERNEL_STACK,
	.expand = expand,
	.attach = attach,
	.list = list,
};
