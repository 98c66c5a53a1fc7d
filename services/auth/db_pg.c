/* db_pg: the PostgreSQL engine of the store (db_engine.h), chosen when
 * DATABASE_URL is a postgresql:// or postgres:// URI (libpq's syntax). One
 * connection per thread, statements prepared once per connection, every write
 * a single statement in autocommit (so a password reset is one compare-and-set
 * across all instances). A connection found broken (the server restarted) is
 * re-made and the statement sent once more, so the next request succeeds. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_engine.h"
#include "logger.h"
#include "now.h"
#include "str.h"

/* Any constant: the key of the advisory lock held while migrating. */
#define SCHEMA_LOCK_KEY   "7210231147"
#define CONNECT_TIMEOUT_S "5" /* when DATABASE_URL sets none */
#define INT_TEXT_MAX      24  /* a decimal int64 and its NUL */

enum pg_stmt {
	PG_USER_INSERT,
	PG_USER_BY_NAME,
	PG_USER_BY_EMAIL,
	PG_USER_BY_ID,
	PG_USER_REHASH,
	PG_USER_RESET,
	PG_USER_SET_LANG,
	PG_USER_CONFIRM,
	PG_USER_PURGE_STALE,
	PG_USER_CONFIRM_EXTEND,
	PG_TOKEN_SPENT,
	PG_SESSION_INSERT,
	PG_SESSION_GET,
	PG_SESSION_DELETE,
	PG_PING,
	PG_COUNT
};

/* The case-insensitive key of the username $1 (db_migrations.h), and the
 * account it names: whatever the case, the exact name first (an account the
 * migration left without a key, next to its case twin, is found by it). */
#define NAME_KEY DB_PG_USERNAME_KEY("$1")
#define WHERE_NAME \
	"WHERE username = $1 OR username_key = " NAME_KEY " ORDER BY username = $1 DESC LIMIT 1"
#define USER_COLUMNS                                                                           \
	"SELECT id, username, email, password_hash, password_changed_ms, coalesce(lang, ''), " \
	"email_confirmed, confirm_until FROM users "

static const struct {
	const char *name;
	const char *sql;
	int nparams;
} pg_stmts[PG_COUNT] = {
	[PG_USER_INSERT] = { "user_insert",
	                     "INSERT INTO users (username, email, password_hash, created_at, "
	                     "password_changed_ms, lang, email_confirmed, username_key, "
	                     "confirm_until) VALUES ($1, $2, "
	                     "$3, extract(epoch FROM now())::bigint, $4, $5, $6, " NAME_KEY ", $7) "
	                     "RETURNING id",
	                     7 },
	[PG_USER_BY_NAME] = { "user_by_name", USER_COLUMNS WHERE_NAME, 1 },
	[PG_USER_BY_EMAIL] = { "user_by_email", USER_COLUMNS "WHERE lower(email) = lower($1)", 1 },
	[PG_USER_BY_ID] = { "user_by_id", USER_COLUMNS "WHERE id = $1", 1 },
	/* a rehash at login: compare-and-set on the old hash */
	[PG_USER_REHASH] = { "user_rehash",
	                     "UPDATE users SET password_hash = $3 WHERE id = $1 AND "
	                     "password_hash = $2",
	                     3 },
	/* a new password, in one statement: the compare-and-set on the old hash
	 * (a concurrent one waits for the row, then finds the hash changed and
	 * updates nothing), and only if it won: the time stamped, the reset link
	 * recorded as spent, expired records purged, the user's sessions ended */
	[PG_USER_RESET] = { "user_reset",
	                    "WITH u AS (UPDATE users SET password_hash = $3, "
	                    "password_changed_ms = $4, email_confirmed = true "
	                    "WHERE id = $1 AND password_hash = $2 "
	                    "RETURNING id), "
	                    "t AS (INSERT INTO spent_reset_tokens (token_hash, expires_at) "
	                    "SELECT $5::bytea, $6::bigint FROM u WHERE $5::bytea IS NOT NULL "
	                    "ON CONFLICT DO NOTHING), "
	                    "p AS (DELETE FROM spent_reset_tokens WHERE expires_at < $7 "
	                    "AND $5::bytea IS NOT NULL AND EXISTS (SELECT 1 FROM u)), "
	                    "s AS (DELETE FROM sessions WHERE user_id IN (SELECT id FROM u) "
	                    "AND ($8::bytea IS NULL OR token_hash <> $8::bytea)) "
	                    "SELECT count(*) FROM u",
	                    8 },
	[PG_USER_SET_LANG] = { "user_set_lang", "UPDATE users SET lang = $2 WHERE id = $1", 2 },
	[PG_USER_CONFIRM] = { "user_confirm",
	                      "UPDATE users SET email_confirmed = true WHERE id = $1 AND "
	                      "password_hash = $2 AND NOT email_confirmed",
	                      2 },
	/* $1 username, $2 email, $3 cutoff, $4 how many others at most; a row
	 * confirmed meanwhile is rechecked after its lock and kept */
	[PG_USER_PURGE_STALE] = { "user_purge_stale",
	                          "DELETE FROM users WHERE NOT email_confirmed AND "
	                          "confirm_until < $3 AND (username = $1 OR username_key "
	                          "= " NAME_KEY
	                          " OR lower(email) = lower($2) OR id IN (SELECT id FROM users "
	                          "WHERE NOT email_confirmed AND confirm_until < $3 "
	                          "ORDER BY confirm_until LIMIT $4))",
	                          4 },
	[PG_USER_CONFIRM_EXTEND] = { "user_confirm_extend",
	                             "UPDATE users SET confirm_until = greatest(confirm_until, $2) "
	                             "WHERE lower(email) = lower($1) AND NOT email_confirmed "
	                             "AND $3::boolean",
	                             3 },
	[PG_TOKEN_SPENT] = { "token_spent",
	                     "SELECT 1 FROM spent_reset_tokens WHERE token_hash = $1", 1 },
	[PG_SESSION_INSERT] = { "session_insert",
	                        "INSERT INTO sessions (token_hash, user_id, created_at, "
	                        "expires_at) "
	                        "VALUES ($1, $2, extract(epoch FROM now())::bigint, $3)",
	                        3 },
	[PG_SESSION_GET] = { "session_get",
	                     "SELECT user_id FROM sessions WHERE token_hash = $1 AND expires_at > "
	                     "$2",
	                     2 },
	[PG_SESSION_DELETE] = { "session_delete", "DELETE FROM sessions WHERE token_hash = $1", 1 },
	[PG_PING] = { "ping", "SELECT 1", 0 },
};

