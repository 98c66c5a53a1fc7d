/* rate_limit: fixed-window abuse counters in Redis, keyed by a hash of the
 * identity (an email address never appears in a key).
 *   auth:rl:<kind>:<hex>  INCR, with the window as its TTL */
#ifndef AUTH_RATE_LIMIT_H
#define AUTH_RATE_LIMIT_H

#include "redis_link.h"

enum rate_limit_result {
	RATE_LIMIT_OK = 0,
	RATE_LIMIT_OVER = 1,
	RATE_LIMIT_UNAVAILABLE = -1, /* Redis did not answer */
};

/* Counts one event; OVER when the count passes limit. *retry_after: seconds
 * left in the window. */
int rate_limit_hit(struct redis_link *r, const char *kind, const char *identity, long long limit,
                   long long window, long long *retry_after);

/* Reads the count without adding to it. */
int rate_limit_peek(struct redis_link *r, const char *kind, const char *identity, long long limit,
                    long long *retry_after);

#endif
