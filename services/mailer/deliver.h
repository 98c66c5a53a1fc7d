/* deliver: one job's attempt, from its raw bytes to what must happen to it.
 * Nothing here touches the queue keys: the worker files the result with
 * job_store_ack(). Ownership: deliver_job() fills a struct delivery whose
 * payload delivery_release() frees. */
#ifndef MAILER_DELIVER_H
#define MAILER_DELIVER_H

#include <stddef.h>
#include <stdint.h>

#include "job_store.h"
#include "metrics.h"
#include "settings.h"
#include "smtp_send.h"
#include "template.h"

struct deliverer {
	const struct settings *settings;
	const struct template_set *templates;
	struct metrics *metrics;
	struct smtp_sender *sender;
	struct redis_link *link; /* for the idempotency check */
	const struct queue_keys *keys;
};

struct delivery {
	enum job_ack action;
	char *payload;       /* retry: the job to store; dead: the dead-letter entry */
	int64_t due_ms;      /* retry: when it is due again */
	char job_id[130];    /* "" when the job had none */
	const char *counter; /* the mail:stats field */
	char reason[400];    /* why, for the log and the dead letter */
};

/* Untrusted raw bytes in; the decision out. */
void deliver_job(struct deliverer *d, const char *raw, size_t len, struct delivery *out);

void delivery_release(struct delivery *out);

/* The delay before attempt number attempts + 1: full jitter over
 * min(max, base * 2^(attempts-1)). Exposed for tests; random_fn may be NULL. */
int64_t deliver_backoff_ms(const struct settings *s, int attempts, uint32_t (*random_fn)(void));

#endif
