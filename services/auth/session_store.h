/* session_store: login sessions, stored by the SHA-256 of their cookie token,
 * and the reset links already spent (recorded by user_store_set_password()).
 * Calls go to the engine behind the struct db handle (db.h). Functions return
 * DB_OK or a negative enum db_status.
 */
#ifndef AUTH_SESSION_STORE_H
#define AUTH_SESSION_STORE_H

#include "db.h"

int session_store_create(struct db *db, const unsigned char token_hash[32], int64_t user_id,
                         int64_t expires_at);
/* DB_OK with *user_id set when the session exists and has not expired. */
int session_store_user(struct db *db, const unsigned char token_hash[32], int64_t now,
                       int64_t *user_id);
int session_store_delete(struct db *db, const unsigned char token_hash[32]);

/* True when this reset link (the SHA-256 of the token) was already used, and
 * when the store cannot tell (refuse rather than reuse). */
bool session_store_reset_token_spent(struct db *db, const unsigned char token_hash[32]);

#endif
