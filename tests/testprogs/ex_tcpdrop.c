// A TCP connection on 127.0.0.1 whose client drops every segment it receives: a socket
// filter that accepts nothing is attached to the client, then the server writes. The
// kernel drops the segments (reason SOCKET_FILTER) and the server retransmits them.
// Usage: ex_tcpdrop [MILLISECONDS] -- how long to keep the connection (default 300).
#include <arpa/inet.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int ms = argc > 1 ? atoi(argv[1]) : 300;
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t len = sizeof(addr);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) || listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)&addr, &len)) {
		perror("listen");
		return 1;
	}
	int cfd = socket(AF_INET, SOCK_STREAM, 0);
	if (cfd < 0 || connect(cfd, (struct sockaddr *)&addr, sizeof(addr))) {
		perror("connect");
		return 1;
	}
	int afd = accept(lfd, NULL, NULL);
	if (afd < 0) {
		perror("accept");
		return 1;
	}
	struct sock_filter drop_all[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
	struct sock_fprog prog = { .len = 1, .filter = drop_all };
	if (setsockopt(cfd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog))) {
		perror("SO_ATTACH_FILTER");
		return 1;
	}
	if (write(afd, "dropped", 7) != 7) {
		perror("write");
		return 1;
	}
	usleep(ms * 1000);
	close(cfd);
	close(afd);
	close(lfd);
	return 0;
}
