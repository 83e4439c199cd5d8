/* SQLite backend: projects and categories. */
#include "store/projects.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "store/sqlite_int.h"
#include "core/banned.h"

#define PROJECT_COLS "id, name, task_type, schema_version, created_at, updated_at"
#define CATEGORY_COLS "project_id, id, name, display_order, state, created_at, updated_at"

static void read_project(sqlite3_stmt *st, struct ts_project *p)
{
	p->id = sqlite3_column_int64(st, 0);
	ts_sq_text_to(st, 1, p->name, sizeof(p->name));
	ts_sq_text_to(st, 2, p->task_type, sizeof(p->task_type));
	ts_sq_text_to(st, 3, p->schema_version, sizeof(p->schema_version));
	p->created_at = sqlite3_column_int64(st, 4);
	p->updated_at = sqlite3_column_int64(st, 5);
}

static void read_category(sqlite3_stmt *st, struct ts_category *c)
{
	c->project_id = sqlite3_column_int64(st, 0);
	c->id = sqlite3_column_int64(st, 1);
	ts_sq_text_to(st, 2, c->name, sizeof(c->name));
	c->display_order = sqlite3_column_int64(st, 3);
	ts_sq_text_to(st, 4, c->state, sizeof(c->state));
	c->created_at = sqlite3_column_int64(st, 5);
	c->updated_at = sqlite3_column_int64(st, 6);
}

static enum ts_err project_get_c(struct ts_sq_conn *c, int64_t id, struct ts_project *out,
				 struct ts_error *err)
{
	sqlite3_stmt *st = ts_sq_prepare(c, "SELECT " PROJECT_COLS " FROM projects WHERE id = ?", err);
	enum ts_err e = TS_OK;
	int rc;

	if (!st)
		return TS_ERR_IO;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (out)
			read_project(st, out);
	} else if (rc == SQLITE_DONE) {
		e = ts_error_set(err, TS_ERR_NOT_FOUND, "project_not_found",
				 "project %lld does not exist", (long long)id);
	} else {
		e = ts_sq_fail(c, err, "read project");
	}
	sqlite3_reset(st);
	return e;
}

static enum ts_err sq_create(struct ts_store *s, const char *name, const char *task_type,
			     int64_t user_id, struct ts_project *out, struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	sqlite3_stmt *st = ts_sq_prepare(c, "INSERT INTO projects(name, task_type, schema_version, "
					    "created_by, created_at, updated_at) VALUES (?, ?, '1.0.0', ?, ?, ?)",
					 err);
	int64_t now = ts_time_now_ms();
	enum ts_err e = TS_ERR_IO;

	if (st) {
		ts_sq_bind_text(st, 1, name);
		ts_sq_bind_text(st, 2, task_type);
		if (user_id > 0)
			sqlite3_bind_int64(st, 3, user_id);
		sqlite3_bind_int64(st, 4, now);
		sqlite3_bind_int64(st, 5, now);
		e = ts_sq_exec_stmt(c, st, err);
		if (!e)
			e = project_get_c(c, sqlite3_last_insert_rowid(c->db), out, err);
	}
	ts_sq_release(s, c);
	return e;
}

static enum ts_err sq_get(struct ts_store *s, int64_t id, struct ts_project *out,
			  struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	enum ts_err e = project_get_c(c, id, out, err);

	ts_sq_release(s, c);
	return e;
}

static enum ts_err sq_list(struct ts_store *s, int64_t before_id, int limit,
			   struct ts_project **out, size_t *n, struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	sqlite3_stmt *st = ts_sq_prepare(c, "SELECT " PROJECT_COLS " FROM projects "
					    "WHERE id < ? ORDER BY id DESC LIMIT ?", err);
	struct ts_project *arr = NULL;
	size_t len = 0;
	enum ts_err e = TS_OK;
	int rc;

	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	sqlite3_bind_int64(st, 1, before_id > 0 ? before_id : INT64_MAX);
	sqlite3_bind_int(st, 2, limit);
	arr = ts_xcalloc((size_t)limit, sizeof(*arr));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && len < (size_t)limit)
		read_project(st, &arr[len++]);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		e = ts_sq_fail(c, err, "list projects");
		free(arr);
		arr = NULL;
		len = 0;
	}
	sqlite3_reset(st);
