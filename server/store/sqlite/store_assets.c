/* SQLite backend: assets, their annotation row, list pages and counts.
 *
 * Every list query walks one index range in id order and stops after
 * limit + 1 rows: the unfiltered list uses assets(project_id, id), a
 * queue filter annotations(project_id, queue, asset_id), a status filter
 * annotations(project_id, status, asset_id), a category
 * annotation_categories(project_id, category_id, asset_id). CROSS JOIN and
 * INDEXED BY pin the plan so the planner cannot pick a scan of the rowid
 * range across every project. Counts per status come from asset_counts,
 * which triggers keep (migrations 006 and 016), unless a category or video
 * filter narrows them. */
#include "store/store_assets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "core/utf8.h"
#include "store/sqlite/store_sqlite.h"
#include "core/banned.h"

/* User names are not joined per row: a page names a handful of users,
 * each looked up once (fill_names). */
#define ASSET_COLS                                                                          \
	"a.id, a.project_id, a.file_name, a.width, a.height, a.mime_type, a.byte_size, "    \
	"a.checksum_sha256, a.source_type, a.video_id, a.video_file_name, a.frame_index, "  \
	"a.timestamp_ms, a.thumb_ready, a.uploaded_by, n.labeled_by, a.created_at, "        \
	"n.status, n.revision, n.updated_at, n.payload_type, "                               \
	"(SELECT group_concat(category_id) FROM annotation_categories WHERE asset_id = a.id), " \
	"a.decode_state, a.damage_reason, "                                                   \
	"EXISTS (SELECT 1 FROM prediction_suggestions ps WHERE ps.asset_id = a.id "          \
	"AND ps.status = 'pending')"

#define FROM_ALL " FROM assets a CROSS JOIN annotations n ON n.asset_id = a.id "
#define FROM_PROJECT \
	" FROM assets a INDEXED BY assets_project CROSS JOIN annotations n ON n.asset_id = a.id "
#define FROM_CAT                                                                  \
	" FROM annotation_categories c CROSS JOIN annotations n ON n.asset_id = c.asset_id " \
	"CROSS JOIN assets a ON a.id = c.asset_id "

static void read_asset(sqlite3_stmt *st, void *out)
{
	struct ts_asset *a = out;
	struct ts_annotation *an = &a->annotation;
	const char *cats;

	/* ts_sq_collect hands a zeroed row. */
	a->id = sqlite3_column_int64(st, 0);
	a->project_id = sqlite3_column_int64(st, 1);
	ts_sq_text_to(st, 2, a->file_name, sizeof(a->file_name));
	a->width = sqlite3_column_int64(st, 3);
	a->height = sqlite3_column_int64(st, 4);
	ts_sq_text_to(st, 5, a->mime_type, sizeof(a->mime_type));
	a->byte_size = sqlite3_column_int64(st, 6);
	ts_sq_text_to(st, 7, a->checksum_sha256, sizeof(a->checksum_sha256));
	ts_sq_text_to(st, 8, a->origin.type, sizeof(a->origin.type));
	a->origin.video_id = sqlite3_column_int64(st, 9);
	ts_sq_text_to(st, 10, a->origin.video_file_name, sizeof(a->origin.video_file_name));
	a->origin.frame_index = sqlite3_column_int64(st, 11);
	a->origin.timestamp_ms = sqlite3_column_int64(st, 12);
	a->thumbnail_ready = sqlite3_column_int(st, 13) != 0;
	a->uploaded_by = sqlite3_column_int64(st, 14);
	an->asset_id = a->id;
	an->project_id = a->project_id;
	an->labeled_by = sqlite3_column_int64(st, 15);
	a->created_at = sqlite3_column_int64(st, 16);
	if (ts_status_parse((const char *)sqlite3_column_text(st, 17), &an->status))
		an->status = TS_STATUS_UNLABELED;
	an->revision = sqlite3_column_int64(st, 18);
	an->updated_at = sqlite3_column_int64(st, 19);
	ts_sq_text_to(st, 20, an->payload_type, sizeof(an->payload_type));
	ts_sq_text_to(st, 22, a->decode_state, sizeof(a->decode_state));
	ts_sq_text_to(st, 23, a->damage_reason, sizeof(a->damage_reason));
	a->suggested = sqlite3_column_int(st, 24) != 0;
	if (sqlite3_column_count(st) > 25)
		a->sampling_rank = sqlite3_column_int64(st, 25);
	cats = (const char *)sqlite3_column_text(st, 21);
	while (cats && *cats && an->ncat < TS_STORE_ANN_MAX_CATEGORIES) {
		char *end;

		an->category_ids[an->ncat++] = strtoll(cats, &end, 10);
		cats = *end == ',' ? end + 1 : NULL;
	}
	if (an->ncat > 1)
		qsort(an->category_ids, an->ncat, sizeof(int64_t), ts_sq_cmp_i64);
}

