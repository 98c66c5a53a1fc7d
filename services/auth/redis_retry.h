/* redis_retry: one retry for a connection that broke while idle.
 *
 * A Redis restart leaves every worker thread's link holding a dead socket;
 * its next command fails at once. When a link that was up fails, these
 * functions let it reconnect and send the command once more, so a restart
 * costs no request a 503. A link that was already down is not retried (its
 * connect just failed), so an outage costs one connect attempt, not two.
 * A retried command may have run before its reply was lost: use them for
 * commands that are safe to repeat (counters within a limit, a job whose id
 * the mailer delivers once). Replies are the caller's to freeReplyObject(). */
#ifndef AUTH_REDIS_RETRY_H
#define AUTH_REDIS_RETRY_H

#include "redis_link.h"

redisReply *redis_retry_eval(struct redis_link *link, struct redis_script *script, int nkeys,
                             const char **keys, int nargs, const char **args);

/* PING, as /healthz asks it: true when Redis answered. */
bool redis_retry_ping(struct redis_link *link);

#endif
