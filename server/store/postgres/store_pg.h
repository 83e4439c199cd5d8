/* Internals shared by the PostgreSQL backend's files; nothing outside
 * server/store/postgres includes this.
 *
 * The backend's files are written against a small statement interface
 * (ts_pg_stmt) that keeps the shape of the SQLite backend's: a statement is
 * prepared once per connection (PQprepare) from static SQL whose parameters
 * are written ?, ?N or $N, parameters are bound by position, and rows are
 * read by stepping. Every value travels as text; integers are bound as int8
 * so that the server infers nothing from the text. */
#ifndef TS_STORE_PG_H
#define TS_STORE_PG_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

#define TS_PG_STMT_CACHE 160
#define TS_PG_MAXP 32

/* What ts_pg_next returns, and what ts_pg_col_type says of a NULL. */
#define TS_PG_ROW 100
#define TS_PG_DONE 101
#define TS_PG_ERROR 1
#define TS_PG_NULL 5

struct ts_pg_conn;

/* A prepared statement of one connection, with its bound parameters and
 * the rows of its last run. */
struct ts_pg_stmt {
	const char *key;     /* the static SQL it was made from */
	char *sql;           /* that SQL with $N parameters */
	char name[24];       /* the server-side prepared statement */
	char sig[TS_PG_MAXP + 1]; /* parameter types it was prepared with */
	int nparams;
	int writes;          /* an INSERT, UPDATE or DELETE */
	char types[TS_PG_MAXP]; /* 'i' int8, 'd' float8, 't' text, 'n' NULL */
	char ints[TS_PG_MAXP][24];
	char *texts[TS_PG_MAXP];
	PGresult *res;       /* the rows of the last run, NULL before it */
	int row, nrows;
	struct ts_pg_conn *conn;
};

/* One connection with its prepared statements, keyed by the address of the
 * SQL string (all SQL is static text in this module). */
struct ts_pg_conn {
	PGconn *db;
	const char *keys[TS_PG_STMT_CACHE];
	struct ts_pg_stmt *stmts[TS_PG_STMT_CACHE];
	int nnames;
	int in_use;
	struct ts_pg *owner;
	int writing; /* holds owner->write_lock (inside ts_pg_begin_write) */
	int64_t changes; /* rows the last statement changed */
	int64_t last_id; /* the id the last INSERT ... RETURNING id gave */
	char sqlstate[6];  /* of the last error */
	char errmsg[512];
};

struct ts_pg {
	char *url;
	pthread_mutex_t lock;
	pthread_cond_t freed;
	/* Serialises write transactions inside the process; across processes
	 * a transaction-scoped advisory lock does (ts_pg_begin_write). */
	pthread_mutex_t write_lock;
	int nconn;
	struct ts_pg_conn *conns;
	/* Jobs (store_jobs.c): this store's name on the jobs it runs, how
	 * long a lease lasts, and how many it runs now. A thread renews their
	 * leases; another listens for jobs enqueued by any process. */
	char owner[40];
	int64_t lease_ms;
	int running;
	PGconn *life; /* holds the advisory lock that says this store lives */
	pthread_cond_t tick;
	int stop;
	pthread_t renewer;
	int renewer_started;
	pthread_t listener;
	int listener_started;
	void (*wake)(void *ctx, const char *kind);
	void *wake_ctx;
};

/* Starts and stops the thread that renews this store's job leases
 * (store_jobs.c); stop also stops the listener. */
void ts_pg_jobs_start(struct ts_store *s);
void ts_pg_jobs_stop(struct ts_store *s);
/* A transaction without the write lock (READ COMMITTED), for statements
 * whose row locks are all the exclusion they need. */
enum ts_err ts_pg_begin_plain(struct ts_pg_conn *c, struct ts_error *err);

/* Borrow a connection from the pool (blocks while all are busy). */
struct ts_pg_conn *ts_pg_acquire(struct ts_store *s);
void ts_pg_release(struct ts_store *s, struct ts_pg_conn *c);

