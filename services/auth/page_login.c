/* /login and /logout. */
#include <stdio.h>
#include <string.h>

#include "field_errors.h"
#include "local_path.h"
#include "logger.h"
#include "login_limit.h"
#include "page_gate.h"
#include "password.h"
#include "response.h"
#include "routes.h"
#include "session.h"
#include "str.h"
#include "user_store.h"

#define UNCONFIRMED_MESSAGE                                                                        \
	"Your email address is not confirmed yet. Follow the link in the message we sent you, or " \
	"ask for a new one."
#define BAD_CREDENTIALS_FLASH "Invalid username or password"
#define LOGGED_OUT_FLASH      "You have been logged out."

/* form_error: the error box of the whole form (bad credentials, too many
 * attempts, an address not confirmed); the username and "Remember Me" are
 * kept, and the focus goes to the password, the field to type again.
 * offer_resend: the link to a new confirmation link under the box. */
static enum MHD_Result show_form(struct request *rq, unsigned status, json_t *errors,
                                 const char *form_error, bool offer_resend)
{
	json_t *ctx = json_object();
	const char *next = MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, "next");
	enum MHD_Result ret;

	json_object_set_new(ctx, "form_username", json_string(request_field(rq, "username")));
	json_object_set_new(ctx, "remember_me", json_boolean(request_field(rq, "remember_me")[0]));
	json_object_set(ctx, "errors", errors);
	if (form_error) {
		json_object_set_new(ctx, "form_error", json_string(form_error));
		json_object_set_new(
		    ctx, "focus",
		    json_pack("{sb}", request_field(rq, "username")[0] ? "password" : "username",
		              1));
	}
	if (offer_resend)
		json_object_set_new(ctx, "confirm_needed", json_true());
	if (next && strcmp(local_path_or_root(next), "/") != 0)
		json_object_set_new(ctx, "next", json_string(next));
	ret = response_page(rq, status, "auth/login.html", "Sign In", ctx);
	json_decref(ctx);
	return ret;
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
	char message[300];

	login_limit_message(rq, minutes, message, sizeof(message));
	return show_form(rq, 429, NULL, message, false);
}

static enum MHD_Result try_login(struct request *rq)
{
	const char *username, *password = request_field(rq, "password");
	json_t *errors = json_object();
	struct db_user user;
	enum login_outcome outcome;
	enum MHD_Result ret;
	long long minutes;

	form_trim(&rq->form, "username"); /* "Bob " from a phone finds bob */
	username = request_field(rq, "username");
	field_errors_required(errors, "username", username);
	field_errors_required(errors, "password", password);
	if (json_object_size(errors)) {
		ret = show_form(rq, 200, errors, NULL, false);
		json_decref(errors);
		return ret;
	}
	json_decref(errors);
	minutes = login_limit_take(rq, username); /* once: a request resumed comes back here */
	if (minutes > 0)
		return too_many(rq, minutes);
	if (!page_gate_enter_or_reply(rq, &ret)) {
		if (!hash_gate_waiting(rq->hash_state))
			login_limit_give_back(rq, username); /* a 503 never counts */
		return ret;
	}
	outcome = check_password(rq, username, password, &user);
	hash_gate_leave(rq->app->hash_gate);
	if (outcome == LOGIN_ERROR)
		return response_error(rq, 500, "Internal Server Error", "Please try again.");
	if (outcome == LOGIN_FAILED) {
		LOG_INFO("login", "login failed client=%s", rq->client_ip);
		return show_form(rq, 200, NULL, BAD_CREDENTIALS_FLASH, false);
	}
	login_limit_give_back(rq, username);
	if (rq->app->settings.require_confirmation && !user.confirmed) {
		/* only with the right password: a wrong one reads as any other */
		LOG_INFO("login", "address not confirmed user_id=%lld client=%s",
		         (long long)user.id, rq->client_ip);
		return show_form(rq, 200, NULL, UNCONFIRMED_MESSAGE, true);
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
	return show_form(rq, 200, NULL, NULL, false);
}

/* GET: a page with the button (the nav's button needs no page, but a typed
 * or bookmarked /logout should find one); POST: ends the session. */
enum MHD_Result page_logout(struct request *rq, const char *rest)
{
	char text[400];
	json_t *ctx;
	enum MHD_Result ret;

	(void)rest;
	if (rq->method == METHOD_POST) {
		if (rq->logged_in) {
			session_logout(rq);
			rq->flash_out = LOGGED_OUT_FLASH;
		}
		return response_redirect(rq, "/");
	}
	if (!rq->logged_in)
		return response_redirect(rq, "/login");
	ctx = json_object();
	lang_fill(request_text(rq, "You are signed in as {username}."), "{username}",
	          rq->user.username, text, sizeof(text));
	json_object_set_new(ctx, "signed_in_as", json_string(text));
	ret = response_page(rq, 200, "auth/logout.html", "Log Out", ctx);
	json_decref(ctx);
	return ret;
}
