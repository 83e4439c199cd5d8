/* PostgreSQL backend: exports and their snapshots. */
#include "store/store_exports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "store/postgres/store_pg.h"
#include "core/banned.h"

#define EXPORT_COLS                                                                        \
	"e.id, e.project_id, e.version, e.state, e.statuses, e.progress_done, "            \
	"e.progress_total, e.image_count, e.excluded_deleted_category, e.hash, "           \
	"e.categories_hash, e.zip_bytes, e.identical_to, e.error, e.job_id, "               \
	"e.created_by_name, e.created_at, e.updated_at, e.finished_at, e.shares_files_with, "  \
	"e.zip_base_from, e.zip_base_len, e.split, e.deleted_at, e.layout"
#define EXPORT_NCOLS 25 /* the columns above (read_export) */

/* The selection filter: `a` is the annotations row; parameters ?2..?6 are
 * the selected statuses (NULL for unused slots, which match nothing).
 * Only images that decoded are exported (decode_state 'ok'). */
#define SELECTED_ANY "a.project_id = ?1 AND a.status IN (?2, ?3, ?4, ?5, ?6)"
#define DECODE_IS(state)                                                          \
	" AND EXISTS (SELECT 1 FROM assets d WHERE d.id = a.asset_id AND "         \
	"d.decode_state = '" state "')"
#define SELECTED SELECTED_ANY DECODE_IS("ok")
/* Not known to be damaged: what a preview counts (pending images are
 * decoded when the export is created). */
#define SELECTED_USABLE                                                           \
	SELECTED_ANY " AND NOT EXISTS (SELECT 1 FROM assets d WHERE d.id = a.asset_id AND " \
	"d.decode_state = 'damaged')"
/* With a live category, or an explicit answer naming none ("none of
 * these", "no objects": content without categories). */
#define COUNT_IMAGES_FROM                                                                   \
	"SELECT count(DISTINCT a.asset_id) FROM annotations a "                             \
	"LEFT JOIN annotation_categories ac ON ac.asset_id = a.asset_id "                    \
	"LEFT JOIN categories c ON c.project_id = a.project_id AND c.id = ac.category_id "  \
	"WHERE (c.state <> 'deleted' OR (ac.category_id IS NULL AND a.payload IS NOT NULL)) " \
	"AND "
/* Selected, with a live category, whatever the decode state. */
#define SELECTED_LIVE_FROM                                                                  \
	" FROM annotations a WHERE " SELECTED_ANY " AND (EXISTS (SELECT 1 FROM "             \
	"annotation_categories ac JOIN categories c ON c.project_id = ac.project_id AND "     \
	"c.id = ac.category_id AND c.state <> 'deleted' WHERE ac.asset_id = a.asset_id) OR " \
	"(a.payload IS NOT NULL AND NOT EXISTS (SELECT 1 FROM annotation_categories ac "     \
	"WHERE ac.asset_id = a.asset_id)))"

static void read_export(struct ts_pg_stmt *st, void *out)
{
	struct ts_export *e = out;

	memset(e, 0, sizeof(*e));
	e->id = ts_pg_col_i64(st, 0);
	e->project_id = ts_pg_col_i64(st, 1);
	e->version = ts_pg_col_i64(st, 2);
	ts_pg_text_to(st, 3, e->state, sizeof(e->state));
	ts_pg_text_to(st, 4, e->statuses, sizeof(e->statuses));
	e->progress_done = ts_pg_col_i64(st, 5);
	e->progress_total = ts_pg_col_i64(st, 6);
	e->image_count = ts_pg_col_i64(st, 7);
	e->excluded_deleted_category = ts_pg_col_i64(st, 8);
	ts_pg_text_to(st, 9, e->hash, sizeof(e->hash));
	ts_pg_text_to(st, 10, e->categories_hash, sizeof(e->categories_hash));
	e->zip_bytes = ts_pg_col_type(st, 11) == TS_PG_NULL ? -1 : ts_pg_col_i64(st, 11);
	e->identical_to = ts_pg_col_i64(st, 12);
	ts_pg_text_to(st, 13, e->error, sizeof(e->error));
	e->job_id = ts_pg_col_i64(st, 14);
	ts_pg_text_to(st, 15, e->created_by, sizeof(e->created_by));
	e->created_at = ts_pg_col_i64(st, 16);
	e->updated_at = ts_pg_col_i64(st, 17);
	e->finished_at = ts_pg_col_i64(st, 18);
	e->shares_files_with = ts_pg_col_i64(st, 19);
	e->zip_base_from = ts_pg_col_i64(st, 20);
	e->zip_base_len = ts_pg_col_i64(st, 21);
	ts_pg_text_to(st, 22, e->split, sizeof(e->split));
	e->deleted_at = ts_pg_col_i64(st, 23);
	ts_pg_text_to(st, 24, e->layout, sizeof(e->layout));
}

