// SPDX-License-Identifier: Apache-2.0
/* loadgen: a pinned tight loop of getppid() system calls that reports ns per call. */

#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void usage(void)
{
	fprintf(stderr,
		"usage: loadgen [-c CPU] [-n CALLS] [-r BLOCKS] [-x XCALLS]\n"
		"  Makes BLOCKS blocks of CALLS getppid() system calls on CPU and prints\n"
		"  ns per call of the median and of the fastest block, and the calls made:\n"
		"  'ns_per_call MEDIAN min MIN calls TOTAL tid TID'.\n"
		"  -x: afterwards, renames itself \"x\" and makes XCALLS untimed calls\n"
		"  (so that a filter on comm == \"x\" can be checked to have matched).\n");
	exit(2);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * The call goes through syscall(2) so that no libc wrapper can cache it; the
 * result is summed into a volatile so the compiler keeps every call.
 */
volatile long loadgen_sink;

static void burn(long calls)
{
	long i, acc = 0;

	for (i = 0; i < calls; i++)
		acc += syscall(SYS_getppid);
	loadgen_sink = acc;
}

int main(int argc, char **argv)
{
	long calls = 200000, xcalls = 0, total = 0;
	int blocks = 5, cpu = -1, opt, i;
	double *per;

	while ((opt = getopt(argc, argv, "c:n:r:x:h")) != -1) {
		switch (opt) {
		case 'c':
			cpu = atoi(optarg);
			break;
		case 'n':
			calls = atol(optarg);
			break;
		case 'r':
			blocks = atoi(optarg);
			break;
		case 'x':
			xcalls = atol(optarg);
			break;
		default:
			usage();
		}
	}
	if (calls <= 0 || blocks <= 0 || optind != argc)
		usage();

	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			fprintf(stderr, "loadgen: cannot pin to CPU %d: %s\n", cpu,
				strerror(errno));
			return 1;
		}
	}

	per = calloc(blocks, sizeof(*per));
	if (!per)
		return 1;

	/* Warm up caches, the branch predictor and the CPU frequency. */
	burn(calls / 4);
	total += calls / 4;

	for (i = 0; i < blocks; i++) {
		double t0 = now_ns();

		burn(calls);
		per[i] = (now_ns() - t0) / calls;
		total += calls;
	}
	qsort(per, blocks, sizeof(*per), cmp_double);
	if (xcalls > 0) {
		prctl(PR_SET_NAME, "x", 0, 0, 0);
		burn(xcalls);
	}
	printf("ns_per_call %.2f min %.2f calls %ld tid %ld\n", per[blocks / 2], per[0], total,
	       (long)syscall(SYS_gettid));
	free(per);
	return 0;
}
