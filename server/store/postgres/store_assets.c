/* PostgreSQL backend: assets, their annotation row, list pages and counts.
 *
 * Every list query walks one index range in id order and stops after
 * limit + 1 rows: the unfiltered list uses assets(project_id, id), a
 * queue filter annotations(project_id, queue, asset_id), a status filter
 * annotations(project_id, status, asset_id), a category
 * annotation_categories(project_id, category_id, asset_id). Counts per status come from asset_counts,
 * which triggers keep (migrations 006 and 016), unless a category or video
 * filter narrows them. */
#include "store/store_assets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "store/postgres/store_pg.h"
#include "core/banned.h"

#define ASSET_COLS                                                                          \
	"a.id, a.project_id, a.file_name, a.width, a.height, a.mime_type, a.byte_size, "    \
	"a.checksum_sha256, a.source_type, a.video_id, a.video_file_name, a.frame_index, "  \
	"a.timestamp_ms, a.thumb_ready, a.uploaded_by, "                                     \
	"(SELECT name FROM users WHERE id = a.uploaded_by), a.created_at, n.status, "        \
	"n.revision, (SELECT name FROM users WHERE id = n.labeled_by), n.updated_at, "       \
	"(SELECT string_agg(category_id::text, ',') FROM annotation_categories WHERE asset_id = a.id), " \
	"a.decode_state, a.damage_reason"

#define FROM_ALL " FROM assets a JOIN annotations n ON n.asset_id = a.id "
#define FROM_PROJECT FROM_ALL
#define FROM_CAT                                                                  \
	" FROM annotation_categories c JOIN annotations n ON n.asset_id = c.asset_id " \
	"JOIN assets a ON a.id = c.asset_id "

static void read_asset(struct ts_pg_stmt *st, void *out)
{
	struct ts_asset *a = out;
	const char *cats;

	memset(a, 0, sizeof(*a));
	a->id = ts_pg_col_i64(st, 0);
	a->project_id = ts_pg_col_i64(st, 1);
	ts_pg_text_to(st, 2, a->file_name, sizeof(a->file_name));
	a->width = ts_pg_col_i64(st, 3);
	a->height = ts_pg_col_i64(st, 4);
	ts_pg_text_to(st, 5, a->mime_type, sizeof(a->mime_type));
	a->byte_size = ts_pg_col_i64(st, 6);
	ts_pg_text_to(st, 7, a->checksum_sha256, sizeof(a->checksum_sha256));
	ts_pg_text_to(st, 8, a->origin.type, sizeof(a->origin.type));
	a->origin.video_id = ts_pg_col_i64(st, 9);
	ts_pg_text_to(st, 10, a->origin.video_file_name, sizeof(a->origin.video_file_name));
	a->origin.frame_index = ts_pg_col_i64(st, 11);
	a->origin.timestamp_ms = ts_pg_col_i64(st, 12);
	a->thumbnail_ready = ts_pg_col_int(st, 13) != 0;
	a->uploaded_by = ts_pg_col_i64(st, 14);
	ts_pg_text_to(st, 15, a->uploaded_by_name, sizeof(a->uploaded_by_name));
	a->created_at = ts_pg_col_i64(st, 16);
	ts_pg_text_to(st, 17, a->annotation.status, sizeof(a->annotation.status));
	a->annotation.revision = ts_pg_col_i64(st, 18);
	ts_pg_text_to(st, 19, a->annotation.labeled_by, sizeof(a->annotation.labeled_by));
	a->annotation.updated_at = ts_pg_col_i64(st, 20);
	ts_pg_text_to(st, 22, a->decode_state, sizeof(a->decode_state));
	ts_pg_text_to(st, 23, a->damage_reason, sizeof(a->damage_reason));
	cats = (const char *)ts_pg_col_text(st, 21);
	while (cats && *cats && a->annotation.ncategories < TS_ASSET_MAX_CATEGORIES) {
		char *end;

		a->annotation.category_ids[a->annotation.ncategories++] = strtoll(cats, &end, 10);
		cats = *end == ',' ? end + 1 : NULL;
	}
	qsort(a->annotation.category_ids, a->annotation.ncategories, sizeof(int64_t),
	      ts_pg_cmp_i64);
}

