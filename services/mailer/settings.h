/* settings: the mailer's configuration (Flask-Mail's names, SPEC's defaults,
 * and the mailer's own variables listed in services/mailer/README.md).
 * Ownership: settings_load() fills a struct that settings_release() frees. */
#ifndef MAILER_SETTINGS_H
#define MAILER_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "email_address.h"

struct settings {
	char *redis_url;
	char *queue_prefix;
	char *templates_dir;
	char *mail_server;
	long long mail_port;
	bool use_tls;
	bool use_ssl;
	char *username;
	char *password;
	char *default_sender;
	char *ca_file;
	bool suppress_send;
	char *outbox_dir;
	long long max_attempts;
	long long retry_base_ms;
	long long retry_max_ms;
	long long concurrency;
	char *listen;
	char *worker_id;
	long long connect_timeout_ms;
	long long timeout_ms;
	long long heartbeat_ttl;
	long long poll_ms;
	long long relay_probe_max_ms;
	struct email_address sender; /* parsed default_sender */
};

extern const struct config_var settings_table[];
extern const size_t settings_table_len;

/* Returns 0, or -1 with err naming the variable. */
int settings_load(struct settings *s, struct config_error *err);
void settings_release(struct settings *s);

#endif