struct pg {
	struct db base;
	PGconn *conn;
	char *url;
	bool prepared[PG_COUNT];
};

/* The parameters of one statement: text, or binary for the 32-byte hashes. */
struct pg_params {
	int n;
	const char *values[8];
	int lengths[8];
	int formats[8];
	char ints[8][INT_TEXT_MAX];
};

static void param_text(struct pg_params *p, const char *s)
{
	p->values[p->n] = s;
	p->lengths[p->n] = 0;
	p->formats[p->n++] = 0;
}

static void param_int(struct pg_params *p, int64_t v)
{
	snprintf(p->ints[p->n], INT_TEXT_MAX, "%lld", (long long)v);
	param_text(p, p->ints[p->n]);
}

/* A 32-byte hash, or SQL NULL when hash is NULL. */
static void param_hash(struct pg_params *p, const unsigned char *hash)
{
	p->values[p->n] = (const char *)hash;
	p->lengths[p->n] = hash ? 32 : 0;
	p->formats[p->n++] = 1;
}

static void pg_disconnect(struct pg *db)
{
	PQfinish(db->conn);
	db->conn = NULL;
	memset(db->prepared, 0, sizeof(db->prepared));
}

static int pg_connect(struct pg *db)
{
	/* defaults first: the URL's own parameters override them */
	const char *const keys[] = { "connect_timeout", "application_name", "dbname", NULL };
	const char *const values[] = { CONNECT_TIMEOUT_S, "auth", db->url, NULL };

	pg_disconnect(db);
	db->conn = PQconnectdbParams(keys, values, 1);
	if (db->conn && PQstatus(db->conn) == CONNECTION_OK)
		return DB_OK;
	/* the message names host and port, never the password */
	LOG_ERROR("db", "cannot connect to postgresql error=\"%s\"",
	          db->conn ? PQerrorMessage(db->conn) : "out of memory");
	pg_disconnect(db);
	return DB_ERROR;
}

static void pg_close(struct db *base)
{
	struct pg *db = (struct pg *)base;

	pg_disconnect(db);
	free(db->url);
	free(db);
}

