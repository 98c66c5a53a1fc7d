#include "user_store.h"

#include "db_engine.h"

int user_store_create(struct db *db, const struct db_new_user *user, int64_t *id)
{
	return db->ops->user_create(db, user, id);
}

int user_store_by_username(struct db *db, const char *username, struct db_user *out)
{
	return db->ops->user_by_username(db, username, out);
}

int user_store_by_email(struct db *db, const char *email, struct db_user *out)
{
	return db->ops->user_by_email(db, email, out);
}

int user_store_by_id(struct db *db, int64_t id, struct db_user *out)
{
	return db->ops->user_by_id(db, id, out);
}

int user_store_set_password(struct db *db, int64_t id, const char *old_hash, const char *new_hash,
                            const struct db_password_change *change)
{
	return db->ops->user_set_password(db, id, old_hash, new_hash, change);
}

int user_store_set_lang(struct db *db, int64_t id, const char *lang)
{
	return db->ops->user_set_lang(db, id, lang);
}

int user_store_confirm(struct db *db, int64_t id, const char *hash)
{
	return db->ops->user_confirm(db, id, hash);
}

bool user_store_is_stale(const struct db_user *user, int64_t now)
{
	return !user->confirmed && user->confirm_until < now - USER_STORE_STALE_GRACE_S;
}

int user_store_purge_stale(struct db *db, const char *username, const char *email, int64_t now,
                           int limit)
{
	return db->ops->user_purge_stale(db, username, email, now - USER_STORE_STALE_GRACE_S,
	                                 limit);
}

int user_store_confirm_extend(struct db *db, const char *email, int64_t until, bool extend)
{
	return db->ops->user_confirm_extend(db, email, until, extend);
}
