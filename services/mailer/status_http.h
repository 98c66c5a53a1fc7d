/* status_http: the mailer's small HTTP listener for operators —
 * GET /healthz (200 {"status":"ok"} when Redis answers, else 503) and
 * GET /metrics (Prometheus text, with the queue depths read at scrape time).
 * Ownership: status_http_start() gives a server that status_http_stop() frees. */
#ifndef MAILER_STATUS_HTTP_H
#define MAILER_STATUS_HTTP_H

#include "metrics.h"
#include "queue_keys.h"
#include "redis_url.h"

struct status_http;

/* Logs "listening addr=HOST:PORT". NULL on failure, logged. */
struct status_http *status_http_start(const char *listen, struct metrics *metrics,
                                      const struct redis_url *url, const struct queue_keys *keys);
void status_http_stop(struct status_http **s);

#endif