out:
	ts_sq_release(s, c);
	*out = arr;
	*n = len;
	return e;
}

static enum ts_err sq_rename(struct ts_store *s, int64_t id, const char *name,
			     struct ts_project *out, struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	sqlite3_stmt *st = ts_sq_prepare(c, "UPDATE projects SET name = ?, updated_at = ? WHERE id = ?",
					 err);
	enum ts_err e = TS_ERR_IO;

	if (st) {
		ts_sq_bind_text(st, 1, name);
		sqlite3_bind_int64(st, 2, ts_time_now_ms());
		sqlite3_bind_int64(st, 3, id);
		e = ts_sq_exec_stmt(c, st, err);
		if (!e)
			e = project_get_c(c, id, out, err);
	}
	ts_sq_release(s, c);
	return e;
}

static enum ts_err category_get_c(struct ts_sq_conn *c, int64_t project_id, int64_t id,
				  struct ts_category *out, struct ts_error *err)
{
	sqlite3_stmt *st = ts_sq_prepare(c, "SELECT " CATEGORY_COLS " FROM categories "
					    "WHERE project_id = ? AND id = ?", err);
	enum ts_err e = TS_OK;
	int rc;

	if (!st)
		return TS_ERR_IO;
	sqlite3_bind_int64(st, 1, project_id);
	sqlite3_bind_int64(st, 2, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_category(st, out);
	else if (rc == SQLITE_DONE)
		e = ts_error_set(err, TS_ERR_NOT_FOUND, "category_not_found",
				 "category %lld does not exist in project %lld", (long long)id,
				 (long long)project_id);
	else
		e = ts_sq_fail(c, err, "read category");
	sqlite3_reset(st);
	return e;
}

static enum ts_err sq_category_list(struct ts_store *s, int64_t project_id, int include_deleted,
				    struct ts_category **out, size_t *n, struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	sqlite3_stmt *st;
	struct ts_category *arr = NULL;
	size_t len = 0, cap = 16;
	enum ts_err e;
	int rc;

	/* One read transaction: the project check and the list agree. */
	e = ts_sq_begin_read(c, err);
	if (e)
		goto out;
	e = project_get_c(c, project_id, NULL, err);
	if (e)
		goto out;
	st = ts_sq_prepare(c, "SELECT " CATEGORY_COLS " FROM categories WHERE project_id = ? "
			      "AND (? OR state <> 'deleted') ORDER BY display_order, id", err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	sqlite3_bind_int64(st, 1, project_id);
	sqlite3_bind_int(st, 2, include_deleted ? 1 : 0);
	arr = ts_xmalloc(cap * sizeof(*arr));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			cap *= 2;
			arr = ts_xrealloc(arr, cap * sizeof(*arr));
		}
		read_category(st, &arr[len++]);
	}
	if (rc != SQLITE_DONE)
		e = ts_sq_fail(c, err, "list categories");
	sqlite3_reset(st);
	if (!e)
		e = ts_sq_commit(c, err);
out:
	if (e) {
		ts_sq_rollback(c);
		free(arr);
		arr = NULL;
		len = 0;
	}
	ts_sq_release(s, c);
	*out = arr;
	*n = len;
	return e;
}

static enum ts_err sq_category_get(struct ts_store *s, int64_t project_id, int64_t id,
				   struct ts_category *out, struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	enum ts_err e = category_get_c(c, project_id, id, out, err);

	ts_sq_release(s, c);
	return e;
}

