/* SQLite backend: videos and the progress of their frame extraction. */
#include "store/videos.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "store/sqlite_int.h"
#include "core/banned.h"

#define VIDEO_COLS                                                                            \
	"id, project_id, file_name, checksum_sha256, byte_size, mode, fps, frames, state, "    \
	"duration_ms, frame_rate, width, height, rotation, codec, frames_expected, "          \
	"frames_extracted, frames_duplicate, error, job_id, uploaded_by, created_at, "        \
	"updated_at"

static void read_video(sqlite3_stmt *st, struct ts_video *v)
{
	memset(v, 0, sizeof(*v));
	v->id = sqlite3_column_int64(st, 0);
	v->project_id = sqlite3_column_int64(st, 1);
	ts_sq_text_to(st, 2, v->file_name, sizeof(v->file_name));
	ts_sq_text_to(st, 3, v->checksum_sha256, sizeof(v->checksum_sha256));
	v->byte_size = sqlite3_column_int64(st, 4);
	ts_sq_text_to(st, 5, v->mode, sizeof(v->mode));
	v->fps = sqlite3_column_double(st, 6);
	v->frames = sqlite3_column_int64(st, 7);
	ts_sq_text_to(st, 8, v->state, sizeof(v->state));
	v->duration_ms = sqlite3_column_int64(st, 9);
	v->frame_rate = sqlite3_column_double(st, 10);
	v->width = sqlite3_column_int64(st, 11);
	v->height = sqlite3_column_int64(st, 12);
	v->rotation = sqlite3_column_int64(st, 13);
	ts_sq_text_to(st, 14, v->codec, sizeof(v->codec));
	v->frames_expected = sqlite3_column_int64(st, 15);
	v->frames_extracted = sqlite3_column_int64(st, 16);
	v->frames_duplicate = sqlite3_column_int64(st, 17);
	ts_sq_text_to(st, 18, v->error, sizeof(v->error));
	v->job_id = sqlite3_column_int64(st, 19);
	v->uploaded_by = sqlite3_column_int64(st, 20);
	v->created_at = sqlite3_column_int64(st, 21);
	v->updated_at = sqlite3_column_int64(st, 22);
}

static enum ts_err get_c(struct ts_sq_conn *c, int64_t id, struct ts_video *out,
			 struct ts_error *err)
{
	sqlite3_stmt *st = ts_sq_prepare(c, "SELECT " VIDEO_COLS " FROM videos WHERE id = ?", err);
	enum ts_err e = TS_OK;
	int rc;

	if (!st)
		return TS_ERR_IO;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (out)
			read_video(st, out);
	} else if (rc == SQLITE_DONE) {
		e = ts_error_set(err, TS_ERR_NOT_FOUND, "video_not_found",
				 "video %lld does not exist", (long long)id);
	} else {
		e = ts_sq_fail(c, err, "read video");
	}
	sqlite3_reset(st);
	return e;
}

static enum ts_err project_exists_c(struct ts_sq_conn *c, int64_t project_id,
				    struct ts_error *err)
{
	sqlite3_stmt *st = ts_sq_prepare(c, "SELECT 1 FROM projects WHERE id = ?", err);
	enum ts_err e = TS_OK;
	int rc;

