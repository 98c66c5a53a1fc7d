/* db: the handle on auth's store of users, sessions and spent reset links,
 * whatever the engine: the SQLite file at DATABASE_PATH (the default) or a
 * PostgreSQL server named by DATABASE_URL (db_pg.c). What the store does is in
 * user_store.h and session_store.h; this header opens, migrates and closes it.
 *
 * One struct db per thread (connections are never shared). Ownership:
 * db_open() gives a handle that db_close() frees. Functions return DB_OK or a
 * negative enum db_status.
 */
#ifndef AUTH_DB_H
#define AUTH_DB_H

#include <stdbool.h>
#include <stdint.h>

enum db_status {
	DB_OK = 0,
	DB_NOT_FOUND = -1,
	DB_DUPLICATE_USERNAME = -2,
	DB_DUPLICATE_EMAIL = -3,
	DB_STALE = -4, /* the row changed under us: e.g. the password was already reset */
	DB_ERROR = -5,
};

#define DB_USERNAME_MAX 64
#define DB_EMAIL_MAX    254
#define DB_HASH_MAX     128
#define DB_LANG_MAX     8 /* "en", "zh-CN" */

struct db_user {
	int64_t id;
	char username[DB_USERNAME_MAX + 1];
	char email[DB_EMAIL_MAX + 1];
	char password_hash[DB_HASH_MAX];
	int64_t password_changed_ms; /* when the password was last set (registration, reset) */
	char lang[DB_LANG_MAX]; /* the account's language tag; "" when unknown (older accounts) */
	bool confirmed;         /* the address was confirmed (or needed no confirmation) */
	int64_t confirm_until;  /* unconfirmed: when its latest link dies (s) */
};

/* A new account: what user_store_create() stores. */
struct db_new_user {
	const char *username;
	const char *email;
	const char *hash;
	const char *lang;      /* a tag of lang.h */
	bool confirmed;        /* false: it must follow the mailed link first */
	int64_t confirm_until; /* unconfirmed: when the link mailed with it dies (s) */
};

/* A password change: what user_store_set_password() does besides the hash. */
struct db_password_change {
	bool is_reset;                     /* a new password: ends sessions, stamps the time */
	int64_t now_ms;                    /* the time stamped */
	const unsigned char *token_hash;   /* the reset link used (32 bytes), recorded as spent */
	int64_t token_expires_at;          /* until when that record is kept */
	const unsigned char *keep_session; /* a session (32 bytes) left alive: the one
	                                      that changed the password; NULL: end all */
};

struct db;

/* True when database_url names a PostgreSQL server (postgresql:// or
 * postgres://). NULL or "" is not one: SQLite is used. */
bool db_url_is_postgres(const char *database_url);

/* Opens a connection: to PostgreSQL when database_url names one, else to the
 * SQLite file at database_path (created if needed). NULL on failure, logged. */
struct db *db_open(const char *database_url, const char *database_path);
void db_close(struct db **db);

/* "sqlite" or "postgresql". */
const char *db_engine_name(const struct db *db);

/* Creates or migrates the schema (db_migrations.h), holding the engine's
 * schema lock so that instances starting together do not race. Run once at
 * start, before serving. */
int db_migrate(struct db *db);

/* Does the database answer? */
int db_ping(struct db *db);

#endif
