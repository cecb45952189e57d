// SPDX-License-Identifier: Apache-2.0
// writer N [NAME [TEXT]]: sets its comm to NAME (default "ct_writer"), opens /dev/null and
// calls write() exactly N times on it. Each buffer is NUL-terminated in memory, so
// str(args->buf) reads exactly what was written. With TEXT, the i-th write (from 1) sends
// "TEXT i"; without it, a single "x". After prctl() the only system calls are: openat,
// N writes, close, exit_group.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1;
	const char *name = argc > 2 ? argv[2] : "ct_writer";
	const char *text = argc > 3 ? argv[3] : NULL;
	char buf[256];

	prctl(PR_SET_NAME, name, 0, 0, 0);
	int fd = open("/dev/null", O_WRONLY);
	for (int i = 1; i <= n; i++) {
		if (text)
			snprintf(buf, sizeof(buf), "%s %d", text, i);
		else
			strcpy(buf, "x");
		if (write(fd, buf, strlen(buf)) < 0)
			return 1;
	}
	close(fd);
	_exit(0);
}
