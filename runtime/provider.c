/* SPDX-License-Identifier: Apache-2.0 */
/* The provider registry: one row per probe type, each implemented in runtime/provider/. */
#include "provider.h"

extern const struct provider provider_begin, provider_end, provider_self, provider_tracepoint,
	provider_rawtracepoint, provider_interval, provider_profile, provider_uprobe,
	provider_uretprobe, provider_usdt,
	provider_kprobe, provider_kretprobe,
	provider_software, provider_hardware,
	provider_fentry, provider_fexit,
	provider_watchpoint, provider_iter;

const struct provider *const providers[] = {
	&provider_begin,
	&provider_end,
	&provider_self,
	&provider_tracepoint,
	&provider_rawtracepoint,
	&provider_interval,
	&provider_profile,
	&provider_uprobe,
	&provider_uretprobe,
	&provider_usdt,
	&provider_kprobe,
	&provider_kretprobe,
	&provider_software,
	&provider_hardware,
	&provider_fentry,
	&provider_fexit,
	&provider_watchpoint,
	&provider_iter,
	NULL,
};
