/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the perf-event providers (interval, profile, software): rates and perf events. */
#ifndef CTRACE_PROVIDER_PERF_H
#define CTRACE_PROVIDER_PERF_H

#include <stdbool.h>
#include <stdint.h>

struct program;
struct probe;
struct loc;
struct rt;
struct prog;
struct bpf_program;
struct provider;
struct attach;

/*
 * Parse "s:5", "ms:100", "us:10", "hz:99", "5s", "100ms" or "1000000" (ns)
 * into a period in nanoseconds or a frequency.  Reports errors; 0 or -EINVAL.
 */
int perf_parse_rate(struct program *p, const char *spec, const struct loc *loc, const char *what,
		    uint64_t *period_ns, uint64_t *freq);
/* Add the single target of an interval/profile probe. */
int perf_expand(struct program *p, struct probe *pr, const struct provider *prov, const char *spec,
		const struct loc *loc);
/* Attach bp to a cpu-clock perf event on cpu for every target of pg (cookie: the probe id). */
int perf_attach_cpu(struct rt *rt, struct prog *pg, struct bpf_program *bp, int cpu);

/*
 * Attach bp to a perf event {type, config} sampling every period events on
 * every CPU, for target a (cookie: its probe id).  hint: added to the error
 * line when the event cannot be opened.
 */
int perf_attach_event(struct rt *rt, const struct attach *a, struct bpf_program *bp, uint32_t type,
		      uint64_t config, uint64_t period, const char *hint);
/* Attach bp to the opened perf event fd for target a (the link owns fd; closed on failure). */
int perf_attach_fd(struct rt *rt, const struct attach *a, struct bpf_program *bp, int fd);

#endif
