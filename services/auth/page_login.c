/* /login and /logout. */
#include <stdio.h>
#include <string.h>

#include "field_errors.h"
#include "local_path.h"
#include "logger.h"
#include "page_gate.h"
#include "password.h"
#include "rate_limit.h"
#include "response.h"
#include "routes.h"
#include "session.h"
#include "str.h"
#include "user_store.h"

#define UNCONFIRMED_MESSAGE                                                                        \
	"Your email address is not confirmed yet. Follow the link in the message we sent you, or " \
	"ask for a new one."

static enum MHD_Result show_form(struct request *rq, unsigned status, json_t *errors,
                                 const char *message)
{
	json_t *ctx = json_object();
	const char *next = MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, "next");
	enum MHD_Result ret;

	json_object_set_new(ctx, "form_username", json_string(request_field(rq, "username")));
	json_object_set_new(ctx, "remember_me", json_boolean(request_field(rq, "remember_me")[0]));
	json_object_set(ctx, "errors", errors);
	if (message)
		json_object_set_new(ctx, "message", json_string(message));
	if (message && strcmp(message, UNCONFIRMED_MESSAGE) == 0)
		json_object_set_new(ctx, "confirm_needed", json_true());
	if (next && strcmp(local_path_or_root(next), "/") != 0)
		json_object_set_new(ctx, "next", json_string(next));
	ret = response_page(rq, status, "auth/login.html", "Sign In", ctx);
	json_decref(ctx);
	return ret;
}

static void login_limits(struct request *rq, const char *username, struct rate_limit out[2])
{
	const struct settings *s = &rq->app->settings;

	out[0] = (struct rate_limit){ "login-user", username, s->login_limit_per_user };
	out[1] = (struct rate_limit){ "login-ip", rq->client_ip, s->login_limit_per_ip };
}

/* Takes one attempt from both limits, atomically, before the password is
 * checked: of any number of concurrent guesses, exactly the limit's count get
 * checked. Returns 0 to go on, or the minutes to wait. */
static long long take_attempt(struct request *rq, const char *username)
{
	struct rate_limit limits[2];
	long long wait = 0;
	int rc;

	login_limits(rq, username, limits);
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

/* A successful login gives its attempt back: only failures count. */
static void give_back_attempt(struct request *rq, const char *username)
{
	struct rate_limit limits[2];

	if (!rq->limit_taken)
		return;
	login_limits(rq, username, limits);
	rate_limit_give_back(rq->worker->redis, limits, 2);
	rq->limit_taken = false;
}

static void rehash_if_needed(struct request *rq, const struct db_user *user, const char *password)
{
	char hash[PASSWORD_HASH_LEN];

	if (!password_needs_rehash(&rq->app->cost, user->password_hash))
		return;
	metrics_add(rq->app->metrics, "auth_password_hashes_total", "", 1);
	if (password_hash(&rq->app->cost, password, strlen(password), hash) == 0 &&
	    user_store_set_password(rq->worker->db, user->id, user->password_hash, hash, NULL) ==
	        DB_OK)
		LOG_INFO("login", "password rehashed with the current cost user_id=%lld",
		         (long long)user->id);
}

enum login_outcome { LOGIN_OK, LOGIN_FAILED, LOGIN_ERROR };

/* The argon2 part, run holding a hash gate permit. */
static enum login_outcome check_password(struct request *rq, const char *username,
                                         const char *password, struct db_user *user)
{
	int rc = user_store_by_username(rq->worker->db, username, user);

	if (rc == DB_ERROR)
		return LOGIN_ERROR;
	metrics_add(rq->app->metrics, "auth_password_checks_total", "", 1);
	if (rc == DB_NOT_FOUND) {
		password_verify_dummy(&rq->app->cost, password, strlen(password));
		return LOGIN_FAILED;
	}
	if (!password_verify(user->password_hash, password, strlen(password)))
		return LOGIN_FAILED;
	rehash_if_needed(rq, user, password);
	return LOGIN_OK;
}

static enum MHD_Result too_many(struct request *rq, long long minutes)
{
	char message[300], count[24];

	snprintf(count, sizeof(count), "%lld", minutes);
	lang_fill(request_text(rq, minutes == 1
	                               ? "Too many failed attempts. Try again in 1 minute."
	                               : "Too many failed attempts. Try again in {minutes} "
	                                 "minutes."),
	          "{minutes}", count, message, sizeof(message));
	return show_form(rq, 429, NULL, message);
}

static enum MHD_Result try_login(struct request *rq)
{
	const char *username = request_field(rq, "username");
	const char *password = request_field(rq, "password");
	json_t *errors = json_object();
	struct db_user user;
	enum login_outcome outcome;
	enum MHD_Result ret;
	long long minutes;

	field_errors_required(errors, "username", username);
	field_errors_required(errors, "password", password);
	if (json_object_size(errors)) {
		ret = show_form(rq, 200, errors, NULL);
		json_decref(errors);
		return ret;
	}
	json_decref(errors);
	if (!rq->limit_checked) { /* once: a request waiting at the gate comes back here */
		rq->limit_checked = true;
		minutes = take_attempt(rq, username);
		if (minutes > 0)
			return too_many(rq, minutes);
	}
	if (!page_gate_enter_or_reply(rq, &ret)) {
		if (!hash_gate_waiting(rq->hash_state))
			give_back_attempt(rq, username); /* a 503 never counts */
		return ret;
	}
	outcome = check_password(rq, username, password, &user);
	hash_gate_leave(rq->app->hash_gate);
	if (outcome == LOGIN_ERROR)
		return response_error(rq, 500, "Internal Server Error", "Please try again.");
	if (outcome == LOGIN_FAILED) {
		LOG_INFO("login", "login failed client=%s", rq->client_ip);
		rq->flash_out = "Invalid username or password";
		return response_redirect(rq, "/login");
	}
	give_back_attempt(rq, username);
	if (rq->app->settings.require_confirmation && !user.confirmed) {
		/* only with the right password: a wrong one reads as any other */
		LOG_INFO("login", "address not confirmed user_id=%lld client=%s",
		         (long long)user.id, rq->client_ip);
		return show_form(rq, 200, NULL, UNCONFIRMED_MESSAGE);
	}
	if (!user.lang[0] &&
	    user_store_set_lang(rq->worker->db, user.id, lang_tag(rq->lang)) == DB_OK)
		text_copy(user.lang, sizeof(user.lang), lang_tag(rq->lang)); /* an older account */
	if (session_login(rq, &user, request_field(rq, "remember_me")[0]) != 0)
		return response_error(rq, 500, "Internal Server Error", "Please try again.");
	LOG_INFO("login", "logged in user_id=%lld client=%s", (long long)user.id, rq->client_ip);
	return response_redirect(rq, local_path_or_root(MHD_lookup_connection_value(
	                                 rq->conn, MHD_GET_ARGUMENT_KIND, "next")));
}

enum MHD_Result page_login(struct request *rq, const char *rest)
{
	(void)rest;
	if (rq->logged_in)
		return response_redirect(rq, "/");
	if (rq->method == METHOD_POST)
		return try_login(rq);
	return show_form(rq, 200, NULL, NULL);
}

enum MHD_Result page_logout(struct request *rq, const char *rest)
{
	(void)rest;
	if (rq->logged_in)
		session_logout(rq);
	return response_redirect(rq, "/");
}
