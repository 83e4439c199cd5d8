/* Copying an installation from SQLite to PostgreSQL (store_copy.h). The
 * tables and columns are read from the source's schema, which the two
 * backends' migrations keep the same, so a table added by a later
 * migration is copied without a change here. */
#include "store/store_copy.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/time.h"
#include "store/store.h"
#include "core/banned.h"

#define COPY_CHUNK (256 * 1024)

/* Parents before the tables that reference them; tables not named here
 * (from later migrations) follow in name order. */
static const char *const table_order[] = {
	"users", "projects", "categories", "sessions", "api_tokens", "project_members",
	"project_events", "videos", "assets", "annotations", "annotation_categories",
	"annotation_history", "deleted_annotations", "deleted_annotation_categories", "jobs",
	"exports", "export_categories", "export_items", "leases", "asset_counts", "id_floors",
	"imports", "import_changes",
};
#define N_ORDER (sizeof(table_order) / sizeof(table_order[0]))

struct copy {
	sqlite3 *src;
	PGconn *dst;
	FILE *out;
	struct ts_error *err;
};

static enum ts_err pg_fail(struct copy *c, const char *what)
{
	const char *m = PQerrorMessage(c->dst);

	return ts_error_set(c->err, TS_ERR_IO, "migrate_failed", "%s: %.*s", what,
			    (int)strcspn(m, "\n"), m);
}

static enum ts_err sq_fail(struct copy *c, const char *what)
{
	return ts_error_set(c->err, TS_ERR_IO, "migrate_failed", "%s: %s", what,
			    sqlite3_errmsg(c->src));
}

/* Runs sql with params on the target; *res (if given) gets the result,
 * which the caller clears. */
static enum ts_err pg_run(struct copy *c, const char *sql, int n, const char *const *params,
			  PGresult **res, const char *what)
{
	PGresult *r = PQexecParams(c->dst, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		PQclear(r);
		return pg_fail(c, what);
	}
	if (res)
		*res = r;
	else
		PQclear(r);
	return TS_OK;
}

static enum ts_err pg_count(struct copy *c, const char *table, long long *n)
{
	struct ts_buf sql;
	PGresult *r = NULL;
	char *q;
	enum ts_err e;

	ts_buf_init(&sql, 1024);
	ts_buf_addf(&sql, "SELECT count(*) FROM \"%s\"", table);
	q = ts_buf_take(&sql, NULL);
	e = pg_run(c, q, 0, NULL, &r, "count rows in the target");
	free(q);
	if (!e)
		*n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return e;
}

static enum ts_err sq_count(struct copy *c, const char *table, long long *n)
{
	struct ts_buf sql;
	sqlite3_stmt *st = NULL;
	char *q;
	enum ts_err e = TS_OK;

