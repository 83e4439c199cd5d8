/* PostgreSQL backend: models, suggestions, model runs and sampling ranks. */
#include "store/store_models.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "store/postgres/store_pg.h"
#include "core/banned.h"

#define MODEL_COLS                                                                      \
	"id, project_id, name, task_type, labels_hash, metadata, checksum_sha256, "      \
	"byte_size, active, created_by, created_at, "                                     \
	"(SELECT name FROM users u WHERE u.id = models.created_by)"

static void read_model(struct ts_pg_stmt *st, void *out)
{
	struct ts_model_row *m = out;

	memset(m, 0, sizeof(*m));
	m->id = ts_pg_col_i64(st, 0);
	m->project_id = ts_pg_col_i64(st, 1);
	ts_pg_text_to(st, 2, m->name, sizeof(m->name));
	ts_pg_text_to(st, 3, m->task_type, sizeof(m->task_type));
	ts_pg_text_to(st, 4, m->labels_hash, sizeof(m->labels_hash));
	m->metadata = ts_pg_text(st, 5);
	ts_pg_text_to(st, 6, m->checksum_sha256, sizeof(m->checksum_sha256));
	m->byte_size = ts_pg_col_i64(st, 7);
	m->active = ts_pg_col_int(st, 8) != 0;
	m->created_by = ts_pg_col_i64(st, 9);
	m->created_at = ts_pg_col_i64(st, 10);
	ts_pg_text_to(st, 11, m->created_by_name, sizeof(m->created_by_name));
}

static enum ts_err model_get_c(struct ts_pg_conn *c, int64_t id, struct ts_model_row *out,
			       struct ts_error *err)
{
	struct ts_pg_stmt *st = ts_pg_prepare_i64(c, "SELECT " MODEL_COLS " FROM models WHERE id = ?",
					     TS_PG_I64(id), err);
	enum ts_err e;

	if (!st)
		return TS_ERR_IO;
	e = ts_pg_step_row(c, st, "read model", err, "model_not_found",
			   "Model %lld does not exist.", (long long)id);
	if (!e)
		read_model(st, out);
	ts_pg_reset(st);
	return e;
}

