/* /reset_password_request and /reset_password/<token>. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confirm_mail.h"
#include "field_errors.h"
#include "flash.h"
#include "logger.h"
#include "mail_enqueue.h"
#include "now.h"
#include "page_gate.h"
#include "password.h"
#include "rate_limit.h"
#include "reset_token.h"
#include "response.h"
#include "routes.h"
#include "session_store.h"
#include "signing.h"
#include "str.h"
#include "user_store.h"

#define CHECK_EMAIL_FLASH  "Check your email for the instructions to reset your password"
#define INVALID_LINK_FLASH "The password reset link is invalid or has expired."
#define SIGNED_IN_FLASH \
	"You are signed in as {username}. Log out first to use the password reset link."
#define UNAVAILABLE_TEXT "We cannot take reset requests right now. Please try again in a moment."

static enum MHD_Result show_request_form(struct request *rq, unsigned status, json_t *errors,
                                         const char *form_error)
{
	return response_email_form(rq, status, "auth/reset_password_request.html", "Reset Password",
	                           errors, form_error);
}

/* Redis is down: the form again, the address kept, for every address alike. */
static enum MHD_Result unavailable(struct request *rq)
{
	return show_request_form(rq, 503, NULL, UNAVAILABLE_TEXT);
}

/* The reset_password job for user, serialised; free() it. NULL: out of memory. */
static char *reset_job(struct request *rq, const struct db_user *user, char id[96])
{
	struct app *app = rq->app;
	int64_t expires = now_s() + app->settings.reset_token_ttl;
	char fp[RESET_FP_LEN + 1], url[RESET_TOKEN_MAX + 600];
	char *token, *job;

	reset_token_fingerprint(app->settings.secret_key, app->secret_len, user->password_hash, fp);
	token = reset_token_mint(app->settings.secret_key, app->secret_len, user->id, fp, expires);
	if (!token)
		return NULL;
	snprintf(url, sizeof(url), "%s/reset_password/%s", app->settings.public_url, token);
	free(token);
	/* the account's language; a stand-in's is the page's */
	job = mail_enqueue_reset_job(app, user, url, expires, lang_or(user->lang, rq->lang), id);
	return job;
}

/* Known and unknown addresses do the same work in the same order — one
 * SQLite lookup, one job built, one Redis script that counts the limits and
 * pushes the job or holds it back, and with AUTH_REQUIRE_CONFIRMATION one
 * update (an unconfirmed account outlives its reset link) — and get the same
 * answer. */
static enum MHD_Result handle_reset_request(struct request *rq)
{
	const char *email;
	json_t *errors = json_object();
	struct db_user user;
	char id[96] = "";
	char *job;
	int found, outcome;
	enum MHD_Result ret;

	form_trim(&rq->form, "email"); /* a phone's keyboard pads it */
	email = request_field(rq, "email");
	if (field_errors_email(errors, email)) {
		ret = show_request_form(rq, 200, errors, NULL);
		json_decref(errors);
		return ret;
	}
	json_decref(errors);
	metrics_add(rq->app->metrics, "auth_reset_requests_total", "", 1);
	found = user_store_by_email(rq->worker->db, email, &user);
	if (found == DB_ERROR)
		return response_error(rq, 500, "Internal Server Error", "Please try again.");
	if (found != DB_OK)
		mail_enqueue_stand_in(email, &user);
	job = reset_job(rq, &user, id);
	if (!job)
		return response_error(rq, 500, "Internal Server Error", "Please try again.");
	outcome = mail_enqueue_reset_limited(rq->app, rq->worker, rq->client_ip, email, job, id,
	                                     found == DB_OK);
	free(job);
	if (confirm_mail_keep_until_link_dies(rq, email, rq->app->settings.reset_token_ttl,
	                                      outcome) != DB_OK)
		return response_error(rq, 500, "Internal Server Error", "Please try again.");
	LOG_INFO("reset", "reset requested account=%s outcome=%s id=%s client=%s",
	         found == DB_OK ? "yes" : "no", mail_enqueue_outcome_name(outcome), id,
	         rq->client_ip);
	if (outcome == MAIL_UNAVAILABLE)
		return unavailable(rq);
	if (outcome == MAIL_LIMITED)
		metrics_add(rq->app->metrics, "auth_rate_limited_total", "limit=\"reset\"", 1);
	rq->flash_out = CHECK_EMAIL_FLASH;
	return response_redirect(rq, "/login");
}

enum MHD_Result page_reset_request(struct request *rq, const char *rest)
{
	(void)rest;
	if (rq->logged_in)
		return response_redirect(rq, "/");
	if (rq->method == METHOD_POST)
		return handle_reset_request(rq);
	return show_request_form(rq, 200, NULL, NULL);
}

/* Is the token still unused? With a fingerprint: it must match the current
 * password. Without (a token of the Python original): it must not have been
 * spent, and must have been issued (exp - TTL) after the password last changed. */
