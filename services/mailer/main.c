/* mailer: takes mail jobs from Redis and gets them delivered, or says exactly
 * why not. MAILER_CONCURRENCY delivery threads; this main thread moves due
 * retries back to the queue, keeps the workers' heartbeats, recovers the jobs
 * of dead mailers, and on SIGTERM/SIGINT lets the jobs in hand finish. */
#include <curl/curl.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "fs_dirs.h"
#include "job_store.h"
#include "logger.h"
#include "now.h"
#include "settings.h"
#include "status_http.h"
#include "stop_signals.h"
#include "worker.h"

#define MAX_WORKERS      64
#define RECOVER_EVERY_MS 5000
#define EXPIRE_EVERY_MS  1000 /* while the relay is down, queued jobs past their deadline */
#define EXPIRE_SCAN_MAX  1000

struct mailer {
	struct settings settings;
	struct template_set *templates;
	struct metrics *metrics;
	struct redis_url redis_url;
	struct queue_keys keys;
	struct worker_shared shared;
	struct worker *workers[MAX_WORKERS];
	char names[MAX_WORKERS][96];
	int n_workers;
	struct redis_link *link;
	struct job_store store;
	struct status_http *http;
	bool shared_ready; /* breaker and outage log initialised */
};

static void usage(void)
{
	printf("Usage: mailer [--help | --version]\n\n"
	       "Takes mail jobs from Redis (see proto/README.md), renders them from\n"
	       "templates/email/ and delivers them over SMTP with retries; what cannot be\n"
	       "delivered goes to the dead-letter list. Configured by the environment;\n"
	       "see services/mailer/README.md.\n\n");
	config_print_help(settings_table, settings_table_len);
}

static void declare_metrics(struct metrics *m)
{
	static const double smtp_bounds[] = { 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60 };

	metrics_declare(m, "mailer_jobs_total", METRICS_COUNTER,
	                "Jobs handled, by outcome (sent, retried, dead, duplicate, deferred).",
	                NULL, 0);
	metrics_declare(m, "mailer_smtp_duration_seconds", METRICS_HISTOGRAM,
	                "Time of one SMTP transaction.", smtp_bounds, 11);
	metrics_declare(m, "mailer_smtp_connections_total", METRICS_COUNTER,
	                "SMTP connections opened (fewer than messages: connections are reused).",
	                NULL, 0);
	metrics_declare(m, "mailer_queue_depth", METRICS_GAUGE, "Jobs waiting in the queue.", NULL,
	                0);
	metrics_declare(m, "mailer_retry_depth", METRICS_GAUGE, "Jobs waiting for a retry.", NULL,
	                0);
	metrics_declare(m, "mailer_dead_depth", METRICS_GAUGE, "Dead letters.", NULL, 0);
	metrics_declare(m, "mailer_processing_depth", METRICS_GAUGE,
	                "Jobs held by workers right now.", NULL, 0);
	metrics_declare(m, "mail_relay_up", METRICS_GAUGE,
	                "1 while the SMTP relay takes mail, 0 while deliveries are paused.", NULL,
	                0);
}

static int prepare(struct mailer *m)
{
	struct template_error terr;
	const char *why;

	if (redis_url_parse(m->settings.redis_url, &m->redis_url, &why) != 0) {
		fprintf(stderr, "mailer: REDIS_URL: %s\n", why);
		return 2;
	}
	if (queue_keys_init(&m->keys, m->settings.queue_prefix) != 0) {
		fprintf(stderr, "mailer: MAIL_QUEUE_PREFIX: only A-Z a-z 0-9 _ . : - allowed\n");
		return 2;
	}
	if (m->settings.outbox_dir && (fs_dirs_make(m->settings.outbox_dir) != 0 ||
	                               access(m->settings.outbox_dir, W_OK) != 0)) {
		fprintf(stderr, "mailer: MAIL_OUTBOX_DIR: not a writable directory\n");
		return 2;
	}
	if (template_set_load(m->settings.templates_dir, &m->templates, &terr) != 0) {
		LOG_ERROR("main", "templates not loaded where=%s error=\"%s\"", terr.where,
		          terr.reason);
		return 1;
	}
	m->metrics = metrics_new();
	m->link = redis_link_open(&m->redis_url, 2000, 5000);
	if (!m->metrics || !m->link)
		return 1;
	declare_metrics(m->metrics);
	job_store_init(&m->store, m->link, &m->keys);
	m->shared = (struct worker_shared){ .settings = &m->settings,
		                            .templates = m->templates,
		                            .metrics = m->metrics,
		                            .redis_url = &m->redis_url,
		                            .keys = &m->keys };
	relay_breaker_init(&m->shared.breaker, m->settings.relay_probe_max_ms);
	outage_log_init(&m->shared.redis_outage, "redis");
	m->shared_ready = true;
	return 0;
}

