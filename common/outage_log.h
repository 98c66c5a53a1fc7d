/* outage_log: one log line when a dependency (Redis) goes away, one when it
 * comes back, and a reminder at most every OUTAGE_REMINDER_MS in between,
 * however many threads meet the failure how often. Thread-safe. */
#ifndef COMMON_OUTAGE_LOG_H
#define COMMON_OUTAGE_LOG_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define OUTAGE_REMINDER_MS 30000

struct outage_log {
	pthread_mutex_t lock;
	const char *what; /* "redis" */
	bool down;
	int64_t since_ms;     /* monotonic */
	int64_t last_line_ms; /* monotonic */
};

void outage_log_init(struct outage_log *o, const char *what);
void outage_log_release(struct outage_log *o);

/* A use failed with error. */
void outage_log_failed(struct outage_log *o, const char *error);

/* A use succeeded. */
void outage_log_ok(struct outage_log *o);

#endif