static enum ts_err get_c(struct ts_pg_conn *c, int64_t id, struct ts_asset *out,
			 struct ts_error *err)
{
	struct ts_pg_stmt *st = ts_pg_prepare_i64(c, "SELECT " ASSET_COLS FROM_ALL "WHERE a.id = ?",
					     TS_PG_I64(id), err);
	enum ts_err e;

	if (!st)
		return TS_ERR_IO;
	e = ts_pg_step_row(c, st, "read asset", err, "asset_not_found", "asset %lld does not exist",
			   (long long)id);
	if (!e)
		read_asset(st, out);
	ts_pg_reset(st);
	return e;
}

/* The id of the asset with this checksum in the project, 0 when none. */
static enum ts_err find_checksum(struct ts_pg_conn *c, int64_t project_id, const char *checksum,
				 int64_t *id, struct ts_error *err)
{
	struct ts_pg_stmt *st = ts_pg_prepare_i64(c, "SELECT id FROM assets WHERE project_id = ? AND "
					        "checksum_sha256 = ?",
					     TS_PG_I64(project_id), err);
	enum ts_err e;
	int found;

	*id = 0;
	if (!st)
		return TS_ERR_IO;
	ts_pg_bind_text(st, 2, checksum);
	e = ts_pg_step(c, st, &found, "find asset by checksum", err);
	if (!e && found)
		*id = ts_pg_col_i64(st, 0);
	ts_pg_reset(st);
	return e;
}

static enum ts_err insert_rows(struct ts_pg_conn *c, const struct ts_asset_new *in, int64_t now,
			       int64_t *asset_id, int64_t *job_id, struct ts_error *err)
{
	const struct ts_asset_origin *o = in->origin;
	int frame = o && strcmp(o->type, "video_frame") == 0;
	struct ts_pg_stmt *st;
	enum ts_err e;

	/* The id starts above every id ever deleted (id_floors). */
	st = ts_pg_prepare(c, "INSERT INTO assets(id, project_id, file_name, width, height, mime_type, "
			      "byte_size, checksum_sha256, source_type, video_id, video_file_name, "
			      "frame_index, timestamp_ms, uploaded_by, created_at, orientation) "
			      "VALUES (" TS_PG_NEXT_ID("assets") ", ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
			      "RETURNING id",
			   err);
	if (!st)
		return TS_ERR_IO;
	ts_pg_bind_i64(st, 1, in->project_id);
	ts_pg_bind_text(st, 2, in->file_name);
	ts_pg_bind_i64(st, 3, in->width);
	ts_pg_bind_i64(st, 4, in->height);
	ts_pg_bind_text(st, 5, in->mime_type);
	ts_pg_bind_i64(st, 6, in->byte_size);
	ts_pg_bind_text(st, 7, in->checksum_sha256);
	ts_pg_bind_text(st, 8, frame ? "video_frame" : "image");
	if (frame) {
		ts_pg_bind_i64(st, 9, o->video_id);
		ts_pg_bind_text(st, 10, o->video_file_name);
		ts_pg_bind_i64(st, 11, o->frame_index);
		ts_pg_bind_i64(st, 12, o->timestamp_ms);
	}
	ts_pg_bind_ref(st, 13, in->user_id);
	ts_pg_bind_i64(st, 14, now);
	if (in->orientation >= 1 && in->orientation <= 8)
		ts_pg_bind_i64(st, 15, in->orientation);
	e = ts_pg_exec_stmt(c, st, err);
	if (e)
		return e;
	*asset_id = ts_pg_last_id(c);

	e = ts_pg_exec_i64(c, "INSERT INTO annotations(asset_id, project_id, updated_at) "
			      "VALUES (?, ?, ?)",
			   TS_PG_I64(*asset_id, in->project_id, now), err);
	if (!e)
		e = ts_pg_job_insert(c, TS_JOB_THUMBNAIL, *asset_id, now, job_id, err);
	return e;
}

