#include "redis_url.h"

#include <stdio.h>
#include <string.h>

#include "str.h"

#define URL_MAX 1024

/* Percent-decodes the C string s into out (size cap). Returns 0 or -1. */
static int percent_decode(const char *s, char *out, size_t cap)
{
	size_t o = 0;

	for (; *s; s++) {
		char c = *s;

		if (c == '%') {
			int hi = text_hex_value(s[1]), lo = hi >= 0 ? text_hex_value(s[2]) : -1;

			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi * 16 + lo);
			s += 2;
		}
		if (c == '\0' || o + 1 >= cap)
			return -1;
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

static int parse_db(const char *s, int *db)
{
	long long v;

	if (text_parse_ll(s, 0, 2147483647LL, &v) != 0)
		return -1;
	*db = (int)v;
	return 0;
}

static int parse_unix_param(char *param, struct redis_url *out, const char **why)
{
	if (strncmp(param, "db=", 3) == 0) {
		if (parse_db(param + 3, &out->db) != 0) {
			*why = "db is not a number";
			return -1;
		}
		return 0;
	}
	if (strncmp(param, "password=", 9) == 0) {
		if (percent_decode(param + 9, out->password, sizeof(out->password)) != 0) {
			*why = "bad password encoding";
			return -1;
		}
		return 0;
	}
	*why = "unknown unix:// parameter (db=, password=)";
	return -1;
}

static int parse_unix(char *rest, struct redis_url *out, const char **why)
{
	char *query = strchr(rest, '?');

	out->is_unix = true;
	if (query)
		*query++ = '\0';
	if (rest[0] != '/' || !rest[1]) {
		*why = "unix:// needs an absolute socket path";
		return -1;
	}
	if (text_copy(out->path, sizeof(out->path), rest) != 0) {
		*why = "socket path too long";
		return -1;
	}
	while (query && *query) {
		char *amp = strchr(query, '&');

		if (amp)
			*amp++ = '\0';
		if (parse_unix_param(query, out, why) != 0)
			return -1;
		query = amp;
	}
	return 0;
}

static int parse_userinfo(char *info, struct redis_url *out, const char **why)
{
	char *colon = strchr(info, ':');

	if (colon)
		*colon++ = '\0';
	/* redis://secret@host: a lone value is the password, as redis-cli reads it */
	if (percent_decode(colon ? info : "", out->username, sizeof(out->username)) != 0 ||
	    percent_decode(colon ? colon : info, out->password, sizeof(out->password)) != 0) {
		*why = "bad user or password encoding";
		return -1;
	}
	return 0;
}

static int parse_host_port(char *hp, struct redis_url_node *out, long long p, const char **why)
{
	char *port = NULL;

	if (hp[0] == '[') {
		char *close = strchr(hp, ']');

		if (!close || (close[1] && close[1] != ':')) {
			*why = "bad [IPv6] host";
			return -1;
		}
		*close = '\0';
		port = close[1] ? close + 2 : NULL;
		hp++;
	} else if ((port = strchr(hp, ':'))) {
		*port++ = '\0';
	}
	if (!*hp || text_copy(out->host, sizeof(out->host), hp) != 0) {
		*why = "missing or too long host";
		return -1;
	}
	if (port && text_parse_ll(port, 1, 65535, &p) != 0) {
		*why = "bad port (1 to 65535)";
		return -1;
	}
	out->port = (int)p;
	return 0;
}

/* [userinfo@]hosts[/db]: takes the db and the credentials, leaves *rest at the hosts. */
static int parse_credentials_db(char **rest, struct redis_url *out, const char **why)
{
	char *slash = strchr(*rest, '/'), *at;

	if (slash) {
		*slash++ = '\0';
		if (*slash && parse_db(slash, &out->db) != 0) {
			*why = "db is not a number";
			return -1;
		}
	}
	at = strrchr(*rest, '@');
	if (at) {
		*at = '\0';
		if (parse_userinfo(*rest, out, why) != 0)
			return -1;
		*rest = at + 1;
	}
	return 0;
}

static int parse_tcp(char *rest, struct redis_url *out, const char **why)
{
	struct redis_url_node node;

	if (parse_credentials_db(&rest, out, why) != 0 ||
	    parse_host_port(rest, &node, 6379, why) != 0)
		return -1;
	memcpy(out->host, node.host, sizeof(out->host));
	out->port = node.port;
	return 0;
}

static int parse_master_name(const char *name, struct redis_url *out, const char **why)
{
	size_t n =
	    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");

	if (!*name || name[n] || text_copy(out->master_name, sizeof(out->master_name), name) != 0) {
		*why = "redis-sentinel:// needs #master-name (A-Z a-z 0-9 . _ -)";
		return -1;
	}
	return 0;
}

/* h1[:p1][,h2[:p2]…][/db]#master, after the credentials. */
static int parse_sentinel(char *rest, struct redis_url *out, const char **why)
{
	char *hash = strchr(rest, '#'), *next;

	out->is_sentinel = true;
	if (!hash) {
		*why = "redis-sentinel:// needs #master-name";
		return -1;
	}
	*hash++ = '\0';
	if (parse_master_name(hash, out, why) != 0)
		return -1;
	if (parse_credentials_db(&rest, out, why) != 0)
		return -1;
	for (; rest; rest = next) {
		next = strchr(rest, ',');
		if (next)
			*next++ = '\0';
		if (out->nsentinels == REDIS_URL_SENTINELS_MAX) {
			*why = "too many sentinels (at most 8)";
			return -1;
		}
		if (parse_host_port(rest, &out->sentinels[out->nsentinels++], 26379, why) != 0)
			return -1;
	}
	return 0;
}

int redis_url_parse(const char *url, struct redis_url *out, const char **why)
{
	char copy[URL_MAX];

	memset(out, 0, sizeof(*out));
	if (text_copy(copy, sizeof(copy), url) != 0) {
		*why = "too long";
		return -1;
	}
	if (strncmp(copy, "redis://", 8) == 0)
		return parse_tcp(copy + 8, out, why);
	if (strncmp(copy, "unix://", 7) == 0)
		return parse_unix(copy + 7, out, why);
	if (strncmp(copy, "redis-sentinel://", 17) == 0)
		return parse_sentinel(copy + 17, out, why);
	*why = "unsupported scheme (redis://, unix:// or redis-sentinel://)";
	return -1;
}

static const char *describe_sentinels(const struct redis_url *u, char *out, size_t out_len)
{
	size_t o = 0;
	int n = snprintf(out, out_len, "sentinel:");

	for (int i = 0; n >= 0 && (o += (size_t)n) < out_len && i < u->nsentinels; i++)
		n = snprintf(out + o, out_len - o,
		             strchr(u->sentinels[i].host, ':') ? "%s[%s]:%d" : "%s%s:%d",
		             i ? "," : "", u->sentinels[i].host, u->sentinels[i].port);
	if (o < out_len)
		snprintf(out + o, out_len - o, "/%d#%s", u->db, u->master_name);
	return out;
}

const char *redis_url_describe(const struct redis_url *u, char *out, size_t out_len)
{
	if (u->is_sentinel)
		return describe_sentinels(u, out, out_len);
	if (u->is_unix)
		snprintf(out, out_len, "unix:%s/%d", u->path, u->db);
	else if (strchr(u->host, ':'))
		snprintf(out, out_len, "[%s]:%d/%d", u->host, u->port, u->db);
	else
		snprintf(out, out_len, "%s:%d/%d", u->host, u->port, u->db);
	return out;
}
