#include "rate_limit.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "signing.h"

static _Thread_local struct redis_script hit_script = {
	.source = "local n = redis.call('INCR', KEYS[1]) "
	          "if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end "
	          "return {n, redis.call('TTL', KEYS[1])}",
};

static _Thread_local struct redis_script peek_script = {
	.source = "return {tonumber(redis.call('GET', KEYS[1]) or '0'), "
	          "redis.call('TTL', KEYS[1])}",
};

static void limit_key(const char *kind, const char *identity, char out[96])
{
	unsigned char hash[32];
	char lower[512];
	size_t n = 0;

	for (; identity[n] && n < sizeof(lower) - 1; n++)
		lower[n] = (char)tolower((unsigned char)identity[n]);
	lower[n] = '\0';
	signing_sha256(lower, n, hash);
	n = (size_t)snprintf(out, 96, "auth:rl:%s:", kind);
	for (int i = 0; i < 12 && n + 2 < 96; i++, n += 2)
		snprintf(out + n, 3, "%02x", hash[i]);
}

static int run(struct redis_link *r, struct redis_script *script, const char *kind,
               const char *identity, long long window, long long limit, long long *retry_after)
{
	char key[96], ttl[24];
	const char *keys[] = { key }, *args[] = { ttl };
	redisReply *reply;
	int rc = RATE_LIMIT_UNAVAILABLE;

	limit_key(kind, identity, key);
	snprintf(ttl, sizeof(ttl), "%lld", window);
	reply = redis_link_eval(r, script, 1, keys, 1, args);
	if (reply && reply->type == REDIS_REPLY_ARRAY && reply->elements == 2 &&
	    reply->element[0]->type == REDIS_REPLY_INTEGER) {
		*retry_after = reply->element[1]->integer > 0 ? reply->element[1]->integer : 0;
		rc = reply->element[0]->integer > limit ? RATE_LIMIT_OVER : RATE_LIMIT_OK;
	}
	freeReplyObject(reply);
	return rc;
}

int rate_limit_hit(struct redis_link *r, const char *kind, const char *identity, long long limit,
                   long long window, long long *retry_after)
{
	return run(r, &hit_script, kind, identity, window, limit, retry_after);
}

int rate_limit_peek(struct redis_link *r, const char *kind, const char *identity, long long limit,
                    long long *retry_after)
{
	/* peek's "over" means the next failure would pass the limit */
	return run(r, &peek_script, kind, identity, 0, limit - 1, retry_after);
}