	if (!st)
		return TS_ERR_IO;
	sqlite3_bind_int64(st, 1, project_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		e = ts_error_set(err, TS_ERR_NOT_FOUND, "project_not_found",
				 "project %lld does not exist", (long long)project_id);
	else if (rc != SQLITE_ROW)
		e = ts_sq_fail(c, err, "read project");
	sqlite3_reset(st);
	return e;
}

static enum ts_err sq_create(struct ts_store *s, const struct ts_video_new *in,
			     struct ts_video *out, struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	int64_t now = ts_time_now_ms(), vid, jid;
	sqlite3_stmt *st;
	enum ts_err e;

	e = ts_sq_begin_write(c, err);
	if (e)
		goto out;
	e = project_exists_c(c, in->project_id, err);
	if (e)
		goto out;
	st = ts_sq_prepare(c, "INSERT INTO videos(project_id, file_name, checksum_sha256, byte_size, "
			      "mode, fps, frames, duration_ms, frame_rate, width, height, rotation, "
			      "codec, frames_expected, uploaded_by, created_at, updated_at) "
			      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	sqlite3_bind_int64(st, 1, in->project_id);
	ts_sq_bind_text(st, 2, in->file_name);
	ts_sq_bind_text(st, 3, in->checksum_sha256);
	sqlite3_bind_int64(st, 4, in->byte_size);
	ts_sq_bind_text(st, 5, in->fps > 0 ? "fps" : "frames");
	if (in->fps > 0)
		sqlite3_bind_double(st, 6, in->fps);
	else
		sqlite3_bind_int64(st, 7, in->frames);
	sqlite3_bind_int64(st, 8, in->duration_ms);
	sqlite3_bind_double(st, 9, in->frame_rate);
	sqlite3_bind_int64(st, 10, in->width);
	sqlite3_bind_int64(st, 11, in->height);
	sqlite3_bind_int64(st, 12, in->rotation);
	ts_sq_bind_text(st, 13, in->codec ? in->codec : "");
	sqlite3_bind_int64(st, 14, in->frames_expected);
	if (in->user_id > 0)
		sqlite3_bind_int64(st, 15, in->user_id);
	sqlite3_bind_int64(st, 16, now);
	sqlite3_bind_int64(st, 17, now);
	e = ts_sq_exec_stmt(c, st, err);
	if (e)
		goto out;
	vid = sqlite3_last_insert_rowid(c->db);
	st = ts_sq_prepare(c, "INSERT INTO jobs(kind, ref_id, created_at, updated_at) "
			      "VALUES (?, ?, ?, ?)", err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	ts_sq_bind_text(st, 1, TS_JOB_VIDEO_EXTRACT);
	sqlite3_bind_int64(st, 2, vid);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, now);
	e = ts_sq_exec_stmt(c, st, err);
	if (e)
		goto out;
	jid = sqlite3_last_insert_rowid(c->db);
	st = ts_sq_prepare(c, "UPDATE videos SET job_id = ? WHERE id = ?", err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	sqlite3_bind_int64(st, 1, jid);
	sqlite3_bind_int64(st, 2, vid);
	e = ts_sq_exec_stmt(c, st, err);
	if (!e)
		e = get_c(c, vid, out, err);
	if (!e)
		e = ts_sq_commit(c, err);
out:
	if (e)
		ts_sq_rollback(c);
	ts_sq_release(s, c);
	return e;
}

static enum ts_err sq_get(struct ts_store *s, int64_t id, struct ts_video *out,
			  struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	enum ts_err e = get_c(c, id, out, err);

	ts_sq_release(s, c);
	return e;
}

static enum ts_err sq_list(struct ts_store *s, int64_t project_id, int64_t before_id, int limit,
			   struct ts_video **out, size_t *n, struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	struct ts_video *arr = NULL;
	size_t len = 0;
	sqlite3_stmt *st;
	enum ts_err e;
	int rc;

	e = project_exists_c(c, project_id, err);
	if (e)
		goto out;
	st = ts_sq_prepare(c, "SELECT " VIDEO_COLS " FROM videos WHERE project_id = ? AND id < ? "
			      "ORDER BY id DESC LIMIT ?", err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	sqlite3_bind_int64(st, 1, project_id);
	sqlite3_bind_int64(st, 2, before_id > 0 ? before_id : INT64_MAX);
	sqlite3_bind_int(st, 3, limit);
	arr = ts_xcalloc((size_t)limit, sizeof(*arr));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && len < (size_t)limit)
		read_video(st, &arr[len++]);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		e = ts_sq_fail(c, err, "list videos");
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

static enum ts_err sq_start(struct ts_store *s, int64_t id, int64_t frames_expected,
			    int64_t frames_extracted, struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	sqlite3_stmt *st = ts_sq_prepare(c, "UPDATE videos SET state = 'extracting', "
					    "frames_expected = ?, frames_extracted = ?, "
					    "frames_duplicate = 0, error = NULL, updated_at = ? "
					    "WHERE id = ?", err);
	enum ts_err e = TS_ERR_IO;

	if (st) {
		sqlite3_bind_int64(st, 1, frames_expected);
		sqlite3_bind_int64(st, 2, frames_extracted);
		sqlite3_bind_int64(st, 3, ts_time_now_ms());
		sqlite3_bind_int64(st, 4, id);
		e = ts_sq_exec_stmt(c, st, err);
	}
	ts_sq_release(s, c);
	return e;
}

static enum ts_err sq_progress(struct ts_store *s, int64_t id, int duplicate,
			       struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	sqlite3_stmt *st = ts_sq_prepare(c, "UPDATE videos SET frames_extracted = "
					    "frames_extracted + 1, frames_duplicate = "
					    "frames_duplicate + ?, updated_at = ? WHERE id = ?", err);
	enum ts_err e = TS_ERR_IO;

	if (st) {
		sqlite3_bind_int(st, 1, duplicate ? 1 : 0);
		sqlite3_bind_int64(st, 2, ts_time_now_ms());
		sqlite3_bind_int64(st, 3, id);
		e = ts_sq_exec_stmt(c, st, err);
	}
	ts_sq_release(s, c);
	return e;
}

static enum ts_err sq_finish(struct ts_store *s, int64_t id, const char *error,
			     struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	sqlite3_stmt *st = ts_sq_prepare(c, "UPDATE videos SET state = ?, error = ?, "
					    "updated_at = ? WHERE id = ?", err);
	enum ts_err e = TS_ERR_IO;

	if (st) {
		ts_sq_bind_text(st, 1, error ? "failed" : "ready");
		ts_sq_bind_text(st, 2, error);
		sqlite3_bind_int64(st, 3, ts_time_now_ms());
		sqlite3_bind_int64(st, 4, id);
		e = ts_sq_exec_stmt(c, st, err);
	}
	ts_sq_release(s, c);
	return e;
}

static enum ts_err sq_stored_frames(struct ts_store *s, int64_t id, int64_t **out, size_t *n,
				    struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	sqlite3_stmt *st = ts_sq_prepare(c, "SELECT frame_index FROM assets WHERE video_id = ? "
					    "ORDER BY frame_index", err);
	int64_t *arr = NULL;
	size_t len = 0, cap = 0;
	enum ts_err e = TS_OK;
	int rc;

	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 256;
			arr = ts_xrealloc(arr, cap * sizeof(*arr));
		}
		arr[len++] = sqlite3_column_int64(st, 0);
	}
	if (rc != SQLITE_DONE) {
		e = ts_sq_fail(c, err, "list stored frames");
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

const struct ts_store_video_ops ts_sq_video_ops = {
	.create = sq_create,
	.get = sq_get,
	.list = sq_list,
	.start = sq_start,
	.progress = sq_progress,
	.finish = sq_finish,
	.stored_frames = sq_stored_frames,
};
