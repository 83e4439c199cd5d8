/* SQLite backend: connection pool, migrations, transaction helpers. */
#include "store/sqlite/store_sqlite.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/time.h"
#include "store/sqlite/migrations.h"
#include "core/banned.h"

#define TS_SQ_POOL 12
#define TS_SQ_BUSY_MS 10000

static enum ts_err open_conn(const char *path, sqlite3 **out, struct ts_error *err)
{
	sqlite3 *db = NULL;
	char *msg = NULL;
	int rc;

	rc = sqlite3_open_v2(path, &db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		ts_error_set(err, TS_ERR_IO, "database_unavailable", "cannot open %s: %s", path,
			     db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return TS_ERR_IO;
	}
	sqlite3_busy_timeout(db, TS_SQ_BUSY_MS);
	/* WAL: readers never block the writer. synchronous=NORMAL in WAL mode
	 * keeps every committed transaction across a process crash (SIGKILL);
	 * only a power loss can drop the last commits. Temporary tables and
	 * sorts (GROUP BY, DISTINCT, ORDER BY without an index) live in files
	 * behind a bounded cache, not in memory: a project-wide count or
	 * snapshot would otherwise grow the process with the project. */
	rc = sqlite3_exec(db,
			  "PRAGMA journal_mode=WAL;"
			  "PRAGMA synchronous=NORMAL;"
			  "PRAGMA wal_autocheckpoint=0;"
			  "PRAGMA foreign_keys=ON;"
			  "PRAGMA temp_store=FILE;"
			  "PRAGMA cache_size=-16000;",
			  NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		ts_error_set(err, TS_ERR_IO, "database_unavailable", "cannot configure %s: %s",
			     path, msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		sqlite3_close(db);
		return TS_ERR_IO;
	}
	*out = db;
	return TS_OK;
}

static enum ts_err migrate(sqlite3 *db, struct ts_error *err)
{
	char *msg = NULL;
	sqlite3_stmt *st = NULL;
	enum ts_err e = TS_OK;

	if (sqlite3_exec(db,
			 "CREATE TABLE IF NOT EXISTS schema_migrations ("
			 " name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)",
			 NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	for (int i = 0; i < ts_migrations_count; i++) {
		const struct ts_migration *m = &ts_migrations[i];
		int done;

		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK)
			goto fail;
		if (sqlite3_prepare_v2(db, "SELECT 1 FROM schema_migrations WHERE name = ?", -1,
				       &st, NULL) != SQLITE_OK)
			goto fail_tx;
		sqlite3_bind_text(st, 1, m->name, -1, SQLITE_STATIC);
		done = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
		st = NULL;
		if (!done) {
			if (sqlite3_exec(db, m->sql, NULL, NULL, &msg) != SQLITE_OK)
				goto fail_tx;
			if (sqlite3_prepare_v2(db,
					       "INSERT INTO schema_migrations(name, applied_at) VALUES (?, ?)",
					       -1, &st, NULL) != SQLITE_OK)
				goto fail_tx;
			sqlite3_bind_text(st, 1, m->name, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 2, ts_time_now_ms());
			if (sqlite3_step(st) != SQLITE_DONE)
				goto fail_tx;
			sqlite3_finalize(st);
			st = NULL;
			ts_log_info("applied migration %s", m->name);
		}
		if (sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK)
			goto fail_tx;
	}
	goto out;

fail_tx:
	ts_error_set(err, TS_ERR_IO, "migration_failed", "migration failed: %s",
		     msg ? msg : sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	e = TS_ERR_IO;
	goto out;
fail:
	ts_error_set(err, TS_ERR_IO, "migration_failed", "migration failed: %s",
		     msg ? msg : sqlite3_errmsg(db));
	e = TS_ERR_IO;
out:
	sqlite3_free(msg);
	return e;
}

/* Connections this thread holds. A second one while holding the first can
 * wait forever: on the pool when every connection is held by threads doing
 * the same, or on the write lock when the first is inside a write. */
static _Thread_local int held_here;

struct ts_sq_conn *ts_sq_acquire(struct ts_store *s)
{
	struct ts_sq *sq = s->impl;
	struct ts_sq_conn *c = NULL;

	if (held_here)
		ts_die("a thread asked for a second database connection while holding one");
	held_here = 1;
	pthread_mutex_lock(&sq->lock);
	for (;;) {
		for (int i = 0; i < sq->nconn; i++) {
			if (!sq->conns[i].in_use) {
				c = &sq->conns[i];
				c->in_use = 1;
				break;
			}
		}
		if (c)
			break;
		pthread_cond_wait(&sq->freed, &sq->lock);
	}
	pthread_mutex_unlock(&sq->lock);
	return c;
}

void ts_sq_release(struct ts_store *s, struct ts_sq_conn *c)
{
	struct ts_sq *sq = s->impl;

	if (!c)
		return;
	/* A connection must never go back to the pool inside a transaction. */
	ts_sq_rollback(c);
	held_here = 0;
	pthread_mutex_lock(&sq->lock);
	c->in_use = 0;
	pthread_cond_signal(&sq->freed);
	pthread_mutex_unlock(&sq->lock);
}

sqlite3_stmt *ts_sq_prepare(struct ts_sq_conn *c, const char *sql, struct ts_error *err)
{
	size_t h = ((uintptr_t)sql >> 3) % TS_SQ_STMT_CACHE;

	for (size_t n = 0; n < TS_SQ_STMT_CACHE; n++) {
		size_t i = (h + n) % TS_SQ_STMT_CACHE;

		if (c->keys[i] == sql) {
			sqlite3_reset(c->stmts[i]);
			sqlite3_clear_bindings(c->stmts[i]);
			return c->stmts[i];
		}
		if (!c->keys[i]) {
			sqlite3_stmt *st = NULL;

			if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
					       NULL) != SQLITE_OK) {
				ts_sq_fail(c, err, "prepare");
				return NULL;
			}
			c->keys[i] = sql;
			c->stmts[i] = st;
			return st;
		}
	}
	ts_die("statement cache full (raise TS_SQ_STMT_CACHE)");
}

enum ts_err ts_sq_fail(struct ts_sq_conn *c, struct ts_error *err, const char *what)
{
	int code = sqlite3_extended_errcode(c->db);

	if ((code & 0xff) == SQLITE_CONSTRAINT)
		return ts_error_set(err, TS_ERR_CONFLICT, "conflict", "%s: %s", what,
				    sqlite3_errmsg(c->db));
	ts_log_error("database error in %s: %s", what, sqlite3_errmsg(c->db));
	return ts_error_set(err, TS_ERR_IO, "database_error", "database error in %s: %s", what,
			    sqlite3_errmsg(c->db));
}

static enum ts_err exec_simple(struct ts_sq_conn *c, const char *sql, struct ts_error *err)
{
	sqlite3_stmt *st = ts_sq_prepare(c, sql, err);

	if (!st)
		return TS_ERR_IO;
	return ts_sq_exec_stmt(c, st, err);
}

static void end_write(struct ts_sq_conn *c)
{
	if (c->writing) {
		c->writing = 0;
		pthread_mutex_unlock(&c->owner->write_lock);
	}
}

enum ts_err ts_sq_begin_write(struct ts_sq_conn *c, struct ts_error *err)
{
	enum ts_err e;

	pthread_mutex_lock(&c->owner->write_lock);
	c->writing = 1;
	e = exec_simple(c, "BEGIN IMMEDIATE", err);
	if (e)
		end_write(c);
	return e;
}

enum ts_err ts_sq_begin_read(struct ts_sq_conn *c, struct ts_error *err)
{
	return exec_simple(c, "BEGIN DEFERRED", err);
}

enum ts_err ts_sq_commit(struct ts_sq_conn *c, struct ts_error *err)
{
	enum ts_err e = exec_simple(c, "COMMIT", err);

	/* A failed COMMIT may leave the transaction open: the caller's
	 * rollback then releases the write lock. */
	if (sqlite3_get_autocommit(c->db))
		end_write(c);
	return e;
}

void ts_sq_rollback(struct ts_sq_conn *c)
{
	if (!sqlite3_get_autocommit(c->db))
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	end_write(c);
}

enum ts_err ts_sq_exec_stmt(struct ts_sq_conn *c, sqlite3_stmt *st, struct ts_error *err)
{
	int rc = sqlite3_step(st);
	enum ts_err e = TS_OK;

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		e = ts_sq_fail(c, err, "statement");
	sqlite3_reset(st);
	return e;
}

char *ts_sq_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return ts_xstrdup(t ? (const char *)t : "");
}

void ts_sq_text_to(sqlite3_stmt *st, int col, char *out, size_t outlen)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
	size_t n = t ? (size_t)sqlite3_column_bytes(st, col) : 0;

