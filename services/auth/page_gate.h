/* page_gate: the hash gate as the page handlers use it — enter, or hand MHD
 * what to return (suspended: MHD_YES; shutting down: a 503 page queued). */
#ifndef AUTH_PAGE_GATE_H
#define AUTH_PAGE_GATE_H

#include <stdbool.h>

#include "password.h"
#include "request.h"

/* True with a permit held (release it with hash_gate_leave); false when the
 * handler must return *ret at once. */
bool page_gate_enter_or_reply(struct request *rq, enum MHD_Result *ret);

/* The argon2 hash of password into hash, made holding a permit. True when
 * made; false when the handler must return *ret (an error page on failure). */
bool page_gate_hash_or_reply(struct request *rq, const char *password, char hash[PASSWORD_HASH_LEN],
                             enum MHD_Result *ret);

#endif