/* The user names of rows[0..n-1] (uploader and labeler): each distinct
 * user is read once, with one reused statement. */
#define NAMES_KEPT 32
static enum ts_err fill_names(struct ts_sq_conn *c, struct ts_asset *rows, size_t n,
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
			sqlite3_stmt *st = ts_sq_prepare_i64(c, "SELECT name FROM users WHERE id = ?",
							     TS_SQ_I64(id), err);
			enum ts_err e;
			int found;

			if (!st)
				return TS_ERR_IO;
			/* Past NAMES_KEPT users the oldest entry makes room. */
			k = nkept < NAMES_KEPT ? nkept++ : next++ % NAMES_KEPT;
			kept[k].id = id;
			kept[k].name[0] = '\0';
			e = ts_sq_step(c, st, &found, "read user name", err);
			if (!e && found)
				ts_sq_text_to(st, 0, kept[k].name, sizeof(kept[k].name));
			sqlite3_reset(st);
			if (e)
				return e;
		}
		memcpy(to, kept[k].name, sizeof(kept[k].name));
	}
	return TS_OK;
}

static enum ts_err get_c(struct ts_sq_conn *c, int64_t id, struct ts_asset *out,
			 struct ts_error *err)
{
	sqlite3_stmt *st = ts_sq_prepare_i64(c, "SELECT " ASSET_COLS FROM_ALL "WHERE a.id = ?",
					     TS_SQ_I64(id), err);
	enum ts_err e;

	if (!st)
		return TS_ERR_IO;
	e = ts_sq_step_row(c, st, "read asset", err, "asset_not_found", "asset %lld does not exist",
			   (long long)id);
	if (!e) {
		memset(out, 0, sizeof(*out));
		read_asset(st, out);
	}
	sqlite3_reset(st);
	if (!e)
		e = fill_names(c, out, 1, err);
	return e;
}

/* The id of the asset with this checksum in the project, 0 when none. */
static enum ts_err find_checksum(struct ts_sq_conn *c, int64_t project_id, const char *checksum,
				 int64_t *id, struct ts_error *err)
{
	sqlite3_stmt *st = ts_sq_prepare_i64(c, "SELECT id FROM assets WHERE project_id = ? AND "
					        "checksum_sha256 = ?",
					     TS_SQ_I64(project_id), err);
	enum ts_err e;
	int found;

	*id = 0;
	if (!st)
		return TS_ERR_IO;
	ts_sq_bind_text(st, 2, checksum);
	e = ts_sq_step(c, st, &found, "find asset by checksum", err);
	if (!e && found)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return e;
}