	/* Lists copy a dozen columns per row: no printf here. Cut as
	 * snprintf would: at a NUL, or to fit. */
	if (outlen == 0)
		return;
	n = t ? strnlen(t, n < outlen - 1 ? n : outlen - 1) : 0;
	memcpy(out, t ? t : "", n);
	out[n] = '\0';
}

int ts_sq_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	if (!s)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
}

sqlite3_stmt *ts_sq_prepare_i64(struct ts_sq_conn *c, const char *sql, const int64_t *args,
				int n, struct ts_error *err)
{
	sqlite3_stmt *st = ts_sq_prepare(c, sql, err);

	for (int i = 0; st && i < n; i++)
		sqlite3_bind_int64(st, i + 1, args[i]);
	return st;
}

enum ts_err ts_sq_exec_i64(struct ts_sq_conn *c, const char *sql, const int64_t *args, int n,
			   struct ts_error *err)
{
	sqlite3_stmt *st = ts_sq_prepare_i64(c, sql, args, n, err);

	return st ? ts_sq_exec_stmt(c, st, err) : TS_ERR_IO;
}

enum ts_err ts_sq_step(struct ts_sq_conn *c, sqlite3_stmt *st, int *found, const char *what,
		       struct ts_error *err)
{
	int rc = sqlite3_step(st);
	enum ts_err e = TS_OK;