	ts_buf_init(&sql, 1024);
	ts_buf_addf(&sql, "SELECT count(*) FROM \"%s\"", table);
	q = ts_buf_take(&sql, NULL);
	if (sqlite3_prepare_v2(c->src, q, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		e = sq_fail(c, "count rows in the source");
	else
		*n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	free(q);
	return e;
}

/* The source's tables, parents first: not a virtual table (the FTS5
 * index of file names) nor its shadow tables, which hold no data of their
 * own (the target keeps its own index). Caller frees each and the array. */
static enum ts_err list_tables(struct copy *c, char ***out, size_t *n)
{
	sqlite3_stmt *st = NULL;
	char **names = NULL, **sorted;
	size_t len = 0, k = 0;
	int rc;

	if (sqlite3_prepare_v2(c->src,
			       "SELECT name FROM pragma_table_list WHERE schema = 'main' AND "
			       "type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND "
			       "name <> 'schema_migrations' ORDER BY name",
			       -1, &st, NULL) != SQLITE_OK)
		return sq_fail(c, "list the tables");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		names = ts_xrealloc(names, (len + 1) * sizeof(*names));
		names[len++] = ts_xstrdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		for (size_t i = 0; i < len; i++)
			free(names[i]);
		free(names);
		return sq_fail(c, "list the tables");
	}
	sorted = ts_xcalloc(len ? len : 1, sizeof(*sorted));
	for (size_t o = 0; o < N_ORDER; o++)
		for (size_t i = 0; i < len; i++)
			if (names[i] && strcmp(names[i], table_order[o]) == 0) {
				sorted[k++] = names[i];
				names[i] = NULL;
			}
	for (size_t i = 0; i < len; i++)
		if (names[i])
			sorted[k++] = names[i];
	free(names);
	*out = sorted;
	*n = k;
	return TS_OK;
}

/* Appends v in COPY's text form. */
static int copy_text(struct ts_buf *b, const char *v, size_t n)
{
	size_t from = 0;
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		const char *esc = v[i] == '\\' ? "\\\\" : v[i] == '\n' ? "\\n" : v[i] == '\r' ? "\\r"
			: v[i] == '\t' ? "\\t" : NULL;

		if (!esc)
			continue;
		bad |= ts_buf_add(b, v + from, i - from) != TS_OK;
		bad |= ts_buf_adds(b, esc) != TS_OK;
		from = i + 1;
	}
	return bad | (ts_buf_add(b, v + from, n - from) != TS_OK);
}

/* Appends v in decimal (most columns are integers: no printf per value). */
static enum ts_err add_i64(struct ts_buf *b, int64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[--i] = '-';
	return ts_buf_add(b, tmp + i, sizeof(tmp) - i);
}

static enum ts_err flush(struct copy *c, struct ts_buf *b)
{
	if (b->len && PQputCopyData(c->dst, b->ptr, (int)b->len) != 1)
		return pg_fail(c, "send rows");
	ts_buf_reset(b);
	return TS_OK;
}

/* Streams every row of table into the target with COPY; *rows counts them. */
static enum ts_err copy_rows(struct copy *c, const char *table, long long *rows)
{
	struct ts_buf cols, sql, data;
	sqlite3_stmt *st = NULL;
	PGresult *r;
	char *q = NULL;
	int ncol = 0, rc;
	enum ts_err e = TS_OK;

	ts_buf_init(&cols, 64 * 1024);
	ts_buf_init(&sql, 64 * 1024);
	ts_buf_init(&data, (size_t)1 << 30);
	ts_buf_addf(&sql, "SELECT name FROM pragma_table_info('%s') ORDER BY cid", table);
	q = ts_buf_take(&sql, NULL);
	if (sqlite3_prepare_v2(c->src, q, -1, &st, NULL) != SQLITE_OK) {
		e = sq_fail(c, "read the columns");
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ts_buf_addf(&cols, "%s\"%s\"", ncol ? ", " : "", sqlite3_column_text(st, 0));
		ncol++;
	}
	sqlite3_finalize(st);
	st = NULL;
	free(q);
	q = NULL;
	if (rc != SQLITE_DONE || ncol == 0) {
		e = sq_fail(c, "read the columns");
		goto out;
	}
	ts_buf_addf(&sql, "COPY \"%s\" (%.*s) FROM STDIN", table, (int)cols.len, cols.ptr);
	q = ts_buf_take(&sql, NULL);
	r = PQexec(c->dst, q);
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		PQclear(r);
		e = pg_fail(c, "start the copy");
		goto out;
	}
	PQclear(r);
	free(q);
	ts_buf_addf(&sql, "SELECT %.*s FROM \"%s\"", (int)cols.len, cols.ptr, table);
	q = ts_buf_take(&sql, NULL);
	if (sqlite3_prepare_v2(c->src, q, -1, &st, NULL) != SQLITE_OK) {
		e = sq_fail(c, "read the rows");
		PQputCopyEnd(c->dst, "cannot read the source");
		goto end;
	}
	while (!e && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int bad = 0;

		for (int i = 0; i < ncol; i++) {
			if (i)
				bad |= ts_buf_add(&data, "\t", 1) != TS_OK;
			switch (sqlite3_column_type(st, i)) {
			case SQLITE_NULL:
				bad |= ts_buf_adds(&data, "\\N") != TS_OK;
				break;
			case SQLITE_INTEGER:
				bad |= add_i64(&data, sqlite3_column_int64(st, i)) != TS_OK;
				break;
			case SQLITE_FLOAT:
				bad |= ts_buf_addf(&data, "%.17g", sqlite3_column_double(st, i)) != TS_OK;
				break;
			default:
				bad |= copy_text(&data, (const char *)sqlite3_column_text(st, i),
						 (size_t)sqlite3_column_bytes(st, i));
			}
		}
		bad |= ts_buf_add(&data, "\n", 1) != TS_OK;
		if (bad) {
			e = ts_error_set(c->err, TS_ERR_IO, "migrate_failed",
					 "a row of %s is too large to copy", table);
			break;
		}
		++*rows;
		if (data.len >= COPY_CHUNK)
			e = flush(c, &data);
	}
	if (!e && rc != SQLITE_DONE)
		e = sq_fail(c, "read the rows");
	if (!e)
		e = flush(c, &data);
	if (PQputCopyEnd(c->dst, e ? "the copy stopped" : NULL) != 1 && !e)
		e = pg_fail(c, "end the copy");
