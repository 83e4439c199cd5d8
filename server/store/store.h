/* The store: every domain operation on persistent data. Callers never see
 * SQL. A backend (SQLite today, PostgreSQL later) fills one table of
 * function pointers per domain; the inline wrappers in the domain headers
 * (store/users.h, store/projects.h, store/jobs.h ...) call through them.
 *
 * A store is safe to use from many threads at once. */
#ifndef TS_STORE_H
#define TS_STORE_H

#include <stdint.h>

#include "core/error.h"

struct ts_store;
struct ts_store_user_ops;
struct ts_store_project_ops;
struct ts_store_job_ops;
struct ts_store_asset_ops;
struct ts_store_annotation_ops;
struct ts_store_export_ops;
struct ts_store_video_ops;
struct ts_store_member_ops;

struct ts_store_ops {
	const char *name;
	void (*close)(struct ts_store *s);
	enum ts_err (*ping)(struct ts_store *s, struct ts_error *err);
	const struct ts_store_user_ops *users;
	const struct ts_store_project_ops *projects;
	const struct ts_store_job_ops *jobs;
	const struct ts_store_asset_ops *assets;
	const struct ts_store_annotation_ops *annotations;
	const struct ts_store_export_ops *exports;
	const struct ts_store_video_ops *videos;
	const struct ts_store_member_ops *members;
};

struct ts_store {
	const struct ts_store_ops *ops;
	void *impl;
};

/* Opens the store named by url ("sqlite:PATH"; NULL means sqlite in
 * data_dir/tessera.db), applying pending migrations in a transaction.
 * Returns NULL and fills err on failure. Free with ts_store_free. */
struct ts_store *ts_store_open(const char *url, const char *data_dir, struct ts_error *err);
void ts_store_free(struct ts_store *s);

/* The backends ts_store_open picks from. */
struct ts_store *ts_store_sqlite_open(const char *path, struct ts_error *err);

static inline enum ts_err ts_store_ping(struct ts_store *s, struct ts_error *err)
{
	return s->ops->ping(s, err);
}

/* Lowercases ASCII letters and trims ASCII and Unicode-agnostic whitespace:
 * the key used for case-insensitive uniqueness. Caller frees. */
char *ts_store_name_key(const char *name);

#endif
