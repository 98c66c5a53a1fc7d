#include "job_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SENT_TTL_SECONDS "86400" /* SPEC: not sent again within 24 hours */
#define RECOVER_BATCH    "100"

/* KEYS: processing, queue, retry, dead, stats, sent, claim
 * ARGV: raw job, requeue, retry payload, due ms, dead payload, mark sent,
 *       fate, claim owner, sent ttl */
static const char ack_lua[] =
    "redis.call('LREM', KEYS[1], 1, ARGV[1]) "
    "if ARGV[2] == '1' then redis.call('RPUSH', KEYS[2], ARGV[1]) end "
    "if ARGV[3] ~= '' then redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3]) end "
    "if ARGV[5] ~= '' then redis.call('LPUSH', KEYS[4], ARGV[5]) "
    "  if ARGV[7] ~= 'dead' and ARGV[7] ~= 'invalid' then "
    "    redis.call('HINCRBY', KEYS[5], 'dead', 1) end end "
    "if ARGV[6] == '1' then redis.call('SET', KEYS[6], '1', 'EX', ARGV[9]) end "
    "if ARGV[8] ~= '' and redis.call('GET', KEYS[7]) == ARGV[8] then "
    "  redis.call('DEL', KEYS[7]) end "
    "redis.call('HINCRBY', KEYS[5], ARGV[7], 1) "
    "return 1";

/* KEYS: sent, claim; ARGV: owner, ttl ms, check sent. Returns {verdict, holder}. */
static const char claim_lua[] =
    "if ARGV[3] == '1' and redis.call('EXISTS', KEYS[1]) == 1 then return {'sent', ''} end "
    "if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then "
    "  return {'claimed', ARGV[1]} end "
    "return {'busy', redis.call('GET', KEYS[2]) or ''}";

/* KEYS: claim, holder's heartbeat; ARGV: holder, new owner, ttl ms.
 * A claim whose holder died (no heartbeat) is taken over. */
static const char steal_lua[] =
    "if redis.call('GET', KEYS[1]) ~= ARGV[1] or redis.call('EXISTS', KEYS[2]) == 1 then "
    "  return 0 end "
    "redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) "
    "return 1";

/* KEYS: processing, dead, stats; ARGV: real length, dead entry, fate.
 * A worker's list holds just the job in hand: it is replaced by a marker and
 * the marker removed, so Redis never copies the huge value. Otherwise the job
 * is found by its size. */
static const char bury_lua[] = "if redis.call('LLEN', KEYS[1]) == 1 then "
                               "  redis.call('LSET', KEYS[1], 0, 'mailer:buried') "
                               "  redis.call('LREM', KEYS[1], 1, 'mailer:buried') "
                               "else "
                               "  local n, found = tonumber(ARGV[1]), false "
                               "  for _, item in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do "
                               "    if not found and #item == n then "
                               "      redis.call('LREM', KEYS[1], 1, item) found = true end "
                               "  end "
                               "  if not found then return 0 end "
                               "end "
                               "redis.call('LPUSH', KEYS[2], ARGV[2]) "
                               "redis.call('HINCRBY', KEYS[3], ARGV[3], 1) "
                               "return 1";

/* KEYS: processing, queue; ARGV: largest job read, prefix bytes.
 * The newest job of a list that should be empty: a small one goes back to the
 * queue ({0, ""}), a large one is described ({size, first bytes}). */
static const char settle_lua[] =
    "local j = redis.call('LINDEX', KEYS[1], 0) "
    "if not j then return nil end "
    "if #j <= tonumber(ARGV[1]) then "
    "  redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT') return {0, ''} end "
    "return {#j, string.sub(j, 1, tonumber(ARGV[2]))}";

/* KEYS: retry, queue; ARGV: now ms, batch */
static const char promote_lua[] =
    "local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, "
    "tonumber(ARGV[2])) "
    "for _, job in ipairs(due) do redis.call('ZREM', KEYS[1], job) "
    "redis.call('RPUSH', KEYS[2], job) end "
    "return #due";