static struct db *pg_open(const char *url)
{
	struct pg *db = calloc(1, sizeof(*db));

	if (!db)
		return NULL;
	db->base.ops = &db_pg_ops;
	db->url = text_dup(url);
	if (!db->url || pg_connect(db) != DB_OK) {
		pg_close(&db->base);
		return NULL;
	}
	return &db->base;
}

static bool result_ok(const PGresult *r)
{
	ExecStatusType st = PQresultStatus(r);

	return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

static PGresult *run_once(struct pg *db, enum pg_stmt id, const struct pg_params *p)
{
	PGresult *r;

	if (!db->conn)
		return NULL;
	if (!db->prepared[id]) {
		r = PQprepare(db->conn, pg_stmts[id].name, pg_stmts[id].sql, pg_stmts[id].nparams,
		              NULL);
		if (!result_ok(r))
			return r;
		PQclear(r);
		db->prepared[id] = true;
	}
	return PQexecPrepared(db->conn, pg_stmts[id].name, p ? p->n : 0, p ? p->values : NULL,
	                      p ? p->lengths : NULL, p ? p->formats : NULL, 0);
}

/* Runs a prepared statement. When the connection turns out broken (a server
 * restart, a dropped link) it is re-made and the statement sent once more.
 * Returns the result, failed or not, to PQclear(); NULL without a connection. */
static PGresult *run_raw(struct pg *db, enum pg_stmt id, const struct pg_params *p)
{
	PGresult *r = run_once(db, id, p);

	if (!result_ok(r) && (!db->conn || PQstatus(db->conn) == CONNECTION_BAD)) {
		PQclear(r);
		LOG_WARN("db", "postgresql connection lost, reconnecting");
		r = pg_connect(db) == DB_OK ? run_once(db, id, p) : NULL;
	}
	return r;
}

static void log_failure(enum pg_stmt id, const PGresult *r)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

	LOG_ERROR("db", "statement failed name=%s sqlstate=%s error=\"%s\"", pg_stmts[id].name,
	          state ? state : "-", r ? PQresultErrorMessage(r) : "no connection");
}

/* run_raw(), keeping only success: NULL after logging the failure. */
static PGresult *run(struct pg *db, enum pg_stmt id, const struct pg_params *p)
{
	PGresult *r = run_raw(db, id, p);

	if (result_ok(r))
		return r;
	log_failure(id, r);
	PQclear(r);
	return NULL;
}

/* run() for a statement whose rows do not matter: DB_OK or DB_ERROR, logged. */
static int run_done(struct pg *db, enum pg_stmt id, const struct pg_params *p)
{
	PGresult *r = run(db, id, p);

	PQclear(r);
	return r ? DB_OK : DB_ERROR;
}

/* A plain (unprepared) command for migrations; DB_OK or DB_ERROR, logged. */
static int pg_exec(struct pg *db, const char *sql)
{
	PGresult *r = db->conn ? PQexec(db->conn, sql) : NULL;
	int rc = result_ok(r) ? DB_OK : DB_ERROR;

	if (rc != DB_OK)
		LOG_ERROR("db", "statement failed error=\"%s\"",
		          r ? PQresultErrorMessage(r) : "no connection");
	PQclear(r);
	return rc;
}

static int64_t int_at(const PGresult *r, int row, int col)
{
	return (int64_t)strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static int pg_ping(struct db *base)
{
	PGresult *r = run((struct pg *)base, PG_PING, NULL);

	PQclear(r);
	return r ? DB_OK : DB_ERROR;
}

static int pg_lock_schema(struct db *base)
{
	struct pg *db = (struct pg *)base;

	return pg_exec(db, "SELECT pg_advisory_lock(" SCHEMA_LOCK_KEY ")");
}

static void pg_unlock_schema(struct db *base)
{
	struct pg *db = (struct pg *)base;

	pg_exec(db, "SELECT pg_advisory_unlock(" SCHEMA_LOCK_KEY ")");
}

static int pg_schema_version(struct db *base, int *version)
{
	struct pg *db = (struct pg *)base;
	PGresult *r;
	int rc = DB_ERROR;

	if (pg_exec(db, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);"
	                "INSERT INTO schema_version SELECT 0 WHERE NOT EXISTS "
	                "(SELECT 1 FROM schema_version);") != DB_OK)
		return DB_ERROR;
	r = PQexec(db->conn, "SELECT version FROM schema_version");
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
		*version = (int)int_at(r, 0, 0);
		rc = DB_OK;
	}
	PQclear(r);
	return rc;
}

