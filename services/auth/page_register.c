/* /register: a new account. */
#include <string.h>

#include "field_errors.h"
#include "logger.h"
#include "page_gate.h"
#include "password.h"
#include "rate_limit.h"
#include "response.h"
#include "routes.h"
#include "str.h"
#include "user_store.h"

static enum MHD_Result show_form(struct request *rq, json_t *errors)
{
	json_t *ctx = json_object();
	enum MHD_Result ret;

	json_object_set_new(ctx, "form_username", json_string(request_field(rq, "username")));
	json_object_set_new(ctx, "form_email", json_string(request_field(rq, "email")));
	json_object_set(ctx, "errors", errors);
	ret = response_page(rq, 200, "auth/register.html", "Register", ctx);
	json_decref(ctx);
	return ret;
}

static void check_username(json_t *errors, const char *username)
{
	size_t n = strlen(username);

	if (field_errors_required(errors, "username", username))
		return;
	if (n > DB_USERNAME_MAX) {
		field_errors_add(errors, "username", "Username must be at most 64 characters.");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)username[i] <= ' ' || username[i] == 0x7f) {
			field_errors_add(errors, "username",
			                 "Username cannot contain spaces or control characters.");
			return;
		}
	}
}

/* A taken username is told with the other errors, not after them (the insert
 * still catches one taken meanwhile). A taken address is left to the insert. */
static void check_username_free(struct request *rq, json_t *errors, const char *username)
{
	struct db_user user;

	if (json_object_get(errors, "username"))
		return;
	if (user_store_by_username(rq->worker->db, username, &user) == DB_OK)
		field_errors_add(errors, "username", "Please use a different username.");
}

static json_t *validate(struct request *rq)
{
	json_t *errors = json_object();

	check_username(errors, request_field(rq, "username"));
	check_username_free(rq, errors, request_field(rq, "username"));
	field_errors_email(errors, request_field(rq, "email"));
	field_errors_new_password(errors, &rq->app->common_passwords, request_field(rq, "password"),
	                          request_field(rq, "password2"));
	return errors;
}

/* Counts this registration against the client address, once per request.
 * True when it is over AUTH_REGISTER_LIMIT_PER_IP (Redis down: fail open). */
static bool over_limit(struct request *rq)
{
	long long ignored;
	int rc;

	if (rq->limit_checked)
		return false;
	rq->limit_checked = true;
	rc = rate_limit_hit(rq->worker->redis, "register-ip", rq->client_ip,
	                    rq->app->settings.register_limit_per_ip, 3600, &ignored);
	app_note_redis(rq->app, rq->worker, rc != RATE_LIMIT_UNAVAILABLE);
	if (rc != RATE_LIMIT_OVER)
		return false;
	metrics_add(rq->app->metrics, "auth_rate_limited_total", "limit=\"register\"", 1);
	LOG_INFO("register", "registration limit reached client=%s", rq->client_ip);
	return true;
}

static enum MHD_Result create_account(struct request *rq)
{
	const char *password = request_field(rq, "password");
	char hash[PASSWORD_HASH_LEN];
	json_t *errors;
	enum MHD_Result ret;
	int64_t id;
	int rc;

	if (over_limit(rq))
		return response_error(rq, 429, "Too Many Requests",
		                      "Too many registrations from your address. Try again later.");
	if (!page_gate_hash_or_reply(rq, password, hash, &ret))
		return ret;
	rc = user_store_create(rq->worker->db, request_field(rq, "username"),
	                       request_field(rq, "email"), hash, &id);
	errors = json_object();
	if (rc == DB_OK) {
		json_decref(errors);
		LOG_INFO("register", "user registered user_id=%lld client=%s", (long long)id,
		         rq->client_ip);
		rq->flash_out = "Congratulations, you are now a registered user!";
		return response_redirect(rq, "/login");
	}
	if (rc == DB_DUPLICATE_USERNAME)
		field_errors_add(errors, "username", "Please use a different username.");
	else if (rc == DB_DUPLICATE_EMAIL)
		field_errors_add(errors, "email", "Please use a different email address.");
	else {
		json_decref(errors);
		return response_error(rq, 500, "Internal Server Error", "Please try again.");
	}
	ret = show_form(rq, errors);
	json_decref(errors);
	return ret;
}

enum MHD_Result page_register(struct request *rq, const char *rest)
{
	json_t *errors;
	enum MHD_Result ret;

	(void)rest;
	if (rq->logged_in)
		return response_redirect(rq, "/");
	if (rq->method != METHOD_POST)
		return show_form(rq, NULL);
	form_trim(&rq->form, "username"); /* a phone's keyboard pads them */
	form_trim(&rq->form, "email");
	errors = validate(rq);
	if (json_object_size(errors) == 0) {
		json_decref(errors);
		return create_account(rq);
	}
	ret = show_form(rq, errors);
	json_decref(errors);
	return ret;
}
