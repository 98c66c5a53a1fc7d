/* job_store: the mailer's atomic steps on the Redis keys of SPEC.
 * Every step that takes a job out of a processing list also puts it where it
 * goes next (queue, retry set, dead list, sent marker) in the same Lua script,
 * so a crash between two commands cannot lose or double a job. Key names come
 * from common/queue_keys and are passed to the scripts as KEYS; no script
 * spells one. One struct job_store per thread (it holds that thread's link
 * and script hashes). */
#ifndef MAILER_JOB_STORE_H
#define MAILER_JOB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "queue_fate.h"
#include "queue_keys.h"
#include "redis_link.h"

struct job_store {
	struct redis_link *link;
	const struct queue_keys *keys;
	struct redis_script ack;
	struct redis_script claim;
	struct redis_script steal;
	struct redis_script bury;
	struct redis_script settle;
	struct redis_script promote;
	struct redis_script recover;
	struct redis_script give_back;
	struct redis_script expire;
};

/* Where a job in hand goes; any combination, applied at once. */
struct job_ack {
	enum queue_fate fate;      /* the mail:stats field counted */
	bool requeue;              /* back onto the queue, to be taken next */
	const char *retry_payload; /* into the retry set at due_ms, or NULL */
	int64_t due_ms;
	const char *dead_payload; /* onto the dead list, or NULL; counted as dead too */
	bool mark_sent;           /* <p>:sent:<id> for 24 h */
	const char *job_id;       /* "" or NULL when the job had none */
	const char *claim_owner;  /* releases <p>:claim:<id> if this worker holds it */
};

struct job_taken {
	char *raw;       /* the job's bytes (free()), NULL when none came */
	size_t len;      /* bytes in raw */
	size_t real_len; /* the job's real size: > len when it was too large to read */
};

void job_store_init(struct job_store *s, struct redis_link *link, const struct queue_keys *keys);

/* Takes the next job into processing (blocking up to block_seconds), reading
 * at most max_bytes of it. Returns 1 with *job filled (release it), 0 when
 * none came, -1 when Redis failed. */
int job_store_take(struct job_store *s, const char *processing, const char *block_seconds,
                   size_t max_bytes, struct job_taken *job);
void job_taken_release(struct job_taken *job);

/* Files a job that was too large to read: removes it from processing (found
 * by its size) and pushes dead_entry. Returns 1, 0 when it was not there, -1. */
int job_store_bury(struct job_store *s, const char *processing, size_t real_len,
                   const char *dead_entry);

/* Empties a processing list that should be empty (a take whose reply was
 * lost: Redis may need longer to send a job of hundreds of MB than the link
 * waits). One call handles its newest job: a job of at most max_bytes goes
 * back to the queue; a larger one is left there and described in *large (its
 * first prefix_bytes; release it) for job_store_bury(). Returns 0 when the
 * list is empty, 1 when a job was handled or described, -1 when Redis failed. */
int job_store_settle(struct job_store *s, const char *processing, size_t max_bytes,
                     size_t prefix_bytes, struct job_taken *large);

/* Removes raw from processing and files it as ack says. Returns 0, or -1 when
 * Redis failed (the job then stays in processing). */
int job_store_ack(struct job_store *s, const char *processing, const char *raw, size_t raw_len,
                  const struct job_ack *ack);

enum job_claim { JOB_CLAIMED, JOB_CLAIM_SENT, JOB_CLAIM_BUSY, JOB_CLAIM_FAILED };

/* Before sending: JOB_CLAIM_SENT when the id was delivered in the last 24 h
 * (asked only with check_sent), JOB_CLAIM_BUSY when another live worker is
 * sending it now, else takes the claim for ttl_ms (from a holder whose
 * heartbeat expired too). */
enum job_claim job_store_claim(struct job_store *s, const char *job_id, const char *owner,
                               long long ttl_ms, bool check_sent);

/* Moves retry-set jobs due by now_ms back to the queue. Returns how many, or -1. */
long long job_store_promote(struct job_store *s, int64_t now_ms);

/* Moves the jobs of workers whose heartbeat expired back to the queue, and
 * forgets those workers. Returns how many jobs, or -1. */
long long job_store_recover(struct job_store *s);

/* Moves everything in processing back to the queue (a restart under the same
 * worker name). Returns how many, or -1. */
long long job_store_give_back(struct job_store *s, const char *processing);

/* Dead-letters, as "expired", queued jobs whose deadline is past now_s (while
 * the relay is down nothing takes them). Looks at the next max jobs. Returns
 * how many, or -1. */
long long job_store_expire(struct job_store *s, int64_t now_s, long max);

/* Registers worker in the workers set and refreshes its heartbeat. */
int job_store_heartbeat(struct job_store *s, const char *worker, long long ttl);

/* Removes worker's heartbeat and registration at a clean exit. */
void job_store_retire(struct job_store *s, const char *worker);

#endif