static enum ts_err insert_rows(struct ts_sq_conn *c, const struct ts_asset_new *in, int64_t now,
			       int64_t *asset_id, int64_t *job_id, struct ts_error *err)
{
	const struct ts_asset_origin *o = in->origin;
	int frame = o && strcmp(o->type, "video_frame") == 0;
	sqlite3_stmt *st;
	enum ts_err e;

	/* The id starts above every id ever deleted (id_floors). */
	st = ts_sq_prepare(c, "INSERT INTO assets(id, project_id, file_name, width, height, mime_type, "
			      "byte_size, checksum_sha256, source_type, video_id, video_file_name, "
			      "frame_index, timestamp_ms, uploaded_by, created_at, orientation) "
			      "VALUES (" TS_SQ_NEXT_ID("assets") ", ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			   err);
	if (!st)
		return TS_ERR_IO;
	sqlite3_bind_int64(st, 1, in->project_id);
	ts_sq_bind_text(st, 2, in->file_name);
	sqlite3_bind_int64(st, 3, in->width);
	sqlite3_bind_int64(st, 4, in->height);
	ts_sq_bind_text(st, 5, in->mime_type);
	sqlite3_bind_int64(st, 6, in->byte_size);
	ts_sq_bind_text(st, 7, in->checksum_sha256);
	ts_sq_bind_text(st, 8, frame ? "video_frame" : "image");
	if (frame) {
		sqlite3_bind_int64(st, 9, o->video_id);
		ts_sq_bind_text(st, 10, o->video_file_name);
		sqlite3_bind_int64(st, 11, o->frame_index);
		sqlite3_bind_int64(st, 12, o->timestamp_ms);
	}
	ts_sq_bind_ref(st, 13, in->user_id);
	sqlite3_bind_int64(st, 14, now);
	if (in->orientation >= 1 && in->orientation <= 8)
		sqlite3_bind_int(st, 15, in->orientation);
	e = ts_sq_exec_stmt(c, st, err);
	if (e)
		return e;
	*asset_id = sqlite3_last_insert_rowid(c->db);

	e = ts_sq_exec_i64(c, "INSERT INTO annotations(asset_id, project_id, updated_at) "
			      "VALUES (?, ?, ?)",
			   TS_SQ_I64(*asset_id, in->project_id, now), err);
	if (!e)
		e = ts_sq_job_insert(c, TS_JOB_THUMBNAIL, *asset_id, now, job_id, err);
	return e;
}

static enum ts_err sq_insert(struct ts_store *s, const struct ts_asset_new *in,
			     struct ts_asset *out, int *duplicate, int64_t *job_id,
			     struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	int64_t id = 0;
	enum ts_err e;

	*duplicate = 0;
	if (job_id)
		*job_id = 0;
	e = ts_sq_begin_write(c, err);
	if (e)
		goto out;
	e = find_checksum(c, in->project_id, in->checksum_sha256, &id, err);
	if (e)
		goto out;
	if (id) {
		int64_t project_id;

		*duplicate = 1;
		/* The same bytes uploaded again bring a deleted asset back. */
		e = ts_sq_asset_set_deleted_c(c, id, 0, in->user_id, &project_id, err);
	} else {
		e = ts_sq_project_exists(c, in->project_id, err);
		if (!e)
			e = insert_rows(c, in, ts_time_now_ms(), &id, job_id, err);
	}
	if (!e)
		e = get_c(c, id, out, err);
out:
	return ts_sq_end(s, c, e, err);
}

static enum ts_err sq_get(struct ts_store *s, int64_t id, struct ts_asset *out,
			  struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);

	return ts_sq_end(s, c, get_c(c, id, out, err), err);
}

/* One video's frames (the grid's video filter): a range of assets_video,
 * then the other filters row by row; a video has at most a few thousand
 * frames. */
static sqlite3_stmt *list_video_stmt(struct ts_sq_conn *c, const struct ts_asset_query *q,
				     struct ts_error *err)
{
	sqlite3_stmt *st;
	int i = 1;

	st = ts_sq_prepare(c, "SELECT " ASSET_COLS FROM_ALL
			      "WHERE a.video_id = ? AND a.project_id = ? "
			      "AND (? = 0 OR EXISTS (SELECT 1 FROM annotation_categories c "
			      "WHERE c.asset_id = a.id AND c.category_id = ?)) "
			      "AND (? IS NULL OR n.queue = ?) AND (? IS NULL OR n.status = ?) "
			      "AND a.id > ? ORDER BY a.id LIMIT ?",
			   err);
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, i++, q->video_id);
	sqlite3_bind_int64(st, i++, q->project_id);
	sqlite3_bind_int64(st, i++, q->category_id);
	sqlite3_bind_int64(st, i++, q->category_id);
	ts_sq_bind_text(st, i++, q->queue);
	ts_sq_bind_text(st, i++, q->queue);
	ts_sq_bind_text(st, i++, q->status);
	ts_sq_bind_text(st, i++, q->status);
	sqlite3_bind_int64(st, i++, q->after_id);
	sqlite3_bind_int(st, i, q->limit + 1);
	return st;
}

/* The model filters (suggested, a sampling run's order) with any of the
 * others: one statement whose unused filters are no-ops. */