static enum ts_err pg_create(struct ts_store *s, const struct ts_model_new *in,
			     struct ts_model_row *out, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	int64_t has_active = 0;
	struct ts_pg_stmt *st;
	enum ts_err e;

	e = ts_pg_begin_in_project(c, 1, in->project_id, err);
	if (e)
		goto out;
	e = ts_pg_scalar_i64(c, ts_pg_prepare_i64(c, "SELECT count(*) FROM models WHERE "
						      "project_id = ? AND active = 1",
						  TS_PG_I64(in->project_id), err),
			     &has_active, "read models", err);
	if (e)
		goto out;
	st = ts_pg_prepare(c, "INSERT INTO models(id, project_id, name, task_type, labels_hash, "
			      "metadata, checksum_sha256, byte_size, active, created_by, created_at) "
			      "VALUES (" TS_PG_NEXT_ID("models") ", ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
			      "RETURNING id",
			   err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	ts_pg_bind_i64(st, 1, in->project_id);
	ts_pg_bind_text(st, 2, in->name);
	ts_pg_bind_text(st, 3, in->task_type);
	ts_pg_bind_text(st, 4, in->labels_hash);
	ts_pg_bind_text(st, 5, in->metadata);
	ts_pg_bind_text(st, 6, in->checksum_sha256);
	ts_pg_bind_i64(st, 7, in->byte_size);
	ts_pg_bind_i64(st, 8, has_active ? 0 : 1);
	ts_pg_bind_ref(st, 9, in->user_id);
	ts_pg_bind_i64(st, 10, ts_time_now_ms());
	e = ts_pg_exec_stmt(c, st, err);
	if (!e)
		e = model_get_c(c, ts_pg_last_id(c), out, err);
out:
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_get(struct ts_store *s, int64_t id, struct ts_model_row *out,
			  struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);

	return ts_pg_end(s, c, model_get_c(c, id, out, err), err);
}

static enum ts_err pg_get_active(struct ts_store *s, int64_t project_id, struct ts_model_row *out,
				 struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_stmt *st = ts_pg_prepare_i64(c, "SELECT " MODEL_COLS " FROM models WHERE "
						"project_id = ? AND active = 1",
					     TS_PG_I64(project_id), err);
	enum ts_err e;

	if (!st)
		return ts_pg_end(s, c, TS_ERR_IO, err);
	e = ts_pg_step_row(c, st, "read model", err, "model_not_found",
			   "The project has no active model.");
	if (!e)
		read_model(st, out);
	ts_pg_reset(st);
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_list(struct ts_store *s, int64_t project_id, struct ts_model_row **out,
			   size_t *n, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_rows rows = { 0 };
	struct ts_pg_stmt *st;
	enum ts_err e;

	e = ts_pg_project_exists(c, project_id, err);
	if (e)
		goto out;
	st = ts_pg_prepare_i64(c, "SELECT " MODEL_COLS " FROM models WHERE project_id = ? "
				  "ORDER BY id DESC LIMIT ?",
			       TS_PG_I64(project_id, TS_MODEL_LIST_MAX), err);
	e = ts_pg_collect(c, st, sizeof(struct ts_model_row), read_model, 0, &rows, "list models",
			  err);
out:
	if (e) {
		for (size_t i = 0; i < rows.n; i++)
			ts_model_row_release(&((struct ts_model_row *)rows.items)[i]);
	}
	*out = ts_pg_end_rows(s, c, &e, &rows, n, err);
	return e;
}

static enum ts_err pg_set_active(struct ts_store *s, int64_t project_id, int64_t model_id,
				 int active, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	int64_t found = 0;
	enum ts_err e;

	e = ts_pg_begin_write(c, err);
	if (e)
		goto out;
	e = ts_pg_scalar_i64(c, ts_pg_prepare_i64(c, "SELECT count(*) FROM models WHERE id = ? "
						      "AND project_id = ?",
						  TS_PG_I64(model_id, project_id), err),
			     &found, "read model", err);
	if (!e && !found)
		e = ts_error_set(err, TS_ERR_NOT_FOUND, "model_not_found",
				 "Model %lld does not exist in this project.", (long long)model_id);
	if (!e && active)
		e = ts_pg_exec_i64(c, "UPDATE models SET active = 0 WHERE project_id = ? AND "
				      "active = 1 AND id <> ?",
				   TS_PG_I64(project_id, model_id), err);
	if (!e)
		e = ts_pg_exec_i64(c, "UPDATE models SET active = ? WHERE id = ?",
				   TS_PG_I64(active ? 1 : 0, model_id), err);
out:
	return ts_pg_end(s, c, e, err);
}

/* ---- suggestions ---- */

#define SUGGESTION_COLS                                                                 \
	"id, asset_id, project_id, model_id, payload, category_id, score, status, chosen, " \
	"reviewed_by, reviewed_at, created_at, "                                          \
	"(SELECT name FROM users u WHERE u.id = prediction_suggestions.reviewed_by)"

static void read_suggestion(struct ts_pg_stmt *st, void *out)
{
	struct ts_suggestion *g = out;
	char status[16];
	int stv;

	memset(g, 0, sizeof(*g));
	g->id = ts_pg_col_i64(st, 0);
	g->asset_id = ts_pg_col_i64(st, 1);
	g->project_id = ts_pg_col_i64(st, 2);
	g->model_id = ts_pg_col_i64(st, 3);
	g->payload = ts_pg_text(st, 4);
	g->category_id = ts_pg_col_i64(st, 5);
	g->score = ts_pg_col_double(st, 6);
	ts_pg_text_to(st, 7, status, sizeof(status));
	stv = ts_suggestion_status_parse(status);
	g->status = stv < 0 ? TS_SUGGESTION_PENDING : (enum ts_suggestion_status)stv;
	g->chosen = ts_pg_col_type(st, 8) == TS_PG_NULL ? NULL : ts_pg_text(st, 8);
	g->reviewed_by = ts_pg_col_i64(st, 9);
	g->reviewed_at = ts_pg_col_i64(st, 10);
	g->created_at = ts_pg_col_i64(st, 11);
	ts_pg_text_to(st, 12, g->reviewed_by_name, sizeof(g->reviewed_by_name));
}

static enum ts_err suggestion_by(struct ts_pg_conn *c, const char *sql, const int64_t *args,
				 int n, struct ts_suggestion *out, struct ts_error *err)
{
	struct ts_pg_stmt *st = ts_pg_prepare_i64(c, sql, args, n, err);
	enum ts_err e;

	if (!st)
		return TS_ERR_IO;
	e = ts_pg_step_row(c, st, "read suggestion", err, "suggestion_not_found",
			   "There is no such suggestion.");
	if (!e)
		read_suggestion(st, out);
	ts_pg_reset(st);
	return e;
}

static const char SQL_SUGGESTION_BY_ASSET[] =
	"SELECT " SUGGESTION_COLS " FROM prediction_suggestions WHERE asset_id = ? AND "
	"model_id = ?";
static const char SQL_SUGGESTION_BY_ID[] =
	"SELECT " SUGGESTION_COLS " FROM prediction_suggestions WHERE id = ?";

static enum ts_err pg_suggestion_get(struct ts_store *s, int64_t asset_id, int64_t model_id,
				     struct ts_suggestion *out, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);

	return ts_pg_end(s, c,
			 suggestion_by(c, SQL_SUGGESTION_BY_ASSET, TS_PG_I64(asset_id, model_id),
				       out, err),
			 err);
}

static enum ts_err pg_suggestion_get_id(struct ts_store *s, int64_t id,
					struct ts_suggestion *out, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);

	return ts_pg_end(s, c, suggestion_by(c, SQL_SUGGESTION_BY_ID, TS_PG_I64(id), out, err),
			 err);
}