/* A cached prepared statement, reset and with bindings cleared.
 * sql must be a string with static storage. Returns NULL and fills err. */
struct ts_pg_stmt *ts_pg_prepare(struct ts_pg_conn *c, const char *sql, struct ts_error *err);

/* Binding (idx from 1) and reading (col from 0), as sqlite3_bind_* and
 * sqlite3_column_* do. */
int ts_pg_bind_i64(struct ts_pg_stmt *st, int idx, int64_t v);
int ts_pg_bind_double(struct ts_pg_stmt *st, int idx, double v);
int ts_pg_bind_null(struct ts_pg_stmt *st, int idx);
int ts_pg_bind_text(struct ts_pg_stmt *st, int idx, const char *s);
int64_t ts_pg_col_i64(struct ts_pg_stmt *st, int col);
int ts_pg_col_int(struct ts_pg_stmt *st, int col);
double ts_pg_col_double(struct ts_pg_stmt *st, int col);
/* NULL for a NULL value. */
const unsigned char *ts_pg_col_text(struct ts_pg_stmt *st, int col);
/* The number of columns of the last run's rows. */
int ts_pg_col_count(struct ts_pg_stmt *st);
/* TS_PG_NULL for a NULL value, else 1. */
int ts_pg_col_type(struct ts_pg_stmt *st, int col);
/* Runs st when it has not run since its last reset, then moves to its
 * next row: TS_PG_ROW, TS_PG_DONE, or TS_PG_ERROR (the error is kept on
 * the connection for ts_pg_fail). */
int ts_pg_next(struct ts_pg_stmt *st);
/* Forgets the rows of the last run (the bindings stay). */
void ts_pg_reset(struct ts_pg_stmt *st);
/* Rows changed by the last INSERT, UPDATE or DELETE on c. */
int64_t ts_pg_changes(struct ts_pg_conn *c);
/* The id of the row the last INSERT ... RETURNING id on c made. */
int64_t ts_pg_last_id(struct ts_pg_conn *c);
/* Whether c is inside a transaction. */
int ts_pg_in_tx(struct ts_pg_conn *c);

/* Transactions. begin_write takes the process's write lock and then the
 * database's (an advisory transaction lock) so concurrent writers queue instead of
 * deadlocking; commit and rollback release both. */
enum ts_err ts_pg_begin_write(struct ts_pg_conn *c, struct ts_error *err);
enum ts_err ts_pg_begin_read(struct ts_pg_conn *c, struct ts_error *err);
enum ts_err ts_pg_commit(struct ts_pg_conn *c, struct ts_error *err);
void ts_pg_rollback(struct ts_pg_conn *c);

/* Runs a statement to its end. */
enum ts_err ts_pg_exec_stmt(struct ts_pg_conn *c, struct ts_pg_stmt *st, struct ts_error *err);
/* Fills err from the connection's last error; returns TS_ERR_IO, or
 * TS_ERR_CONFLICT for constraint violations. */
enum ts_err ts_pg_fail(struct ts_pg_conn *c, struct ts_error *err, const char *what);


/* Column helpers: a copy of a text column (caller frees; "" for NULL). */
char *ts_pg_text(struct ts_pg_stmt *st, int col);
/* Copies a text column into a fixed buffer (truncating). */
void ts_pg_text_to(struct ts_pg_stmt *st, int col, char *out, size_t outlen);

/* The patterns every store file shares. Statements are cached ones from
 * ts_pg_prepare; none of these takes or gives back a connection except
 * ts_pg_end. */

/* The SQL of the id for a new row of table: one above both its highest id
 * and the highest id it ever deleted (id_floors, migration 013), so an id is
 * never given twice. Only inside a write transaction. */
#define TS_PG_NEXT_ID(table)                                                          \
	"(SELECT greatest(coalesce((SELECT max(id) FROM " table "), 0), "                  \
	"coalesce((SELECT last_id FROM id_floors WHERE name = '" table "'), 0)) + 1)"

