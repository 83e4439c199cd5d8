/* Internals shared by the SQLite backend's files; nothing outside
 * server/store/sqlite includes this. */
#ifndef TS_STORE_SQLITE_H
#define TS_STORE_SQLITE_H

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

/* The patterns every store file shares. Statements are cached ones from
 * ts_sq_prepare; none of these takes or gives back a connection except
 * ts_sq_end. */

/* The SQL of the id for a new row of table: one above both its highest id
 * and the highest id it ever deleted (id_floors, migration 013), so an id is
 * never given twice. Only inside a write transaction. */
#define TS_SQ_NEXT_ID(table)                                                          \
	"(SELECT max(coalesce((SELECT max(id) FROM " table "), 0), "                  \
	"coalesce((SELECT last_id FROM id_floors WHERE name = '" table "'), 0)) + 1)"

/* Integers to bind as ?1..?n: TS_SQ_I64(a, b, c) expands to the array and
 * its length, the two arguments that the _i64 helpers take. */
#define TS_SQ_I64(...)                        \
	(const int64_t[]){ __VA_ARGS__ },     \
	(int)(sizeof((const int64_t[]){ __VA_ARGS__ }) / sizeof(int64_t))

/* ts_sq_prepare, then binds args[0..n-1] to ?1..?n. NULL and err filled
 * when the statement cannot be prepared. */
sqlite3_stmt *ts_sq_prepare_i64(struct ts_sq_conn *c, const char *sql, const int64_t *args,
				int n, struct ts_error *err);
/* ts_sq_prepare_i64, then runs the statement to its end (ts_sq_exec_stmt). */
enum ts_err ts_sq_exec_i64(struct ts_sq_conn *c, const char *sql, const int64_t *args, int n,
			   struct ts_error *err);

/* Steps st once. A row: TS_OK, *found = 1, st left on the row for the
 * caller to read and then reset. No row: TS_OK, *found = 0. A database
 * error: ts_sq_fail(what). st is reset unless it stands on a row. */
enum ts_err ts_sq_step(struct ts_sq_conn *c, sqlite3_stmt *st, int *found, const char *what,
		       struct ts_error *err);
/* ts_sq_step for a row that must exist: no row gives TS_ERR_NOT_FOUND with
 * not_found_code and the formatted message. */
