/* PostgreSQL backend: users, sessions, API tokens. */
#include "store/store_users.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "store/postgres/store_pg.h"
#include "core/banned.h"

#define USER_COLS "u.id, u.name, u.is_admin, u.created_at, coalesce(u.disabled_at, 0)"
#define TOKEN_COLS "t.id, t.user_id, t.name, t.created_at, coalesce(t.expires_at, 0), coalesce(t.last_used_at, 0)"
/* A token is touched at most this often: a write per minute, not per request. */
#define TOKEN_TOUCH_MS 60000

static void read_user(struct ts_pg_stmt *st, int col, struct ts_user *out)
{
	out->id = ts_pg_col_i64(st, col);
	ts_pg_text_to(st, col + 1, out->name, sizeof(out->name));
	out->is_admin = ts_pg_col_int(st, col + 2);
	out->created_at = ts_pg_col_i64(st, col + 3);
	out->disabled_at = ts_pg_col_i64(st, col + 4);
}

static void read_token(struct ts_pg_stmt *st, void *out)
{
	struct ts_token *t = out;

	t->id = ts_pg_col_i64(st, 0);
	t->user_id = ts_pg_col_i64(st, 1);
	ts_pg_text_to(st, 2, t->name, sizeof(t->name));
	t->created_at = ts_pg_col_i64(st, 3);
	t->expires_at = ts_pg_col_i64(st, 4);
	t->last_used_at = ts_pg_col_i64(st, 5);
}

static void read_user_row(struct ts_pg_stmt *st, void *out)
{
	read_user(st, 0, out);
}

