#include "listen_socket.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "logger.h"

/* A burst of connects (a client flood, a crowd after a restart) must not
 * overflow the accept queue: a dropped SYN costs the client a 1 s retransmit.
 * The kernel caps it at net.core.somaxconn (4096 on Debian 12). */
#define LISTEN_BACKLOG 4096

int listen_socket_open(const char *listen_addr, char *host, size_t host_len, int *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *ai = NULL;
	struct sockaddr_storage bound;
	socklen_t len = sizeof(bound);
	char service[8];
	int fd, one = 1;

	if (config_split_listen(listen_addr, host, host_len, port) != 0)
		return -1;
	snprintf(service, sizeof(service), "%d", *port);
	if (getaddrinfo(host, service, &hints, &ai) != 0)
		return -1;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, LISTEN_BACKLOG) != 0 ||
	    getsockname(fd, (struct sockaddr *)&bound, &len) != 0) {
		LOG_ERROR("http", "cannot listen addr=%s error=\"%m\"", listen_addr);
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	*port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
	                                          : ((struct sockaddr_in *)&bound)->sin_port);
	return fd;
}
