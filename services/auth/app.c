#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_read.h"
#include "fs_dirs.h"
#include "logger.h"

#define STYLESHEET_MAX (64 * 1024)

static void worker_free(void *p)
{
	struct worker *w = p;

	db_close(&w->db);
	redis_link_close(&w->redis);
	free(w);
}

struct worker *app_worker(struct app *app)
{
	struct worker *w = pthread_getspecific(app->worker_key);
	int timeout = (int)app->settings.redis_timeout_ms;

	if (w)
		return w;
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->db = db_open(app->settings.database_url, app->settings.database_path);
	w->redis = redis_link_open(&app->redis_url, timeout, timeout);
	if (!w->db || !w->redis) {
		worker_free(w);
		return NULL;
	}
	pthread_setspecific(app->worker_key, w);
	return w;
}

void app_note_redis(struct app *app, struct worker *w, bool ok)
{
	bool was_logged = atomic_load(&app->redis_outage_logged);

	if (!ok && !was_logged && !atomic_exchange(&app->redis_outage_logged, true))
		LOG_WARN("redis",
		         "redis unavailable, resets answer 503 and login limits fail "
		         "open error=\"%s\"",
		         redis_link_last_error(w->redis));
	else if (ok && was_logged && atomic_exchange(&app->redis_outage_logged, false))
		LOG_INFO("redis", "redis reachable again");
}

static int load_stylesheet(struct app *app)
{
	char path[4200];
	int rc;

	snprintf(path, sizeof(path), "%s/static/style.css", app->settings.templates_dir);
	rc = file_read(path, STYLESHEET_MAX, &app->stylesheet, &app->stylesheet_len);
	if (rc != FILE_READ_OK)
		LOG_ERROR("app", "cannot load stylesheet path=%s reason=\"%s\"", path,
		          file_read_reason(rc));
	return rc == FILE_READ_OK ? 0 : -1;
}

static void declare_metrics(struct metrics *m)
{
	metrics_declare(m, "auth_http_requests_total", METRICS_COUNTER,
	                "HTTP requests by route and status.", NULL, 0);
	metrics_declare(m, "auth_http_request_duration_seconds", METRICS_HISTOGRAM,
	                "Time to answer a request, by route.", NULL, 0);
	metrics_declare(m, "auth_reset_requests_total", METRICS_COUNTER,
	                "Password reset requests with a well-formed address.", NULL, 0);
	metrics_declare(m, "auth_mail_jobs_enqueued_total", METRICS_COUNTER,
	                "Mail jobs pushed to the queue, by template.", NULL, 0);
	metrics_declare(m, "auth_mail_enqueue_failures_total", METRICS_COUNTER,
	                "Mail jobs that could not be pushed (Redis unavailable).", NULL, 0);
	metrics_declare(m, "auth_mail_jobs_unreplicated_total", METRICS_COUNTER,
	                "Mail jobs no replica had within AUTH_REDIS_WAIT_MS (Sentinel only).", NULL,
	                0);
	metrics_declare(m, "auth_rate_limited_total", METRICS_COUNTER,
	                "Requests stopped by an abuse limit, by limit.", NULL, 0);
	metrics_declare(m, "auth_password_checks_total", METRICS_COUNTER,
	                "argon2 verifications at login (a dummy one for unknown users).", NULL, 0);
	metrics_declare(m, "auth_connections_closed_total", METRICS_COUNTER,
	                "Connections auth closed: a request not whole within "
	                "AUTH_REQUEST_TIMEOUT (late); near AUTH_MAX_CONNECTIONS, a newcomer "
	                "from the busiest address (refused) or that address's oldest (evicted).",
	                NULL, 0);
	metrics_declare(m, "auth_password_hashes_total", METRICS_COUNTER,
	                "argon2 hashes made (registration, reset, rehash).", NULL, 0);
}

