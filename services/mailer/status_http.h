/* status_http: the mailer's small HTTP listener for operators —
 * GET /healthz (200 {"status":"ok","relay":"up"|"down"} when Redis answers,
 * else 503) and GET /metrics (Prometheus text, with the queue depths and the
 * relay's state read at scrape time). Slow clients cannot hold it: many
 * connections are allowed and each must finish within STATUS_CLIENT_TIMEOUT_S.
 * Ownership: status_http_start() gives a server that status_http_stop() frees. */
#ifndef MAILER_STATUS_HTTP_H
#define MAILER_STATUS_HTTP_H

#include "metrics.h"
#include "queue_keys.h"
#include "redis_url.h"
#include "relay_breaker.h"

#define STATUS_CLIENT_TIMEOUT_S 5u
#define STATUS_CONNECTIONS_MAX  1000u

struct status_http;

/* Logs "listening addr=HOST:PORT". NULL on failure, logged. */
struct status_http *status_http_start(const char *listen, struct metrics *metrics,
                                      const struct redis_url *url, const struct queue_keys *keys,
                                      struct relay_breaker *breaker);
void status_http_stop(struct status_http **s);

#endif
