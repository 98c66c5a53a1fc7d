#include "settings.h"

#include <string.h>

#include "db.h"
#include "str.h"

#define S(field) offsetof(struct settings, field)

#ifndef AUTH_LOCALE_DIR_DEFAULT
#define AUTH_LOCALE_DIR_DEFAULT "locale"
#endif

/* clang-format off */
const struct config_var settings_table[] = {
	{ "SECRET_KEY", CONFIG_STRING, NULL, true, true, 32, 4096, S(secret_key), "signs reset tokens, sessions and CSRF tokens (at least 32 bytes)" },
	{ "AUTH_LISTEN", CONFIG_LISTEN, "127.0.0.1:8080", false, false, 0, 300, S(listen), "address:port to serve HTTP on (port 0: any free port)" },
	{ "AUTH_METRICS_LISTEN", CONFIG_LISTEN, "127.0.0.1:9091", false, false, 0, 300, S(metrics_listen), "address:port of /metrics and /healthz for operators (never publish it)" },
	{ "PUBLIC_URL", CONFIG_STRING, "http://127.0.0.1:8080", false, false, 8, 500, S(public_url), "absolute base of links in emails" },
	{ "DATABASE_PATH", CONFIG_STRING, "var/app.db", false, false, 1, 4000, S(database_path), "the SQLite file (when DATABASE_URL is unset)" },
	{ "DATABASE_URL", CONFIG_STRING, NULL, false, true, 0, 4000, S(database_url), "postgresql://user:password@host:port/db?sslmode=...: PostgreSQL instead of SQLite" },
	{ "REDIS_URL", CONFIG_STRING, "redis://127.0.0.1:6379/0", false, true, 8, 1000, S(redis_url), "redis://[:password@]host:port/db, unix:///path or redis-sentinel://[:password@]h1:p1,h2:p2/db#master" },
	{ "RESET_TOKEN_TTL", CONFIG_INT, "600", false, false, 30, 604800, S(reset_token_ttl), "seconds a reset link stays valid" },
	{ "APP_NAME", CONFIG_STRING, "Microblog", false, false, 1, 100, S(app_name), "shown in pages and mail subjects" },
	{ "TEMPLATES_DIR", CONFIG_STRING, "templates", false, false, 1, 4000, S(templates_dir), "where the page and email templates live" },
	{ "MAIL_QUEUE_PREFIX", CONFIG_STRING, "mail", false, false, 1, 64, S(queue_prefix), "prefix of the Redis keys" },
	{ "AUTH_THREADS", CONFIG_INT, "4", false, false, 1, 64, S(threads), "HTTP worker threads" },
	{ "AUTH_CONNECTION_TIMEOUT", CONFIG_INT, "15", false, false, 1, 3600, S(connection_timeout), "seconds before an idle or slow connection is closed" },
	{ "AUTH_PER_IP_CONNECTIONS", CONFIG_INT, "32", false, false, 1, 10000, S(per_ip_connections), "connections one peer address may hold (trusted proxies exempt)" },
	{ "AUTH_ARGON2_OPSLIMIT", CONFIG_INT, "2", false, false, 1, 10, S(argon2_opslimit), "argon2id passes (OWASP: 2)" },
	{ "AUTH_ARGON2_MEMLIMIT_KIB", CONFIG_INT, "19456", false, false, 8, 4194304, S(argon2_memlimit_kib), "argon2id memory in KiB (OWASP: 19456 = 19 MiB)" },
	{ "AUTH_RESET_LIMIT_PER_EMAIL", CONFIG_INT, "3", false, false, 1, 100000, S(reset_limit_per_email), "reset mails per address per hour" },
	{ "AUTH_RESET_LIMIT_PER_IP", CONFIG_INT, "20", false, false, 1, 100000, S(reset_limit_per_ip), "reset requests per client address per hour" },
	{ "AUTH_LOGIN_LIMIT_PER_USER", CONFIG_INT, "10", false, false, 1, 100000, S(login_limit_per_user), "failed logins per username per window" },
	{ "AUTH_LOGIN_LIMIT_PER_IP", CONFIG_INT, "50", false, false, 1, 100000, S(login_limit_per_ip), "failed logins per client address per window" },
	{ "AUTH_LOGIN_LIMIT_WINDOW", CONFIG_INT, "900", false, false, 10, 86400, S(login_limit_window), "seconds of the failed-login window" },
	{ "AUTH_SESSION_DAYS", CONFIG_INT, "30", false, false, 1, 365, S(session_days), "days a \"remember me\" session lasts" },
	{ "AUTH_REDIS_TIMEOUT_MS", CONFIG_INT, "1000", false, false, 50, 60000, S(redis_timeout_ms), "Redis connect and command timeout" },
	{ "AUTH_REDIS_WAIT_MS", CONFIG_INT, "200", false, false, 0, 59000, S(redis_wait_ms), "with redis-sentinel://: how long to WAIT for a replica to have a queued job (0: never)" },
	{ "AUTH_TRUSTED_PROXIES", CONFIG_STRING, "", false, false, 0, 4000, S(trusted_proxies), "comma-separated addresses or CIDR blocks of reverse proxies whose X-Forwarded-For is believed" },
	{ "AUTH_REGISTER_LIMIT_PER_IP", CONFIG_INT, "10", false, false, 1, 100000, S(register_limit_per_ip), "registrations per client address per hour" },
	{ "AUTH_HASH_CONCURRENCY", CONFIG_INT, "2", false, false, 1, 64, S(hash_concurrency), "argon2 computations at once (kept below AUTH_THREADS); others wait without holding a thread" },
	{ "AUTH_REQUEST_TIMEOUT", CONFIG_INT, "10", false, false, 1, 3600, S(request_timeout), "seconds a whole request (headers and body) may take to arrive" },
	{ "AUTH_LOCALE_DIR", CONFIG_STRING, AUTH_LOCALE_DIR_DEFAULT, false, false, 1, 4000, S(locale_dir), "where the compiled catalogs are: <dir>/zh_CN/LC_MESSAGES/auth.mo (msgfmt output of templates/locale/zh_CN.po)" },
	{ "AUTH_REQUIRE_CONFIRMATION", CONFIG_BOOL, "false", false, false, 0, 0, S(require_confirmation), "true: a new account must follow a link mailed to it before it can log in, and the registration form tells no one which addresses have an account" },
	{ "AUTH_CONFIRM_TTL", CONFIG_INT, "86400", false, false, 60, 2592000, S(confirm_ttl), "seconds an address confirmation link stays valid" },
	{ "AUTH_MAX_CONNECTIONS", CONFIG_INT, "1000", false, false, 16, 100000, S(max_connections), "connections held at once; near it, the address holding most loses its oldest" },
};
/* clang-format on */

