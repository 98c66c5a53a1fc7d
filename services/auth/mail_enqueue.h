/* mail_enqueue: auth's mail jobs (proto/mail_job.schema.json), validated,
 * then LPUSHed to <prefix>:queue. auth never waits for SMTP. */
#ifndef AUTH_MAIL_ENQUEUE_H
#define AUTH_MAIL_ENQUEUE_H

#include <stdint.h>

#include "app.h"
#include "db.h"

/* Returns 0 when the job reached Redis, -1 when not (logged once here). */
int mail_enqueue_reset(struct app *app, struct worker *w, const struct db_user *user,
                       const char *reset_url, int64_t deadline);
int mail_enqueue_password_changed(struct app *app, struct worker *w, const struct db_user *user);

/* One Redis round trip that changes nothing, so that an unknown address costs
 * what a known one does (no enumeration by timing). */
void mail_enqueue_equal_cost(struct worker *w);

#endif
