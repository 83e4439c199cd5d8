/* PostgreSQL backend: connection pool, migrations, the statement interface
 * over libpq, and transaction helpers.
 *
 * Write transactions take a transaction-scoped advisory lock, so they run
 * one at a time across every process that shares the database, as the
 * port's contract says: what a writer reads stays true until it commits,
 * and an id computed from max(id) (TS_PG_NEXT_ID) is never given twice. A
 * lone INSERT, UPDATE or DELETE outside a transaction takes the same lock.
 * Read transactions are REPEATABLE READ snapshots. */
#include "store/postgres/store_pg.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/time.h"
#include "store/postgres/migrations.h"
#include "core/banned.h"

#define TS_PG_POOL 12
/* Advisory lock keys: one for write transactions, one for migrations. */
#define TS_PG_WRITE_LOCK "7465737365726101"
#define TS_PG_MIGRATE_LOCK "7465737365726102"

static void quiet_notices(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

static enum ts_err run(PGconn *db, const char *sql, struct ts_error *err, const char *code)
{
	PGresult *r = PQexec(db, sql);
	ExecStatusType st = PQresultStatus(r);
	enum ts_err e = TS_OK;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		e = ts_error_set(err, TS_ERR_IO, code, "%s", PQerrorMessage(db));
	PQclear(r);
	return e;
}

static enum ts_err connect_db(const char *url, PGconn **out, struct ts_error *err)
{
	PGconn *db = PQconnectdb(url);

	*out = db;
	if (!db || PQstatus(db) != CONNECTION_OK) {
		ts_error_set(err, TS_ERR_UNAVAILABLE, "database_unavailable",
			     "cannot connect to PostgreSQL: %s",
			     db ? PQerrorMessage(db) : "out of memory");
		return TS_ERR_UNAVAILABLE;
	}
	PQsetNoticeProcessor(db, quiet_notices, NULL);
	return run(db, "SET client_min_messages = warning", err, "database_unavailable");
}

static enum ts_err migrate(PGconn *db, struct ts_error *err)
{
	enum ts_err e;

	/* Processes starting together wait here; the first applies what is
	 * missing, the others then find it applied. */
	e = run(db, "SELECT pg_advisory_lock(" TS_PG_MIGRATE_LOCK ")", err, "migration_failed");
	if (e)
		return e;
	e = run(db,
		"CREATE TABLE IF NOT EXISTS schema_migrations ("
		" name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)",
		err, "migration_failed");
	for (int i = 0; !e && i < ts_pg_migrations_count; i++) {
		const struct ts_migration *m = &ts_pg_migrations[i];
		const char *name = m->name;
		char now[32];
		const char *vals[2] = { name, now };
		PGresult *r;
		int done;

		e = run(db, "BEGIN", err, "migration_failed");
		if (e)
			break;
		r = PQexecParams(db, "SELECT 1 FROM schema_migrations WHERE name = $1", 1, NULL,
				 &name, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			e = ts_error_set(err, TS_ERR_IO, "migration_failed", "migration failed: %s",
					 PQerrorMessage(db));
			PQclear(r);
			goto fail_tx;
		}
		done = PQntuples(r) > 0;
		PQclear(r);
		if (!done) {
			e = run(db, m->sql, err, "migration_failed");
			if (e) {
				ts_error_set(err, TS_ERR_IO, "migration_failed",
					     "migration %s failed: %s", name, PQerrorMessage(db));
				goto fail_tx;
			}
			snprintf(now, sizeof(now), "%lld", (long long)ts_time_now_ms());
			r = PQexecParams(db,
					 "INSERT INTO schema_migrations(name, applied_at) "
					 "VALUES ($1, $2::bigint)",
					 2, NULL, vals, NULL, NULL, 0);
			if (PQresultStatus(r) != PGRES_COMMAND_OK)
				e = ts_error_set(err, TS_ERR_IO, "migration_failed",
						 "migration failed: %s", PQerrorMessage(db));
			PQclear(r);
			if (e)
				goto fail_tx;
			ts_log_info("applied migration %s", name);
		}
		e = run(db, "COMMIT", err, "migration_failed");
		continue;
fail_tx:
		run(db, "ROLLBACK", NULL, "migration_failed");
	}
	run(db, "SELECT pg_advisory_unlock(" TS_PG_MIGRATE_LOCK ")", NULL, "migration_failed");
	return e;
}

static void forget_statements(struct ts_pg_conn *c)
{
	for (int i = 0; i < TS_PG_STMT_CACHE; i++) {
		struct ts_pg_stmt *st = c->stmts[i];

		if (!st)
			continue;
		ts_pg_reset(st);
		for (int j = 0; j < TS_PG_MAXP; j++)
			free(st->texts[j]);
		free(st->sql);
		free(st);
		c->stmts[i] = NULL;
		c->keys[i] = NULL;
	}
}

/* Connections this thread holds. A second one while holding the first can
 * wait forever: on the pool when every connection is held by threads doing
 * the same, or on the write lock when the first is inside a write. */
static _Thread_local int held_here;

struct ts_pg_conn *ts_pg_acquire(struct ts_store *s)
{
	struct ts_pg *pg = s->impl;
	struct ts_pg_conn *c = NULL;

	if (held_here)
		ts_die("a thread asked for a second database connection while holding one");
	held_here = 1;
	pthread_mutex_lock(&pg->lock);
	for (;;) {
		/* An open connection first; a new one only when none is free. */
		for (int i = 0; i < pg->nconn && !c; i++)
			if (!pg->conns[i].in_use && pg->conns[i].db)
				c = &pg->conns[i];
		for (int i = 0; i < pg->nconn && !c; i++)
			if (!pg->conns[i].in_use)
				c = &pg->conns[i];
		if (c)
			break;
		pthread_cond_wait(&pg->freed, &pg->lock);
	}
	c->in_use = 1;
	pthread_mutex_unlock(&pg->lock);
	if (!c->db) {
		connect_db(pg->url, &c->db, NULL);
	} else if (PQstatus(c->db) != CONNECTION_OK) {
		/* The server went away and came back: a new session, without
		 * the statements prepared in the old one. */
		forget_statements(c);
		PQreset(c->db);
		if (PQstatus(c->db) == CONNECTION_OK)
			run(c->db, "SET client_min_messages = warning", NULL, "database_unavailable");
	}
	return c;
}

void ts_pg_release(struct ts_store *s, struct ts_pg_conn *c)
{
	struct ts_pg *pg = s->impl;

	if (!c)
		return;
	/* A connection must never go back to the pool inside a transaction. */
	ts_pg_rollback(c);
	held_here = 0;
	pthread_mutex_lock(&pg->lock);
	c->in_use = 0;
	pthread_cond_signal(&pg->freed);
	pthread_mutex_unlock(&pg->lock);
}

/* sql with ?, ?N and $N parameters written $N (outside quoted text), and
 * the highest parameter number in *nparams. */
static char *translate(const char *sql, int *nparams)
{
	struct ts_buf b;
	int max = 0;
	char quote = 0;

	ts_buf_init(&b, 1 << 20);
	for (const char *p = sql; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
			ts_buf_add(&b, p, 1);
			continue;
		}
		if (*p == '\'' || *p == '"') {
			quote = *p;
			ts_buf_add(&b, p, 1);
		} else if (*p == '?' || (*p == '$' && isdigit((unsigned char)p[1]))) {
			int n = 0;

			while (isdigit((unsigned char)p[1]))
				n = n * 10 + (*++p - '0');
			if (n == 0)
				n = max + 1;
			if (n > max)
				max = n;
			ts_buf_addf(&b, "$%d", n);
		} else {
			ts_buf_add(&b, p, 1);
		}
	}
	*nparams = max;
	return ts_buf_take(&b, NULL);
}