static void bind_selection(struct ts_pg_stmt *st, int64_t project_id, const int *statuses, size_t n)
{
	ts_pg_bind_i64(st, 1, project_id);
	for (size_t i = 0; i < n && i < TS_STATUS_COUNT; i++)
		ts_pg_bind_text(st, 2 + (int)i, ts_status_name((enum ts_status)statuses[i]));
}

static enum ts_err count_one(struct ts_pg_conn *c, struct ts_pg_stmt *st, int64_t *out,
			     struct ts_error *err)
{
	return ts_pg_scalar_i64(c, st, out, "count selection", err);
}

/* Counts inside the caller's transaction. strict: images counts only the
 * decoded ones (what a snapshot takes now); else also those not decoded
 * yet (a preview: creating the export decodes them first). */
static enum ts_err counts_c(struct ts_pg_conn *c, int64_t project_id, const int *statuses,
			    size_t n, int strict, struct ts_export_counts *out,
			    struct ts_error *err)
{
	struct ts_pg_stmt *st;
	enum ts_err e;
	int rc;

	memset(out, 0, sizeof(*out));
	st = ts_pg_prepare(c, strict ? COUNT_IMAGES_FROM SELECTED : COUNT_IMAGES_FROM SELECTED_USABLE,
			   err);
	if (!st)
		return TS_ERR_IO;
	bind_selection(st, project_id, statuses, n);
	e = count_one(c, st, &out->images, err);
	if (e)
		return e;
	/* Excluded: labeled with a deleted category and with no live one. */
	st = ts_pg_prepare(c, "SELECT count(DISTINCT a.asset_id) FROM annotations a "
			      "JOIN annotation_categories ac ON ac.asset_id = a.asset_id "
			      "JOIN categories c ON c.project_id = a.project_id AND c.id = ac.category_id "
			      "AND c.state = 'deleted' WHERE " SELECTED_USABLE " AND NOT EXISTS ("
			      "SELECT 1 FROM annotation_categories ac2 JOIN categories c2 "
			      "ON c2.project_id = ac2.project_id AND c2.id = ac2.category_id "
			      "WHERE ac2.asset_id = a.asset_id AND c2.state <> 'deleted')", err);
	if (!st)
		return TS_ERR_IO;
	bind_selection(st, project_id, statuses, n);
	e = count_one(c, st, &out->excluded_deleted_category, err);
	if (e)
		return e;
	st = ts_pg_prepare(c, "SELECT count(*) FROM annotations a WHERE " SELECTED_USABLE
			      " AND NOT EXISTS (SELECT 1 FROM annotation_categories ac "
			      "WHERE ac.asset_id = a.asset_id)", err);
	if (!st)
		return TS_ERR_IO;
	bind_selection(st, project_id, statuses, n);
	e = count_one(c, st, &out->without_category, err);
	if (e)
		return e;
	st = ts_pg_prepare(c, "SELECT count(*)" SELECTED_LIVE_FROM DECODE_IS("damaged"), err);
	if (!st)
		return TS_ERR_IO;
	bind_selection(st, project_id, statuses, n);
	e = count_one(c, st, &out->excluded_damaged, err);
	if (e)
		return e;
	st = ts_pg_prepare(c, "SELECT count(*)" SELECTED_LIVE_FROM DECODE_IS("pending"), err);
	if (!st)
		return TS_ERR_IO;
	bind_selection(st, project_id, statuses, n);
	e = count_one(c, st, &out->excluded_unchecked, err);
	if (e)
		return e;
	st = ts_pg_prepare_i64(c, "SELECT status, count(*) FROM annotations WHERE project_id = ? "
				  "GROUP BY status",
			       TS_PG_I64(project_id), err);
	if (!st)
		return TS_ERR_IO;
	while ((rc = ts_pg_next(st)) == TS_PG_ROW) {
		enum ts_status i;

		if (ts_status_parse((const char *)ts_pg_col_text(st, 0), &i) == 0)
			out->by_status[i] = ts_pg_col_i64(st, 1);
	}
	if (rc != TS_PG_DONE)
		e = ts_pg_fail(c, err, "count statuses");
	ts_pg_reset(st);
	return e;
}

