/* mailctl stats: how full each list is, the counters, and the live workers. */
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "ctl_print.h"
#include "queue_depth.h"
#include "queue_fate.h"

static void print_counters(struct ctl *ctl, bool *ok)
{
	redisReply *r = ctl_command(ctl, "HGETALL %s", ctl->keys.stats);

	if (!r) {
		*ok = false;
		return;
	}
	for (int f = 0; f < QUEUE_FATE_COUNT; f++) {
		const char *name = queue_fate_name((enum queue_fate)f), *value = "0";
		char safe[CTL_SAFE_MAX];

		for (size_t j = 0; j + 1 < r->elements; j += 2)
			if (strcmp(r->element[j]->str, name) == 0)
				value = r->element[j + 1]->str;
		printf("%-12s %s\n", name, ctl_safe(value, safe, sizeof(safe)));
	}
	freeReplyObject(r);
}

static void print_worker(void *ctx, const char *worker, int live, long long held)
{
	char safe[CTL_SAFE_MAX];

	(void)ctx;
	printf("worker %-30s %s processing=%lld\n", ctl_safe(worker, safe, sizeof(safe)),
	       live ? "live" : "dead", held);
}

int cmd_stats(struct ctl *ctl, int argc, char **argv)
{
	struct queue_depth depth;
	bool ok = true;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "mailctl: stats takes no arguments\n");
		return CTL_USAGE;
	}
	if (!ctl_link(ctl) ||
	    queue_depth_read(ctl->link, &ctl->keys, &depth, print_worker, NULL) != 0) {
		fprintf(stderr, "mailctl: redis: %s\n",
		        ctl->link ? redis_link_last_error(ctl->link) : "out of memory");
		return CTL_USAGE;
	}
	/* a mailer runs MAILER_CONCURRENCY delivery threads: count both */
	printf("%-12s %lld\n", "live workers", depth.live_mailers);
	printf("%-12s %lld\n", "threads", depth.live_workers);
	printf("%-12s %lld\n", "queue", depth.queue);
	printf("%-12s %lld\n", "retry", depth.retry);
	printf("%-12s %lld\n", "dead", depth.dead);
	printf("%-12s %lld\n", "processing", depth.processing);
	print_counters(ctl, &ok);
	return ok ? CTL_OK : CTL_USAGE;
}
