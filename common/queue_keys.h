/* queue_keys: the only place Redis key names are spelled (SPEC, prefix "mail").
 *
 *   <p>:queue              list  jobs waiting; producers LPUSH, mailers pop the right
 *   <p>:processing:<w>     list  jobs worker w holds
 *   <p>:retry              zset  jobs waiting for their next attempt, score = due ms
 *   <p>:dead               list  dead letters {"job","error","attempts","failed_at"}
 *   <p>:sent:<id>          string  delivered in the last 24 h (idempotency)
 *   <p>:claim:<id>         string  the worker sending job <id> now, with a TTL
 *   <p>:worker:<w>         string  heartbeat of worker w, with a TTL
 *   <p>:workers            set   workers ever seen (for orphan recovery)
 *   <p>:stats              hash  counters, by queue_fate name
 *
 * A worker is one delivery thread, named "<mailer id>-<n>".
 */
#ifndef COMMON_QUEUE_KEYS_H
#define COMMON_QUEUE_KEYS_H

#include <stddef.h>

#define QUEUE_KEY_MAX    200
#define QUEUE_PREFIX_MAX 64

struct queue_keys {
	char prefix[QUEUE_PREFIX_MAX + 1];
	char queue[QUEUE_KEY_MAX];
	char retry[QUEUE_KEY_MAX];
	char dead[QUEUE_KEY_MAX];
	char workers[QUEUE_KEY_MAX];
	char stats[QUEUE_KEY_MAX];
};

/* Fills the fixed names. Returns 0, or -1 when the prefix is empty, longer than
 * QUEUE_PREFIX_MAX or has characters outside [A-Za-z0-9_.:-]. */
int queue_keys_init(struct queue_keys *keys, const char *prefix);

/* <p>:processing:<worker>, <p>:worker:<worker>, <p>:sent:<id> into out.
 * Return 0, or -1 if it does not fit. */
int queue_keys_processing(const struct queue_keys *keys, const char *worker, char *out, size_t n);
int queue_keys_heartbeat(const struct queue_keys *keys, const char *worker, char *out, size_t n);
int queue_keys_sent(const struct queue_keys *keys, const char *job_id, char *out, size_t n);
int queue_keys_claim(const struct queue_keys *keys, const char *job_id, char *out, size_t n);

/* The length of the name of the mailer a worker (delivery thread) belongs to:
 * the worker's name without its final "-<n>". */
size_t queue_keys_mailer_len(const char *worker);

#endif
