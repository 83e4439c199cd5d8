/* SQLite backend: users, sessions, API tokens. */
#include "store/users.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "store/sqlite_int.h"
#include "core/banned.h"

#define USER_COLS "u.id, u.name, u.is_admin, u.created_at"

static void read_user(sqlite3_stmt *st, int col, struct ts_user *out)
{
	out->id = sqlite3_column_int64(st, col);
	ts_sq_text_to(st, col + 1, out->name, sizeof(out->name));
	out->is_admin = sqlite3_column_int(st, col + 2);
	out->created_at = sqlite3_column_int64(st, col + 3);
}

static void read_user_row(sqlite3_stmt *st, void *out)
{
	read_user(st, 0, out);
}

static enum ts_err sq_count(struct ts_store *s, int64_t *n, struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	sqlite3_stmt *st = ts_sq_prepare(c, "SELECT count(*) FROM users", err);
	enum ts_err e = ts_sq_scalar_i64(c, st, n, "count users", err);

	return ts_sq_end(s, c, e, err);
}

static enum ts_err sq_create(struct ts_store *s, const char *name, const char *password_hash,
			     int is_admin, int only_if_none, struct ts_user *out,
			     struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	sqlite3_stmt *st;
	enum ts_err e;
	char *key = ts_store_name_key(name);
	int64_t now = ts_time_now_ms();

	e = ts_sq_begin_write(c, err);
	if (e)
		goto out;
	st = ts_sq_prepare(c, "SELECT (SELECT count(*) FROM users), "
			      "(SELECT count(*) FROM users WHERE name_key = ?)", err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	ts_sq_bind_text(st, 1, key);
	if (sqlite3_step(st) != SQLITE_ROW) {
		e = ts_sq_fail(c, err, "create user");
		goto out;
	}
	int64_t total = sqlite3_column_int64(st, 0), same = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	if (only_if_none && total > 0) {
		e = ts_error_set(err, TS_ERR_CONFLICT, "already_set_up",
				 "the first account exists already; log in instead");
		goto out;
	}
	if (same > 0) {
		e = ts_error_set(err, TS_ERR_CONFLICT, "name_taken", "a user named \"%s\" exists",
				 name);
		goto out;
	}
	st = ts_sq_prepare(c, "INSERT INTO users(name, name_key, password_hash, is_admin, created_at) "
			      "VALUES (?, ?, ?, ?, ?)", err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	ts_sq_bind_text(st, 1, name);
	ts_sq_bind_text(st, 2, key);
	ts_sq_bind_text(st, 3, password_hash);
	sqlite3_bind_int(st, 4, is_admin ? 1 : 0);
	sqlite3_bind_int64(st, 5, now);
	e = ts_sq_exec_stmt(c, st, err);
	if (e)
		goto out;
	out->id = sqlite3_last_insert_rowid(c->db);
	snprintf(out->name, sizeof(out->name), "%s", name);
	out->is_admin = is_admin ? 1 : 0;
	out->created_at = now;
out:
	free(key);
	return ts_sq_end(s, c, e, err);
}

static enum ts_err sq_find_by_name(struct ts_store *s, const char *name, struct ts_user *out,
				   char **password_hash, struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	char *key = ts_store_name_key(name);
	sqlite3_stmt *st = ts_sq_prepare(c, "SELECT " USER_COLS ", u.password_hash FROM users u "
					    "WHERE u.name_key = ?", err);
	enum ts_err e = TS_ERR_IO;

	if (st) {
		ts_sq_bind_text(st, 1, key);
		e = ts_sq_step_row(c, st, "find user", err, "not_found", "no such user");
		if (!e) {
			read_user(st, 0, out);
			*password_hash = ts_sq_text(st, 4);
		}
		sqlite3_reset(st);
	}
	free(key);
	return ts_sq_end(s, c, e, err);
}

static enum ts_err sq_list(struct ts_store *s, struct ts_user **out, size_t *n,
			   struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	sqlite3_stmt *st = ts_sq_prepare(c, "SELECT " USER_COLS " FROM users u ORDER BY u.id", err);
	struct ts_sq_rows rows = { 0 };
	enum ts_err e = TS_ERR_IO;

	if (st)
		e = ts_sq_collect(c, st, sizeof(struct ts_user), read_user_row, 0, &rows,
				  "list users", err);
	*out = ts_sq_end_rows(s, c, &e, &rows, n, err);
	return e;
}

static enum ts_err exec_with_hash(struct ts_store *s, const char *sql, const char *hash,
				  int64_t a, int64_t b, int64_t c3, int nargs, struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	sqlite3_stmt *st = ts_sq_prepare(c, sql, err);
	enum ts_err e = TS_ERR_IO;

	if (st) {
		ts_sq_bind_text(st, 1, hash);
		if (nargs > 0)
			sqlite3_bind_int64(st, 2, a);
		if (nargs > 1)
			sqlite3_bind_int64(st, 3, b);
		if (nargs > 2)
			sqlite3_bind_int64(st, 4, c3);
		e = ts_sq_exec_stmt(c, st, err);
	}
	return ts_sq_end(s, c, e, err);
}

static enum ts_err sq_session_create(struct ts_store *s, const char *token_hash, int64_t user_id,
				     int64_t expires_at, struct ts_error *err)
{
	return exec_with_hash(s, "INSERT INTO sessions(token_hash, user_id, created_at, expires_at) "
			         "VALUES (?, ?, ?, ?)",
			      token_hash, user_id, ts_time_now_ms(), expires_at, 3, err);
}

static enum ts_err lookup_user(struct ts_store *s, const char *sql, const char *hash, int64_t now,
			       struct ts_user *out, struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	sqlite3_stmt *st = ts_sq_prepare(c, sql, err);
	enum ts_err e = TS_ERR_IO;
	int found;

	if (st) {
		ts_sq_bind_text(st, 1, hash);
		if (now)
			sqlite3_bind_int64(st, 2, now);
		e = ts_sq_step(c, st, &found, "authenticate", err);
		if (!e && found)
			read_user(st, 0, out);
		else if (!e)
			e = ts_error_set(err, TS_ERR_UNAUTHORIZED, "unauthorized",
					 "the session or token is not valid");
		sqlite3_reset(st);
	}
	return ts_sq_end(s, c, e, err);
}

static enum ts_err sq_session_user(struct ts_store *s, const char *token_hash, int64_t now,
				   struct ts_user *out, struct ts_error *err)
{
	return lookup_user(s, "SELECT " USER_COLS " FROM sessions x JOIN users u ON u.id = x.user_id "
			      "WHERE x.token_hash = ? AND x.expires_at > ?",
			   token_hash, now, out, err);
}

static enum ts_err sq_session_delete(struct ts_store *s, const char *token_hash,
				     struct ts_error *err)
{
	return exec_with_hash(s, "DELETE FROM sessions WHERE token_hash = ?", token_hash, 0, 0, 0,
			      0, err);
}

static enum ts_err sq_token_create(struct ts_store *s, const char *token_hash, int64_t user_id,
				   struct ts_error *err)
{
	return exec_with_hash(s, "INSERT INTO api_tokens(token_hash, user_id, created_at) "
			         "VALUES (?, ?, ?)",
			      token_hash, user_id, ts_time_now_ms(), 0, 2, err);
}

static enum ts_err sq_token_user(struct ts_store *s, const char *token_hash, struct ts_user *out,
				 struct ts_error *err)
{
	return lookup_user(s, "SELECT " USER_COLS " FROM api_tokens x JOIN users u ON u.id = x.user_id "
			      "WHERE x.token_hash = ?",
			   token_hash, 0, out, err);
}

const struct ts_store_user_ops ts_sq_user_ops = {
	.count = sq_count,
	.create = sq_create,
	.find_by_name = sq_find_by_name,
	.list = sq_list,
	.session_create = sq_session_create,
	.session_user = sq_session_user,
	.session_delete = sq_session_delete,
	.token_create = sq_token_create,
	.token_user = sq_token_user,
};