static enum ts_err pg_insert(struct ts_store *s, const struct ts_asset_new *in,
			     struct ts_asset *out, int *duplicate, int64_t *job_id,
			     struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	int64_t id = 0;
	enum ts_err e;

	*duplicate = 0;
	if (job_id)
		*job_id = 0;
	e = ts_pg_begin_write(c, err);
	if (e)
		goto out;
	e = find_checksum(c, in->project_id, in->checksum_sha256, &id, err);
	if (e)
		goto out;
	if (id) {
		int64_t project_id;

		*duplicate = 1;
		/* The same bytes uploaded again bring a deleted asset back. */
		e = ts_pg_asset_set_deleted_c(c, id, 0, in->user_id, &project_id, err);
	} else {
		e = ts_pg_project_exists(c, in->project_id, err);
		if (!e)
			e = insert_rows(c, in, ts_time_now_ms(), &id, job_id, err);
	}
	if (!e)
		e = get_c(c, id, out, err);
out:
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_get(struct ts_store *s, int64_t id, struct ts_asset *out,
			  struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);

	return ts_pg_end(s, c, get_c(c, id, out, err), err);
}

/* One video's frames (the grid's video filter): a range of assets_video,
 * then the other filters row by row; a video has at most a few thousand
 * frames. */
static struct ts_pg_stmt *list_video_stmt(struct ts_pg_conn *c, const struct ts_asset_query *q,
				     struct ts_error *err)
{
	struct ts_pg_stmt *st;
	int i = 1;

	st = ts_pg_prepare(c, "SELECT " ASSET_COLS FROM_ALL
			      "WHERE a.video_id = ? AND a.project_id = ? "
			      "AND (? = 0 OR EXISTS (SELECT 1 FROM annotation_categories c "
			      "WHERE c.asset_id = a.id AND c.category_id = ?)) "
			      "AND (?::text IS NULL OR n.queue = ?) AND (?::text IS NULL OR n.status = ?) "
			      "AND a.id > ? ORDER BY a.id LIMIT ?",
			   err);
	if (!st)
		return NULL;
	ts_pg_bind_i64(st, i++, q->video_id);
	ts_pg_bind_i64(st, i++, q->project_id);
	ts_pg_bind_i64(st, i++, q->category_id);
	ts_pg_bind_i64(st, i++, q->category_id);
	ts_pg_bind_text(st, i++, q->queue);
	ts_pg_bind_text(st, i++, q->queue);
	ts_pg_bind_text(st, i++, q->status);
	ts_pg_bind_text(st, i++, q->status);
	ts_pg_bind_i64(st, i++, q->after_id);
	ts_pg_bind_i64(st, i, q->limit + 1);
	return st;
}

static struct ts_pg_stmt *list_stmt(struct ts_pg_conn *c, const struct ts_asset_query *q,
			       struct ts_error *err)
{
	struct ts_pg_stmt *st;
	int i = 1;

	if (q->video_id > 0 || (q->queue && q->status))
		return list_video_stmt(c, q, err);
	if (q->category_id > 0 && q->status)
		st = ts_pg_prepare(c, "SELECT " ASSET_COLS FROM_CAT
				      "WHERE c.project_id = ? AND c.category_id = ? AND n.status = ? "
				      "AND c.asset_id > ? ORDER BY c.asset_id LIMIT ?", err);
	else if (q->category_id > 0 && q->queue)
		st = ts_pg_prepare(c, "SELECT " ASSET_COLS FROM_CAT
				      "WHERE c.project_id = ? AND c.category_id = ? AND n.queue = ? "
				      "AND c.asset_id > ? ORDER BY c.asset_id LIMIT ?", err);
	else if (q->category_id > 0)
		st = ts_pg_prepare(c, "SELECT " ASSET_COLS FROM_CAT
				      "WHERE c.project_id = ? AND c.category_id = ? "
				      "AND c.asset_id > ? ORDER BY c.asset_id LIMIT ?", err);
	else if (q->status)
		st = ts_pg_prepare(c, "SELECT " ASSET_COLS
				      " FROM annotations n "
				      "JOIN assets a ON a.id = n.asset_id "
				      "WHERE n.project_id = ? AND n.status = ? AND n.asset_id > ? "
				      "ORDER BY n.asset_id LIMIT ?", err);
	else if (q->queue)
		st = ts_pg_prepare(c, "SELECT " ASSET_COLS
				      " FROM annotations n "
				      "JOIN assets a ON a.id = n.asset_id "
				      "WHERE n.project_id = ? AND n.queue = ? AND n.asset_id > ? "
				      "ORDER BY n.asset_id LIMIT ?", err);
	else
		st = ts_pg_prepare(c, "SELECT " ASSET_COLS FROM_PROJECT
				      "WHERE a.project_id = ? AND a.id > ? ORDER BY a.id LIMIT ?",
				   err);
	if (!st)
		return NULL;
	ts_pg_bind_i64(st, i++, q->project_id);
	if (q->category_id > 0)
		ts_pg_bind_i64(st, i++, q->category_id);
	if (q->status)
		ts_pg_bind_text(st, i++, q->status);
	else if (q->queue)
		ts_pg_bind_text(st, i++, q->queue);
	ts_pg_bind_i64(st, i++, q->after_id);
	ts_pg_bind_i64(st, i, q->limit + 1);
	return st;
}

