/* db_sqlite: the SQLite engine of the store (db_engine.h), the default: one
 * file at DATABASE_PATH, one connection per thread (SQLITE_OPEN_NOMUTEX), WAL,
 * a busy timeout, foreign keys on, statements prepared once per connection. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_engine.h"
#include "logger.h"
#include "now.h"
#include "str.h"

#define BUSY_TIMEOUT_MS 5000
/* Each thread's connection caches at most this many KiB of pages (SQLite's
 * default is 2000 KiB): the operating system caches the file once for all of
 * them, and with 4 threads the default cost auth ~2.6 MiB of its 16 MiB budget
 * under bench/run's reset load over 10,000 users. As a string for the PRAGMA. */
#define PAGE_CACHE_KIB "256"

enum stmt_id {
	ST_USER_INSERT,
	ST_USER_BY_NAME,
	ST_USER_BY_EMAIL,
	ST_USER_BY_ID,
	ST_USER_HASH,
	ST_USER_SET_HASH,
	ST_USER_SET_CHANGED,
	ST_USER_SET_LANG,
	ST_USER_CONFIRM,
	ST_USER_PURGE_STALE,
	ST_USER_CONFIRM_EXTEND,
	ST_TOKEN_SPEND,
	ST_TOKEN_SPENT,
	ST_TOKENS_PURGE,
	ST_SESSIONS_END,
	ST_SESSION_INSERT,
	ST_SESSION_GET,
	ST_SESSION_DELETE,
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_COUNT
};

/* The case-insensitive key of the username ?1 (db_migrations.h), and the
 * account it names: whatever the case, the exact name first (an account the
 * migration left without a key, next to its case twin, is found by it). */
#define NAME_KEY DB_SQLITE_USERNAME_KEY("?1")
#define WHERE_NAME \
	"WHERE username = ?1 OR username_key = " NAME_KEY " ORDER BY username = ?1 DESC LIMIT 1"

#define USER_COLUMNS                                                                              \
	"SELECT id, username, email, password_hash, password_changed_ms, lang, email_confirmed, " \
	"confirm_until FROM users "

static const char *const stmt_sql[ST_COUNT] = {
	[ST_USER_INSERT] =
	    "INSERT INTO users (username, email, password_hash, created_at, "
	    "password_changed_ms, lang, email_confirmed, username_key, "
	    "confirm_until) "
	    "VALUES (?1, ?2, ?3, strftime('%s','now'), ?4, ?5, ?6, " NAME_KEY ", ?7)",
	[ST_USER_BY_NAME] = USER_COLUMNS WHERE_NAME,
	[ST_USER_BY_EMAIL] = USER_COLUMNS "WHERE email = ?1 COLLATE NOCASE",
	[ST_USER_BY_ID] = USER_COLUMNS "WHERE id = ?1",
	[ST_USER_HASH] = "SELECT password_hash FROM users WHERE id = ?1",
	[ST_USER_SET_HASH] = "UPDATE users SET password_hash = ?2 WHERE id = ?1",
	/* a new password set through a mailed link proves the address too */
	[ST_USER_SET_CHANGED] = "UPDATE users SET password_changed_ms = ?2, email_confirmed = 1 "
	                        "WHERE id = ?1",
	[ST_USER_SET_LANG] = "UPDATE users SET lang = ?2 WHERE id = ?1",
	[ST_USER_CONFIRM] = "UPDATE users SET email_confirmed = 1 WHERE id = ?1 AND "
	                    "password_hash = ?2 AND email_confirmed = 0",
	/* ?1 username, ?2 email, ?3 cutoff, ?4 how many others at most */
	[ST_USER_PURGE_STALE] =
	    "DELETE FROM users WHERE email_confirmed = 0 AND confirm_until < ?3 "
	    "AND (username = ?1 OR username_key = " NAME_KEY " OR "
	    "email = ?2 COLLATE NOCASE OR id IN (SELECT id FROM users "
	    "WHERE email_confirmed = 0 AND confirm_until < ?3 "
	    "ORDER BY confirm_until LIMIT ?4))",
	[ST_USER_CONFIRM_EXTEND] = "UPDATE users SET confirm_until = max(confirm_until, ?2) "
	                           "WHERE email = ?1 COLLATE NOCASE AND email_confirmed = 0 "
	                           "AND ?3",
	[ST_TOKEN_SPEND] = "INSERT OR IGNORE INTO spent_reset_tokens (token_hash, expires_at) "
	                   "VALUES (?1, ?2)",
	[ST_TOKEN_SPENT] = "SELECT 1 FROM spent_reset_tokens WHERE token_hash = ?1",
	[ST_TOKENS_PURGE] = "DELETE FROM spent_reset_tokens WHERE expires_at < ?1",
	[ST_SESSIONS_END] = "DELETE FROM sessions WHERE user_id = ?1 AND token_hash IS NOT ?2",
	[ST_SESSION_INSERT] = "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) "
	                      "VALUES (?1, ?2, strftime('%s','now'), ?3)",
	[ST_SESSION_GET] = "SELECT user_id FROM sessions WHERE token_hash = ?1 AND expires_at > ?2",
	[ST_SESSION_DELETE] = "DELETE FROM sessions WHERE token_hash = ?1",
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
};

