/* SQLite backend: annotations, their history, bulk review and stats. */
#include "store/store_annotations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "store/sqlite/store_sqlite.h"
#include "core/banned.h"

/* Assets per write transaction in a bulk action: short enough that a
 * labeler's single write never waits long behind a 10,000-asset approve. */
#define BULK_CHUNK 256

/* The current annotation of an asset with what deciding a change needs. */
struct current {
	struct ts_annotation ann;
	int single_label;
	int has_row;
	int review_own_labels; /* the project's setting */
};

static enum ts_err load_current(struct ts_sq_conn *c, int64_t asset_id, struct current *cur,
				struct ts_error *err)
{
	sqlite3_stmt *st = ts_sq_prepare(
		c,
		"SELECT a.project_id, coalesce(an.status, 'unlabeled'), coalesce(an.revision, 0), "
		"coalesce(an.labeled_by, 0), coalesce(u.name, ''), coalesce(an.updated_at, a.created_at), "
		"an.asset_id IS NOT NULL, p.task_type = 'classification_single', p.review_own_labels "
		"FROM assets a JOIN projects p ON p.id = a.project_id "
		"LEFT JOIN annotations an ON an.asset_id = a.id "
		"LEFT JOIN users u ON u.id = an.labeled_by WHERE a.id = ?",
		err);
	enum ts_err e;
	char status[16];
	int rc;

	if (!st)
		return TS_ERR_IO;
	memset(cur, 0, sizeof(*cur));
	sqlite3_bind_int64(st, 1, asset_id);
	e = ts_sq_step_row(c, st, "read annotation", err, "asset_not_found",
			   "asset %lld does not exist", (long long)asset_id);
	if (!e) {
		cur->ann.asset_id = asset_id;
		cur->ann.project_id = sqlite3_column_int64(st, 0);
		ts_sq_text_to(st, 1, status, sizeof(status));
		if (ts_ann_status_parse(status, &cur->ann.status))
			cur->ann.status = TS_ANN_UNLABELED;
		cur->ann.revision = sqlite3_column_int64(st, 2);
		cur->ann.labeled_by = sqlite3_column_int64(st, 3);
		ts_sq_text_to(st, 4, cur->ann.labeled_by_name, sizeof(cur->ann.labeled_by_name));
		cur->ann.updated_at = sqlite3_column_int64(st, 5);
		cur->has_row = sqlite3_column_int(st, 6);
		cur->single_label = sqlite3_column_int(st, 7);
		cur->review_own_labels = sqlite3_column_int(st, 8);
	}
	sqlite3_reset(st);
	if (e)
		return e;

	st = ts_sq_prepare_i64(c, "SELECT category_id FROM annotation_categories WHERE asset_id = ? "
				  "ORDER BY category_id",
			       TS_SQ_I64(asset_id), err);
	if (!st)
		return TS_ERR_IO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && cur->ann.ncat < TS_ANN_MAX_CATEGORIES)
		cur->ann.category_ids[cur->ann.ncat++] = sqlite3_column_int64(st, 0);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		e = ts_sq_fail(c, err, "read annotation categories");
	sqlite3_reset(st);
	return e;
}

static enum ts_err category_states(struct ts_sq_conn *c, int64_t project_id, const int64_t *ids,
				   size_t n, enum ts_ann_cat_state *out, struct ts_error *err)
{
	sqlite3_stmt *st = ts_sq_prepare(c, "SELECT state FROM categories WHERE project_id = ? "
					    "AND id = ?", err);
	char state[12];
	enum ts_err e;
	int found;

	if (!st)
		return TS_ERR_IO;
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int64(st, 1, project_id);
		sqlite3_bind_int64(st, 2, ids[i]);
		e = ts_sq_step(c, st, &found, "read category state", err);
		if (e)
			return e;
		out[i] = TS_ANN_CAT_UNKNOWN;
		if (found) {
			ts_sq_text_to(st, 0, state, sizeof(state));
			out[i] = ts_ann_cat_state_parse(state);
			sqlite3_reset(st);
		}
	}
	return TS_OK;
}

