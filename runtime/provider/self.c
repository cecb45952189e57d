/* SPDX-License-Identifier: Apache-2.0 */
/*
 * self (`self:signal:SIGUSR1`): a probe on ctrace itself, run when ctrace
 * receives the signal.  Like begin/end it is a raw-tracepoint program that is
 * never attached; the runtime runs it through BPF_PROG_TEST_RUN from its
 * event loop, so `kill -USR1 <ctrace>` can print maps on demand.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <signal.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "arena.h"
#include "program.h"
#include "rt.h"

extern const struct provider provider_self;

static const struct {
	const char *name;
	int signo;
} self_signals[] = {
	{ "SIGUSR1", SIGUSR1 }, { "SIGUSR2", SIGUSR2 }, { "SIGHUP", SIGHUP },
};

static int expand(struct program *p, struct probe *pr, const char *spec, const struct loc *loc)
{
	if (!strncmp(spec, "signal:", 7)) {
		for (size_t i = 0; i < sizeof(self_signals) / sizeof(self_signals[0]); i++) {
			if (strcmp(spec + 7, self_signals[i].name))
				continue;
			const char *name = arena_printf(p->arena, "self:%s", spec);
			struct attach *a = program_add_attach(p, pr, &provider_self, name, loc);
			a->num = (uint64_t)self_signals[i].signo;
			return 0;
		}
	}
	diag_error(p->diags, loc, "self probes are written self:signal:SIGUSR1 (or SIGUSR2, SIGHUP)");
	return -EINVAL;
}

/* One program per probe: each runs on its own signal. */
static int plan(struct program *p, struct probe *pr, struct attach **t, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		program_add_prog(p, pr, &t[i], 1, PID_CONST);
	return 0;
}

static int attach(struct rt *rt, struct prog *pg, struct bpf_program *bp)
{
	return rt_on_signal(rt, (int)pg->targets[0]->num, bpf_program__fd(bp));
}

const struct provider provider_self = {
	.name = "self",
	.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
	.section = "raw_tp",
	.flags = PROV_NO_FILTER,
	.expand = expand,
	.plan = plan,
	.attach = attach,
};
