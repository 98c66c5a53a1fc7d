#include "session.h"

#include <stdio.h>
#include <string.h>

#include "logger.h"
#include "now.h"
#include "request.h"
#include "session_store.h"
#include "signing.h"
#include "user_store.h"

#define ANONYMOUS_SESSION_SECONDS (24 * 3600) /* a login without "remember me" */

static bool token_well_formed(const char *t)
{
	if (strlen(t) != SIGNING_TOKEN_LEN)
		return false;
	for (const char *p = t; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return false;
	return true;
}

static void set_csrf(struct request *rq)
{
	signing_mac(rq->app->settings.secret_key, rq->app->secret_len, "csrf", rq->session_token,
	            SIGNING_TOKEN_LEN, rq->csrf_token);
}

static void send_cookie(struct request *rq, long long max_age)
{
	char cookie[256], age[48] = "";

	if (max_age > 0)
		snprintf(age, sizeof(age), "; Max-Age=%lld", max_age);
	snprintf(cookie, sizeof(cookie), "session=%s; Path=/; HttpOnly; SameSite=Lax%s%s",
	         rq->session_token, settings_https(&rq->app->settings) ? "; Secure" : "", age);
	request_add_cookie(rq, cookie);
}

static void new_token(struct request *rq, long long max_age)
{
	signing_token_new(rq->session_token);
	rq->session_is_new = true;
	set_csrf(rq);
	send_cookie(rq, max_age);
}

int session_load(struct request *rq)
{
	const char *cookie = MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, "session");
	unsigned char hash[32];
	int64_t user_id;
	int rc;

	if (!cookie || !token_well_formed(cookie)) {
		new_token(rq, 0);
		return 0;
	}
	memcpy(rq->session_token, cookie, SIGNING_TOKEN_LEN + 1);
	set_csrf(rq);
	signing_sha256(rq->session_token, SIGNING_TOKEN_LEN, hash);
	rc = session_store_user(rq->worker->db, hash, now_s(), &user_id);
	if (rc == DB_OK)
		rc = user_store_by_id(rq->worker->db, user_id, &rq->user);
	/* a session from while confirmation was off counts only once confirmed */
	if (rc == DB_OK && (rq->user.confirmed || !rq->app->settings.require_confirmation))
		rq->logged_in = true;
	return rc == DB_ERROR ? -1 : 0;
}

int session_login(struct request *rq, const struct db_user *user, bool remember)
{
	long long days = rq->app->settings.session_days;
	long long lifetime = remember ? days * 86400 : ANONYMOUS_SESSION_SECONDS;
	unsigned char hash[32];

	/* a new token at login: a token planted before it is worth nothing after */
	new_token(rq, remember ? lifetime : 0);
	signing_sha256(rq->session_token, SIGNING_TOKEN_LEN, hash);
	if (session_store_create(rq->worker->db, hash, user->id, now_s() + lifetime) != DB_OK)
		return -1;
	rq->user = *user;
	rq->logged_in = true;
	return 0;
}

void session_logout(struct request *rq)
{
	unsigned char hash[32];

	signing_sha256(rq->session_token, SIGNING_TOKEN_LEN, hash);
	if (session_store_delete(rq->worker->db, hash) != DB_OK)
		LOG_ERROR("session", "logout could not delete the session user_id=%lld",
		          (long long)rq->user.id);
	rq->logged_in = false;
	new_token(rq, 0);
}

bool session_csrf_ok(const struct request *rq)
{
	const char *given = form_get(&rq->form, "csrf_token");

	if (rq->session_is_new || !given)
		return false;
	return strlen(given) == SIGNING_MAC_LEN &&
	       signing_mac_ok(rq->app->settings.secret_key, rq->app->secret_len, "csrf",
	                      rq->session_token, SIGNING_TOKEN_LEN, given, SIGNING_MAC_LEN);
}
