/* SPDX-License-Identifier: Apache-2.0 */
/* Reading, printing, clearing and zeroing the script's BPF maps from user space. */
#ifndef CTRACE_RT_MAPS_H
#define CTRACE_RT_MAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "output.h"

struct rt;

/* Read every entry of map m (per-CPU values for per-CPU maps). 0 or a negative errno. */
int rt_map_snapshot(struct rt *rt, const struct map_res *m, struct map_snapshot *s);
void rt_map_snapshot_free(struct map_snapshot *s);
/* print(@m, top, div) and the exit-time dump. */
void rt_print_map(struct rt *rt, const struct map_res *m, uint64_t top, uint64_t div,
		  bool zero_if_empty);
/* clear(@m) deletes every key; zero(@m) keeps the keys and zeroes the values. */
void rt_clear_map(struct rt *rt, const struct map_res *m, bool zero);

#endif
