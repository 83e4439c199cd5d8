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
#include "core/utf8.h"
#include "store/postgres/store_pg.h"
#include "core/banned.h"

/* User names are not joined per row: a page names a handful of users,
 * each looked up once (fill_names). */
#define ASSET_COLS                                                                          \
	"a.id, a.project_id, a.file_name, a.width, a.height, a.mime_type, a.byte_size, "    \
	"a.checksum_sha256, a.source_type, a.video_id, a.video_file_name, a.frame_index, "  \
	"a.timestamp_ms, a.thumb_ready, a.uploaded_by, n.labeled_by, a.created_at, "        \
	"n.status, n.revision, n.updated_at, n.payload_type, "                               \
	"(SELECT string_agg(category_id::text, ',') FROM annotation_categories WHERE asset_id = a.id), " \
	"a.decode_state, a.damage_reason, "                                                   \
	"EXISTS (SELECT 1 FROM prediction_suggestions ps WHERE ps.asset_id = a.id "          \
	"AND ps.status = 'pending')"

#define FROM_ALL " FROM assets a JOIN annotations n ON n.asset_id = a.id "
#define FROM_PROJECT FROM_ALL
#define FROM_CAT                                                                  \
	" FROM annotation_categories c JOIN annotations n ON n.asset_id = c.asset_id " \
	"JOIN assets a ON a.id = c.asset_id "

static void read_asset(struct ts_pg_stmt *st, void *out)
{
	struct ts_asset *a = out;
	struct ts_annotation *an = &a->annotation;
	const char *cats;

	/* ts_pg_collect hands a zeroed row. */
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
	an->asset_id = a->id;
	an->project_id = a->project_id;
	an->labeled_by = ts_pg_col_i64(st, 15);
	a->created_at = ts_pg_col_i64(st, 16);
	if (ts_status_parse((const char *)ts_pg_col_text(st, 17), &an->status))
		an->status = TS_STATUS_UNLABELED;
	an->revision = ts_pg_col_i64(st, 18);
	an->updated_at = ts_pg_col_i64(st, 19);
	ts_pg_text_to(st, 20, an->payload_type, sizeof(an->payload_type));
	ts_pg_text_to(st, 22, a->decode_state, sizeof(a->decode_state));
	ts_pg_text_to(st, 23, a->damage_reason, sizeof(a->damage_reason));
	a->suggested = ts_pg_col_int(st, 24) != 0;
	if (ts_pg_col_count(st) > 25)
		a->sampling_rank = ts_pg_col_i64(st, 25);
	cats = (const char *)ts_pg_col_text(st, 21);
	while (cats && *cats && an->ncat < TS_STORE_ANN_MAX_CATEGORIES) {
		char *end;

		an->category_ids[an->ncat++] = strtoll(cats, &end, 10);
		cats = *end == ',' ? end + 1 : NULL;
	}
	if (an->ncat > 1)
		qsort(an->category_ids, an->ncat, sizeof(int64_t), ts_pg_cmp_i64);
}

/* The user names of rows[0..n-1] (uploader and labeler): each distinct
 * user is read once, with one reused statement. */
#define NAMES_KEPT 32
static enum ts_err fill_names(struct ts_pg_conn *c, struct ts_asset *rows, size_t n,
			      struct ts_error *err)
{
	struct {
		int64_t id;
		char name[sizeof(rows->uploaded_by_name)];
	} kept[NAMES_KEPT];
	size_t nkept = 0, next = 0;

