#include "login_limit.h"

#include <stdio.h>

#include "logger.h"
#include "rate_limit.h"

void login_limit_key(const char *username, char out[LOGIN_LIMIT_KEY_MAX])
{
	size_t i = 0;

	for (; username[i] && i < LOGIN_LIMIT_KEY_MAX - 1; i++) {
		char c = username[i];

		out[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	out[i] = '\0';
}

static void limits_for(const struct request *rq, const char *key, struct rate_limit out[2])
{
	const struct settings *s = &rq->app->settings;

	out[0] = (struct rate_limit){ "login-user", key, s->login_limit_per_user };
	out[1] = (struct rate_limit){ "login-ip", rq->client_ip, s->login_limit_per_ip };
}

long long login_limit_take(struct request *rq, const char *username)
{
	struct rate_limit limits[2];
	char key[LOGIN_LIMIT_KEY_MAX];
	long long wait = 0;
	int rc;

	if (rq->limit_checked)
		return 0;
	rq->limit_checked = true;
	login_limit_key(username, key);
	limits_for(rq, key, limits);
	rc = rate_limit_take(rq->worker->redis, limits, 2, rq->app->settings.login_limit_window,
	                     &wait);
	app_note_redis(rq->app, rq->worker, rc != RATE_LIMIT_UNAVAILABLE);
	if (rc == RATE_LIMIT_OVER) {
		metrics_add(rq->app->metrics, "auth_rate_limited_total", "limit=\"login\"", 1);
		LOG_INFO("login", "login limit reached client=%s", rq->client_ip);
		return wait / 60 + 1;
	}
	rq->limit_taken = rc == RATE_LIMIT_OK; /* Redis down: fail open, nothing taken */
	return 0;
}

void login_limit_give_back(struct request *rq, const char *username)
{
	struct rate_limit limits[2];
	char key[LOGIN_LIMIT_KEY_MAX];

	if (!rq->limit_taken)
		return;
	login_limit_key(username, key);
	limits_for(rq, key, limits);
	rate_limit_give_back(rq->worker->redis, limits, 2);
	rq->limit_taken = false;
}

void login_limit_message(const struct request *rq, long long minutes, char *out, size_t n)
{
	char count[24];

	snprintf(count, sizeof(count), "%lld", minutes);
	lang_fill(request_text(rq, minutes == 1
	                               ? "Too many failed attempts. Try again in 1 minute."
	                               : "Too many failed attempts. Try again in {minutes} "
	                                 "minutes."),
	          "{minutes}", count, out, n);
}