/* Integers to bind as ?1..?n: TS_PG_I64(a, b, c) expands to the array and
 * its length, the two arguments that the _i64 helpers take. */
#define TS_PG_I64(...)                        \
	(const int64_t[]){ __VA_ARGS__ },     \
	(int)(sizeof((const int64_t[]){ __VA_ARGS__ }) / sizeof(int64_t))

/* ts_pg_prepare, then binds args[0..n-1] to ?1..?n. NULL and err filled
 * when the statement cannot be prepared. */
struct ts_pg_stmt *ts_pg_prepare_i64(struct ts_pg_conn *c, const char *sql, const int64_t *args,
				int n, struct ts_error *err);
/* ts_pg_prepare_i64, then runs the statement to its end (ts_pg_exec_stmt). */
enum ts_err ts_pg_exec_i64(struct ts_pg_conn *c, const char *sql, const int64_t *args, int n,
			   struct ts_error *err);

/* Steps st once. A row: TS_OK, *found = 1, st left on the row for the
 * caller to read and then reset. No row: TS_OK, *found = 0. A database
 * error: ts_pg_fail(what). st is reset unless it stands on a row. */
enum ts_err ts_pg_step(struct ts_pg_conn *c, struct ts_pg_stmt *st, int *found, const char *what,
		       struct ts_error *err);
/* ts_pg_step for a row that must exist: no row gives TS_ERR_NOT_FOUND with
 * not_found_code and the formatted message. */
