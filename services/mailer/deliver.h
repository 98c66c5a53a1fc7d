/* deliver: one job's attempt, from its raw bytes to where it must go next.
 * It claims the job's id before sending (two copies in flight are sent once)
 * and decides per recipient; the worker files the result with
 * job_store_ack(). Ownership: deliver_job() fills a struct delivery whose
 * payloads delivery_release() frees. */
#ifndef MAILER_DELIVER_H
#define MAILER_DELIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "job_store.h"
#include "metrics.h"
#include "settings.h"
#include "smtp_send.h"
#include "template.h"

/* How long another copy of a job whose id is being sent waits before it
 * looks again (by then the first is sent, and the copy is a duplicate). */
#define DELIVER_CLAIM_BUSY_DELAY_MS 1000

/* What a dead letter keeps of a job too large to read: its first bytes. */
#define DELIVER_DEAD_PREFIX_BYTES 4096

struct deliverer {
	const struct settings *settings;
	const struct template_set *templates;
	struct metrics *metrics;
	struct smtp_sender *sender;
	struct job_store *store; /* for the claim on the job's id */
	const char *name;        /* the worker: owner of its claims */
};

struct delivery {
	struct job_ack ack;  /* what job_store_ack() must do; points into this struct */
	char *retry_payload; /* the job to store for its retry, or NULL */
	char *dead_payload;  /* the dead-letter entry, or NULL */
	char job_id[130];    /* "" when the job had none */
	char reason[400];    /* why, for the log and the dead letter */
	bool relay_down;     /* the relay failed: trip the breaker */
	bool delivered;      /* a message went out */
	bool out_of_memory;  /* the result could not be built: the job stays in processing */
};

/* Untrusted raw bytes in; the decision out. */
void deliver_job(struct deliverer *d, const char *raw, size_t len, struct delivery *out);

/* A job too large to read: its first len bytes, its real size. */
void deliver_too_large(const char *first, size_t len, size_t real_len, struct delivery *out);

void delivery_release(struct delivery *out);

/* The delay before attempt number attempts + 1: full jitter over
 * min(max, base * 2^(attempts-1)). Exposed for tests; random_fn may be NULL. */
int64_t deliver_backoff_ms(const struct settings *s, int attempts, uint32_t (*random_fn)(void));

/* The dead-letter entry {"job", "error", "attempts", "failed_at"} (plus
 * "raw_base64" when raw is not UTF-8, "recipients" when not NULL). malloc'ed
 * JSON, or NULL when out of memory. */
char *deliver_dead_entry(const char *raw, size_t len, const char *error, int attempts,
                         const struct mail_job_list *recipients);

#endif
