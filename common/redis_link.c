#include "redis_link.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "redis_sentinel.h"
#include "str.h"

struct redis_link {
	struct redis_url url;
	int connect_timeout_ms;
	int command_timeout_ms;
	redisContext *ctx;
	bool up;
	char last_error[200];
};

static struct timeval ms_to_timeval(int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	return tv;
}

struct redis_link *redis_link_open(const struct redis_url *url, int connect_timeout_ms,
                                   int command_timeout_ms)
{
	struct redis_link *link = calloc(1, sizeof(*link));

	if (!link)
		return NULL;
	link->url = *url;
	link->connect_timeout_ms = connect_timeout_ms;
	link->command_timeout_ms = command_timeout_ms;
	text_copy(link->last_error, sizeof(link->last_error), "not connected yet");
	return link;
}

static void link_drop(struct redis_link *link, const char *why)
{
	if (why)
		text_copy(link->last_error, sizeof(link->last_error), why);
	if (link->ctx)
		redisFree(link->ctx);
	link->ctx = NULL;
	link->up = false;
}

/* AUTH and SELECT on a fresh connection. Returns 0, or -1 with last_error set. */
static int link_handshake(struct redis_link *link)
{
	redisReply *r = NULL;
	char db[16];

	if (link->url.password[0]) {
		if (link->url.username[0])
			r = redisCommand(link->ctx, "AUTH %s %s", link->url.username,
			                 link->url.password);
		else
			r = redisCommand(link->ctx, "AUTH %s", link->url.password);
		if (!r || r->type == REDIS_REPLY_ERROR)
			goto fail;
		freeReplyObject(r);
	}
	if (link->url.db) {
		snprintf(db, sizeof(db), "%d", link->url.db);
		r = redisCommand(link->ctx, "SELECT %s", db);
		if (!r || r->type == REDIS_REPLY_ERROR)
			goto fail;
		freeReplyObject(r);
	}
	return 0;
fail:
	snprintf(link->last_error, sizeof(link->last_error), "handshake failed: %s",
	         r && r->str ? r->str : link->ctx->errstr);
	freeReplyObject(r);
	return -1;
}

/* The address to connect to: the URL's, or the master the sentinels name. */
static int link_discover(struct redis_link *link, struct redis_url_node *to)
{
	char why[200];

	if (!link->url.is_sentinel) {
		memcpy(to->host, link->url.host, sizeof(to->host));
		to->port = link->url.port;
		return 0;
	}
	if (redis_sentinel_find_master(&link->url, link->connect_timeout_ms,
	                               link->command_timeout_ms, to, why, sizeof(why)) == 0)
		return 0;
	link_drop(link, why);
	return -1;
}

static int link_connect(struct redis_link *link)
{
	struct timeval ct = ms_to_timeval(link->connect_timeout_ms);
	struct redis_url_node to;

	if (link->url.is_unix)
		link->ctx = redisConnectUnixWithTimeout(link->url.path, ct);
	else if (link_discover(link, &to) != 0)
		return -1;
	else
		link->ctx = redisConnectWithTimeout(to.host, to.port, ct);
	if (!link->ctx || link->ctx->err) {
		char why[200];

		snprintf(why, sizeof(why), "connect failed: %s",
		         link->ctx ? link->ctx->errstr : "out of memory");
		link_drop(link, why);
		return -1;
	}
	if (redisSetTimeout(link->ctx, ms_to_timeval(link->command_timeout_ms)) != REDIS_OK ||
	    link_handshake(link) != 0 ||
	    (link->url.is_sentinel && redis_sentinel_check_role(link->ctx, link->last_error,
	                                                        sizeof(link->last_error)) != 0)) {
		link_drop(link, NULL);
		return -1;
	}
	link->up = true;
	return 0;
}

/* Checks a reply: a NULL reply means the connection is gone (errors are sticky
 * in hiredis), so the context is dropped and rebuilt on the next call. */
static redisReply *link_result(struct redis_link *link, redisReply *r)
{
	if (!r) {
		char why[200];

		snprintf(why, sizeof(why), "connection lost: %s",
		         link->ctx && link->ctx->errstr[0] ? link->ctx->errstr : "unknown");
		link_drop(link, why);
		return NULL;
	}
	link->up = true;
	/* the master was demoted: the next command asks the sentinels again */
	if (link->url.is_sentinel && redis_sentinel_readonly(r))
		link_drop(link, "the master is a replica now (READONLY)");
	return r;
}

redisReply *redis_link_commandv(struct redis_link *link, int argc, const char **argv,
                                const size_t *argvlen)
{
	if (!link->ctx && link_connect(link) != 0)
		return NULL;
	return link_result(link, redisCommandArgv(link->ctx, argc, argv, argvlen));
}

redisReply *redis_link_vcommand(struct redis_link *link, const char *fmt, va_list ap)
{
	if (!link->ctx && link_connect(link) != 0)
		return NULL;
	return link_result(link, redisvCommand(link->ctx, fmt, ap));
}

redisReply *redis_link_command(struct redis_link *link, const char *fmt, ...)
{
	redisReply *r;
	va_list ap;

	va_start(ap, fmt);
	r = redis_link_vcommand(link, fmt, ap);
	va_end(ap);
	return r;
}

static redisReply *eval_with(struct redis_link *link, const char *verb, const char *body, int nkeys,
                             const char **keys, int nargs, const char **args)
{
	const char *argv[64];
	char numkeys[16];
	int argc = 0;

	if (nkeys + nargs + 3 > (int)(sizeof(argv) / sizeof(argv[0])))
		return NULL;
	snprintf(numkeys, sizeof(numkeys), "%d", nkeys);
	argv[argc++] = verb;
	argv[argc++] = body;
	argv[argc++] = numkeys;
	for (int i = 0; i < nkeys; i++)
		argv[argc++] = keys[i];
	for (int i = 0; i < nargs; i++)
		argv[argc++] = args[i];
	return redis_link_commandv(link, argc, argv, NULL);
}

redisReply *redis_link_eval(struct redis_link *link, struct redis_script *script, int nkeys,
                            const char **keys, int nargs, const char **args)
{
	redisReply *r;

	if (script->sha[0]) {
		r = eval_with(link, "EVALSHA", script->sha, nkeys, keys, nargs, args);
		if (!r || r->type != REDIS_REPLY_ERROR || strncmp(r->str, "NOSCRIPT", 8) != 0)
			return r;
		freeReplyObject(r);
	}
	r = redis_link_command(link, "SCRIPT LOAD %s", script->source);
	if (r && r->type == REDIS_REPLY_STRING && r->len == 40)
		memcpy(script->sha, r->str, 41);
	freeReplyObject(r);
	return eval_with(link, "EVAL", script->source, nkeys, keys, nargs, args);
}

long long redis_link_integer(redisReply *reply)
{
	long long n = reply && reply->type == REDIS_REPLY_INTEGER ? reply->integer : -1;

	freeReplyObject(reply);
	return n;
}

bool redis_link_up(const struct redis_link *link)
{
	return link->up;
}

const char *redis_link_last_error(const struct redis_link *link)
{
	return link->last_error;
}

void redis_link_close(struct redis_link **linkp)
{
	struct redis_link *link = *linkp;

	if (!link)
		return;
	link_drop(link, NULL);
	free(link);
	*linkp = NULL;
}
