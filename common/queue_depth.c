#include "queue_depth.h"

#include <stdlib.h>
#include <string.h>

#define MAILERS_COUNTED_MAX 1024 /* distinct mailers told apart; past it, not counted */

static long long count(struct redis_link *link, const char *verb, const char *key, int *failed)
{
	long long n = redis_link_integer(redis_link_command(link, "%s %s", verb, key));

	if (n < 0)
		*failed = 1;
	return n;
}

/* Counts a worker's mailer once: names are kept while they are counted. */
static void count_mailer(const char *worker, char (*seen)[QUEUE_KEY_MAX], long long *n)
{
	char mailer[QUEUE_KEY_MAX];

	if (queue_keys_mailer_of(worker, mailer, sizeof(mailer)) != 0)
		return;
	for (long long i = 0; i < *n; i++)
		if (strcmp(seen[i], mailer) == 0)
			return;
	if (*n < MAILERS_COUNTED_MAX)
		memcpy(seen[(*n)++], mailer, sizeof(mailer));
}

static int read_workers(struct redis_link *link, const struct queue_keys *keys,
                        struct queue_depth *out, queue_depth_worker_fn each, void *ctx)
{
	redisReply *members = redis_link_command(link, "SMEMBERS %s", keys->workers);
	char(*seen)[QUEUE_KEY_MAX] = calloc(MAILERS_COUNTED_MAX, QUEUE_KEY_MAX);
	char key[QUEUE_KEY_MAX + 100];
	int failed = !members || members->type != REDIS_REPLY_ARRAY || !seen;

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
