/* PostgreSQL backend: videos and the progress of their frame extraction. */
#include "store/store_videos.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "store/store_assets.h"
#include "store/postgres/store_pg.h"
#include "core/banned.h"

#define VIDEO_COLS                                                                            \
	"id, project_id, file_name, checksum_sha256, byte_size, mode, fps, frames, state, "    \
	"duration_ms, frame_rate, width, height, rotation, codec, frames_expected, "          \
	"frames_extracted, frames_duplicate, error, job_id, uploaded_by, created_at, "        \
	"updated_at"

static void read_video(struct ts_pg_stmt *st, void *out)
{
	struct ts_video *v = out;

	memset(v, 0, sizeof(*v));
	v->id = ts_pg_col_i64(st, 0);
	v->project_id = ts_pg_col_i64(st, 1);
	ts_pg_text_to(st, 2, v->file_name, sizeof(v->file_name));
	ts_pg_text_to(st, 3, v->checksum_sha256, sizeof(v->checksum_sha256));
	v->byte_size = ts_pg_col_i64(st, 4);
	ts_pg_text_to(st, 5, v->mode, sizeof(v->mode));
	v->fps = ts_pg_col_double(st, 6);
	v->frames = ts_pg_col_i64(st, 7);
	ts_pg_text_to(st, 8, v->state, sizeof(v->state));
	v->duration_ms = ts_pg_col_i64(st, 9);
	v->frame_rate = ts_pg_col_double(st, 10);
	v->width = ts_pg_col_i64(st, 11);
	v->height = ts_pg_col_i64(st, 12);
	v->rotation = ts_pg_col_i64(st, 13);
	ts_pg_text_to(st, 14, v->codec, sizeof(v->codec));
	v->frames_expected = ts_pg_col_i64(st, 15);
	v->frames_extracted = ts_pg_col_i64(st, 16);
	v->frames_duplicate = ts_pg_col_i64(st, 17);
	ts_pg_text_to(st, 18, v->error, sizeof(v->error));
	v->job_id = ts_pg_col_i64(st, 19);
	v->uploaded_by = ts_pg_col_i64(st, 20);
	v->created_at = ts_pg_col_i64(st, 21);
	v->updated_at = ts_pg_col_i64(st, 22);
}

static enum ts_err get_c(struct ts_pg_conn *c, int64_t id, struct ts_video *out,
			 struct ts_error *err)
{
	struct ts_pg_stmt *st = ts_pg_prepare_i64(c, "SELECT " VIDEO_COLS " FROM videos WHERE id = ?",
					     TS_PG_I64(id), err);
	enum ts_err e;

	if (!st)
		return TS_ERR_IO;
	e = ts_pg_step_row(c, st, "read video", err, "video_not_found", "video %lld does not exist",
			   (long long)id);
	if (!e && out)
		read_video(st, out);
	ts_pg_reset(st);
	return e;
}