end:
	while ((r = PQgetResult(c->dst)) != NULL) {
		if (!e && PQresultStatus(r) != PGRES_COMMAND_OK)
			e = ts_error_set(c->err, TS_ERR_IO, "migrate_failed", "copy %s: %.*s", table,
					 (int)strcspn(PQresultErrorMessage(r), "\n"),
					 PQresultErrorMessage(r));
		PQclear(r);
	}
out:
	sqlite3_finalize(st);
	free(q);
	ts_buf_release(&cols);
	ts_buf_release(&sql);
	ts_buf_release(&data);
	return e;
}

/* Copies table in one transaction with its line in migrate_progress. */
static enum ts_err copy_table(struct copy *c, const char *table)
{
	const char *p[3];
	char rows_s[32], now_s[32];
	PGresult *r = NULL;
	long long rows = 0, have = 0;
	int64_t t0 = ts_time_now_ms();
	struct ts_buf sql;
	char *q;
	enum ts_err e;

	p[0] = table;
	e = pg_run(c, "SELECT rows FROM migrate_progress WHERE table_name = $1", 1, p, &r,
		   "read the progress");
	if (e)
		return e;
	if (PQntuples(r) > 0) {
		fprintf(c->out, "%-32s %10s rows, copied before\n", table, PQgetvalue(r, 0, 0));
		PQclear(r);
		return TS_OK;
	}
	PQclear(r);
	e = pg_run(c, "BEGIN", 0, NULL, NULL, "begin");
	if (!e)
		e = pg_count(c, table, &have);
	if (!e && have > 0)
		e = ts_error_set(c->err, TS_ERR_CONFLICT, "migrate_target_not_empty",
				 "the target's table %s already has %lld rows that this migration "
				 "did not copy; migrate into a new, empty database",
				 table, have);
	/* The rows come as they are: no trigger derives anything from them
	 * (asset_counts and id_floors are copied too). */
	ts_buf_init(&sql, 1024);
	ts_buf_addf(&sql, "ALTER TABLE \"%s\" DISABLE TRIGGER USER", table);
	q = ts_buf_take(&sql, NULL);
	if (!e)
		e = pg_run(c, q, 0, NULL, NULL, "disable the triggers");
	free(q);
	if (!e)
		e = copy_rows(c, table, &rows);
	ts_buf_addf(&sql, "ALTER TABLE \"%s\" ENABLE TRIGGER USER", table);
	q = ts_buf_take(&sql, NULL);
	if (!e)
		e = pg_run(c, q, 0, NULL, NULL, "enable the triggers");
	free(q);
	snprintf(rows_s, sizeof(rows_s), "%lld", rows);
	snprintf(now_s, sizeof(now_s), "%lld", (long long)ts_time_now_ms());
	p[1] = rows_s;
	p[2] = now_s;
	if (!e)
		e = pg_run(c, "INSERT INTO migrate_progress(table_name, rows, finished_at) "
			      "VALUES ($1, $2::bigint, $3::bigint)",
			   3, p, NULL, "record the progress");
	if (!e)
		e = pg_run(c, "COMMIT", 0, NULL, NULL, "commit");
	if (e) {
		PGresult *rb = PQexec(c->dst, "ROLLBACK");

		PQclear(rb);
		return e;
	}
	fprintf(c->out, "%-32s %10lld rows in %.2f s\n", table, rows,
		(double)(ts_time_now_ms() - t0) / 1000.0);
	fflush(c->out);
	return TS_OK;
}