static bool token_unused(struct request *rq, const char *token,
                         const struct reset_token_claims *claims, const struct db_user *user)
{
	struct app *app = rq->app;
	char want[RESET_FP_LEN + 1];
	unsigned char hash[32];
	double issued_ms = (claims->exp - (double)app->settings.reset_token_ttl) * 1000.0;

	if (claims->fp[0]) {
		reset_token_fingerprint(app->settings.secret_key, app->secret_len,
		                        user->password_hash, want);
		return strcmp(claims->fp, want) == 0;
	}
	signing_sha256(token, strlen(token), hash);
	return issued_ms >= (double)user->password_changed_ms &&
	       !session_store_reset_token_spent(rq->worker->db, hash);
}

/* The user a token names, if the token is valid for them right now. */
static int user_for_token(struct request *rq, const char *token, struct db_user *user,
                          struct reset_token_claims *claims)
{
	struct app *app = rq->app;

	if (reset_token_verify(app->settings.secret_key, app->secret_len, token, now_s(), claims) !=
	    RESET_TOKEN_OK)
		return -1;
	if (user_store_by_id(rq->worker->db, claims->user_id, user) != DB_OK)
		return -1;
	return token_unused(rq, token, claims, user) ? 0 : -1;
}

/* Names the account, and carries its username for password managers (the
 * POST's username field is ignored: the token says whose password it is). */
static enum MHD_Result show_reset_form(struct request *rq, unsigned status, json_t *errors,
                                       const struct db_user *user)
{
	json_t *ctx = json_object();
	char text[400];
	enum MHD_Result ret;

	lang_fill(request_text(rq, "Choose a new password for {username}."), "{username}",
	          user->username, text, sizeof(text));
	json_object_set_new(ctx, "choose_for", json_string(text));
	json_object_set_new(ctx, "account", json_string(user->username));
	json_object_set(ctx, "errors", errors);
	ret = response_page(rq, status, "auth/reset_password.html", "Reset Your Password", ctx);
	json_decref(ctx);
	return ret;
}

static enum MHD_Result invalid_link(struct request *rq)
{
	rq->flash_out = INVALID_LINK_FLASH;
	rq->flash_out_kind = FLASH_ERROR;
	return response_redirect(rq, "/reset_password_request");
}

static enum MHD_Result set_new_password(struct request *rq, const struct db_user *user,
                                        const char *token, const struct reset_token_claims *claims)
{
	const char *password = request_field(rq, "password");
	char hash[PASSWORD_HASH_LEN];
	unsigned char token_hash[32];
	struct db_password_change change = { .is_reset = true,
		                             .now_ms = now_ms(),
		                             .token_hash = token_hash,
		                             .token_expires_at = (int64_t)claims->exp + 1 };
	enum MHD_Result ret;
	int rc;

	if (!page_gate_hash_or_reply(rq, password, hash, &ret))
		return ret;
	/* compare-and-set on the old hash: of two posts of one link, one wins */
	signing_sha256(token, strlen(token), token_hash);
	rc = user_store_set_password(rq->worker->db, user->id, user->password_hash, hash, &change);
	if (rc == DB_STALE)
		return invalid_link(rq);
	if (rc != DB_OK)
		return response_error(rq, 500, "Internal Server Error", "Please try again.");
	LOG_INFO("reset", "password reset user_id=%lld", (long long)user->id);
	if (mail_enqueue_password_changed(rq->app, rq->worker, user,
	                                  lang_or(user->lang, rq->lang)) != 0)
		LOG_WARN("reset", "password changed but its notice was not queued user_id=%lld",
		         (long long)user->id);
	rq->flash_out = "Your password has been reset.";
	return response_redirect(rq, "/login");
}

enum MHD_Result page_reset_password(struct request *rq, const char *token)
{
	struct reset_token_claims claims;
	struct db_user user;
	json_t *errors;
	enum MHD_Result ret;

	if (rq->logged_in) { /* SPEC: to /; told why, the link left unused */
		lang_fill(request_text(rq, SIGNED_IN_FLASH), "{username}", rq->user.username,
		          rq->flash_text, sizeof(rq->flash_text));
		rq->flash_out = rq->flash_text;
		return response_redirect(rq, "/");
	}
	if (user_for_token(rq, token, &user, &claims) != 0)
		return invalid_link(rq);
	if (rq->method != METHOD_POST)
		return show_reset_form(rq, 200, NULL, &user);
	errors = json_object();
	field_errors_new_password(errors, &rq->app->common_passwords, request_field(rq, "password"),
	                          request_field(rq, "password2"));
	if (json_object_size(errors) == 0) {
		json_decref(errors);
		return set_new_password(rq, &user, token, &claims);
	}
	ret = show_reset_form(rq, 200, errors, &user);
	json_decref(errors);
	return ret;
}