	*found = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW)
		return TS_OK;
	if (rc != SQLITE_DONE)
		e = ts_sq_fail(c, err, what);
	sqlite3_reset(st);
	return e;
}

static enum ts_err step_row_v(struct ts_sq_conn *c, sqlite3_stmt *st, const char *what,
			      struct ts_error *err, const char *not_found_code, const char *fmt,
			      va_list ap)
{
	char msg[TS_ERROR_MSG_MAX];
	int found;
	enum ts_err e = ts_sq_step(c, st, &found, what, err);

	if (e || found)
		return e;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	return ts_error_set(err, TS_ERR_NOT_FOUND, not_found_code, "%s", msg);
}

enum ts_err ts_sq_step_row(struct ts_sq_conn *c, sqlite3_stmt *st, const char *what,
			   struct ts_error *err, const char *not_found_code, const char *fmt, ...)
{
	va_list ap;
	enum ts_err e;

	va_start(ap, fmt);
	e = step_row_v(c, st, what, err, not_found_code, fmt, ap);
	va_end(ap);
	return e;
}

enum ts_err ts_sq_get_row(struct ts_sq_conn *c, const char *sql, const int64_t *args, int n,
			  ts_sq_read_fn read, void *out, const char *what, struct ts_error *err,
			  const char *not_found_code, const char *fmt, ...)
{
	sqlite3_stmt *st = ts_sq_prepare_i64(c, sql, args, n, err);
	va_list ap;
	enum ts_err e;

	if (!st)
		return TS_ERR_IO;
	va_start(ap, fmt);
	e = step_row_v(c, st, what, err, not_found_code, fmt, ap);
	va_end(ap);
	if (!e && out)
		read(st, out);
	sqlite3_reset(st);
	return e;
}