static sqlite3_stmt *list_model_stmt(struct ts_sq_conn *c, const struct ts_asset_query *q,
				     struct ts_error *err)
{
	sqlite3_stmt *st = ts_sq_prepare(
		c,
		"SELECT " ASSET_COLS ", coalesce(r.rank, a.id) AS k FROM assets a "
		"CROSS JOIN annotations n ON n.asset_id = a.id "
		"LEFT JOIN sampling_ranks r ON r.run_id = ?1 AND r.asset_id = a.id "
		"WHERE a.project_id = ?2 AND (?1 = 0 OR r.rank IS NOT NULL) "
		"AND (?3 IS NULL OR n.status = ?3) AND (?4 IS NULL OR n.queue = ?4) "
		"AND (?5 = 0 OR EXISTS (SELECT 1 FROM annotation_categories c "
		"WHERE c.asset_id = a.id AND c.category_id = ?5)) "
		"AND (?6 = 0 OR a.video_id = ?6) "
		"AND (?7 = 0 OR EXISTS (SELECT 1 FROM prediction_suggestions ps "
		"WHERE ps.asset_id = a.id AND ps.status = 'pending')) "
		"AND (?10 IS NULL OR instr(lower(a.file_name), lower(?10)) > 0) "
		"AND coalesce(r.rank, a.id) > ?8 ORDER BY k LIMIT ?9",
		err);

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, q->sampling_run);
	sqlite3_bind_int64(st, 2, q->project_id);
	if (q->status)
		ts_sq_bind_text(st, 3, q->status);
	if (q->queue)
		ts_sq_bind_text(st, 4, q->queue);
	sqlite3_bind_int64(st, 5, q->category_id);
	sqlite3_bind_int64(st, 6, q->video_id);
	sqlite3_bind_int(st, 7, q->suggested ? 1 : 0);
	sqlite3_bind_int64(st, 8, q->after_id);
	sqlite3_bind_int(st, 9, q->limit + 1);
	ts_sq_bind_text(st, 10, q->name_contains && *q->name_contains ? q->name_contains : NULL);
	return st;
}

/* The filters every sorted or searched page and its counts share: ?1
 * project, ?2 video (0: any), ?3 category (0: any), ?4 queue and ?5 status
 * (NULL: any), ?6 a LIKE pattern of the file-name text (NULL: any;
 * ts_store_like_pattern). */
#define SORTED_WHERE                                                                      \
	"WHERE a.project_id = ?1 AND (?2 = 0 OR a.video_id = ?2) "                          \
	"AND (?3 = 0 OR EXISTS (SELECT 1 FROM annotation_categories c "                    \
	"WHERE c.asset_id = a.id AND c.category_id = ?3)) "                                \
	"AND (?4 IS NULL OR n.queue = ?4) AND (?5 IS NULL OR n.status = ?5) "              \
	"AND (?6 IS NULL OR a.file_name LIKE ?6 ESCAPE '\\') "
/* A page in one order: after the row ?7 (0: from the start), at most ?8
 * rows. By id: one range of assets_project. By (key, id): the rows with
 * the key of that row and a greater (lower, descending) id, then those
 * with a greater (lower) key, each one seek in the (project_id, key, id)
 * index, merged; the bound key is read from the row (of this project: a
 * cursor naming another project's row starts over), or is a value past
 * every row on the first page. (A single row-value comparison would seek
 * on the key alone and step over every row sharing it.) The outer ORDER
 * BY names result columns: 1 is a.id, 3 a.file_name, 17 a.created_at
 * (ASSET_COLS). */
#define SORTED_FROM(index)                                                                 \
	"SELECT * FROM (SELECT " ASSET_COLS " FROM assets a INDEXED BY " index                 \
	" CROSS JOIN annotations n ON n.asset_id = a.id " SORTED_WHERE
#define ID_SQL(cmp, bound, order)                                                          \
	SORTED_FROM("assets_project") "AND a.id " cmp " " bound " ORDER BY " order            \
	" LIMIT ?8)"
#define KEY_SQL(index, key, bound, cmp, id_cmp, id_bound, id_order, order, outer)          \
	SORTED_FROM(index) "AND " key " = " bound " AND a.id " id_cmp " " id_bound           \
	" ORDER BY " id_order " LIMIT ?8) UNION ALL " SORTED_FROM(index) "AND " key " " cmp  \
	" " bound " ORDER BY " order " LIMIT ?8) ORDER BY " outer " LIMIT ?8"
#define KEY_OF(col, none)                                                                  \
	"coalesce((SELECT " col " FROM assets WHERE id = ?7 AND project_id = ?1), " none ")"
#define ID_MAX "coalesce(nullif(?7, 0), 9223372036854775807)"
#define INT_MAX_SQL "9223372036854775807"

/* The LIKE pattern of a file-name text (ts_store_like_pattern): ASCII
 * letters match in either case. */
#define NAME_PATTERN_SIZE (2 * TS_ASSET_FILE_NAME_MAX + 3)

/* The FTS5 query of a file-name text for the trigram index asset_names
 * (migration 026): the text as one phrase, its '"' doubled; NULL when the
 * index cannot answer it (no text, fewer than 3 characters: a trigram
 * index finds nothing shorter, or not valid UTF-8). */