enum ts_err ts_pg_step_row(struct ts_pg_conn *c, struct ts_pg_stmt *st, const char *what,
			   struct ts_error *err, const char *not_found_code, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Steps st to its one row and stores column 0 in *out; resets st. No row
 * is a database error (what). A NULL st (a failed prepare, err filled)
 * gives TS_ERR_IO, here and in ts_pg_collect. */
enum ts_err ts_pg_scalar_i64(struct ts_pg_conn *c, struct ts_pg_stmt *st, int64_t *out,
			     const char *what, struct ts_error *err);

/* TS_OK when project id exists; TS_ERR_NOT_FOUND "project_not_found"
 * otherwise. */
enum ts_err ts_pg_project_exists(struct ts_pg_conn *c, int64_t id, struct ts_error *err);
/* Begins a transaction (a write one when write is set) and checks in it
 * that the project exists, so what follows sees the same project. */
enum ts_err ts_pg_begin_in_project(struct ts_pg_conn *c, int write, int64_t project_id,
				   struct ts_error *err);

/* Binds a reference to a row (a user id): NULL when id <= 0 (none). */
int ts_pg_bind_ref(struct ts_pg_stmt *st, int idx, int64_t id);

/* Reads the row st stands on into *out, a zeroed element of the caller's
 * type. */
typedef void (*ts_pg_read_fn)(struct ts_pg_stmt *st, void *out);
/* A ts_pg_read_fn for an int64_t element: column 0. */
void ts_pg_read_i64(struct ts_pg_stmt *st, void *out);

/* Rows read by ts_pg_collect: items is a malloc'd array of n elements (NULL
 * when n is 0), owned by the caller. */
struct ts_pg_rows {
	void *items;
	size_t n;
};
/* Steps st to its end, or until it has read max rows when max > 0, reading
 * each row with read into a new zeroed element of elem_size bytes; resets
 * st. On a database error (what) rows still holds the elements read so
 * far, for the caller to release as it would on success. */
enum ts_err ts_pg_collect(struct ts_pg_conn *c, struct ts_pg_stmt *st, size_t elem_size,
			  ts_pg_read_fn read, size_t max, struct ts_pg_rows *rows, const char *what,
			  struct ts_error *err);

/* Ends an operation on c: commits its open transaction when e is TS_OK,
 * rolls it back otherwise, and gives c back to the pool. Returns e, or the
 * commit's error. Without an open transaction it only gives c back. */
enum ts_err ts_pg_end(struct ts_store *s, struct ts_pg_conn *c, enum ts_err e,
		      struct ts_error *err);

/* ts_pg_end for an operation that read rows: returns the rows' array and
 * sets *n on success; frees them and gives NULL and 0 when *e, or the
 * commit, failed (*e then holds the error). */
void *ts_pg_end_rows(struct ts_store *s, struct ts_pg_conn *c, enum ts_err *e,
		     struct ts_pg_rows *rows, size_t *n, struct ts_error *err);

/* Inserts a queued job of kind for ref_id (inside the caller's
 * transaction, so the job appears with what it works on); *id receives its
 * id when id is not NULL. */
enum ts_err ts_pg_job_insert(struct ts_pg_conn *c, const char *kind, int64_t ref_id, int64_t now,
			     int64_t *id, struct ts_error *err);

/* qsort comparison of int64_t values, ascending. */
int ts_pg_cmp_i64(const void *a, const void *b);

extern const struct ts_store_user_ops ts_pg_user_ops;
extern const struct ts_store_project_ops ts_pg_project_ops;
extern const struct ts_store_job_ops ts_pg_job_ops;
extern const struct ts_store_asset_ops ts_pg_asset_ops;
extern const struct ts_store_annotation_ops ts_pg_annotation_ops;
extern const struct ts_store_export_ops ts_pg_export_ops;
extern const struct ts_store_video_ops ts_pg_video_ops;
extern const struct ts_store_member_ops ts_pg_member_ops;
extern const struct ts_store_model_ops ts_pg_model_ops;
extern const struct ts_store_import_ops ts_pg_import_ops;

/* Appends to a project's audit history inside the caller's write
 * transaction. sql is a static INSERT INTO project_events whose ?1 is the
 * project, ?2 the author (by; NULL when 0), ?3 the time; args bind ?4 on,
 * then texts (each may be NULL) after them. */
enum ts_err ts_pg_project_event(struct ts_pg_conn *c, const char *sql, int64_t project_id,
				int64_t by, const int64_t *args, int n, const char *const *texts,
				int ntexts, struct ts_error *err);

/* Soft delete (deleted != 0) or restore of an asset inside the caller's
 * write transaction (store_trash.c); the asset's project in *project_id.
 * Nothing changes when it is in that state already. */
enum ts_err ts_pg_asset_set_deleted_c(struct ts_pg_conn *c, int64_t id, int deleted, int64_t by,
				      int64_t *project_id, struct ts_error *err);
enum ts_err ts_pg_asset_set_deleted(struct ts_store *s, int64_t id, int deleted, int64_t by,
				    int64_t *project_id, struct ts_error *err);
/* The asset ops lease_next, lease_renew, lease_release (store_leases.c). */
enum ts_err ts_pg_lease_next(struct ts_store *s, int64_t project_id, int64_t user_id,
			     const char *queue, int n, int64_t now, int64_t ttl_ms, int64_t **ids,
			     size_t *n_ids, struct ts_error *err);
enum ts_err ts_pg_lease_renew(struct ts_store *s, int64_t project_id, int64_t user_id,
			      int64_t now, int64_t ttl_ms, struct ts_error *err);
enum ts_err ts_pg_lease_release(struct ts_store *s, int64_t user_id, int64_t asset_id,
				struct ts_error *err);
struct ts_project;
/* A project, deleted or not, inside the caller's transaction
 * (store_projects.c). NOT_FOUND "project_not_found". */
enum ts_err ts_pg_project_get_c(struct ts_pg_conn *c, int64_t id, struct ts_project *out,
				struct ts_error *err);
/* The project op set_deleted (store_trash.c). */
enum ts_err ts_pg_project_set_deleted(struct ts_store *s, int64_t id, int deleted, int64_t by,
				      struct ts_project *out, struct ts_error *err);
/* The export op set_deleted (store_trash.c). */
enum ts_err ts_pg_export_set_deleted(struct ts_store *s, int64_t id, int64_t by, int *changed,
				     struct ts_error *err);

#endif
