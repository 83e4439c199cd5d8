/* PostgreSQL backend: projects and categories. */
#include "store/store_projects.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "store/postgres/store_pg.h"
#include "core/banned.h"

#define PROJECT_COLS \
	"id, name, task_type, schema_version, created_at, updated_at, review_own_labels, deleted_at"
#define CATEGORY_COLS "project_id, id, name, display_order, state, created_at, updated_at"

static void read_project(struct ts_pg_stmt *st, void *out)
{
	struct ts_project *p = out;

	p->id = ts_pg_col_i64(st, 0);
	ts_pg_text_to(st, 1, p->name, sizeof(p->name));
	ts_pg_text_to(st, 2, p->task_type, sizeof(p->task_type));
	ts_pg_text_to(st, 3, p->schema_version, sizeof(p->schema_version));
	p->created_at = ts_pg_col_i64(st, 4);
	p->updated_at = ts_pg_col_i64(st, 5);
	p->review_own_labels = ts_pg_col_int(st, 6);
	p->deleted_at = ts_pg_col_i64(st, 7);
	p->role[0] = '\0';
}

static void read_project_role(struct ts_pg_stmt *st, void *out)
{
	struct ts_project *p = out;

	read_project(st, out);
	ts_pg_text_to(st, 8, p->role, sizeof(p->role));
}

#define EVENT_SQL(action, detail)                                                   \
	"INSERT INTO project_events(project_id, user_id, at, action, detail) VALUES " \
	"(?1, ?2, ?3, '" action "', " detail ")"

static void read_category(struct ts_pg_stmt *st, void *out)
{
	struct ts_category *c = out;

	c->project_id = ts_pg_col_i64(st, 0);
	c->id = ts_pg_col_i64(st, 1);
	ts_pg_text_to(st, 2, c->name, sizeof(c->name));
	c->display_order = ts_pg_col_i64(st, 3);
	ts_pg_text_to(st, 4, c->state, sizeof(c->state));
	c->created_at = ts_pg_col_i64(st, 5);
	c->updated_at = ts_pg_col_i64(st, 6);
}

enum ts_err ts_pg_project_get_c(struct ts_pg_conn *c, int64_t id, struct ts_project *out,
				struct ts_error *err)
{
	struct ts_pg_stmt *st = ts_pg_prepare_i64(c, "SELECT " PROJECT_COLS " FROM projects WHERE id = ?",
					     TS_PG_I64(id), err);
	enum ts_err e;

	if (!st)
		return TS_ERR_IO;
	e = ts_pg_step_row(c, st, "read project", err, "project_not_found",
			   "project %lld does not exist", (long long)id);
	if (!e)
		read_project(st, out);
	ts_pg_reset(st);
	return e;
}

