/* db_migrations: the numbered schema migrations, one table for every engine.
 * Migration i (from 0) moves the schema from version i to i + 1; each row holds
 * the same change in each engine's SQL dialect. Append only: a released
 * migration is never edited. Static data; nothing to free.
 */
#ifndef AUTH_DB_MIGRATIONS_H
#define AUTH_DB_MIGRATIONS_H

#include <stddef.h>

enum db_dialect { DB_DIALECT_SQLITE, DB_DIALECT_POSTGRES, DB_DIALECT_COUNT };

struct db_migration {
	const char *what; /* one line, logged when applied */
	const char *sql[DB_DIALECT_COUNT];
};

/* The case-insensitive key of a username in each dialect, as SQL around the
 * expression x: ASCII letters lowered, every other byte kept (the same fold as
 * login_limit_key()). PostgreSQL's lower() would follow the database's
 * collation and fold more than SQLite's; translate() folds exactly these. */
#define DB_SQLITE_USERNAME_KEY(x) "lower(" x ")"
#define DB_PG_USERNAME_KEY(x) \
	"translate(" x ", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"

extern const struct db_migration db_migrations[];
extern const size_t db_migrations_len;

#endif