struct lite {
	struct db base;
	sqlite3 *conn;
	sqlite3_stmt *stmt[ST_COUNT];
};

static int exec(struct lite *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db->conn, sql, NULL, NULL, &msg) != SQLITE_OK) {
		LOG_ERROR("db", "statement failed error=\"%s\"", msg ? msg : "?");
		sqlite3_free(msg);
		return DB_ERROR;
	}
	return DB_OK;
}

static void lite_close(struct db *base)
{
	struct lite *db = (struct lite *)base;

	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(db->stmt[i]);
	sqlite3_close(db->conn);
	free(db);
}

static struct db *lite_open(const char *path)
{
	struct lite *db = calloc(1, sizeof(*db));
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;

	if (!db)
		return NULL;
	db->base.ops = &db_sqlite_ops;
	if (sqlite3_open_v2(path, &db->conn, flags, NULL) != SQLITE_OK) {
		LOG_ERROR("db", "cannot open database path=%s error=\"%s\"", path,
		          db->conn ? sqlite3_errmsg(db->conn) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(db->conn, BUSY_TIMEOUT_MS);
	if (exec(db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; "
	             "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-" PAGE_CACHE_KIB ";") != DB_OK)
		goto fail;
	return &db->base;
fail:
	lite_close(&db->base);
	return NULL;
}

/* The prepared statement, reset and unbound, ready for binding. */
static sqlite3_stmt *stmt(struct lite *db, enum stmt_id id)
{
	if (!db->stmt[id] &&
	    sqlite3_prepare_v3(db->conn, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &db->stmt[id],
	                       NULL) != SQLITE_OK) {
		LOG_ERROR("db", "prepare failed error=\"%s\"", sqlite3_errmsg(db->conn));
		return NULL;
	}
	sqlite3_reset(db->stmt[id]);
	sqlite3_clear_bindings(db->stmt[id]);
	return db->stmt[id];
}

static int step_done(struct lite *db, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return DB_OK;
	LOG_ERROR("db", "step failed error=\"%s\"", sqlite3_errmsg(db->conn));
	return DB_ERROR;
}

static int lite_schema_version(struct db *base, int *version)
{
	struct lite *db = (struct lite *)base;
	sqlite3_stmt *s = NULL;
	int rc = DB_ERROR;

	if (exec(db, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);"
	             "INSERT INTO schema_version SELECT 0 WHERE NOT EXISTS "
	             "(SELECT 1 FROM schema_version);") != DB_OK)
		return DB_ERROR;
	if (sqlite3_prepare_v2(db->conn, "SELECT version FROM schema_version", -1, &s, NULL) ==
	        SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW) {
		*version = sqlite3_column_int(s, 0);
		rc = DB_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

static int lite_migrate_step(struct db *base, const char *sql, int version)
{
	struct lite *db = (struct lite *)base;
	char bump[80];

	snprintf(bump, sizeof(bump), "UPDATE schema_version SET version = %d;", version);
	if (exec(db, "BEGIN IMMEDIATE;") != DB_OK)
		return DB_ERROR;
	if (exec(db, sql) != DB_OK || exec(db, bump) != DB_OK) {
		exec(db, "ROLLBACK;");
		return DB_ERROR;
	}
	return exec(db, "COMMIT;");
}

static int lite_ping(struct db *base)
{
	struct lite *db = (struct lite *)base;

	return exec(db, "SELECT 1;");
}

static int lite_user_create(struct db *base, const struct db_new_user *user, int64_t *id)
{
	struct lite *db = (struct lite *)base;
	sqlite3_stmt *s = stmt(db, ST_USER_INSERT);
	int rc;

	if (!s)
		return DB_ERROR;
	sqlite3_bind_text(s, 1, user->username, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, user->email, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, user->hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 4, now_ms());
	sqlite3_bind_text(s, 5, user->lang, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 6, user->confirmed);
	sqlite3_bind_int64(s, 7, user->confirm_until);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE) {
		*id = sqlite3_last_insert_rowid(db->conn);
		return DB_OK;
	}
	if (rc == SQLITE_CONSTRAINT) {
		const char *msg = sqlite3_errmsg(db->conn);

		if (strstr(msg, "users.username"))
			return DB_DUPLICATE_USERNAME;
		if (strstr(msg, "users.email"))
			return DB_DUPLICATE_EMAIL;
	}
	LOG_ERROR("db", "insert user failed error=\"%s\"", sqlite3_errmsg(db->conn));
	return DB_ERROR;
}

static int read_user(struct lite *db, sqlite3_stmt *s, struct db_user *out)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(s, 0);
		text_copy(out->username, sizeof(out->username),
		          (const char *)sqlite3_column_text(s, 1));
		text_copy(out->email, sizeof(out->email), (const char *)sqlite3_column_text(s, 2));
		text_copy(out->password_hash, sizeof(out->password_hash),
		          (const char *)sqlite3_column_text(s, 3));
		out->password_changed_ms = sqlite3_column_int64(s, 4);
		text_copy(out->lang, sizeof(out->lang),
		          sqlite3_column_type(s, 5) == SQLITE_NULL
		              ? ""
		              : (const char *)sqlite3_column_text(s, 5));
		out->confirmed = sqlite3_column_int(s, 6) != 0;
		out->confirm_until = sqlite3_column_int64(s, 7);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return DB_OK;
	if (rc == SQLITE_DONE)
		return DB_NOT_FOUND;
	LOG_ERROR("db", "select user failed error=\"%s\"", sqlite3_errmsg(db->conn));
	return DB_ERROR;
}

static int lite_user_by_username(struct db *base, const char *username, struct db_user *out)
{
	struct lite *db = (struct lite *)base;
	sqlite3_stmt *s = stmt(db, ST_USER_BY_NAME);

	if (!s)
		return DB_ERROR;
	sqlite3_bind_text(s, 1, username, -1, SQLITE_TRANSIENT);
	return read_user(db, s, out);
}

static int lite_user_by_email(struct db *base, const char *email, struct db_user *out)
{
	struct lite *db = (struct lite *)base;
	sqlite3_stmt *s = stmt(db, ST_USER_BY_EMAIL);

	if (!s)
		return DB_ERROR;
	sqlite3_bind_text(s, 1, email, -1, SQLITE_TRANSIENT);
	return read_user(db, s, out);
}

static int lite_user_by_id(struct db *base, int64_t id, struct db_user *out)
{
	struct lite *db = (struct lite *)base;
	sqlite3_stmt *s = stmt(db, ST_USER_BY_ID);

	if (!s)
		return DB_ERROR;
	sqlite3_bind_int64(s, 1, id);
	return read_user(db, s, out);
}

static int run_simple(struct lite *db, enum stmt_id id)
{
	sqlite3_stmt *s = stmt(db, id);

	return s ? step_done(db, s) : DB_ERROR;
}

/* Inside the transaction: is the stored hash still old_hash? */
static int hash_unchanged(struct lite *db, int64_t id, const char *old_hash)
{
	sqlite3_stmt *s = stmt(db, ST_USER_HASH);
	int rc, same;

	if (!s)
		return DB_ERROR;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	same = rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(s, 0), old_hash) == 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return DB_ERROR;
	return same ? DB_OK : DB_STALE;
}

