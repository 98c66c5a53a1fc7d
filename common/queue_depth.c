#include "queue_depth.h"

#include <stdlib.h>
#include <string.h>

/* A mailer already counted: its name is a prefix of a worker name in the reply. */
struct mailer_name {
	const char *name;
	size_t len;
};

static long long count(struct redis_link *link, const char *verb, const char *key, int *failed)
{
	long long n = redis_link_integer(redis_link_command(link, "%s %s", verb, key));

	if (n < 0)
		*failed = 1;
	return n;
}

/* Counts a worker's mailer once. seen has room for every worker. */
static void count_mailer(const char *worker, struct mailer_name *seen, long long *n)
{
	size_t len = queue_keys_mailer_len(worker);

	for (long long i = 0; i < *n; i++)
		if (seen[i].len == len && memcmp(seen[i].name, worker, len) == 0)
			return;
	seen[(*n)++] = (struct mailer_name){ worker, len };
}

static int read_workers(struct redis_link *link, const struct queue_keys *keys,
                        struct queue_depth *out, queue_depth_worker_fn each, void *ctx)
{
	redisReply *members = redis_link_command(link, "SMEMBERS %s", keys->workers);
	int failed = !members || members->type != REDIS_REPLY_ARRAY;
	struct mailer_name *seen = failed ? NULL : calloc(members->elements + 1, sizeof(*seen));
	char key[QUEUE_KEY_MAX + 100];

	failed |= !seen;

	for (size_t i = 0; !failed && i < members->elements; i++) {
		const char *w = members->element[i]->str;
		long long live, held;

		if (queue_keys_heartbeat(keys, w, key, sizeof(key)) != 0)
			continue;
		live = count(link, "EXISTS", key, &failed) == 1;
		if (queue_keys_processing(keys, w, key, sizeof(key)) != 0)
			continue;
		held = count(link, "LLEN", key, &failed);
		out->processing += held > 0 ? held : 0;
		out->live_workers += live;
		if (live)
			count_mailer(w, seen, &out->live_mailers);
		if (each)
			each(ctx, w, (int)live, held);
	}
	free(seen);
	freeReplyObject(members);
	return failed ? -1 : 0;
}

int queue_depth_read(struct redis_link *link, const struct queue_keys *keys,
                     struct queue_depth *out, queue_depth_worker_fn each, void *ctx)
{
	int failed = 0;

	memset(out, 0, sizeof(*out));
	out->queue = count(link, "LLEN", keys->queue, &failed);
	out->retry = count(link, "ZCARD", keys->retry, &failed);
	out->dead = count(link, "LLEN", keys->dead, &failed);
	if (failed)
		return -1;
	return read_workers(link, keys, out, each, ctx);
}
