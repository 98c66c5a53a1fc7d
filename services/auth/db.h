/* db: the SQLite store of users and sessions.
 *
 * One struct db per thread (SQLite connections are never shared), opened with
 * WAL, a busy timeout and foreign keys on; the schema is created and migrated
 * by db_migrate() once at start (a schema_version table). Statements are
 * prepared once per connection. Ownership: db_open() gives a handle that
 * db_close() frees. Functions return DB_OK or a negative enum db_status.
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

struct db_user {
	int64_t id;
	char username[DB_USERNAME_MAX + 1];
	char email[DB_EMAIL_MAX + 1];
	char password_hash[DB_HASH_MAX];
	int64_t password_changed_ms; /* when the password was last set (registration, reset) */
};

struct db;

/* Opens (creating the file if needed). NULL on failure, logged. */
struct db *db_open(const char *path);
void db_close(struct db **db);

/* Creates or migrates the schema. Run once at start, before serving. */
int db_migrate(struct db *db);

/* SELECT 1: does the database answer? */
int db_ping(struct db *db);

int db_user_create(struct db *db, const char *username, const char *email, const char *hash,
                   int64_t *id);
int db_user_by_username(struct db *db, const char *username, struct db_user *out);
/* Case-insensitive match; out->email is the address as stored. */
int db_user_by_email(struct db *db, const char *email, struct db_user *out);
int db_user_by_id(struct db *db, int64_t id, struct db_user *out);

/* A password change: what db_user_set_password() does besides the hash. */
struct db_password_change {
	bool is_reset;                   /* a new password: ends sessions, stamps the time */
	int64_t now_ms;                  /* the time stamped */
	const unsigned char *token_hash; /* the reset link used (32 bytes), recorded as spent */
	int64_t token_expires_at;        /* until when that record is kept */
};

/* Replaces the hash if the current one is still old_hash (compare-and-set),
 * in one IMMEDIATE transaction with what change asks for. NULL change: a
 * rehash of the same password (login). DB_STALE when the hash had already
 * changed. */
int db_user_set_password(struct db *db, int64_t id, const char *old_hash, const char *new_hash,
                         const struct db_password_change *change);

/* True when this reset link (the SHA-256 of the token) was already used. */
bool db_reset_token_spent(struct db *db, const unsigned char token_hash[32]);

/* Sessions are stored by the SHA-256 of their cookie token. */
int db_session_create(struct db *db, const unsigned char token_hash[32], int64_t user_id,
                      int64_t expires_at);
/* DB_OK with *user_id set when the session exists and has not expired. */
int db_session_user(struct db *db, const unsigned char token_hash[32], int64_t now,
                    int64_t *user_id);
int db_session_delete(struct db *db, const unsigned char token_hash[32]);

#endif
