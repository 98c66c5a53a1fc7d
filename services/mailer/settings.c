#include "settings.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "str.h"

#define S(field) offsetof(struct settings, field)

/* clang-format off */
const struct config_var settings_table[] = {
	{ "REDIS_URL", CONFIG_STRING, "redis://127.0.0.1:6379/0", false, true, 8, 1000, S(redis_url), "redis://[:password@]host:port/db, unix:///path or redis-sentinel://[:password@]h1:p1,h2:p2/db#master" },
	{ "MAIL_QUEUE_PREFIX", CONFIG_STRING, "mail", false, false, 1, 64, S(queue_prefix), "prefix of the Redis keys" },
	{ "TEMPLATES_DIR", CONFIG_STRING, "templates", false, false, 1, 4000, S(templates_dir), "where email/<name>.txt and .html live" },
	{ "MAIL_SERVER", CONFIG_STRING, "127.0.0.1", false, false, 1, 253, S(mail_server), "SMTP host" },
	{ "MAIL_PORT", CONFIG_INT, "25", false, false, 1, 65535, S(mail_port), "SMTP port" },
	{ "MAIL_USE_TLS", CONFIG_BOOL, "false", false, false, 0, 0, S(use_tls), "STARTTLS, required when true" },
	{ "MAIL_USE_SSL", CONFIG_BOOL, "false", false, false, 0, 0, S(use_ssl), "implicit TLS (SMTPS, e.g. port 465)" },
	{ "MAIL_USERNAME", CONFIG_STRING, NULL, false, false, 0, 256, S(username), "SMTP AUTH user" },
	{ "MAIL_PASSWORD", CONFIG_STRING, NULL, false, true, 0, 256, S(password), "SMTP AUTH password" },
	{ "MAIL_DEFAULT_SENDER", CONFIG_STRING, NULL, false, false, 3, 460, S(default_sender), "From when a job names none (default: MAIL_USERNAME)" },
	{ "MAIL_CA_FILE", CONFIG_STRING, NULL, false, false, 1, 4000, S(ca_file), "extra CA bundle for the SMTP server's certificate" },
	{ "MAIL_SUPPRESS_SEND", CONFIG_BOOL, "false", false, false, 0, 0, S(suppress_send), "render and log, but send nothing" },
	{ "MAIL_OUTBOX_DIR", CONFIG_STRING, NULL, false, false, 1, 4000, S(outbox_dir), "write each message there as <id>.eml and a readable <id>.txt instead of SMTP" },
	{ "MAIL_MAX_ATTEMPTS", CONFIG_INT, "10", false, false, 1, 1000, S(max_attempts), "attempts before a job is dead-lettered" },
	{ "MAIL_RETRY_BASE_MS", CONFIG_INT, "2000", false, false, 1, 86400000, S(retry_base_ms), "delay before the first retry; doubles, with full jitter" },
	{ "MAIL_RETRY_MAX_MS", CONFIG_INT, "3600000", false, false, 1, 604800000, S(retry_max_ms), "the longest single delay" },
	{ "MAILER_CONCURRENCY", CONFIG_INT, "4", false, false, 1, 64, S(concurrency), "SMTP deliveries in flight at once" },
	{ "MAILER_LISTEN", CONFIG_LISTEN, "127.0.0.1:9090", false, false, 0, 300, S(listen), "where /healthz and /metrics are served" },
	{ "MAILER_WORKER_ID", CONFIG_STRING, NULL, false, false, 1, 64, S(worker_id), "this mailer's name in Redis keys (default: host-pid)" },
	{ "MAIL_CONNECT_TIMEOUT_MS", CONFIG_INT, "10000", false, false, 100, 600000, S(connect_timeout_ms), "SMTP connect, greeting, STARTTLS and AUTH" },
	{ "MAIL_TIMEOUT_MS", CONFIG_INT, "60000", false, false, 100, 3600000, S(timeout_ms), "one whole SMTP transaction" },
	{ "MAILER_HEARTBEAT_TTL", CONFIG_INT, "15", false, false, 2, 3600, S(heartbeat_ttl), "seconds without a heartbeat before a worker's jobs go back to the queue" },
	{ "MAIL_RELAY_PROBE_MAX_MS", CONFIG_INT, "60000", false, false, 1000, 3600000, S(relay_probe_max_ms), "the longest pause between probes of a relay that is down" },
	{ "MAILER_POLL_MS", CONFIG_INT, "250", false, false, 10, 60000, S(poll_ms), "how often due retries are moved back to the queue" },
};
/* clang-format on */

const size_t settings_table_len = sizeof(settings_table) / sizeof(settings_table[0]);

static int fail(struct settings *s, struct config_error *err, const char *name, const char *why)
{
	err->name = name;
	snprintf(err->reason, sizeof(err->reason), "%s", why);
	settings_release(s);
	return -1;
}

static bool id_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

static bool worker_id_ok(const char *id)
{
	for (; *id; id++)
		if (!id_char_ok(*id))
			return false;
	return true;
}

static int default_worker_id(struct settings *s)
{
	char host[64] = "mailer", id[96];

	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	for (char *p = host; *p; p++)
		if (!id_char_ok(*p))
			*p = '-';
	snprintf(id, sizeof(id), "%.40s-%d", host, (int)getpid());
	s->worker_id = text_dup(id);
	return s->worker_id ? 0 : -1;
}

int settings_load(struct settings *s, struct config_error *err)
{
	const char *sender, *why = NULL;

	memset(s, 0, sizeof(*s));
	if (config_load(settings_table, settings_table_len, s, err) != 0)
		return -1;
	sender = s->default_sender ? s->default_sender : s->username;
	if (!sender)
		return fail(s, err, "MAIL_DEFAULT_SENDER",
		            "required when MAIL_USERNAME is not set");
	if (email_address_parse(sender, strlen(sender), true, &s->sender, &why) != 0)
		return fail(s, err, s->default_sender ? "MAIL_DEFAULT_SENDER" : "MAIL_USERNAME",
		            why);
	if (s->use_tls && s->use_ssl)
		return fail(s, err, "MAIL_USE_TLS", "cannot be combined with MAIL_USE_SSL");
	if (s->retry_max_ms < s->retry_base_ms)
		return fail(s, err, "MAIL_RETRY_MAX_MS", "must not be below MAIL_RETRY_BASE_MS");
	if (s->worker_id && !worker_id_ok(s->worker_id))
		return fail(s, err, "MAILER_WORKER_ID", "may only contain A-Z a-z 0-9 - _ .");
	if (!s->worker_id && default_worker_id(s) != 0)
		return fail(s, err, "MAILER_WORKER_ID", "out of memory");
	return 0;
}

void settings_release(struct settings *s)
{
	config_release(settings_table, settings_table_len, s);
}
