#include "redis_sentinel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "str.h"

static struct timeval ms_timeval(int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	return tv;
}

/* One sentinel's answer: 0 with master filled, or -1 with why filled. */
static int ask_one(const struct redis_url_node *sentinel, const char *name, int connect_ms,
                   int command_ms, struct redis_url_node *master, char *why, size_t why_len)
{
	redisContext *c =
	    redisConnectWithTimeout(sentinel->host, sentinel->port, ms_timeval(connect_ms));
	redisReply *r = NULL;
	long long port;
	int rc = -1;

	if (!c || c->err) {
		snprintf(why, why_len, "sentinel %s:%d: %s", sentinel->host, sentinel->port,
		         c ? c->errstr : "out of memory");
		goto done;
	}
	redisSetTimeout(c, ms_timeval(command_ms));
	r = redisCommand(c, "SENTINEL get-master-addr-by-name %s", name);
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    r->element[0]->type != REDIS_REPLY_STRING ||
	    r->element[1]->type != REDIS_REPLY_STRING ||
	    text_parse_ll(r->element[1]->str, 1, 65535, &port) != 0 ||
	    text_copy(master->host, sizeof(master->host), r->element[0]->str) != 0) {
		snprintf(why, why_len, "sentinel %s:%d: %s", sentinel->host, sentinel->port,
		         !r                             ? c->errstr
		         : r->type == REDIS_REPLY_ERROR ? r->str
		         : r->type == REDIS_REPLY_NIL   ? "unknown master name"
		                                        : "unexpected reply");
		goto done;
	}
	master->port = (int)port;
	rc = 0;
done:
	freeReplyObject(r);
	if (c)
		redisFree(c);
	return rc;
}

int redis_sentinel_find_master(const struct redis_url *url, int connect_timeout_ms,
                               int command_timeout_ms, struct redis_url_node *master, char *why,
                               size_t why_len)
{
	snprintf(why, why_len, "no sentinel configured");
	for (int i = 0; i < url->nsentinels; i++)
		if (ask_one(&url->sentinels[i], url->master_name, connect_timeout_ms,
		            command_timeout_ms, master, why, why_len) == 0)
			return 0;
	return -1;
}

int redis_sentinel_check_role(redisContext *ctx, char *why, size_t why_len)
{
	redisReply *r = redisCommand(ctx, "ROLE");
	const char *role = "unexpected reply";
	int rc;

	if (!r)
		role = ctx->errstr;
	else if (r->type == REDIS_REPLY_ERROR)
		role = r->str;
	else if (r->type == REDIS_REPLY_ARRAY && r->elements > 0 &&
	         r->element[0]->type == REDIS_REPLY_STRING)
		role = r->element[0]->str;
	rc = strcmp(role, "master") == 0 ? 0 : -1;
	if (rc != 0)
		snprintf(why, why_len, "the sentinels' master is not one: ROLE %s", role);
	freeReplyObject(r);
	return rc;
}

bool redis_sentinel_readonly(const char *error)
{
	return error && strncmp(error, "READONLY", 8) == 0;
}