static enum ts_err pg_counts(struct ts_store_tx *tx, int64_t project_id, const int *statuses,
			     size_t n, int strict, struct ts_export_counts *out,
			     struct ts_error *err)
{
	struct ts_pg_conn *c = tx->impl;
	enum ts_err e = ts_pg_project_exists(c, project_id, err);

	if (!e)
		e = counts_c(c, project_id, statuses, n, strict, out, err);
	return e;
}

static enum ts_err pg_count_kept(struct ts_store_tx *tx, int64_t project_id, int64_t *n,
				 struct ts_error *err)
{
	struct ts_pg_conn *c = tx->impl;

	return count_one(c, ts_pg_prepare_i64(c, "SELECT count(*) FROM exports WHERE project_id = ? "
						"AND state <> 'failed'",
					     TS_PG_I64(project_id), err),
			 n, err);
}

static enum ts_err pg_unchecked(struct ts_store *s, int64_t project_id, const int *statuses,
				size_t n, int64_t **ids, size_t *n_ids, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_stmt *st;
	size_t alloc = 0;
	enum ts_err e;
	int rc;

	*ids = NULL;
	*n_ids = 0;
	e = ts_pg_begin_in_project(c, 0, project_id, err);
	if (e)
		goto out;
	st = ts_pg_prepare(c, "SELECT a.asset_id" SELECTED_LIVE_FROM DECODE_IS("pending")
			      " ORDER BY a.asset_id", err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	bind_selection(st, project_id, statuses, n);
	while ((rc = ts_pg_next(st)) == TS_PG_ROW) {
		if (*n_ids == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			*ids = ts_xrealloc(*ids, alloc * sizeof(**ids));
		}
		(*ids)[(*n_ids)++] = ts_pg_col_i64(st, 0);
	}
	if (rc != TS_PG_DONE)
		e = ts_pg_fail(c, err, "list unchecked assets");
	ts_pg_reset(st);
out:
	e = ts_pg_end(s, c, e, err);
	if (e) {
		free(*ids);
		*ids = NULL;
		*n_ids = 0;
	}
	return e;
}

static enum ts_err export_get_c(struct ts_pg_conn *c, int64_t id, int with_manifest,
				struct ts_export *out, struct ts_error *err)
{
	struct ts_pg_stmt *st = ts_pg_prepare_i64(c, "SELECT " EXPORT_COLS ", e.manifest FROM exports e "
					        "WHERE e.id = ?",
					     TS_PG_I64(id), err);
	enum ts_err e;

	if (!st)
		return TS_ERR_IO;
	e = ts_pg_step_row(c, st, "read export", err, "export_not_found",
			   "export %lld does not exist", (long long)id);
	if (!e) {
		read_export(st, out);
		if (with_manifest && ts_pg_col_type(st, EXPORT_NCOLS) != TS_PG_NULL)
			out->manifest = ts_pg_text(st, EXPORT_NCOLS);
	}
	ts_pg_reset(st);
	return e;
}

static enum ts_err pg_create(struct ts_store_tx *tx, int64_t project_id, const int *statuses,
			     size_t n, int64_t user_id, const char *user_name, const char *split,
			     const char *layout, const struct ts_export_counts *counts,
			     struct ts_export *out, struct ts_error *err)
{
	struct ts_pg_conn *c = tx->impl;
	struct ts_pg_stmt *st;
	char sel[80];
	size_t sel_len = 0;
	int64_t now = ts_time_now_ms(), version = 0, id = 0, job_id = 0, items = 0;
	enum ts_err e;

	sel[0] = '\0';
	for (size_t i = 0; i < n && i < TS_STATUS_COUNT; i++)
		sel_len += (size_t)snprintf(sel + sel_len, sizeof(sel) - sel_len, "%s%s",
					    i ? "," : "", ts_status_name((enum ts_status)statuses[i]));

	/* In the caller's write transaction: version, snapshot and job appear
	 * together or not at all, and concurrent creations queue on the write
	 * lock. */
	e = ts_pg_project_exists(c, project_id, err);
	if (e)
		goto out;
	st = ts_pg_prepare_i64(c, "SELECT COALESCE(MAX(version), 0) + 1 FROM exports "
				  "WHERE project_id = ?",
			       TS_PG_I64(project_id), err);
	e = count_one(c, st, &version, err);
	if (e)
		goto out;
	st = ts_pg_prepare(c, "INSERT INTO exports(project_id, version, statuses, created_by, "
			      "created_by_name, created_at, updated_at, split, layout) "
			      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			   err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	ts_pg_bind_i64(st, 1, project_id);
	ts_pg_bind_i64(st, 2, version);
	ts_pg_bind_text(st, 3, sel);
	ts_pg_bind_ref(st, 4, user_id);
	ts_pg_bind_text(st, 5, user_name ? user_name : "");
	ts_pg_bind_i64(st, 6, now);
	ts_pg_bind_i64(st, 7, now);
	if (split && *split)
		ts_pg_bind_text(st, 8, split);
	else
		ts_pg_bind_null(st, 8);
	if (layout && *layout)
		ts_pg_bind_text(st, 9, layout);
	else
		ts_pg_bind_null(st, 9);
	e = ts_pg_exec_stmt(c, st, err);
	if (e)
		goto out;
	id = ts_pg_last_id(c);

	e = ts_pg_exec_i64(c, "INSERT INTO export_categories(export_id, id, name) "
			      "SELECT ?, id, name FROM categories WHERE project_id = ? "
			      "AND state <> 'deleted'",
			   TS_PG_I64(id, project_id), err);
	if (e)
		goto out;

	st = ts_pg_prepare(c, "INSERT INTO export_items(export_id, asset_id, category_id, status, "
			      "labeled_by, file_name, width, height, mime_type, checksum_sha256, "
			      "source_type, video_id, video_file_name, frame_index, timestamp_ms, "
			      "payload, orientation) "
			      "SELECT ?7, s.id, coalesce(ac.category_id, 0), a.status, "
			      "COALESCE(u.name, ''), "
			      "s.file_name, s.width, s.height, s.mime_type, s.checksum_sha256, "
			      "s.source_type, s.video_id, s.video_file_name, s.frame_index, s.timestamp_ms, "
			      "CASE WHEN a.payload_type IN ('boxes', 'polygons') THEN a.payload END, "
			      "s.orientation "
			      "FROM annotations a "
			      "LEFT JOIN annotation_categories ac ON ac.asset_id = a.asset_id "
			      "LEFT JOIN categories c ON c.project_id = a.project_id "
			      "AND c.id = ac.category_id "
			      "JOIN assets s ON s.id = a.asset_id "
			      "LEFT JOIN users u ON u.id = a.labeled_by WHERE " SELECTED
			      /* A live category, or an explicit answer naming none. */
			      " AND (c.state <> 'deleted' OR (ac.category_id IS NULL AND "
			      "a.payload IS NOT NULL))", err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	bind_selection(st, project_id, statuses, n);
	ts_pg_bind_i64(st, 7, id);
	e = ts_pg_exec_stmt(c, st, err);
	if (e)
		goto out;
	items = ts_pg_changes(c);

	/* The job row goes in the same transaction: a crash right after
	 * the commit still leaves a build to run. */
	e = ts_pg_job_insert(c, TS_EXPORT_JOB_KIND, id, now, &job_id, err);
	if (!e)
		e = ts_pg_exec_i64(c, "UPDATE exports SET job_id = ?, progress_total = ?, "
				      "image_count = ?, excluded_deleted_category = ? WHERE id = ?",
				   TS_PG_I64(job_id, items, counts->images,
					     counts->excluded_deleted_category, id),
				   err);
	if (!e)
		e = export_get_c(c, id, 0, out, err);
out:
	return e;
}

static enum ts_err pg_get(struct ts_store *s, int64_t id, int with_manifest,
			  struct ts_export *out, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);

	return ts_pg_end(s, c, export_get_c(c, id, with_manifest, out, err), err);
}

static enum ts_err pg_list(struct ts_store *s, int64_t project_id, int64_t before_version,
			   int limit, struct ts_export **out, size_t *n, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_rows rows = { 0 };
	struct ts_pg_stmt *st;
	enum ts_err e;

	e = ts_pg_begin_in_project(c, 0, project_id, err);
	if (e)
		goto out;
	st = ts_pg_prepare_i64(c, "SELECT " EXPORT_COLS " FROM exports e WHERE e.project_id = ? "
				  "AND e.version < ? AND e.deleted_at IS NULL ORDER BY e.version DESC LIMIT ?",
			       TS_PG_I64(project_id,
					 before_version > 0 ? before_version : INT64_MAX, limit),
			       err);
	e = ts_pg_collect(c, st, sizeof(struct ts_export), read_export,
			  (size_t)(limit > 0 ? limit : 1), &rows, "list exports", err);
out:
	*out = ts_pg_end_rows(s, c, &e, &rows, n, err);
	return e;
}

static void read_export_category(struct ts_pg_stmt *st, void *out)
{
	struct ts_export_category *k = out;

	k->id = ts_pg_col_i64(st, 0);
	k->name = ts_pg_text(st, 1);
}

static void read_export_item(struct ts_pg_stmt *st, void *out)
{
	struct ts_export_item *it = out;

	it->asset_id = ts_pg_col_i64(st, 0);
	it->category_id = ts_pg_col_i64(st, 1);
	ts_pg_text_to(st, 2, it->status, sizeof(it->status));
	it->labeled_by = ts_pg_text(st, 3);
	it->file_name = ts_pg_text(st, 4);
	it->width = ts_pg_col_i64(st, 5);
	it->height = ts_pg_col_i64(st, 6);
	ts_pg_text_to(st, 7, it->mime_type, sizeof(it->mime_type));
	ts_pg_text_to(st, 8, it->checksum_sha256, sizeof(it->checksum_sha256));
	it->video_frame = strcmp((const char *)ts_pg_col_text(st, 9), "video_frame") == 0;
	it->video_id = ts_pg_col_i64(st, 10);
	it->frame_index = ts_pg_col_i64(st, 11);
	it->timestamp_ms = ts_pg_col_i64(st, 12);
	it->video_file_name = ts_pg_text(st, 13);
	it->payload = ts_pg_col_type(st, 14) == TS_PG_NULL ? NULL : ts_pg_text(st, 14);
	it->orientation = ts_pg_col_int(st, 15);
}

static enum ts_err pg_snapshot(struct ts_store *s, int64_t id, struct ts_export_snapshot *out,
			       struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_export_snapshot snap = { 0 };
	struct ts_pg_rows rows = { 0 };
	struct ts_pg_stmt *st;
	enum ts_err e;

	e = ts_pg_begin_read(c, err);
	if (e)
		goto out;
	st = ts_pg_prepare_i64(c, "SELECT id, name FROM export_categories WHERE export_id = ? "
				  "ORDER BY id",
			       TS_PG_I64(id), err);
	e = ts_pg_collect(c, st, sizeof(*snap.categories), read_export_category, 0, &rows,
			  "read export categories", err);
	snap.categories = rows.items;
	snap.n_categories = rows.n;
	if (e)
		goto out;
	st = ts_pg_prepare_i64(c, "SELECT asset_id, category_id, status, labeled_by, file_name, "
				  "width, height, mime_type, checksum_sha256, source_type, video_id, "
				  "frame_index, timestamp_ms, video_file_name, payload, orientation "
				  "FROM export_items "
				  "WHERE export_id = ? ORDER BY asset_id, category_id",
			       TS_PG_I64(id), err);
	rows = (struct ts_pg_rows){ 0 };
	e = ts_pg_collect(c, st, sizeof(*snap.items), read_export_item, 0, &rows,
			  "read export items", err);
	snap.items = rows.items;
	snap.n_items = rows.n;
out:
	e = ts_pg_end(s, c, e, err);
	if (e)
		ts_export_snapshot_release(&snap);
	*out = snap;
	return e;
}

/* Runs an UPDATE of one export that must not touch a ready one. */
static enum ts_err update_unready(struct ts_pg_conn *c, struct ts_pg_stmt *st, int64_t id,
				  struct ts_error *err)
{
	enum ts_err e = ts_pg_exec_stmt(c, st, err);

	if (!e && ts_pg_changes(c) == 0)
		e = ts_error_set(err, TS_ERR_CONFLICT, "export_immutable",
				 "export %lld is ready (or gone) and cannot change", (long long)id);
	return e;
}

static enum ts_err pg_set_building(struct ts_store *s, int64_t id, int64_t total,
				   struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_stmt *st = ts_pg_prepare_i64(c, "UPDATE exports SET state = 'building', "
					        "progress_done = 0, progress_total = ?, error = NULL, "
					        "updated_at = ? WHERE id = ? AND state <> 'ready'",
					     TS_PG_I64(total, ts_time_now_ms(), id), err);

	return ts_pg_end(s, c, st ? update_unready(c, st, id, err) : TS_ERR_IO, err);
}

static enum ts_err pg_set_progress(struct ts_store *s, int64_t id, int64_t done,
				   struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_stmt *st = ts_pg_prepare_i64(c, "UPDATE exports SET progress_done = ?, "
					        "updated_at = ? WHERE id = ? AND state <> 'ready'",
					     TS_PG_I64(done, ts_time_now_ms(), id), err);

	return ts_pg_end(s, c, st ? update_unready(c, st, id, err) : TS_ERR_IO, err);
}

static enum ts_err pg_set_queued(struct ts_store *s, int64_t id, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_stmt *st = ts_pg_prepare_i64(c, "UPDATE exports SET state = 'queued', "
					        "progress_done = 0, updated_at = ? "
					        "WHERE id = ? AND state <> 'ready'",
					     TS_PG_I64(ts_time_now_ms(), id), err);

	return ts_pg_end(s, c, st ? update_unready(c, st, id, err) : TS_ERR_IO, err);
}

static enum ts_err pg_set_failed(struct ts_store *s, int64_t id, const char *reason,
				 struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_stmt *st = ts_pg_prepare_i64(c, "UPDATE exports SET state = 'failed', error = ?3, "
					        "updated_at = ?1, finished_at = ?1 "
					        "WHERE id = ?2 AND state <> 'ready'",
					     TS_PG_I64(ts_time_now_ms(), id), err);
	enum ts_err e = TS_ERR_IO;

	if (st) {
		ts_pg_bind_text(st, 3, reason ? reason : "the build failed");
		e = update_unready(c, st, id, err);
	}
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_set_ready(struct ts_store *s, int64_t id, const char *hash,
				const char *categories_hash, const char *manifest,
				int64_t zip_bytes, const struct ts_export_share *share,
				struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_stmt *st;
	int64_t now = ts_time_now_ms();
	enum ts_err e;

	e = ts_pg_begin_write(c, err);
	if (e)
		goto out;
	/* identical_to: the earliest earlier version with the same hash. */
	st = ts_pg_prepare(c, "UPDATE exports SET state = 'ready', hash = ?1, categories_hash = ?2, "
			      "manifest = ?3, zip_bytes = ?4, progress_done = progress_total, "
			      "error = NULL, updated_at = ?5, finished_at = ?5, identical_to = ("
			      "SELECT MIN(o.version) FROM exports o WHERE o.project_id = exports.project_id "
			      "AND o.hash = ?1 AND o.state = 'ready' AND o.version < exports.version), "
			      "shares_files_with = ?7, zip_base_from = ?8, zip_base_len = ?9 "
			      "WHERE id = ?6 AND state <> 'ready'", err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	ts_pg_bind_text(st, 1, hash);
	ts_pg_bind_text(st, 2, categories_hash);
	ts_pg_bind_text(st, 3, manifest);
	ts_pg_bind_i64(st, 4, zip_bytes);
	ts_pg_bind_i64(st, 5, now);
	ts_pg_bind_i64(st, 6, id);
	if (share) {
		ts_pg_bind_i64(st, 7, share->version);
		ts_pg_bind_i64(st, 8, share->base_from);
		ts_pg_bind_i64(st, 9, share->base_len);
	}
	e = update_unready(c, st, id, err);
	if (e)
		goto out;
	/* A later version that was ready first (builds run in parallel) now
	 * learns about this earlier twin. Only this derived note changes. */
	st = ts_pg_prepare(c, "UPDATE exports SET identical_to = m.version FROM "
			      "(SELECT project_id, version FROM exports WHERE id = ?2) AS m "
			      "WHERE exports.project_id = m.project_id AND exports.hash = ?1 "
			      "AND exports.state = 'ready' AND exports.version > m.version "
			      "AND (exports.identical_to IS NULL OR exports.identical_to > m.version)",
			   err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	ts_pg_bind_text(st, 1, hash);
	ts_pg_bind_i64(st, 2, id);
	e = ts_pg_exec_stmt(c, st, err);
out:
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_find_shareable(struct ts_store *s, int64_t project_id, const char *hash,
				     int64_t before_version, int64_t *version,
				     struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_stmt *st = ts_pg_prepare_i64(c, "SELECT COALESCE(MIN(version), 0) FROM exports "
					        "WHERE project_id = ?1 AND version < ?2 AND "
					        "state = 'ready' AND shares_files_with IS NULL "
					        "AND hash = ?3 AND deleted_at IS NULL",
					     TS_PG_I64(project_id, before_version), err);

	*version = 0;
	if (st)
		ts_pg_bind_text(st, 3, hash);
	return ts_pg_end(s, c, ts_pg_scalar_i64(c, st, version, "find an identical version", err),
			 err);
}

static enum ts_err pg_usage(struct ts_store *s, int64_t project_id, struct ts_project_usage *out,
			    struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_stmt *st;
	enum ts_err e;

	memset(out, 0, sizeof(*out));
	e = ts_pg_begin_in_project(c, 0, project_id, err);
	if (e)
		goto out;
	st = ts_pg_prepare_i64(c, "SELECT (SELECT COALESCE(SUM(byte_size), 0) FROM assets "
				  "WHERE project_id = ?1) + (SELECT COALESCE(SUM(byte_size), 0) "
				  "FROM videos WHERE project_id = ?1)",
			       TS_PG_I64(project_id), err);
	e = ts_pg_scalar_i64(c, st, &out->stored_bytes, "measure the project", err);
	if (e)
		goto out;
	st = ts_pg_prepare_i64(c, "SELECT count(*) FROM exports WHERE project_id = ? "
				  "AND state <> 'failed' AND deleted_at IS NULL",
			       TS_PG_I64(project_id), err);
	e = ts_pg_scalar_i64(c, st, &out->export_versions, "count export versions", err);
out:
	return ts_pg_end(s, c, e, err);
}

const struct ts_store_export_ops ts_pg_export_ops = {
	.set_deleted = ts_pg_export_set_deleted,
	.counts = pg_counts,
	.count_kept = pg_count_kept,
	.create = pg_create,
	.get = pg_get,
	.list = pg_list,
	.snapshot = pg_snapshot,
	.unchecked = pg_unchecked,
	.set_building = pg_set_building,
	.set_progress = pg_set_progress,
	.set_queued = pg_set_queued,
	.set_failed = pg_set_failed,
	.set_ready = pg_set_ready,
	.find_shareable = pg_find_shareable,
	.usage = pg_usage,
};