static int is_write(const char *sql)
{
	while (isspace((unsigned char)*sql))
		sql++;
	return strncasecmp(sql, "INSERT", 6) == 0 || strncasecmp(sql, "UPDATE", 6) == 0 ||
	       strncasecmp(sql, "DELETE", 6) == 0;
}

struct ts_pg_stmt *ts_pg_prepare(struct ts_pg_conn *c, const char *sql, struct ts_error *err)
{
	size_t h = ((uintptr_t)sql >> 3) % TS_PG_STMT_CACHE;

	for (size_t n = 0; n < TS_PG_STMT_CACHE; n++) {
		size_t i = (h + n) % TS_PG_STMT_CACHE;
		struct ts_pg_stmt *st;

		if (c->keys[i] == sql) {
			st = c->stmts[i];
			ts_pg_reset(st);
			for (int j = 0; j < TS_PG_MAXP; j++)
				ts_pg_bind_null(st, j + 1);
			return st;
		}
		if (!c->keys[i]) {
			st = ts_xcalloc(1, sizeof(*st));
			st->key = sql;
			st->conn = c;
			st->sql = translate(sql, &st->nparams);
			st->writes = is_write(sql);
			if (st->nparams > TS_PG_MAXP) {
				ts_error_set(err, TS_ERR_IO, "database_error",
					     "statement has too many parameters");
				free(st->sql);
				free(st);
				return NULL;
			}
			for (int j = 0; j < TS_PG_MAXP; j++)
				st->types[j] = 'n';
			c->keys[i] = sql;
			c->stmts[i] = st;
			return st;
		}
	}
	ts_die("statement cache full (raise TS_PG_STMT_CACHE)");
}