static int bind_run(struct lite *db, enum stmt_id id, int64_t a, const void *blob, int64_t b)
{
	sqlite3_stmt *s = stmt(db, id);

	if (!s)
		return DB_ERROR;
	if (blob)
		sqlite3_bind_blob(s, 1, blob, 32, SQLITE_TRANSIENT);
	else
		sqlite3_bind_int64(s, 1, a);
	sqlite3_bind_int64(s, 2, b);
	return step_done(db, s);
}

/* Every session of the user but keep (NULL: all). */
static int end_sessions(struct lite *db, int64_t id, const unsigned char *keep)
{
	sqlite3_stmt *s = stmt(db, ST_SESSIONS_END);

	if (!s)
		return DB_ERROR;
	sqlite3_bind_int64(s, 1, id);
	if (keep)
		sqlite3_bind_blob(s, 2, keep, 32, SQLITE_TRANSIENT);
	return step_done(db, s);
}

/* Inside the transaction: what a reset does besides the new hash. */
static int apply_change(struct lite *db, int64_t id, const struct db_password_change *change)
{
	if (bind_run(db, ST_USER_SET_CHANGED, id, NULL, change->now_ms) != DB_OK)
		return DB_ERROR;
	if (change->token_hash &&
	    (bind_run(db, ST_TOKEN_SPEND, 0, change->token_hash, change->token_expires_at) !=
	         DB_OK ||
	     bind_run(db, ST_TOKENS_PURGE, change->now_ms / 1000, NULL, 0) != DB_OK))
		return DB_ERROR;
	return end_sessions(db, id, change->keep_session);
}

