/* login_limit: the failed-login limits (AUTH_LOGIN_LIMIT_PER_USER and
 * _PER_IP in AUTH_LOGIN_LIMIT_WINDOW) around every check of a password a
 * visitor typed: the login form and the change-password form count against
 * the same counters, so neither can be used to guess more.
 *
 * The per-user counter is keyed on login_limit_key() of the username, so
 * "Susan", "susan" and " SUSAN " are one account's failures. */
#ifndef AUTH_LOGIN_LIMIT_H
#define AUTH_LOGIN_LIMIT_H

#include <stddef.h>

#include "db.h"
#include "request.h"

#define LOGIN_LIMIT_KEY_MAX (DB_USERNAME_MAX + 1)

/* The case-insensitive key of a username (untrusted): ASCII letters lowered,
 * every other byte kept, cut at LOGIN_LIMIT_KEY_MAX - 1 bytes (a longer name
 * has no account). The same fold as DB_*_USERNAME_KEY in db_migrations.h. */
void login_limit_key(const char *username, char out[LOGIN_LIMIT_KEY_MAX]);

/* Takes one attempt from both limits, atomically, before the password is
 * checked: of any number of concurrent guesses, exactly the limit's count get
 * checked. Once per request (rq->limit_checked): a request resumed at the hash
 * gate takes nothing more. Returns 0 to go on, or the minutes to wait (the
 * caller answers 429). Redis down: fails open, nothing taken. */
long long login_limit_take(struct request *rq, const char *username);

/* Gives back the attempt taken (a success, or a request that never reached the
 * check): only failures count. Does nothing when none was taken. */
void login_limit_give_back(struct request *rq, const char *username);

/* "Too many failed attempts. Try again in N minutes." in rq's language. */
void login_limit_message(const struct request *rq, long long minutes, char *out, size_t n);

#endif
