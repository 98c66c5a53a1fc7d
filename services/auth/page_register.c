/* /register: a new account. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "confirm_mail.h"
#include "field_errors.h"
#include "logger.h"
#include "now.h"
#include "page_gate.h"
#include "password.h"
#include "rate_limit.h"
#include "response.h"
#include "routes.h"
#include "str.h"
#include "user_store.h"

/* early username lookups an hour per client address, per registration allowed */
#define REGISTER_LOOKUPS_PER_LIMIT 10

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

/* The early lookup answers forms that are not valid, which the registration
 * limit does not count: it has a budget of its own per client address, ten
 * times that limit an hour. Past it, or with Redis down, the form goes on
 * without the lookup, and the insert still tells of a taken username. */
static bool lookup_allowed(struct request *rq)
{
	long long limit = rq->app->settings.register_limit_per_ip * REGISTER_LOOKUPS_PER_LIMIT;
	long long ignored;
	int rc;

	if (rq->lookup_counted) /* run again after the hash gate */
		return true;
	rq->lookup_counted = true;
	rc = rate_limit_hit(rq->worker->redis, "register-lookup", rq->client_ip, limit, 3600,
	                    &ignored);
	app_note_redis(rq->app, rq->worker, rc != RATE_LIMIT_UNAVAILABLE);
	if (rc == RATE_LIMIT_OVER)
		metrics_add(rq->app->metrics, "auth_rate_limited_total",
		            "limit=\"register-lookup\"", 1);
	return rc == RATE_LIMIT_OK;
}

/* A taken username is told with the other errors, not after them (the insert
 * still catches one taken meanwhile). A taken address is left to the insert.
 * While confirmation is required, a stale unconfirmed account holds its name
 * no more: the registration deletes it before its insert. */
static void check_username_free(struct request *rq, json_t *errors, const char *username)
{
	struct db_user user;

	if (json_object_get(errors, "username") || !lookup_allowed(rq))
		return;
	if (user_store_by_username(rq->worker->db, username, &user) != DB_OK)
		return;
	if (rq->app->settings.require_confirmation && user_store_is_stale(&user, now_s()))
		return;
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

static enum MHD_Result taken_username(struct request *rq)
{
	json_t *errors = json_object();
	enum MHD_Result ret;

	field_errors_add(errors, "username", "Please use a different username.");
	ret = show_form(rq, errors);
	json_decref(errors);
	return ret;
}

/* The chapter's registration: the account can log in at once, and a taken
 * address is said to be taken. */
static enum MHD_Result create_confirmed(struct request *rq, const struct db_new_user *nu)
{
	json_t *errors;
	enum MHD_Result ret;
	int64_t id;
	int rc = user_store_create(rq->worker->db, nu, &id);

	if (rc == DB_DUPLICATE_USERNAME)
		return taken_username(rq);
	if (rc == DB_DUPLICATE_EMAIL) {
		errors = json_object();
		field_errors_add(errors, "email", "Please use a different email address.");
		ret = show_form(rq, errors);
		json_decref(errors);
		return ret;
	}
	if (rc != DB_OK)
		return response_error(rq, 500, "Internal Server Error", "Please try again.");
	LOG_INFO("register", "user registered user_id=%lld client=%s", (long long)id,
	         rq->client_ip);
	rq->flash_out = "Congratulations, you are now a registered user!";
	return response_redirect(rq, "/login");
}

/* An address nobody has (a reserved .invalid domain: never mailed, so never
 * confirmed), for the account that holds a username asked for with a taken
 * address. */
static void held_address(char out[80])
{
	unsigned char bytes[12];
	char hex[sizeof(bytes) * 2 + 1];

	randombytes_buf(bytes, sizeof(bytes));
	sodium_bin2hex(hex, sizeof(hex), bytes, sizeof(bytes));
	snprintf(out, 80, "held-%s@username.invalid", hex);
}

/* Stale unconfirmed accounts deleted at each registration besides those
 * holding the username or the address asked for. */
#define STALE_SWEEP 4

/* Stores nu unconfirmed: at its address when that has no account, else at a
 * held address (owner filled). First the stale unconfirmed accounts holding
 * its username or address are deleted (user_store_purge_stale), whichever
 * case this is, then one lookup and one insert either way; an address
 * registered in between is looked up once more. */
static int store_unconfirmed(struct request *rq, struct db_new_user *nu, struct db_user *owner,
                             int *found, int64_t *id)
{
	const char *email = nu->email;
	char held[80];
	int rc = DB_DUPLICATE_EMAIL;

	if (user_store_purge_stale(rq->worker->db, nu->username, email, now_s(), STALE_SWEEP) !=
	    DB_OK)
		return DB_ERROR;
	/* stamped after the hash (which may wait for the gate), just before the
	 * link is minted: the link dies at most a few seconds later (the grace) */
	nu->confirm_until = now_s() + rq->app->settings.confirm_ttl;
	for (int attempt = 0; attempt < 2 && rc == DB_DUPLICATE_EMAIL; attempt++) {
		*found = user_store_by_email(rq->worker->db, email, owner);
		if (*found == DB_ERROR)
			return DB_ERROR;
		held_address(held);
		nu->email = *found == DB_OK ? held : email;
		rc = user_store_create(rq->worker->db, nu, id);
	}
	nu->email = email;
	return rc;
}

/* AUTH_REQUIRE_CONFIRMATION: a new address gets its account, unconfirmed, and
 * a confirm_email mail. A taken one is answered exactly alike, doing the same
 * work: its owner gets an account_exists mail, and the username asked for is
 * held all the same (logging in with it, or registering it again, answers as
 * after a new registration). Usernames are public: a taken one is said to be. */
static enum MHD_Result create_unconfirmed(struct request *rq, struct db_new_user *nu)
{
	struct db_user owner, user = { 0 };
	int found = DB_NOT_FOUND, rc;
	int64_t id;

	rc = store_unconfirmed(rq, nu, &owner, &found, &id);
	if (rc == DB_DUPLICATE_USERNAME)
		return taken_username(rq);
	if (rc != DB_OK)
		return response_error(rq, 500, "Internal Server Error", "Please try again.");
	LOG_INFO("register", "user registered unconfirmed user_id=%lld address=%s client=%s",
	         (long long)id, found == DB_OK ? "taken" : "new", rq->client_ip);
	if (found == DB_OK) {
		confirm_mail_account_exists(rq, &owner);
	} else {
		user.id = id;
		text_copy(user.username, sizeof(user.username), nu->username);
		text_copy(user.email, sizeof(user.email), nu->email);
		text_copy(user.password_hash, sizeof(user.password_hash), nu->hash);
		text_copy(user.lang, sizeof(user.lang), nu->lang);
		confirm_mail_send(rq, &user, true);
	}
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
	enum MHD_Result ret;

	if (over_limit(rq))
		return response_error(rq, 429, "Too Many Requests",
		                      "Too many registrations from your address. Try again later.");
	if (!page_gate_hash_or_reply(rq, request_field(rq, "password"), hash, &ret))
		return ret;
	return nu.confirmed ? create_confirmed(rq, &nu) : create_unconfirmed(rq, &nu);
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