static enum ts_err pg_create(struct ts_store *s, const struct ts_video_new *in,
			     struct ts_video *out, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	int64_t now = ts_time_now_ms(), vid, jid;
	struct ts_pg_stmt *st;
	enum ts_err e;

	e = ts_pg_begin_in_project(c, 1, in->project_id, err);
	if (e)
		goto out;
	st = ts_pg_prepare(c, "INSERT INTO videos(project_id, file_name, checksum_sha256, byte_size, "
			      "mode, fps, frames, duration_ms, frame_rate, width, height, rotation, "
			      "codec, frames_expected, uploaded_by, created_at, updated_at) "
			      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	ts_pg_bind_i64(st, 1, in->project_id);
	ts_pg_bind_text(st, 2, in->file_name);
	ts_pg_bind_text(st, 3, in->checksum_sha256);
	ts_pg_bind_i64(st, 4, in->byte_size);
	ts_pg_bind_text(st, 5, in->fps > 0 ? "fps" : "frames");
	if (in->fps > 0)
		ts_pg_bind_double(st, 6, in->fps);
	else
		ts_pg_bind_i64(st, 7, in->frames);
	ts_pg_bind_i64(st, 8, in->duration_ms);
	ts_pg_bind_double(st, 9, in->frame_rate);
	ts_pg_bind_i64(st, 10, in->width);
	ts_pg_bind_i64(st, 11, in->height);
	ts_pg_bind_i64(st, 12, in->rotation);
	ts_pg_bind_text(st, 13, in->codec ? in->codec : "");
	ts_pg_bind_i64(st, 14, in->frames_expected);
	ts_pg_bind_ref(st, 15, in->user_id);
	ts_pg_bind_i64(st, 16, now);
	ts_pg_bind_i64(st, 17, now);
	e = ts_pg_exec_stmt(c, st, err);
	if (e)
		goto out;
	vid = ts_pg_last_id(c);
	e = ts_pg_job_insert(c, TS_JOB_VIDEO_EXTRACT, vid, now, &jid, err);
	if (!e)
		e = ts_pg_exec_i64(c, "UPDATE videos SET job_id = ? WHERE id = ?",
				   TS_PG_I64(jid, vid), err);
	if (!e)
		e = get_c(c, vid, out, err);
out:
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_get(struct ts_store *s, int64_t id, struct ts_video *out,
			  struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);

	return ts_pg_end(s, c, get_c(c, id, out, err), err);
}

static enum ts_err pg_list(struct ts_store *s, int64_t project_id, int64_t before_id, int limit,
			   struct ts_video **out, size_t *n, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_rows rows = { 0 };
	struct ts_pg_stmt *st;
	enum ts_err e;

	e = ts_pg_project_exists(c, project_id, err);
	if (e)
		goto out;
	st = ts_pg_prepare_i64(c, "SELECT " VIDEO_COLS " FROM videos WHERE project_id = ? "
				  "AND id < ? ORDER BY id DESC LIMIT ?",
			       TS_PG_I64(project_id, before_id > 0 ? before_id : INT64_MAX, limit),
			       err);
	e = ts_pg_collect(c, st, sizeof(struct ts_video), read_video, (size_t)limit, &rows,
			  "list videos", err);
out:
	*out = ts_pg_end_rows(s, c, &e, &rows, n, err);
	return e;
}

static enum ts_err pg_start(struct ts_store *s, int64_t id, int64_t frames_expected,
			    int64_t frames_extracted, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	enum ts_err e = ts_pg_exec_i64(c, "UPDATE videos SET state = 'extracting', "
					  "frames_expected = ?, frames_extracted = ?, "
					  "frames_duplicate = 0, error = NULL, updated_at = ? "
					  "WHERE id = ?",
				       TS_PG_I64(frames_expected, frames_extracted, ts_time_now_ms(),
						 id),
				       err);

	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_progress(struct ts_store *s, int64_t id, int duplicate,
			       struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	enum ts_err e = ts_pg_exec_i64(c, "UPDATE videos SET frames_extracted = "
					  "frames_extracted + 1, frames_duplicate = "
					  "frames_duplicate + ?, updated_at = ? WHERE id = ?",
				       TS_PG_I64(duplicate ? 1 : 0, ts_time_now_ms(), id), err);

	return ts_pg_end(s, c, e, err);
}

static void read_frame(struct ts_pg_stmt *st, void *out)
{
	struct ts_video_frame_row *f = out;

	f->asset_id = ts_pg_col_i64(st, 0);
	f->revision = ts_pg_col_i64(st, 1);
	ts_pg_text_to(st, 2, f->status, sizeof(f->status));
	f->history = ts_pg_col_int(st, 3) != 0;
}

static enum ts_err pg_frames(struct ts_store_tx *tx, int64_t id, struct ts_video_frame_row **out,
			     size_t *n, struct ts_error *err)
{
	struct ts_pg_conn *c = tx->impl;
	struct ts_pg_rows rows = { 0 };
	enum ts_err e;

	e = ts_pg_collect(c,
			  ts_pg_prepare_i64(c, "SELECT a.id, n.revision, n.status, EXISTS (SELECT 1 "
					       "FROM annotation_history h WHERE h.asset_id = a.id) "
					       "FROM assets a LEFT JOIN annotations n ON n.asset_id = a.id "
					       "WHERE a.video_id = ? ORDER BY a.id",
					    TS_PG_I64(id), err),
			  sizeof(struct ts_video_frame_row), read_frame, 0, &rows, "list frames", err);
	*out = e ? NULL : rows.items;
	*n = e ? 0 : rows.n;
	if (e)
		free(rows.items);
	return e;
}

/* The asset's annotation, labels and queued thumbnail job go with it.
 * Blobs are content-addressed and may be shared: they are left alone. */
static enum ts_err pg_drop_frame(struct ts_store_tx *tx, int64_t asset_id, struct ts_error *err)
{
	static const char *const del[] = {
		"DELETE FROM annotation_categories WHERE asset_id = ?",
		"DELETE FROM annotations WHERE asset_id = ?",
		"DELETE FROM jobs WHERE kind = '" TS_JOB_THUMBNAIL "' AND ref_id = ? "
		"AND state = 'queued'",
		"DELETE FROM assets WHERE id = ? AND video_id IS NOT NULL",
	};
	struct ts_pg_conn *c = tx->impl;
	enum ts_err e = TS_OK;

	for (size_t k = 0; k < sizeof(del) / sizeof(del[0]) && !e; k++)
		e = ts_pg_exec_i64(c, del[k], TS_PG_I64(asset_id), err);
	return e;
}

static enum ts_err pg_finish(struct ts_store_tx *tx, int64_t id, const char *error,
			     int64_t frames_kept, struct ts_error *err)
{
	struct ts_pg_conn *c = tx->impl;
	struct ts_pg_stmt *st;

	/* A failed video's count is the frames that remain. */
	st = ts_pg_prepare_i64(c, "UPDATE videos SET updated_at = ?1, state = ?3, error = ?4, "
				  "frames_extracted = CASE WHEN ?3 = 'failed' THEN ?5 "
				  "ELSE frames_extracted END WHERE id = ?2",
			       TS_PG_I64(ts_time_now_ms(), id), err);
	if (!st)
		return TS_ERR_IO;
	ts_pg_bind_text(st, 3, error ? "failed" : "ready");
	ts_pg_bind_text(st, 4, error);
	ts_pg_bind_i64(st, 5, frames_kept);
	return ts_pg_exec_stmt(c, st, err);
}

static enum ts_err pg_stored_frames(struct ts_store *s, int64_t id, int64_t **out, size_t *n,
				    struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_stmt *st = ts_pg_prepare_i64(c, "SELECT frame_index FROM assets WHERE video_id = ? "
					        "ORDER BY frame_index",
					     TS_PG_I64(id), err);
	struct ts_pg_rows rows = { 0 };
	enum ts_err e = TS_ERR_IO;

	if (st)
		e = ts_pg_collect(c, st, sizeof(int64_t), ts_pg_read_i64, 0, &rows,
				  "list stored frames", err);
	*out = ts_pg_end_rows(s, c, &e, &rows, n, err);
	return e;
}

const struct ts_store_video_ops ts_pg_video_ops = {
	.create = pg_create,
	.get = pg_get,
	.list = pg_list,
	.start = pg_start,
	.progress = pg_progress,
	.finish = pg_finish,
	.frames = pg_frames,
	.drop_frame = pg_drop_frame,
	.stored_frames = pg_stored_frames,
};
