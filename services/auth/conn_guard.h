/* conn_guard: the public listener's defence against slow and numerous
 * clients (slowloris).
 *
 * libmicrohttpd's CONNECTION_TIMEOUT restarts at every byte received, so a
 * client that trickles one header line every few seconds is never timed out;
 * and once its connection limit is reached nobody new gets in. The guard
 * keeps its own record of every connection (MHD_OPTION_NOTIFY_CONNECTION):
 *   - a request must arrive whole, headers and body, within the request
 *     timeout counted from its first byte (from the connection's start, or
 *     from the previous answer on a kept-alive one); a sweeper thread closes
 *     late ones with shutdown(2), which MHD sees as the peer going away;
 *   - a peer address may hold per_address connections (MHD's own per-IP limit
 *     cannot exempt anyone, and behind a reverse proxy every connection has
 *     the proxy's address: trusted proxies are exempt);
 *   - near the connection cap (9/10 of it), a new connection from an address
 *     that already holds as many as any other is closed at once (refused);
 *     one from a lighter address costs the heaviest address its oldest
 *     connection still arriving (evicted) — so no set of slow clients can
 *     keep a newcomer out, and reconnecting does not let an address grow
 *     past the others.
 * A connection whose request has arrived (in its handler, or waiting for the
 * hash gate) is never touched. MHD calls NOTIFY_CLOSED before it closes the
 * socket, and the guard forgets the connection under the same lock it uses
 * to shut one down, so it never touches a reused descriptor.
 *
 * Ownership: conn_guard_new() gives a guard (with its sweeper running) that
 * conn_guard_free() stops and frees, after the daemon has stopped. */
#ifndef AUTH_CONN_GUARD_H
#define AUTH_CONN_GUARD_H

#include <microhttpd.h>
#include <stdint.h>

#include "metrics.h"
#include "proxy_trust.h"

struct conn_guard;

struct conn_guard_limits {
	int64_t request_timeout_ms;
	long long max_connections;
	long long per_address;            /* connections one peer address may hold; 0: no limit */
	const struct proxy_trust *exempt; /* peers free of per_address (proxies); borrowed */
};

/* Counts what it closes in metrics (borrowed; it must outlive the guard):
 * auth_connections_closed_total{reason="late"|"per_address"|"refused"|"evicted"}. */
struct conn_guard *conn_guard_new(const struct conn_guard_limits *limits, struct metrics *metrics);
void conn_guard_free(struct conn_guard **g);

/* The MHD_OPTION_NOTIFY_CONNECTION callback; cls is the guard. */
void conn_guard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                       enum MHD_ConnectionNotificationCode code);

/* From the access handler: the request on c has arrived whole. */
void conn_guard_arrived(struct MHD_Connection *c);

/* From the completion callback: the next request's clock starts now. */
void conn_guard_next(struct MHD_Connection *c);

#endif