static int pg_migrate_step(struct db *base, const char *sql, int version)
{
	struct pg *db = (struct pg *)base;
	char bump[80];

	snprintf(bump, sizeof(bump), "UPDATE schema_version SET version = %d", version);
	if (pg_exec(db, "BEGIN") != DB_OK)
		return DB_ERROR;
	if (pg_exec(db, sql) != DB_OK || pg_exec(db, bump) != DB_OK) {
		pg_exec(db, "ROLLBACK");
		return DB_ERROR;
	}
	return pg_exec(db, "COMMIT");
}

/* A unique violation on insert, told apart by the constraint's name. */
static int duplicate_kind(const PGresult *r)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	const char *name = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);

	if (!state || strcmp(state, "23505") != 0 || !name)
		return DB_ERROR;
	if (strcmp(name, "users_username_key") == 0 ||
	    strcmp(name, "users_username_lower_key") == 0)
		return DB_DUPLICATE_USERNAME;
	if (strcmp(name, "users_email_key") == 0)
		return DB_DUPLICATE_EMAIL;
	return DB_ERROR;
}

static int pg_user_create(struct db *base, const struct db_new_user *user, int64_t *id)
{
	struct pg *db = (struct pg *)base;
	struct pg_params p = { 0 };
	PGresult *r;
	int rc;

	param_text(&p, user->username);
	param_text(&p, user->email);
	param_text(&p, user->hash);
	param_int(&p, now_ms());
	param_text(&p, user->lang);
	param_text(&p, user->confirmed ? "true" : "false");
	param_int(&p, user->confirm_until);
	r = run_raw(db, PG_USER_INSERT, &p);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
		*id = int_at(r, 0, 0);
		PQclear(r);
		return DB_OK;
	}
	rc = duplicate_kind(r);
	if (rc == DB_ERROR)
		log_failure(PG_USER_INSERT, r);
	PQclear(r);
	return rc;
}

static int read_user(struct pg *db, enum pg_stmt id, const struct pg_params *p, struct db_user *out)
{
	PGresult *r = run(db, id, p);
	int rc = DB_NOT_FOUND;

	if (!r)
		return DB_ERROR;
	if (PQntuples(r) == 1) {
		out->id = int_at(r, 0, 0);
		text_copy(out->username, sizeof(out->username), PQgetvalue(r, 0, 1));
		text_copy(out->email, sizeof(out->email), PQgetvalue(r, 0, 2));
		text_copy(out->password_hash, sizeof(out->password_hash), PQgetvalue(r, 0, 3));
		out->password_changed_ms = int_at(r, 0, 4);
		text_copy(out->lang, sizeof(out->lang), PQgetvalue(r, 0, 5));
		out->confirmed = PQgetvalue(r, 0, 6)[0] == 't';
		out->confirm_until = int_at(r, 0, 7);
		rc = DB_OK;
	}
	PQclear(r);
	return rc;
}

static int pg_user_by_username(struct db *base, const char *username, struct db_user *out)
{
	struct pg_params p = { 0 };

	param_text(&p, username);
	return read_user((struct pg *)base, PG_USER_BY_NAME, &p, out);
}

static int pg_user_by_email(struct db *base, const char *email, struct db_user *out)
{
	struct pg_params p = { 0 };

	param_text(&p, email);
	return read_user((struct pg *)base, PG_USER_BY_EMAIL, &p, out);
}

static int pg_user_by_id(struct db *base, int64_t id, struct db_user *out)
{
	struct pg_params p = { 0 };

	param_int(&p, id);
	return read_user((struct pg *)base, PG_USER_BY_ID, &p, out);
}

static int pg_user_set_password(struct db *base, int64_t id, const char *old_hash,
                                const char *new_hash, const struct db_password_change *change)
{
	struct pg_params p = { 0 };
	enum pg_stmt st = change ? PG_USER_RESET : PG_USER_REHASH;
	PGresult *r;
	bool won;

	param_int(&p, id);
	param_text(&p, old_hash);
	param_text(&p, new_hash);
	if (change) {
		param_int(&p, change->now_ms);
		param_hash(&p, change->token_hash);
		param_int(&p, change->token_expires_at);
		param_int(&p, change->now_ms / 1000);
		param_hash(&p, change->keep_session);
	}
	r = run((struct pg *)base, st, &p);
	if (!r)
		return DB_ERROR;
	if (change)
		won = PQntuples(r) == 1 && int_at(r, 0, 0) == 1;
	else
		won = strcmp(PQcmdTuples(r), "1") == 0;
	PQclear(r);
	return won ? DB_OK : DB_STALE;
}

