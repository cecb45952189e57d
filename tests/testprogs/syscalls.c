// SPDX-License-Identifier: Apache-2.0
// syscalls [--wait] [--compat]: makes a fixed set of different system calls, the k-th of them (from 0)
// exactly k+2 times (so every count is distinct and a sorted table is fully determined),
// then exit_group once. All calls go through syscall(2) with arguments that make them fail
// harmlessly. With --wait it first blocks in sigwaitinfo() until SIGUSR1 arrives (so a tracer
// can be started with its pid). The calls include ones whose tracepoints are named
// differently from the syscall (stat -> newstat, fstat -> newfstat, lstat -> newlstat,
// uname -> newuname, sendfile -> sendfile64, umount2 -> umount) and new ones by number
// (cachestat 451, futex_wake 454, statmount 457, mseal 462, file_getattr 468).
// It also calls numbers that have no tracepoint (afs_syscall 183, 600) which must never
// be reported. With --compat it instead makes calls that syscall tracepoints ignore:
// 32-bit `int $0x80` getpid calls (IA32 emulation) and an x32-tagged number.
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

struct call {
	long nr;
	long a0, a1, a2;
};

static char path[] = "/nonexistent/ct";
static char sbuf[4096];

static void run(const struct call *calls, int n)
{
	for (int k = 0; k < n; k++)
		for (int i = 0; i <= k + 1; i++)
			syscall(calls[k].nr, calls[k].a0, calls[k].a1, calls[k].a2, 0, 0, 0);
}

int main(int argc, char **argv)
{
	int wait = 0, compat = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--wait"))
			wait = 1;
		if (!strcmp(argv[i], "--compat"))
			compat = 1;
	}
	if (wait) {
		sigset_t set;
		siginfo_t info;
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		sigprocmask(SIG_BLOCK, &set, NULL);
		while (sigwaitinfo(&set, &info) < 0)
			;
	}
	if (compat) {
		// 20 is getpid in the i386 table (and writev in the x86_64 one).
		for (int i = 0; i < 3; i++) {
			long ret;
			__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
		}
		// An x32-tagged getpid: rejected with ENOSYS on a kernel without x32.
		syscall(0x40000000L | SYS_getpid);
		syscall(SYS_getppid); // two ordinary calls so the table is not empty
		syscall(SYS_getppid);
		syscall(SYS_exit_group, 0);
	}
	static const struct call calls[] = {
		{SYS_getpid},
		{SYS_getppid},
		{SYS_getuid},
		{SYS_read, -1, (long)sbuf, 1},
		{SYS_write, -1, (long)sbuf, 1},
		{SYS_close, -1},
		{SYS_stat, (long)path, (long)sbuf},
		{SYS_fstat, -1, (long)sbuf},
		{SYS_lstat, (long)path, (long)sbuf},
		{SYS_uname, (long)sbuf},
		{SYS_sendfile, -1, -1, 0},
		{SYS_umount2, (long)path, 0},
		{SYS_dup, -1},
		{SYS_lseek, -1, 0, 0},
		{SYS_access, (long)path, 0},
		{SYS_openat, -100, (long)path, 0},
		{SYS_getcwd, (long)sbuf, sizeof(sbuf)},
		{SYS_sched_yield},
		{SYS_gettid},
		{451 /* cachestat */, -1, 0, 0},
		{454 /* futex_wake */, 0, 0, 0},
		{457 /* statmount */, 0, 0, 0},
		{462 /* mseal */, 1, 0, 0},
		{468 /* file_getattr */, -1, 0, 0},
		{183 /* afs_syscall: no tracepoint */},
		{600 /* no such system call */},
	};
	run(calls, sizeof(calls) / sizeof(calls[0]));
	syscall(SYS_exit_group, 0);
	return 0;
}
