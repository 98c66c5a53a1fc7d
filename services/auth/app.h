/* app: the application context that travels as the daemon closure — settings,
 * templates, metrics, static assets, and each worker thread's own SQLite and
 * Redis connections (never shared between threads).
 * Ownership: app_init() fills a struct app that app_release() empties. */
#ifndef AUTH_APP_H
#define AUTH_APP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "common_passwords.h"
#include "hash_gate.h"
#include "lang.h"

#include "db.h"
#include "metrics.h"
#include "password.h"
#include "proxy_trust.h"
#include "queue_keys.h"
#include "redis_link.h"
#include "redis_url.h"
#include "settings.h"
#include "template.h"

struct app {
	struct settings settings;
	size_t secret_len;
	struct password_cost cost;
	struct template_set *templates;
	struct lang_texts texts;                  /* zh-CN from AUTH_LOCALE_DIR */
	struct common_passwords common_passwords; /* <TEMPLATES_DIR>/common-passwords.lst */
	struct metrics *metrics;
	struct redis_url redis_url;
	struct queue_keys keys;
	char *stylesheet;
	size_t stylesheet_len;
	pthread_key_t worker_key;
	struct proxy_trust proxies;  /* AUTH_TRUSTED_PROXIES */
	struct hash_gate *hash_gate; /* argon2 work, at most hash_permits at once */
	int hash_permits;
	atomic_bool redis_outage_logged; /* one log line per outage */
};

/* One per thread, created on the thread's first request. */
struct worker {
	struct db *db;
	struct redis_link *redis;
};

/* Loads templates, opens and migrates the database, declares metrics.
 * Returns 0, or -1 after logging what failed. settings are moved in. */
int app_init(struct app *app, struct settings *settings);
void app_release(struct app *app);

/* This thread's worker; NULL when its database cannot be opened (logged). */
struct worker *app_worker(struct app *app);

/* Logs a Redis outage once, and its end once. */
void app_note_redis(struct app *app, struct worker *w, bool ok);

#endif