static int pg_user_set_lang(struct db *base, int64_t id, const char *lang)
{
	struct pg_params p = { 0 };

	param_int(&p, id);
	param_text(&p, lang);
	return run_done((struct pg *)base, PG_USER_SET_LANG, &p);
}

static int pg_user_confirm(struct db *base, int64_t id, const char *hash)
{
	struct pg_params p = { 0 };
	PGresult *r;
	bool won;

	param_int(&p, id);
	param_text(&p, hash);
	r = run((struct pg *)base, PG_USER_CONFIRM, &p);
	if (!r)
		return DB_ERROR;
	won = strcmp(PQcmdTuples(r), "1") == 0;
	PQclear(r);
	return won ? DB_OK : DB_STALE;
}

static int pg_user_purge_stale(struct db *base, const char *username, const char *email,
                               int64_t cutoff, int limit)
{
	struct pg_params p = { 0 };

	param_text(&p, username);
	param_text(&p, email);
	param_int(&p, cutoff);
	param_int(&p, limit);
	return run_done((struct pg *)base, PG_USER_PURGE_STALE, &p);
}

static int pg_user_confirm_extend(struct db *base, const char *email, int64_t until, bool extend)
{
	struct pg_params p = { 0 };

	param_text(&p, email);
	param_int(&p, until);
	param_text(&p, extend ? "true" : "false");
	return run_done((struct pg *)base, PG_USER_CONFIRM_EXTEND, &p);
}

static int pg_reset_token_spent(struct db *base, const unsigned char token_hash[32])
{
	struct pg_params p = { 0 };
	PGresult *r;
	int rc;

	param_hash(&p, token_hash);
	r = run((struct pg *)base, PG_TOKEN_SPENT, &p);
	if (!r)
		return DB_ERROR;
	rc = PQntuples(r) > 0 ? DB_OK : DB_NOT_FOUND;
	PQclear(r);
	return rc;
}

static int pg_session_create(struct db *base, const unsigned char token_hash[32], int64_t user_id,
                             int64_t expires_at)
{
	struct pg_params p = { 0 };

	param_hash(&p, token_hash);
	param_int(&p, user_id);
	param_int(&p, expires_at);
	return run_done((struct pg *)base, PG_SESSION_INSERT, &p);
}

static int pg_session_user(struct db *base, const unsigned char token_hash[32], int64_t now,
                           int64_t *user_id)
{
	struct pg_params p = { 0 };
	PGresult *r;
	int rc = DB_NOT_FOUND;

	param_hash(&p, token_hash);
	param_int(&p, now);
	r = run((struct pg *)base, PG_SESSION_GET, &p);
	if (!r)
		return DB_ERROR;
	if (PQntuples(r) == 1) {
		*user_id = int_at(r, 0, 0);
		rc = DB_OK;
	}
	PQclear(r);
	return rc;
}

static int pg_session_delete(struct db *base, const unsigned char token_hash[32])
{
	struct pg_params p = { 0 };

	param_hash(&p, token_hash);
	return run_done((struct pg *)base, PG_SESSION_DELETE, &p);
}

const struct db_ops db_pg_ops = {
	.name = "postgresql",
	.dialect = DB_DIALECT_POSTGRES,
	.open = pg_open,
	.close = pg_close,
	.ping = pg_ping,
	.lock_schema = pg_lock_schema,
	.unlock_schema = pg_unlock_schema,
	.schema_version = pg_schema_version,
	.migrate_step = pg_migrate_step,
	.user_create = pg_user_create,
	.user_by_username = pg_user_by_username,
	.user_by_email = pg_user_by_email,
	.user_by_id = pg_user_by_id,
	.user_set_password = pg_user_set_password,
	.user_set_lang = pg_user_set_lang,
	.user_confirm = pg_user_confirm,
	.user_purge_stale = pg_user_purge_stale,
	.user_confirm_extend = pg_user_confirm_extend,
	.reset_token_spent = pg_reset_token_spent,
	.session_create = pg_session_create,
	.session_user = pg_session_user,
	.session_delete = pg_session_delete,
};