/* KEYS: heartbeat, processing, queue, workers; ARGV: worker */
static const char recover_lua[] =
    "if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end "
    "local moved = 0 "
    "while redis.call('LMOVE', KEYS[2], KEYS[3], 'LEFT', 'RIGHT') do moved = moved + 1 end "
    "redis.call('SREM', KEYS[4], ARGV[1]) "
    "return moved";

/* KEYS: processing, queue */
static const char give_back_lua[] =
    "local moved = 0 "
    "while redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT') do moved = moved + 1 end "
    "return moved";

/* KEYS: queue, dead, stats; ARGV: now s, how many to look at, fate.
 * The entry is spliced from the job's own text (it decoded as JSON), so the
 * job is kept byte for byte. */
static const char expire_lua[] =
    "local now = tonumber(ARGV[1]) local n = 0 "
    "for _, item in ipairs(redis.call('LRANGE', KEYS[1], -tonumber(ARGV[2]), -1)) do "
    "  local ok, job = pcall(cjson.decode, item) "
    "  if ok and type(job) == 'table' and type(job.deadline) == 'number' "
    "     and job.deadline <= now then "
    "    local tries = math.floor(tonumber(job.attempts) or 0) "
    "    redis.call('LREM', KEYS[1], 1, item) "
    "    redis.call('LPUSH', KEYS[2], '{\"job\":' .. item .. ',\"error\":\"expired\",' .. "
    "      '\"attempts\":' .. string.format('%d', tries) .. ',\"failed_at\":' .. ARGV[1] .. '}') "
    "    redis.call('HINCRBY', KEYS[3], ARGV[3], 1) "
    "    n = n + 1 "
    "  end "
    "end "
    "return n";

void job_store_init(struct job_store *s, struct redis_link *link, const struct queue_keys *keys)
{
	memset(s, 0, sizeof(*s));
	s->link = link;
	s->keys = keys;
	s->ack.source = ack_lua;
	s->claim.source = claim_lua;
	s->steal.source = steal_lua;
	s->bury.source = bury_lua;
	s->settle.source = settle_lua;
	s->promote.source = promote_lua;
	s->recover.source = recover_lua;
	s->give_back.source = give_back_lua;
	s->expire.source = expire_lua;
}

static struct redis_arg arg(const char *s)
{
	return (struct redis_arg){ s ? s : "", s ? strlen(s) : 0 };
}

int job_store_take(struct job_store *s, const char *processing, const char *block_seconds,
                   size_t max_bytes, struct job_taken *job)
{
	const char *argv[] = {
		"BLMOVE", s->keys->queue, processing, "RIGHT", "LEFT", block_seconds
	};
	struct redis_bounded_reply r;

	memset(job, 0, sizeof(*job));
	if (redis_link_command_bounded(s->link, max_bytes, 6, argv, &r) != 0)
		return -1;
	if (r.type == REDIS_REPLY_STRING) {
		job->raw = r.data;
		job->len = r.kept;
		job->real_len = r.len;
		return 1;
	}
	free(r.data);
	return r.type == REDIS_REPLY_NIL ? 0 : -1;
}

void job_taken_release(struct job_taken *job)
{
	free(job->raw);
	memset(job, 0, sizeof(*job));
}

int job_store_bury(struct job_store *s, const char *processing, size_t real_len,
                   const char *dead_entry)
{
	char len[32];
	struct redis_arg keys[] = { arg(processing), arg(s->keys->dead), arg(s->keys->stats) };
	struct redis_arg args[3];

	snprintf(len, sizeof(len), "%zu", real_len);
	args[0] = arg(len), args[1] = arg(dead_entry);
	args[2] = arg(queue_fate_name(QUEUE_FATE_INVALID));
	return (int)redis_link_integer(redis_link_evalv(s->link, &s->bury, 3, keys, 3, args));
}

