// SPDX-License-Identifier: Apache-2.0
// spin MS [NAME]: sets its comm to NAME (default "ct_spin") and busy-loops for MS milliseconds.
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>

int main(int argc, char **argv)
{
	long ms = argc > 1 ? atol(argv[1]) : 500;
	prctl(PR_SET_NAME, argc > 2 ? argv[2] : "ct_spin", 0, 0, 0);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	volatile unsigned long x = 0;
	do {
		for (int i = 0; i < 100000; i++)
			x += i;
		clock_gettime(CLOCK_MONOTONIC, &b);
	} while ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < ms);
	return 0;
}
