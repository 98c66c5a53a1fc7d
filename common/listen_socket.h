/* listen_socket: a listening TCP socket for "host:port" (port 0: any free
 * port), reporting the port actually bound, so services can log it. */
#ifndef COMMON_LISTEN_SOCKET_H
#define COMMON_LISTEN_SOCKET_H

#include <stddef.h>

/* Returns the socket, with host (the address part) and *port (the bound port)
 * filled; -1 on failure, logged. The caller closes it. */
int listen_socket_open(const char *listen_addr, char *host, size_t host_len, int *port);

#endif
