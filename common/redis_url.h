/* redis_url: parsing REDIS_URL (untrusted configuration).
 *
 *   redis://[[user]:password@]host[:port][/db]     (port 6379, db 0 by default)
 *   unix:///path/to/redis.sock[?db=N]              (password via ?password=…)
 *   redis-sentinel://[[user]:password@]h1[:p1][,h2[:p2]…][/db]#master
 *        Lettuce's syntax: the sentinels to ask (port 26379 by default) for the
 *        master of that name (redis_sentinel.h); the password is the master's.
 * host may be a name, an IPv4 address or "[IPv6]". The password is
 * percent-decoded and is a secret: never log it.
 */
#ifndef COMMON_REDIS_URL_H
#define COMMON_REDIS_URL_H

#include <stdbool.h>
#include <stddef.h>

#define REDIS_URL_SENTINELS_MAX 8

struct redis_url_node {
	char host[256]; /* without brackets */
	int port;
};

struct redis_url {
	bool is_unix;
	bool is_sentinel; /* host and port are then found by asking the sentinels */
	char host[256];   /* TCP: host (without brackets) */
	int port;         /* TCP: 1..65535 */
	char path[108];   /* unix: socket path (sun_path size) */
	char username[128];
	char password[256]; /* "" when none */
	int db;             /* 0..15 is usual; any 0..INT_MAX accepted */
	struct redis_url_node sentinels[REDIS_URL_SENTINELS_MAX];
	int nsentinels;
	char master_name[128]; /* A-Z a-z 0-9 . _ - */
};

/* Returns 0, or -1 with a static reason in *why ("unsupported scheme", "bad port", ...). */
int redis_url_parse(const char *url, struct redis_url *out, const char **why);

/* "host:port/db", "unix:/path" or "sentinel:h1:p1,h2:p2/db#master" without
 * credentials, for logs. */
const char *redis_url_describe(const struct redis_url *u, char *out, size_t out_len);

#endif