static enum ts_err pg_list(struct ts_store *s, const struct ts_asset_query *q,
			   struct ts_asset **out, size_t *n, int64_t *next_after,
			   struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_rows rows = { 0 };
	struct ts_asset *arr;
	struct ts_pg_stmt *st;
	enum ts_err e;
	int more;

	*out = NULL;
	*n = 0;
	*next_after = 0;
	if (q->limit < 1 || q->limit > TS_ASSET_PAGE_MAX) {
		e = ts_error_set(err, TS_ERR_INVALID, "invalid_query", "bad asset list query");
		goto out;
	}
	/* A read transaction: the page and the project check see one snapshot.
	 * One row past the page says whether there is a next one. */
	e = ts_pg_begin_in_project(c, 0, q->project_id, err);
	if (e)
		goto out;
	st = list_stmt(c, q, err);
	e = ts_pg_collect(c, st, sizeof(struct ts_asset), read_asset, (size_t)q->limit + 1,
			  &rows, "list assets", err);
out:
	e = ts_pg_end(s, c, e, err);
	if (e) {
		free(rows.items);
		return e;
	}
	arr = rows.items;
	more = rows.n > (size_t)q->limit;
	*out = arr;
	*n = more ? (size_t)q->limit : rows.n;
	*next_after = more ? arr[q->limit - 1].id : 0;
	return TS_OK;
}

