#include "confirm_mail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logger.h"
#include "mail_enqueue.h"
#include "now.h"
#include "reset_token.h"
#include "user_store.h"

#define CONFIRM_CLAIM   "confirm_email"
#define CONFIRM_PURPOSE "confirm-fingerprint"

/* A MAC of the address and the password hash. */
static void fingerprint(const struct app *app, const struct db_user *user,
                        char out[RESET_FP_LEN + 1])
{
	char text[DB_EMAIL_MAX + DB_HASH_MAX + 2];

	snprintf(text, sizeof(text), "%s\n%s", user->email, user->password_hash);
	reset_token_fingerprint_as(CONFIRM_PURPOSE, app->settings.secret_key, app->secret_len, text,
	                           out);
}

/* Pushes or holds back job (freed here) through the confirmation limits. */
static int limited(struct request *rq, const char *what, const char *email, char *job,
                   const char *id, bool send)
{
	struct mail_enqueue_limits limits;
	int outcome = MAIL_UNAVAILABLE;

	if (job) {
		mail_enqueue_confirm_limits(rq->app, &limits);
		limits.template_name = what;
		outcome = mail_enqueue_limited(rq->app, rq->worker, &limits, rq->client_ip, email,
		                               job, id, send);
		free(job);
	}
	if (outcome == MAIL_LIMITED)
		metrics_add(rq->app->metrics, "auth_rate_limited_total", "limit=\"confirm\"", 1);
	LOG_INFO("confirm", "%s mail outcome=%s id=%s client=%s", what,
	         mail_enqueue_outcome_name(outcome), id, rq->client_ip);
	return outcome;
}

int confirm_mail_send(struct request *rq, const struct db_user *user, bool send)
{
	struct app *app = rq->app;
	int64_t expires = now_s() + app->settings.confirm_ttl;
	char fp[RESET_FP_LEN + 1], url[RESET_TOKEN_MAX + 600], id[96] = "";
	char *token, *job = NULL;

	fingerprint(app, user, fp);
	token = reset_token_mint_as(CONFIRM_CLAIM, app->settings.secret_key, app->secret_len,
	                            user->id, fp, expires);
	if (token) {
		snprintf(url, sizeof(url), "%s/confirm_email/%s", app->settings.public_url, token);
		free(token);
		job = mail_enqueue_confirm_job(app, user, url, expires,
		                               lang_or(user->lang, rq->lang), id);
	}
	return limited(rq, "confirm_email", user->email, job, id, send);
}

int confirm_mail_account_exists(struct request *rq, const struct db_user *owner)
{
	char id[96] = "";
	char *job =
	    mail_enqueue_account_exists_job(rq->app, owner, lang_or(owner->lang, rq->lang), id);

	return limited(rq, "account_exists", owner->email, job, id, true);
}

int confirm_mail_keep_until_link_dies(struct request *rq, const char *email, int64_t ttl,
                                      int outcome)
{
	if (!rq->app->settings.require_confirmation)
		return DB_OK;
	/* after the link was minted: now + ttl is at least its exp */
	return user_store_confirm_extend(rq->worker->db, email, now_s() + ttl,
	                                 outcome == MAIL_QUEUED);
}

int confirm_mail_user_for_token(struct request *rq, const char *token, struct db_user *user)
{
	struct app *app = rq->app;
	struct reset_token_claims claims;
	char want[RESET_FP_LEN + 1];

	if (reset_token_verify_as(CONFIRM_CLAIM, app->settings.secret_key, app->secret_len, token,
	                          now_s(), &claims) != RESET_TOKEN_OK)
		return -1;
	if (user_store_by_id(rq->worker->db, claims.user_id, user) != DB_OK || user->confirmed)
		return -1;
	fingerprint(app, user, want);
	return strcmp(claims.fp, want) == 0 ? 0 : -1;
}