enum ts_err ts_store_copy(const char *from, const char *to, FILE *out, struct ts_error *err)
{
	struct copy c = { .out = out, .err = err };
	struct ts_store *s;
	char **tables = NULL;
	size_t ntables = 0;
	enum ts_err e;
	int64_t t0 = ts_time_now_ms();
	long long total = 0;

	if (!from || strncmp(from, "sqlite:", 7) != 0 || !from[7])
		return ts_error_set(err, TS_ERR_INVALID, "bad_db_url", "--from must be sqlite:PATH");
	if (!to || (strncmp(to, "postgresql://", 13) != 0 && strncmp(to, "postgres://", 11) != 0))
		return ts_error_set(err, TS_ERR_INVALID, "bad_db_url",
				    "--to must be postgresql://...");
	/* Both schemas up to date first: the same tables and columns. */
	s = ts_store_open(from, ".", err);
	if (!s)
		return err->err;
	ts_store_free(s);
	s = ts_store_open(to, ".", err);
	if (!s)
		return err->err;
	ts_store_free(s);

	if (sqlite3_open_v2(from + 7, &c.src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		e = sq_fail(&c, "open the source");
		goto out;
	}
	sqlite3_busy_timeout(c.src, 10000);
	c.dst = PQconnectdb(to);
	if (PQstatus(c.dst) != CONNECTION_OK) {
		e = pg_fail(&c, "connect to the target");
		goto out;
	}
	/* One snapshot of the source for the whole run. */
	if (sqlite3_exec(c.src, "BEGIN; SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		e = sq_fail(&c, "read the source");
		goto out;
	}
	e = pg_run(&c, "SET client_min_messages = warning", 0, NULL, NULL, "configure");
	if (!e)
		e = pg_run(&c,
			   "CREATE TABLE IF NOT EXISTS migrate_progress (table_name TEXT PRIMARY KEY, "
			   "rows BIGINT NOT NULL, finished_at BIGINT NOT NULL)",
			   0, NULL, NULL, "create the progress table");
	if (!e)
		e = list_tables(&c, &tables, &ntables);
	for (size_t i = 0; !e && i < ntables; i++)
		e = copy_table(&c, tables[i]);
	/* Verified: every table holds as many rows as the source's. */
	for (size_t i = 0; !e && i < ntables; i++) {
		long long a = 0, b = 0;

		e = sq_count(&c, tables[i], &a);
		if (!e)
			e = pg_count(&c, tables[i], &b);
		if (!e && a != b)
			e = ts_error_set(err, TS_ERR_IO, "migrate_failed",
					 "table %s has %lld rows in the source but %lld in the target",
					 tables[i], a, b);
		total += a;
	}
	if (!e)
		fprintf(out, "verified: %zu tables, %lld rows, the same counts on both sides "
			     "(%.2f s)\n",
			ntables, total, (double)(ts_time_now_ms() - t0) / 1000.0);
out:
	for (size_t i = 0; i < ntables; i++)
		free(tables[i]);
	free(tables);
	if (c.src)
		sqlite3_close(c.src);
	PQfinish(c.dst);
	return e;
}
