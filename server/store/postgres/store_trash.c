/* PostgreSQL backend: soft delete and restore of assets (migration 017). A
 * deleted asset keeps its row (deleted_at set) and files; its annotation
 * row and labels move to deleted_annotations and
 * deleted_annotation_categories, out of every query that reads
 * annotations. A deleted project (migration 020) only gets deleted_at: the
 * lists and the access check (store_members.c, resolve) leave it out. */
#include <string.h>

#include "core/time.h"
#include "store/store_assets.h"
#include "store/store_projects.h"
#include "store/postgres/store_pg.h"
#include "core/banned.h"

#define ASSET_EVENT_SQL(action)                                                      \
	"INSERT INTO project_events(project_id, user_id, at, action, detail) VALUES " \
	"(?1, ?2, ?3, '" action "', jsonb_build_object('asset_id', ?4, 'file_name', ?5))"

/* The asset's project, file name and whether it is deleted. */
static enum ts_err load(struct ts_pg_conn *c, int64_t id, int64_t *project_id,
			char *file_name, size_t file_name_len, int *deleted, struct ts_error *err)
{
	struct ts_pg_stmt *st = ts_pg_prepare_i64(c, "SELECT project_id, file_name, deleted_at IS NOT NULL "
					        "FROM assets WHERE id = ?",
					     TS_PG_I64(id), err);
	enum ts_err e;

	if (!st)
		return TS_ERR_IO;
	e = ts_pg_step_row(c, st, "read asset", err, "asset_not_found", "asset %lld does not exist",
			   (long long)id);
	if (!e) {
		*project_id = ts_pg_col_i64(st, 0);
		ts_pg_text_to(st, 1, file_name, file_name_len);
		*deleted = ts_pg_col_int(st, 2);
	}
	ts_pg_reset(st);
	return e;
}

/* Runs each statement with ?1 = id, in order, stopping at the first error. */
static enum ts_err run_all(struct ts_pg_conn *c, const char *const *sql, size_t n, int64_t id,
			   struct ts_error *err)
{
	enum ts_err e = TS_OK;

	for (size_t i = 0; i < n && !e; i++)
		e = ts_pg_exec_i64(c, sql[i], TS_PG_I64(id), err);
	return e;
}

enum ts_err ts_pg_asset_set_deleted_c(struct ts_pg_conn *c, int64_t id, int deleted, int64_t by,
				      int64_t *project_id, struct ts_error *err)
{
	static const char *const del[] = {
		"INSERT INTO deleted_annotations SELECT * FROM annotations WHERE asset_id = ?1",
		("INSERT INTO deleted_annotation_categories SELECT * FROM annotation_categories "
		 "WHERE asset_id = ?1"),
		"DELETE FROM annotation_categories WHERE asset_id = ?1",
		"DELETE FROM annotations WHERE asset_id = ?1",
	};
	static const char *const undel[] = {
		"INSERT INTO annotations SELECT * FROM deleted_annotations WHERE asset_id = ?1",
		("INSERT INTO annotation_categories SELECT * FROM deleted_annotation_categories "
		 "WHERE asset_id = ?1"),
		"DELETE FROM deleted_annotation_categories WHERE asset_id = ?1",
		"DELETE FROM deleted_annotations WHERE asset_id = ?1",
	};
	char file_name[TS_ASSET_FILE_NAME_MAX + 1];
	int was_deleted = 0;
	enum ts_err e;

	e = load(c, id, project_id, file_name, sizeof(file_name), &was_deleted, err);
	/* Asking for the state it is in already changes nothing. */
	if (e || was_deleted == (deleted != 0))
		return e;
	e = run_all(c, deleted ? del : undel, 4, id, err);
	if (!e)
		e = ts_pg_exec_i64(c, "UPDATE assets SET deleted_at = nullif(?2, 0) WHERE id = ?1",
				   TS_PG_I64(id, deleted ? ts_time_now_ms() : 0), err);
	if (!e)
		e = ts_pg_project_event(c,
					deleted ? ASSET_EVENT_SQL("asset.delete")
						: ASSET_EVENT_SQL("asset.restore"),
					*project_id, by, TS_PG_I64(id),
					(const char *const[]){ file_name }, 1, err);
	return e;
}