int job_store_settle(struct job_store *s, const char *processing, size_t max_bytes,
                     size_t prefix_bytes, struct job_taken *large)
{
	char max[32], prefix[32];
	const char *keys[] = { processing, s->keys->queue }, *args[] = { max, prefix };
	redisReply *r;
	int rc = -1;

	memset(large, 0, sizeof(*large));
	snprintf(max, sizeof(max), "%zu", max_bytes);
	snprintf(prefix, sizeof(prefix), "%zu", prefix_bytes);
	r = redis_link_eval(s->link, &s->settle, 2, keys, 2, args);
	if (r && r->type == REDIS_REPLY_NIL)
		rc = 0;
	else if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
	         r->element[0]->type == REDIS_REPLY_INTEGER &&
	         r->element[1]->type == REDIS_REPLY_STRING) {
		rc = 1;
		if (r->element[0]->integer > 0) {
			large->raw = malloc(r->element[1]->len + 1);
			if (large->raw) {
				memcpy(large->raw, r->element[1]->str, r->element[1]->len);
				large->raw[r->element[1]->len] = '\0';
				large->len = r->element[1]->len;
				large->real_len = (size_t)r->element[0]->integer;
			} else {
				rc = -1;
			}
		}
	}
	freeReplyObject(r);
	return rc;
}

int job_store_ack(struct job_store *s, const char *processing, const char *raw, size_t raw_len,
                  const struct job_ack *ack)
{
	char sent_key[QUEUE_KEY_MAX + 140], claim_key[QUEUE_KEY_MAX + 140], due[32];
	const char *id = ack->job_id && ack->job_id[0] ? ack->job_id : "-";
	struct redis_arg keys[7], args[9];

	if (queue_keys_sent(s->keys, id, sent_key, sizeof(sent_key)) != 0 ||
	    queue_keys_claim(s->keys, id, claim_key, sizeof(claim_key)) != 0)
		return -1;
	snprintf(due, sizeof(due), "%lld", (long long)ack->due_ms);
	keys[0] = arg(processing), keys[1] = arg(s->keys->queue), keys[2] = arg(s->keys->retry);
	keys[3] = arg(s->keys->dead), keys[4] = arg(s->keys->stats), keys[5] = arg(sent_key);
	keys[6] = arg(claim_key);
	args[0] = (struct redis_arg){ raw, raw_len }; /* the job's bytes exactly, for LREM */
	args[1] = arg(ack->requeue ? "1" : "0");
	args[2] = arg(ack->retry_payload);
	args[3] = arg(due);
	args[4] = arg(ack->dead_payload);
	args[5] = arg(ack->mark_sent ? "1" : "0");
	args[6] = arg(queue_fate_name(ack->fate));
	args[7] = arg(ack->claim_owner);
	args[8] = arg(SENT_TTL_SECONDS);
	return redis_link_integer(redis_link_evalv(s->link, &s->ack, 7, keys, 9, args)) == 1 ? 0
	                                                                                     : -1;
}

/* The holder of a busy claim died (its jobs came back by recovery): take it. */
static bool steal_claim(struct job_store *s, const char *claim_key, const char *holder,
                        const char *owner, const char *ttl)
{
	char beat[QUEUE_KEY_MAX + 100];
	struct redis_arg keys[2], args[3];

	if (!holder[0] || queue_keys_heartbeat(s->keys, holder, beat, sizeof(beat)) != 0)
		return false;
	keys[0] = arg(claim_key), keys[1] = arg(beat);
	args[0] = arg(holder), args[1] = arg(owner), args[2] = arg(ttl);
	return redis_link_integer(redis_link_evalv(s->link, &s->steal, 2, keys, 3, args)) == 1;
}