/* Writes the decided outcome: annotation row, categories (when they
 * changed), history. The caller holds the write transaction. */
static enum ts_err write_outcome(struct ts_sq_conn *c, struct current *cur,
				 const struct ts_ann_outcome *o, int64_t user_id,
				 const char *user_name, const char *via, struct ts_error *err)
{
	char from_text[TS_ANN_MAX_CATEGORIES * 21 + 3], to_text[sizeof(from_text)];
	int64_t sorted[TS_ANN_MAX_CATEGORIES];
	int64_t now = ts_time_now_ms();
	int64_t labeled_by = cur->ann.labeled_by;
	size_t nsorted = o->ncat;
	sqlite3_stmt *st;
	enum ts_err e;

	memcpy(sorted, o->category_ids, nsorted * sizeof(*sorted));
	qsort(sorted, nsorted, sizeof(*sorted), ts_sq_cmp_i64);
	/* The labeler is whoever last set the label; a reviewer's approve or
	 * needs_review keeps it. */
	if (o->categories_changed ||
	    (o->status != TS_ANN_APPROVED && o->status != TS_ANN_NEEDS_REVIEW))
		labeled_by = user_id;
	if (ts_ann_ids_text(cur->ann.category_ids, cur->ann.ncat, from_text, sizeof(from_text)) ||
	    ts_ann_ids_text(sorted, nsorted, to_text, sizeof(to_text)))
		return ts_error_set(err, TS_ERR_INTERNAL, "internal_error", "category list too long");

	st = ts_sq_prepare(c, "INSERT INTO annotations(asset_id, project_id, status, queue, revision, "
			      "labeled_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
			      "ON CONFLICT(asset_id) DO UPDATE SET status = ?3, queue = ?4, "
			      "revision = ?5, labeled_by = ?6, updated_at = ?7",
			   err);
	if (!st)
		return TS_ERR_IO;
	sqlite3_bind_int64(st, 1, cur->ann.asset_id);
	sqlite3_bind_int64(st, 2, cur->ann.project_id);
	sqlite3_bind_text(st, 3, ts_ann_status_name(o->status), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, ts_ann_queue_of(o->status), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, cur->ann.revision + 1);
	ts_sq_bind_ref(st, 6, labeled_by);
	sqlite3_bind_int64(st, 7, now);
	e = ts_sq_exec_stmt(c, st, err);
	if (e)
		return e;

	if (o->categories_changed) {
		e = ts_sq_exec_i64(c, "DELETE FROM annotation_categories WHERE asset_id = ?",
				   TS_SQ_I64(cur->ann.asset_id), err);
		for (size_t i = 0; i < nsorted && !e; i++)
			e = ts_sq_exec_i64(c, "INSERT INTO annotation_categories(asset_id, "
					      "project_id, category_id) VALUES (?, ?, ?)",
					   TS_SQ_I64(cur->ann.asset_id, cur->ann.project_id,
						     sorted[i]),
					   err);
		if (e)
			return e;
	}

	st = ts_sq_prepare(c, "INSERT INTO annotation_history(asset_id, project_id, revision, user_id, "
			      "at, from_status, from_categories, to_status, to_categories, via) "
			      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
	if (!st)
		return TS_ERR_IO;
	sqlite3_bind_int64(st, 1, cur->ann.asset_id);
	sqlite3_bind_int64(st, 2, cur->ann.project_id);
	sqlite3_bind_int64(st, 3, cur->ann.revision + 1);
	ts_sq_bind_ref(st, 4, user_id);
	sqlite3_bind_int64(st, 5, now);
	sqlite3_bind_text(st, 6, ts_ann_status_name(cur->ann.status), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, from_text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 8, ts_ann_status_name(o->status), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, to_text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 10, via, -1, SQLITE_STATIC);
	e = ts_sq_exec_stmt(c, st, err);
	if (e)
		return e;

	/* The row as it is now. */
	cur->ann.status = o->status;
	memcpy(cur->ann.category_ids, sorted, nsorted * sizeof(*sorted));
	cur->ann.ncat = nsorted;
	cur->ann.revision++;
	cur->ann.updated_at = now;
	if (labeled_by != cur->ann.labeled_by) {
		cur->ann.labeled_by = labeled_by;
		snprintf(cur->ann.labeled_by_name, sizeof(cur->ann.labeled_by_name), "%s",
			 user_name ? user_name : "");
	}
	return TS_OK;
}

static enum ts_err sq_get(struct ts_store *s, int64_t asset_id, struct ts_annotation *out,
			  struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	struct current cur;
	enum ts_err e;

	e = ts_sq_begin_read(c, err);
	if (!e)
		e = load_current(c, asset_id, &cur, err);
	e = ts_sq_end(s, c, e, err);
	if (!e)
		*out = cur.ann;
	return e;
}

static enum ts_err sq_set(struct ts_store *s, int64_t asset_id, const struct ts_ann_request *req,
			  struct ts_annotation *out, int *changed, struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	enum ts_ann_cat_state states[TS_ANN_MAX_CATEGORIES];
	struct ts_ann_change chg = { req->kind, req->status, req->category_ids, states, req->ncat };
	struct ts_ann_state now_state;
	struct ts_ann_outcome o;
	struct ts_error derr = { 0 };
	struct current cur;
	enum ts_err e, decided;
	int loaded = 0, wrote = 0;

	*changed = 0;
	e = ts_sq_begin_write(c, err);
	if (e)
		goto out;
	e = load_current(c, asset_id, &cur, err);
	if (e)
		goto out;
	loaded = 1;
	if (req->kind == TS_ANN_SET_CATEGORIES) {
		/* The state machine refuses more than the maximum; look up only
		 * what fits. */
		e = category_states(c, cur.ann.project_id, req->category_ids,
				    req->ncat > TS_ANN_MAX_CATEGORIES ? 0 : req->ncat, states, err);
		if (e)
			goto out;
	}
	now_state.status = cur.ann.status;
	now_state.category_ids = cur.ann.category_ids;
	now_state.ncat = cur.ann.ncat;
	decided = ts_ann_decide(&now_state, &chg, cur.single_label, &o, &derr);
	if (!decided && !o.changed) {
		/* An idempotent repeat: nothing to write, whatever the revision. */
		goto out;
	}
	if (req->expected_revision >= 0 && req->expected_revision != cur.ann.revision) {
		e = ts_error_set(err, TS_ERR_CONFLICT, "stale_revision",
				 "the annotation is at revision %lld, not %lld; reload it and retry",
				 (long long)cur.ann.revision, (long long)req->expected_revision);
		goto out;
	}
	if (!decided && o.status == TS_ANN_APPROVED && cur.ann.status != TS_ANN_APPROVED)
		decided = ts_ann_may_approve(cur.review_own_labels, cur.ann.labeled_by, req->user_id,
					     &derr);
	if (decided) {
		e = ts_error_set(err, derr.err, derr.code, "%s", derr.message);
		goto out;
	}
	e = write_outcome(c, &cur, &o, req->user_id, req->user_name, "single", err);
	wrote = !e;
out:
	e = ts_sq_end(s, c, e, err);
	*changed = wrote && !e;
	ts_error_release(&derr);
	if (loaded)
		*out = cur.ann;
	return e;
}

static void read_history(sqlite3_stmt *st, void *out)
{
	struct ts_ann_history_entry *h = out;
	char status[16];

	h->id = sqlite3_column_int64(st, 0);
	h->revision = sqlite3_column_int64(st, 1);
	h->user_id = sqlite3_column_int64(st, 2);
	ts_sq_text_to(st, 3, h->user_name, sizeof(h->user_name));
	h->at = sqlite3_column_int64(st, 4);
	ts_sq_text_to(st, 5, status, sizeof(status));
	if (ts_ann_status_parse(status, &h->from_status))
		h->from_status = TS_ANN_UNLABELED;
	ts_sq_text_to(st, 6, h->from_categories, sizeof(h->from_categories));
	ts_sq_text_to(st, 7, status, sizeof(status));
	if (ts_ann_status_parse(status, &h->to_status))
		h->to_status = TS_ANN_UNLABELED;
	ts_sq_text_to(st, 8, h->to_categories, sizeof(h->to_categories));
	ts_sq_text_to(st, 9, h->via, sizeof(h->via));
}

static enum ts_err sq_history(struct ts_store *s, int64_t asset_id,
			      struct ts_ann_history_entry **out, size_t *n, struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	struct ts_sq_rows rows = { 0 };
	struct current cur;
	sqlite3_stmt *st;
	enum ts_err e;

	e = ts_sq_begin_read(c, err);
	if (!e)
		e = load_current(c, asset_id, &cur, err);
	if (e)
		goto out;
	st = ts_sq_prepare_i64(c, "SELECT h.id, h.revision, coalesce(h.user_id, 0), "
				  "coalesce(u.name, ''), h.at, h.from_status, h.from_categories, "
				  "h.to_status, h.to_categories, h.via FROM annotation_history h "
				  "LEFT JOIN users u ON u.id = h.user_id WHERE h.asset_id = ? "
				  "ORDER BY h.id LIMIT ?",
			       TS_SQ_I64(asset_id, TS_ANN_HISTORY_MAX), err);
	e = ts_sq_collect(c, st, sizeof(struct ts_ann_history_entry), read_history, 0, &rows,
			  "read annotation history", err);
out:
	*out = ts_sq_end_rows(s, c, &e, &rows, n, err);
	return e;
}

/* Splits a filter name into the queue or status column value it tests. */
static int filter_columns(const char *name, const char **queue, const char **status)
{
	static const char *const queues[] = { "unlabeled", "in_review", "done", "skipped" };
	enum ts_ann_status st;

	*queue = NULL;
	*status = NULL;
	if (!name || strcmp(name, "all") == 0)
		return 0;
	for (size_t i = 0; i < sizeof(queues) / sizeof(queues[0]); i++) {
		if (strcmp(name, queues[i]) == 0) {
			*queue = queues[i];
			return 0;
		}
	}
	if (ts_ann_status_parse(name, &st) == 0) {
		*status = ts_ann_status_name(st);
		return 0;
	}
	return -1;
}

/* The ids of a project's assets matching filter, ascending, at most
 * TS_ANN_BULK_MAX + 1 of them (one more says "too many"). */
static enum ts_err match_filter(struct ts_sq_conn *c, int64_t project_id,
				const struct ts_ann_filter *f, int64_t **ids, size_t *n,
				struct ts_error *err)
{
	const char *queue, *status;
	struct ts_sq_rows rows = { 0 };
	sqlite3_stmt *st;
	enum ts_err e;

	*ids = NULL;
	*n = 0;
	if (filter_columns(f->status, &queue, &status))
		return ts_error_set(err, TS_ERR_INVALID, "invalid_filter",
				    "filter.status must be one of all, unlabeled, in_review, done, "
				    "skipped, labeled, needs_review, approved");
	st = ts_sq_prepare(c, "SELECT an.asset_id FROM annotations an WHERE an.project_id = ?1 "
			      "AND (?2 IS NULL OR an.queue = ?2) AND (?3 IS NULL OR an.status = ?3) "
			      "AND (?4 = 0 OR EXISTS (SELECT 1 FROM annotation_categories ac "
			      "WHERE ac.asset_id = an.asset_id AND ac.category_id = ?4)) "
			      "ORDER BY an.asset_id LIMIT ?5", err);
	if (!st)
		return TS_ERR_IO;
	sqlite3_bind_int64(st, 1, project_id);
	ts_sq_bind_text(st, 2, queue);
	ts_sq_bind_text(st, 3, status);
	sqlite3_bind_int64(st, 4, f->category_id);
	sqlite3_bind_int(st, 5, TS_ANN_BULK_MAX + 1);
	e = ts_sq_collect(c, st, sizeof(int64_t), ts_sq_read_i64, 0, &rows, "match bulk filter",
			  err);
	if (!e && rows.n > TS_ANN_BULK_MAX)
		e = ts_error_set(err, TS_ERR_TOO_LARGE, "too_many",
				 "the filter matches more than %d assets; narrow it",
				 TS_ANN_BULK_MAX);
	if (e) {
		free(rows.items);
		return e;
	}
	*ids = rows.items;
	*n = rows.n;
	return TS_OK;
}

/* One asset of a bulk action, inside the caller's write transaction. A
 * refusal is recorded in r and is not an error of the transaction. */
static enum ts_err bulk_one(struct ts_sq_conn *c, int64_t project_id, enum ts_ann_status target,
			    int64_t asset_id, int64_t user_id, struct ts_ann_bulk_result *r,
			    struct ts_error *err)
{
	struct ts_ann_change chg = { TS_ANN_SET_STATUS, target, NULL, NULL, 0 };
	struct ts_error derr = { 0 };
	struct ts_ann_state now_state;
	struct ts_ann_outcome o;
	struct current cur;
	enum ts_err e;

	memset(r, 0, sizeof(*r));
	r->asset_id = asset_id;
	e = load_current(c, asset_id, &cur, &derr);
	if (e == TS_ERR_NOT_FOUND || (!e && cur.ann.project_id != project_id)) {
		r->err = TS_ERR_NOT_FOUND;
		snprintf(r->code, sizeof(r->code), "asset_not_found");
		snprintf(r->message, sizeof(r->message), "asset %lld is not in project %lld",
			 (long long)asset_id, (long long)project_id);
		ts_error_release(&derr);
		return TS_OK;
	}
	if (e) {
		*err = derr;
		return e;
	}
	now_state.status = cur.ann.status;
	now_state.category_ids = cur.ann.category_ids;
	now_state.ncat = cur.ann.ncat;
	if (ts_ann_decide(&now_state, &chg, cur.single_label, &o, &derr) ||
	    (o.changed && o.status == TS_ANN_APPROVED &&
	     ts_ann_may_approve(cur.review_own_labels, cur.ann.labeled_by, user_id, &derr))) {
		r->err = derr.err;
		snprintf(r->code, sizeof(r->code), "%s", derr.code);
		snprintf(r->message, sizeof(r->message), "%.150s", derr.message);
		r->status = cur.ann.status;
		r->revision = cur.ann.revision;
		ts_error_release(&derr);
		return TS_OK;
	}
	if (o.changed) {
		e = write_outcome(c, &cur, &o, user_id, NULL, "bulk", err);
		if (e)
			return e;
		r->changed = 1;
	}
	r->status = cur.ann.status;
	r->revision = cur.ann.revision;
	return TS_OK;
}

static enum ts_err sq_bulk(struct ts_store *s, int64_t project_id, enum ts_ann_bulk_action action,
			   const int64_t *ids, size_t n, const struct ts_ann_filter *filter,
			   int64_t user_id, struct ts_ann_bulk_result **out, size_t *nout,
			   struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	enum ts_ann_status target = action == TS_ANN_BULK_APPROVE ? TS_ANN_APPROVED
								  : TS_ANN_NEEDS_REVIEW;
	struct ts_ann_bulk_result *res = NULL;
	int64_t *matched = NULL;
	size_t done = 0;
	enum ts_err e;

	*out = NULL;
	*nout = 0;
	if (n > TS_ANN_BULK_MAX) {
		e = ts_error_set(err, TS_ERR_TOO_LARGE, "too_many",
				 "at most %d asset ids per call", TS_ANN_BULK_MAX);
		goto out;
	}
	e = ts_sq_begin_in_project(c, 0, project_id, err);
	if (!e && !ids) {
		e = match_filter(c, project_id, filter, &matched, &n, err);
		ids = matched;
	}
	if (e)
		goto out;
	e = ts_sq_commit(c, err);
	if (e)
		goto out;

	res = ts_xcalloc(n ? n : 1, sizeof(*res));
	/* Each asset is decided again inside its chunk's write transaction:
	 * what the filter matched a moment ago may have changed since. */
	while (done < n) {
		size_t end = done + BULK_CHUNK < n ? done + BULK_CHUNK : n;

		e = ts_sq_begin_write(c, err);
		if (e)
			goto out;
		for (size_t i = done; i < end; i++) {
			e = bulk_one(c, project_id, target, ids[i], user_id, &res[i], err);
			if (e)
				goto out;
		}
		e = ts_sq_commit(c, err);
		if (e)
			goto out;
		done = end;
	}
out:
	e = ts_sq_end(s, c, e, err);
	if (e) {
		/* Chunks already committed stay (each asset is all-or-nothing);
		 * report the error for the whole call. */
		free(res);
		res = NULL;
		done = 0;
	}
	free(matched);
	*out = res;
	*nout = done;
	return e;
}

static void read_cat_count(sqlite3_stmt *st, void *out)
{
	struct ts_ann_cat_count *k = out;

	k->category_id = sqlite3_column_int64(st, 0);
	ts_sq_text_to(st, 1, k->state, sizeof(k->state));
}

static enum ts_err sq_stats(struct ts_store *s, int64_t project_id, struct ts_ann_stats *out,
			    struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	struct ts_sq_rows rows = { 0 };
	struct ts_ann_cat_count *cats = NULL;
	size_t ncat = 0;
	sqlite3_stmt *st;
	enum ts_ann_status status;
	char text[16];
	enum ts_err e;
	int rc;

	memset(out, 0, sizeof(*out));
	/* One read transaction: every figure comes from the same snapshot. */
	e = ts_sq_begin_in_project(c, 0, project_id, err);
	if (e)
		goto out;

	st = ts_sq_prepare(c, "SELECT status, count(*) FROM annotations WHERE project_id = ? "
			      "GROUP BY status", err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	sqlite3_bind_int64(st, 1, project_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ts_sq_text_to(st, 0, text, sizeof(text));
		if (ts_ann_status_parse(text, &status) == 0) {
			out->by_status[status] += sqlite3_column_int64(st, 1);
			out->total += sqlite3_column_int64(st, 1);
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		e = ts_sq_fail(c, err, "count statuses");
		goto out;
	}

	/* Every category (deleted ones too), then the label counts merged in. */
	st = ts_sq_prepare_i64(c, "SELECT id, state FROM categories WHERE project_id = ? "
				  "ORDER BY id",
			       TS_SQ_I64(project_id), err);
	e = ts_sq_collect(c, st, sizeof(*cats), read_cat_count, 0, &rows, "list categories",
			  err);
	cats = rows.items;
	ncat = rows.n;
	if (e)
		goto out;

	st = ts_sq_prepare(c, "SELECT ac.category_id, an.status, count(*) FROM annotation_categories ac "
			      "JOIN annotations an ON an.asset_id = ac.asset_id "
			      "WHERE ac.project_id = ? GROUP BY ac.category_id, an.status "
			      "ORDER BY ac.category_id", err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	sqlite3_bind_int64(st, 1, project_id);
	{
		size_t j = 0;

		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			int64_t id = sqlite3_column_int64(st, 0);

			while (j < ncat && cats[j].category_id < id)
				j++;
			if (j == ncat || cats[j].category_id != id)
				continue; /* a category row cannot vanish; be safe */
			ts_sq_text_to(st, 1, text, sizeof(text));
			if (ts_ann_status_parse(text, &status) == 0)
				cats[j].by_status[status] += sqlite3_column_int64(st, 2);
			cats[j].count += sqlite3_column_int64(st, 2);
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		e = ts_sq_fail(c, err, "count categories");
		goto out;
	}

	st = ts_sq_prepare_i64(c, "SELECT count(DISTINCT ac.asset_id) FROM annotation_categories ac "
				  "JOIN categories k ON k.project_id = ac.project_id "
				  "AND k.id = ac.category_id "
				  "WHERE ac.project_id = ? AND k.state = 'deleted'",
			       TS_SQ_I64(project_id), err);
	e = ts_sq_scalar_i64(c, st, &out->deleted_category, "count deleted-category labels",
			     err);
out:
	e = ts_sq_end(s, c, e, err);
	if (e) {
		free(cats);
		memset(out, 0, sizeof(*out));
	} else {
		out->per_category = cats;
		out->ncat = ncat;
	}
	return e;
}

const struct ts_store_annotation_ops ts_sq_annotation_ops = {
	.get = sq_get,
	.set = sq_set,
	.history = sq_history,
	.bulk = sq_bulk,
	.stats = sq_stats,
};
