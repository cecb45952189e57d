// SPDX-License-Identifier: Apache-2.0
/*
 * Workload for the uprobe tests: calls the exported, never-inlined
 * counterValue() N times (default 5) after SIGUSR1 (or at once without
 * --wait), so `uretprobe:...:counterValue` sees 1, 2, 3 ... in order, and
 * addValues(a, b) with known arguments for argN.  Built as a PIE (the default).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t go;
static int counter;

__attribute__((noinline, used, visibility("default"))) int counterValue(void)
{
	__asm__ volatile("" ::: "memory");
	return ++counter;
}

__attribute__((noinline, used, visibility("default"))) long addValues(long a, long b)
{
	__asm__ volatile("" ::: "memory");
	return a + b;
}

__attribute__((noinline, used, visibility("default"))) const char *greeting(const char *who)
{
	__asm__ volatile("" ::: "memory");
	return who;
}

static void on_usr1(int sig)
{
	(void)sig;
	go = 1;
}

int main(int argc, char **argv)
{
	int n = 5;
	int wait = 0, linger = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--wait"))
			wait = 1;
		else if (!strcmp(argv[i], "--linger"))
			linger = 1; /* stay alive a moment: user symbols resolve through /proc/PID */
		else
			n = atoi(argv[i]);
	}
	signal(SIGUSR1, on_usr1);
	while (wait && !go)
		pause();
	long sum = 0;
	for (int i = 0; i < n; i++) {
		sum += counterValue();
		sum += addValues(i, 100 + i);
	}
	greeting("hello uprobe");
	printf("%ld\n", sum);
	if (linger)
		sleep(2);
	return 0;
}
