/* SPDX-License-Identifier: Apache-2.0 */
/* Named perf events for software (s) and hardware (h): `s:EVENT[:COUNT]`. */
#ifndef CTRACE_PROVIDER_PERFEV_H
#define CTRACE_PROVIDER_PERFEV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct program;
struct probe;
struct loc;
struct provider;

struct perfev {
	const char *name, *alias; /* "page-faults", "faults" */
	uint64_t config;           /* PERF_COUNT_SW_* / PERF_COUNT_HW_* */
	uint64_t period;           /* default COUNT */
};

/*
 * `EVENT[:COUNT]` of provider prov with events evs[0..n): one target whose
 * target is the event's full name and num the count.  Reports errors.
 */
int perfev_expand(struct program *p, struct probe *pr, const struct provider *prov,
		  const struct perfev *evs, unsigned n, const char *spec, const struct loc *loc);
/* The event named name (full name or alias), or NULL. */
const struct perfev *perfev_find(const struct perfev *evs, unsigned n, const char *name);
/* `ctrace -l`: PROVIDER:EVENT lines matching glob. */
void perfev_list(const struct provider *prov, const struct perfev *evs, unsigned n,
		 const char *glob, FILE *out);

#endif
