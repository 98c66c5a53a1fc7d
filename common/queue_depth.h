/* queue_depth: how full the queue's lists are and who is working on them —
 * the one place that counts them, for the mailer's /metrics and mailctl. */
#ifndef COMMON_QUEUE_DEPTH_H
#define COMMON_QUEUE_DEPTH_H

#include "queue_keys.h"
#include "redis_link.h"

struct queue_depth {
	long long queue;        /* jobs waiting */
	long long retry;        /* jobs waiting for a retry or their not_before */
	long long dead;         /* dead letters */
	long long processing;   /* jobs held by registered workers */
	long long live_workers; /* delivery threads with a live heartbeat */
	long long live_mailers; /* mailer processes with at least one live thread */
};

/* Called for each registered worker (may be NULL). */
typedef void (*queue_depth_worker_fn)(void *ctx, const char *worker, int live, long long held);

/* Returns 0 with out filled, or -1 when Redis failed (out is then partial). */
int queue_depth_read(struct redis_link *link, const struct queue_keys *keys,
                     struct queue_depth *out, queue_depth_worker_fn each, void *ctx);

#endif
