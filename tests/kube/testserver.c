// SPDX-License-Identifier: Apache-2.0
/* testserver.c - a tiny HTTP server whose counterValue() a uretprobe test traces. */
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int counter;

/*
 * Named as Go names it ("main.counterValue"), so the program users write for Go servers
 * works unchanged; noinline and used, so the probe has a real function to attach to.
 */
int counter_value(void) __asm__("main.counterValue") __attribute__((noinline, used));

int counter_value(void)
{
	counter++;
	__asm__ volatile("" ::: "memory");
	return counter;
}

static void answer(int fd)
{
	char req[4096], body[64], resp[256];
	int n;

	if (read(fd, req, sizeof(req)) <= 0)
		return;
	n = snprintf(body, sizeof(body), "%d\n", counter_value());
	n = snprintf(resp, sizeof(resp),
		     "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s",
		     n, body);
	if (write(fd, resp, n) < 0)
		perror("write");
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int one = 1, s = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_port = htons(argc > 1 ? atoi(argv[1]) : 8080);
	signal(SIGPIPE, SIG_IGN);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 16)) {
		perror("testserver");
		return 1;
	}
	printf("listening on 127.0.0.1:%d\n", ntohs(a.sin_port));
	fflush(stdout);
	for (;;) {
		int c = accept(s, NULL, NULL);

		if (c < 0)
			continue;
		answer(c);
		close(c);
	}
}