int ts_pg_bind_i64(struct ts_pg_stmt *st, int idx, int64_t v)
{
	if (idx < 1 || idx > TS_PG_MAXP)
		return TS_PG_ERROR;
	free(st->texts[idx - 1]);
	st->texts[idx - 1] = NULL;
	snprintf(st->ints[idx - 1], sizeof(st->ints[0]), "%lld", (long long)v);
	st->types[idx - 1] = 'i';
	return 0;
}

int ts_pg_bind_double(struct ts_pg_stmt *st, int idx, double v)
{
	if (idx < 1 || idx > TS_PG_MAXP)
		return TS_PG_ERROR;
	free(st->texts[idx - 1]);
	st->texts[idx - 1] = NULL;
	snprintf(st->ints[idx - 1], sizeof(st->ints[0]), "%.17g", v);
	st->types[idx - 1] = 'd';
	return 0;
}

int ts_pg_bind_null(struct ts_pg_stmt *st, int idx)
{
	if (idx < 1 || idx > TS_PG_MAXP)
		return TS_PG_ERROR;
	free(st->texts[idx - 1]);
	st->texts[idx - 1] = NULL;
	st->types[idx - 1] = 'n';
	return 0;
}

int ts_pg_bind_text(struct ts_pg_stmt *st, int idx, const char *s)
{
	if (!s)
		return ts_pg_bind_null(st, idx);
	if (ts_pg_bind_null(st, idx))
		return TS_PG_ERROR;
	st->texts[idx - 1] = ts_xstrdup(s);
	st->types[idx - 1] = 't';
	return 0;
}

static int has_value(struct ts_pg_stmt *st, int col)
{
	return st->res && st->row >= 0 && st->row < st->nrows && col < PQnfields(st->res) &&
	       !PQgetisnull(st->res, st->row, col);
}

int64_t ts_pg_col_i64(struct ts_pg_stmt *st, int col)
{
	const char *v;

	if (!has_value(st, col))
		return 0;
	v = PQgetvalue(st->res, st->row, col);
	if (v[0] == 't' && !v[1])
		return 1;
	return strtoll(v, NULL, 10);
}

int ts_pg_col_int(struct ts_pg_stmt *st, int col)
{
	return (int)ts_pg_col_i64(st, col);
}

double ts_pg_col_double(struct ts_pg_stmt *st, int col)
{
	return has_value(st, col) ? strtod(PQgetvalue(st->res, st->row, col), NULL) : 0;
}

const unsigned char *ts_pg_col_text(struct ts_pg_stmt *st, int col)
{
	return has_value(st, col) ? (const unsigned char *)PQgetvalue(st->res, st->row, col) : NULL;
}

int ts_pg_col_count(struct ts_pg_stmt *st)
{
	return st->res ? PQnfields(st->res) : 0;
}

int ts_pg_col_type(struct ts_pg_stmt *st, int col)
{
	return has_value(st, col) ? 1 : TS_PG_NULL;
}

int ts_pg_in_tx(struct ts_pg_conn *c)
{
	PGTransactionStatusType t = PQtransactionStatus(c->db);

	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

static void keep_error(struct ts_pg_conn *c, PGresult *r)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorMessage(r) : NULL;

	snprintf(c->sqlstate, sizeof(c->sqlstate), "%s", state ? state : "08000");
	snprintf(c->errmsg, sizeof(c->errmsg), "%s",
		 msg && *msg ? msg : PQerrorMessage(c->db));
	/* libpq's messages end in a newline. */
	c->errmsg[strcspn(c->errmsg, "\n")] = '\0';
}

