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

#endif
