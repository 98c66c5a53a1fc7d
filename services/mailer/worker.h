/* worker: a delivery thread. Takes jobs one at a time from the queue into its
 * own processing list, delivers, and files the result atomically. Each thread
 * owns its Redis link, curl handle and processing list; the process's main
 * loop keeps every worker's heartbeat alive. Ownership: worker_start() gives a
 * worker that worker_join() waits for and frees. */
#ifndef MAILER_WORKER_H
#define MAILER_WORKER_H

#include <stdatomic.h>

#include "metrics.h"
#include "queue_keys.h"
#include "redis_url.h"
#include "settings.h"
#include "template.h"

struct worker_shared {
	const struct settings *settings;
	const struct template_set *templates;
	struct metrics *metrics;
	const struct redis_url *redis_url;
	const struct queue_keys *keys;
	atomic_bool stop;
};

struct worker;

/* name: this worker's id in Redis keys. NULL when the thread cannot start. */
struct worker *worker_start(struct worker_shared *shared, const char *name);

/* Waits for the worker to finish its job in hand (after shared->stop is set). */
void worker_join(struct worker **w);

#endif
