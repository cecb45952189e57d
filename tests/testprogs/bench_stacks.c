// SPDX-License-Identifier: Apache-2.0
/*
 * Workload for many distinct user stacks: for i = 0 .. N-1 (default 10000) it
 * descends LEVELS levels, taking at level k the function stackA() or stackB()
 * as bit k of i says, then calls stackLeaf().  Every i thus reaches stackLeaf()
 * through its own chain of return addresses, so `uprobe:...:stackLeaf
 * { @[ustack] = count(); }` sees N distinct stacks.  Each branch has its own
 * call site: at a uprobe on a function's first instruction the frame-pointer
 * walk skips the immediate caller, and distinct call sites in the level above
 * still tell stackA from stackB there.  Then it calls stackDone() once, prints
 * "done" and, with --linger, stays alive until killed, so that user symbols can
 * still be resolved through /proc/PID when the tracer prints its maps.
 * Built with frame pointers (the runtime-test runner and bench/Makefile do so).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LEVELS 15 /* 2^15 paths: room for N up to 32768 */

static volatile unsigned long leaves;

__attribute__((noinline, used, visibility("default"))) void stackLeaf(unsigned long i)
{
	__asm__ volatile("" ::: "memory");
	leaves += i;
}

__attribute__((noinline, used, visibility("default"))) void stackDone(unsigned long n)
{
	__asm__ volatile("" ::: "memory");
	leaves += n;
}

static void stackA(unsigned long i, int level);
static void stackB(unsigned long i, int level);

/* one level down, through a call site of its own for each branch */
#define DESCEND(i, level)                                                                      \
	do {                                                                                   \
		if ((level) == LEVELS)                                                         \
			stackLeaf(i);                                                          \
		else if (((i) >> (level)) & 1)                                                 \
			stackB(i, (level) + 1);                                                \
		else                                                                           \
			stackA(i, (level) + 1);                                                \
		__asm__ volatile("" ::: "memory"); /* keeps the calls out of tail position */  \
	} while (0)

__attribute__((noinline)) static void stackA(unsigned long i, int level)
{
	DESCEND(i, level);
}

__attribute__((noinline)) static void stackB(unsigned long i, int level)
{
	DESCEND(i, level);
}

int main(int argc, char **argv)
{
	unsigned long n = 10000;
	int linger = 0;

	for (int a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--linger"))
			linger = 1;
		else
			n = strtoul(argv[a], NULL, 10);
	}
	if (n > (1ul << LEVELS)) {
		fprintf(stderr, "bench_stacks: at most %lu distinct stacks\n", 1ul << LEVELS);
		return 2;
	}
	for (unsigned long i = 0; i < n; i++)
		stackA(i, 0);
	stackDone(n);
	printf("done %lu\n", n);
	fflush(stdout);
	while (linger)
		pause();
	return 0;
}