static enum ts_err pg_create(struct ts_store *s, const char *name, const char *task_type,
			     int64_t user_id, struct ts_project *out, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_stmt *st;
	int64_t now = ts_time_now_ms();
	enum ts_err e;

	int64_t id = 0;

	e = ts_pg_begin_write(c, err);
	if (e)
		goto out;
	st = ts_pg_prepare(c, "INSERT INTO projects(name, task_type, schema_version, created_by, "
			      "created_at, updated_at) VALUES (?1, ?2, "
			      /* The contract version of its exports (CONTRACT.md). */
			      "CASE ?2 WHEN 'classification_single' THEN '1.0.0' "
			      "WHEN 'segmentation' THEN '1.4.0' ELSE '1.1.0' END, "
			      "?3, ?4, ?5) RETURNING id",
			   err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	ts_pg_bind_text(st, 1, name);
	ts_pg_bind_text(st, 2, task_type);
	ts_pg_bind_ref(st, 3, user_id);
	ts_pg_bind_i64(st, 4, now);
	ts_pg_bind_i64(st, 5, now);
	e = ts_pg_exec_stmt(c, st, err);
	if (e)
		goto out;
	id = ts_pg_last_id(c);
	if (user_id > 0)
		e = ts_pg_exec_i64(c, "INSERT INTO project_members(project_id, user_id, role, added_at) "
				      "VALUES (?, ?, 'manager', ?)",
				   TS_PG_I64(id, user_id, now), err);
	if (!e)
		e = ts_pg_project_event(c, EVENT_SQL("project.create", "jsonb_build_object('name', ?4)"), id,
					user_id, NULL, 0, (const char *const[]){ name }, 1, err);
	if (!e)
		e = ts_pg_project_get_c(c, id, out, err);
out:
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_get(struct ts_store *s, int64_t id, struct ts_project *out,
			  struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);

	return ts_pg_end(s, c, ts_pg_project_get_c(c, id, out, err), err);
}

static enum ts_err pg_list(struct ts_store *s, int64_t member_of, int deleted, int64_t before_id,
			   int limit, struct ts_project **out, size_t *n, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	int64_t before = before_id > 0 ? before_id : INT64_MAX;
	struct ts_pg_stmt *st;
	struct ts_pg_rows rows = { 0 };
	enum ts_err e = TS_ERR_IO;

	/* ?4 = 1 lists the deleted projects (a member sees those they
	 * manage), 0 the others. */
	if (member_of > 0)
		st = ts_pg_prepare_i64(c, "SELECT p.id, p.name, p.task_type, p.schema_version, "
					  "p.created_at, p.updated_at, p.review_own_labels, "
					  "p.deleted_at, m.role "
					  "FROM project_members m JOIN projects p ON p.id = m.project_id "
					  "WHERE m.user_id = ?1 AND m.project_id < ?2 "
					  "AND (p.deleted_at IS NOT NULL) = (?4 <> 0) "
					  "AND (?4 = 0 OR m.role = 'manager') "
					  "ORDER BY m.project_id DESC LIMIT ?3",
				       TS_PG_I64(member_of, before, limit, deleted != 0), err);
	else
		st = ts_pg_prepare_i64(c, "SELECT " PROJECT_COLS " FROM projects "
					  "WHERE id < ?1 AND (deleted_at IS NOT NULL) = (?3 <> 0) "
					  "ORDER BY id DESC LIMIT ?2",
				       TS_PG_I64(before, limit, deleted != 0), err);
	if (st)
		e = ts_pg_collect(c, st, sizeof(struct ts_project),
				  member_of > 0 ? read_project_role : read_project, (size_t)limit,
				  &rows, "list projects", err);
	*out = ts_pg_end_rows(s, c, &e, &rows, n, err);
	return e;
}

static enum ts_err pg_update(struct ts_store *s, int64_t id, const char *name,
			     int review_own_labels, int64_t by, struct ts_project *out,
			     struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_project cur;
	struct ts_pg_stmt *st;
	enum ts_err e;

	e = ts_pg_begin_write(c, err);
	if (!e)
		e = ts_pg_project_get_c(c, id, &cur, err);
	if (e)
		goto out;
	if (name && strcmp(name, cur.name) != 0) {
		st = ts_pg_prepare_i64(c, "UPDATE projects SET updated_at = ?1, name = ?3 WHERE id = ?2",
				       TS_PG_I64(ts_time_now_ms(), id), err);
		e = st ? (ts_pg_bind_text(st, 3, name), ts_pg_exec_stmt(c, st, err)) : TS_ERR_IO;
		if (!e)
			e = ts_pg_project_event(c, EVENT_SQL("project.rename",
							     "jsonb_build_object('from', ?4, 'to', ?5)"),
						id, by, NULL, 0,
						(const char *const[]){ cur.name, name }, 2, err);
		if (e)
			goto out;
	}
	if (review_own_labels >= 0 && !review_own_labels != !cur.review_own_labels) {
		e = ts_pg_exec_i64(c, "UPDATE projects SET updated_at = ?, review_own_labels = ? "
				      "WHERE id = ?",
				   TS_PG_I64(ts_time_now_ms(), review_own_labels ? 1 : 0, id), err);
		if (!e)
			e = ts_pg_project_event(c, EVENT_SQL("project.settings",
							     "jsonb_build_object('review_own_labels', "
							     "?4 <> 0)"),
						id, by, TS_PG_I64(review_own_labels ? 1 : 0), NULL, 0,
						err);
		if (e)
			goto out;
	}
	e = ts_pg_project_get_c(c, id, out, err);
out:
	return ts_pg_end(s, c, e, err);
}

static enum ts_err category_get_c(struct ts_pg_conn *c, int64_t project_id, int64_t id,
				  struct ts_category *out, struct ts_error *err)
{
	struct ts_pg_stmt *st = ts_pg_prepare_i64(c, "SELECT " CATEGORY_COLS " FROM categories "
					        "WHERE project_id = ? AND id = ?",
					     TS_PG_I64(project_id, id), err);
	enum ts_err e;

	if (!st)
		return TS_ERR_IO;
	e = ts_pg_step_row(c, st, "read category", err, "category_not_found",
			   "category %lld does not exist in project %lld", (long long)id,
			   (long long)project_id);
	if (!e)
		read_category(st, out);
	ts_pg_reset(st);
	return e;
}

static enum ts_err pg_category_list(struct ts_store *s, int64_t project_id, int include_deleted,
				    struct ts_category **out, size_t *n, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_rows rows = { 0 };
	struct ts_pg_stmt *st;
	enum ts_err e;

	/* One read transaction: the project check and the list agree. */
	e = ts_pg_begin_in_project(c, 0, project_id, err);
	if (e)
		goto out;
	st = ts_pg_prepare_i64(c, "SELECT " CATEGORY_COLS " FROM categories WHERE project_id = ? "
				  "AND (? <> 0 OR state <> 'deleted') ORDER BY display_order, id",
			       TS_PG_I64(project_id, include_deleted ? 1 : 0), err);
	e = ts_pg_collect(c, st, sizeof(struct ts_category), read_category, 0, &rows,
			  "list categories", err);
out:
	*out = ts_pg_end_rows(s, c, &e, &rows, n, err);
	return e;
}

static enum ts_err pg_category_get(struct ts_store *s, int64_t project_id, int64_t id,
				   struct ts_category *out, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);

	return ts_pg_end(s, c, category_get_c(c, project_id, id, out, err), err);
}

