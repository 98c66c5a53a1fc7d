/* confirm_mail: address confirmation (AUTH_REQUIRE_CONFIRMATION) — its links
 * and its mails.
 *
 * A link is /confirm_email/<token>, an HS256 JWT {"confirm_email": <user id>,
 * "exp": <now + AUTH_CONFIRM_TTL>, "fp": <fingerprint>} made and checked by
 * reset_token's functions under another claim, so a reset link is never a
 * confirmation link nor the reverse. The fingerprint is a MAC of the address
 * and the password hash. A link is good only while its account is
 * unconfirmed, and confirming is a compare-and-set on that state, so it works
 * once. Tokens are untrusted; nothing here allocates what a caller frees. */
#ifndef AUTH_CONFIRM_MAIL_H
#define AUTH_CONFIRM_MAIL_H

#include <stdbool.h>

#include "db.h"
#include "request.h"

/* The flash after a registration (new address or not) and after a request
 * for a new link (known address or not): the same words whatever happened. */
#define CONFIRM_SENT_FLASH \
	"Check your email: we have sent a link to confirm your address. Follow it, then log in."
#define CONFIRM_RESENT_FLASH                                                                  \
	"If an account with that address is waiting for confirmation, we have sent it a new " \
	"link. "                                                                              \
	"Check your email."

/* Builds user's confirm_email job (in the account's language) and runs it
 * through the confirmation limits (mail_enqueue_confirm_limits): pushed when
 * send is true and within them, else held back. Returns an enum
 * mail_enqueue_outcome; logs it. */
int confirm_mail_send(struct request *rq, const struct db_user *user, bool send);

/* The account_exists job to owner, in owner's language, through the same
 * limits. Returns an enum mail_enqueue_outcome; logs it. */
int confirm_mail_account_exists(struct request *rq, const struct db_user *owner);

/* After a link living ttl seconds more (a confirmation or a reset link) was
 * minted for the account at email and went out through the limits (outcome,
 * an enum mail_enqueue_outcome): an unconfirmed one there is kept from being
 * purged as stale while the link lives (user_store_confirm_extend). With
 * AUTH_REQUIRE_CONFIRMATION, one update for every address alike, a no-op
 * unless the mail was queued; without it, nothing. DB_OK or DB_ERROR. */
int confirm_mail_keep_until_link_dies(struct request *rq, const char *email, int64_t ttl,
                                      int outcome);

/* The unconfirmed account token names, when the token is valid now: 0 with
 * user filled, else -1. */
int confirm_mail_user_for_token(struct request *rq, const char *token, struct db_user *user);

#endif