static int lite_user_set_password(struct db *base, int64_t id, const char *old_hash,
                                  const char *new_hash, const struct db_password_change *change)
{
	struct lite *db = (struct lite *)base;
	sqlite3_stmt *s;
	int rc;

	if (run_simple(db, ST_BEGIN) != DB_OK)
		return DB_ERROR;
	rc = hash_unchanged(db, id, old_hash);
	if (rc != DB_OK)
		goto rollback;
	s = stmt(db, ST_USER_SET_HASH);
	rc = DB_ERROR;
	if (!s)
		goto rollback;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, new_hash, -1, SQLITE_TRANSIENT);
	if (step_done(db, s) != DB_OK)
		goto rollback;
	if (change && apply_change(db, id, change) != DB_OK)
		goto rollback;
	return run_simple(db, ST_COMMIT);
rollback:
	run_simple(db, ST_ROLLBACK);
	return rc;
}

static int lite_user_set_lang(struct db *base, int64_t id, const char *lang)
{
	struct lite *db = (struct lite *)base;
	sqlite3_stmt *s = stmt(db, ST_USER_SET_LANG);

	if (!s)
		return DB_ERROR;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, lang, -1, SQLITE_TRANSIENT);
	return step_done(db, s);
}

static int lite_user_confirm(struct db *base, int64_t id, const char *hash)
{
	struct lite *db = (struct lite *)base;
	sqlite3_stmt *s = stmt(db, ST_USER_CONFIRM);

	if (!s)
		return DB_ERROR;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, hash, -1, SQLITE_TRANSIENT);
	if (step_done(db, s) != DB_OK)
		return DB_ERROR;
	return sqlite3_changes(db->conn) == 1 ? DB_OK : DB_STALE;
}

