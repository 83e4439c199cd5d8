/* The PostgreSQL schema migrations: the same numbered steps as the SQLite
 * backend's (store/sqlite/migrations.h), in PostgreSQL's dialect, applied in
 * order inside one transaction each (generated from
 * server/store/postgres/migrations/NNN_name.sql). */
#ifndef TS_PG_MIGRATIONS_H
#define TS_PG_MIGRATIONS_H

#include "store/sqlite/migrations.h"

extern const struct ts_migration ts_pg_migrations[];
extern const int ts_pg_migrations_count;

#endif
