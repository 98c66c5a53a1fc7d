/* user_store: the accounts — create, look up, change a password. Calls go to
 * the engine behind the struct db handle (db.h). Inputs are validated by the
 * pages before they get here; outputs are copied into caller-owned structs.
 * Functions return DB_OK or a negative enum db_status.
 */
#ifndef AUTH_USER_STORE_H
#define AUTH_USER_STORE_H

#include "db.h"

/* DB_DUPLICATE_USERNAME or DB_DUPLICATE_EMAIL when taken. */
int user_store_create(struct db *db, const struct db_new_user *user, int64_t *id);
int user_store_by_username(struct db *db, const char *username, struct db_user *out);
/* Case-insensitive match; out->email is the address as stored. */
int user_store_by_email(struct db *db, const char *email, struct db_user *out);
int user_store_by_id(struct db *db, int64_t id, struct db_user *out);

/* Replaces the hash if the current one is still old_hash (compare-and-set,
 * atomic across every process sharing the database), in one transaction with
 * what change asks for (ending sessions, recording the reset link as spent).
 * NULL change: a rehash of the same password (login). DB_STALE when the hash
 * had already changed. */
int user_store_set_password(struct db *db, int64_t id, const char *old_hash, const char *new_hash,
                            const struct db_password_change *change);

/* The account's language (a tag of lang.h). */
int user_store_set_lang(struct db *db, int64_t id, const char *lang);

/* Marks the address confirmed if the account is unconfirmed and its hash is
 * still hash (compare-and-set: of two posts of one link, one wins). DB_STALE
 * otherwise. */
int user_store_confirm(struct db *db, int64_t id, const char *hash);

/* Stale unconfirmed accounts: ones whose latest confirmation link died
 * (confirm_until) more than USER_STORE_STALE_GRACE_S seconds before now. One
 * statement deletes those holding username or email (any case), so that they
 * can be registered again, and at most limit others, oldest first, so that held
 * usernames do not pile up. Confirmed accounts are never touched; a row
 * confirmed meanwhile (a reset) is rechecked by the engine and kept. */
#define USER_STORE_STALE_GRACE_S 60
bool user_store_is_stale(const struct db_user *user, int64_t now);
int user_store_purge_stale(struct db *db, const char *username, const char *email, int64_t now,
                           int limit);

/* A new confirmation link living until until was sent to the unconfirmed
 * account at email, if any: its confirm_until is raised to it. The statement
 * runs whatever extend is (false: it changes nothing), so that every address
 * costs the same work. */
int user_store_confirm_extend(struct db *db, const char *email, int64_t until, bool extend);

#endif
