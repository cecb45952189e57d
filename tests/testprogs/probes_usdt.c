// SPDX-License-Identifier: Apache-2.0
/*
 * Workload for the usdt tests (sys/sdt.h from systemtap-sdt-dev).  After
 * SIGUSR1 (or at once without --wait) it fires, in this order:
 *   ctrace_test:tick(i, i * 10, "tick")  for i = 1, 2, 3
 *   ctrace_test:site(7) then ctrace_test:site(n): one probe, two call sites
 *     whose argument is an immediate at the first and a register at the second
 *   ctrace_test:sema(42), only while its semaphore is set (someone traces it)
 *   ctrace_test:mem(v) with v read from memory
 * and prints how many times the semaphore was seen set.
 */
#define _SDT_HAS_SEMAPHORES 1
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sdt.h>
#include <unistd.h>

/* with _SDT_HAS_SEMAPHORES every probe has one; only sema's is checked */
#define SEMAPHORE(name) \
	__extension__ unsigned short ctrace_test_##name##_semaphore __attribute__((unused)) \
		__attribute__((section(".probes")))
SEMAPHORE(tick);
SEMAPHORE(site);
SEMAPHORE(sema);
SEMAPHORE(mem);

static volatile sig_atomic_t go;

static void on_usr1(int sig)
{
	(void)sig;
	go = 1;
}

__attribute__((noinline)) static const char *argc_name(int n)
{
	return n > 0 ? "tick" : "none";
}

__attribute__((noinline)) static void fire(int n)
{
	static volatile long cell = 1234;
	volatile long v = cell; /* kept on the stack: a memory operand */
	/* on the stack, not in .rodata: a page nobody touched cannot be read from BPF */
	char name[8];

	strcpy(name, argc_name(n));
	for (int i = 1; i <= 3; i++)
		STAP_PROBE3(ctrace_test, tick, i, (long)i * 10, name);
	STAP_PROBE1(ctrace_test, site, 7);
	STAP_PROBE1(ctrace_test, site, n);
	if (*(volatile unsigned short *)&ctrace_test_sema_semaphore)
		STAP_PROBE1(ctrace_test, sema, 42);
	STAP_PROBE1(ctrace_test, mem, v);
}

int main(int argc, char **argv)
{
	int wait = argc > 1 && !strcmp(argv[1], "--wait");
	int seen = 0;

	signal(SIGUSR1, on_usr1);
	while (wait && !go)
		pause();
	seen = *(volatile unsigned short *)&ctrace_test_sema_semaphore != 0;
	fire(argc + 100);
	printf("semaphore %s\n", seen ? "set" : "clear");
	return 0;
}
