/* SQLite backend: project membership, the project audit history, and the
 * project an asset, export or video belongs to. */
#include "store/store_members.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "store/sqlite/store_sqlite.h"
#include "core/banned.h"

enum ts_err ts_sq_project_event(struct ts_sq_conn *c, const char *sql, int64_t project_id,
				int64_t by, const int64_t *args, int n, const char *const *texts,
				int ntexts, struct ts_error *err)
{
	sqlite3_stmt *st = ts_sq_prepare(c, sql, err);

	if (!st)
		return TS_ERR_IO;
	sqlite3_bind_int64(st, 1, project_id);
	ts_sq_bind_ref(st, 2, by);
	sqlite3_bind_int64(st, 3, ts_time_now_ms());
	for (int i = 0; i < n; i++)
		sqlite3_bind_int64(st, 4 + i, args[i]);
	for (int i = 0; i < ntexts; i++)
		ts_sq_bind_text(st, 4 + n + i, texts[i]);
	return ts_sq_exec_stmt(c, st, err);
}

static enum ts_err sq_resolve(struct ts_store *s, enum ts_scope scope, int64_t id, int64_t user_id,
			      int64_t *project_id, char role[TS_ROLE_NAME_MAX],
			      struct ts_error *err)
{
	/* One statement per kind of id; the membership is joined in, so the
	 * whole check is one indexed lookup. */
	static const char *const sql[] = {
		[TS_SCOPE_PROJECT] = "SELECT x.id, coalesce(m.role, '') FROM projects x "
				     "LEFT JOIN project_members m ON m.project_id = x.id AND m.user_id = ?2 "
				     "WHERE x.id = ?1 AND x.deleted_at IS NULL",
		[TS_SCOPE_ASSET] = "SELECT x.project_id, coalesce(m.role, '') FROM assets x "
				   "JOIN projects p ON p.id = x.project_id AND p.deleted_at IS NULL "
				   "LEFT JOIN project_members m ON m.project_id = x.project_id "
				   "AND m.user_id = ?2 WHERE x.id = ?1",
		[TS_SCOPE_EXPORT] = "SELECT x.project_id, coalesce(m.role, '') FROM exports x "
				    "JOIN projects p ON p.id = x.project_id AND p.deleted_at IS NULL "
				    "LEFT JOIN project_members m ON m.project_id = x.project_id "
				    "AND m.user_id = ?2 WHERE x.id = ?1",
		[TS_SCOPE_VIDEO] = "SELECT x.project_id, coalesce(m.role, '') FROM videos x "
				   "JOIN projects p ON p.id = x.project_id AND p.deleted_at IS NULL "
				   "LEFT JOIN project_members m ON m.project_id = x.project_id "
				   "AND m.user_id = ?2 WHERE x.id = ?1",
		[TS_SCOPE_ANY_PROJECT] = "SELECT x.id, coalesce(m.role, '') FROM projects x "
					 "LEFT JOIN project_members m ON m.project_id = x.id "
					 "AND m.user_id = ?2 WHERE x.id = ?1",
		[TS_SCOPE_IMPORT] = "SELECT x.project_id, coalesce(m.role, '') FROM imports x "
				    "JOIN projects p ON p.id = x.project_id AND p.deleted_at IS NULL "
				    "LEFT JOIN project_members m ON m.project_id = x.project_id "
				    "AND m.user_id = ?2 WHERE x.id = ?1",
	};
	static const char *const kind[] = { [TS_SCOPE_PROJECT] = "project", [TS_SCOPE_ASSET] = "asset",
					    [TS_SCOPE_EXPORT] = "export", [TS_SCOPE_VIDEO] = "video",
					    [TS_SCOPE_ANY_PROJECT] = "project",
					    [TS_SCOPE_IMPORT] = "import" };
	struct ts_sq_conn *c;
	sqlite3_stmt *st;
	enum ts_err e;
	char code[32];

	if (scope < TS_SCOPE_PROJECT || scope > TS_SCOPE_IMPORT)
		return ts_error_set(err, TS_ERR_INTERNAL, "internal_error", "unknown id kind");
	c = ts_sq_acquire(s);
	st = ts_sq_prepare_i64(c, sql[scope], TS_SQ_I64(id, user_id), err);
	e = TS_ERR_IO;
	if (st) {
		snprintf(code, sizeof(code), "%s_not_found", kind[scope]);
		e = ts_sq_step_row(c, st, "find project", err, code, "%s %lld does not exist",
				   kind[scope], (long long)id);
		if (!e) {
			*project_id = sqlite3_column_int64(st, 0);
			ts_sq_text_to(st, 1, role, TS_ROLE_NAME_MAX);
		}
		sqlite3_reset(st);
	}
	return ts_sq_end(s, c, e, err);
}