enum ts_err ts_sq_scalar_i64(struct ts_sq_conn *c, sqlite3_stmt *st, int64_t *out,
			     const char *what, struct ts_error *err)
{
	enum ts_err e = TS_OK;

	if (!st)
		return TS_ERR_IO;
	if (sqlite3_step(st) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else
		e = ts_sq_fail(c, err, what);
	sqlite3_reset(st);
	return e;
}

enum ts_err ts_sq_project_exists(struct ts_sq_conn *c, int64_t id, struct ts_error *err)
{
	sqlite3_stmt *st = ts_sq_prepare_i64(c, "SELECT 1 FROM projects WHERE id = ?", TS_SQ_I64(id),
					     err);
	enum ts_err e;

	if (!st)
		return TS_ERR_IO;
	e = ts_sq_step_row(c, st, "read project", err, "project_not_found",
			   "project %lld does not exist", (long long)id);
	sqlite3_reset(st);
	return e;
}

enum ts_err ts_sq_begin_in_project(struct ts_sq_conn *c, int write, int64_t project_id,
				   struct ts_error *err)
{
	enum ts_err e = write ? ts_sq_begin_write(c, err) : ts_sq_begin_read(c, err);

	return e ? e : ts_sq_project_exists(c, project_id, err);
}

int ts_sq_bind_ref(sqlite3_stmt *st, int idx, int64_t id)
{
	return id > 0 ? sqlite3_bind_int64(st, idx, id) : sqlite3_bind_null(st, idx);
}

void ts_sq_read_i64(sqlite3_stmt *st, void *out)
{
	*(int64_t *)out = sqlite3_column_int64(st, 0);
}

enum ts_err ts_sq_collect(struct ts_sq_conn *c, sqlite3_stmt *st, size_t elem_size,
			  ts_sq_read_fn read, size_t max, struct ts_sq_rows *rows, const char *what,
			  struct ts_error *err)
{
	unsigned char *items = NULL;
	size_t len = 0, cap = 0;
	enum ts_err e = TS_OK;
	int rc = SQLITE_DONE;

	rows->items = NULL;
	rows->n = 0;
	if (!st)
		return TS_ERR_IO;
	while ((max == 0 || len < max) && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			/* A page (max known and small) gets its room at once: no
			 * copy of rows already read. */
			cap = cap ? cap * 2 : max && max <= 1024 ? max : 16;
			if (max && cap > max)
				cap = max;
			items = ts_xrealloc(items, cap * elem_size);
		}
		memset(items + len * elem_size, 0, elem_size);
		read(st, items + len * elem_size);
		len++;
	}
	if ((max == 0 || len < max) && rc != SQLITE_DONE)
		e = ts_sq_fail(c, err, what);
	sqlite3_reset(st);
	rows->items = items;
	rows->n = len;
	return e;
}

enum ts_err ts_sq_end(struct ts_store *s, struct ts_sq_conn *c, enum ts_err e,
		      struct ts_error *err)
{
	if (!e && !sqlite3_get_autocommit(c->db))
		e = ts_sq_commit(c, err);
	/* Rolls back whatever is still open (a failed operation or commit). */
	ts_sq_release(s, c);
	return e;
}

void *ts_sq_end_rows(struct ts_store *s, struct ts_sq_conn *c, enum ts_err *e,
		     struct ts_sq_rows *rows, size_t *n, struct ts_error *err)
{
	*e = ts_sq_end(s, c, *e, err);
	if (*e) {
		free(rows->items);
		*rows = (struct ts_sq_rows){ 0 };
	}
	*n = rows->n;
	return rows->items;
}

int ts_sq_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static enum ts_err sq_ping(struct ts_store *s, struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	sqlite3_stmt *st = ts_sq_prepare(c, "SELECT count(*) FROM schema_migrations", err);
	enum ts_err e = TS_OK;

	if (!st)
		e = TS_ERR_UNAVAILABLE;
	else if (sqlite3_step(st) != SQLITE_ROW)
		e = ts_sq_fail(c, err, "ping");
	if (st)
		sqlite3_reset(st);
	ts_sq_release(s, c);
	return e;
}

/* Copies the WAL back into the database every half second without taking
 * the write lock (PASSIVE), so commits stay short. */
static void *checkpoint_main(void *arg)
{
	struct ts_sq *sq = arg;

	pthread_mutex_lock(&sq->lock);
	while (!sq->ckpt_stop) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 500000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&sq->ckpt_wake, &sq->lock, &until);
		if (sq->ckpt_stop)
			break;
		pthread_mutex_unlock(&sq->lock);
		sqlite3_wal_checkpoint_v2(sq->ckpt_db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&sq->lock);
	}
	pthread_mutex_unlock(&sq->lock);
	return NULL;
}

static enum ts_err start_checkpointer(struct ts_sq *sq, struct ts_error *err)
{
	if (open_conn(sq->path, &sq->ckpt_db, err))
		return TS_ERR_IO;
	pthread_cond_init(&sq->ckpt_wake, NULL);
	if (pthread_create(&sq->ckpt_thread, NULL, checkpoint_main, sq) != 0)
		ts_die("cannot start the checkpoint thread");
	sq->ckpt_started = 1;
	return TS_OK;
}

