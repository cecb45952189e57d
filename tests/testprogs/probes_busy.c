// SPDX-License-Identifier: Apache-2.0
/* Workload for the stack tests: spins in spinOuter() -> spinInner() until killed (or N seconds). */
/* frame pointers, so user stacks unwind through our functions */
#pragma GCC optimize("no-omit-frame-pointer")
#include <stdlib.h>
#include <time.h>

static volatile unsigned long sink;

__attribute__((noinline, used)) void spinInner(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		sink += i;
}

__attribute__((noinline, used)) void spinOuter(void)
{
	spinInner(1000000);
	__asm__ volatile("" ::: "memory");
}

int main(int argc, char **argv)
{
	time_t end = time(NULL) + (argc > 1 ? atoi(argv[1]) : 30);
	while (time(NULL) < end)
		spinOuter();
	return 0;
}
