/* Internals shared by the SQLite backend's files; nothing outside
 * server/store includes this. */
#ifndef TS_SQLITE_INT_H
#define TS_SQLITE_INT_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

#define TS_SQ_STMT_CACHE 128

/* One connection with its cache of prepared statements, keyed by the
 * address of the SQL string (all SQL is static text in this module). */
struct ts_sq_conn {
	sqlite3 *db;
	const char *keys[TS_SQ_STMT_CACHE];
	sqlite3_stmt *stmts[TS_SQ_STMT_CACHE];
	int in_use;
	struct ts_sq *owner;
	int writing; /* holds owner->write_lock (inside ts_sq_begin_write) */
};

struct ts_sq {
	char *path;
	pthread_mutex_t lock;
	pthread_cond_t freed;
	/* Serialises write transactions inside the process, so writers queue
	 * on a mutex (woken at once) rather than on SQLite's busy handler
	 * (which sleeps up to 100 ms between tries). Never acquire a second
	 * connection while holding it. */
	pthread_mutex_t write_lock;
	int nconn;
	struct ts_sq_conn *conns;
	/* WAL checkpoints run here, off the commit path (auto-checkpoint is
	 * off on every pooled connection): a commit never waits for one. */
	sqlite3 *ckpt_db;
	pthread_t ckpt_thread;
	int ckpt_started;
	int ckpt_stop;
	pthread_cond_t ckpt_wake;
};

/* Borrow a connection from the pool (blocks while all are busy). */
struct ts_sq_conn *ts_sq_acquire(struct ts_store *s);
void ts_sq_release(struct ts_store *s, struct ts_sq_conn *c);

/* A cached prepared statement, reset and with bindings cleared.
 * sql must be a string with static storage. Returns NULL and fills err. */
sqlite3_stmt *ts_sq_prepare(struct ts_sq_conn *c, const char *sql, struct ts_error *err);

/* Transactions. begin_write takes the process's write lock and then the
 * database's (BEGIN IMMEDIATE) so concurrent writers queue instead of
 * deadlocking; commit and rollback release both. */
enum ts_err ts_sq_begin_write(struct ts_sq_conn *c, struct ts_error *err);
enum ts_err ts_sq_begin_read(struct ts_sq_conn *c, struct ts_error *err);
enum ts_err ts_sq_commit(struct ts_sq_conn *c, struct ts_error *err);
void ts_sq_rollback(struct ts_sq_conn *c);

/* Runs a statement expecting SQLITE_DONE. */
enum ts_err ts_sq_exec_stmt(struct ts_sq_conn *c, sqlite3_stmt *st, struct ts_error *err);
/* Fills err from the connection's last error; returns TS_ERR_IO, or
 * TS_ERR_CONFLICT for constraint violations. */
enum ts_err ts_sq_fail(struct ts_sq_conn *c, struct ts_error *err, const char *what);

/* Column helpers: a copy of a text column (caller frees; "" for NULL). */
char *ts_sq_text(sqlite3_stmt *st, int col);
/* Copies a text column into a fixed buffer (truncating). */
void ts_sq_text_to(sqlite3_stmt *st, int col, char *out, size_t outlen);

int ts_sq_bind_text(sqlite3_stmt *st, int idx, const char *s);

extern const struct ts_store_user_ops ts_sq_user_ops;
extern const struct ts_store_project_ops ts_sq_project_ops;
extern const struct ts_store_job_ops ts_sq_job_ops;
extern const struct ts_store_asset_ops ts_sq_asset_ops;
extern const struct ts_store_annotation_ops ts_sq_annotation_ops;
extern const struct ts_store_export_ops ts_sq_export_ops;
extern const struct ts_store_video_ops ts_sq_video_ops;

#endif