const size_t settings_table_len = sizeof(settings_table) / sizeof(settings_table[0]);

/* .env.example's SECRET_KEY, and any key copied from it half-edited, holds
 * "change-me": a value published with the source is no secret. */
static bool secret_is_placeholder(const char *key)
{
	return strcasestr(key, "change-me") != NULL;
}

/* The rules that span variables or go beyond a variable's bounds: NULL when
 * they hold, else the variable at fault with *reason set. */
static const char *cross_check(const struct settings *s, const char **reason)
{
	if (secret_is_placeholder(s->secret_key)) {
		*reason = "is the example value (contains \"change-me\"): set a random one, "
		          "e.g. openssl rand -base64 48";
		return "SECRET_KEY";
	}
	if (strncmp(s->public_url, "http://", 7) != 0 &&
	    strncmp(s->public_url, "https://", 8) != 0) {
		*reason = "must start with http:// or https://";
		return "PUBLIC_URL";
	}
	if (s->database_url && s->database_url[0] && !db_url_is_postgres(s->database_url)) {
		*reason = "must start with postgresql:// or postgres://";
		return "DATABASE_URL";
	}
	if (s->redis_wait_ms >= s->redis_timeout_ms) {
		*reason = "must be below AUTH_REDIS_TIMEOUT_MS (a blocked WAIT would end the link)";
		return "AUTH_REDIS_WAIT_MS";
	}
	return NULL;
}

int settings_load(struct settings *s, struct config_error *err)
{
	const char *reason = NULL;

	memset(s, 0, sizeof(*s));
	if (config_load(settings_table, settings_table_len, s, err) != 0)
		return -1;
	err->name = cross_check(s, &reason);
	if (err->name) {
		text_copy(err->reason, sizeof(err->reason), reason);
		settings_release(s);
		return -1;
	}
	/* links are built as PUBLIC_URL + "/path" */
	for (size_t n = strlen(s->public_url); n > 8 && s->public_url[n - 1] == '/'; n--)
		s->public_url[n - 1] = '\0';
	return 0;
}

void settings_release(struct settings *s)
{
	config_release(settings_table, settings_table_len, s);
}

bool settings_https(const struct settings *s)
{
	return strncmp(s->public_url, "https://", 8) == 0;
}
