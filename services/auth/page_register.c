/* /register: a new account. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "confirm_mail.h"
#include "email_address.h"
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

static json_t *validate(struct request *rq)
{
	const char *email = request_field(rq, "email");
	json_t *errors = json_object();

	check_username(errors, request_field(rq, "username"));
	if (!field_errors_required(errors, "email", email) &&
	    !email_address_valid(email, strlen(email)))
		field_errors_add(errors, "email", "Invalid email address.");
	field_errors_new_password(errors, request_field(rq, "password"),
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

/* The username taken as a new registration would take it, by an unconfirmed
 * account at an address nobody has (a reserved .invalid domain: never
 * mailed, so never confirmed). Logging in with it, or registering it again,
 * then answers as after a new registration. */
static void hold_username(struct request *rq, const struct db_new_user *nu)
{
	unsigned char bytes[12];
	char hex[sizeof(bytes) * 2 + 1], email[80];
	struct db_new_user held = *nu;
	int64_t id;

	randombytes_buf(bytes, sizeof(bytes));
	sodium_bin2hex(hex, sizeof(hex), bytes, sizeof(bytes));
	snprintf(email, sizeof(email), "held-%s@username.invalid", hex);
	held.email = email;
	held.confirmed = false;
	if (user_store_create(rq->worker->db, &held, &id) == DB_OK)
		LOG_INFO("register", "username held for a taken address user_id=%lld client=%s",
		         (long long)id, rq->client_ip);
}

/* With AUTH_REQUIRE_CONFIRMATION, an address that already has an account is
 * answered exactly as a new one (the owner is mailed instead), so the form
 * tells no one which addresses are registered. Usernames are public: a taken
 * one is still said to be taken, whatever the address. */
static bool taken_address_or_reply(struct request *rq, const struct db_new_user *nu, json_t *errors,
                                   enum MHD_Result *ret)
{
	struct db_user owner;
	int rc;

	if (!rq->app->settings.require_confirmation) {
		field_errors_add(errors, "email", "Please use a different email address.");
		return false;
	}
	rc = user_store_by_username(rq->worker->db, nu->username, &owner);
	if (rc == DB_OK) {
		field_errors_add(errors, "username", "Please use a different username.");
		return false;
	}
	if (rc == DB_ERROR || user_store_by_email(rq->worker->db, nu->email, &owner) != DB_OK) {
		*ret = response_error(rq, 500, "Internal Server Error", "Please try again.");
		return true;
	}
	confirm_mail_account_exists(rq, &owner);
	hold_username(rq, nu);
	rq->flash_out = CONFIRM_SENT_FLASH;
	*ret = response_redirect(rq, "/login");
	return true;
}

static enum MHD_Result registered(struct request *rq, const struct db_new_user *nu, int64_t id)
{
	struct db_user user = { .id = id, .confirmed = nu->confirmed };

	LOG_INFO("register", "user registered user_id=%lld confirmed=%s client=%s", (long long)id,
	         nu->confirmed ? "yes" : "no", rq->client_ip);
	if (nu->confirmed) {
		rq->flash_out = "Congratulations, you are now a registered user!";
		return response_redirect(rq, "/login");
	}
	text_copy(user.username, sizeof(user.username), nu->username);
	text_copy(user.email, sizeof(user.email), nu->email);
	text_copy(user.password_hash, sizeof(user.password_hash), nu->hash);
	text_copy(user.lang, sizeof(user.lang), nu->lang);
	confirm_mail_send(rq, &user, true);
	rq->flash_out = CONFIRM_SENT_FLASH;
	return response_redirect(rq, "/login");
}

static enum MHD_Result create_account(struct request *rq)
{
	char hash[PASSWORD_HASH_LEN];
	struct db_new_user nu = { .username = request_field(rq, "username"),
		                  .email = request_field(rq, "email"),
		                  .hash = hash,
		                  .lang = lang_tag(rq->lang),
		                  .confirmed = !rq->app->settings.require_confirmation };
	json_t *errors;
	enum MHD_Result ret;
	int64_t id;
	int rc;

	if (over_limit(rq))
		return response_error(rq, 429, "Too Many Requests",
		                      "Too many registrations from your address. Try again later.");
	if (!page_gate_hash_or_reply(rq, request_field(rq, "password"), hash, &ret))
		return ret;
	rc = user_store_create(rq->worker->db, &nu, &id);
	if (rc == DB_OK)
		return registered(rq, &nu, id);
	if (rc != DB_DUPLICATE_USERNAME && rc != DB_DUPLICATE_EMAIL)
		return response_error(rq, 500, "Internal Server Error", "Please try again.");
	errors = json_object();
	if (rc == DB_DUPLICATE_USERNAME)
		field_errors_add(errors, "username", "Please use a different username.");
	else if (taken_address_or_reply(rq, &nu, errors, &ret)) {
		json_decref(errors);
		return ret;
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
	errors = validate(rq);
	if (json_object_size(errors) == 0) {
		json_decref(errors);
		return create_account(rq);
	}
	ret = show_form(rq, errors);
	json_decref(errors);
	return ret;
}
