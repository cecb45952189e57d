/* SPDX-License-Identifier: Apache-2.0 */
/* One uprobe_multi link per file for uprobe-based programs (see umulti.c). */
#ifndef CTRACE_PROVIDER_UMULTI_H
#define CTRACE_PROVIDER_UMULTI_H

#include <stdbool.h>
#include <stdint.h>

struct rt;
struct prog;
struct bpf_program;

/*
 * Attach bp to every target of pg (target: the file, num: the file offset,
 * cookie: the probe id), as return probes when ret.  ref_ctr: per target, the
 * file offset of a USDT semaphore or 0 (may be NULL).  -EOPNOTSUPP when this
 * kernel or libbpf cannot do it and nothing was attached: use perf links.
 */
int umulti_attach(struct rt *rt, struct prog *pg, struct bpf_program *bp, bool ret,
		  const uint64_t *ref_ctr);

#endif
