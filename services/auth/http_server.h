/* http_server: libmicrohttpd in thread-pool mode, the request life cycle and
 * dispatch through the route table. Ownership: http_server_start() gives a
 * server that http_server_stop() drains, stops and frees. */
#ifndef AUTH_HTTP_SERVER_H
#define AUTH_HTTP_SERVER_H

#include "app.h"

struct http_server;

/* Binds AUTH_LISTEN (port 0: any free port), logs "listening addr=HOST:PORT"
 * and starts serving. NULL on failure, logged. */
struct http_server *http_server_start(struct app *app);

/* Stops accepting, lets requests in flight finish (up to drain_ms), stops. */
void http_server_stop(struct http_server **server, int drain_ms);

#endif