	_Static_assert(sizeof(rows->uploaded_by_name) == sizeof(rows->annotation.labeled_by_name),
		       "one name size");
	for (size_t i = 0; i < 2 * n; i++) {
		struct ts_asset *a = &rows[i / 2];
		int64_t id = i % 2 ? a->annotation.labeled_by : a->uploaded_by;
		char *to = i % 2 ? a->annotation.labeled_by_name : a->uploaded_by_name;
		size_t k;

		if (id <= 0)
			continue;
		for (k = 0; k < nkept && kept[k].id != id; k++)
			;
		if (k == nkept) {
			struct ts_pg_stmt *st = ts_pg_prepare_i64(c, "SELECT name FROM users WHERE id = ?",
							     TS_PG_I64(id), err);
			enum ts_err e;
			int found;

			if (!st)
				return TS_ERR_IO;
			/* Past NAMES_KEPT users the oldest entry makes room. */
			k = nkept < NAMES_KEPT ? nkept++ : next++ % NAMES_KEPT;
			kept[k].id = id;
			kept[k].name[0] = '\0';
			e = ts_pg_step(c, st, &found, "read user name", err);
			if (!e && found)
				ts_pg_text_to(st, 0, kept[k].name, sizeof(kept[k].name));
			ts_pg_reset(st);
			if (e)
				return e;
		}
		memcpy(to, kept[k].name, sizeof(kept[k].name));
	}
	return TS_OK;
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
	if (!e) {
		memset(out, 0, sizeof(*out));
		read_asset(st, out);
	}
	ts_pg_reset(st);
	if (!e)
		e = fill_names(c, out, 1, err);
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

/* The model filters (suggested, a sampling run's order) with any of the
 * others: one statement whose unused filters are no-ops. */
static struct ts_pg_stmt *list_model_stmt(struct ts_pg_conn *c, const struct ts_asset_query *q,
				     struct ts_error *err)
{
	struct ts_pg_stmt *st = ts_pg_prepare(
		c,
		"SELECT " ASSET_COLS ", coalesce(r.rank, a.id) AS k FROM assets a "
		"JOIN annotations n ON n.asset_id = a.id "
		"LEFT JOIN sampling_ranks r ON r.run_id = ?1 AND r.asset_id = a.id "
		"WHERE a.project_id = ?2 AND (?1 = 0 OR r.rank IS NOT NULL) "
		"AND (?3::text IS NULL OR n.status = ?3) AND (?4::text IS NULL OR n.queue = ?4) "
		"AND (?5 = 0 OR EXISTS (SELECT 1 FROM annotation_categories c "
		"WHERE c.asset_id = a.id AND c.category_id = ?5)) "
		"AND (?6 = 0 OR a.video_id = ?6) "
		"AND (?7 = 0 OR EXISTS (SELECT 1 FROM prediction_suggestions ps "
		"WHERE ps.asset_id = a.id AND ps.status = 'pending')) "
		"AND (?10::text IS NULL OR strpos(lower(a.file_name), lower(?10)) > 0) "
		"AND coalesce(r.rank, a.id) > ?8 ORDER BY k LIMIT ?9",
		err);

