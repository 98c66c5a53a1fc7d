/* db_engine: what an engine of the store provides (STYLE rule 3a). Each engine
 * fills a const struct db_ops in its own file (db_sqlite.c, db_pg.c) and embeds
 * struct db as the first member of its handle; db.c chooses the engine once,
 * from the configuration, and the store modules call through the table.
 * Shared behaviour (the migration loop) lives in db.c, above the table.
 * Only db.c, user_store.c and session_store.c include this header.
 */
#ifndef AUTH_DB_ENGINE_H
#define AUTH_DB_ENGINE_H

#include "db.h"
#include "db_migrations.h"

struct db_ops {
	const char *name;
	enum db_dialect dialect; /* which SQL of each migration this engine runs */
	/* target: the path (SQLite) or the URL (PostgreSQL). NULL on failure, logged. */
	struct db *(*open)(const char *target);
	void (*close)(struct db *db);
	int (*ping)(struct db *db);
	/* Held across the whole migration; SQLite needs none (NULL). */
	int (*lock_schema)(struct db *db);
	void (*unlock_schema)(struct db *db);
	/* Creates the version table when missing and reads the version. */
	int (*schema_version)(struct db *db, int *version);
	/* Runs one migration's SQL and records the version, in one transaction. */
	int (*migrate_step)(struct db *db, const char *sql, int version);

	int (*user_create)(struct db *db, const struct db_new_user *user, int64_t *id);
	int (*user_by_username)(struct db *db, const char *username, struct db_user *out);
	int (*user_by_email)(struct db *db, const char *email, struct db_user *out);
	int (*user_by_id)(struct db *db, int64_t id, struct db_user *out);
	int (*user_set_password)(struct db *db, int64_t id, const char *old_hash,
	                         const char *new_hash, const struct db_password_change *change);
	int (*user_set_lang)(struct db *db, int64_t id, const char *lang);
	/* DB_OK when it flipped from unconfirmed, DB_STALE when it had not the hash
	 * or was confirmed already. */
	int (*user_confirm)(struct db *db, int64_t id, const char *hash);
	/* user_store_purge_stale(): the unconfirmed accounts whose confirm_until
	 * is below cutoff and that hold username or email, and at most limit more. */
	int (*user_purge_stale)(struct db *db, const char *username, const char *email,
	                        int64_t cutoff, int limit);
	/* user_store_confirm_extend(): confirm_until raised to until (never
	 * lowered) for the unconfirmed account at email, when extend is true. */
	int (*user_confirm_extend)(struct db *db, const char *email, int64_t until, bool extend);
	/* DB_OK when spent, DB_NOT_FOUND when not, DB_ERROR when it cannot tell. */
	int (*reset_token_spent)(struct db *db, const unsigned char token_hash[32]);
	int (*session_create)(struct db *db, const unsigned char token_hash[32], int64_t user_id,
	                      int64_t expires_at);
	int (*session_user)(struct db *db, const unsigned char token_hash[32], int64_t now,
	                    int64_t *user_id);
	int (*session_delete)(struct db *db, const unsigned char token_hash[32]);
};

struct db {
	const struct db_ops *ops;
};

extern const struct db_ops db_sqlite_ops;
extern const struct db_ops db_pg_ops;

#endif
