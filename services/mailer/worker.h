/* worker: a delivery thread. Takes jobs one at a time from the queue into its
 * own processing list, delivers, and files the result atomically. Each thread
 * owns its Redis link, curl handle and processing list; all of them share the
 * relay breaker (no thread takes a job while the relay is down) and the Redis
 * outage log. Ownership: worker_start() gives a worker that worker_join()
 * waits for and frees. */
#ifndef MAILER_WORKER_H
#define MAILER_WORKER_H

#include <stdatomic.h>

#include "metrics.h"
#include "outage_log.h"
#include "queue_keys.h"
#include "redis_url.h"
#include "relay_breaker.h"
#include "settings.h"
#include "template.h"

/* How long the QUIT of a kept connection may take at shutdown. */
#define WORKER_QUIT_TIMEOUT_S 2

struct worker_shared {
	const struct settings *settings;
	const struct template_set *templates;
	struct metrics *metrics;
	const struct redis_url *redis_url;
	const struct queue_keys *keys;
	struct relay_breaker breaker;
	struct outage_log redis_outage;
	atomic_bool stop;
};

struct worker;

/* name: this worker's id in Redis keys. NULL when the thread cannot start. */
struct worker *worker_start(struct worker_shared *shared, const char *name);

/* Waits for the worker to finish its job in hand (after shared->stop is set). */
void worker_join(struct worker **w);

#endif
