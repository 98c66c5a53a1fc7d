/* /change_password: a logged-in user sets a new password, giving the current
 * one. The check counts against the failed-login limits (login_limit.h), so
 * a session left open cannot be used to guess the password either. On
 * success the other sessions of the account end; this one stays. */
#include <string.h>

#include "field_errors.h"
#include "hash_gate.h"
#include "logger.h"
#include "login_limit.h"
#include "mail_enqueue.h"
#include "now.h"
#include "page_gate.h"
#include "password.h"
#include "response.h"
#include "routes.h"
#include "signing.h"
#include "user_store.h"

#define CHANGED_FLASH "Your password has been changed."

static enum MHD_Result show_form(struct request *rq, unsigned status, json_t *errors,
                                 const char *message)
{
	json_t *ctx = json_object();
	enum MHD_Result ret;

	json_object_set(ctx, "errors", errors);
	if (message)
		json_object_set_new(ctx, "message", json_string(message));
	ret = response_page(rq, status, "auth/change_password.html", "Change Password", ctx);
	json_decref(ctx);
	return ret;
}

static enum MHD_Result show_errors(struct request *rq, json_t *errors)
{
	enum MHD_Result ret = show_form(rq, 200, errors, NULL);

	json_decref(errors);
	return ret;
}

enum check_outcome { CHECK_OK, CHECK_WRONG, CHECK_ERROR };

/* Holding a hash gate permit: the current password verified, then the new
 * one hashed (two argon2 runs for one permit). */
static enum check_outcome check_and_hash(struct request *rq, const char *current,
                                         const char *password, char hash[PASSWORD_HASH_LEN])
{
	metrics_add(rq->app->metrics, "auth_password_checks_total", "", 1);
	if (!password_verify(rq->user.password_hash, current, strlen(current)))
		return CHECK_WRONG;
	metrics_add(rq->app->metrics, "auth_password_hashes_total", "", 1);
	if (password_hash(&rq->app->cost, password, strlen(password), hash) != 0)
		return CHECK_ERROR;
	return CHECK_OK;
}

/* The new hash stored (compare-and-set on the hash this session read), every
 * other session ended, the notice queued. */
static enum MHD_Result store(struct request *rq, const char *hash)
{
	unsigned char session_hash[32];
	struct db_password_change change = { .is_reset = true,
		                             .now_ms = now_ms(),
		                             .keep_session = session_hash };
	int rc;

	signing_sha256(rq->session_token, SIGNING_TOKEN_LEN, session_hash);
	rc = user_store_set_password(rq->worker->db, rq->user.id, rq->user.password_hash, hash,
	                             &change);
	if (rc == DB_STALE)
		return response_error(rq, 409, "Conflict",
		                      "Your password was changed at the same moment by another "
		                      "request. Please try again.");
	if (rc != DB_OK)
		return response_error(rq, 500, "Internal Server Error", "Please try again.");
	LOG_INFO("account", "password changed user_id=%lld client=%s", (long long)rq->user.id,
	         rq->client_ip);
	if (mail_enqueue_password_changed(rq->app, rq->worker, &rq->user, rq->lang) != 0)
		LOG_WARN("account", "password changed but its notice was not queued user_id=%lld",
		         (long long)rq->user.id);
	rq->flash_out = CHANGED_FLASH;
	return response_redirect(rq, "/");
}

static enum MHD_Result change_password(struct request *rq)
{
	const char *current = request_field(rq, "current_password");
	const char *password = request_field(rq, "password");
	char hash[PASSWORD_HASH_LEN], message[300];
	json_t *errors = json_object();
	enum check_outcome outcome;
	enum MHD_Result ret;
	long long minutes;

	field_errors_required(errors, "current_password", current);
	field_errors_new_password(errors, &rq->app->common_passwords, password,
	                          request_field(rq, "password2"));
	if (json_object_size(errors))
		return show_errors(rq, errors);
	json_decref(errors);
	minutes = login_limit_take(rq, rq->user.username); /* once, even when resumed */
	if (minutes > 0) {
		login_limit_message(rq, minutes, message, sizeof(message));
		return show_form(rq, 429, NULL, message);
	}
	if (!page_gate_enter_or_reply(rq, &ret)) {
		if (!hash_gate_waiting(rq->hash_state))
			login_limit_give_back(rq, rq->user.username); /* a 503 never counts */
		return ret;
	}
	outcome = check_and_hash(rq, current, password, hash);
	hash_gate_leave(rq->app->hash_gate);
	if (outcome == CHECK_ERROR)
		return response_error(rq, 500, "Internal Server Error", "Please try again.");
	if (outcome == CHECK_WRONG) {
		LOG_INFO("account", "current password wrong user_id=%lld client=%s",
		         (long long)rq->user.id, rq->client_ip);
		errors = json_object();
		field_errors_add(errors, "current_password",
		                 "Your current password is not correct.");
		return show_errors(rq, errors);
	}
	login_limit_give_back(rq, rq->user.username);
	return store(rq, hash);
}

enum MHD_Result page_change_password(struct request *rq, const char *rest)
{
	(void)rest;
	if (!rq->logged_in)
		return response_redirect(rq, "/login?next=/change_password");
	if (rq->method == METHOD_POST)
		return change_password(rq);
	return show_form(rq, 200, NULL, NULL);
}
