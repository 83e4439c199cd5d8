/* PostgreSQL backend: annotation rows, their per-category index, history and
 * counts. Primitives only: the decisions are service/labeling.c's. */
#include "store/store_annotations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/postgres/store_pg.h"
#include "core/banned.h"

static enum ts_err pg_load(struct ts_store_tx *tx, int64_t asset_id, struct ts_ann_row *r,
			   struct ts_error *err)
{
	struct ts_pg_conn *c = tx->impl;
	struct ts_pg_stmt *st = ts_pg_prepare(
		c,
		"SELECT a.project_id, coalesce(an.status, 'unlabeled'), coalesce(an.revision, 0), "
		"coalesce(an.labeled_by, 0), coalesce(u.name, ''), coalesce(an.updated_at, a.created_at), "
		"an.asset_id IS NOT NULL, p.task_type, p.review_own_labels, "
		"coalesce(an.payload_type, ''), an.payload, a.width, a.height, "
		"(SELECT h.note FROM annotation_history h WHERE h.asset_id = a.id "
		"ORDER BY h.id DESC LIMIT 1), "
		"(SELECT ic.import_id FROM import_changes ic WHERE ic.asset_id = a.id "
		"AND ic.revision = an.revision ORDER BY ic.import_id DESC LIMIT 1) "
		"FROM assets a JOIN projects p ON p.id = a.project_id "
		"LEFT JOIN annotations an ON an.asset_id = a.id "
		"LEFT JOIN users u ON u.id = an.labeled_by WHERE a.id = ? AND a.deleted_at IS NULL",
		err);
	enum ts_err e;
	int rc;

	memset(r, 0, sizeof(*r));
	if (!st)
		return TS_ERR_IO;
	ts_pg_bind_i64(st, 1, asset_id);
	e = ts_pg_step_row(c, st, "read annotation", err, "asset_not_found",
			   "asset %lld does not exist", (long long)asset_id);
	if (!e) {
		r->asset_id = asset_id;
		r->project_id = ts_pg_col_i64(st, 0);
		ts_pg_text_to(st, 1, r->status, sizeof(r->status));
		r->revision = ts_pg_col_i64(st, 2);
		r->labeled_by = ts_pg_col_i64(st, 3);
		ts_pg_text_to(st, 4, r->labeled_by_name, sizeof(r->labeled_by_name));
		r->updated_at = ts_pg_col_i64(st, 5);
		r->has_row = ts_pg_col_int(st, 6);
		ts_pg_text_to(st, 7, r->task_type, sizeof(r->task_type));
		r->review_own_labels = ts_pg_col_int(st, 8);
		ts_pg_text_to(st, 9, r->payload_type, sizeof(r->payload_type));
		if (ts_pg_col_type(st, 10) != TS_PG_NULL)
			r->payload = ts_pg_text(st, 10);
		r->width = ts_pg_col_i64(st, 11);
		r->height = ts_pg_col_i64(st, 12);
		if (ts_pg_col_type(st, 13) != TS_PG_NULL)
			r->note = ts_pg_text(st, 13);
		r->import_id = ts_pg_col_i64(st, 14);
	}
	ts_pg_reset(st);
	if (e)
		return e;

	st = ts_pg_prepare_i64(c, "SELECT category_id FROM annotation_categories WHERE asset_id = ? "
				  "ORDER BY category_id",
			       TS_PG_I64(asset_id), err);
	if (!st)
		return TS_ERR_IO;
	while ((rc = ts_pg_next(st)) == TS_PG_ROW && r->ncat < TS_STORE_ANN_MAX_CATEGORIES)
		r->category_ids[r->ncat++] = ts_pg_col_i64(st, 0);
	if (rc != TS_PG_DONE && rc != TS_PG_ROW)
		e = ts_pg_fail(c, err, "read annotation categories");
	ts_pg_reset(st);
	return e;
}