#define NAME_MATCH_SIZE (2 * TS_ASSET_FILE_NAME_MAX + 3)
static const char *name_match(const char *text, char out[NAME_MATCH_SIZE])
{
	size_t len, o = 0;

	if (!text)
		return NULL;
	len = strlen(text);
	if (len > TS_ASSET_FILE_NAME_MAX || ts_utf8_count(text, len) < 3)
		return NULL;
	out[o++] = '"';
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '"')
			out[o++] = '"';
		out[o++] = text[i];
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

/* Whether the trigram index should drive a search: its candidates (the
 * names of every project holding the text's trigrams, in either case) are
 * read and then sorted, so it pays while they are few beside the project's
 * rows, which the scan walks in order and stops early (LIKE decides either
 * way, so both plans give the same rows): under max(NAME_INDEX_MIN, a
 * quarter of the project's assets), counted no further than that. */
#define NAME_INDEX_MIN 1000
static enum ts_err use_name_index(struct ts_sq_conn *c, int64_t project_id, const char *match,
				  int *use, struct ts_error *err)
{
	sqlite3_stmt *st;
	int64_t total = 0, most, hits = 0;
	enum ts_err e;

	*use = 0;
	if (!match)
		return TS_OK;
	st = ts_sq_prepare_i64(c, "SELECT coalesce(sum(n), 0) FROM asset_counts WHERE project_id = ?",
			       TS_SQ_I64(project_id), err);
	e = ts_sq_scalar_i64(c, st, &total, "count assets", err);
	if (e)
		return e;
	most = total / 4 > NAME_INDEX_MIN ? total / 4 : NAME_INDEX_MIN;
	st = ts_sq_prepare(c, "SELECT count(*) FROM (SELECT 1 FROM asset_names "
			      "WHERE asset_names MATCH ?1 LIMIT ?2)", err);
	if (!st)
		return TS_ERR_IO;
	ts_sq_bind_text(st, 1, match);
	sqlite3_bind_int64(st, 2, most);
	e = ts_sq_scalar_i64(c, st, &hits, "estimate a file-name search", err);
	*use = !e && hits < most;
	return e;
}

/* A search through the trigram index, ?9 its MATCH query: the candidates in
 * rowid (= asset id) order, each checked against SORTED_WHERE (the LIKE
 * included, so the rows are those of the scan). By id the index gives the
 * order and the page stops after ?8 rows; by (key, id) the ids of the page
 * are picked first (SQLite keeps only ?8 of them while it sorts), then
 * read. */
#define MATCH_FROM                                                                         \
	" FROM asset_names f CROSS JOIN assets a ON a.id = f.rowid "                         \
	"CROSS JOIN annotations n ON n.asset_id = a.id " SORTED_WHERE                         \
	"AND f.asset_names MATCH ?9 "
#define MATCH_ID_SQL(cmp, bound, order)                                                    \
	"SELECT " ASSET_COLS MATCH_FROM "AND f.rowid " cmp " " bound " ORDER BY " order      \
	" LIMIT ?8"
#define MATCH_KEY_SQL(key, cmp, bound, order)                                              \
	"SELECT " ASSET_COLS " FROM (SELECT a.id AS page_id" MATCH_FROM "AND (" key          \
	", a.id) " cmp " (" bound ") ORDER BY " order " LIMIT ?8) p "                         \
	"CROSS JOIN assets a ON a.id = p.page_id "                                            \
	"CROSS JOIN annotations n ON n.asset_id = a.id ORDER BY " order

