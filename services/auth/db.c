#include "db.h"

#include <string.h>

#include "db_engine.h"
#include "logger.h"

bool db_url_is_postgres(const char *url)
{
	return url &&
	       (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0);
}

struct db *db_open(const char *database_url, const char *database_path)
{
	if (db_url_is_postgres(database_url))
		return db_pg_ops.open(database_url);
	return db_sqlite_ops.open(database_path);
}

void db_close(struct db **dbp)
{
	if (!*dbp)
		return;
	(*dbp)->ops->close(*dbp);
	*dbp = NULL;
}

const char *db_engine_name(const struct db *db)
{
	return db->ops->name;
}

static int migrate_locked(struct db *db)
{
	int version = 0, n = (int)db_migrations_len;

	if (db->ops->schema_version(db, &version) != DB_OK)
		return DB_ERROR;
	if (version > n) {
		LOG_ERROR("db", "schema is newer than this program version=%d known=%d", version,
		          n);
		return DB_ERROR;
	}
	for (; version < n; version++) {
		const struct db_migration *m = &db_migrations[version];

		if (db->ops->migrate_step(db, m->sql[db->ops->dialect], version + 1) != DB_OK)
			return DB_ERROR;
		LOG_INFO("db", "migrated schema engine=%s version=%d what=\"%s\"", db->ops->name,
		         version + 1, m->what);
	}
	return DB_OK;
}

int db_migrate(struct db *db)
{
	int rc;

	if (db->ops->lock_schema && db->ops->lock_schema(db) != DB_OK)
		return DB_ERROR;
	rc = migrate_locked(db);
	if (db->ops->unlock_schema)
		db->ops->unlock_schema(db);
	return rc;
}

int db_ping(struct db *db)
{
	return db->ops->ping(db);
}