static enum ts_err pg_count(struct ts_store *s, int64_t *n, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_stmt *st = ts_pg_prepare(c, "SELECT count(*) FROM users", err);
	enum ts_err e = ts_pg_scalar_i64(c, st, n, "count users", err);

	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_create(struct ts_store *s, const char *name, const char *password_hash,
			     int is_admin, int only_if_none, struct ts_user *out,
			     struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_stmt *st;
	enum ts_err e;
	char *key = ts_store_name_key(name);
	int64_t now = ts_time_now_ms();

	e = ts_pg_begin_write(c, err);
	if (e)
		goto out;
	st = ts_pg_prepare(c, "SELECT (SELECT count(*) FROM users), "
			      "(SELECT count(*) FROM users WHERE name_key = ?)", err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	ts_pg_bind_text(st, 1, key);
	if (ts_pg_next(st) != TS_PG_ROW) {
		e = ts_pg_fail(c, err, "create user");
		goto out;
	}
	int64_t total = ts_pg_col_i64(st, 0), same = ts_pg_col_i64(st, 1);
	ts_pg_reset(st);
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
	st = ts_pg_prepare(c, "INSERT INTO users(name, name_key, password_hash, is_admin, created_at) "
			      "VALUES (?, ?, ?, ?, ?) RETURNING id", err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	ts_pg_bind_text(st, 1, name);
	ts_pg_bind_text(st, 2, key);
	ts_pg_bind_text(st, 3, password_hash);
	ts_pg_bind_i64(st, 4, is_admin ? 1 : 0);
	ts_pg_bind_i64(st, 5, now);
	e = ts_pg_exec_stmt(c, st, err);
	if (e)
		goto out;
	out->id = ts_pg_last_id(c);
	snprintf(out->name, sizeof(out->name), "%s", name);
	out->is_admin = is_admin ? 1 : 0;
	out->created_at = now;
	out->disabled_at = 0;
out:
	free(key);
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_find_by_name(struct ts_store *s, const char *name, struct ts_user *out,
				   char **password_hash, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	char *key = ts_store_name_key(name);
	struct ts_pg_stmt *st = ts_pg_prepare(c, "SELECT " USER_COLS ", u.password_hash FROM users u "
					    "WHERE u.name_key = ?", err);
	enum ts_err e = TS_ERR_IO;

	if (st) {
		ts_pg_bind_text(st, 1, key);
		e = ts_pg_step_row(c, st, "find user", err, "not_found", "no such user");
		if (!e) {
			read_user(st, 0, out);
			*password_hash = ts_pg_text(st, 5);
		}
		ts_pg_reset(st);
	}
	free(key);
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_list(struct ts_store *s, struct ts_user **out, size_t *n,
			   struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_stmt *st = ts_pg_prepare(c, "SELECT " USER_COLS " FROM users u ORDER BY u.id", err);
	struct ts_pg_rows rows = { 0 };
	enum ts_err e = TS_ERR_IO;

	if (st)
		e = ts_pg_collect(c, st, sizeof(struct ts_user), read_user_row, 0, &rows,
				  "list users", err);
	*out = ts_pg_end_rows(s, c, &e, &rows, n, err);
	return e;
}

static enum ts_err exec_with_hash(struct ts_store *s, const char *sql, const char *hash,
				  int64_t a, int64_t b, int64_t c3, int nargs, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_stmt *st = ts_pg_prepare(c, sql, err);
	enum ts_err e = TS_ERR_IO;

	if (st) {
		ts_pg_bind_text(st, 1, hash);
		if (nargs > 0)
			ts_pg_bind_i64(st, 2, a);
		if (nargs > 1)
			ts_pg_bind_i64(st, 3, b);
		if (nargs > 2)
			ts_pg_bind_i64(st, 4, c3);
		e = ts_pg_exec_stmt(c, st, err);
	}
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_session_create(struct ts_store *s, const char *token_hash, int64_t user_id,
				     int64_t expires_at, struct ts_error *err)
{
	return exec_with_hash(s, "INSERT INTO sessions(token_hash, user_id, created_at, expires_at) "
			         "VALUES (?, ?, ?, ?)",
			      token_hash, user_id, ts_time_now_ms(), expires_at, 3, err);
}

static enum ts_err lookup_user(struct ts_store *s, const char *sql, const char *hash, int64_t now,
			       struct ts_user *out, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_stmt *st = ts_pg_prepare(c, sql, err);
	enum ts_err e = TS_ERR_IO;
	int found;

	if (st) {
		ts_pg_bind_text(st, 1, hash);
		if (now)
			ts_pg_bind_i64(st, 2, now);
		e = ts_pg_step(c, st, &found, "authenticate", err);
		if (!e && found)
			read_user(st, 0, out);
		else if (!e)
			e = ts_error_set(err, TS_ERR_UNAUTHORIZED, "unauthorized",
					 "the session or token is not valid");
		ts_pg_reset(st);
	}
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_session_user(struct ts_store *s, const char *token_hash, int64_t now,
				   struct ts_user *out, struct ts_error *err)
{
	return lookup_user(s, "SELECT " USER_COLS " FROM sessions x JOIN users u ON u.id = x.user_id "
			      "WHERE x.token_hash = ? AND x.expires_at > ? AND u.disabled_at IS NULL",
			   token_hash, now, out, err);
}

static enum ts_err pg_session_delete(struct ts_store *s, const char *token_hash,
				     struct ts_error *err)
{
	return exec_with_hash(s, "DELETE FROM sessions WHERE token_hash = ?", token_hash, 0, 0, 0,
			      0, err);
}

static enum ts_err user_get_c(struct ts_pg_conn *c, int64_t id, struct ts_user *out,
			      struct ts_error *err)
{
	struct ts_pg_stmt *st = ts_pg_prepare_i64(c, "SELECT " USER_COLS " FROM users u WHERE u.id = ?",
					     TS_PG_I64(id), err);
	enum ts_err e;

	if (!st)
		return TS_ERR_IO;
	e = ts_pg_step_row(c, st, "read user", err, "user_not_found", "user %lld does not exist",
			   (long long)id);
	if (!e)
		read_user(st, 0, out);
	ts_pg_reset(st);
	return e;
}

static enum ts_err pg_get(struct ts_store *s, int64_t id, struct ts_user *out,
			  struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);

	return ts_pg_end(s, c, user_get_c(c, id, out, err), err);
}

/* Inside a write transaction: every session of the user ends, every token
 * is revoked. */
static enum ts_err end_credentials(struct ts_pg_conn *c, int64_t user_id, int64_t now,
				   struct ts_error *err)
{
	enum ts_err e = ts_pg_exec_i64(c, "DELETE FROM sessions WHERE user_id = ?",
				       TS_PG_I64(user_id), err);

	if (!e)
		e = ts_pg_exec_i64(c, "UPDATE api_tokens SET revoked_at = ?2 "
				      "WHERE user_id = ?1 AND revoked_at IS NULL",
				   TS_PG_I64(user_id, now), err);
	return e;
}

static enum ts_err pg_set_disabled(struct ts_store_tx *tx, int64_t id, int disabled,
				   struct ts_user *out, struct ts_error *err)
{
	struct ts_pg_conn *c = tx->impl;
	int64_t now = ts_time_now_ms();
	struct ts_user cur;
	enum ts_err e;

	e = user_get_c(c, id, &cur, err);
	if (e)
		return e;
	if (disabled && !cur.disabled_at) {
		e = ts_pg_exec_i64(c, "UPDATE users SET disabled_at = ? WHERE id = ?",
				   TS_PG_I64(now, id), err);
		if (!e)
			e = end_credentials(c, id, now, err);
	} else if (!disabled && cur.disabled_at) {
		e = ts_pg_exec_i64(c, "UPDATE users SET disabled_at = NULL WHERE id = ?",
				   TS_PG_I64(id), err);
	}
	if (!e)
		e = user_get_c(c, id, out, err);
	return e;
}

static enum ts_err pg_count_admins(struct ts_store_tx *tx, int64_t *n, struct ts_error *err)
{
	struct ts_pg_conn *c = tx->impl;

	return ts_pg_scalar_i64(c, ts_pg_prepare(c, "SELECT count(*) FROM users WHERE "
						    "is_admin = 1 AND disabled_at IS NULL", err),
				n, "count admins", err);
}

static enum ts_err pg_session_purge(struct ts_store *s, int64_t now, int64_t *n,
				    struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	enum ts_err e = ts_pg_exec_i64(c, "DELETE FROM sessions WHERE expires_at <= ?",
				       TS_PG_I64(now), err);

	if (n)
		*n = e ? 0 : ts_pg_changes(c);
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_token_create(struct ts_store *s, const char *token_hash, int64_t user_id,
				   const char *name, int64_t expires_at, struct ts_token *out,
				   struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	int64_t now = ts_time_now_ms();
	struct ts_pg_stmt *st = ts_pg_prepare_i64(c, "INSERT INTO api_tokens(user_id, created_at, "
					        "expires_at, token_hash, name) VALUES (?, ?, ?, ?4, ?5) "
					        "RETURNING id",
					     TS_PG_I64(user_id, now, expires_at), err);
	enum ts_err e = TS_ERR_IO;

	if (st) {
		if (expires_at <= 0)
			ts_pg_bind_null(st, 3);
		ts_pg_bind_text(st, 4, token_hash);
		ts_pg_bind_text(st, 5, name ? name : "");
		e = ts_pg_exec_stmt(c, st, err);
		if (!e && out) {
			memset(out, 0, sizeof(*out));
			out->id = ts_pg_last_id(c);
			out->user_id = user_id;
			snprintf(out->name, sizeof(out->name), "%s", name ? name : "");
			out->created_at = now;
			out->expires_at = expires_at > 0 ? expires_at : 0;
		}
	}
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_token_user(struct ts_store *s, const char *token_hash, int64_t now,
				 struct ts_user *out, int64_t *token_id, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_stmt *st = ts_pg_prepare(c, "SELECT " USER_COLS ", t.id, coalesce(t.expires_at, 0), "
					    "coalesce(t.last_used_at, 0), t.revoked_at IS NOT NULL "
					    "FROM api_tokens t JOIN users u ON u.id = t.user_id "
					    "WHERE t.token_hash = ?",
					 err);
	int64_t id = 0, expires = 0, used = 0;
	int found = 0, revoked = 0;
	enum ts_err e = TS_ERR_IO;
	char when[32];

	if (st) {
		ts_pg_bind_text(st, 1, token_hash);
		e = ts_pg_step(c, st, &found, "authenticate", err);
		if (!e && found) {
			read_user(st, 0, out);
			id = ts_pg_col_i64(st, 5);
			expires = ts_pg_col_i64(st, 6);
			used = ts_pg_col_i64(st, 7);
			revoked = ts_pg_col_int(st, 8);
		}
		ts_pg_reset(st);
	}
	if (e)
		goto out;
	/* The account first: a disabled user's tokens are revoked too, and
	 * "disabled" is what the caller needs to hear. */
	if (!found) {
		e = ts_error_set(err, TS_ERR_UNAUTHORIZED, "unauthorized",
				 "the API token is not valid");
	} else if (out->disabled_at) {
		e = ts_error_set(err, TS_ERR_UNAUTHORIZED, "unauthorized",
				 "this account is disabled");
	} else if (revoked) {
		e = ts_error_set(err, TS_ERR_UNAUTHORIZED, "unauthorized",
				 "this API token has been revoked");
	} else if (expires && expires <= now) {
		ts_time_rfc3339(expires, when, sizeof(when));
		e = ts_error_set(err, TS_ERR_UNAUTHORIZED, "unauthorized",
				 "this API token expired at %s; make a new one", when);
	} else if (now - used >= TOKEN_TOUCH_MS) {
		/* A failed touch is no reason to refuse the request. The write
		 * queues on the process's write lock like every other. */
		struct ts_error ignored = { 0 };

		if (ts_pg_begin_write(c, &ignored) == TS_OK &&
		    (ts_pg_exec_i64(c, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?",
				    TS_PG_I64(now, id), &ignored) != TS_OK ||
		     ts_pg_commit(c, &ignored) != TS_OK))
			ts_pg_rollback(c);
		ts_error_release(&ignored);
	}
	if (!e && token_id)
		*token_id = id;
out:
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_token_list(struct ts_store *s, int64_t user_id, struct ts_token **out,
				 size_t *n, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_stmt *st = ts_pg_prepare_i64(c, "SELECT " TOKEN_COLS " FROM api_tokens t "
					        "WHERE t.user_id = ? AND t.revoked_at IS NULL ORDER BY t.id",
					     TS_PG_I64(user_id), err);
	struct ts_pg_rows rows = { 0 };
	enum ts_err e = TS_ERR_IO;

	if (st)
		e = ts_pg_collect(c, st, sizeof(struct ts_token), read_token, 0, &rows,
				  "list tokens", err);
	*out = ts_pg_end_rows(s, c, &e, &rows, n, err);
	return e;
}

static enum ts_err pg_token_revoke(struct ts_store *s, int64_t user_id, int64_t token_id,
				   struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	enum ts_err e = ts_pg_exec_i64(c, "UPDATE api_tokens SET revoked_at = ?3 WHERE id = ?1 "
					  "AND user_id = ?2 AND revoked_at IS NULL",
				       TS_PG_I64(token_id, user_id, ts_time_now_ms()), err);

	if (!e && ts_pg_changes(c) == 0)
		e = ts_error_set(err, TS_ERR_NOT_FOUND, "token_not_found",
				 "you have no token %lld (or it is revoked already)",
				 (long long)token_id);
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_revoke_all(struct ts_store *s, int64_t user_id, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	enum ts_err e = ts_pg_begin_write(c, err);

	if (!e)
		e = end_credentials(c, user_id, ts_time_now_ms(), err);
	return ts_pg_end(s, c, e, err);
}

const struct ts_store_user_ops ts_pg_user_ops = {
	.count = pg_count,
	.create = pg_create,
	.find_by_name = pg_find_by_name,
	.list = pg_list,
	.session_create = pg_session_create,
	.session_user = pg_session_user,
	.session_delete = pg_session_delete,
	.get = pg_get,
	.set_disabled = pg_set_disabled,
	.count_admins = pg_count_admins,
	.session_purge = pg_session_purge,
	.token_create = pg_token_create,
	.token_user = pg_token_user,
	.token_list = pg_token_list,
	.token_revoke = pg_token_revoke,
	.revoke_all = pg_revoke_all,
};
