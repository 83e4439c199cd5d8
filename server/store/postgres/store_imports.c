/* PostgreSQL backend: imports and the assets each one labeled. */
#include "store/store_imports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "store/postgres/store_pg.h"
#include "core/banned.h"

#define IMPORT_COLS                                                                           \
	"i.id, i.project_id, i.user_id, coalesce(u.name, ''), i.state, i.format, i.file_name, " \
	"i.checksum_sha256, i.tolerance, i.progress_done, i.progress_total, i.images, "        \
	"i.objects, i.refused, i.undone, coalesce(i.error_code, ''), coalesce(i.error, ''), " \
	"i.created_at, coalesce(i.started_at, 0), coalesce(i.finished_at, 0), "               \
	"coalesce(i.undone_at, 0)"
#define IMPORT_FROM " FROM imports i LEFT JOIN users u ON u.id = i.user_id "

static void read_import(struct ts_pg_stmt *st, void *out)
{
	struct ts_import *im = out;

	memset(im, 0, sizeof(*im));
	im->id = ts_pg_col_i64(st, 0);
	im->project_id = ts_pg_col_i64(st, 1);
	im->user_id = ts_pg_col_i64(st, 2);
	ts_pg_text_to(st, 3, im->user_name, sizeof(im->user_name));
	ts_pg_text_to(st, 4, im->state, sizeof(im->state));
	ts_pg_text_to(st, 5, im->format, sizeof(im->format));
	ts_pg_text_to(st, 6, im->file_name, sizeof(im->file_name));
	ts_pg_text_to(st, 7, im->checksum_sha256, sizeof(im->checksum_sha256));
	im->tolerance = ts_pg_col_double(st, 8);
	im->progress_done = ts_pg_col_i64(st, 9);
	im->progress_total = ts_pg_col_i64(st, 10);
	im->images = ts_pg_col_i64(st, 11);
	im->objects = ts_pg_col_i64(st, 12);
	im->refused = ts_pg_col_i64(st, 13);
	im->undone = ts_pg_col_i64(st, 14);
	ts_pg_text_to(st, 15, im->error_code, sizeof(im->error_code));
	ts_pg_text_to(st, 16, im->error, sizeof(im->error));
	im->created_at = ts_pg_col_i64(st, 17);
	im->started_at = ts_pg_col_i64(st, 18);
	im->finished_at = ts_pg_col_i64(st, 19);
	im->undone_at = ts_pg_col_i64(st, 20);
}

static enum ts_err get_c(struct ts_pg_conn *c, int64_t id, struct ts_import *out,
			 struct ts_error *err)
{
	struct ts_pg_stmt *st = ts_pg_prepare_i64(c, "SELECT " IMPORT_COLS ", i.report" IMPORT_FROM
						     "WHERE i.id = ?",
						  TS_PG_I64(id), err);
	enum ts_err e;

	if (!st)
		return TS_ERR_IO;
	e = ts_pg_step_row(c, st, "read import", err, "import_not_found",
			   "Import %lld does not exist.", (long long)id);
	if (!e) {
		read_import(st, out);
		out->report = ts_pg_text(st, 21);
	}
	ts_pg_reset(st);
	return e;
}