static void stop_checkpointer(struct ts_sq *sq)
{
	if (sq->ckpt_started) {
		pthread_mutex_lock(&sq->lock);
		sq->ckpt_stop = 1;
		pthread_cond_broadcast(&sq->ckpt_wake);
		pthread_mutex_unlock(&sq->lock);
		pthread_join(sq->ckpt_thread, NULL);
		pthread_cond_destroy(&sq->ckpt_wake);
		sq->ckpt_started = 0;
	}
	if (sq->ckpt_db) {
		/* Everything into the database file, and the WAL emptied. */
		sqlite3_wal_checkpoint_v2(sq->ckpt_db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
		sqlite3_close(sq->ckpt_db);
		sq->ckpt_db = NULL;
	}
}

static void sq_close(struct ts_store *s)
{
	struct ts_sq *sq = s->impl;

	if (!sq)
		return;
	stop_checkpointer(sq);
	for (int i = 0; i < sq->nconn; i++) {
		struct ts_sq_conn *c = &sq->conns[i];

		for (int j = 0; j < TS_SQ_STMT_CACHE; j++)
			sqlite3_finalize(c->stmts[j]);
		/* The last connection to close checkpoints the WAL into the db. */
		sqlite3_close(c->db);
	}
	free(sq->conns);
	pthread_mutex_destroy(&sq->lock);
	pthread_cond_destroy(&sq->freed);
	pthread_mutex_destroy(&sq->write_lock);
	free(sq->path);
	free(sq);
	s->impl = NULL;
}

static enum ts_err sq_begin(struct ts_store *s, int write, struct ts_store_tx *tx,
			    struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	enum ts_err e = write ? ts_sq_begin_write(c, err) : ts_sq_begin_read(c, err);

	tx->store = s;
	tx->impl = NULL;
	if (e) {
		ts_sq_release(s, c);
		return e;
	}
	tx->impl = c;
	return TS_OK;
}

static enum ts_err sq_commit(struct ts_store_tx *tx, struct ts_error *err)
{
	enum ts_err e = ts_sq_end(tx->store, tx->impl, TS_OK, err);

	tx->impl = NULL;
	return e;
}

static void sq_rollback(struct ts_store_tx *tx)
{
	if (tx->impl)
		ts_sq_release(tx->store, tx->impl); /* rolls back what is open */
	tx->impl = NULL;
}

static const struct ts_store_ops sq_ops = {
	.name = "sqlite",
	.close = sq_close,
	.ping = sq_ping,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.users = &ts_sq_user_ops,
	.projects = &ts_sq_project_ops,
	.members = &ts_sq_member_ops,
	.jobs = &ts_sq_job_ops,
	.assets = &ts_sq_asset_ops,
	.annotations = &ts_sq_annotation_ops,
	.exports = &ts_sq_export_ops,
	.videos = &ts_sq_video_ops,
	.models = &ts_sq_model_ops,
	.imports = &ts_sq_import_ops,
};

struct ts_store *ts_store_sqlite_open(const char *path, struct ts_error *err)
{
	struct ts_store *s = NULL;
	struct ts_sq *sq = NULL;

	sq = ts_xcalloc(1, sizeof(*sq));
	sq->path = ts_xstrdup(path);
	pthread_mutex_init(&sq->lock, NULL);
	pthread_cond_init(&sq->freed, NULL);
	pthread_mutex_init(&sq->write_lock, NULL);
	sq->conns = ts_xcalloc(TS_SQ_POOL, sizeof(*sq->conns));
	s = ts_xcalloc(1, sizeof(*s));
	s->ops = &sq_ops;
	s->impl = sq;
	for (int i = 0; i < TS_SQ_POOL; i++) {
		sq->conns[i].owner = sq;
		if (open_conn(sq->path, &sq->conns[i].db, err))
			goto fail;
		sq->nconn++;
		if (i == 0 && migrate(sq->conns[0].db, err))
			goto fail;
	}
	if (start_checkpointer(sq, err))
		goto fail;
	return s;
fail:
	ts_store_free(s);
	return NULL;
}