#define MEMBER_SELECT                                                                       \
	"SELECT m.project_id, m.user_id, u.name, u.disabled_at IS NOT NULL, m.role, m.added_at " \
	"FROM project_members m JOIN users u ON u.id = m.user_id "

static void read_member(sqlite3_stmt *st, void *out)
{
	struct ts_member *m = out;

	m->project_id = sqlite3_column_int64(st, 0);
	m->user_id = sqlite3_column_int64(st, 1);
	ts_sq_text_to(st, 2, m->user_name, sizeof(m->user_name));
	m->disabled = sqlite3_column_int(st, 3);
	ts_sq_text_to(st, 4, m->role, sizeof(m->role));
	m->added_at = sqlite3_column_int64(st, 5);
}

static enum ts_err sq_list(struct ts_store *s, int64_t project_id, struct ts_member **out,
			   size_t *n, struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	struct ts_sq_rows rows = { 0 };
	enum ts_err e = ts_sq_begin_in_project(c, 0, project_id, err);

	if (!e)
		e = ts_sq_collect(c,
				  ts_sq_prepare_i64(c, MEMBER_SELECT "WHERE m.project_id = ? "
							       "ORDER BY u.name_key",
						    TS_SQ_I64(project_id), err),
				  sizeof(struct ts_member), read_member, 0, &rows, "list members",
				  err);
	*out = ts_sq_end_rows(s, c, &e, &rows, n, err);
	return e;
}

static enum ts_err member_get_c(struct ts_sq_conn *c, int64_t project_id, int64_t user_id,
				struct ts_member *out, int *found, struct ts_error *err)
{
	sqlite3_stmt *st = ts_sq_prepare_i64(c, MEMBER_SELECT "WHERE m.project_id = ? AND m.user_id = ?",
					     TS_SQ_I64(project_id, user_id), err);
	enum ts_err e;

	if (!st)
		return TS_ERR_IO;
	e = ts_sq_step(c, st, found, "read member", err);
	if (!e && *found) {
		read_member(st, out);
		sqlite3_reset(st);
	}
	return e;
}

static enum ts_err sq_count_role(struct ts_store_tx *tx, int64_t project_id, const char *role,
				 int64_t *n, struct ts_error *err)
{
	struct ts_sq_conn *c = tx->impl;
	sqlite3_stmt *st = ts_sq_prepare_i64(c, "SELECT count(*) FROM project_members "
					        "WHERE project_id = ? AND role = ?",
					     TS_SQ_I64(project_id), err);

	if (st)
		ts_sq_bind_text(st, 2, role);
	return ts_sq_scalar_i64(c, st, n, "count members", err);
}

