/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the perf-event providers (interval, profile): rates and cpu-clock events. */
#include "perf.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "arena.h"
#include "program.h"
#include "rt.h"

static const struct {
	const char *unit;
	uint64_t ns;
} units[] = {
	{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
	{ "m", 60000000000ull }, { "h", 3600000000000ull }, { "hz", 0 },
};

static int unit_ns(const char *u, uint64_t *ns)
{
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(units[i].unit, u)) {
			*ns = units[i].ns;
			return 0;
		}
	}
	return -1;
}

int perf_parse_rate(struct program *p, const char *spec, const struct loc *loc, const char *what,
		    uint64_t *period_ns, uint64_t *freq)
{
	const char *colon = strchr(spec, ':');
	char unit[8] = "ns";
	const char *num = spec;
	char *end;
	uint64_t mult;

	*period_ns = *freq = 0;
	if (colon) {
		size_t ul = (size_t)(colon - spec);
		if (ul >= sizeof(unit))
			goto bad;
		memcpy(unit, spec, ul);
		unit[ul] = '\0';
		num = colon + 1;
	}
	errno = 0;
	unsigned long long v = strtoull(num, &end, 10);
	if (end == num || errno)
		goto bad;
	if (*end) {
		if (colon || strlen(end) >= sizeof(unit))
			goto bad;
		strcpy(unit, end); /* HEAD's `interval:1s` */
	}
	if (unit_ns(unit, &mult) || v == 0)
		goto bad;
	if (!mult)
		*freq = v;
	else
		*period_ns = v * mult;
	return 0;
bad:
	diag_error(p->diags, loc, "invalid %s rate '%s': use UNIT:N with UNIT one of s, ms, us, hz",
		   what, spec);
	return -EINVAL;
}

int perf_expand(struct program *p, struct probe *pr, const struct provider *prov, const char *spec,
		const struct loc *loc)
{
	uint64_t period, freq;
	int err = perf_parse_rate(p, spec, loc, prov->name, &period, &freq);
	if (err)
		return err;
	const char *name = arena_printf(p->arena, "%s:%s", prov->name, spec);
	struct attach *a = program_add_attach(p, pr, prov, name, loc);
	a->num = freq ? freq : period;
	a->target = freq ? "freq" : "period";
	return 0;
}

static int attach_attr(struct rt *rt, const struct attach *a, struct bpf_program *bp, int cpu,
		       struct perf_event_attr *attr, const char *hint)
{
	int fd = (int)syscall(SYS_perf_event_open, attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0) {
		if (errno == ENXIO || (errno == ENODEV && attr->type == PERF_TYPE_SOFTWARE))
			return 0; /* an offline CPU */
		return rt_attach_error(rt, a, -errno, hint);
	}
	return perf_attach_fd(rt, a, bp, fd);
}

int perf_attach_fd(struct rt *rt, const struct attach *a, struct bpf_program *bp, int fd)
{
	LIBBPF_OPTS(bpf_perf_event_opts, o, .bpf_cookie = a->probe_id);
	struct bpf_link *l = bpf_program__attach_perf_event_opts(bp, fd, &o);
	if (!l) {
		int err = -errno;
		close(fd);
		return rt_attach_error(rt, a, err, NULL);
	}
	rt_add_link(rt, l);
	return 0;
}

static int attach_one(struct rt *rt, const struct attach *a, struct bpf_program *bp, int cpu)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
	};
	if (!strcmp(a->target, "freq")) {
		attr.freq = 1;
		attr.sample_freq = a->num;
	} else {
		attr.sample_period = a->num;
	}
	return attach_attr(rt, a, bp, cpu, &attr, NULL);
}

int perf_attach_event(struct rt *rt, const struct attach *a, struct bpf_program *bp, uint32_t type,
		      uint64_t config, uint64_t period, const char *hint)
{
	for (int cpu = 0; cpu < rt->ncpus; cpu++) {
		struct perf_event_attr attr = {
			.type = type,
			.size = sizeof(attr),
			.config = config,
			.sample_period = period,
		};
		int err = attach_attr(rt, a, bp, cpu, &attr, hint);
		if (err)
			return err;
	}
	return 0;
}

int perf_attach_cpu(struct rt *rt, struct prog *pg, struct bpf_program *bp, int cpu)
{
	for (unsigned i = 0; i < pg->ntargets; i++) {
		int err = attach_one(rt, pg->targets[i], bp, cpu);
		if (err)
			return err;
	}
	return 0;
}
