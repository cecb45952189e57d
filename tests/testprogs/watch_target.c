// SPDX-License-Identifier: Apache-2.0
/*
 * Target of the watchpoint tests: prints the address of its global `watched`
 * and of its function touch() on one line ("0xADDR 0xFUNC"), then every
 * 50 ms calls touch(), which writes `watched`, for up to 10 s.  Its comm is
 * ct_watch_tgt.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <time.h>

volatile uint64_t watched;

__attribute__((noinline, used)) void touch(uint64_t i)
{
	watched = i;
}

int main(void)
{
	prctl(PR_SET_NAME, "ct_watch_tgt", 0, 0, 0);
	printf("0x%lx 0x%lx\n", (unsigned long)(uintptr_t)&watched,
	       (unsigned long)(uintptr_t)&touch);
	fflush(stdout);
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	for (uint64_t i = 1; i <= 200; i++) {
		nanosleep(&ts, NULL);
		touch(i);
	}
	return 0;
}