/* Prepares st on the server with the parameter types now bound, unless it
 * was prepared with the same ones. A NULL fits any type. */
static int ensure_prepared(struct ts_pg_stmt *st)
{
	struct ts_pg_conn *c = st->conn;
	Oid types[TS_PG_MAXP];
	PGresult *r;
	int same = st->name[0] != '\0';

	for (int i = 0; i < st->nparams && same; i++)
		if (st->types[i] != 'n' && st->types[i] != st->sig[i])
			same = 0;
	if (same)
		return 0;
	for (int i = 0; i < st->nparams; i++) {
		char t = st->types[i];

		types[i] = t == 'i' ? 20 : t == 'd' ? 701 : t == 't' ? 25 : 0;
		st->sig[i] = t;
	}
	snprintf(st->name, sizeof(st->name), "ts%d", ++c->nnames);
	r = PQprepare(c->db, st->name, st->sql, st->nparams, types);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		keep_error(c, r);
		PQclear(r);
		st->name[0] = '\0';
		return TS_PG_ERROR;
	}
	PQclear(r);
	return 0;
}

static int execute(struct ts_pg_stmt *st)
{
	struct ts_pg_conn *c = st->conn;
	const char *vals[TS_PG_MAXP];
	PGresult *r;
	ExecStatusType rs;

	if (ensure_prepared(st))
		return TS_PG_ERROR;
	for (int i = 0; i < st->nparams; i++) {
		char t = st->types[i];

		vals[i] = t == 'n' ? NULL : t == 't' ? st->texts[i] : st->ints[i];
	}
	r = PQexecPrepared(c->db, st->name, st->nparams, vals, NULL, NULL, 0);
	rs = PQresultStatus(r);
	if (rs != PGRES_TUPLES_OK && rs != PGRES_COMMAND_OK) {
		keep_error(c, r);
		PQclear(r);
		return TS_PG_ERROR;
	}
	st->res = r;
	st->nrows = PQntuples(r);
	st->row = -1;
	if (st->writes) {
		c->changes = strtoll(PQcmdTuples(r), NULL, 10);
		if (st->nrows == 1 && PQnfields(r) == 1 && strcmp(PQfname(r, 0), "id") == 0)
			c->last_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	}
	return 0;
}

int ts_pg_next(struct ts_pg_stmt *st)
{
	if (!st->res) {
		struct ts_pg_conn *c = st->conn;
		int rc;

		if (st->writes && !ts_pg_in_tx(c)) {
			/* A lone write is a write transaction of its own. */
			struct ts_error err = { 0 };

			if (ts_pg_begin_write(c, &err)) {
				ts_error_release(&err);
				return TS_PG_ERROR;
			}
			rc = execute(st);
			if (rc)
				ts_pg_rollback(c);
			else if (ts_pg_commit(c, &err))
				rc = TS_PG_ERROR;
			ts_error_release(&err);
			if (rc) {
				ts_pg_reset(st);
				return TS_PG_ERROR;
			}
		} else if (execute(st)) {
			return TS_PG_ERROR;
		}
	}
	if (st->row < st->nrows)
		st->row++;
	return st->row < st->nrows ? TS_PG_ROW : TS_PG_DONE;
}

void ts_pg_reset(struct ts_pg_stmt *st)
{
	if (st->res)
		PQclear(st->res);
	st->res = NULL;
	st->row = -1;
	st->nrows = 0;
}

int64_t ts_pg_changes(struct ts_pg_conn *c)
{
	return c->changes;
}

int64_t ts_pg_last_id(struct ts_pg_conn *c)
{
	return c->last_id;
}

enum ts_err ts_pg_fail(struct ts_pg_conn *c, struct ts_error *err, const char *what)
{
	/* Class 23: integrity constraint violations (unique, foreign key,
	 * check), as SQLITE_CONSTRAINT is in the SQLite backend. */
	if (strncmp(c->sqlstate, "23", 2) == 0)
		return ts_error_set(err, TS_ERR_CONFLICT, "conflict", "%s: %s", what, c->errmsg);
	if (strncmp(c->sqlstate, "08", 2) == 0 || PQstatus(c->db) != CONNECTION_OK) {
		ts_log_error("database unavailable in %s: %s", what, c->errmsg);
		return ts_error_set(err, TS_ERR_UNAVAILABLE, "database_unavailable",
				    "database unavailable in %s: %s", what, c->errmsg);
	}
	ts_log_error("database error in %s: %s", what, c->errmsg);
	return ts_error_set(err, TS_ERR_IO, "database_error", "database error in %s: %s", what,
			    c->errmsg);
}

