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

enum mail_enqueue_outcome {
	MAIL_QUEUED = 0,      /* within the limits, job pushed */
	MAIL_HELD_BACK = 1,   /* within the limits, send was false: nothing pushed */
	MAIL_LIMITED = 2,     /* a limit was passed: counted, nothing pushed */
	MAIL_UNAVAILABLE = -1 /* Redis did not answer: nothing counted, nothing pushed */
};

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