static sqlite3_stmt *list_sorted_stmt(struct ts_sq_conn *c, const struct ts_asset_query *q,
				      struct ts_error *err)
{
	/* By sort, ascending then descending. */
	static const char *const sql[3][2] = {
		[TS_ASSET_SORT_ID] = {
			ID_SQL(">", "?7", "a.id"),
			ID_SQL("<", ID_MAX, "a.id DESC"),
		},
		[TS_ASSET_SORT_UPLOADED] = {
			KEY_SQL("assets_project_uploaded", "a.created_at", KEY_OF("created_at", "-1"),
				">", ">", "?7", "a.id", "a.created_at, a.id", "17, 1"),
			KEY_SQL("assets_project_uploaded", "a.created_at",
				KEY_OF("created_at", INT_MAX_SQL), "<", "<", ID_MAX, "a.id DESC",
				"a.created_at DESC, a.id DESC", "17 DESC, 1 DESC"),
		},
		[TS_ASSET_SORT_NAME] = {
			/* Every text sorts after '' and before a blob. */
			KEY_SQL("assets_project_name", "a.file_name", KEY_OF("file_name", "''"), ">",
				">", "?7", "a.id", "a.file_name, a.id", "3, 1"),
			KEY_SQL("assets_project_name", "a.file_name", KEY_OF("file_name", "x'ff'"),
				"<", "<", ID_MAX, "a.id DESC", "a.file_name DESC, a.id DESC",
				"3 DESC, 1 DESC"),
		},
	};
	static const char *const match_sql[3][2] = {
		[TS_ASSET_SORT_ID] = {
			MATCH_ID_SQL(">", "?7", "f.rowid"),
			MATCH_ID_SQL("<", ID_MAX, "f.rowid DESC"),
		},
		[TS_ASSET_SORT_UPLOADED] = {
			MATCH_KEY_SQL("a.created_at", ">", KEY_OF("created_at", "-1") ", ?7",
				      "a.created_at, a.id"),
			MATCH_KEY_SQL("a.created_at", "<", KEY_OF("created_at", INT_MAX_SQL) ", " ID_MAX,
				      "a.created_at DESC, a.id DESC"),
		},
		[TS_ASSET_SORT_NAME] = {
			MATCH_KEY_SQL("a.file_name", ">", KEY_OF("file_name", "''") ", ?7",
				      "a.file_name, a.id"),
			MATCH_KEY_SQL("a.file_name", "<", KEY_OF("file_name", "x'ff'") ", " ID_MAX,
				      "a.file_name DESC, a.id DESC"),
		},
	};
	char pattern[NAME_PATTERN_SIZE], mbuf[NAME_MATCH_SIZE];
	const char *match = name_match(q->name_contains, mbuf);
	sqlite3_stmt *st;
	int indexed;

	if ((unsigned)q->sort > TS_ASSET_SORT_NAME) {
		ts_error_set(err, TS_ERR_INVALID, "invalid_query", "bad asset sort");
		return NULL;
	}
	if (use_name_index(c, q->project_id, match, &indexed, err))
		return NULL;
	st = ts_sq_prepare(c, (indexed ? match_sql : sql)[q->sort][q->descending != 0], err);
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, q->project_id);
	sqlite3_bind_int64(st, 2, q->video_id);
	sqlite3_bind_int64(st, 3, q->category_id);
	ts_sq_bind_text(st, 4, q->queue);
	ts_sq_bind_text(st, 5, q->status);
	ts_sq_bind_text(st, 6, ts_store_like_pattern(q->name_contains, pattern, sizeof(pattern)));
	sqlite3_bind_int64(st, 7, q->after_id);
	sqlite3_bind_int(st, 8, q->limit + 1);
	if (indexed)
		ts_sq_bind_text(st, 9, match);
	return st;
}

static sqlite3_stmt *list_stmt(struct ts_sq_conn *c, const struct ts_asset_query *q,
			       struct ts_error *err)
{
	sqlite3_stmt *st;
	int i = 1;

	if (q->suggested || q->sampling_run > 0)
		return list_model_stmt(c, q, err);
	if (q->sort != TS_ASSET_SORT_ID || q->descending ||
	    (q->name_contains && *q->name_contains))
		return list_sorted_stmt(c, q, err);
	if (q->video_id > 0 || (q->queue && q->status))
		return list_video_stmt(c, q, err);
	if (q->category_id > 0 && q->status)
		st = ts_sq_prepare(c, "SELECT " ASSET_COLS FROM_CAT
				      "WHERE c.project_id = ? AND c.category_id = ? AND n.status = ? "
				      "AND c.asset_id > ? ORDER BY c.asset_id LIMIT ?", err);
	else if (q->category_id > 0 && q->queue)
		st = ts_sq_prepare(c, "SELECT " ASSET_COLS FROM_CAT
				      "WHERE c.project_id = ? AND c.category_id = ? AND n.queue = ? "
				      "AND c.asset_id > ? ORDER BY c.asset_id LIMIT ?", err);
	else if (q->category_id > 0)
		st = ts_sq_prepare(c, "SELECT " ASSET_COLS FROM_CAT
				      "WHERE c.project_id = ? AND c.category_id = ? "
				      "AND c.asset_id > ? ORDER BY c.asset_id LIMIT ?", err);
	else if (q->status)
		st = ts_sq_prepare(c, "SELECT " ASSET_COLS
				      " FROM annotations n INDEXED BY annotations_status "
				      "CROSS JOIN assets a ON a.id = n.asset_id "
				      "WHERE n.project_id = ? AND n.status = ? AND n.asset_id > ? "
				      "ORDER BY n.asset_id LIMIT ?", err);
	else if (q->queue)
		st = ts_sq_prepare(c, "SELECT " ASSET_COLS
				      " FROM annotations n INDEXED BY annotations_queue "
				      "CROSS JOIN assets a ON a.id = n.asset_id "
				      "WHERE n.project_id = ? AND n.queue = ? AND n.asset_id > ? "
				      "ORDER BY n.asset_id LIMIT ?", err);
	else
		st = ts_sq_prepare(c, "SELECT " ASSET_COLS FROM_PROJECT
				      "WHERE a.project_id = ? AND a.id > ? ORDER BY a.id LIMIT ?",
				   err);
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, i++, q->project_id);
	if (q->category_id > 0)
		sqlite3_bind_int64(st, i++, q->category_id);
	if (q->status)
		ts_sq_bind_text(st, i++, q->status);
	else if (q->queue)
		ts_sq_bind_text(st, i++, q->queue);
	sqlite3_bind_int64(st, i++, q->after_id);
	sqlite3_bind_int(st, i, q->limit + 1);
	return st;
}