static enum ts_err pg_category_states(struct ts_store_tx *tx, int64_t project_id,
				      const int64_t *ids, size_t n, char (*states)[12],
				      struct ts_error *err)
{
	struct ts_pg_conn *c = tx->impl;
	struct ts_pg_stmt *st = ts_pg_prepare(c, "SELECT state FROM categories WHERE project_id = ? "
					    "AND id = ?", err);
	enum ts_err e;
	int found;

	if (!st)
		return TS_ERR_IO;
	for (size_t i = 0; i < n; i++) {
		ts_pg_bind_i64(st, 1, project_id);
		ts_pg_bind_i64(st, 2, ids[i]);
		e = ts_pg_step(c, st, &found, "read category state", err);
		if (e)
			return e;
		states[i][0] = '\0';
		if (found) {
			ts_pg_text_to(st, 0, states[i], sizeof(states[i]));
			ts_pg_reset(st);
		}
	}
	return TS_OK;
}

static enum ts_err pg_write(struct ts_store_tx *tx, const struct ts_ann_write *w,
			    struct ts_error *err)
{
	struct ts_pg_conn *c = tx->impl;
	struct ts_pg_stmt *st;
	enum ts_err e;

	st = ts_pg_prepare(c, "INSERT INTO annotations(asset_id, project_id, status, queue, revision, "
			      "labeled_by, updated_at, payload_type, payload) "
			      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
			      "ON CONFLICT(asset_id) DO UPDATE SET status = ?3, queue = ?4, "
			      "revision = ?5, labeled_by = ?6, updated_at = ?7, payload_type = ?8, "
			      "payload = ?9",
			   err);
	if (!st)
		return TS_ERR_IO;
	ts_pg_bind_i64(st, 1, w->asset_id);
	ts_pg_bind_i64(st, 2, w->project_id);
	ts_pg_bind_text(st, 3, w->status);
	ts_pg_bind_text(st, 4, w->queue);
	ts_pg_bind_i64(st, 5, w->revision);
	ts_pg_bind_ref(st, 6, w->labeled_by);
	ts_pg_bind_i64(st, 7, w->updated_at);
	ts_pg_bind_text(st, 8, w->payload_type);
	ts_pg_bind_text(st, 9, w->payload_type ? w->payload : NULL);
	e = ts_pg_exec_stmt(c, st, err);
	if (e || !w->replace_index)
		return e;
	e = ts_pg_exec_i64(c, "DELETE FROM annotation_categories WHERE asset_id = ?",
			   TS_PG_I64(w->asset_id), err);
	for (size_t i = 0; i < w->ncat && !e; i++)
		e = ts_pg_exec_i64(c, "INSERT INTO annotation_categories(asset_id, project_id, "
				      "category_id, objects) VALUES (?, ?, ?, ?)",
				   TS_PG_I64(w->asset_id, w->project_id, w->category_ids[i],
					     w->object_counts ? w->object_counts[i] : 0),
				   err);
	return e;
}