static enum ts_err exec_simple(struct ts_pg_conn *c, const char *sql, struct ts_error *err)
{
	PGresult *r = PQexec(c->db, sql);
	ExecStatusType rs = PQresultStatus(r);
	enum ts_err e = TS_OK;

	if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK) {
		keep_error(c, r);
		e = ts_pg_fail(c, err, sql);
	}
	PQclear(r);
	return e;
}

static void end_write(struct ts_pg_conn *c)
{
	if (c->writing) {
		c->writing = 0;
		pthread_mutex_unlock(&c->owner->write_lock);
	}
}

enum ts_err ts_pg_begin_write(struct ts_pg_conn *c, struct ts_error *err)
{
	enum ts_err e;

	pthread_mutex_lock(&c->owner->write_lock);
	c->writing = 1;
	/* One round trip for both. */
	e = exec_simple(c, "BEGIN; SELECT pg_advisory_xact_lock(" TS_PG_WRITE_LOCK ")", err);
	if (e)
		ts_pg_rollback(c);
	return e;
}

enum ts_err ts_pg_begin_plain(struct ts_pg_conn *c, struct ts_error *err)
{
	return exec_simple(c, "BEGIN", err);
}

enum ts_err ts_pg_begin_read(struct ts_pg_conn *c, struct ts_error *err)
{
	return exec_simple(c, "BEGIN ISOLATION LEVEL REPEATABLE READ", err);
}

enum ts_err ts_pg_commit(struct ts_pg_conn *c, struct ts_error *err)
{
	enum ts_err e;

	/* COMMIT of a failed transaction rolls it back without an error. */
	if (PQtransactionStatus(c->db) == PQTRANS_INERROR) {
		exec_simple(c, "ROLLBACK", NULL);
		end_write(c);
		return ts_error_set(err, TS_ERR_IO, "database_error",
				    "database error: the transaction failed and was rolled back");
	}
	e = exec_simple(c, "COMMIT", err);
	if (!ts_pg_in_tx(c))
		end_write(c);
	return e;
}

void ts_pg_rollback(struct ts_pg_conn *c)
{
	if (c->db && ts_pg_in_tx(c))
		exec_simple(c, "ROLLBACK", NULL);
	end_write(c);
}

enum ts_err ts_pg_exec_stmt(struct ts_pg_conn *c, struct ts_pg_stmt *st, struct ts_error *err)
{
	int rc = ts_pg_next(st);
	enum ts_err e = TS_OK;

	if (rc != TS_PG_DONE && rc != TS_PG_ROW)
		e = ts_pg_fail(c, err, "statement");
	ts_pg_reset(st);
	return e;
}

char *ts_pg_text(struct ts_pg_stmt *st, int col)
{
	const unsigned char *t = ts_pg_col_text(st, col);

	return ts_xstrdup(t ? (const char *)t : "");
}

void ts_pg_text_to(struct ts_pg_stmt *st, int col, char *out, size_t outlen)
{
	const char *t = (const char *)ts_pg_col_text(st, col);
	size_t n = t ? (size_t)PQgetlength(st->res, st->row, col) : 0;

	/* Lists copy a dozen columns per row: no printf here. Cut as
	 * snprintf would: at a NUL, or to fit. */
	if (outlen == 0)
		return;
	n = t ? strnlen(t, n < outlen - 1 ? n : outlen - 1) : 0;
	memcpy(out, t ? t : "", n);
	out[n] = '\0';
}

struct ts_pg_stmt *ts_pg_prepare_i64(struct ts_pg_conn *c, const char *sql, const int64_t *args,
				int n, struct ts_error *err)
{
	struct ts_pg_stmt *st = ts_pg_prepare(c, sql, err);

	for (int i = 0; st && i < n; i++)
		ts_pg_bind_i64(st, i + 1, args[i]);
	return st;
}

