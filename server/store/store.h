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
struct ts_store_model_ops;
struct ts_store_import_ops;

/* A transaction: the operations of a port that take one run inside it,
 * and nothing they did is seen by others until it commits. At most one
 * write transaction runs at a time (others wait in begin), so what a writer
 * reads stays true until it commits: a revision checked inside one cannot
 * change under it. Never begin a second transaction on a thread that holds
 * one. */
struct ts_store_tx {
	struct ts_store *store;
	void *impl;
};

struct ts_store_ops {
	const char *name;
	void (*close)(struct ts_store *s);
	enum ts_err (*ping)(struct ts_store *s, struct ts_error *err);
	/* write: a write transaction (waits for the running one), else a
	 * read snapshot. */
	enum ts_err (*begin)(struct ts_store *s, int write, struct ts_store_tx *tx,
			     struct ts_error *err);
	/* Both end the transaction, whatever the outcome. */
	enum ts_err (*commit)(struct ts_store_tx *tx, struct ts_error *err);
	void (*rollback)(struct ts_store_tx *tx);
	const struct ts_store_user_ops *users;
	const struct ts_store_project_ops *projects;
	const struct ts_store_job_ops *jobs;
	const struct ts_store_asset_ops *assets;
	const struct ts_store_annotation_ops *annotations;
	const struct ts_store_export_ops *exports;
	const struct ts_store_video_ops *videos;
	const struct ts_store_member_ops *members;
	const struct ts_store_model_ops *models;
	const struct ts_store_import_ops *imports;
};

struct ts_store {
	const struct ts_store_ops *ops;
	void *impl;
};

/* Opens the store named by url ("sqlite:PATH", or "postgresql://..." in
 * libpq's URI form; NULL means sqlite in data_dir/tessera.db), applying pending migrations in a transaction.
 * Returns NULL and fills err on failure. Free with ts_store_free. */
struct ts_store *ts_store_open(const char *url, const char *data_dir, struct ts_error *err);
void ts_store_free(struct ts_store *s);

/* The backends ts_store_open picks from. */
struct ts_store *ts_store_sqlite_open(const char *path, struct ts_error *err);
struct ts_store *ts_store_pg_open(const char *url, struct ts_error *err);

static inline enum ts_err ts_store_ping(struct ts_store *s, struct ts_error *err)
{
	return s->ops->ping(s, err);
}

static inline enum ts_err ts_store_begin(struct ts_store *s, int write, struct ts_store_tx *tx,
					 struct ts_error *err)
{
	return s->ops->begin(s, write, tx, err);
}
static inline enum ts_err ts_store_commit(struct ts_store_tx *tx, struct ts_error *err)
{
	return tx->store->ops->commit(tx, err);
}
static inline void ts_store_rollback(struct ts_store_tx *tx)
{
	tx->store->ops->rollback(tx);
}
/* Ends tx: commits it when e is TS_OK, rolls it back otherwise. Returns e,
 * or the commit's error. */
static inline enum ts_err ts_store_end(struct ts_store_tx *tx, enum ts_err e,
				       struct ts_error *err)
{
	if (e) {
		ts_store_rollback(tx);
		return e;
	}
	return ts_store_commit(tx, err);
}

/* Lowercases ASCII letters and trims ASCII and Unicode-agnostic whitespace:
 * the key used for case-insensitive uniqueness. Caller frees. */
char *ts_store_name_key(const char *name);

/* "%text%" with text's %, _ and \ escaped by \, a LIKE pattern (ESCAPE
 * '\', PostgreSQL's default) of the text anywhere; NULL for no text. out
 * holds size bytes: a text longer than (size - 3) / 2 bytes is cut. */
const char *ts_store_like_pattern(const char *text, char *out, size_t size);

#endif