static enum ts_err pg_history_add(struct ts_store_tx *tx, const struct ts_ann_history_add *h,
				  struct ts_error *err)
{
	struct ts_pg_conn *c = tx->impl;
	struct ts_pg_stmt *st = ts_pg_prepare(
		c,
		"INSERT INTO annotation_history(asset_id, project_id, revision, user_id, at, "
		"from_status, from_categories, from_payload, to_status, to_categories, to_payload, "
		"via, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		err);

	if (!st)
		return TS_ERR_IO;
	ts_pg_bind_i64(st, 1, h->asset_id);
	ts_pg_bind_i64(st, 2, h->project_id);
	ts_pg_bind_i64(st, 3, h->revision);
	ts_pg_bind_ref(st, 4, h->user_id);
	ts_pg_bind_i64(st, 5, h->at);
	ts_pg_bind_text(st, 6, h->from_status);
	ts_pg_bind_text(st, 7, h->from_categories);
	ts_pg_bind_text(st, 8, h->from_payload);
	ts_pg_bind_text(st, 9, h->to_status);
	ts_pg_bind_text(st, 10, h->to_categories);
	ts_pg_bind_text(st, 11, h->to_payload);
	ts_pg_bind_text(st, 12, h->via);
	ts_pg_bind_text(st, 13, h->note);
	return ts_pg_exec_stmt(c, st, err);
}

static void read_history(struct ts_pg_stmt *st, void *out)
{
	struct ts_ann_history_entry *h = out;

	h->id = ts_pg_col_i64(st, 0);
	h->revision = ts_pg_col_i64(st, 1);
	h->user_id = ts_pg_col_i64(st, 2);
	ts_pg_text_to(st, 3, h->user_name, sizeof(h->user_name));
	h->at = ts_pg_col_i64(st, 4);
	ts_pg_text_to(st, 5, h->from_status, sizeof(h->from_status));
	ts_pg_text_to(st, 6, h->from_categories, sizeof(h->from_categories));
	ts_pg_text_to(st, 7, h->to_status, sizeof(h->to_status));
	ts_pg_text_to(st, 8, h->to_categories, sizeof(h->to_categories));
	ts_pg_text_to(st, 9, h->via, sizeof(h->via));
	if (ts_pg_col_type(st, 10) != TS_PG_NULL)
		h->from_payload = ts_pg_text(st, 10);
	if (ts_pg_col_type(st, 11) != TS_PG_NULL)
		h->to_payload = ts_pg_text(st, 11);
	if (ts_pg_col_type(st, 12) != TS_PG_NULL)
		h->note = ts_pg_text(st, 12);
}

static enum ts_err pg_history(struct ts_store_tx *tx, int64_t asset_id,
			      struct ts_ann_history_entry **out, size_t *n, struct ts_error *err)
{
	struct ts_pg_conn *c = tx->impl;
	struct ts_pg_rows rows = { 0 };
	struct ts_pg_stmt *st;
	enum ts_err e;

	*out = NULL;
	*n = 0;
	st = ts_pg_prepare_i64(c, "SELECT h.id, h.revision, coalesce(h.user_id, 0), "
				  "coalesce(u.name, ''), h.at, h.from_status, h.from_categories, "
				  "h.to_status, h.to_categories, h.via, h.from_payload, h.to_payload, "
				  "h.note FROM annotation_history h "
				  "LEFT JOIN users u ON u.id = h.user_id WHERE h.asset_id = ? "
				  "ORDER BY h.id LIMIT ?",
			       TS_PG_I64(asset_id, TS_ANN_HISTORY_MAX), err);
	e = ts_pg_collect(c, st, sizeof(struct ts_ann_history_entry), read_history, 0, &rows,
			  "read annotation history", err);
	if (e) {
		ts_ann_history_release(rows.items, rows.n);
		return e;
	}
	*out = rows.items;
	*n = rows.n;
	return TS_OK;
}

static enum ts_err pg_match(struct ts_store_tx *tx, int64_t project_id, const char *queue,
			    const char *status, int64_t category_id, size_t max, int64_t **ids,
			    size_t *n, struct ts_error *err)
{
	struct ts_pg_conn *c = tx->impl;
	struct ts_pg_rows rows = { 0 };
	struct ts_pg_stmt *st;
	enum ts_err e;

	*ids = NULL;
	*n = 0;
	e = ts_pg_project_exists(c, project_id, err);
	if (e)
		return e;
	st = ts_pg_prepare(c, "SELECT an.asset_id FROM annotations an WHERE an.project_id = ?1 "
			      "AND (?2::text IS NULL OR an.queue = ?2) AND (?3::text IS NULL OR an.status = ?3) "
			      "AND (?4 = 0 OR EXISTS (SELECT 1 FROM annotation_categories ac "
			      "WHERE ac.asset_id = an.asset_id AND ac.category_id = ?4)) "
			      "ORDER BY an.asset_id LIMIT ?5", err);
	if (!st)
		return TS_ERR_IO;
	ts_pg_bind_i64(st, 1, project_id);
	ts_pg_bind_text(st, 2, queue);
	ts_pg_bind_text(st, 3, status);
	ts_pg_bind_i64(st, 4, category_id);
	ts_pg_bind_i64(st, 5, (int64_t)max);
	e = ts_pg_collect(c, st, sizeof(int64_t), ts_pg_read_i64, 0, &rows, "match annotations",
			  err);
	if (e) {
		free(rows.items);
		return e;
	}
	*ids = rows.items;
	*n = rows.n;
	return TS_OK;
}

static void read_count(struct ts_pg_stmt *st, void *out)
{
	struct ts_ann_count *k = out;

	k->category_id = ts_pg_col_i64(st, 0);
	ts_pg_text_to(st, 1, k->status, sizeof(k->status));
	k->count = ts_pg_col_i64(st, 2);
	k->objects = ts_pg_col_i64(st, 3);
}

static void read_category(struct ts_pg_stmt *st, void *out)
{
	struct ts_ann_category *k = out;

	k->category_id = ts_pg_col_i64(st, 0);
	ts_pg_text_to(st, 1, k->state, sizeof(k->state));
}

static enum ts_err pg_counts(struct ts_store_tx *tx, int64_t project_id,
			     struct ts_ann_counts *out, struct ts_error *err)
{
	struct ts_pg_conn *c = tx->impl;
	struct ts_pg_rows rows = { 0 };
	struct ts_pg_stmt *st;
	enum ts_err e;

