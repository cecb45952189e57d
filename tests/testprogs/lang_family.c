// SPDX-License-Identifier: Apache-2.0
// lang_family [--wait]: sets its comm to "ct_lparent"; with --wait it first blocks in
// sigwaitinfo() until SIGUSR1 arrives (so a tracer can be started with its pid). Then it
// forks one child and waits for it. The child sets its comm to "ct_lchild", opens /dev/null
// and writes the 8 bytes "ABCD\x01\x02\x03\x04" (a NUL follows in memory, not written)
// once; then it starts one thread, which sets its own comm to "ct_lthread" and writes the
// same 8 bytes once; the child joins the thread and exits. So, for both writes:
// ppid == the pid of lang_family, buf[1] == 'B', *(uint32 *)(buf + 4) == 0x04030201
// (67305985, little endian), *(uint16 *)buf == 0x4241 (16961); for the thread's write
// pcomm (the group leader's comm) is "ct_lchild" while comm is "ct_lthread", and tid != pid.
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static char data[9] = "ABCD\x01\x02\x03\x04";
static int fd;

static void *thread_main(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "ct_lthread", 0, 0, 0);
	if (write(fd, data, 8) != 8)
		return (void *)1;
	return NULL;
}

int main(int argc, char **argv)
{
	prctl(PR_SET_NAME, "ct_lparent", 0, 0, 0);
	if (argc > 1 && strcmp(argv[1], "--wait") == 0) {
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		sigprocmask(SIG_BLOCK, &set, NULL);
		sigwaitinfo(&set, NULL);
	}
	pid_t c = fork();
	if (c < 0)
		return 1;
	if (c == 0) {
		prctl(PR_SET_NAME, "ct_lchild", 0, 0, 0);
		fd = open("/dev/null", O_WRONLY);
		if (fd < 0 || write(fd, data, 8) != 8)
			_exit(1);
		pthread_t t;
		void *ret;
		if (pthread_create(&t, NULL, thread_main, NULL) != 0 || pthread_join(t, &ret) != 0 ||
		    ret != NULL)
			_exit(1);
		close(fd);
		_exit(0);
	}
	int st;
	waitpid(c, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
