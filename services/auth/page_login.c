/* /login and /logout. */
#include <stdio.h>
#include <string.h>

#include "field_errors.h"
#include "logger.h"
#include "password.h"
#include "rate_limit.h"
#include "response.h"
#include "routes.h"
#include "session.h"
#include "user_store.h"

/* Only a local path may be a redirect target: "/x", never "//host" or "/\host". */
static const char *safe_next(const char *next)
{
	if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strlen(next) > 500 ||
	    strpbrk(next, "\r\n"))
		return "/";
	return next;
}

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
	if (next && strcmp(safe_next(next), "/") != 0)
		json_object_set_new(ctx, "next", json_string(next));
	ret = response_page(rq, status, "auth/login.html", "Sign In", ctx);
	json_decref(ctx);
	return ret;
}

/* Both limits, read before the password is checked. >0: minutes to wait. */
static long long login_blocked(struct request *rq, const char *username)
{
	const struct settings *s = &rq->app->settings;
	long long wait_user = 0, wait_ip = 0;
	int by_user = rate_limit_peek(rq->worker->redis, "login-user", username,
	                              s->login_limit_per_user, &wait_user);
	int by_ip = rate_limit_peek(rq->worker->redis, "login-ip", rq->client_ip,
	                            s->login_limit_per_ip, &wait_ip);

	app_note_redis(rq->app, rq->worker, by_user != RATE_LIMIT_UNAVAILABLE);
	if (by_user == RATE_LIMIT_OVER || by_ip == RATE_LIMIT_OVER) {
		long long wait = wait_user > wait_ip ? wait_user : wait_ip;

		metrics_add(rq->app->metrics, "auth_rate_limited_total", "limit=\"login\"", 1);
		return wait / 60 + 1;
	}
	return 0; /* under the limits, or Redis down: fail open */
}

static void count_failure(struct request *rq, const char *username)
{
	const struct settings *s = &rq->app->settings;
	long long ignored;

	rate_limit_hit(rq->worker->redis, "login-user", username, s->login_limit_per_user,
	               s->login_limit_window, &ignored);
	rate_limit_hit(rq->worker->redis, "login-ip", rq->client_ip, s->login_limit_per_ip,
	               s->login_limit_window, &ignored);
}

static void rehash_if_needed(struct request *rq, const struct db_user *user, const char *password)
{
	char hash[PASSWORD_HASH_LEN];

	if (!password_needs_rehash(&rq->app->cost, user->password_hash))
		return;
	if (password_hash(&rq->app->cost, password, strlen(password), hash) == 0 &&
	    user_store_set_password(rq->worker->db, user->id, user->password_hash, hash, NULL) ==
	        DB_OK)
		LOG_INFO("login", "password rehashed with the current cost user_id=%lld",
		         (long long)user->id);
}

static enum MHD_Result try_login(struct request *rq)
{
	const char *username = request_field(rq, "username");
	const char *password = request_field(rq, "password");
	json_t *errors = json_object();
	struct db_user user;
	long long minutes;
	char message[120];
	enum MHD_Result ret;
	int rc;

	field_errors_required(errors, "username", username);
	field_errors_required(errors, "password", password);
	if (json_object_size(errors)) {
		ret = show_form(rq, 200, errors, NULL);
		json_decref(errors);
		return ret;
	}
	json_decref(errors);
	minutes = login_blocked(rq, username);
	if (minutes > 0) {
		snprintf(message, sizeof(message),
		         "Too many failed attempts. Try again in %lld minute%s.", minutes,
		         minutes == 1 ? "" : "s");
		return show_form(rq, 429, NULL, message);
	}
	rc = user_store_by_username(rq->worker->db, username, &user);
	if (rc == DB_ERROR)
		return response_error(rq, 500, "Internal Server Error", "Please try again.");
	if (rc == DB_NOT_FOUND) {
		password_verify_dummy(&rq->app->cost, password, strlen(password));
	} else if (password_verify(user.password_hash, password, strlen(password))) {
		rehash_if_needed(rq, &user, password);
		if (session_login(rq, &user, request_field(rq, "remember_me")[0]) != 0)
			return response_error(rq, 500, "Internal Server Error",
			                      "Please try again.");
		LOG_INFO("login", "logged in user_id=%lld", (long long)user.id);
		return response_redirect(rq, safe_next(MHD_lookup_connection_value(
		                                 rq->conn, MHD_GET_ARGUMENT_KIND, "next")));
	}
	count_failure(rq, username);
	rq->flash_out = "Invalid username or password";
	return response_redirect(rq, "/login");
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
