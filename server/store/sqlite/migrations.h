/* The schema migrations, numbered and applied in order inside one
 * transaction each (generated from server/store/sqlite/migrations/NNN_name.sql). */
#ifndef TS_MIGRATIONS_H
#define TS_MIGRATIONS_H

struct ts_migration {
	const char *name; /* "001_foundation": the number orders them */
	const char *sql;
};

extern const struct ts_migration ts_migrations[];
extern const int ts_migrations_count;

#endif