enum job_claim job_store_claim(struct job_store *s, const char *job_id, const char *owner,
                               long long ttl_ms, bool check_sent)
{
	char sent_key[QUEUE_KEY_MAX + 140], claim_key[QUEUE_KEY_MAX + 140], ttl[32];
	struct redis_arg keys[2], args[3];
	enum job_claim result = JOB_CLAIM_FAILED;
	redisReply *r;

	if (queue_keys_sent(s->keys, job_id, sent_key, sizeof(sent_key)) != 0 ||
	    queue_keys_claim(s->keys, job_id, claim_key, sizeof(claim_key)) != 0)
		return JOB_CLAIM_FAILED;
	snprintf(ttl, sizeof(ttl), "%lld", ttl_ms);
	keys[0] = arg(sent_key), keys[1] = arg(claim_key);
	args[0] = arg(owner), args[1] = arg(ttl), args[2] = arg(check_sent ? "1" : "0");
	r = redis_link_evalv(s->link, &s->claim, 2, keys, 3, args);
	if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
	    r->element[0]->type == REDIS_REPLY_STRING &&
	    r->element[1]->type == REDIS_REPLY_STRING) {
		const char *verdict = r->element[0]->str, *holder = r->element[1]->str;

		if (strcmp(verdict, "claimed") == 0 || strcmp(holder, owner) == 0)
			result = JOB_CLAIMED; /* ours already: a retry after a crash of ours */
		else if (strcmp(verdict, "sent") == 0)
			result = JOB_CLAIM_SENT;
		else
			result = steal_claim(s, claim_key, holder, owner, ttl) ? JOB_CLAIMED
			                                                       : JOB_CLAIM_BUSY;
	}
	freeReplyObject(r);
	return result;
}

long long job_store_promote(struct job_store *s, int64_t now_ms)
{
	char now[32];
	const char *keys[] = { s->keys->retry, s->keys->queue }, *args[] = { now, RECOVER_BATCH };

	snprintf(now, sizeof(now), "%lld", (long long)now_ms);
	return redis_link_integer(redis_link_eval(s->link, &s->promote, 2, keys, 2, args));
}

static long long recover_one(struct job_store *s, const char *worker)
{
	char beat[QUEUE_KEY_MAX + 100], processing[QUEUE_KEY_MAX + 100];
	const char *keys[] = { beat, processing, s->keys->queue, s->keys->workers };
	const char *args[] = { worker };
	long long moved;

	if (queue_keys_heartbeat(s->keys, worker, beat, sizeof(beat)) != 0 ||
	    queue_keys_processing(s->keys, worker, processing, sizeof(processing)) != 0)
		return 0;
	moved = redis_link_integer(redis_link_eval(s->link, &s->recover, 4, keys, 1, args));
	return moved < 0 ? 0 : moved; /* -1: alive, or Redis failed (tried again later) */
}

long long job_store_recover(struct job_store *s)
{
	redisReply *members = redis_link_command(s->link, "SMEMBERS %s", s->keys->workers);
	long long moved = 0;

	if (!members || members->type != REDIS_REPLY_ARRAY) {
		freeReplyObject(members);
		return -1;
	}
	for (size_t i = 0; i < members->elements; i++)
		if (members->element[i]->type == REDIS_REPLY_STRING)
			moved += recover_one(s, members->element[i]->str);
	freeReplyObject(members);
	return moved;
}

long long job_store_give_back(struct job_store *s, const char *processing)
{
	const char *keys[] = { processing, s->keys->queue };

	return redis_link_integer(redis_link_eval(s->link, &s->give_back, 2, keys, 0, NULL));
}

long long job_store_expire(struct job_store *s, int64_t now_s, long max)
{
	char now[32], scan[32];
	const char *keys[] = { s->keys->queue, s->keys->dead, s->keys->stats };
	const char *args[] = { now, scan, queue_fate_name(QUEUE_FATE_DEAD) };

	snprintf(now, sizeof(now), "%lld", (long long)now_s);
	snprintf(scan, sizeof(scan), "%ld", max);
	return redis_link_integer(redis_link_eval(s->link, &s->expire, 3, keys, 3, args));
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
