#include "rate_limit.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "redis_retry.h"
#include "signing.h"

#define TAKE_MAX 4

static _Thread_local struct redis_script hit_script = {
	.source = "local n = redis.call('INCR', KEYS[1]) "
	          "if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end "
	          "return {n, redis.call('TTL', KEYS[1])}",
};

/* KEYS: the counters; ARGV: window, then each counter's limit. */
static _Thread_local struct redis_script take_script = {
	.source = "local wait, over = 0, false "
	          "for i = 1, #KEYS do "
	          "  if tonumber(redis.call('GET', KEYS[i]) or '0') >= tonumber(ARGV[i + 1]) then "
	          "    over = true "
	          "    local t = redis.call('TTL', KEYS[i]) "
	          "    if t > wait then wait = t end "
	          "  end "
	          "end "
	          "if over then return {0, wait} end "
	          "for i = 1, #KEYS do "
	          "  if redis.call('INCR', KEYS[i]) == 1 then "
	          "    redis.call('EXPIRE', KEYS[i], ARGV[1]) end "
	          "end "
	          "return {1, 0}",
};

static _Thread_local struct redis_script give_back_script = {
	.source = "for i = 1, #KEYS do "
	          "  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then "
	          "    redis.call('DECR', KEYS[i]) end "
	          "end "
	          "return 1",
};

void rate_limit_key(const char *kind, const char *identity, char out[RATE_LIMIT_KEY_LEN])
{
	unsigned char hash[32];
	char lower[512];
	size_t n = 0;

	for (; identity[n] && n < sizeof(lower) - 1; n++)
		lower[n] = (char)tolower((unsigned char)identity[n]);
	lower[n] = '\0';
	signing_sha256(lower, n, hash);
	n = (size_t)snprintf(out, RATE_LIMIT_KEY_LEN, "auth:rl:%s:", kind);
	for (int i = 0; i < 12 && n + 2 < RATE_LIMIT_KEY_LEN; i++, n += 2)
		snprintf(out + n, 3, "%02x", hash[i]);
}

/* A {count or verdict, ttl} reply. */
static bool pair_reply(const redisReply *reply)
{
	return reply && reply->type == REDIS_REPLY_ARRAY && reply->elements == 2 &&
	       reply->element[0]->type == REDIS_REPLY_INTEGER &&
	       reply->element[1]->type == REDIS_REPLY_INTEGER;
}

int rate_limit_hit(struct redis_link *r, const char *kind, const char *identity, long long limit,
                   long long window, long long *retry_after)
{
	char key[RATE_LIMIT_KEY_LEN], ttl[24];
	const char *keys[] = { key }, *args[] = { ttl };
	redisReply *reply;
	int rc = RATE_LIMIT_UNAVAILABLE;

	rate_limit_key(kind, identity, key);
	snprintf(ttl, sizeof(ttl), "%lld", window);
	reply = redis_retry_eval(r, &hit_script, 1, keys, 1, args);
	if (pair_reply(reply)) {
		*retry_after = reply->element[1]->integer > 0 ? reply->element[1]->integer : 0;
		rc = reply->element[0]->integer > limit ? RATE_LIMIT_OVER : RATE_LIMIT_OK;
	}
	freeReplyObject(reply);
	return rc;
}

int rate_limit_take(struct redis_link *r, const struct rate_limit *limits, int n, long long window,
                    long long *retry_after)
{
	char keys_text[TAKE_MAX][RATE_LIMIT_KEY_LEN], args_text[TAKE_MAX + 1][24];
	const char *keys[TAKE_MAX], *args[TAKE_MAX + 1];
	redisReply *reply;
	int rc = RATE_LIMIT_UNAVAILABLE;

	if (n < 1 || n > TAKE_MAX)
		return RATE_LIMIT_UNAVAILABLE;
	snprintf(args_text[0], sizeof(args_text[0]), "%lld", window);
	args[0] = args_text[0];
	for (int i = 0; i < n; i++) {
		rate_limit_key(limits[i].kind, limits[i].identity, keys_text[i]);
		keys[i] = keys_text[i];
		snprintf(args_text[i + 1], sizeof(args_text[i + 1]), "%lld", limits[i].limit);
		args[i + 1] = args_text[i + 1];
	}
	reply = redis_retry_eval(r, &take_script, n, keys, n + 1, args);
	if (pair_reply(reply)) {
		*retry_after = reply->element[1]->integer > 0 ? reply->element[1]->integer : 0;
		rc = reply->element[0]->integer == 1 ? RATE_LIMIT_OK : RATE_LIMIT_OVER;
	}
	freeReplyObject(reply);
	return rc;
}

void rate_limit_give_back(struct redis_link *r, const struct rate_limit *limits, int n)
{
	char keys_text[TAKE_MAX][RATE_LIMIT_KEY_LEN];
	const char *keys[TAKE_MAX];

	if (n < 1 || n > TAKE_MAX)
		return;
	for (int i = 0; i < n; i++) {
		rate_limit_key(limits[i].kind, limits[i].identity, keys_text[i]);
		keys[i] = keys_text[i];
	}
	freeReplyObject(redis_retry_eval(r, &give_back_script, n, keys, 0, NULL));
}