static enum ts_err pg_suggestion_put(struct ts_store *s, const struct ts_suggestion_new *in,
				     struct ts_suggestion *out, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_stmt *st;
	enum ts_err e;

	e = ts_pg_begin_write(c, err);
	if (e)
		goto out;
	st = ts_pg_prepare(c, "INSERT INTO prediction_suggestions(id, asset_id, project_id, "
			      "model_id, payload, category_id, score, status, created_at) VALUES ("
			      TS_PG_NEXT_ID("prediction_suggestions") ", ?1, ?2, ?3, ?4, ?5, ?6, "
			      "'pending', ?7) ON CONFLICT(asset_id, model_id) DO UPDATE SET "
			      "payload = ?4, category_id = ?5, score = ?6, status = 'pending', "
			      "chosen = NULL, reviewed_by = NULL, reviewed_at = NULL, "
			      "created_at = ?7",
			   err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	ts_pg_bind_i64(st, 1, in->asset_id);
	ts_pg_bind_i64(st, 2, in->project_id);
	ts_pg_bind_i64(st, 3, in->model_id);
	ts_pg_bind_text(st, 4, in->payload);
	ts_pg_bind_i64(st, 5, in->category_id);
	ts_pg_bind_double(st, 6, in->score);
	ts_pg_bind_i64(st, 7, ts_time_now_ms());
	e = ts_pg_exec_stmt(c, st, err);
	if (!e && in->supersede_older)
		e = ts_pg_exec_i64(c, "UPDATE prediction_suggestions SET status = 'superseded' "
				      "WHERE asset_id = ? AND model_id < ? AND status = 'pending'",
				   TS_PG_I64(in->asset_id, in->model_id), err);
	if (!e)
		e = suggestion_by(c, SQL_SUGGESTION_BY_ASSET, TS_PG_I64(in->asset_id, in->model_id),
				  out, err);
out:
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_suggestion_review(struct ts_store *s, int64_t id,
					enum ts_suggestion_status status, const char *chosen,
					int64_t user_id, struct ts_suggestion *out,
					struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_suggestion cur = { 0 };
	struct ts_pg_stmt *st;
	enum ts_err e;

	e = ts_pg_begin_write(c, err);
	if (!e)
		e = suggestion_by(c, SQL_SUGGESTION_BY_ID, TS_PG_I64(id), &cur, err);
	if (!e && cur.status == TS_SUGGESTION_SUPERSEDED)
		e = ts_error_set(err, TS_ERR_CONFLICT, "suggestion_superseded",
				 "This suggestion was replaced by a newer model's; ask for the "
				 "current one.");
	if (e)
		goto out;
	st = ts_pg_prepare(c, "UPDATE prediction_suggestions SET status = ?, chosen = ?, "
			      "reviewed_by = ?, reviewed_at = ? WHERE id = ?",
			   err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	ts_pg_bind_text(st, 1, ts_suggestion_status_name(status));
	ts_pg_bind_text(st, 2, chosen);
	ts_pg_bind_ref(st, 3, user_id);
	ts_pg_bind_i64(st, 4, ts_time_now_ms());
	ts_pg_bind_i64(st, 5, id);
	e = ts_pg_exec_stmt(c, st, err);
	if (!e)
		e = suggestion_by(c, SQL_SUGGESTION_BY_ID, TS_PG_I64(id), out, err);
out:
	ts_suggestion_release(&cur);
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_supersede_older(struct ts_store *s, int64_t project_id, int64_t model_id,
				      int64_t *n, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	enum ts_err e;

	*n = 0;
	e = ts_pg_begin_write(c, err);
	if (!e)
		e = ts_pg_exec_i64(c, "UPDATE prediction_suggestions SET status = 'superseded' "
				      "WHERE project_id = ?1 AND model_id < ?2 AND status = 'pending' "
				      "AND asset_id IN (SELECT asset_id FROM prediction_suggestions "
				      "WHERE project_id = ?1 AND model_id = ?2)",
				   TS_PG_I64(project_id, model_id), err);
	if (!e)
		*n = ts_pg_changes(c);
	return ts_pg_end(s, c, e, err);
}

static void read_count(struct ts_pg_stmt *st, void *out)
{
	struct ts_suggestion_count *x = out;
	char status[16];
	int stv;

	x->model_id = ts_pg_col_i64(st, 0);
	x->category_id = ts_pg_col_i64(st, 1);
	ts_pg_text_to(st, 2, status, sizeof(status));
	stv = ts_suggestion_status_parse(status);
	x->status = stv < 0 ? TS_SUGGESTION_PENDING : (enum ts_suggestion_status)stv;
	x->overridden = ts_pg_col_int(st, 3) != 0;
	x->count = ts_pg_col_i64(st, 4);
}

static enum ts_err pg_suggestion_counts(struct ts_store *s, int64_t project_id,
					struct ts_suggestion_count **out, size_t *n,
					struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_rows rows = { 0 };
	struct ts_pg_stmt *st;
	enum ts_err e;

	e = ts_pg_begin_read(c, err);
	if (e)
		goto out;
	st = ts_pg_prepare_i64(
		c,
		"SELECT ps.model_id, ps.category_id, ps.status, "
		"ps.status = 'accepted' AND NOT EXISTS (SELECT 1 FROM annotation_categories ac "
		"WHERE ac.asset_id = ps.asset_id AND ac.category_id = ps.category_id) AS overridden, "
		"count(*) FROM prediction_suggestions ps JOIN assets a ON a.id = ps.asset_id "
		"WHERE ps.project_id = ? AND a.deleted_at IS NULL "
		"GROUP BY 1, 2, 3, 4 ORDER BY 1, 2",
		TS_PG_I64(project_id), err);
	e = ts_pg_collect(c, st, sizeof(struct ts_suggestion_count), read_count, 0, &rows,
			  "count suggestions", err);
out:
	*out = ts_pg_end_rows(s, c, &e, &rows, n, err);
	return e;
}

/* ---- candidates ---- */

static void read_candidate(struct ts_pg_stmt *st, void *out)
{
	struct ts_model_candidate *x = out;

	x->asset_id = ts_pg_col_i64(st, 0);
	ts_pg_text_to(st, 1, x->checksum_sha256, sizeof(x->checksum_sha256));
	x->video_id = ts_pg_col_i64(st, 2);
	x->frame_index = ts_pg_col_i64(st, 3);
	x->timestamp_ms = ts_pg_col_i64(st, 4);
}

static enum ts_err pg_candidates(struct ts_store *s, int64_t project_id,
				 const struct ts_model_criteria *cr,
				 struct ts_model_candidate **out, size_t *n, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_rows rows = { 0 };
	struct ts_pg_stmt *st;
	enum ts_err e;

	e = ts_pg_begin_read(c, err);
	if (e)
		goto out;
	st = ts_pg_prepare(
		c,
		"SELECT a.id, a.checksum_sha256, coalesce(a.video_id, 0), "
		"coalesce(a.frame_index, 0), coalesce(a.timestamp_ms, 0) FROM assets a "
		"JOIN annotations an ON an.asset_id = a.id "
		"WHERE a.project_id = ?1 AND a.deleted_at IS NULL "
		"AND (?2::text IS NULL OR an.status = ?2) "
		"AND (?3 = 0 OR a.video_id = ?3) "
		"AND (?4 = 0 OR EXISTS (SELECT 1 FROM annotation_categories ac "
		"WHERE ac.asset_id = a.id AND ac.category_id = ?4)) "
		"AND (?5 = 0 OR NOT EXISTS (SELECT 1 FROM prediction_suggestions ps "
		"WHERE ps.asset_id = a.id AND ps.model_id = ?5 AND ps.status = 'pending')) "
		"ORDER BY a.id LIMIT ?6",
		err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	ts_pg_bind_i64(st, 1, project_id);
	if (cr->status)
		ts_pg_bind_text(st, 2, cr->status);
	ts_pg_bind_i64(st, 3, cr->video_id);
	ts_pg_bind_i64(st, 4, cr->category_id);
	ts_pg_bind_i64(st, 5, cr->without_pending_of);
	ts_pg_bind_i64(st, 6, cr->limit > 0 ? cr->limit : 1);
	e = ts_pg_collect(c, st, sizeof(struct ts_model_candidate), read_candidate, 0, &rows,
			  "list assets", err);
out:
	*out = ts_pg_end_rows(s, c, &e, &rows, n, err);
	return e;
}

/* ---- runs ---- */

#define RUN_COLS                                                                        \
	"id, project_id, kind, strategy, model_ids, criteria, state, done, total, failed, " \
	"error, cancel_requested, job_id, created_by, created_at, finished_at, "          \
	"(SELECT name FROM users u WHERE u.id = model_runs.created_by)"

static void read_run(struct ts_pg_stmt *st, void *out)
{
	struct ts_model_run *r = out;
	char ids[256];
	json_t *a;

	memset(r, 0, sizeof(*r));
	r->id = ts_pg_col_i64(st, 0);
	r->project_id = ts_pg_col_i64(st, 1);
	ts_pg_text_to(st, 2, r->kind, sizeof(r->kind));
	ts_pg_text_to(st, 3, r->strategy, sizeof(r->strategy));
	ts_pg_text_to(st, 4, ids, sizeof(ids));
	a = json_loads(ids, 0, NULL);
	for (size_t i = 0; json_is_array(a) && i < json_array_size(a) && i < TS_RUN_MODELS_MAX;
	     i++)
		r->model_ids[r->n_models++] = json_integer_value(json_array_get(a, i));
	json_decref(a);
	ts_pg_text_to(st, 5, r->criteria, sizeof(r->criteria));
	ts_pg_text_to(st, 6, r->state, sizeof(r->state));
	r->done = ts_pg_col_i64(st, 7);
	r->total = ts_pg_col_i64(st, 8);
	r->failed = ts_pg_col_i64(st, 9);
	ts_pg_text_to(st, 10, r->error, sizeof(r->error));
	r->cancel_requested = ts_pg_col_int(st, 11) != 0;
	r->job_id = ts_pg_col_i64(st, 12);
	r->created_by = ts_pg_col_i64(st, 13);
	r->created_at = ts_pg_col_i64(st, 14);
	r->finished_at = ts_pg_col_i64(st, 15);
	ts_pg_text_to(st, 16, r->created_by_name, sizeof(r->created_by_name));
}

static enum ts_err run_get_c(struct ts_pg_conn *c, int64_t id, struct ts_model_run *out,
			     struct ts_error *err)
{
	struct ts_pg_stmt *st = ts_pg_prepare_i64(c, "SELECT " RUN_COLS " FROM model_runs WHERE id = ?",
					     TS_PG_I64(id), err);
	enum ts_err e;

	if (!st)
		return TS_ERR_IO;
	e = ts_pg_step_row(c, st, "read run", err, "run_not_found", "Run %lld does not exist.",
			   (long long)id);
	if (!e)
		read_run(st, out);
	ts_pg_reset(st);
	return e;
}

static enum ts_err pg_run_create(struct ts_store *s, const struct ts_model_run *in,
				 const char *job_kind, struct ts_model_run *out,
				 struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	int64_t now = ts_time_now_ms(), rid, jid;
	json_t *ids = json_array();
	char *ids_text;
	struct ts_pg_stmt *st;
	enum ts_err e;

	for (size_t i = 0; i < in->n_models; i++)
		json_array_append_new(ids, json_integer(in->model_ids[i]));
	ids_text = json_dumps(ids, JSON_COMPACT);
	json_decref(ids);
	e = ts_pg_begin_in_project(c, 1, in->project_id, err);
	if (e)
		goto out;
	st = ts_pg_prepare(c, "INSERT INTO model_runs(id, project_id, kind, strategy, model_ids, "
			      "criteria, created_by, created_at) VALUES ("
			      TS_PG_NEXT_ID("model_runs") ", ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			   err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	ts_pg_bind_i64(st, 1, in->project_id);
	ts_pg_bind_text(st, 2, in->kind);
	ts_pg_bind_text(st, 3, in->strategy[0] ? in->strategy : NULL);
	ts_pg_bind_text(st, 4, ids_text ? ids_text : "[]");
	ts_pg_bind_text(st, 5, in->criteria[0] ? in->criteria : NULL);
	ts_pg_bind_ref(st, 6, in->created_by);
	ts_pg_bind_i64(st, 7, now);
	e = ts_pg_exec_stmt(c, st, err);
	if (e)
		goto out;
	rid = ts_pg_last_id(c);
	e = ts_pg_job_insert(c, job_kind, rid, now, &jid, err);
	if (!e)
		e = ts_pg_exec_i64(c, "UPDATE model_runs SET job_id = ? WHERE id = ?",
				   TS_PG_I64(jid, rid), err);
	if (!e)
		e = run_get_c(c, rid, out, err);
out:
	free(ids_text);
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_run_get(struct ts_store *s, int64_t id, struct ts_model_run *out,
			      struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);

	return ts_pg_end(s, c, run_get_c(c, id, out, err), err);
}

static enum ts_err pg_run_list(struct ts_store *s, int64_t project_id,
			       struct ts_model_run **out, size_t *n, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_rows rows = { 0 };
	struct ts_pg_stmt *st;
	enum ts_err e;

	e = ts_pg_project_exists(c, project_id, err);
	if (e)
		goto out;
	st = ts_pg_prepare_i64(c, "SELECT " RUN_COLS " FROM model_runs WHERE project_id = ? "
				  "ORDER BY id DESC LIMIT ?",
			       TS_PG_I64(project_id, TS_RUN_LIST_MAX), err);
	e = ts_pg_collect(c, st, sizeof(struct ts_model_run), read_run, 0, &rows, "list runs",
			  err);
out:
	*out = ts_pg_end_rows(s, c, &e, &rows, n, err);
	return e;
}

static enum ts_err pg_run_update(struct ts_store *s, const struct ts_model_run *r,
				 struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	int ended = strcmp(r->state, "queued") != 0 && strcmp(r->state, "running") != 0;
	struct ts_pg_stmt *st;
	enum ts_err e;

	st = ts_pg_prepare(c, "UPDATE model_runs SET state = CASE WHEN state = 'cancelled' "
			      "THEN state ELSE ?1 END, done = ?2, total = ?3, failed = ?4, "
			      "error = ?5, finished_at = CASE WHEN ?6 <> 0 THEN coalesce(finished_at, ?7) "
			      "ELSE NULL END WHERE id = ?8",
			   err);
	if (!st)
		return ts_pg_end(s, c, TS_ERR_IO, err);
	ts_pg_bind_text(st, 1, r->state);
	ts_pg_bind_i64(st, 2, r->done);
	ts_pg_bind_i64(st, 3, r->total);
	ts_pg_bind_i64(st, 4, r->failed);
	ts_pg_bind_text(st, 5, r->error[0] ? r->error : NULL);
	ts_pg_bind_i64(st, 6, ended);
	ts_pg_bind_i64(st, 7, ts_time_now_ms());
	ts_pg_bind_i64(st, 8, r->id);
	e = ts_pg_exec_stmt(c, st, err);
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_run_cancel(struct ts_store *s, int64_t id, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	enum ts_err e;

	e = ts_pg_begin_write(c, err);
	if (!e)
		e = run_get_c(c, id, &(struct ts_model_run){ 0 }, err);
	if (!e)
		e = ts_pg_exec_i64(c, "UPDATE model_runs SET cancel_requested = 1, "
				      "state = CASE WHEN state = 'queued' THEN 'cancelled' ELSE state "
				      "END, finished_at = CASE WHEN state = 'queued' THEN ? ELSE "
				      "finished_at END WHERE id = ? AND state IN ('queued', 'running')",
				   TS_PG_I64(ts_time_now_ms(), id), err);
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_ranks_put(struct ts_store *s, int64_t run_id,
				const struct ts_sampling_rank *ranks, size_t n,
				struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	enum ts_err e;

	e = ts_pg_begin_write(c, err);
	if (!e)
		e = ts_pg_exec_i64(c, "DELETE FROM sampling_ranks WHERE run_id = ?",
				   TS_PG_I64(run_id), err);
	for (size_t i = 0; !e && i < n; i++) {
		struct ts_pg_stmt *st = ts_pg_prepare(c, "INSERT INTO sampling_ranks(run_id, rank, "
						    "asset_id, score) VALUES (?, ?, ?, ?)",
						 err);

		if (!st) {
			e = TS_ERR_IO;
			break;
		}
		ts_pg_bind_i64(st, 1, run_id);
		ts_pg_bind_i64(st, 2, ranks[i].rank);
		ts_pg_bind_i64(st, 3, ranks[i].asset_id);
		ts_pg_bind_double(st, 4, ranks[i].score);
		e = ts_pg_exec_stmt(c, st, err);
	}
	return ts_pg_end(s, c, e, err);
}

static void read_rank(struct ts_pg_stmt *st, void *out)
{
	struct ts_sampling_rank *r = out;

	r->rank = ts_pg_col_i64(st, 0);
	r->asset_id = ts_pg_col_i64(st, 1);
	r->score = ts_pg_col_double(st, 2);
}

static enum ts_err pg_ranks_get(struct ts_store *s, int64_t run_id, int64_t after_rank,
				int limit, struct ts_sampling_rank **out, size_t *n,
				struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_rows rows = { 0 };
	struct ts_pg_stmt *st;
	enum ts_err e;

	st = ts_pg_prepare_i64(c, "SELECT rank, asset_id, score FROM sampling_ranks WHERE "
				  "run_id = ? AND rank > ? ORDER BY rank LIMIT ?",
			       TS_PG_I64(run_id, after_rank, limit), err);
	e = ts_pg_collect(c, st, sizeof(struct ts_sampling_rank), read_rank, 0, &rows,
			  "read ranks", err);
	*out = ts_pg_end_rows(s, c, &e, &rows, n, err);
	return e;
}

static enum ts_err pg_latest_sampling(struct ts_store *s, int64_t project_id,
				      struct ts_model_run *out, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_stmt *st = ts_pg_prepare_i64(c, "SELECT " RUN_COLS " FROM model_runs WHERE "
						"project_id = ? AND kind = 'sampling' AND "
						"state = 'done' ORDER BY id DESC LIMIT 1",
					     TS_PG_I64(project_id), err);
	enum ts_err e;

	if (!st)
		return ts_pg_end(s, c, TS_ERR_IO, err);
	e = ts_pg_step_row(c, st, "read run", err, "run_not_found",
			   "The project has no finished sampling run.");
	if (!e)
		read_run(st, out);
	ts_pg_reset(st);
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_lease_next(struct ts_store *s, int64_t project_id, int64_t user_id,
				 const char *queue, int n, int64_t now, int64_t ttl_ms, int suggested,
				 int64_t run_id, int64_t **ids, size_t *n_ids, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_rows rows = { 0 };
	const int64_t *got;
	struct ts_pg_stmt *st;
	enum ts_err e;

	*ids = NULL;
	*n_ids = 0;
	e = ts_pg_begin_in_project(c, 1, project_id, err);
	if (!e)
		e = ts_pg_exec_i64(c, "DELETE FROM leases WHERE expires_at <= ?", TS_PG_I64(now), err);
	if (e)
		goto out;
	st = ts_pg_prepare_i64(
		c,
		"SELECT n.asset_id FROM annotations n "
		"LEFT JOIN sampling_ranks r ON r.run_id = ?4 AND r.asset_id = n.asset_id "
		"WHERE n.project_id = ?1 AND n.queue = ?6 AND (?4 = 0 OR r.rank IS NOT NULL) "
		"AND (?5 = 0 OR EXISTS (SELECT 1 FROM prediction_suggestions ps "
		"WHERE ps.asset_id = n.asset_id AND ps.status = 'pending')) "
		"AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.asset_id = n.asset_id AND "
		"l.user_id <> ?2) ORDER BY coalesce(r.rank, n.asset_id) LIMIT ?3",
		TS_PG_I64(project_id, user_id, n, run_id, suggested ? 1 : 0), err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	ts_pg_bind_text(st, 6, queue);
	e = ts_pg_collect(c, st, sizeof(int64_t), ts_pg_read_i64, (size_t)n, &rows,
			  "choose a queue batch", err);
	got = rows.items;
	for (size_t i = 0; i < rows.n && !e; i++)
		e = ts_pg_exec_i64(c, "INSERT INTO leases(asset_id, project_id, user_id, expires_at) "
				      "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(asset_id) DO UPDATE SET "
				      "expires_at = excluded.expires_at",
				   TS_PG_I64(got[i], project_id, user_id, now + ttl_ms), err);
out:
	*ids = ts_pg_end_rows(s, c, &e, &rows, n_ids, err);
	return e;
}

const struct ts_store_model_ops ts_pg_model_ops = {
	.lease_next = pg_lease_next,
	.create = pg_create,
	.get = pg_get,
	.get_active = pg_get_active,
	.list = pg_list,
	.set_active = pg_set_active,
	.suggestion_get = pg_suggestion_get,
	.suggestion_get_id = pg_suggestion_get_id,
	.suggestion_put = pg_suggestion_put,
	.suggestion_review = pg_suggestion_review,
	.supersede_older = pg_supersede_older,
	.suggestion_counts = pg_suggestion_counts,
	.candidates = pg_candidates,
	.run_create = pg_run_create,
	.run_get = pg_run_get,
	.run_list = pg_run_list,
	.run_update = pg_run_update,
	.run_cancel = pg_run_cancel,
	.ranks_put = pg_ranks_put,
	.ranks_get = pg_ranks_get,
	.latest_sampling = pg_latest_sampling,
};