static enum ts_err sq_list(struct ts_store *s, const struct ts_asset_query *q,
			   struct ts_asset **out, size_t *n, int64_t *next_after,
			   struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	struct ts_sq_rows rows = { 0 };
	struct ts_asset *arr;
	sqlite3_stmt *st;
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
	e = ts_sq_begin_in_project(c, 0, q->project_id, err);
	if (e)
		goto out;
	st = list_stmt(c, q, err);
	e = ts_sq_collect(c, st, sizeof(struct ts_asset), read_asset, (size_t)q->limit + 1,
			  &rows, "list assets", err);
	if (!e)
		e = fill_names(c, rows.items, rows.n, err);
out:
	e = ts_sq_end(s, c, e, err);
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

static enum ts_err sq_counts(struct ts_store *s, const struct ts_asset_query *q,
			     struct ts_asset_counts *out, struct ts_error *err)
{
	char pattern[NAME_PATTERN_SIZE], mbuf[NAME_MATCH_SIZE];
	struct ts_sq_conn *c = ts_sq_acquire(s);
	sqlite3_stmt *st;
	enum ts_err e = TS_OK;
	int rc, i = 1;

	memset(out, 0, sizeof(*out));
	if (q->name_contains && *q->name_contains) {
		const char *match = name_match(q->name_contains, mbuf);
		int indexed;

		/* A file-name search: the candidates of the trigram index, or one
		 * pass over the covering name index (use_name_index). */
		e = use_name_index(c, q->project_id, match, &indexed, err);
		if (e)
			goto out;
		st = ts_sq_prepare(c, indexed ? "SELECT n.status, count(*)" MATCH_FROM
						"GROUP BY n.status"
					      : "SELECT n.status, count(*) FROM assets a "
						"INDEXED BY assets_project_name "
						"CROSS JOIN annotations n ON n.asset_id = a.id "
						SORTED_WHERE "GROUP BY n.status",
				   err);
		if (st) {
			sqlite3_bind_int64(st, 1, q->project_id);
			sqlite3_bind_int64(st, 2, q->video_id);
			sqlite3_bind_int64(st, 3, q->category_id);
			ts_sq_bind_text(st, 6, ts_store_like_pattern(q->name_contains, pattern,
								     sizeof(pattern)));
			if (indexed)
				ts_sq_bind_text(st, 9, match);
		}
	} else if (q->video_id > 0) {
		/* One video's frames: a range of assets_video (a few thousand). */
		st = ts_sq_prepare(c, "SELECT n.status, count(*) FROM assets a "
				      "CROSS JOIN annotations n ON n.asset_id = a.id "
				      "WHERE a.video_id = ? AND a.project_id = ? "
				      "AND (? = 0 OR EXISTS (SELECT 1 FROM annotation_categories c "
				      "WHERE c.asset_id = a.id AND c.category_id = ?)) "
				      "GROUP BY n.status",
				   err);
	} else if (q->category_id > 0) {
		st = ts_sq_prepare(c, "SELECT n.status, count(*) FROM annotation_categories c "
				      "CROSS JOIN annotations n ON n.asset_id = c.asset_id "
				      "WHERE c.project_id = ? AND c.category_id = ? GROUP BY n.status",
				   err);
	} else {
		/* Kept by triggers (migration 016): one short index range. */
		st = ts_sq_prepare(c, "SELECT status, n FROM asset_counts WHERE project_id = ?", err);
	}
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	if (q->name_contains && *q->name_contains) {
		/* bound above */
	} else if (q->video_id > 0) {
		sqlite3_bind_int64(st, i++, q->video_id);
		sqlite3_bind_int64(st, i++, q->project_id);
		sqlite3_bind_int64(st, i++, q->category_id);
		sqlite3_bind_int64(st, i++, q->category_id);
	} else {
		sqlite3_bind_int64(st, i++, q->project_id);
		if (q->category_id > 0)
			sqlite3_bind_int64(st, i++, q->category_id);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		enum ts_status status;
		int64_t k = sqlite3_column_int64(st, 1);

		if (ts_status_parse((const char *)sqlite3_column_text(st, 0), &status))
			continue;
		out->by_status[status] = k;
		out->all += k;
	}
	if (rc != SQLITE_DONE)
		e = ts_sq_fail(c, err, "count assets");
	sqlite3_reset(st);
out:
	return ts_sq_end(s, c, e, err);
}

static enum ts_err sq_set_thumbnail_ready(struct ts_store *s, int64_t id, struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	enum ts_err e = ts_sq_exec_i64(c, "UPDATE assets SET thumb_ready = 1 WHERE id = ? AND "
					  "thumb_ready = 0",
				       TS_SQ_I64(id), err);

	return ts_sq_end(s, c, e, err);
}

static enum ts_err sq_set_decoded(struct ts_store *s, const char *checksum, int ok,
				  const char *reason, struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	sqlite3_stmt *st;
	enum ts_err e;

	e = ts_sq_begin_write(c, err);
	if (e)
		goto out;
	st = ts_sq_prepare(c, "UPDATE assets SET decode_state = ?1, damage_reason = ?2, "
			      "thumb_ready = CASE WHEN ?1 = 'ok' THEN 1 ELSE thumb_ready END "
			      "WHERE checksum_sha256 = ?3 AND decode_state = 'pending'",
			   err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	ts_sq_bind_text(st, 1, ok ? "ok" : "damaged");
	if (ok)
		sqlite3_bind_null(st, 2);
	else
		ts_sq_bind_text(st, 2, reason ? reason : "");
	ts_sq_bind_text(st, 3, checksum);
	e = ts_sq_exec_stmt(c, st, err);
out:
	return ts_sq_end(s, c, e, err);
}

static void read_damaged(sqlite3_stmt *st, void *out)
{
	struct ts_asset_damaged *d = out;

	memset(d, 0, sizeof(*d));
	d->id = sqlite3_column_int64(st, 0);
	ts_sq_text_to(st, 1, d->file_name, sizeof(d->file_name));
	ts_sq_text_to(st, 2, d->reason, sizeof(d->reason));
}

static enum ts_err sq_list_damaged(struct ts_store *s, int64_t project_id, int limit,
				   struct ts_asset_damaged **out, size_t *n, int64_t *total,
				   struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	struct ts_sq_rows rows = { 0 };
	sqlite3_stmt *st;
	enum ts_err e;

	*total = 0;
	e = ts_sq_begin_in_project(c, 0, project_id, err);
	if (e)
		goto out;
	st = ts_sq_prepare_i64(c, "SELECT count(*) FROM assets WHERE project_id = ? AND "
				  "decode_state = 'damaged' AND deleted_at IS NULL",
			       TS_SQ_I64(project_id), err);
	e = ts_sq_scalar_i64(c, st, total, "count damaged assets", err);
	if (e)
		goto out;
	st = ts_sq_prepare_i64(c, "SELECT id, file_name, COALESCE(damage_reason, '') FROM assets "
				  "WHERE project_id = ? AND decode_state = 'damaged' "
				  "AND deleted_at IS NULL ORDER BY id LIMIT ?",
			       TS_SQ_I64(project_id, limit), err);
	e = ts_sq_collect(c, st, sizeof(struct ts_asset_damaged), read_damaged,
			  (size_t)(limit > 0 ? limit : 1), &rows, "list damaged assets", err);
out:
	*out = ts_sq_end_rows(s, c, &e, &rows, n, err);
	return e;
}

const struct ts_store_asset_ops ts_sq_asset_ops = {
	.set_decoded = sq_set_decoded,
	.list_damaged = sq_list_damaged,
	.insert = sq_insert,
	.get = sq_get,
	.list = sq_list,
	.counts = sq_counts,
	.set_thumbnail_ready = sq_set_thumbnail_ready,
	.set_deleted = ts_sq_asset_set_deleted,
	.lease_next = ts_sq_lease_next,
	.lease_renew = ts_sq_lease_renew,
	.lease_release = ts_sq_lease_release,
};
