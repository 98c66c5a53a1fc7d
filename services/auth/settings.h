/* settings: auth's configuration, read once from the environment (SPEC's
 * variables plus auth's own, listed in services/auth/README.md).
 * Ownership: settings_load() fills a struct that settings_release() frees. */
#ifndef AUTH_SETTINGS_H
#define AUTH_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct settings {
	char *secret_key;
	char *listen;
	char *metrics_listen;
	char *public_url;
	char *database_path;
	char *database_url;
	char *redis_url;
	long long reset_token_ttl;
	char *app_name;
	char *templates_dir;
	char *queue_prefix;
	long long threads;
	long long connection_timeout;
	long long per_ip_connections;
	long long argon2_opslimit;
	long long argon2_memlimit_kib;
	long long reset_limit_per_email;
	long long reset_limit_per_ip;
	long long login_limit_per_user;
	long long login_limit_per_ip;
	long long login_limit_window;
	long long session_days;
	long long redis_timeout_ms;
	long long redis_wait_ms;
	char *trusted_proxies;
	long long register_limit_per_ip;
	long long hash_concurrency;
	long long request_timeout;
	long long max_connections;
	char *locale_dir;
	bool require_confirmation;
	long long confirm_ttl;
};

extern const struct config_var settings_table[];
extern const size_t settings_table_len;

/* Returns 0, or -1 with err naming the variable. */
int settings_load(struct settings *s, struct config_error *err);
void settings_release(struct settings *s);

/* True when PUBLIC_URL is https (cookies get Secure). */
bool settings_https(const struct settings *s);

#endif
