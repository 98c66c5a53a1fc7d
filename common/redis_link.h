/* redis_link: one Redis connection with timeouts and reconnection.
 *
 * Not thread-safe: one link per thread (hiredis contexts are not shareable).
 * The link connects lazily and reconnects on the next command after a failure
 * (connect → socket timeout → AUTH → SELECT, since redisReconnect loses the
 * timeout and does not resend AUTH/SELECT). With a redis-sentinel:// URL, each
 * connect first asks the sentinels where the master is and checks it with ROLE
 * (redis_sentinel.h); a -READONLY reply drops the link so that the next
 * command finds the new master. Ownership: redis_link_open() gives
 * a link that redis_link_close() frees; every reply returned is the caller's
 * to freeReplyObject().
 *
 * Blocking commands (BLMOVE) must use a block timeout below the command
 * timeout, or hiredis kills the connection.
 */
#ifndef COMMON_REDIS_LINK_H
#define COMMON_REDIS_LINK_H

#include <hiredis/hiredis.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "redis_url.h"

struct redis_link;

/* A Lua script run by EVALSHA with EVAL as the fallback on NOSCRIPT. The sha
 * is cached in the struct: give each thread its own copy. */
struct redis_script {
	const char *source;
	char sha[41]; /* filled on first use */
};

/* Never NULL except when out of memory; does not connect yet. */
struct redis_link *redis_link_open(const struct redis_url *url, int connect_timeout_ms,
                                   int command_timeout_ms);

/* Runs one command (hiredis format: untrusted data only through %s or %b).
 * Returns the reply (may be REDIS_REPLY_ERROR: check it), or NULL when the link
 * is down: the link then reconnects on the next call. A failed command is never
 * resent by the link (it may have run: an LPUSH must not be doubled); the
 * caller decides. */
redisReply *redis_link_command(struct redis_link *link, const char *fmt, ...);

/* The same with a va_list. */
redisReply *redis_link_vcommand(struct redis_link *link, const char *fmt, va_list ap);

/* Same with an argument vector. */
redisReply *redis_link_commandv(struct redis_link *link, int argc, const char **argv,
                                const size_t *argvlen);

/* EVALSHA, falling back to EVAL on NOSCRIPT. keys and args are C strings. */
redisReply *redis_link_eval(struct redis_link *link, struct redis_script *script, int nkeys,
                            const char **keys, int nargs, const char **args);

/* True when the last command reached Redis (PING it to know now). */
bool redis_link_up(const struct redis_link *link);

/* A description of the last failure ("connection refused", "timeout", ...). */
const char *redis_link_last_error(const struct redis_link *link);

/* The integer of reply, or -1 when it is NULL or not an integer; frees reply. */
long long redis_link_integer(redisReply *reply);

void redis_link_close(struct redis_link **link);

#endif