static enum ts_err pg_counts(struct ts_store *s, const struct ts_asset_query *q,
			     struct ts_asset_counts *out, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_stmt *st;
	enum ts_err e = TS_OK;
	int rc, i = 1;

	memset(out, 0, sizeof(*out));
	if (q->video_id > 0) {
		/* One video's frames: a range of assets_video (a few thousand). */
		st = ts_pg_prepare(c, "SELECT n.status, count(*) FROM assets a "
				      "JOIN annotations n ON n.asset_id = a.id "
				      "WHERE a.video_id = ? AND a.project_id = ? "
				      "AND (? = 0 OR EXISTS (SELECT 1 FROM annotation_categories c "
				      "WHERE c.asset_id = a.id AND c.category_id = ?)) "
				      "GROUP BY n.status",
				   err);
	} else if (q->category_id > 0) {
		st = ts_pg_prepare(c, "SELECT n.status, count(*) FROM annotation_categories c "
				      "JOIN annotations n ON n.asset_id = c.asset_id "
				      "WHERE c.project_id = ? AND c.category_id = ? GROUP BY n.status",
				   err);
	} else {
		/* Kept by triggers (migration 016): one short index range. */
		st = ts_pg_prepare(c, "SELECT status, n FROM asset_counts WHERE project_id = ?", err);
	}
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	if (q->video_id > 0) {
		ts_pg_bind_i64(st, i++, q->video_id);
		ts_pg_bind_i64(st, i++, q->project_id);
		ts_pg_bind_i64(st, i++, q->category_id);
		ts_pg_bind_i64(st, i++, q->category_id);
	} else {
		ts_pg_bind_i64(st, i++, q->project_id);
		if (q->category_id > 0)
			ts_pg_bind_i64(st, i++, q->category_id);
	}
	while ((rc = ts_pg_next(st)) == TS_PG_ROW) {
		const char *status = (const char *)ts_pg_col_text(st, 0);
		int64_t k = ts_pg_col_i64(st, 1);

		if (!status)
			continue;
		if (strcmp(status, "unlabeled") == 0)
			out->unlabeled = k;
		else if (strcmp(status, "labeled") == 0)
			out->labeled = k;
		else if (strcmp(status, "skipped") == 0)
			out->skipped = k;
		else if (strcmp(status, "needs_review") == 0)
			out->needs_review = k;
		else if (strcmp(status, "approved") == 0)
			out->approved = k;
		out->all += k;
	}
	if (rc != TS_PG_DONE)
		e = ts_pg_fail(c, err, "count assets");
	ts_pg_reset(st);
out:
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_set_thumbnail_ready(struct ts_store *s, int64_t id, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	enum ts_err e = ts_pg_exec_i64(c, "UPDATE assets SET thumb_ready = 1 WHERE id = ? AND "
					  "thumb_ready = 0",
				       TS_PG_I64(id), err);

	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_set_decoded(struct ts_store *s, const char *checksum, int ok,
				  const char *reason, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_stmt *st;
	enum ts_err e;

	e = ts_pg_begin_write(c, err);
	if (e)
		goto out;
	st = ts_pg_prepare(c, "UPDATE assets SET decode_state = ?1, damage_reason = ?2, "
			      "thumb_ready = CASE WHEN ?1 = 'ok' THEN 1 ELSE thumb_ready END "
			      "WHERE checksum_sha256 = ?3 AND decode_state = 'pending'",
			   err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	ts_pg_bind_text(st, 1, ok ? "ok" : "damaged");
	if (ok)
		ts_pg_bind_null(st, 2);
	else
		ts_pg_bind_text(st, 2, reason ? reason : "");
	ts_pg_bind_text(st, 3, checksum);
	e = ts_pg_exec_stmt(c, st, err);
out:
	return ts_pg_end(s, c, e, err);
}

static void read_damaged(struct ts_pg_stmt *st, void *out)
{
	struct ts_asset_damaged *d = out;

	memset(d, 0, sizeof(*d));
	d->id = ts_pg_col_i64(st, 0);
	ts_pg_text_to(st, 1, d->file_name, sizeof(d->file_name));
	ts_pg_text_to(st, 2, d->reason, sizeof(d->reason));
}

static enum ts_err pg_list_damaged(struct ts_store *s, int64_t project_id, int limit,
				   struct ts_asset_damaged **out, size_t *n, int64_t *total,
				   struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_rows rows = { 0 };
	struct ts_pg_stmt *st;
	enum ts_err e;

	*total = 0;
	e = ts_pg_begin_in_project(c, 0, project_id, err);
	if (e)
		goto out;
	st = ts_pg_prepare_i64(c, "SELECT count(*) FROM assets WHERE project_id = ? AND "
				  "decode_state = 'damaged' AND deleted_at IS NULL",
			       TS_PG_I64(project_id), err);
	e = ts_pg_scalar_i64(c, st, total, "count damaged assets", err);
	if (e)
		goto out;
	st = ts_pg_prepare_i64(c, "SELECT id, file_name, COALESCE(damage_reason, '') FROM assets "
				  "WHERE project_id = ? AND decode_state = 'damaged' "
				  "AND deleted_at IS NULL ORDER BY id LIMIT ?",
			       TS_PG_I64(project_id, limit), err);
	e = ts_pg_collect(c, st, sizeof(struct ts_asset_damaged), read_damaged,
			  (size_t)(limit > 0 ? limit : 1), &rows, "list damaged assets", err);
out:
	*out = ts_pg_end_rows(s, c, &e, &rows, n, err);
	return e;
}

const struct ts_store_asset_ops ts_pg_asset_ops = {
	.set_decoded = pg_set_decoded,
	.list_damaged = pg_list_damaged,
	.insert = pg_insert,
	.get = pg_get,
	.list = pg_list,
	.counts = pg_counts,
	.set_thumbnail_ready = pg_set_thumbnail_ready,
	.set_deleted = ts_pg_asset_set_deleted,
	.lease_next = ts_pg_lease_next,
	.lease_renew = ts_pg_lease_renew,
	.lease_release = ts_pg_lease_release,
};
