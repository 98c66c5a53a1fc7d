/* http_server: two libmicrohttpd daemons sharing one route table —
 *   the public listener (AUTH_LISTEN): a thread pool, suspend/resume for the
 *     hash gate, the connection guard (whole-request timeout, fair eviction);
 *   the metrics listener (AUTH_METRICS_LISTEN): one thread, /metrics and
 *     /healthz only, for operators and scrapers; never published.
 * The request life cycle and dispatch through the route table live here.
 * Ownership: http_server_start() gives a server that http_server_stop()
 * drains, stops and frees. */
#ifndef AUTH_HTTP_SERVER_H
#define AUTH_HTTP_SERVER_H

#include "app.h"

struct http_server;

/* Binds both listeners (port 0: any free port), starts serving, and logs
 * "metrics listener metrics_addr=HOST:PORT", then "listening addr=HOST:PORT"
 * for the public one (the readiness line). NULL on failure, logged. */
struct http_server *http_server_start(struct app *app);

/* Stops accepting, lets requests in flight finish (up to drain_ms), stops. */
void http_server_stop(struct http_server **server, int drain_ms);

#endif