static void heartbeats(struct mailer *m)
{
	for (int i = 0; i < m->n_workers; i++)
		job_store_heartbeat(&m->store, m->names[i], m->settings.heartbeat_ttl);
}

/* Jobs a previous life of a worker name left in its processing list. */
static void reclaim(struct mailer *m, const char *name)
{
	char processing[QUEUE_KEY_MAX + 100];
	long long n;

	queue_keys_processing(&m->keys, name, processing, sizeof(processing));
	n = job_store_give_back(&m->store, processing);
	if (n > 0)
		LOG_INFO("main", "jobs of an earlier run back in the queue worker=%s count=%lld",
		         name, n);
}

static int start_workers(struct mailer *m)
{
	m->n_workers = (int)m->settings.concurrency;
	for (int i = 0; i < m->n_workers; i++)
		snprintf(m->names[i], sizeof(m->names[i]), "%s-%d", m->settings.worker_id, i);
	heartbeats(m);
	for (int i = 0; i < m->n_workers; i++) {
		reclaim(m, m->names[i]);
		m->workers[i] = worker_start(&m->shared, m->names[i]);
		if (!m->workers[i])
			return -1;
	}
	LOG_INFO("main", "started workers=%d worker_id=%s", m->n_workers, m->settings.worker_id);
	return 0;
}

struct timers {
	int64_t beat, recover, expire; /* monotonic ms of the last run */
};

static void expire_while_down(struct mailer *m, struct timers *t, int64_t mono)
{
	long long n;

	if (relay_breaker_is_up(&m->shared.breaker) || mono - t->expire < EXPIRE_EVERY_MS)
		return;
	t->expire = mono;
	n = job_store_expire(&m->store, now_s(), EXPIRE_SCAN_MAX);
	if (n > 0)
		LOG_WARN("main", "expired while the relay is down count=%lld", n);
}

static void housekeeping(struct mailer *m, struct timers *t)
{
	int64_t mono = now_mono_ms();
	long long n;

	if (job_store_promote(&m->store, now_ms()) < 0) {
		outage_log_failed(&m->shared.redis_outage, redis_link_last_error(m->link));
		return;
	}
	outage_log_ok(&m->shared.redis_outage);
	if (mono - t->beat >= m->settings.heartbeat_ttl * 1000 / 3) {
		heartbeats(m);
		t->beat = mono;
	}
	if (mono - t->recover >= RECOVER_EVERY_MS) {
		n = job_store_recover(&m->store);
		if (n > 0)
			LOG_WARN("main", "jobs of a dead worker back in the queue count=%lld", n);
		t->recover = mono;
	}
	expire_while_down(m, t, mono);
}

static int wait_loop(struct mailer *m, const sigset_t *stop)
{
	struct timers t = { now_mono_ms(), 0, 0 };
	int sig = 0;

	while (!sig) {
		housekeeping(m, &t);
		sig = stop_signals_wait(stop, (long)m->settings.poll_ms);
	}
	return sig;
}

static void shut_down(struct mailer *m)
{
	atomic_store(&m->shared.stop, true);
	if (m->shared_ready)
		relay_breaker_wake_all(&m->shared.breaker);
	for (int i = 0; i < m->n_workers; i++) {
		worker_join(&m->workers[i]);
		job_store_retire(&m->store, m->names[i]);
	}
	status_http_stop(&m->http);
	if (m->shared_ready) {
		relay_breaker_release(&m->shared.breaker);
		outage_log_release(&m->shared.redis_outage);
	}
	redis_link_close(&m->link);
	template_set_free(&m->templates);
	metrics_free(&m->metrics);
	settings_release(&m->settings);
}

static int run(struct mailer *m, const sigset_t *stop)
{
	int rc = prepare(m), sig;

	if (rc != 0)
		goto out;
	m->http = status_http_start(m->settings.listen, m->metrics, &m->redis_url, &m->keys,
	                            &m->shared.breaker);
	if (!m->http || start_workers(m) != 0) {
		rc = 1;
		goto out;
	}
	sig = wait_loop(m, stop);
	LOG_INFO("main", "stopping signal=%s", stop_signals_name(sig));
out:
	shut_down(m);
	if (rc == 0)
		LOG_INFO("main", "stopped");
	return rc;
}

int main(int argc, char **argv)
{
	static struct mailer m;
	struct config_error err;
	sigset_t set;
	int rc;

	rc = cli_standard_args(argc, argv, "mailer", usage);
	if (rc >= 0)
		return rc;
	logger_init("mailer", LOGGER_INFO);
	if (settings_load(&m.settings, &err) != 0) {
		fprintf(stderr, "mailer: %s: %s\n", err.name, err.reason);
		return 2;
	}
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		settings_release(&m.settings);
		return 1;
	}
	stop_signals_block(&set);
	rc = run(&m, &set);
	curl_global_cleanup();
	return rc;
}