/* Is the name key used by a live category other than except_id? */
static enum ts_err name_taken(struct ts_sq_conn *c, int64_t project_id, const char *name,
			      int64_t except_id, struct ts_error *err)
{
	char *key = ts_store_name_key(name);
	sqlite3_stmt *st = ts_sq_prepare(c, "SELECT id FROM categories WHERE project_id = ? "
					    "AND name_key = ? AND state <> 'deleted' AND id <> ?", err);
	enum ts_err e = TS_OK;
	int rc;

	if (!st) {
		free(key);
		return TS_ERR_IO;
	}
	sqlite3_bind_int64(st, 1, project_id);
	ts_sq_bind_text(st, 2, key);
	sqlite3_bind_int64(st, 3, except_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		e = ts_error_set(err, TS_ERR_CONFLICT, "name_taken",
				 "a category named \"%s\" exists already (id %lld)", name,
				 (long long)sqlite3_column_int64(st, 0));
	else if (rc != SQLITE_DONE)
		e = ts_sq_fail(c, err, "check category name");
	sqlite3_reset(st);
	free(key);
	return e;
}

static enum ts_err sq_category_create(struct ts_store *s, int64_t project_id, const char *name,
				      struct ts_category *out, struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	char *key = ts_store_name_key(name);
	sqlite3_stmt *st;
	int64_t id, order, now = ts_time_now_ms();
	enum ts_err e;

	/* BEGIN IMMEDIATE serialises creators: reading and bumping the
	 * counter cannot interleave, so concurrent creates get distinct ids. */
	e = ts_sq_begin_write(c, err);
	if (e)
		goto out;
	e = project_get_c(c, project_id, NULL, err);
	if (e)
		goto out;
	e = name_taken(c, project_id, name, 0, err);
	if (e)
		goto out;
	st = ts_sq_prepare(c, "SELECT p.next_category_id, (SELECT coalesce(max(display_order), 0) + 1 "
			      "FROM categories WHERE project_id = p.id) FROM projects p WHERE p.id = ?",
			   err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	sqlite3_bind_int64(st, 1, project_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		e = ts_sq_fail(c, err, "allocate category id");
		sqlite3_reset(st);
		goto out;
	}
	id = sqlite3_column_int64(st, 0);
	order = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	st = ts_sq_prepare(c, "UPDATE projects SET next_category_id = ? + 1, updated_at = ? "
			      "WHERE id = ?", err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, project_id);
	e = ts_sq_exec_stmt(c, st, err);
	if (e)
		goto out;
	st = ts_sq_prepare(c, "INSERT INTO categories(project_id, id, name, name_key, display_order, "
			      "state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'active', ?, ?)",
			   err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	sqlite3_bind_int64(st, 1, project_id);
	sqlite3_bind_int64(st, 2, id);
	ts_sq_bind_text(st, 3, name);
	ts_sq_bind_text(st, 4, key);
	sqlite3_bind_int64(st, 5, order);
	sqlite3_bind_int64(st, 6, now);
	sqlite3_bind_int64(st, 7, now);
	e = ts_sq_exec_stmt(c, st, err);
	if (e)
		goto out;
	e = category_get_c(c, project_id, id, out, err);
	if (e)
		goto out;
	e = ts_sq_commit(c, err);
out:
	if (e)
		ts_sq_rollback(c);
	free(key);
	ts_sq_release(s, c);
	return e;
}

static enum ts_err sq_category_update(struct ts_store *s, int64_t project_id, int64_t id,
				      const char *name, const char *state,
				      struct ts_category *out, struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	struct ts_category cur;
	sqlite3_stmt *st;
	char *key = NULL;
	enum ts_err e;

	e = ts_sq_begin_write(c, err);
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
	st = ts_sq_prepare(c, "UPDATE categories SET name = coalesce(?, name), "
			      "name_key = coalesce(?, name_key), state = coalesce(?, state), "
			      "updated_at = ? WHERE project_id = ? AND id = ?", err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	ts_sq_bind_text(st, 1, name);
	ts_sq_bind_text(st, 2, key);
	ts_sq_bind_text(st, 3, state);
	sqlite3_bind_int64(st, 4, ts_time_now_ms());
	sqlite3_bind_int64(st, 5, project_id);
	sqlite3_bind_int64(st, 6, id);
	e = ts_sq_exec_stmt(c, st, err);
	if (e)
		goto out;
	e = category_get_c(c, project_id, id, out, err);
	if (e)
		goto out;
	e = ts_sq_commit(c, err);
out:
	if (e)
		ts_sq_rollback(c);
	free(key);
	ts_sq_release(s, c);
	return e;
}

static enum ts_err sq_category_delete(struct ts_store *s, int64_t project_id, int64_t id,
				      struct ts_category *out, struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	struct ts_category cur;
	sqlite3_stmt *st;
	enum ts_err e;

	e = ts_sq_begin_write(c, err);
	if (e)
		goto out;
	e = category_get_c(c, project_id, id, &cur, err);
	if (e)
		goto out;
	/* Deleting twice is not an error: the state is what the caller asked. */
	st = ts_sq_prepare(c, "UPDATE categories SET state = 'deleted', updated_at = ? "
			      "WHERE project_id = ? AND id = ? AND state <> 'deleted'", err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	sqlite3_bind_int64(st, 1, ts_time_now_ms());
	sqlite3_bind_int64(st, 2, project_id);
	sqlite3_bind_int64(st, 3, id);
	e = ts_sq_exec_stmt(c, st, err);
	if (e)
		goto out;
	e = category_get_c(c, project_id, id, out, err);
	if (e)
		goto out;
	e = ts_sq_commit(c, err);
out:
	if (e)
		ts_sq_rollback(c);
	ts_sq_release(s, c);
	return e;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static enum ts_err sq_category_reorder(struct ts_store *s, int64_t project_id, const int64_t *ids,
				       size_t n, struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	int64_t *live = NULL, *given = NULL;
	size_t nlive = 0, cap = 16;
	sqlite3_stmt *st;
	enum ts_err e;
	int rc;

	e = ts_sq_begin_write(c, err);
	if (e)
		goto out;
	e = project_get_c(c, project_id, NULL, err);
	if (e)
		goto out;
	st = ts_sq_prepare(c, "SELECT id FROM categories WHERE project_id = ? AND state <> 'deleted' "
			      "ORDER BY id", err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	sqlite3_bind_int64(st, 1, project_id);
	live = ts_xmalloc(cap * sizeof(*live));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (nlive == cap) {
			cap *= 2;
			live = ts_xrealloc(live, cap * sizeof(*live));
		}
		live[nlive++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		e = ts_sq_fail(c, err, "reorder categories");
		goto out;
	}
	given = ts_xmalloc((n ? n : 1) * sizeof(*given));
	if (n)
		memcpy(given, ids, n * sizeof(*given));
	qsort(given, n, sizeof(*given), cmp_i64);
	if (n != nlive || (n && memcmp(given, live, n * sizeof(*given)) != 0)) {
		e = ts_error_set(err, TS_ERR_INVALID, "invalid_order",
				 "order must list each of the %zu non-deleted category ids exactly once",
				 nlive);
		goto out;
	}
	st = ts_sq_prepare(c, "UPDATE categories SET display_order = ?, updated_at = ? "
			      "WHERE project_id = ? AND id = ?", err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int64(st, 1, (int64_t)i + 1);
		sqlite3_bind_int64(st, 2, ts_time_now_ms());
		sqlite3_bind_int64(st, 3, project_id);
		sqlite3_bind_int64(st, 4, ids[i]);
		e = ts_sq_exec_stmt(c, st, err);
		if (e)
			goto out;
	}
	e = ts_sq_commit(c, err);
out:
	if (e)
		ts_sq_rollback(c);
	free(live);
	free(given);
	ts_sq_release(s, c);
	return e;
}

const struct ts_store_project_ops ts_sq_project_ops = {
	.create = sq_create,
	.get = sq_get,
	.list = sq_list,
	.rename = sq_rename,
	.category_list = sq_category_list,
	.category_get = sq_category_get,
	.category_create = sq_category_create,
	.category_update = sq_category_update,
	.category_delete = sq_category_delete,
	.category_reorder = sq_category_reorder,
};
