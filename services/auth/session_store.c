#include "session_store.h"

#include "db_engine.h"

int session_store_create(struct db *db, const unsigned char token_hash[32], int64_t user_id,
                         int64_t expires_at)
{
	return db->ops->session_create(db, token_hash, user_id, expires_at);
}

int session_store_user(struct db *db, const unsigned char token_hash[32], int64_t now,
                       int64_t *user_id)
{
	return db->ops->session_user(db, token_hash, now, user_id);
}

int session_store_delete(struct db *db, const unsigned char token_hash[32])
{
	return db->ops->session_delete(db, token_hash);
}

bool session_store_reset_token_spent(struct db *db, const unsigned char token_hash[32])
{
	return db->ops->reset_token_spent(db, token_hash) != DB_NOT_FOUND;
}
