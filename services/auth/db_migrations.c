#include "db_migrations.h"

/* clang-format off */
const struct db_migration db_migrations[] = {
	{ "users and sessions", {
	[DB_DIALECT_SQLITE] =
		"CREATE TABLE users ("
		"  id INTEGER PRIMARY KEY,"
		"  username TEXT NOT NULL UNIQUE,"
		"  email TEXT NOT NULL UNIQUE COLLATE NOCASE,"
		"  password_hash TEXT NOT NULL,"
		"  created_at INTEGER NOT NULL"
		") STRICT;"
		"CREATE TABLE sessions ("
		"  token_hash BLOB PRIMARY KEY,"
		"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
		"  created_at INTEGER NOT NULL,"
		"  expires_at INTEGER NOT NULL"
		") STRICT;"
		"CREATE INDEX sessions_user ON sessions(user_id);",
	[DB_DIALECT_POSTGRES] =
		"CREATE TABLE users ("
		"  id BIGSERIAL PRIMARY KEY,"
		"  username TEXT NOT NULL CONSTRAINT users_username_key UNIQUE,"
		"  email TEXT NOT NULL,"
		"  password_hash TEXT NOT NULL,"
		"  created_at BIGINT NOT NULL"
		");"
		/* SQLite's COLLATE NOCASE: one account per address, whatever its case */
		"CREATE UNIQUE INDEX users_email_key ON users (lower(email));"
		"CREATE TABLE sessions ("
		"  token_hash BYTEA PRIMARY KEY,"
		"  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
		"  created_at BIGINT NOT NULL,"
		"  expires_at BIGINT NOT NULL"
		");"
		"CREATE INDEX sessions_user ON sessions(user_id);",
	} },
	/* reset links without a fingerprint (minted by the Python original) are
	 * single-use too: spent links are recorded, and earlier ones are told
	 * apart by when the password last changed */
	{ "spent reset links, password_changed_ms", {
	[DB_DIALECT_SQLITE] =
		"ALTER TABLE users ADD COLUMN password_changed_ms INTEGER NOT NULL DEFAULT 0;"
		"CREATE TABLE spent_reset_tokens ("
		"  token_hash BLOB PRIMARY KEY,"
		"  expires_at INTEGER NOT NULL"
		") STRICT;",
	[DB_DIALECT_POSTGRES] =
		"ALTER TABLE users ADD COLUMN password_changed_ms BIGINT NOT NULL DEFAULT 0;"
		"CREATE TABLE spent_reset_tokens ("
		"  token_hash BYTEA PRIMARY KEY,"
		"  expires_at BIGINT NOT NULL"
		");",
	} },
	/* issue 11: the account's language, and confirmed addresses; accounts
	 * made before confirmation was required stay usable (DEFAULT true) */
	{ "users.lang, users.email_confirmed", {
	[DB_DIALECT_SQLITE] =
		"ALTER TABLE users ADD COLUMN lang TEXT;"
		"ALTER TABLE users ADD COLUMN email_confirmed INTEGER NOT NULL DEFAULT 1;",
	[DB_DIALECT_POSTGRES] =
		"ALTER TABLE users ADD COLUMN lang TEXT;"
		"ALTER TABLE users ADD COLUMN email_confirmed BOOLEAN NOT NULL DEFAULT true;",
	} },
	/* usernames unique whatever their case (ASCII letters: SQLite's lower()
	 * folds only those, and translate() does the same on PostgreSQL whatever
	 * the database's collation). An existing database may already hold Bob and
	 * bob: the oldest keeps the key, the others keep none (NULL, which a unique
	 * index allows) and log in by their exact name only */
	{ "case-insensitive usernames", {
	[DB_DIALECT_SQLITE] =
		"ALTER TABLE users ADD COLUMN username_key TEXT;"
		"UPDATE users SET username_key = " DB_SQLITE_USERNAME_KEY("username") " WHERE id IN "
		"  (SELECT min(id) FROM users GROUP BY " DB_SQLITE_USERNAME_KEY("username") ");"
		"CREATE UNIQUE INDEX users_username_key ON users (username_key);",
	[DB_DIALECT_POSTGRES] =
		"ALTER TABLE users ADD COLUMN username_key TEXT;"
		"UPDATE users SET username_key = " DB_PG_USERNAME_KEY("username") " WHERE id IN "
		"  (SELECT min(id) FROM users GROUP BY " DB_PG_USERNAME_KEY("username") ");"
		"CREATE UNIQUE INDEX users_username_lower_key ON users (username_key);",
	} },
	/* stale unconfirmed accounts are deleted (user_store_purge_stale): until
	 * when the latest confirmation link sent to each one lives. Unconfirmed
	 * rows from before get the longest AUTH_CONFIRM_TTL (30 days) after their
	 * creation, which no link of theirs outlived; confirmed ones never need it */
	{ "users.confirm_until", {
	[DB_DIALECT_SQLITE] =
		"ALTER TABLE users ADD COLUMN confirm_until INTEGER NOT NULL DEFAULT 0;"
		"UPDATE users SET confirm_until = created_at + 2592000 WHERE email_confirmed = 0;"
		"CREATE INDEX users_unconfirmed ON users (confirm_until) WHERE email_confirmed = 0;",
	[DB_DIALECT_POSTGRES] =
		"ALTER TABLE users ADD COLUMN confirm_until BIGINT NOT NULL DEFAULT 0;"
		"UPDATE users SET confirm_until = created_at + 2592000 WHERE NOT email_confirmed;"
		"CREATE INDEX users_unconfirmed ON users (confirm_until) WHERE NOT email_confirmed;",
	} },
};
/* clang-format on */

const size_t db_migrations_len = sizeof(db_migrations) / sizeof(db_migrations[0]);
