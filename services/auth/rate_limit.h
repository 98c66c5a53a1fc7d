/* rate_limit: fixed-window abuse counters in Redis, keyed by a hash of the
 * identity (an email address never appears in a key).
 *   auth:rl:<kind>:<hex>  a count, with the window as its TTL
 * Every call is one Lua script, so a check and its count are one atomic step
 * however many requests race; a connection broken since its last use is
 * re-made and the script run again (redis_retry). */
#ifndef AUTH_RATE_LIMIT_H
#define AUTH_RATE_LIMIT_H

#include "redis_link.h"

#define RATE_LIMIT_KEY_LEN 96

enum rate_limit_result {
	RATE_LIMIT_OK = 0,
	RATE_LIMIT_OVER = 1,
	RATE_LIMIT_UNAVAILABLE = -1, /* Redis did not answer */
};

/* One counter: kind names the limit, identity (untrusted) whom it counts. */
struct rate_limit {
	const char *kind;
	const char *identity;
	long long limit;
};

/* The Redis key of (kind, identity). */
void rate_limit_key(const char *kind, const char *identity, char out[RATE_LIMIT_KEY_LEN]);

/* Counts one event; OVER when the count passes limit. *retry_after: seconds
 * left in the window. */
int rate_limit_hit(struct redis_link *r, const char *kind, const char *identity, long long limit,
                   long long window, long long *retry_after);

/* Takes one attempt from every counter at once, or from none: OVER (nothing
 * counted) when any counter already holds its limit, with *retry_after the
 * longest wait among those; OK when each was below its limit and is now one
 * higher. n <= 4. */
int rate_limit_take(struct redis_link *r, const struct rate_limit *limits, int n, long long window,
                    long long *retry_after);

/* Gives back what rate_limit_take took (an attempt that turned out fine). */
void rate_limit_give_back(struct redis_link *r, const struct rate_limit *limits, int n);

#endif
