/* Models, suggestions and model runs: /api/v1/projects/{id}/models,
 * /api/v1/assets/{id}/suggestions, /suggestions/batch, /sampling, /runs
 * (service/models.h). */
#include <jansson.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/jsonw.h"
#include "http/multipart.h"
#include "http/req.h"
#include "http/router.h"
#include "http/views.h"
#include "service/models.h"
#include "core/banned.h"

/* ---- views ---- */

static void model_write(struct ts_jsonw *w, const struct ts_model_row *m, const char *cur_hash)
{
	json_t *meta = json_loads(m->metadata ? m->metadata : "{}", 0, NULL);
	int ok = strcmp(m->labels_hash, cur_hash) == 0;
	char *text;

	ts_jsonw_object(w);
	ts_jsonw_kint(w, "id", m->id);
	ts_jsonw_kint(w, "project_id", m->project_id);
	ts_jsonw_kstring(w, "name", m->name);
	ts_jsonw_kstring(w, "task_type", m->task_type);
	ts_jsonw_kstring(w, "labels_hash", m->labels_hash);
	ts_jsonw_kbool(w, "labels_hash_ok", ok);
	ts_jsonw_kstring(w, "warning",
			 ok ? NULL
			    : "The categories changed since this model was trained (a category "
			      "was added or renamed); its suggestions are refused until a model "
			      "trained on a new export is registered.");
	text = json_dumps(json_object_get(meta, "input"), JSON_COMPACT | JSON_PRESERVE_ORDER);
	ts_jsonw_key(w, "input");
	ts_jsonw_raw(w, text ? text : "{}", text ? strlen(text) : 2);
	free(text);
	text = json_dumps(json_object_get(meta, "outputs"), JSON_COMPACT);
	ts_jsonw_key(w, "outputs");
	ts_jsonw_raw(w, text ? text : "[]", text ? strlen(text) : 2);
	free(text);
	json_decref(meta);
	ts_jsonw_kbool(w, "active", m->active);
	ts_jsonw_kint(w, "byte_size", m->byte_size);
	ts_jsonw_kstring(w, "checksum_sha256", m->checksum_sha256);
	ts_jsonw_key(w, "created_by");
	ts_view_user(w, m->created_by_name);
	ts_jsonw_key(w, "created_at");
	ts_view_time(w, m->created_at);
	ts_jsonw_object_end(w);
}

