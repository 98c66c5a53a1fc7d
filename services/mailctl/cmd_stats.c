/* mailctl stats: how full each list is, the counters, and the live workers. */
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "ctl_print.h"

static long long count(struct ctl *ctl, const char *verb, const char *key, bool *ok)
{
	redisReply *r = ctl_command(ctl, "%s %s", verb, key);
	long long n = r && r->type == REDIS_REPLY_INTEGER ? r->integer : -1;

	freeReplyObject(r);
	if (n < 0)
		*ok = false;
	return n;
}

static void print_counters(struct ctl *ctl, bool *ok)
{
	static const char *const names[] = { "sent",    "retried",   "dead",
		                             "invalid", "duplicate", "deferred" };
	redisReply *r = ctl_command(ctl, "HGETALL %s", ctl->keys.stats);

	if (!r) {
		*ok = false;
		return;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *value = "0";
		char safe[CTL_SAFE_MAX];

		for (size_t j = 0; j + 1 < r->elements; j += 2)
			if (strcmp(r->element[j]->str, names[i]) == 0)
				value = r->element[j + 1]->str;
		printf("%-12s %s\n", names[i], ctl_safe(value, safe, sizeof(safe)));
	}
	freeReplyObject(r);
}

static void print_workers(struct ctl *ctl, bool *ok)
{
	redisReply *r = ctl_command(ctl, "SMEMBERS %s", ctl->keys.workers);
	char key[QUEUE_KEY_MAX + 100];
	int live = 0;

	if (!r) {
		*ok = false;
		return;
	}
	for (size_t i = 0; i < r->elements; i++) {
		const char *w = r->element[i]->str;
		char safe[CTL_SAFE_MAX];
		long long alive, held;

		queue_keys_heartbeat(&ctl->keys, w, key, sizeof(key));
		alive = count(ctl, "EXISTS", key, ok);
		queue_keys_processing(&ctl->keys, w, key, sizeof(key));
		held = count(ctl, "LLEN", key, ok);
		printf("worker %-30s %s processing=%lld\n", ctl_safe(w, safe, sizeof(safe)),
		       alive == 1 ? "live" : "dead", held);
		live += alive == 1;
	}
	printf("%-12s %d\n", "live workers", live);
	freeReplyObject(r);
}

int cmd_stats(struct ctl *ctl, int argc, char **argv)
{
	bool ok = true;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "mailctl: stats takes no arguments\n");
		return CTL_USAGE;
	}
	long long queued = count(ctl, "LLEN", ctl->keys.queue, &ok);

	if (!ok)
		return CTL_USAGE;
	printf("%-12s %lld\n", "queue", queued);
	printf("%-12s %lld\n", "retry", count(ctl, "ZCARD", ctl->keys.retry, &ok));
	printf("%-12s %lld\n", "dead", count(ctl, "LLEN", ctl->keys.dead, &ok));
	print_workers(ctl, &ok);
	print_counters(ctl, &ok);
	return ok ? CTL_OK : CTL_USAGE;
}