enum ts_err ts_sq_step_row(struct ts_sq_conn *c, sqlite3_stmt *st, const char *what,
			   struct ts_error *err, const char *not_found_code, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Steps st to its one row and stores column 0 in *out; resets st. No row
 * is a database error (what). A NULL st (a failed prepare, err filled)
 * gives TS_ERR_IO, here and in ts_sq_collect. */
enum ts_err ts_sq_scalar_i64(struct ts_sq_conn *c, sqlite3_stmt *st, int64_t *out,
			     const char *what, struct ts_error *err);

/* TS_OK when project id exists; TS_ERR_NOT_FOUND "project_not_found"
 * otherwise. */
enum ts_err ts_sq_project_exists(struct ts_sq_conn *c, int64_t id, struct ts_error *err);
/* Begins a transaction (a write one when write is set) and checks in it
 * that the project exists, so what follows sees the same project. */
enum ts_err ts_sq_begin_in_project(struct ts_sq_conn *c, int write, int64_t project_id,
				   struct ts_error *err);

/* Binds a reference to a row (a user id): NULL when id <= 0 (none). */
int ts_sq_bind_ref(sqlite3_stmt *st, int idx, int64_t id);

/* Reads the row st stands on into *out, a zeroed element of the caller's
 * type. */
typedef void (*ts_sq_read_fn)(sqlite3_stmt *st, void *out);
/* A ts_sq_read_fn for an int64_t element: column 0. */
void ts_sq_read_i64(sqlite3_stmt *st, void *out);

/* Rows read by ts_sq_collect: items is a malloc'd array of n elements (NULL
 * when n is 0), owned by the caller. */
struct ts_sq_rows {
	void *items;
	size_t n;
};
/* Steps st to its end, or until it has read max rows when max > 0, reading
 * each row with read into a new zeroed element of elem_size bytes; resets
 * st. On a database error (what) rows still holds the elements read so
 * far, for the caller to release as it would on success. */
enum ts_err ts_sq_collect(struct ts_sq_conn *c, sqlite3_stmt *st, size_t elem_size,
			  ts_sq_read_fn read, size_t max, struct ts_sq_rows *rows, const char *what,
			  struct ts_error *err);

/* Ends an operation on c: commits its open transaction when e is TS_OK,
 * rolls it back otherwise, and gives c back to the pool. Returns e, or the
 * commit's error. Without an open transaction it only gives c back. */
enum ts_err ts_sq_end(struct ts_store *s, struct ts_sq_conn *c, enum ts_err e,
		      struct ts_error *err);

/* ts_sq_end for an operation that read rows: returns the rows' array and
 * sets *n on success; frees them and gives NULL and 0 when *e, or the
 * commit, failed (*e then holds the error). */
void *ts_sq_end_rows(struct ts_store *s, struct ts_sq_conn *c, enum ts_err *e,
		     struct ts_sq_rows *rows, size_t *n, struct ts_error *err);

/* Inserts a queued job of kind for ref_id (inside the caller's
 * transaction, so the job appears with what it works on); *id receives its
 * id when id is not NULL. */
enum ts_err ts_sq_job_insert(struct ts_sq_conn *c, const char *kind, int64_t ref_id, int64_t now,
			     int64_t *id, struct ts_error *err);

/* qsort comparison of int64_t values, ascending. */
int ts_sq_cmp_i64(const void *a, const void *b);

extern const struct ts_store_user_ops ts_sq_user_ops;
extern const struct ts_store_project_ops ts_sq_project_ops;
extern const struct ts_store_job_ops ts_sq_job_ops;
extern const struct ts_store_asset_ops ts_sq_asset_ops;
extern const struct ts_store_annotation_ops ts_sq_annotation_ops;
extern const struct ts_store_export_ops ts_sq_export_ops;
extern const struct ts_store_video_ops ts_sq_video_ops;
extern const struct ts_store_member_ops ts_sq_member_ops;
extern const struct ts_store_model_ops ts_sq_model_ops;
extern const struct ts_store_import_ops ts_sq_import_ops;

/* Appends to a project's audit history inside the caller's write
 * transaction. sql is a static INSERT INTO project_events whose ?1 is the
 * project, ?2 the author (by; NULL when 0), ?3 the time; args bind ?4 on,
 * then texts (each may be NULL) after them. */
enum ts_err ts_sq_project_event(struct ts_sq_conn *c, const char *sql, int64_t project_id,
				int64_t by, const int64_t *args, int n, const char *const *texts,
				int ntexts, struct ts_error *err);

/* Soft delete (deleted != 0) or restore of an asset inside the caller's
 * write transaction (store_trash.c); the asset's project in *project_id.
 * Nothing changes when it is in that state already. */
enum ts_err ts_sq_asset_set_deleted_c(struct ts_sq_conn *c, int64_t id, int deleted, int64_t by,
				      int64_t *project_id, struct ts_error *err);
enum ts_err ts_sq_asset_set_deleted(struct ts_store *s, int64_t id, int deleted, int64_t by,
				    int64_t *project_id, struct ts_error *err);
/* The asset ops lease_next, lease_renew, lease_release (store_leases.c). */
enum ts_err ts_sq_lease_next(struct ts_store *s, int64_t project_id, int64_t user_id,
			     const char *queue, int n, int64_t now, int64_t ttl_ms, int64_t **ids,
			     size_t *n_ids, struct ts_error *err);
enum ts_err ts_sq_lease_renew(struct ts_store *s, int64_t project_id, int64_t user_id,
			      int64_t now, int64_t ttl_ms, struct ts_error *err);
enum ts_err ts_sq_lease_release(struct ts_store *s, int64_t user_id, int64_t asset_id,
				struct ts_error *err);
struct ts_project;
/* A project, deleted or not, inside the caller's transaction
 * (store_projects.c). NOT_FOUND "project_not_found". */
enum ts_err ts_sq_project_get_c(struct ts_sq_conn *c, int64_t id, struct ts_project *out,
				struct ts_error *err);
/* The project op set_deleted (store_trash.c). */
enum ts_err ts_sq_project_set_deleted(struct ts_store *s, int64_t id, int deleted, int64_t by,
				      struct ts_project *out, struct ts_error *err);
/* The export op set_deleted (store_trash.c). */
enum ts_err ts_sq_export_set_deleted(struct ts_store *s, int64_t id, int64_t by, int *changed,
				     struct ts_error *err);

#endif