	memset(out, 0, sizeof(*out));
	e = ts_pg_project_exists(c, project_id, err);
	if (e)
		return e;
	st = ts_pg_prepare_i64(c, "SELECT 0, status, count(*), 0 FROM annotations "
				  "WHERE project_id = ?1 GROUP BY status UNION ALL "
				  "SELECT ac.category_id, an.status, count(*), sum(ac.objects) "
				  "FROM annotation_categories ac "
				  "JOIN annotations an ON an.asset_id = ac.asset_id "
				  "WHERE ac.project_id = ?1 GROUP BY ac.category_id, an.status "
				  "ORDER BY 1, 2",
			       TS_PG_I64(project_id), err);
	e = ts_pg_collect(c, st, sizeof(struct ts_ann_count), read_count, 0, &rows,
			  "count annotations", err);
	out->counts = rows.items;
	out->ncounts = rows.n;
	if (e)
		goto fail;
	rows = (struct ts_pg_rows){ 0 };
	st = ts_pg_prepare_i64(c, "SELECT id, state FROM categories WHERE project_id = ? "
				  "ORDER BY id",
			       TS_PG_I64(project_id), err);
	e = ts_pg_collect(c, st, sizeof(struct ts_ann_category), read_category, 0, &rows,
			  "list categories", err);
	out->categories = rows.items;
	out->ncategories = rows.n;
	if (e)
		goto fail;
	st = ts_pg_prepare_i64(c, "SELECT count(DISTINCT ac.asset_id) FROM annotation_categories ac "
				  "JOIN categories k ON k.project_id = ac.project_id "
				  "AND k.id = ac.category_id "
				  "WHERE ac.project_id = ? AND k.state = 'deleted'",
			       TS_PG_I64(project_id), err);
	e = ts_pg_scalar_i64(c, st, &out->deleted_category, "count deleted-category labels",
			     err);
	if (!e)
		return TS_OK;
fail:
	ts_ann_counts_release(out);
	return e;
}

const struct ts_store_annotation_ops ts_pg_annotation_ops = {
	.load = pg_load,
	.category_states = pg_category_states,
	.write = pg_write,
	.history_add = pg_history_add,
	.history = pg_history,
	.match = pg_match,
	.counts = pg_counts,
};
