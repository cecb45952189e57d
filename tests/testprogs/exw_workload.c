// SPDX-License-Identifier: Apache-2.0
// exw_workload MODE [ARGS]: the system calls and library calls that the tools of examples/
// report, made by a process whose comm is "exw_workload" (so a test can pick them out).
//   nap                 nanosleep() for 0.123 s, then clock_nanosleep() for 0.234 s
//   sync                fsync, fdatasync, sync_file_range, msync, syncfs and sync
//   setuid              setfsuid(4243), setfsuid(0), setresuid(0, 4242, 0), setuid(4244)
//                       (refused: EPERM), setuid(0); needs root
//   getppid N           getppid() N times
//   threads N           N threads through pthread_create(), one after the other, each
//                       starting in thread_main(); then 0.5 s of sleep, so that a tracer can
//                       still read this process's symbols
//   gethost NAME...     getaddrinfo(NAME), gethostbyname(NAME) and gethostbyname2(NAME,
//                       AF_INET) for each NAME (numeric addresses need no resolver)
//   bio N               N direct (O_DIRECT) writes of 8 KiB to a new file in /tmp, then
//                       fdatasync; each write is one block I/O request of 8 KiB
#define _GNU_SOURCE
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void nap(void)
{
	struct timespec a = {0, 123000000}, b = {0, 234000000};
	nanosleep(&a, NULL);
	clock_nanosleep(CLOCK_MONOTONIC, 0, &b, NULL);
}

static int syncs(void)
{
	char path[] = "/tmp/exw_workload_syncXXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return 1;
	unlink(path);
	if (write(fd, "exw", 3) != 3 || ftruncate(fd, 4096))
		return 1;
	fsync(fd);
	fdatasync(fd);
	sync_file_range(fd, 0, 4096, SYNC_FILE_RANGE_WRITE);
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 1;
	p[0] = 'x';
	msync(p, 4096, MS_SYNC);
	munmap(p, 4096);
	syncfs(fd);
	sync();
	close(fd);
	return 0;
}

static int setuids(void)
{
	setfsuid(4243);
	setfsuid(0);
	if (setresuid(0, 4242, 0))
		return 1;
	if (setuid(4244) == 0)
		return 1;
	return setuid(0) ? 1 : 0;
}

static void *thread_main(void *arg)
{
	return arg;
}

static int threads(int n)
{
	for (int i = 0; i < n; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, thread_main, NULL))
			return 1;
		pthread_join(t, NULL);
	}
	struct timespec hold = {0, 500000000};
	nanosleep(&hold, NULL);
	return 0;
}

static void gethost(const char *name)
{
	struct addrinfo hints, *res;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	if (getaddrinfo(name, NULL, &hints, &res) == 0)
		freeaddrinfo(res);
	gethostbyname(name);
	gethostbyname2(name, AF_INET);
}

static int bio(int n)
{
	char path[] = "/tmp/exw_workload_bioXXXXXX";
	int tmp = mkstemp(path);
	if (tmp < 0)
		return 1;
	int fd = open(path, O_WRONLY | O_DIRECT);
	unlink(path);
	close(tmp);
	void *buf;
	if (fd < 0 || posix_memalign(&buf, 4096, 8192))
		return 1;
	memset(buf, 'x', 8192);
	for (int i = 0; i < n; i++)
		if (pwrite(fd, buf, 8192, (off_t)i * 8192) != 8192)
			return 1;
	fdatasync(fd);
	close(fd);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	prctl(PR_SET_NAME, "exw_workload", 0, 0, 0);
	if (argc < 2)
		goto usage;
	if (!strcmp(argv[1], "nap")) {
		nap();
		return 0;
	}
	if (!strcmp(argv[1], "sync"))
		return syncs();
	if (!strcmp(argv[1], "setuid"))
		return setuids();
	if (!strcmp(argv[1], "getppid") && argc > 2) {
		for (long i = atol(argv[2]); i > 0; i--)
			getppid();
		return 0;
	}
	if (!strcmp(argv[1], "threads") && argc > 2)
		return threads(atoi(argv[2]));
	if (!strcmp(argv[1], "bio") && argc > 2)
		return bio(atoi(argv[2]));
	if (!strcmp(argv[1], "gethost")) {
		for (int i = 2; i < argc; i++)
			gethost(argv[i]);
		return 0;
	}
usage:
	fprintf(stderr, "usage: exw_workload nap|sync|setuid|getppid N|threads N|gethost NAME...|bio N\n");
	return 2;
}
