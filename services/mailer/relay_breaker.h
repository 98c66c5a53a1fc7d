/* relay_breaker: one per mailer, shared by its delivery threads. When the
 * relay itself fails (refused, timed out, TLS, 421, 535) the breaker opens:
 * threads stop taking jobs and one of them at a time probes the relay, with
 * pauses growing from 1 s to the configured maximum. A probe that is greeted
 * (and logs in) closes it and every thread resumes. The pause starts again
 * from 1 s only after a message was really delivered, so a relay that greets
 * but refuses every message is not hammered. Thread-safe. */
#ifndef MAILER_RELAY_BREAKER_H
#define MAILER_RELAY_BREAKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define RELAY_PROBE_FIRST_MS 1000

struct relay_breaker {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	bool down;
	bool probing;          /* a thread is probing now */
	int64_t next_probe_ms; /* monotonic */
	int64_t pause_ms;      /* the next pause between probes */
	int64_t max_pause_ms;
	atomic_bool up; /* for /healthz and /metrics, read without the lock */
};

enum relay_turn {
	RELAY_GO,    /* the relay is up: take a job */
	RELAY_WAIT,  /* down: nothing to do yet (check for stop, then ask again) */
	RELAY_PROBE, /* down, and this thread probes now: report with relay_breaker_probed() */
};

void relay_breaker_init(struct relay_breaker *b, int64_t max_pause_ms);
void relay_breaker_release(struct relay_breaker *b);

/* Before taking a job. While the relay is down, waits up to wait_ms for a
 * change or this thread's turn to probe. */
enum relay_turn relay_breaker_turn(struct relay_breaker *b, long wait_ms);

/* A delivery met a relay-wide failure. Logs once when it opens. */
void relay_breaker_trip(struct relay_breaker *b, const char *why);

/* The result of a probe this thread was given (RELAY_PROBE). */
void relay_breaker_probed(struct relay_breaker *b, bool ok, const char *why);

/* A message was delivered: the relay works, the next outage starts at 1 s. */
void relay_breaker_delivered(struct relay_breaker *b);

/* Wakes every waiting thread (at shutdown). */
void relay_breaker_wake_all(struct relay_breaker *b);

static inline bool relay_breaker_is_up(struct relay_breaker *b)
{
	return atomic_load(&b->up);
}

#endif