enum ts_err ts_pg_exec_i64(struct ts_pg_conn *c, const char *sql, const int64_t *args, int n,
			   struct ts_error *err)
{
	struct ts_pg_stmt *st = ts_pg_prepare_i64(c, sql, args, n, err);

	return st ? ts_pg_exec_stmt(c, st, err) : TS_ERR_IO;
}

enum ts_err ts_pg_step(struct ts_pg_conn *c, struct ts_pg_stmt *st, int *found, const char *what,
		       struct ts_error *err)
{
	int rc = ts_pg_next(st);
	enum ts_err e = TS_OK;

	*found = rc == TS_PG_ROW;
	if (rc == TS_PG_ROW)
		return TS_OK;
	if (rc != TS_PG_DONE)
		e = ts_pg_fail(c, err, what);
	ts_pg_reset(st);
	return e;
}

enum ts_err ts_pg_step_row(struct ts_pg_conn *c, struct ts_pg_stmt *st, const char *what,
			   struct ts_error *err, const char *not_found_code, const char *fmt, ...)
{
	char msg[TS_ERROR_MSG_MAX];
	va_list ap;
	int found;
	enum ts_err e = ts_pg_step(c, st, &found, what, err);

	if (e || found)
		return e;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ts_error_set(err, TS_ERR_NOT_FOUND, not_found_code, "%s", msg);
}

enum ts_err ts_pg_scalar_i64(struct ts_pg_conn *c, struct ts_pg_stmt *st, int64_t *out,
			     const char *what, struct ts_error *err)
{
	enum ts_err e = TS_OK;

	if (!st)
		return TS_ERR_IO;
	if (ts_pg_next(st) == TS_PG_ROW)
		*out = ts_pg_col_i64(st, 0);
	else
		e = ts_pg_fail(c, err, what);
	ts_pg_reset(st);
	return e;
}

enum ts_err ts_pg_project_exists(struct ts_pg_conn *c, int64_t id, struct ts_error *err)
{
	struct ts_pg_stmt *st = ts_pg_prepare_i64(c, "SELECT 1 FROM projects WHERE id = ?", TS_PG_I64(id),
					     err);
	enum ts_err e;

	if (!st)
		return TS_ERR_IO;
	e = ts_pg_step_row(c, st, "read project", err, "project_not_found",
			   "project %lld does not exist", (long long)id);
	ts_pg_reset(st);
	return e;
}

enum ts_err ts_pg_begin_in_project(struct ts_pg_conn *c, int write, int64_t project_id,
				   struct ts_error *err)
{
	enum ts_err e = write ? ts_pg_begin_write(c, err) : ts_pg_begin_read(c, err);

	return e ? e : ts_pg_project_exists(c, project_id, err);
}

int ts_pg_bind_ref(struct ts_pg_stmt *st, int idx, int64_t id)
{
	return id > 0 ? ts_pg_bind_i64(st, idx, id) : ts_pg_bind_null(st, idx);
}

void ts_pg_read_i64(struct ts_pg_stmt *st, void *out)
{
	*(int64_t *)out = ts_pg_col_i64(st, 0);
}

enum ts_err ts_pg_collect(struct ts_pg_conn *c, struct ts_pg_stmt *st, size_t elem_size,
			  ts_pg_read_fn read, size_t max, struct ts_pg_rows *rows, const char *what,
			  struct ts_error *err)
{
	unsigned char *items = NULL;
	size_t len = 0, cap = 0;
	enum ts_err e = TS_OK;
	int rc = TS_PG_DONE;

	rows->items = NULL;
	rows->n = 0;
	if (!st)
		return TS_ERR_IO;
	while ((max == 0 || len < max) && (rc = ts_pg_next(st)) == TS_PG_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 16;
			if (max && cap > max)
				cap = max;
			items = ts_xrealloc(items, cap * elem_size);
		}
		memset(items + len * elem_size, 0, elem_size);
		read(st, items + len * elem_size);
		len++;
	}
	if ((max == 0 || len < max) && rc != TS_PG_DONE)
		e = ts_pg_fail(c, err, what);
	ts_pg_reset(st);
	rows->items = items;
	rows->n = len;
	return e;
}

enum ts_err ts_pg_end(struct ts_store *s, struct ts_pg_conn *c, enum ts_err e,
		      struct ts_error *err)
{
	if (!e && ts_pg_in_tx(c))
		e = ts_pg_commit(c, err);
	/* Rolls back whatever is still open (a failed operation or commit). */
	ts_pg_release(s, c);
	return e;
}