	if (!st)
		return NULL;
	ts_pg_bind_i64(st, 1, q->sampling_run);
	ts_pg_bind_i64(st, 2, q->project_id);
	if (q->status)
		ts_pg_bind_text(st, 3, q->status);
	if (q->queue)
		ts_pg_bind_text(st, 4, q->queue);
	ts_pg_bind_i64(st, 5, q->category_id);
	ts_pg_bind_i64(st, 6, q->video_id);
	ts_pg_bind_i64(st, 7, q->suggested ? 1 : 0);
	ts_pg_bind_i64(st, 8, q->after_id);
	ts_pg_bind_i64(st, 9, q->limit + 1);
	ts_pg_bind_text(st, 10, q->name_contains && *q->name_contains ? q->name_contains : NULL);
	return st;
}

/* The filters every sorted or searched page and its counts share: ?1
 * project, ?2 video (0: any), ?3 category (0: any), ?4 queue and ?5 status
 * (NULL: any), then name: NAME_ANY, or NAME_LIKE with ?6 the LIKE pattern
 * of the file-name text (ts_store_like_pattern), which the trigram index
 * on lower(file_name) (migration 026, where pg_trgm is available) can
 * answer; the planner picks it or the ordered index by the text. Two
 * statements, so that a plan kept for one never has to serve the other. */
#define SORTED_WHERE_BY(name)                                                             \
	"WHERE a.project_id = ?1 AND (?2 = 0 OR a.video_id = ?2) "                          \
	"AND (?3 = 0 OR EXISTS (SELECT 1 FROM annotation_categories c "                    \
	"WHERE c.asset_id = a.id AND c.category_id = ?3)) "                                \
	"AND (?4::text IS NULL OR n.queue = ?4) AND (?5::text IS NULL OR n.status = ?5) "  \
	name
#define NAME_ANY "AND ?6::text IS NULL "
#define NAME_LIKE "AND lower(a.file_name) LIKE lower(?6::text) "
#define SORTED_WHERE SORTED_WHERE_BY(NAME_LIKE)
/* A page in one order: after the row ?7 (0: from the start), at most ?8
 * rows. The bound is the (key, id) of that row, read from it, or a value
 * past every row on the first page, so the page is one range of the index
 * whatever its depth. */
#define SORTED_SQL_BY(from, name, key, cmp, bound, order)                                  \
	"SELECT " ASSET_COLS from " JOIN annotations n ON n.asset_id = a.id "                 \
	SORTED_WHERE_BY(name) "AND (?7 = 0 OR (" key ") " cmp " (" bound ")) ORDER BY " order \
	" LIMIT ?8"
#define FROM_ASSETS " FROM assets a"
/* A search whose candidates in the trigram index are few (pg_use_name_index)
 * reads them first, so the planner cannot walk the ordered index instead
 * (it cannot tell how few they are); the page is then sorted from them. */
#define MATCH_CTE                                                                          \
	"WITH m AS MATERIALIZED (SELECT id FROM assets WHERE lower(file_name) "             \
	"LIKE lower(?6::text)) "
#define FROM_MATCH " FROM m JOIN assets a ON a.id = m.id"
/* Each sort three times: [0] without a file-name text, [1] with one,
 * [2] with one read from its candidates. */
#define SORTED_SQL(index, key, cmp, bound, order)                                          \
	{ SORTED_SQL_BY(FROM_ASSETS, NAME_ANY, key, cmp, bound, order),                     \
	  SORTED_SQL_BY(FROM_ASSETS, NAME_LIKE, key, cmp, bound, order),                    \
	  MATCH_CTE SORTED_SQL_BY(FROM_MATCH, NAME_LIKE, key, cmp, bound, order) }

/* Whether a search should read the candidates of the trigram index first:
 * a text of 3 or more characters (pg_trgm finds nothing in a shorter one)
 * whose candidates in every project, counted no further than that, are
 * under max(NAME_INDEX_MIN, 1/32 of the project's assets), the index being
 * there. Otherwise the planner picks (a text most names hold is best read
 * in the order of the page, which stops early). */
#define NAME_INDEX_MIN 1000
static enum ts_err pg_use_name_index(struct ts_pg_conn *c, const struct ts_asset_query *q,
				     const char *pattern, int *use, struct ts_error *err)
{
	const char *text = q->name_contains;
	struct ts_pg_stmt *st;
	int64_t total = 0, most, hits = 0;
	enum ts_err e;

	*use = 0;
	if (!pattern || ts_utf8_count(text, strlen(text)) < 3)
		return TS_OK;
	st = ts_pg_prepare_i64(c, "SELECT coalesce(sum(n), 0) FROM asset_counts WHERE project_id = ?",
			       TS_PG_I64(q->project_id), err);
	e = ts_pg_scalar_i64(c, st, &total, "count assets", err);
	if (e)
		return e;
	most = total / 32 > NAME_INDEX_MIN ? total / 32 : NAME_INDEX_MIN;
	st = ts_pg_prepare(c, "SELECT CASE WHEN to_regclass('assets_file_name_trgm') IS NULL "
			      "THEN ?2 ELSE (SELECT count(*) FROM (SELECT 1 FROM assets "
			      "WHERE lower(file_name) LIKE lower(?1::text) LIMIT ?2) x) END",
			   err);
	if (!st)
		return TS_ERR_IO;
	ts_pg_bind_text(st, 1, pattern);
	ts_pg_bind_i64(st, 2, most);
	e = ts_pg_scalar_i64(c, st, &hits, "estimate a file-name search", err);
	*use = !e && hits < most;
	return e;
}
#define NAME_C "a.file_name COLLATE \"C\""
/* The key of the cursor's row, of this project only: a cursor naming
 * another project's row starts over. */
#define KEY_OF(col, none)                                                                  \
	"coalesce((SELECT " col " FROM assets WHERE id = ?7 AND project_id = ?1), " none ")"
#define ID_MAX "coalesce(nullif(?7, 0), 9223372036854775807)"

static struct ts_pg_stmt *list_sorted_stmt(struct ts_pg_conn *c, const struct ts_asset_query *q,
				      struct ts_error *err)
{
	/* By sort, ascending then descending. */
	static const char *const sql[3][2][3] = {
		[TS_ASSET_SORT_ID] = {
			SORTED_SQL("assets_project", "a.id", ">", "?7", "a.id"),
			SORTED_SQL("assets_project", "a.id", "<", ID_MAX, "a.id DESC"),
		},
		[TS_ASSET_SORT_UPLOADED] = {
			SORTED_SQL("assets_project_uploaded", "a.created_at, a.id", ">",
				   KEY_OF("created_at", "-1") ", ?7", "a.created_at, a.id"),
			SORTED_SQL("assets_project_uploaded", "a.created_at, a.id", "<",
				   KEY_OF("created_at", "9223372036854775807") ", " ID_MAX,
				   "a.created_at DESC, a.id DESC"),
		},
		[TS_ASSET_SORT_NAME] = {
			/* By bytes, as SQLite's BINARY collation sorts, whatever
			 * the database's locale; the last code point sorts after
			 * every name that does not start with it. */
			SORTED_SQL("assets_project_name", NAME_C ", a.id", ">",
				   KEY_OF("file_name", "''") ", ?7", NAME_C ", a.id"),
			SORTED_SQL("assets_project_name", NAME_C ", a.id", "<",
				   KEY_OF("file_name", "chr(1114111)") ", " ID_MAX,
				   NAME_C " DESC, a.id DESC"),
		},
	};
	char pattern[2 * TS_ASSET_FILE_NAME_MAX + 3];
	const char *pat;
	struct ts_pg_stmt *st;
	int indexed;