/* Is the name key used by a live category other than except_id? */
static enum ts_err name_taken(struct ts_pg_conn *c, int64_t project_id, const char *name,
			      int64_t except_id, struct ts_error *err)
{
	char *key = ts_store_name_key(name);
	struct ts_pg_stmt *st = ts_pg_prepare_i64(c, "SELECT id FROM categories WHERE project_id = ?1 "
					        "AND name_key = ?3 AND state <> 'deleted' AND id <> ?2",
					     TS_PG_I64(project_id, except_id), err);
	enum ts_err e = TS_ERR_IO;
	int found;

	if (st) {
		ts_pg_bind_text(st, 3, key);
		e = ts_pg_step(c, st, &found, "check category name", err);
		if (!e && found)
			e = ts_error_set(err, TS_ERR_CONFLICT, "name_taken",
					 "a category named \"%s\" exists already (id %lld)", name,
					 (long long)ts_pg_col_i64(st, 0));
		ts_pg_reset(st);
	}
	free(key);
	return e;
}

static enum ts_err pg_category_create(struct ts_store *s, int64_t project_id, const char *name,
				      int64_t by, struct ts_category *out, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	char *key = ts_store_name_key(name);
	struct ts_pg_stmt *st;
	int64_t id, order, now = ts_time_now_ms();
	enum ts_err e;

	/* BEGIN IMMEDIATE serialises creators: reading and bumping the
	 * counter cannot interleave, so concurrent creates get distinct ids. */
	e = ts_pg_begin_in_project(c, 1, project_id, err);
	if (!e)
		e = name_taken(c, project_id, name, 0, err);
	if (e)
		goto out;
	st = ts_pg_prepare_i64(c, "SELECT p.next_category_id, (SELECT coalesce(max(display_order), "
				  "0) + 1 FROM categories WHERE project_id = p.id) FROM projects p "
				  "WHERE p.id = ?",
			       TS_PG_I64(project_id), err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	e = ts_pg_step_row(c, st, "allocate category id", err, "project_not_found",
			   "project %lld does not exist", (long long)project_id);
	if (e)
		goto out;
	id = ts_pg_col_i64(st, 0);
	order = ts_pg_col_i64(st, 1);
	ts_pg_reset(st);
	e = ts_pg_exec_i64(c, "UPDATE projects SET next_category_id = ? + 1, updated_at = ? "
			      "WHERE id = ?",
			   TS_PG_I64(id, now, project_id), err);
	if (e)
		goto out;
	st = ts_pg_prepare_i64(c, "INSERT INTO categories(project_id, id, display_order, created_at, "
				  "updated_at, name, name_key, state) "
				  "VALUES (?, ?, ?, ?, ?, ?, ?, 'active')",
			       TS_PG_I64(project_id, id, order, now, now), err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	ts_pg_bind_text(st, 6, name);
	ts_pg_bind_text(st, 7, key);
	e = ts_pg_exec_stmt(c, st, err);
	if (!e)
		e = ts_pg_project_event(c, EVENT_SQL("category.create",
						     "jsonb_build_object('category_id', ?4, 'name', ?5)"),
					project_id, by, TS_PG_I64(id), (const char *const[]){ name },
					1, err);
	if (!e)
		e = category_get_c(c, project_id, id, out, err);
out:
	free(key);
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_category_update(struct ts_store *s, int64_t project_id, int64_t id,
				      const char *name, const char *state, int64_t by,
				      struct ts_category *out, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_category cur;
	struct ts_pg_stmt *st;
	char *key = NULL;
	enum ts_err e;

	e = ts_pg_begin_write(c, err);
	if (e)
		goto out;
	e = category_get_c(c, project_id, id, &cur, err);
	if (e)
		goto out;
	if (strcmp(cur.state, "deleted") == 0) {
		e = ts_error_set(err, TS_ERR_CONFLICT, "category_deleted",
				 "category %lld is deleted and cannot be changed", (long long)id);
		goto out;
	}
	if (name) {
		e = name_taken(c, project_id, name, id, err);
		if (e)
			goto out;
		key = ts_store_name_key(name);
	}
	st = ts_pg_prepare_i64(c, "UPDATE categories SET updated_at = ?1, "
				  "name = coalesce(?4, name), name_key = coalesce(?5, name_key), "
				  "state = coalesce(?6, state) WHERE project_id = ?2 AND id = ?3",
			       TS_PG_I64(ts_time_now_ms(), project_id, id), err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	ts_pg_bind_text(st, 4, name);
	ts_pg_bind_text(st, 5, key);
	ts_pg_bind_text(st, 6, state);
	e = ts_pg_exec_stmt(c, st, err);
	if (!e && name && strcmp(name, cur.name) != 0)
		e = ts_pg_project_event(c, EVENT_SQL("category.rename",
						     "jsonb_build_object('category_id', ?4, 'from', ?5, 'to', ?6)"),
					project_id, by, TS_PG_I64(id),
					(const char *const[]){ cur.name, name }, 2, err);
	if (!e && state && strcmp(state, cur.state) != 0)
		e = ts_pg_project_event(c, EVENT_SQL("category.state",
						     "jsonb_build_object('category_id', ?4, 'name', ?5, "
						     "'from', ?6, 'to', ?7)"),
					project_id, by, TS_PG_I64(id),
					(const char *const[]){ name ? name : cur.name, cur.state, state },
					3, err);
	if (!e)
		e = category_get_c(c, project_id, id, out, err);
out:
	free(key);
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_category_delete(struct ts_store *s, int64_t project_id, int64_t id,
				      int64_t by, struct ts_category *out, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_category cur;
	enum ts_err e;

	e = ts_pg_begin_write(c, err);
	if (!e)
		e = category_get_c(c, project_id, id, &cur, err);
	/* Deleting twice is not an error: the state is what the caller asked. */
	if (!e)
		e = ts_pg_exec_i64(c, "UPDATE categories SET state = 'deleted', updated_at = ? "
				      "WHERE project_id = ? AND id = ? AND state <> 'deleted'",
				   TS_PG_I64(ts_time_now_ms(), project_id, id), err);
	if (!e && strcmp(cur.state, "deleted") != 0)
		e = ts_pg_project_event(c, EVENT_SQL("category.delete",
						     "jsonb_build_object('category_id', ?4, 'name', ?5)"),
					project_id, by, TS_PG_I64(id),
					(const char *const[]){ cur.name }, 1, err);
	if (!e)
		e = category_get_c(c, project_id, id, out, err);
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_category_restore(struct ts_store *s, int64_t project_id, int64_t id,
				       int64_t by, struct ts_category *out, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_category cur;
	enum ts_err e;

	e = ts_pg_begin_in_project(c, 1, project_id, err);
	if (!e)
		e = category_get_c(c, project_id, id, &cur, err);
	if (e || strcmp(cur.state, "deleted") != 0)
		goto out;
	e = name_taken(c, project_id, cur.name, id, err);
	if (!e)
		e = ts_pg_exec_i64(c, "UPDATE categories SET state = 'active', updated_at = ?1, "
				      "display_order = (SELECT coalesce(max(display_order), 0) + 1 "
				      "FROM categories WHERE project_id = ?2 AND state <> 'deleted') "
				      "WHERE project_id = ?2 AND id = ?3",
				   TS_PG_I64(ts_time_now_ms(), project_id, id), err);
	if (!e)
		e = ts_pg_project_event(c, EVENT_SQL("category.restore",
						     "jsonb_build_object('category_id', ?4, 'name', ?5)"),
					project_id, by, TS_PG_I64(id),
					(const char *const[]){ cur.name }, 1, err);
out:
	if (!e)
		e = category_get_c(c, project_id, id, out, err);
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_category_reorder(struct ts_store *s, int64_t project_id, const int64_t *ids,
				       size_t n, int64_t by, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_rows live = { 0 };
	int64_t *given = NULL;
	struct ts_pg_stmt *st;
	enum ts_err e;

	e = ts_pg_begin_in_project(c, 1, project_id, err);
	if (e)
		goto out;
	st = ts_pg_prepare_i64(c, "SELECT id FROM categories WHERE project_id = ? "
				  "AND state <> 'deleted' ORDER BY id",
			       TS_PG_I64(project_id), err);
	e = ts_pg_collect(c, st, sizeof(int64_t), ts_pg_read_i64, 0, &live,
			  "reorder categories", err);
	if (e)
		goto out;
	given = ts_xmalloc((n ? n : 1) * sizeof(*given));
	if (n)
		memcpy(given, ids, n * sizeof(*given));
	qsort(given, n, sizeof(*given), ts_pg_cmp_i64);
	if (n != live.n || (n && memcmp(given, live.items, n * sizeof(*given)) != 0)) {
		e = ts_error_set(err, TS_ERR_INVALID, "invalid_order",
				 "order must list each of the %zu non-deleted category ids exactly once",
				 live.n);
		goto out;
	}
	for (size_t i = 0; i < n && !e; i++)
		e = ts_pg_exec_i64(c, "UPDATE categories SET display_order = ?, updated_at = ? "
				      "WHERE project_id = ? AND id = ?",
				   TS_PG_I64((int64_t)i + 1, ts_time_now_ms(), project_id, ids[i]), err);
	if (!e)
		e = ts_pg_project_event(c, EVENT_SQL("category.reorder",
						     "jsonb_build_object('order', (SELECT coalesce(jsonb_agg(id ORDER BY display_order, id), '[]') "
						     "FROM categories WHERE project_id = ?1 AND state <> 'deleted'))"),
					project_id, by, NULL, 0, NULL, 0, err);
out:
	free(live.items);
	free(given);
	return ts_pg_end(s, c, e, err);
}

const struct ts_store_project_ops ts_pg_project_ops = {
	.create = pg_create,
	.get = pg_get,
	.list = pg_list,
	.set_deleted = ts_pg_project_set_deleted,
	.update = pg_update,
	.category_list = pg_category_list,
	.category_get = pg_category_get,
	.category_create = pg_category_create,
	.category_update = pg_category_update,
	.category_delete = pg_category_delete,
	.category_restore = pg_category_restore,
	.category_reorder = pg_category_reorder,
};
