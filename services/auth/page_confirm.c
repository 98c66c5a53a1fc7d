/* /confirm_email/<token> and /confirm_email_request: with
 * AUTH_REQUIRE_CONFIRMATION (without it, both are 404s). A link's GET shows a
 * page with a button and changes nothing (mail scanners fetch links); the
 * button's POST confirms, once. A request for a new link is answered the same
 * for every address, and counted like a reset request. */
#include "confirm_mail.h"
#include "field_errors.h"
#include "logger.h"
#include "mail_enqueue.h"
#include "response.h"
#include "routes.h"
#include "user_store.h"

#define INVALID_CONFIRM_FLASH "The confirmation link is invalid or has expired."
#define CONFIRMED_FLASH       "Your email address is confirmed. You can now log in."

static enum MHD_Result not_here(struct request *rq)
{
	return response_error(rq, 404, "Not Found", "There is no page at this address.");
}

#define UNAVAILABLE_TEXT "We cannot send mail right now. Please try again in a moment."

/* form_error: Redis is down (503), the address kept, as on the reset form. */
static enum MHD_Result show_request_form(struct request *rq, unsigned status, json_t *errors,
                                         const char *form_error)
{
	return response_email_form(rq, status, "auth/confirm_email_request.html",
	                           "Confirm Your Email Address", errors, form_error);
}

/* Every address does the same work: one lookup, one job built (for a stand-in
 * when there is no account waiting), one script counting the limits, one
 * update (keeping an account whose new link went out from being purged as
 * stale while that link lives; a no-op for the others). */
static enum MHD_Result send_again(struct request *rq, const char *email)
{
	struct db_user user;
	int found, outcome;

	found = user_store_by_email(rq->worker->db, email, &user);
	if (found == DB_ERROR)
		return response_error(rq, 500, "Internal Server Error", "Please try again.");
	if (found != DB_OK)
		mail_enqueue_stand_in(email, &user);
	outcome = confirm_mail_send(rq, &user, found == DB_OK && !user.confirmed);
	if (confirm_mail_keep_until_link_dies(rq, email, rq->app->settings.confirm_ttl, outcome) !=
	    DB_OK)
		return response_error(rq, 500, "Internal Server Error", "Please try again.");
	if (outcome == MAIL_UNAVAILABLE)
		return show_request_form(rq, 503, NULL, UNAVAILABLE_TEXT);
	rq->flash_out = CONFIRM_RESENT_FLASH;
	return response_redirect(rq, "/login");
}

enum MHD_Result page_confirm_request(struct request *rq, const char *rest)
{
	const char *email;
	json_t *errors;
	enum MHD_Result ret;

	(void)rest;
	if (!rq->app->settings.require_confirmation)
		return not_here(rq);
	if (rq->logged_in)
		return response_redirect(rq, "/");
	if (rq->method != METHOD_POST)
		return show_request_form(rq, 200, NULL, NULL);
	form_trim(&rq->form, "email"); /* a phone's keyboard pads it */
	email = request_field(rq, "email");
	errors = json_object();
	if (!field_errors_email(errors, email)) {
		json_decref(errors);
		return send_again(rq, email);
	}
	ret = show_request_form(rq, 200, errors, NULL);
	json_decref(errors);
	return ret;
}

static enum MHD_Result invalid_link(struct request *rq)
{
	rq->flash_out = INVALID_CONFIRM_FLASH;
	return response_redirect(rq, "/confirm_email_request");
}

static enum MHD_Result show_confirm_page(struct request *rq, const struct db_user *user)
{
	json_t *ctx = json_object();
	char half[600], text[900];
	enum MHD_Result ret;

	lang_fill(request_text(rq, "Press the button to confirm {email} as the address of the "
	                           "account {username}."),
	          "{email}", user->email, half, sizeof(half));
	lang_fill(half, "{username}", user->username, text, sizeof(text));
	json_object_set_new(ctx, "confirm_text", json_string(text));
	ret = response_page(rq, 200, "auth/confirm_email.html", "Confirm Your Email Address", ctx);
	json_decref(ctx);
	return ret;
}

enum MHD_Result page_confirm_email(struct request *rq, const char *token)
{
	struct db_user user;
	int rc;

	if (!rq->app->settings.require_confirmation)
		return not_here(rq);
	if (confirm_mail_user_for_token(rq, token, &user) != 0)
		return invalid_link(rq);
	if (rq->method != METHOD_POST)
		return show_confirm_page(rq, &user);
	/* compare-and-set on the unconfirmed state: of two posts of one link, one wins */
	rc = user_store_confirm(rq->worker->db, user.id, user.password_hash);
	if (rc == DB_STALE)
		return invalid_link(rq);
	if (rc != DB_OK)
		return response_error(rq, 500, "Internal Server Error", "Please try again.");
	LOG_INFO("confirm", "address confirmed user_id=%lld client=%s", (long long)user.id,
	         rq->client_ip);
	rq->flash_out = CONFIRMED_FLASH;
	return response_redirect(rq, "/login");
}