void *ts_pg_end_rows(struct ts_store *s, struct ts_pg_conn *c, enum ts_err *e,
		     struct ts_pg_rows *rows, size_t *n, struct ts_error *err)
{
	*e = ts_pg_end(s, c, *e, err);
	if (*e) {
		free(rows->items);
		*rows = (struct ts_pg_rows){ 0 };
	}
	*n = rows->n;
	return rows->items;
}

int ts_pg_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static enum ts_err pg_ping(struct ts_store *s, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_stmt *st = ts_pg_prepare(c, "SELECT count(*) FROM schema_migrations", err);
	enum ts_err e = TS_OK;

	if (!st)
		e = TS_ERR_UNAVAILABLE;
	else if (ts_pg_next(st) != TS_PG_ROW)
		e = ts_pg_fail(c, err, "ping");
	if (st)
		ts_pg_reset(st);
	ts_pg_release(s, c);
	return e;
}

static void pg_close(struct ts_store *s)
{
	struct ts_pg *pg = s->impl;

	if (!pg)
		return;
	ts_pg_jobs_stop(s);
	for (int i = 0; i < pg->nconn; i++) {
		struct ts_pg_conn *c = &pg->conns[i];

		forget_statements(c);
		if (c->db)
			PQfinish(c->db);
	}
	free(pg->conns);
	pthread_mutex_destroy(&pg->lock);
	pthread_cond_destroy(&pg->freed);
	pthread_mutex_destroy(&pg->write_lock);
	pthread_cond_destroy(&pg->tick);
	free(pg->url);
	free(pg);
	s->impl = NULL;
}

static enum ts_err pg_begin(struct ts_store *s, int write, struct ts_store_tx *tx,
			    struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	enum ts_err e = write ? ts_pg_begin_write(c, err) : ts_pg_begin_read(c, err);

	tx->store = s;
	tx->impl = NULL;
	if (e) {
		ts_pg_release(s, c);
		return e;
	}
	tx->impl = c;
	return TS_OK;
}

static enum ts_err pg_commit(struct ts_store_tx *tx, struct ts_error *err)
{
	enum ts_err e = ts_pg_end(tx->store, tx->impl, TS_OK, err);

	tx->impl = NULL;
	return e;
}

static void pg_rollback(struct ts_store_tx *tx)
{
	if (tx->impl)
		ts_pg_release(tx->store, tx->impl); /* rolls back what is open */
	tx->impl = NULL;
}

static const struct ts_store_ops pg_ops = {
	.name = "postgresql",
	.close = pg_close,
	.ping = pg_ping,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.users = &ts_pg_user_ops,
	.projects = &ts_pg_project_ops,
	.members = &ts_pg_member_ops,
	.jobs = &ts_pg_job_ops,
	.assets = &ts_pg_asset_ops,
	.annotations = &ts_pg_annotation_ops,
	.exports = &ts_pg_export_ops,
	.videos = &ts_pg_video_ops,
	.models = &ts_pg_model_ops,
	.imports = &ts_pg_import_ops,
};

struct ts_store *ts_store_pg_open(const char *url, struct ts_error *err)
{
	struct ts_store *s;
	struct ts_pg *pg;

	pg = ts_xcalloc(1, sizeof(*pg));
	pg->url = ts_xstrdup(url);
	pthread_mutex_init(&pg->lock, NULL);
	pthread_cond_init(&pg->freed, NULL);
	pthread_mutex_init(&pg->write_lock, NULL);
	pthread_cond_init(&pg->tick, NULL);
	pg->nconn = TS_PG_POOL;
	pg->conns = ts_xcalloc(TS_PG_POOL, sizeof(*pg->conns));
	for (int i = 0; i < TS_PG_POOL; i++)
		pg->conns[i].owner = pg;
	s = ts_xcalloc(1, sizeof(*s));
	s->ops = &pg_ops;
	s->impl = pg;
	/* The first connection is opened now, so that a wrong URL or a
	 * server that is down is reported at start, and runs the migrations;
	 * the others open when first needed. */
	if (connect_db(pg->url, &pg->conns[0].db, err) || migrate(pg->conns[0].db, err)) {
		ts_store_free(s);
		return NULL;
	}
	ts_pg_jobs_start(s);
	return s;
}
