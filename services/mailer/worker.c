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
#define RELAY_WAIT_MS    500 /* how often a paused thread looks at the stop flag */
/* Redis needs seconds for a job of hundreds of MB (10 s for 200 MB, seen) */
#define REDIS_PATIENT_MS 120000

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

static void record(struct worker *w, const struct delivery *d)
{
	const char *fate = queue_fate_name(d->ack.fate), *id = d->job_id[0] ? d->job_id : "-";
	char labels[64];

	snprintf(labels, sizeof(labels), "outcome=\"%s\"", fate);
	metrics_add(w->shared->metrics, "mailer_jobs_total", labels, 1);
	if (d->dead_payload)
		LOG_WARN("deliver", "dead id=%s error=\"%s\"", id, d->reason);
	if (d->ack.fate == QUEUE_FATE_RETRIED)
		LOG_INFO("deliver", "retry later id=%s due_ms=%lld error=\"%s\"", id,
		         (long long)d->ack.due_ms, d->reason);
	else if (d->ack.fate == QUEUE_FATE_REQUEUED || d->ack.fate == QUEUE_FATE_DEFERRED)
		LOG_INFO("deliver", "%s id=%s why=\"%s\"", fate, id, d->reason);
	else if (!d->dead_payload || d->ack.fate == QUEUE_FATE_SENT)
		LOG_INFO("deliver", "%s id=%s", fate, id);
}

/* Runs a Redis step until it succeeds; the job stays in processing meanwhile,
 * so it is never lost. Returns false when told to stop first. */
static bool until_filed(struct worker *w, int (*step)(struct worker *, const void *),
                        const void *arg, const char *id)
{
	long wait = 50;

	while (step(w, arg) < 0) {
		outage_log_failed(&w->shared->redis_outage, redis_link_last_error(w->link));
		if (atomic_load(&w->shared->stop)) {
			LOG_WARN("worker", "left in processing for recovery id=%s", id);
			return false;
		}
		pause_ms(wait);
		wait = wait * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : wait * 2;
	}
	outage_log_ok(&w->shared->redis_outage);
	return true;
}

struct ack_step {
	const struct job_taken *job;
	const struct delivery *d;
};

static int ack_step(struct worker *w, const void *arg)
{
	const struct ack_step *a = arg;

	return job_store_ack(&w->store, w->processing, a->job->raw, a->job->len, &a->d->ack);
}

static int bury_step(struct worker *w, const void *arg)
{
	const struct ack_step *a = arg;

	return job_store_bury(&w->store, w->processing, a->job->real_len, a->d->dead_payload) < 0
	           ? -1
	           : 0;
}

static void handle(struct worker *w, const struct job_taken *job)
{
	struct delivery d;
	struct ack_step step = { job, &d };
	bool too_large = job->real_len > job->len;

	if (too_large)
		deliver_too_large(job->raw, job->len, job->real_len, &d);
	else
		deliver_job(&w->deliverer, job->raw, job->len, &d);
	if (d.out_of_memory) {
		LOG_ERROR("worker", "out of memory filing id=%s; left in processing", d.job_id);
	} else if (until_filed(w, too_large ? bury_step : ack_step, &step, d.job_id)) {
		record(w, &d);
		if (d.relay_down)
			relay_breaker_trip(&w->shared->breaker, d.reason);
		else if (d.delivered)
			relay_breaker_delivered(&w->shared->breaker);
	}
	delivery_release(&d);
}

/* After a take whose reply was lost, the job may sit in processing: settle
 * the list before taking more. Returns false while Redis fails. */
static bool settle_processing(struct worker *w)
{
	int rc;

	redis_link_set_command_timeout(w->link, REDIS_PATIENT_MS);
	do {
		struct job_taken large;

		rc = job_store_settle(&w->store, w->processing, MAIL_JOB_MAX_BYTES,
		                      DELIVER_DEAD_PREFIX_BYTES, &large);
		if (rc > 0 && large.raw) {
			LOG_WARN("worker",
			         "a job too large to read was left in processing bytes=%zu",
			         large.real_len);
			handle(w, &large);
		}
		job_taken_release(&large);
	} while (rc > 0 && !atomic_load(&w->shared->stop));
	redis_link_set_command_timeout(w->link, REDIS_TIMEOUT_MS);
	return rc == 0;
}

static void probe(struct worker *w)
{
	char why[300] = "";
	bool ok = smtp_probe(w->deliverer.sender, why, sizeof(why)) == 0;

	relay_breaker_probed(&w->shared->breaker, ok, why);
}

static void *run(void *arg)
{
	struct worker *w = arg;
	long wait = 50;
	bool unsettled = false; /* a take failed: its job may be in processing */

	while (!atomic_load(&w->shared->stop)) {
		struct job_taken job;
		enum relay_turn turn = relay_breaker_turn(&w->shared->breaker, RELAY_WAIT_MS);
		int got;

		if (turn == RELAY_PROBE)
			probe(w);
		if (turn != RELAY_GO)
			continue;
		if (unsettled)
			unsettled = !settle_processing(w);
		got = unsettled ? -1
		                : job_store_take(&w->store, w->processing, BLOCK_SECONDS,
		                                 MAIL_JOB_MAX_BYTES, &job);
		if (got < 0) {
			unsettled = true;
			outage_log_failed(&w->shared->redis_outage, redis_link_last_error(w->link));
			pause_ms(wait); /* Redis is away: back off, then reconnect */
			wait = wait * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : wait * 2;
			continue;
		}
		outage_log_ok(&w->shared->redis_outage);
		wait = 50;
		if (got == 1)
			handle(w, &job);
		job_taken_release(&job);
	}
	/* here, so that every thread's QUIT runs at once, not one after another */
	smtp_sender_free(&w->deliverer.sender, WORKER_QUIT_TIMEOUT_S);
	return NULL;
}

static void worker_free(struct worker *w)
{
	smtp_sender_free(&w->deliverer.sender, WORKER_QUIT_TIMEOUT_S);
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
		                           .store = &w->store,
		                           .name = w->name };
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
