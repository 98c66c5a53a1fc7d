/* job_store: the mailer's atomic steps on the Redis keys of SPEC.
 * Every step that takes a job out of a processing list also puts it where it
 * goes next (retry set, dead list, sent marker) in the same Lua script, so a
 * crash between two commands cannot lose or double a job. One struct
 * job_store per thread (it holds that thread's link and script hashes). */
#ifndef MAILER_JOB_STORE_H
#define MAILER_JOB_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "queue_keys.h"
#include "redis_link.h"

struct job_store {
	struct redis_link *link;
	const struct queue_keys *keys;
	struct redis_script ack;
	struct redis_script promote;
	struct redis_script recover;
	struct redis_script give_back;
};

enum job_ack {
	JOB_ACK_SENT,      /* marks <p>:sent:<id> for 24 h */
	JOB_ACK_RETRY,     /* payload into the retry set at due_ms */
	JOB_ACK_DEAD,      /* payload (a dead-letter entry) onto the dead list */
	JOB_ACK_DUPLICATE, /* already sent: just drop it */
};

void job_store_init(struct job_store *s, struct redis_link *link, const struct queue_keys *keys);

/* Takes the next job into processing (blocking up to block_seconds). Returns 1
 * with *job set (freeReplyObject it), 0 when none came, -1 when Redis failed. */
int job_store_take(struct job_store *s, const char *processing, const char *block_seconds,
                   redisReply **job);

/* Removes raw from processing and files it as action says; counter is the
 * mail:stats field to increment. Returns 0, or -1 when Redis failed. */
int job_store_ack(struct job_store *s, const char *processing, enum job_ack action, const char *raw,
                  size_t raw_len, const char *payload, int64_t due_ms, const char *job_id,
                  const char *counter);

/* Moves retry-set jobs due by now_ms back to the queue. Returns how many, or -1. */
long long job_store_promote(struct job_store *s, int64_t now_ms);

/* Moves the jobs of workers whose heartbeat expired back to the queue.
 * Returns how many, or -1. */
long long job_store_recover(struct job_store *s);

/* Moves everything in processing back to the queue (a restart under the same
 * worker name). Returns how many, or -1. */
long long job_store_give_back(struct job_store *s, const char *processing);

/* Registers worker in the workers set and refreshes its heartbeat. */
int job_store_heartbeat(struct job_store *s, const char *worker, long long ttl);

/* Removes worker's heartbeat and registration at a clean exit. */
void job_store_retire(struct job_store *s, const char *worker);

#endif