static int open_database(struct app *app)
{
	struct db *db = NULL;
	int rc;

	if (!db_url_is_postgres(app->settings.database_url) &&
	    fs_dirs_make_parent(app->settings.database_path) != 0) {
		LOG_ERROR("app", "cannot create the database's directory path=%s error=\"%m\"",
		          app->settings.database_path);
		return -1;
	}
	db = db_open(app->settings.database_url, app->settings.database_path);
	rc = db ? db_migrate(db) : DB_ERROR;

	db_close(&db);
	if (rc != DB_OK && db_url_is_postgres(app->settings.database_url))
		LOG_ERROR("app", "database not usable (DATABASE_URL)");
	else if (rc != DB_OK)
		LOG_ERROR("app", "database not usable path=%s", app->settings.database_path);
	return rc == DB_OK ? 0 : -1;
}

int app_init(struct app *app, struct settings *settings)
{
	struct template_error terr;
	const char *why = NULL;
	char why_buf[4300], path[4200];

	memset(app, 0, sizeof(*app));
	app->settings = *settings;
	memset(settings, 0, sizeof(*settings));
	app->secret_len = strlen(app->settings.secret_key);
	app->cost.opslimit = (unsigned long long)app->settings.argon2_opslimit;
	app->cost.memlimit = (size_t)app->settings.argon2_memlimit_kib * 1024;
	if (pthread_key_create(&app->worker_key, worker_free) != 0)
		return -1;
	if (redis_url_parse(app->settings.redis_url, &app->redis_url, &why) != 0) {
		fprintf(stderr, "auth: REDIS_URL: %s\n", why);
		return -2;
	}
	if (proxy_trust_parse(app->settings.trusted_proxies, &app->proxies, why_buf,
	                      sizeof(why_buf)) != 0) {
		fprintf(stderr, "auth: AUTH_TRUSTED_PROXIES: %s\n", why_buf);
		return -2;
	}
	if (queue_keys_init(&app->keys, app->settings.queue_prefix) != 0) {
		fprintf(stderr, "auth: MAIL_QUEUE_PREFIX: only A-Z a-z 0-9 _ . : - allowed\n");
		return -2;
	}
	if (template_set_load(app->settings.templates_dir, &app->templates, &terr) != 0) {
		LOG_ERROR("app", "templates not loaded where=%s error=\"%s\"", terr.where,
		          terr.reason);
		return -1;
	}
	if (lang_texts_load(&app->texts, app->settings.locale_dir, why_buf, sizeof(why_buf)) != 0) {
		LOG_ERROR("app", "catalog not loaded (AUTH_LOCALE_DIR) error=\"%s\"", why_buf);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/common-passwords.lst", app->settings.templates_dir);
	if (common_passwords_load(&app->common_passwords, path, why_buf, sizeof(why_buf)) != 0) {
		LOG_ERROR("app", "common password list not loaded error=\"%s\"", why_buf);
		return -1;
	}
	LOG_INFO("app", "common password list loaded entries=%zu", app->common_passwords.n);
	app->metrics = metrics_new();
	if (!app->metrics || load_stylesheet(app) != 0)
		return -1;
	declare_metrics(app->metrics);
	/* below the thread count, so a thread is always free for cheap routes */
	app->hash_permits = (int)app->settings.hash_concurrency;
	if (app->hash_permits >= app->settings.threads && app->settings.threads > 1)
		app->hash_permits = (int)app->settings.threads - 1;
	app->hash_gate = hash_gate_new(app->hash_permits);
	if (!app->hash_gate)
		return -1;
	LOG_INFO("app", "argon2 at most %d at once threads=%lld trusted_proxies=%zu",
	         app->hash_permits, app->settings.threads, app->proxies.n);
	return open_database(app);
}

void app_release(struct app *app)
{
	struct worker *w = pthread_getspecific(app->worker_key);

	if (w) {
		worker_free(w);
		pthread_setspecific(app->worker_key, NULL);
	}
	pthread_key_delete(app->worker_key);
	hash_gate_free(&app->hash_gate);
	template_set_free(&app->templates);
	lang_texts_release(&app->texts);
	common_passwords_release(&app->common_passwords);
	metrics_free(&app->metrics);
	free(app->stylesheet);
	settings_release(&app->settings);
}
