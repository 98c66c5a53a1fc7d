/* session: who the visitor is, and the CSRF token bound to them.
 *
 * Every visitor holds a random "session" cookie token. A login stores the
 * SHA-256 of a fresh token in the sessions table, so logout and a password
 * reset end sessions on the server, not just in the browser. The CSRF token
 * is an HMAC of the visitor's token: it needs no storage and dies with it. */
#ifndef AUTH_SESSION_H
#define AUTH_SESSION_H

#include <stdbool.h>

#include "db.h"

struct request;

/* Reads the cookie (untrusted) and fills rq's visitor fields. Returns 0, or
 * -1 when the database failed (the caller answers 500). */
int session_load(struct request *rq);

/* Starts a logged-in session with a new token. Returns 0 or -1. */
int session_login(struct request *rq, const struct db_user *user, bool remember);

/* Ends the session on the server and gives the visitor a new anonymous token. */
void session_logout(struct request *rq);

/* True when the form's csrf_token matches the visitor's. */
bool session_csrf_ok(const struct request *rq);

#endif