static enum ts_err pg_create(struct ts_store *s, const struct ts_import_new *in,
			     struct ts_import *out, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	int64_t now = ts_time_now_ms(), id;
	struct ts_pg_stmt *st;
	enum ts_err e;

	memset(out, 0, sizeof(*out));
	e = ts_pg_begin_in_project(c, 1, in->project_id, err);
	if (e)
		goto out;
	st = ts_pg_prepare(c, "INSERT INTO imports(id, project_id, user_id, format, file_name, "
			      "checksum_sha256, tolerance, created_at) VALUES ("
			      TS_PG_NEXT_ID("imports") ", ?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
			   err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	ts_pg_bind_i64(st, 1, in->project_id);
	ts_pg_bind_i64(st, 2, in->user_id);
	ts_pg_bind_text(st, 3, in->format);
	ts_pg_bind_text(st, 4, in->file_name);
	ts_pg_bind_text(st, 5, in->checksum_sha256);
	ts_pg_bind_double(st, 6, in->tolerance);
	ts_pg_bind_i64(st, 7, now);
	e = ts_pg_exec_stmt(c, st, err);
	if (e)
		goto out;
	id = ts_pg_last_id(c);
	e = ts_pg_job_insert(c, TS_IMPORT_JOB_KIND, id, now, NULL, err);
	if (!e)
		e = get_c(c, id, out, err);
out:
	if (e)
		ts_import_release(out);
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_get(struct ts_store *s, int64_t id, struct ts_import *out,
			  struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	enum ts_err e;

	memset(out, 0, sizeof(*out));
	e = get_c(c, id, out, err);
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_list(struct ts_store *s, int64_t project_id, int64_t before, int limit,
			   struct ts_import **out, size_t *n, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_rows rows = { 0 };
	struct ts_pg_stmt *st;
	enum ts_err e;

	e = ts_pg_project_exists(c, project_id, err);
	if (e)
		goto out;
	st = ts_pg_prepare_i64(c, "SELECT " IMPORT_COLS IMPORT_FROM "WHERE i.project_id = ? "
				  "AND i.id < ? ORDER BY i.id DESC LIMIT ?",
			       TS_PG_I64(project_id, before > 0 ? before : INT64_MAX, limit), err);
	e = ts_pg_collect(c, st, sizeof(struct ts_import), read_import, (size_t)limit, &rows,
			  "list imports", err);
out:
	*out = ts_pg_end_rows(s, c, &e, &rows, n, err);
	return e;
}

static enum ts_err pg_set_running(struct ts_store *s, int64_t id, int64_t total,
				  struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	enum ts_err e = ts_pg_exec_i64(c, "UPDATE imports SET state = 'running', progress_done = 0, "
					  "progress_total = ?, started_at = coalesce(started_at, ?) "
					  "WHERE id = ?",
				       TS_PG_I64(total, ts_time_now_ms(), id), err);

	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_set_progress(struct ts_store *s, int64_t id, int64_t done, int64_t total,
				   struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	enum ts_err e = ts_pg_exec_i64(c, "UPDATE imports SET progress_done = ?, progress_total = ? "
					  "WHERE id = ?",
				       TS_PG_I64(done, total, id), err);

	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_finish(struct ts_store *s, int64_t id, const struct ts_import_end *end,
			     struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_stmt *st = ts_pg_prepare_i64(
		c,
		"UPDATE imports SET state = ?6, images = ?2, objects = ?3, refused = ?4, "
		"finished_at = ?5, report = ?7, error_code = ?8, error = ?9, "
		"progress_done = progress_total WHERE id = ?1",
		TS_PG_I64(id, end->images, end->objects, end->refused, ts_time_now_ms()), err);
	enum ts_err e = TS_ERR_IO;

	if (st) {
		ts_pg_bind_text(st, 6, end->state);
		ts_pg_bind_text(st, 7, end->report ? end->report : "[]");
		ts_pg_bind_text(st, 8, end->error_code);
		ts_pg_bind_text(st, 9, end->error);
		e = ts_pg_exec_stmt(c, st, err);
	}
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_change_add(struct ts_store_tx *tx, int64_t import_id,
				 const struct ts_import_change *ch, struct ts_error *err)
{
	struct ts_pg_conn *c = tx->impl;
	struct ts_pg_stmt *st = ts_pg_prepare_i64(
		c,
		"INSERT INTO import_changes(import_id, asset_id, revision, prev_status, "
		"prev_labeled_by, prev_payload_type, prev_payload, prev_categories) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(import_id, asset_id) DO UPDATE "
		"SET revision = excluded.revision, prev_status = excluded.prev_status, "
		"prev_labeled_by = excluded.prev_labeled_by, "
		"prev_payload_type = excluded.prev_payload_type, "
		"prev_payload = excluded.prev_payload, prev_categories = excluded.prev_categories",
		TS_PG_I64(import_id, ch->asset_id, ch->revision), err);

	if (!st)
		return TS_ERR_IO;
	ts_pg_bind_text(st, 4, ch->prev_status);
	ts_pg_bind_ref(st, 5, ch->prev_labeled_by);
	ts_pg_bind_text(st, 6, ch->prev_payload_type[0] ? ch->prev_payload_type : NULL);
	ts_pg_bind_text(st, 7, ch->prev_payload);
	ts_pg_bind_text(st, 8, ch->prev_categories);
	return ts_pg_exec_stmt(c, st, err);
}

static void read_change(struct ts_pg_stmt *st, void *out)
{
	struct ts_import_change *ch = out;

	memset(ch, 0, sizeof(*ch));
	ch->asset_id = ts_pg_col_i64(st, 0);
	ch->revision = ts_pg_col_i64(st, 1);
	ts_pg_text_to(st, 2, ch->prev_status, sizeof(ch->prev_status));
	ch->prev_labeled_by = ts_pg_col_i64(st, 3);
	ts_pg_text_to(st, 4, ch->prev_payload_type, sizeof(ch->prev_payload_type));
	if (ts_pg_col_type(st, 5) != TS_PG_NULL)
		ch->prev_payload = ts_pg_text(st, 5);
	ts_pg_text_to(st, 6, ch->prev_categories, sizeof(ch->prev_categories));
}

static enum ts_err pg_changes(struct ts_store_tx *tx, int64_t import_id,
			      struct ts_import_change **out, size_t *n, struct ts_error *err)
{
	struct ts_pg_conn *c = tx->impl;
	struct ts_pg_rows rows = { 0 };
	struct ts_pg_stmt *st = ts_pg_prepare_i64(
		c,
		"SELECT asset_id, revision, prev_status, coalesce(prev_labeled_by, 0), "
		"coalesce(prev_payload_type, ''), prev_payload, prev_categories "
		"FROM import_changes WHERE import_id = ? ORDER BY asset_id",
		TS_PG_I64(import_id), err);
	enum ts_err e = ts_pg_collect(c, st, sizeof(struct ts_import_change), read_change, 0, &rows,
				      "list import changes", err);

	*out = rows.items;
	*n = rows.n;
	if (e) {
		ts_import_changes_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return e;
}

static enum ts_err pg_set_undone(struct ts_store_tx *tx, int64_t id, int64_t restored,
				 struct ts_error *err)
{
	struct ts_pg_conn *c = tx->impl;
	enum ts_err e = ts_pg_exec_i64(c, "UPDATE imports SET state = 'undone', undone = ?, "
					  "undone_at = ? WHERE id = ? AND state = 'done'",
				       TS_PG_I64(restored, ts_time_now_ms(), id), err);

	if (!e && ts_pg_changes(c) == 0)
		e = ts_error_set(err, TS_ERR_CONFLICT, "import_not_done",
				 "Only a finished import can be undone, once.");
	return e;
}

const struct ts_store_import_ops ts_pg_import_ops = {
	.create = pg_create,
	.get = pg_get,
	.list = pg_list,
	.set_running = pg_set_running,
	.set_progress = pg_set_progress,
	.finish = pg_finish,
	.change_add = pg_change_add,
	.changes = pg_changes,
	.set_undone = pg_set_undone,
};
