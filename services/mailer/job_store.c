#include "job_store.h"

#include <stdio.h>
#include <string.h>

/* KEYS: processing, retry, dead, stats, sent-key
 * ARGV: action, raw job, payload, due ms, stats field */
static const char ack_lua[] =
    "redis.call('LREM', KEYS[1], 1, ARGV[2]) "
    "if ARGV[1] == 'retry' then redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3]) "
    "elseif ARGV[1] == 'dead' then redis.call('LPUSH', KEYS[3], ARGV[3]) "
    "elseif ARGV[1] == 'sent' then redis.call('SET', KEYS[5], '1', 'EX', 86400) end "
    "redis.call('HINCRBY', KEYS[4], ARGV[5], 1) "
    "return 1";

/* KEYS: retry, queue; ARGV: now ms, batch */
static const char promote_lua[] =
    "local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, "
    "tonumber(ARGV[2])) "
    "for _, job in ipairs(due) do redis.call('ZREM', KEYS[1], job) "
    "redis.call('RPUSH', KEYS[2], job) end "
    "return #due";

/* KEYS: workers, queue; ARGV: prefix */
static const char recover_lua[] =
    "local moved = 0 "
    "for _, w in ipairs(redis.call('SMEMBERS', KEYS[1])) do "
    "  if redis.call('EXISTS', ARGV[1] .. ':worker:' .. w) == 0 then "
    "    local p = ARGV[1] .. ':processing:' .. w "
    "    while redis.call('LMOVE', p, KEYS[2], 'LEFT', 'RIGHT') do moved = moved + 1 end "
    "    redis.call('SREM', KEYS[1], w) "
    "  end "
    "end "
    "return moved";

/* KEYS: processing, queue */
static const char give_back_lua[] =
    "local moved = 0 "
    "while redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT') do moved = moved + 1 end "
    "return moved";

void job_store_init(struct job_store *s, struct redis_link *link, const struct queue_keys *keys)
{
	memset(s, 0, sizeof(*s));
	s->link = link;
	s->keys = keys;
	s->ack.source = ack_lua;
	s->promote.source = promote_lua;
	s->recover.source = recover_lua;
	s->give_back.source = give_back_lua;
}

int job_store_take(struct job_store *s, const char *processing, const char *block_seconds,
                   redisReply **job)
{
	redisReply *r = redis_link_command(s->link, "BLMOVE %s %s RIGHT LEFT %s", s->keys->queue,
	                                   processing, block_seconds);
	int got;

	*job = NULL;
	if (!r)
		return -1;
	if (r->type == REDIS_REPLY_STRING) {
		*job = r;
		return 1;
	}
	got = r->type == REDIS_REPLY_NIL ? 0 : -1;
	freeReplyObject(r);
	return got;
}

static const char *const ack_names[] = { "sent", "retry", "dead", "duplicate" };

int job_store_ack(struct job_store *s, const char *processing, enum job_ack action, const char *raw,
                  size_t raw_len, const char *payload, int64_t due_ms, const char *job_id,
                  const char *counter)
{
	char sent_key[QUEUE_KEY_MAX + 140], due[32];
	const char *argv[] = { "EVALSHA",
		               NULL,
		               "5",
		               processing,
		               s->keys->retry,
		               s->keys->dead,
		               s->keys->stats,
		               sent_key,
		               ack_names[action],
		               raw,
		               payload ? payload : "",
		               due,
		               counter };
	size_t argvlen[13];
	redisReply *r;
	int rc;

	if (queue_keys_sent(s->keys, job_id && job_id[0] ? job_id : "-", sent_key,
	                    sizeof(sent_key)) != 0)
		return -1;
	snprintf(due, sizeof(due), "%lld", (long long)due_ms);
	for (int i = 0; i < 13; i++)
		argvlen[i] = argv[i] ? strlen(argv[i]) : 0;
	argvlen[9] = raw_len; /* the job's bytes exactly, for LREM */
	if (!s->ack.sha[0]) {
		r = redis_link_command(s->link, "SCRIPT LOAD %s", s->ack.source);
		if (r && r->type == REDIS_REPLY_STRING && r->len == 40)
			memcpy(s->ack.sha, r->str, 41);
		freeReplyObject(r);
		if (!s->ack.sha[0])
			return -1;
	}
	argv[1] = s->ack.sha;
	argvlen[1] = 40;
	r = redis_link_commandv(s->link, 13, argv, argvlen);
	if (r && r->type == REDIS_REPLY_ERROR && strncmp(r->str, "NOSCRIPT", 8) == 0)
		s->ack.sha[0] = '\0'; /* Redis restarted: load it again next time */
	rc = r && r->type == REDIS_REPLY_INTEGER ? 0 : -1;
	freeReplyObject(r);
	return rc;
}

long long job_store_promote(struct job_store *s, int64_t now_ms)
{
	char now[32];
	const char *keys[] = { s->keys->retry, s->keys->queue }, *args[] = { now, "100" };

	snprintf(now, sizeof(now), "%lld", (long long)now_ms);
	return redis_link_integer(redis_link_eval(s->link, &s->promote, 2, keys, 2, args));
}

long long job_store_recover(struct job_store *s)
{
	const char *keys[] = { s->keys->workers, s->keys->queue }, *args[] = { s->keys->prefix };

	return redis_link_integer(redis_link_eval(s->link, &s->recover, 2, keys, 1, args));
}

long long job_store_give_back(struct job_store *s, const char *processing)
{
	const char *keys[] = { processing, s->keys->queue };

	return redis_link_integer(redis_link_eval(s->link, &s->give_back, 2, keys, 0, NULL));
}

int job_store_heartbeat(struct job_store *s, const char *worker, long long ttl)
{
	char key[QUEUE_KEY_MAX + 80], seconds[24];
	redisReply *r;

	if (queue_keys_heartbeat(s->keys, worker, key, sizeof(key)) != 0)
		return -1;
	snprintf(seconds, sizeof(seconds), "%lld", ttl);
	r = redis_link_command(s->link, "SET %s 1 EX %s", key, seconds);
	if (!r)
		return -1;
	freeReplyObject(r);
	freeReplyObject(redis_link_command(s->link, "SADD %s %s", s->keys->workers, worker));
	return 0;
}

void job_store_retire(struct job_store *s, const char *worker)
{
	char key[QUEUE_KEY_MAX + 80];

	if (queue_keys_heartbeat(s->keys, worker, key, sizeof(key)) != 0)
		return;
	freeReplyObject(redis_link_command(s->link, "DEL %s", key));
	freeReplyObject(redis_link_command(s->link, "SREM %s %s", s->keys->workers, worker));
}
