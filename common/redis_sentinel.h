/* redis_sentinel: finding the master of a redis-sentinel:// URL (redis_url.h),
 * the discovery step of redis_link's connect.
 *
 * The sentinels are asked in turn (SENTINEL get-master-addr-by-name); the
 * address one gives is then confirmed by ROLE on the connection itself, since
 * a sentinel may not have seen a failover yet. A -READONLY reply means the
 * node was demoted since: the link drops it and asks again. Sentinel replies
 * are untrusted (bounded, type-checked). Nothing to free: results go into
 * caller-provided buffers.
 */
#ifndef COMMON_REDIS_SENTINEL_H
#define COMMON_REDIS_SENTINEL_H

#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stddef.h>

#include "redis_url.h"

/* Asks the sentinels of url, first to last, for the master's address.
 * Returns 0 with master filled, or -1 with why (no password in it) filled. */
int redis_sentinel_find_master(const struct redis_url *url, int connect_timeout_ms,
                               int command_timeout_ms, struct redis_url_node *master, char *why,
                               size_t why_len);

/* ROLE on an open connection: 0 when the node is a master, -1 with why filled. */
int redis_sentinel_check_role(redisContext *ctx, char *why, size_t why_len);

/* True when the text of an error reply (without its '-') is READONLY: the
 * node is a replica now. */
bool redis_sentinel_readonly(const char *error);

#endif