static void send_model(struct ts_req *req, unsigned status, const struct ts_model_row *m)
{
	struct ts_error err = { 0 };
	char hash[TS_MODEL_HASH_SIZE];
	struct ts_jsonw w;
	struct ts_buf b;

	if (ts_svc_categories_hash(req->app, m->project_id, hash, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	ts_view_begin(&w, &b);
	model_write(&w, m, hash);
	ts_view_send(req, status, &w, &b);
}

static void suggestion_write(struct ts_jsonw *w, const struct ts_suggestion *s)
{
	ts_jsonw_object(w);
	ts_jsonw_kint(w, "suggestion_id", s->id);
	ts_jsonw_kint(w, "asset_id", s->asset_id);
	ts_jsonw_kint(w, "project_id", s->project_id);
	ts_jsonw_kint(w, "model_id", s->model_id);
	ts_jsonw_key(w, "payload");
	ts_jsonw_raw(w, s->payload, strlen(s->payload));
	ts_jsonw_key(w, "score");
	ts_jsonw_double(w, s->score);
	ts_jsonw_kstring(w, "status", ts_suggestion_status_name(s->status));
	ts_jsonw_key(w, "created_at");
	ts_view_time(w, s->created_at);
	ts_jsonw_key(w, "chosen_category_ids");
	if (s->chosen)
		ts_jsonw_raw(w, s->chosen, strlen(s->chosen));
	else
		ts_jsonw_null(w);
	ts_jsonw_key(w, "reviewed_by");
	ts_view_user(w, s->reviewed_by_name);
	ts_jsonw_key(w, "reviewed_at");
	if (s->reviewed_at)
		ts_view_time(w, s->reviewed_at);
	else
		ts_jsonw_null(w);
	ts_jsonw_object_end(w);
}

static void run_write(struct ts_jsonw *w, const struct ts_model_run *r,
		      const struct ts_sampling_rank *ranks, size_t n_ranks, int with_ranks)
{
	ts_jsonw_object(w);
	ts_jsonw_kint(w, "id", r->id);
	ts_jsonw_kint(w, "project_id", r->project_id);
	ts_jsonw_kstring(w, "kind", r->kind);
	ts_jsonw_kstring(w, "strategy", r->strategy[0] ? r->strategy : NULL);
	if (r->criteria[0] && strcmp(r->kind, "batch") == 0) {
		ts_jsonw_key(w, "criteria");
		ts_jsonw_raw(w, r->criteria, strlen(r->criteria));
	}
	ts_jsonw_key(w, "model_ids");
	ts_jsonw_array(w);
	for (size_t i = 0; i < r->n_models; i++)
		ts_jsonw_int(w, r->model_ids[i]);
	ts_jsonw_array_end(w);
	ts_jsonw_kstring(w, "state", r->state);
	ts_jsonw_kint(w, "done", r->done);
	ts_jsonw_kint(w, "total", r->total);
	ts_jsonw_kint(w, "failed", r->failed);
	ts_jsonw_kstring(w, "error", r->error[0] ? r->error : NULL);
	ts_jsonw_key(w, "job_id");
	if (r->job_id)
		ts_jsonw_int(w, r->job_id);
	else
		ts_jsonw_null(w);
	if (with_ranks) {
		ts_jsonw_key(w, "ranks");
		ts_jsonw_array(w);
		for (size_t i = 0; i < n_ranks; i++) {
			ts_jsonw_object(w);
			ts_jsonw_kint(w, "rank", ranks[i].rank);
			ts_jsonw_kint(w, "asset_id", ranks[i].asset_id);
			ts_jsonw_key(w, "score");
			ts_jsonw_double(w, ranks[i].score);
			ts_jsonw_object_end(w);
		}
		ts_jsonw_array_end(w);
	}
	ts_jsonw_key(w, "created_by");
	ts_view_user(w, r->created_by_name);
	ts_jsonw_key(w, "created_at");
	ts_view_time(w, r->created_at);
	ts_jsonw_key(w, "finished_at");
	if (r->finished_at)
		ts_view_time(w, r->finished_at);
	else
		ts_jsonw_null(w);
	ts_jsonw_object_end(w);
}

static void send_run(struct ts_req *req, unsigned status, const struct ts_model_run *r)
{
	struct ts_jsonw w;
	struct ts_buf b;

	ts_view_begin(&w, &b);
	run_write(&w, r, NULL, 0, 0);
	ts_view_send(req, status, &w, &b);
}

/* ---- registering a model (multipart: file, metadata) ---- */

struct upload {
	struct ts_req *req;
	struct ts_multipart mp;
	char *part_name;
	struct ts_upload_file f;
	int files, have_file, write_failed, metas, meta_too_long, unknown_field;
	char unknown[64];
	struct ts_buf meta;
	struct ts_error werr;
};

static void upload_free(void *arg)
{
	struct upload *u = arg;

	free(u->part_name);
	ts_upload_file_abort(&u->f);
	ts_buf_release(&u->meta);
	ts_error_release(&u->werr);
	free(u);
}

static int part_begin(void *cls, const char *name, const char *filename, const char *type)
{
	struct upload *u = cls;

	(void)type;
	free(u->part_name);
	u->part_name = name ? ts_xstrdup(name) : NULL;
	if (!name)
		return 0;
	if (strcmp(name, "file") == 0) {
		if (++u->files > 1)
			return 0;
		(void)filename;
		if (ts_svc_model_file_open(u->req->app, &u->f, &u->werr)) {
			u->write_failed = 1;
			return -1;
		}
		u->have_file = 1;
	} else if (strcmp(name, "metadata") == 0) {
		u->metas++;
	} else if (!u->unknown_field) {
		u->unknown_field = 1;
		snprintf(u->unknown, sizeof(u->unknown), "%s", name);
	}
	return 0;
}

static int part_data(void *cls, const char *data, size_t len)
{
	struct upload *u = cls;

	if (!u->part_name)
		return 0;
	if (strcmp(u->part_name, "file") == 0 && u->files == 1 && u->have_file) {
		if (len && ts_upload_file_write(&u->f, data, len, &u->werr)) {
			u->write_failed = 1;
			return -1;
		}
	} else if (strcmp(u->part_name, "metadata") == 0 && u->metas == 1) {
		if (ts_buf_add(&u->meta, data, len))
			u->meta_too_long = 1;
	}
	return 0;
}

static int part_end(void *cls)
{
	(void)cls;
	return 0;
}

static const struct ts_multipart_cb part_cb = { part_begin, part_data, part_end };

static int upload_begin(struct ts_req *req)
{
	const char *ct = ts_req_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
	const char *cl = ts_req_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
	struct ts_project p;
	struct upload *u;

	if (ts_load_project(req, &p))
		return -1;
	if (!ts_svc_models_available(req->app)) {
		ts_req_fail(req, 503, "inference_unavailable",
			    "This server runs no models (ONNX Runtime is not installed).");
		return -1;
	}
	/* A body that cannot fit is refused before a byte of it is read. */
	if (cl && strtoull(cl, NULL, 10) > TS_MODEL_FILE_MAX + TS_MODEL_META_MAX + 65536) {
		ts_req_fail(req, 413, "file_too_large", "A model file may be at most %llu MiB.",
			    (unsigned long long)(TS_MODEL_FILE_MAX >> 20));
		return -1;
	}
	if (!ct || strncasecmp(ct, "multipart/form-data", 19) != 0) {
		ts_req_fail(req, 415, "unsupported_media_type",
			    "Send the model as multipart/form-data with file and metadata parts.");
		return -1;
	}
	u = ts_xcalloc(1, sizeof(*u));
	u->req = req;
	ts_upload_file_init(&u->f);
	ts_buf_init(&u->meta, TS_MODEL_META_MAX);
	ts_req_on_cleanup(req, upload_free, u);
	req->stream = u;
	if (ts_multipart_init(&u->mp, ct, &part_cb, u)) {
		ts_req_fail(req, 400, "invalid_multipart",
			    "The multipart body has no boundary, or a malformed one.");
		return -1;
	}
	return 0;
}

static int upload_data(struct ts_req *req, const char *data, size_t len)
{
	struct upload *u = req->stream;

	if (!u)
		return -1;
	if (ts_multipart_push(&u->mp, data, len) != TS_MULTIPART_OK) {
		if (req->response)
			return -1;
		if (u->write_failed)
			ts_req_error(req, &u->werr);
		else
			ts_req_fail(req, 400, "invalid_multipart", "The multipart body is malformed.");
		return -1;
	}
	return 0;
}

static void model_create(struct ts_req *req)
{
	struct upload *u = req->stream;
	struct ts_error err = { 0 };
	struct ts_model_row m = { 0 };

	if (!u) {
		ts_req_fail(req, 400, "invalid_multipart", "Send the model as multipart/form-data.");
		return;
	}
	if (ts_multipart_finish(&u->mp) != 0 && !u->write_failed) {
		ts_req_fail(req, 400, "incomplete_upload",
			    "The upload ended before the multipart body did (no closing boundary).");
		return;
	}
	if (u->write_failed) {
		ts_req_error(req, &u->werr);
		return;
	}
	if (u->unknown_field) {
		ts_error_set(&err, TS_ERR_INVALID, "unknown_field",
			     "Unknown form field; expected file and metadata.");
		ts_error_details(&err, json_pack("{s:s}", "field", u->unknown));
		ts_req_error(req, &err);
		goto out;
	}
	if (u->files > 1 || u->metas > 1) {
		ts_req_fail(req, 400, "too_many_files", "Send one file and one metadata part.");
		return;
	}
	if (!u->have_file) {
		ts_req_fail(req, 400, "missing_file", "The form has no file part (the .onnx).");
		return;
	}
	if (!u->metas || u->meta_too_long) {
		ts_req_fail(req, 400, "invalid_metadata",
			    u->metas ? "The metadata part is larger than 64 KiB."
				     : "The form has no metadata part.");
		return;
	}
	if (ts_svc_model_register(req->app, req->params[0], req->user.id, u->meta.ptr, u->meta.len,
				  &u->f, &m, &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	send_model(req, 201, &m);
out:
	ts_model_row_release(&m);
	ts_error_release(&err);
}

/* ---- models ---- */

static void model_list(struct ts_req *req)
{
	struct ts_error err = { 0 };
	struct ts_model_row *rows = NULL;
	char hash[TS_MODEL_HASH_SIZE];
	struct ts_jsonw w;
	struct ts_buf b;
	size_t n = 0;

	if (ts_svc_model_list(req->app, req->params[0], &rows, &n, &err) ||
	    ts_svc_categories_hash(req->app, req->params[0], hash, &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	ts_view_begin(&w, &b);
	ts_jsonw_object(&w);
	ts_jsonw_key(&w, "models");
	ts_jsonw_array(&w);
	for (size_t i = 0; i < n; i++)
		model_write(&w, &rows[i], hash);
	ts_jsonw_array_end(&w);
	ts_jsonw_kstring(&w, "categories_hash", hash);
	ts_jsonw_kbool(&w, "inference_available", ts_svc_models_available(req->app));
	ts_jsonw_object_end(&w);
	ts_view_send(req, 200, &w, &b);
out:
	ts_svc_model_rows_free(rows, n);
	ts_error_release(&err);
}

static void model_get(struct ts_req *req)
{
	struct ts_error err = { 0 };
	struct ts_model_row m = { 0 };

	if (ts_svc_model_get(req->app, req->params[0], req->params[1], &m, &err))
		ts_req_error(req, &err);
	else
		send_model(req, 200, &m);
	ts_model_row_release(&m);
	ts_error_release(&err);
}

static void model_patch(struct ts_req *req)
{
	static const char *const keys[] = { "active", NULL };
	json_t *body = ts_req_body_object(req);
	struct ts_error err = { 0 };
	struct ts_model_row m = { 0 };
	int active = 0, present = 0;

	if (!body)
		return;
	if (ts_req_only_fields(req, body, keys) ||
	    ts_req_field_bool(req, body, "active", &active, &present))
		goto out;
	if (!present) {
		ts_req_fail(req, 400, "missing_field", "Send active: true or false.");
		goto out;
	}
	if (ts_svc_model_set_active(req->app, req->params[0], req->params[1], active, &m, &err))
		ts_req_error(req, &err);
	else
		send_model(req, 200, &m);
out:
	ts_model_row_release(&m);
	ts_error_release(&err);
	json_decref(body);
}

/* ---- suggestions ---- */

static void suggestion_get(struct ts_req *req)
{
	const char *sel = ts_req_query(req, "model");
	struct ts_error err = { 0 };
	struct ts_suggestion s = { 0 };
	int64_t model_id = 0;
	struct ts_jsonw w;
	struct ts_buf b;
	int none = 0;

	if (sel && strcmp(sel, "active") != 0) {
		char *end = NULL;
		long long v = strtoll(sel, &end, 10);

		if (!*sel || *end || v < 1 || v > TS_JSON_MAX_SAFE_INT || sel[0] == '0') {
			ts_req_fail(req, 400, "invalid_parameter",
				    "model must be active or a model id.");
			return;
		}
		model_id = v;
	}
	if (ts_svc_suggestion_for(req->app, req->params[0], model_id, &s, &none, &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	ts_view_begin(&w, &b);
	ts_jsonw_object(&w);
	ts_jsonw_key(&w, "suggestion");
	if (none)
		ts_jsonw_null(&w);
	else
		suggestion_write(&w, &s);
	ts_jsonw_object_end(&w);
	ts_view_send(req, 200, &w, &b);
out:
	ts_suggestion_release(&s);
	ts_error_release(&err);
}

static void suggestion_review(struct ts_req *req)
{
	static const char *const keys[] = { "category_ids", NULL };
	json_t *body = ts_req_body_object(req), *ids;
	struct ts_error err = { 0 };
	struct ts_suggestion s = { 0 };
	int64_t *vals = NULL;
	size_t n;
	struct ts_jsonw w;
	struct ts_buf b;

	if (!body)
		return;
	if (ts_req_only_fields(req, body, keys))
		goto out;
	ids = json_object_get(body, "category_ids");
	if (!ids) {
		ts_req_fail(req, 400, "missing_field", "Send category_ids: the label you gave.");
		goto out;
	}
	if (!json_is_array(ids) || json_array_size(ids) > 1000) {
		ts_req_fail(req, 400, "invalid_field",
			    "category_ids must be an array of at most 1000 category ids.");
		goto out;
	}
	n = json_array_size(ids);
	vals = ts_xcalloc(n + 1, sizeof(int64_t));
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_array_get(ids, i);

		if (!json_is_integer(v) || json_integer_value(v) < 1) {
			ts_req_fail(req, 400, "invalid_field",
				    "category_ids must hold category ids (integers from 1).");
			goto out;
		}
		vals[i] = json_integer_value(v);
	}
	if (ts_svc_suggestion_review(req->app, req->params[0], req->params[1], vals, n,
				     req->user.id, &s, &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	ts_view_begin(&w, &b);
	suggestion_write(&w, &s);
	ts_view_send(req, 200, &w, &b);
out:
	free(vals);
	ts_suggestion_release(&s);
	ts_error_release(&err);
	json_decref(body);
}

static void outcomes_write(struct ts_jsonw *w, const int64_t c[5])
{
	ts_jsonw_object(w);
	ts_jsonw_kint(w, "pending", c[0]);
	ts_jsonw_kint(w, "accepted", c[1]);
	ts_jsonw_kint(w, "rejected", c[2]);
	ts_jsonw_kint(w, "overridden", c[4]);
	ts_jsonw_kint(w, "superseded", c[3]);
	ts_jsonw_object_end(w);
}

/* Adds one count row to outcome counts c: by status, and overridden
 * (accepted ones counted in both). */
static void outcomes_add(int64_t c[5], const struct ts_suggestion_count *x)
{
	c[x->status] += x->count;
	if (x->overridden)
		c[4] += x->count;
}

static void suggestion_stats(struct ts_req *req)
{
	struct ts_error err = { 0 };
	struct ts_model_row *models = NULL;
	struct ts_suggestion_count *rows = NULL;
	size_t nm = 0, n = 0;
	struct ts_jsonw w;
	struct ts_buf b;

	if (ts_svc_model_list(req->app, req->params[0], &models, &nm, &err) ||
	    ts_svc_suggestion_counts(req->app, req->params[0], &rows, &n, &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	ts_view_begin(&w, &b);
	ts_jsonw_object(&w);
	ts_jsonw_kint(&w, "project_id", req->params[0]);
	ts_jsonw_key(&w, "models");
	ts_jsonw_array(&w);
	for (size_t i = 0; i < nm; i++) {
		int64_t total[5] = { 0 };

		for (size_t k = 0; k < n; k++)
			if (rows[k].model_id == models[i].id)
				outcomes_add(total, &rows[k]);
		ts_jsonw_object(&w);
		ts_jsonw_kint(&w, "model_id", models[i].id);
		ts_jsonw_kstring(&w, "name", models[i].name);
		ts_jsonw_key(&w, "counts");
		outcomes_write(&w, total);
		ts_jsonw_key(&w, "per_category");
		ts_jsonw_array(&w);
		/* rows come sorted by model, then category */
		for (size_t k = 0; k < n;) {
			int64_t c[5] = { 0 }, cat = rows[k].category_id;
			size_t j = k;

			for (; j < n && rows[j].category_id == cat &&
			       rows[j].model_id == rows[k].model_id;
			     j++)
				outcomes_add(c, &rows[j]);
			if (rows[k].model_id == models[i].id) {
				ts_jsonw_object(&w);
				ts_jsonw_kint(&w, "category_id", cat);
				ts_jsonw_key(&w, "counts");
				outcomes_write(&w, c);
				ts_jsonw_object_end(&w);
			}
			k = j;
		}
		ts_jsonw_array_end(&w);
		ts_jsonw_object_end(&w);
	}
	ts_jsonw_array_end(&w);
	ts_jsonw_object_end(&w);
	ts_view_send(req, 200, &w, &b);
out:
	free(rows);
	ts_svc_model_rows_free(models, nm);
	ts_error_release(&err);
}

/* ---- runs ---- */

static void batch(struct ts_req *req)
{
	static const char *const keys[] = { "model_id", "status", "video_id", "category_id",
					    "limit", NULL };
	static const char *const statuses[] = { "all", "unlabeled", "labeled", "skipped",
						"needs_review", "approved", NULL };
	json_t *body = ts_req_body_object(req);
	struct ts_error err = { 0 };
	struct ts_model_criteria c = { 0 };
	struct ts_model_run r;
	const char *status = "unlabeled";
	int64_t model_id = 0, limit = TS_RUN_LIMIT_DEFAULT;
	int ok = 0;

	if (!body)
		return;
	if (ts_req_only_fields(req, body, keys) ||
	    ts_req_field_int(req, body, "model_id", 1, 1, TS_JSON_MAX_SAFE_INT, &model_id, NULL) ||
	    ts_req_field_string(req, body, "status", 0, &status, NULL) ||
	    ts_req_field_int(req, body, "video_id", 0, 1, TS_JSON_MAX_SAFE_INT, &c.video_id,
			     NULL) ||
	    ts_req_field_int(req, body, "category_id", 0, 1, TS_JSON_MAX_SAFE_INT,
			     &c.category_id, NULL) ||
	    ts_req_field_int(req, body, "limit", 0, 1, TS_RUN_LIMIT_MAX, &limit, NULL))
		goto out;
	for (size_t i = 0; statuses[i] && !ok; i++)
		ok = strcmp(status, statuses[i]) == 0;
	if (!ok) {
		ts_req_fail(req, 400, "invalid_status",
			    "The status must be all, unlabeled, labeled, skipped, needs_review or "
			    "approved.");
		goto out;
	}
	c.status = strcmp(status, "all") == 0 ? NULL : status;
	c.limit = limit;
	if (ts_svc_batch_start(req->app, req->params[0], req->user.id, model_id, &c, &r, &err))
		ts_req_error(req, &err);
	else
		send_run(req, 202, &r);
out:
	ts_error_release(&err);
	json_decref(body);
}

static void sampling(struct ts_req *req)
{
	static const char *const keys[] = { "strategy", "model_ids", "limit", NULL };
	json_t *body = ts_req_body_object(req), *ids;
	struct ts_error err = { 0 };
	struct ts_model_run r;
	const char *strategy = NULL;
	int64_t model_ids[TS_RUN_MODELS_MAX], limit = TS_SAMPLING_LIMIT_DEFAULT;
	size_t n = 0;

	if (!body)
		return;
	if (ts_req_only_fields(req, body, keys) ||
	    ts_req_field_string(req, body, "strategy", 1, &strategy, NULL) ||
	    ts_req_field_int(req, body, "limit", 0, 1, TS_RUN_LIMIT_MAX, &limit, NULL))
		goto out;
	ids = json_object_get(body, "model_ids");
	if (ids) {
		if (!json_is_array(ids) || json_array_size(ids) > TS_RUN_MODELS_MAX) {
			ts_req_fail(req, 400, "invalid_field",
				    "model_ids must be an array of at most 8 model ids.");
			goto out;
		}
		for (; n < json_array_size(ids); n++) {
			json_t *v = json_array_get(ids, n);

			if (!json_is_integer(v) || json_integer_value(v) < 1) {
				ts_req_fail(req, 400, "invalid_field",
					    "model_ids must hold model ids.");
				goto out;
			}
			model_ids[n] = json_integer_value(v);
		}
	}
	if (ts_svc_sampling_start(req->app, req->params[0], req->user.id, strategy, model_ids, n,
				  limit, &r, &err))
		ts_req_error(req, &err);
	else
		send_run(req, 202, &r);
out:
	ts_error_release(&err);
	json_decref(body);
}

static void run_list(struct ts_req *req)
{
	struct ts_error err = { 0 };
	struct ts_model_run *runs = NULL;
	struct ts_jsonw w;
	struct ts_buf b;
	size_t n = 0;

	if (ts_svc_run_list(req->app, req->params[0], &runs, &n, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	ts_view_begin(&w, &b);
	ts_jsonw_object(&w);
	ts_jsonw_key(&w, "runs");
	ts_jsonw_array(&w);
	for (size_t i = 0; i < n; i++)
		run_write(&w, &runs[i], NULL, 0, 0);
	ts_jsonw_array_end(&w);
	ts_jsonw_object_end(&w);
	free(runs);
	ts_view_send(req, 200, &w, &b);
}

static void run_get(struct ts_req *req)
{
	struct ts_error err = { 0 };
	struct ts_model_run r;
	struct ts_sampling_rank *ranks = NULL;
	size_t n = 0;
	int with = 0;
	struct ts_jsonw w;
	struct ts_buf b;

	if (ts_svc_run_get(req->app, req->params[0], req->params[1], &r, &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	if (strcmp(r.kind, "sampling") == 0 && strcmp(r.state, "done") == 0) {
		with = 1;
		if (ts_svc_run_ranks(req->app, r.id, 0, TS_RUN_RANKS_SHOWN, &ranks, &n, &err)) {
			ts_req_error(req, &err);
			goto out;
		}
	}
	ts_view_begin(&w, &b);
	run_write(&w, &r, ranks, n, with);
	ts_view_send(req, 200, &w, &b);
out:
	free(ranks);
	ts_error_release(&err);
}

static void run_cancel(struct ts_req *req)
{
	struct ts_error err = { 0 };
	struct ts_model_run r;

	if (ts_svc_run_cancel(req->app, req->params[0], req->params[1], &r, &err))
		ts_req_error(req, &err);
	else
		send_run(req, 200, &r);
	ts_error_release(&err);
}

const struct ts_route ts_routes_models[] = {
	{ "GET", "/api/v1/projects/{id}/models", TS_ROUTE_IN_PROJECT | TS_ROUTE_LABELER,
	  model_list, NULL, NULL },
	{ "POST", "/api/v1/projects/{id}/models",
	  TS_ROUTE_STREAM | TS_ROUTE_LARGE | TS_ROUTE_IN_PROJECT | TS_ROUTE_MANAGER, model_create,
	  upload_begin, upload_data },
	{ "GET", "/api/v1/projects/{id}/models/{id}", TS_ROUTE_IN_PROJECT | TS_ROUTE_LABELER,
	  model_get, NULL, NULL },
	{ "PATCH", "/api/v1/projects/{id}/models/{id}", TS_ROUTE_IN_PROJECT | TS_ROUTE_MANAGER,
	  model_patch, NULL, NULL },
	{ "GET", "/api/v1/assets/{id}/suggestions", TS_ROUTE_IN_ASSET | TS_ROUTE_LABELER,
	  suggestion_get, NULL, NULL },
	{ "POST", "/api/v1/assets/{id}/suggestions/{id}/review", TS_ROUTE_IN_ASSET | TS_ROUTE_LABELER,
	  suggestion_review, NULL, NULL },
	{ "GET", "/api/v1/projects/{id}/suggestions/stats", TS_ROUTE_IN_PROJECT | TS_ROUTE_LABELER,
	  suggestion_stats, NULL, NULL },
	{ "POST", "/api/v1/projects/{id}/suggestions/batch", TS_ROUTE_IN_PROJECT | TS_ROUTE_MANAGER,
	  batch, NULL, NULL },
	{ "POST", "/api/v1/projects/{id}/sampling", TS_ROUTE_IN_PROJECT | TS_ROUTE_MANAGER,
	  sampling, NULL, NULL },
	{ "GET", "/api/v1/projects/{id}/runs", TS_ROUTE_IN_PROJECT | TS_ROUTE_LABELER, run_list,
	  NULL, NULL },
	{ "GET", "/api/v1/projects/{id}/runs/{id}", TS_ROUTE_IN_PROJECT | TS_ROUTE_LABELER,
	  run_get, NULL, NULL },
	{ "POST", "/api/v1/projects/{id}/runs/{id}/cancel", TS_ROUTE_IN_PROJECT | TS_ROUTE_MANAGER,
	  run_cancel, NULL, NULL },
	{ 0 },
};