enum ts_err ts_pg_asset_set_deleted(struct ts_store *s, int64_t id, int deleted, int64_t by,
				    int64_t *project_id, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	enum ts_err e;

	e = ts_pg_begin_write(c, err);
	if (!e)
		e = ts_pg_asset_set_deleted_c(c, id, deleted, by, project_id, err);
	return ts_pg_end(s, c, e, err);
}

enum ts_err ts_pg_export_set_deleted(struct ts_store *s, int64_t id, int64_t by, int *changed,
				     struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	int64_t project_id = 0, version = 0;
	char state[16] = "";
	struct ts_pg_stmt *st;
	enum ts_err e;
	int deleted = 0;

	*changed = 0;
	e = ts_pg_begin_write(c, err);
	if (e)
		goto out;
	st = ts_pg_prepare_i64(c, "SELECT project_id, version, state, deleted_at IS NOT NULL "
				  "FROM exports WHERE id = ?",
			       TS_PG_I64(id), err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	e = ts_pg_step_row(c, st, "read export", err, "export_not_found",
			   "export %lld does not exist", (long long)id);
	if (!e) {
		project_id = ts_pg_col_i64(st, 0);
		version = ts_pg_col_i64(st, 1);
		ts_pg_text_to(st, 2, state, sizeof(state));
		deleted = ts_pg_col_int(st, 3);
	}
	ts_pg_reset(st);
	if (e || deleted)
		goto out;
	if (strcmp(state, "ready") != 0 && strcmp(state, "failed") != 0) {
		e = ts_error_set(err, TS_ERR_CONFLICT, "export_not_finished",
				 "version %lld is still being built; delete it once it is ready "
				 "or failed", (long long)version);
		goto out;
	}
	e = ts_pg_exec_i64(c, "UPDATE exports SET deleted_at = ?2 WHERE id = ?1",
			   TS_PG_I64(id, ts_time_now_ms()), err);
	if (!e)
		e = ts_pg_project_event(c, "INSERT INTO project_events(project_id, user_id, at, "
					   "action, detail) VALUES (?1, ?2, ?3, 'export.delete', "
					   "jsonb_build_object('export_id', ?4, 'version', ?5))",
					project_id, by, TS_PG_I64(id, version), NULL, 0, err);
	if (!e)
		*changed = 1;
out:
	return ts_pg_end(s, c, e, err);
}

enum ts_err ts_pg_project_set_deleted(struct ts_store *s, int64_t id, int deleted, int64_t by,
				      struct ts_project *out, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_project p;
	enum ts_err e;

	e = ts_pg_begin_write(c, err);
	if (!e)
		e = ts_pg_project_get_c(c, id, &p, err);
	/* Asking for the state it is in already changes nothing. */
	if (e || (p.deleted_at != 0) == (deleted != 0))
		goto out;
	e = ts_pg_exec_i64(c, "UPDATE projects SET deleted_at = nullif(?2, 0) WHERE id = ?1",
			   TS_PG_I64(id, deleted ? ts_time_now_ms() : 0), err);
	if (!e)
		e = ts_pg_project_event(c,
					deleted ? "INSERT INTO project_events(project_id, user_id, at, "
						  "action, detail) VALUES (?1, ?2, ?3, "
						  "'project.delete', jsonb_build_object('name', ?4))"
						: "INSERT INTO project_events(project_id, user_id, at, "
						  "action, detail) VALUES (?1, ?2, ?3, "
						  "'project.restore', jsonb_build_object('name', ?4))",
					id, by, NULL, 0, (const char *const[]){ p.name }, 1, err);
	if (!e)
		e = ts_pg_project_get_c(c, id, &p, err);
out:
	if (!e && out)
		*out = p;
	return ts_pg_end(s, c, e, err);
}
