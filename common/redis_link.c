#include "redis_link.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

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

static int link_connect(struct redis_link *link)
{
	struct timeval ct = ms_to_timeval(link->connect_timeout_ms);

	if (link->url.is_unix)
		link->ctx = redisConnectUnixWithTimeout(link->url.path, ct);
	else
		link->ctx = redisConnectWithTimeout(link->url.host, link->url.port, ct);
	if (!link->ctx || link->ctx->err) {
		char why[200];

		snprintf(why, sizeof(why), "connect failed: %s",
		         link->ctx ? link->ctx->errstr : "out of memory");
		link_drop(link, why);
		return -1;
	}
	if (redisSetTimeout(link->ctx, ms_to_timeval(link->command_timeout_ms)) != REDIS_OK ||
	    link_handshake(link) != 0) {
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
                             const struct redis_arg *keys, int nargs, const struct redis_arg *args)
{
	const char *argv[REDIS_SCRIPT_ARGS_MAX + 3];
	size_t argvlen[REDIS_SCRIPT_ARGS_MAX + 3];
	char numkeys[16];
	int argc = 0;

	if (nkeys < 0 || nargs < 0 || nkeys + nargs > REDIS_SCRIPT_ARGS_MAX)
		return NULL;
	snprintf(numkeys, sizeof(numkeys), "%d", nkeys);
	argv[argc] = verb, argvlen[argc++] = strlen(verb);
	argv[argc] = body, argvlen[argc++] = strlen(body);
	argv[argc] = numkeys, argvlen[argc++] = strlen(numkeys);
	for (int i = 0; i < nkeys; i++)
		argv[argc] = keys[i].ptr, argvlen[argc++] = keys[i].len;
	for (int i = 0; i < nargs; i++)
		argv[argc] = args[i].ptr, argvlen[argc++] = args[i].len;
	return redis_link_commandv(link, argc, argv, argvlen);
}

redisReply *redis_link_evalv(struct redis_link *link, struct redis_script *script, int nkeys,
                             const struct redis_arg *keys, int nargs, const struct redis_arg *args)
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

redisReply *redis_link_eval(struct redis_link *link, struct redis_script *script, int nkeys,
                            const char **keys, int nargs, const char **args)
{
	struct redis_arg all[REDIS_SCRIPT_ARGS_MAX];

	if (nkeys < 0 || nargs < 0 || nkeys + nargs > REDIS_SCRIPT_ARGS_MAX)
		return NULL;
	for (int i = 0; i < nkeys; i++)
		all[i] = (struct redis_arg){ keys[i], strlen(keys[i]) };
	for (int i = 0; i < nargs; i++)
		all[nkeys + i] = (struct redis_arg){ args[i], strlen(args[i]) };
	return redis_link_evalv(link, script, nkeys, all, nargs, all + nkeys);
}

/* The bounded read below talks to the socket itself: hiredis would buffer a
 * whole bulk string, then copy it (a 200 MB job costs 400 MB). */
#define BOUNDED_HEADER_MAX 32
#define BOUNDED_CHUNK      (64 * 1024)

static int socket_read(struct redis_link *link, char *dst, size_t n)
{
	ssize_t got;

	do
		got = read(link->ctx->fd, dst, n);
	while (got < 0 && errno == EINTR);
	if (got > 0)
		return (int)got;
	if (got == 0) {
		link_drop(link, "connection lost: closed by the server");
	} else {
		char why[120];

		snprintf(why, sizeof(why), "connection lost: read failed: %s",
		         errno == EAGAIN || errno == EWOULDBLOCK ? "timed out" : strerror(errno));
		link_drop(link, why);
	}
	return -1;
}

/* Reads "<type><text>\r\n" one byte at a time (it is short). */
static int read_header(struct redis_link *link, char *line, size_t cap)
{
	size_t n = 0;

	while (n + 1 < cap) {
		if (socket_read(link, line + n, 1) < 0)
			return -1;
		if (n > 0 && line[n - 1] == '\r' && line[n] == '\n') {
			line[n - 1] = '\0';
			return 0;
		}
		n++;
	}
	link_drop(link, "protocol error: reply header too long");
	return -1;
}

/* Reads a bulk body of len bytes and its CRLF, keeping the first cap bytes. */
static int read_bulk(struct redis_link *link, size_t len, size_t cap,
                     struct redis_bounded_reply *out)
{
	char chunk[BOUNDED_CHUNK];
	size_t left = len + 2, at = 0;

	out->kept = len < cap ? len : cap;
	out->data = malloc(out->kept + 1);
	if (!out->data) {
		link_drop(link, "out of memory");
		return -1;
	}
	while (left > 0) {
		int got = socket_read(link, chunk, left < sizeof(chunk) ? left : sizeof(chunk));

		if (got < 0)
			return -1;
		if (at < out->kept) {
			size_t take = out->kept - at < (size_t)got ? out->kept - at : (size_t)got;

			memcpy(out->data + at, chunk, take);
		}
		at += (size_t)got;
		left -= (size_t)got;
	}
	out->data[out->kept] = '\0';
	return 0;
}

static int parse_reply(struct redis_link *link, size_t cap, struct redis_bounded_reply *out)
{
	char line[BOUNDED_HEADER_MAX], *end;
	long long len;

	if (read_header(link, line, sizeof(line)) != 0)
		return -1;
	if (line[0] == '-') {
		out->type = REDIS_REPLY_ERROR;
		out->data = text_ndup(line + 1, strlen(line + 1));
		out->kept = out->len = out->data ? strlen(out->data) : 0;
		return 0;
	}
	errno = 0;
	len = strtoll(line + 1, &end, 10);
	if ((line[0] != '$' && line[0] != '*') || errno || *end || end == line + 1 ||
	    (line[0] == '*' && len != -1) || len < -1 ||
	    (len > 0 && (uint64_t)len > SIZE_MAX - 2)) {
		link_drop(link, "protocol error: unexpected reply");
		return -1;
	}
	if (len == -1) {
		out->type = REDIS_REPLY_NIL;
		return 0;
	}
	out->type = REDIS_REPLY_STRING;
	out->len = (size_t)len;
	return read_bulk(link, (size_t)len, cap, out);
}

int redis_link_command_bounded(struct redis_link *link, size_t cap, int argc, const char **argv,
                               struct redis_bounded_reply *out)
{
	int done = 0;

	memset(out, 0, sizeof(*out));
	if (!link->ctx && link_connect(link) != 0)
		return -1;
	if (link->ctx->reader->len != link->ctx->reader->pos) {
		link_drop(link, "protocol error: unread reply data");
		return -1;
	}
	if (redisAppendCommandArgv(link->ctx, argc, argv, NULL) != REDIS_OK)
		goto io_error;
	while (!done)
		if (redisBufferWrite(link->ctx, &done) != REDIS_OK)
			goto io_error;
	if (parse_reply(link, cap, out) != 0) {
		free(out->data);
		memset(out, 0, sizeof(*out));
		return -1;
	}
	link->up = true;
	return 0;
io_error:
	link_result(link, NULL);
	return -1;
}

long long redis_link_integer(redisReply *reply)
{
	long long n = reply && reply->type == REDIS_REPLY_INTEGER ? reply->integer : -1;

	freeReplyObject(reply);
	return n;
}

void redis_link_set_command_timeout(struct redis_link *link, int command_timeout_ms)
{
	link->command_timeout_ms = command_timeout_ms;
	if (link->ctx && redisSetTimeout(link->ctx, ms_to_timeval(command_timeout_ms)) != REDIS_OK)
		link_drop(link, "cannot set the socket timeout");
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