	if ((unsigned)q->sort > TS_ASSET_SORT_NAME) {
		ts_error_set(err, TS_ERR_INVALID, "invalid_query", "bad asset sort");
		return NULL;
	}
	pat = ts_store_like_pattern(q->name_contains, pattern, sizeof(pattern));
	if (pg_use_name_index(c, q, pat, &indexed, err))
		return NULL;
	st = ts_pg_prepare(c, sql[q->sort][q->descending != 0][!pat ? 0 : indexed ? 2 : 1], err);
	if (!st)
		return NULL;
	ts_pg_bind_i64(st, 1, q->project_id);
	ts_pg_bind_i64(st, 2, q->video_id);
	ts_pg_bind_i64(st, 3, q->category_id);
	ts_pg_bind_text(st, 4, q->queue);
	ts_pg_bind_text(st, 5, q->status);
	ts_pg_bind_text(st, 6, pat);
	ts_pg_bind_i64(st, 7, q->after_id);
	ts_pg_bind_i64(st, 8, q->limit + 1);
	return st;
}

static struct ts_pg_stmt *list_stmt(struct ts_pg_conn *c, const struct ts_asset_query *q,
			       struct ts_error *err)
{
	struct ts_pg_stmt *st;
	int i = 1;

	if (q->suggested || q->sampling_run > 0)
		return list_model_stmt(c, q, err);
	if (q->sort != TS_ASSET_SORT_ID || q->descending ||
	    (q->name_contains && *q->name_contains))
		return list_sorted_stmt(c, q, err);
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
	if (!e)
		e = fill_names(c, rows.items, rows.n, err);
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
	*next_after = !more ? 0
		      : q->sampling_run > 0 ? arr[q->limit - 1].sampling_rank
					    : arr[q->limit - 1].id;
	return TS_OK;
}

static enum ts_err pg_counts(struct ts_store *s, const struct ts_asset_query *q,
			     struct ts_asset_counts *out, struct ts_error *err)
{
	char pattern[2 * TS_ASSET_FILE_NAME_MAX + 3];
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_stmt *st;
	enum ts_err e = TS_OK;
	int rc, i = 1;

	memset(out, 0, sizeof(*out));
	if (q->name_contains && *q->name_contains) {
		const char *pat = ts_store_like_pattern(q->name_contains, pattern, sizeof(pattern));
		int indexed;

		/* A file-name search: the candidates of the trigram index, or the
		 * planner's pick (pg_use_name_index). */
		e = pg_use_name_index(c, q, pat, &indexed, err);
		if (e)
			goto out;
		st = ts_pg_prepare(c, indexed ? MATCH_CTE "SELECT n.status, count(*)" FROM_MATCH
						" JOIN annotations n ON n.asset_id = a.id "
						SORTED_WHERE "GROUP BY n.status"
					      : "SELECT n.status, count(*) FROM assets a "
						"JOIN annotations n ON n.asset_id = a.id " SORTED_WHERE
						"GROUP BY n.status",
				   err);
		if (st) {
			ts_pg_bind_i64(st, 1, q->project_id);
			ts_pg_bind_i64(st, 2, q->video_id);
			ts_pg_bind_i64(st, 3, q->category_id);
			ts_pg_bind_text(st, 6, pat);
		}
	} else if (q->video_id > 0) {
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
	if (q->name_contains && *q->name_contains) {
		/* bound above */
	} else if (q->video_id > 0) {
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
		enum ts_status status;
		int64_t k = ts_pg_col_i64(st, 1);

		if (ts_status_parse((const char *)ts_pg_col_text(st, 0), &status))
			continue;
		out->by_status[status] = k;
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