static enum ts_err sq_set(struct ts_store_tx *tx, int64_t project_id, int64_t user_id,
			  const char *role, int64_t by, struct ts_member *out, int *created,
			  char before[TS_ROLE_NAME_MAX], struct ts_error *err)
{
	struct ts_sq_conn *c = tx->impl;
	struct ts_member cur;
	sqlite3_stmt *st;
	int found = 0;
	enum ts_err e;

	memset(&cur, 0, sizeof(cur));
	*created = 0;
	before[0] = '\0';
	e = ts_sq_project_exists(c, project_id, err);
	if (e)
		goto out;
	st = ts_sq_prepare_i64(c, "SELECT 1 FROM users WHERE id = ?", TS_SQ_I64(user_id), err);
	e = st ? ts_sq_step_row(c, st, "find user", err, "user_not_found",
				"user %lld does not exist", (long long)user_id)
	       : TS_ERR_IO;
	if (st)
		sqlite3_reset(st);
	if (!e)
		e = member_get_c(c, project_id, user_id, &cur, &found, err);
	if (e)
		goto out;
	if (found)
		memcpy(before, cur.role, TS_ROLE_NAME_MAX);
	if (found && strcmp(cur.role, role) == 0) {
		*out = cur;
		goto out;
	}
	st = ts_sq_prepare_i64(c, "INSERT INTO project_members(project_id, user_id, added_at, role) "
				  "VALUES (?, ?, ?, ?4) ON CONFLICT(project_id, user_id) "
				  "DO UPDATE SET role = ?4",
			       TS_SQ_I64(project_id, user_id, ts_time_now_ms()), err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	ts_sq_bind_text(st, 4, role);
	e = ts_sq_exec_stmt(c, st, err);
	if (e)
		goto out;
	if (found)
		e = ts_sq_project_event(c, "INSERT INTO project_events(project_id, user_id, at, action, "
					   "detail) VALUES (?1, ?2, ?3, 'member.role', json_object("
					   "'user_id', ?4, 'name', (SELECT name FROM users WHERE id = ?4), "
					   "'from', ?5, 'to', ?6))",
					project_id, by, TS_SQ_I64(user_id),
					(const char *const[]){ cur.role, role }, 2, err);
	else
		e = ts_sq_project_event(c, "INSERT INTO project_events(project_id, user_id, at, action, "
					   "detail) VALUES (?1, ?2, ?3, 'member.add', json_object("
					   "'user_id', ?4, 'name', (SELECT name FROM users WHERE id = ?4), "
					   "'role', ?5))",
					project_id, by, TS_SQ_I64(user_id),
					(const char *const[]){ role }, 1, err);
	if (!e)
		*created = !found;
	if (!e)
		e = member_get_c(c, project_id, user_id, out, &found, err);
out:
	return e;
}

static enum ts_err sq_remove(struct ts_store_tx *tx, int64_t project_id, int64_t user_id,
			     int64_t by, char before[TS_ROLE_NAME_MAX], struct ts_error *err)
{
	struct ts_sq_conn *c = tx->impl;
	struct ts_member cur;
	int found = 0;
	enum ts_err e;

	before[0] = '\0';
	e = ts_sq_project_exists(c, project_id, err);
	if (!e)
		e = member_get_c(c, project_id, user_id, &cur, &found, err);
	if (!e && !found)
		e = ts_error_set(err, TS_ERR_NOT_FOUND, "member_not_found",
				 "user %lld is not a member of project %lld", (long long)user_id,
				 (long long)project_id);
	if (!e)
		memcpy(before, cur.role, TS_ROLE_NAME_MAX);
	if (!e)
		e = ts_sq_exec_i64(c, "DELETE FROM project_members WHERE project_id = ? AND user_id = ?",
				   TS_SQ_I64(project_id, user_id), err);
	if (!e)
		e = ts_sq_project_event(c, "INSERT INTO project_events(project_id, user_id, at, action, "
					   "detail) VALUES (?1, ?2, ?3, 'member.remove', json_object("
					   "'user_id', ?4, 'name', ?5, 'role', ?6))",
					project_id, by, TS_SQ_I64(user_id),
					(const char *const[]){ cur.user_name, cur.role }, 2, err);
	return e;
}

static void read_event(sqlite3_stmt *st, void *out)
{
	struct ts_project_event *ev = out;

	ev->id = sqlite3_column_int64(st, 0);
	ev->project_id = sqlite3_column_int64(st, 1);
	ev->user_id = sqlite3_column_int64(st, 2);
	ts_sq_text_to(st, 3, ev->user_name, sizeof(ev->user_name));
	ev->at = sqlite3_column_int64(st, 4);
	ts_sq_text_to(st, 5, ev->action, sizeof(ev->action));
	ev->detail = ts_sq_text(st, 6);
}

static enum ts_err sq_events(struct ts_store *s, int64_t project_id, int64_t before_id, int limit,
			     struct ts_project_event **out, size_t *n, struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	struct ts_sq_rows rows = { 0 };
	enum ts_err e = ts_sq_begin_in_project(c, 0, project_id, err);

	if (limit <= 0 || limit > TS_EVENTS_PAGE_MAX)
		limit = TS_EVENTS_PAGE_MAX;
	if (!e)
		e = ts_sq_collect(c,
				  ts_sq_prepare_i64(c, "SELECT e.id, e.project_id, coalesce(e.user_id, 0), "
						       "coalesce(u.name, ''), e.at, e.action, e.detail "
						       "FROM project_events e LEFT JOIN users u ON u.id = e.user_id "
						       "WHERE e.project_id = ? AND e.id < ? ORDER BY e.id DESC LIMIT ?",
						    TS_SQ_I64(project_id, before_id > 0 ? before_id : INT64_MAX,
							      limit),
						    err),
				  sizeof(struct ts_project_event), read_event, (size_t)limit, &rows,
				  "list project history", err);
	if (e) {
		ts_store_events_release(rows.items, rows.n);
		rows.items = NULL;
		rows.n = 0;
	}
	*out = ts_sq_end_rows(s, c, &e, &rows, n, err);
	return e;
}

const struct ts_store_member_ops ts_sq_member_ops = {
	.resolve = sq_resolve,
	.list = sq_list,
	.set = sq_set,
	.remove = sq_remove,
	.count_role = sq_count_role,
	.events = sq_events,
};
