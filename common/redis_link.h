/* redis_link: one Redis connection with timeouts and reconnection.
 *
 * Not thread-safe: one link per thread (hiredis contexts are not shareable).
 * The link connects lazily and reconnects on the next command after a failure
 * (connect → socket timeout → AUTH → SELECT, since redisReconnect loses the
 * timeout and does not resend AUTH/SELECT). Ownership: redis_link_open() gives
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

/* One argument of a script: bytes and their length (a job may hold any byte). */
struct redis_arg {
	const char *ptr;
	size_t len;
};

#define REDIS_SCRIPT_ARGS_MAX 60

/* EVALSHA, falling back to EVAL on NOSCRIPT (the script is loaded again after
 * a Redis restart). At most REDIS_SCRIPT_ARGS_MAX keys and args together;
 * NULL past that, or when the link is down. */
redisReply *redis_link_evalv(struct redis_link *link, struct redis_script *script, int nkeys,
                             const struct redis_arg *keys, int nargs, const struct redis_arg *args);

/* The same with C strings. */
redisReply *redis_link_eval(struct redis_link *link, struct redis_script *script, int nkeys,
                            const char **keys, int nargs, const char **args);

/* The answer to a command that returns one bulk string of any size (BLMOVE of
 * an untrusted job): read from the socket without holding more than cap bytes,
 * whatever the string's real size. */
struct redis_bounded_reply {
	int type;    /* REDIS_REPLY_STRING, REDIS_REPLY_NIL or REDIS_REPLY_ERROR */
	char *data;  /* the string's first min(len, cap) bytes, NUL-terminated; free() it */
	size_t kept; /* bytes in data */
	size_t len;  /* the string's real length; len > kept means it was cut */
};

/* Returns 0 with out filled, or -1 when the link failed (it then reconnects on
 * the next call). The caller frees out->data. */
int redis_link_command_bounded(struct redis_link *link, size_t cap, int argc, const char **argv,
                               struct redis_bounded_reply *out);

/* Changes how long later commands may wait for their reply (a patient step
 * on a huge value); applies at once when connected. */
void redis_link_set_command_timeout(struct redis_link *link, int command_timeout_ms);

/* True when the last command reached Redis (PING it to know now). */
bool redis_link_up(const struct redis_link *link);

/* A description of the last failure ("connection refused", "timeout", ...). */
const char *redis_link_last_error(const struct redis_link *link);

/* The integer of reply, or -1 when it is NULL or not an integer; frees reply. */
long long redis_link_integer(redisReply *reply);

void redis_link_close(struct redis_link **link);

#endif
