#include "redis_retry.h"

redisReply *redis_retry_eval(struct redis_link *link, struct redis_script *script, int nkeys,
                             const char **keys, int nargs, const char **args)
{
	bool was_up = redis_link_up(link);
	redisReply *r = redis_link_eval(link, script, nkeys, keys, nargs, args);

	if (!r && was_up)
		r = redis_link_eval(link, script, nkeys, keys, nargs, args);
	return r;
}

bool redis_retry_ping(struct redis_link *link)
{
	bool was_up = redis_link_up(link);
	redisReply *r = redis_link_command(link, "PING");
	bool ok;

	if (!r && was_up)
		r = redis_link_command(link, "PING");
	ok = r && r->type == REDIS_REPLY_STATUS;
	freeReplyObject(r);
	return ok;
}