static int lite_user_purge_stale(struct db *base, const char *username, const char *email,
                                 int64_t cutoff, int limit)
{
	struct lite *db = (struct lite *)base;
	sqlite3_stmt *s = stmt(db, ST_USER_PURGE_STALE);

	if (!s)
		return DB_ERROR;
	sqlite3_bind_text(s, 1, username, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, email, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, cutoff);
	sqlite3_bind_int(s, 4, limit);
	return step_done(db, s);
}

static int lite_user_confirm_extend(struct db *base, const char *email, int64_t until, bool extend)
{
	struct lite *db = (struct lite *)base;
	sqlite3_stmt *s = stmt(db, ST_USER_CONFIRM_EXTEND);

	if (!s)
		return DB_ERROR;
	sqlite3_bind_text(s, 1, email, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, until);
	sqlite3_bind_int(s, 3, extend);
	return step_done(db, s);
}

static int lite_reset_token_spent(struct db *base, const unsigned char token_hash[32])
{
	struct lite *db = (struct lite *)base;
	sqlite3_stmt *s = stmt(db, ST_TOKEN_SPENT);
	int rc;

	if (!s)
		return DB_ERROR;
	sqlite3_bind_blob(s, 1, token_hash, 32, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return DB_OK;
	return rc == SQLITE_DONE ? DB_NOT_FOUND : DB_ERROR;
}

static int lite_session_create(struct db *base, const unsigned char token_hash[32], int64_t user_id,
                               int64_t expires_at)
{
	struct lite *db = (struct lite *)base;
	sqlite3_stmt *s = stmt(db, ST_SESSION_INSERT);

	if (!s)
		return DB_ERROR;
	sqlite3_bind_blob(s, 1, token_hash, 32, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, user_id);
	sqlite3_bind_int64(s, 3, expires_at);
	return step_done(db, s);
}

static int lite_session_user(struct db *base, const unsigned char token_hash[32], int64_t now,
                             int64_t *user_id)
{
	struct lite *db = (struct lite *)base;
	sqlite3_stmt *s = stmt(db, ST_SESSION_GET);
	int rc;

	if (!s)
		return DB_ERROR;
	sqlite3_bind_blob(s, 1, token_hash, 32, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, now);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*user_id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return DB_OK;
	return rc == SQLITE_DONE ? DB_NOT_FOUND : DB_ERROR;
}

static int lite_session_delete(struct db *base, const unsigned char token_hash[32])
{
	struct lite *db = (struct lite *)base;
	sqlite3_stmt *s = stmt(db, ST_SESSION_DELETE);

	if (!s)
		return DB_ERROR;
	sqlite3_bind_blob(s, 1, token_hash, 32, SQLITE_TRANSIENT);
	return step_done(db, s);
}

const struct db_ops db_sqlite_ops = {
	.name = "sqlite",
	.dialect = DB_DIALECT_SQLITE,
	.open = lite_open,
	.close = lite_close,
	.ping = lite_ping,
	.schema_version = lite_schema_version,
	.migrate_step = lite_migrate_step,
	.user_create = lite_user_create,
	.user_by_username = lite_user_by_username,
	.user_by_email = lite_user_by_email,
	.user_by_id = lite_user_by_id,
	.user_set_password = lite_user_set_password,
	.user_set_lang = lite_user_set_lang,
	.user_confirm = lite_user_confirm,
	.user_purge_stale = lite_user_purge_stale,
	.user_confirm_extend = lite_user_confirm_extend,
	.reset_token_spent = lite_reset_token_spent,
	.session_create = lite_session_create,
	.session_user = lite_session_user,
	.session_delete = lite_session_delete,
};
