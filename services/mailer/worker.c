#include "worker.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "deliver.h"
#include "job_store.h"
#include "logger.h"
#include "str.h"

#define REDIS_TIMEOUT_MS 5000
#define BLOCK_SECONDS    "1" /* below the command timeout, and the stop latency */
#define BACKOFF_MAX_MS   1000

struct worker {
	struct worker_shared *shared;
	char name[96];
	char processing[QUEUE_KEY_MAX + 100];
	pthread_t thread;
	struct redis_link *link;
	struct job_store store;
	struct deliverer deliverer;
};

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static const char *outcome_label(enum job_ack a)
{
	static const char *const names[] = { "sent", "retried", "dead", "duplicate" };

	return names[a];
}

static void record(struct worker *w, const struct delivery *d)
{
	char labels[64];

	snprintf(labels, sizeof(labels), "outcome=\"%s\"",
	         strcmp(d->counter, "deferred") == 0 ? "deferred" : outcome_label(d->action));
	metrics_add(w->shared->metrics, "mailer_jobs_total", labels, 1);
	if (d->action == JOB_ACK_DEAD)
		LOG_WARN("deliver", "dead id=%s error=\"%s\"", d->job_id[0] ? d->job_id : "-",
		         d->reason);
	else if (d->action == JOB_ACK_RETRY)
		LOG_INFO("deliver", "retry later id=%s due_ms=%lld error=\"%s\"", d->job_id,
		         (long long)d->due_ms, d->reason);
	else
		LOG_INFO("deliver", "%s id=%s", outcome_label(d->action), d->job_id);
}

/* Files the result; keeps trying while Redis is away (the job stays in
 * processing meanwhile, so it is never lost). */
static void file_result(struct worker *w, const redisReply *job, const struct delivery *d)
{
	long wait = 50;

	while (job_store_ack(&w->store, w->processing, d->action, job->str, job->len, d->payload,
	                     d->due_ms, d->job_id, d->counter) != 0) {
		if (atomic_load(&w->shared->stop)) {
			LOG_WARN("worker", "left in processing for recovery id=%s", d->job_id);
			return;
		}
		LOG_WARN("worker", "cannot file result, retrying id=%s error=\"%s\"", d->job_id,
		         redis_link_last_error(w->link));
		pause_ms(wait);
		wait = wait * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : wait * 2;
	}
	record(w, d);
}

static void *run(void *arg)
{
	struct worker *w = arg;
	long wait = 50;

	while (!atomic_load(&w->shared->stop)) {
		struct delivery d;
		redisReply *job = NULL;
		int got = job_store_take(&w->store, w->processing, BLOCK_SECONDS, &job);

		if (got < 0) {
			pause_ms(wait); /* Redis is away: back off, then reconnect */
			wait = wait * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : wait * 2;
			continue;
		}
		wait = 50;
		if (got == 0)
			continue;
		deliver_job(&w->deliverer, job->str, job->len, &d);
		if (d.action == JOB_ACK_DEAD || d.action == JOB_ACK_RETRY) {
			if (!d.payload)
				LOG_ERROR("worker", "out of memory filing id=%s", d.job_id);
		}
		if (d.payload || d.action == JOB_ACK_SENT || d.action == JOB_ACK_DUPLICATE)
			file_result(w, job, &d);
		delivery_release(&d);
		freeReplyObject(job);
	}
	return NULL;
}

static void worker_free(struct worker *w)
{
	smtp_sender_free(&w->deliverer.sender);
	redis_link_close(&w->link);
	free(w);
}

struct worker *worker_start(struct worker_shared *shared, const char *name)
{
	struct worker *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->shared = shared;
	text_copy(w->name, sizeof(w->name), name);
	queue_keys_processing(shared->keys, name, w->processing, sizeof(w->processing));
	w->link = redis_link_open(shared->redis_url, REDIS_TIMEOUT_MS, REDIS_TIMEOUT_MS);
	w->deliverer = (struct deliverer){ .settings = shared->settings,
		                           .templates = shared->templates,
		                           .metrics = shared->metrics,
		                           .sender = smtp_sender_new(shared->settings),
		                           .link = w->link,
		                           .keys = shared->keys };
	if (!w->link || !w->deliverer.sender)
		goto fail;
	job_store_init(&w->store, w->link, shared->keys);
	if (pthread_create(&w->thread, NULL, run, w) != 0)
		goto fail;
	return w;
fail:
	worker_free(w);
	return NULL;
}

void worker_join(struct worker **wp)
{
	if (!*wp)
		return;
	pthread_join((*wp)->thread, NULL);
	worker_free(*wp);
	*wp = NULL;
}
