/* mail_enqueue: auth's mail jobs (proto/mail_job.schema.json), validated,
 * then LPUSHed to <prefix>:queue. auth never waits for SMTP.
 * Ownership: job texts returned are the caller's to free(). */
#ifndef AUTH_MAIL_ENQUEUE_H
#define AUTH_MAIL_ENQUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "app.h"
#include "db.h"

/* Jobs are written in lang: the subject from auth's catalog, the job's
 * "locale" for the mailer's templates/email/<locale>/. */

/* The reset_password job for user, validated and serialised (free() it);
 * NULL when out of memory or not valid (logged). id_out: its id. */
char *mail_enqueue_reset_job(struct app *app, const struct db_user *user, const char *reset_url,
                             int64_t deadline, enum lang lang, char id_out[96]);

/* A stand-in for an address with no account: a job is built for it exactly
 * as for a real user (token, fingerprint, serialisation), then held back, so
 * that the work done tells no one whether the address has an account. */
void mail_enqueue_stand_in(const char *email, struct db_user *user);

/* The confirm_email job (data: username, confirm_url, valid_minutes, and
 * valid_hours when the link lives whole hours) and the account_exists job
 * (data: username, login_url, reset_request_url), as mail_enqueue_reset_job. */
char *mail_enqueue_confirm_job(struct app *app, const struct db_user *user, const char *confirm_url,
                               int64_t deadline, enum lang lang, char id_out[96]);
char *mail_enqueue_account_exists_job(struct app *app, const struct db_user *user, enum lang lang,
                                      char id_out[96]);

enum mail_enqueue_outcome {
	MAIL_QUEUED = 0,      /* within the limits, job pushed */
	MAIL_HELD_BACK = 1,   /* within the limits, send was false: nothing pushed */
	MAIL_LIMITED = 2,     /* a limit was passed: counted, nothing pushed */
	MAIL_UNAVAILABLE = -1 /* Redis did not answer: nothing counted, nothing pushed */
};

/* The counters a limited mail is counted against (rate_limit key kinds) and
 * their hourly limits; template labels the metrics. */
struct mail_enqueue_limits {
	const char *ip_kind;
	const char *email_kind;
	long long per_ip;
	long long per_email;
	const char *template_name;
};

/* The limits of reset_password mails, and of confirm_email and account_exists
 * mails (the same AUTH_RESET_LIMIT_PER_* figures, their own counters). */
void mail_enqueue_reset_limits(const struct app *app, struct mail_enqueue_limits *out);
void mail_enqueue_confirm_limits(const struct app *app, struct mail_enqueue_limits *out);

/* mail_enqueue_reset_limited() with other limits. */
int mail_enqueue_limited(struct app *app, struct worker *w, const struct mail_enqueue_limits *l,
                         const char *client_ip, const char *email, const char *job, const char *id,
                         bool send);

/* "queued", "no-mail", "limited" or "unavailable", for the log. */
const char *mail_enqueue_outcome_name(int outcome);

/* One Lua script, all or nothing: counts the reset request against the
 * client address and the email address (AUTH_RESET_LIMIT_PER_IP and
 * _PER_EMAIL, per hour), and when both are within their limits and send is
 * true, LPUSHes job. A known and an unknown address make this same call with
 * a job of the same make (send false for the unknown one), so neither the
 * answer nor its timing tells them apart. email is untrusted. Behind Sentinel,
 * either then WAITs up to AUTH_REDIS_WAIT_MS for a replica; a queued job no
 * replica confirmed is logged by id. */
int mail_enqueue_reset_limited(struct app *app, struct worker *w, const char *client_ip,
                               const char *email, const char *job, const char *id, bool send);

/* Returns 0 when the job reached Redis, -1 when not (logged once here). */
int mail_enqueue_password_changed(struct app *app, struct worker *w, const struct db_user *user,
                                  enum lang lang);

#endif
