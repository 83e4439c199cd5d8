/* Model-assisted labeling (service/models.h). */
#include "service/models.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/time.h"
#include "domain/sampling.h"
#include "export/coco.h"
#include "infer/onnx_check.h"
#include "infer/ort.h"
#include "infer/sessions.h"
#include "service/ingest.h"
#include "jobs/jobs.h"
#include "media/image.h"
#include "service/projects.h"
#include "storage/blobs.h"
#include "storage/remote.h"
#include "store/store_assets.h"
#include "store/store_projects.h"
#include "core/banned.h"

struct ts_models {
	struct ts_ort *ort; /* NULL without ONNX Runtime */
	struct ts_sessions *sessions;
};

struct ts_models *ts_svc_models_new(void)
{
	struct ts_models *m = ts_xcalloc(1, sizeof(*m));
	struct ts_error err = { 0 };

	m->ort = ts_ort_open(NULL, &err);
	if (m->ort)
		ts_log_info("models: ONNX Runtime %s loaded", ts_ort_version(m->ort));
	else
		ts_log_info("models: %s; model features answer 503", err.message);
	ts_error_release(&err);
	m->sessions = ts_sessions_new(m->ort);
	return m;
}

void ts_svc_models_free(struct ts_models *m)
{
	if (!m)
		return;
	ts_sessions_free(m->sessions);
	ts_ort_close(m->ort);
	free(m);
}

int ts_svc_models_available(struct ts_app *app)
{
	return app->models && app->models->ort;
}

size_t ts_svc_models_sessions(struct ts_app *app)
{
	return app->models ? ts_sessions_count(app->models->sessions) : 0;
}

static enum ts_err unavailable(struct ts_error *err)
{
	return ts_error_set(err, TS_ERR_UNAVAILABLE, "inference_unavailable",
			    "This server runs no models (ONNX Runtime is not installed; "
			    "scripts/install-deps installs it).");
}

enum ts_err ts_svc_model_file_open(struct ts_app *app, struct ts_upload_file *f,
				   struct ts_error *err)
{
	enum ts_err e = ts_blob_writer_open(&f->w, app->cfg.data_dir, TS_MODEL_FILE_MAX, err);

	f->open = e == TS_OK;
	return e;
}

/* Reads a whole file of at most max bytes; *out malloc'd. */
static enum ts_err read_file(const char *path, uint64_t max, void **out, size_t *len,
			     struct ts_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;
	size_t got = 0;

	*out = NULL;
	*len = 0;
	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		return ts_error_set(err, TS_ERR_IO, "read_failed", "cannot read the model: %s",
				    strerror(errno));
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return ts_error_set(err, TS_ERR_TOO_LARGE, "file_too_large",
				    "The model file is larger than %llu MiB.",
				    (unsigned long long)(max >> 20));
	}
	buf = ts_xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(buf);
			close(fd);
			return ts_error_set(err, TS_ERR_IO, "read_failed", "cannot read the model");
		}
		got += (size_t)r;
	}
	close(fd);
	*out = buf;
	*len = got;
	return TS_OK;
}

/* The loaded model must take the metadata's input and give its outputs. */
static enum ts_err check_io(struct ts_ort_session *s, const struct ts_model_meta *m,
			    struct ts_error *err)
{
	struct ts_ort_tensor_info in, out;
	size_t n_in = 0, n_out = 0, count = 1;
	int64_t want[4];
	enum ts_err e;

	e = ts_ort_session_io(s, &n_in, &n_out, &in, &out, err);
	if (e)
		return e;
	ts_model_input_shape(&m->input, want);
	if (n_in != 1 || !in.is_tensor || !in.is_float)
		return ts_error_set(err, TS_ERR_INVALID, "model_input_mismatch",
				    "The model must take one float tensor as its input.");
	for (size_t i = 0; i < in.ndims && i < TS_ORT_MAX_DIMS; i++)
		if (in.dims[i] < 0)
			return ts_error_set(err, TS_ERR_INVALID, "model_input_mismatch",
					    "The model's input has dynamic dimensions; export it "
					    "with a fixed %s shape [%lld, %lld, %lld, %lld].",
					    m->input.nhwc ? "nhwc" : "nchw", (long long)want[0],
					    (long long)want[1], (long long)want[2],
					    (long long)want[3]);
	if (in.ndims != 4 || in.dims[0] != want[0] || in.dims[1] != want[1] ||
	    in.dims[2] != want[2] || in.dims[3] != want[3]) {
		char got[160] = "";
		size_t used = 0;

		for (size_t i = 0; i < in.ndims && i < TS_ORT_MAX_DIMS && used < sizeof(got) - 24;
		     i++)
			used += (size_t)snprintf(got + used, sizeof(got) - used, "%s%lld",
						 i ? ", " : "", (long long)in.dims[i]);
		return ts_error_set(err, TS_ERR_INVALID, "model_input_mismatch",
				    "The model's input is [%s]; the metadata (%s, %dx%d) "
				    "needs [%lld, %lld, %lld, %lld].",
				    got, m->input.nhwc ? "nhwc" : "nchw", m->input.width,
				    m->input.height, (long long)want[0], (long long)want[1],
				    (long long)want[2], (long long)want[3]);
	}
	if (!out.is_tensor || !out.is_float)
		return ts_error_set(err, TS_ERR_INVALID, "model_output_mismatch",
				    "The model's first output must be a float tensor of scores.");
	for (size_t i = 0; i < out.ndims && i < TS_ORT_MAX_DIMS; i++) {
		if (out.dims[i] < 0)
			continue; /* a batch dimension left dynamic */
		/* Absurd declared sizes saturate instead of wrapping round to a
		 * plausible count (a mismatch all the same). */
		if (out.dims[i] && count > SIZE_MAX / (uint64_t)out.dims[i])
			count = SIZE_MAX;
		else
			count *= (size_t)out.dims[i];
	}
	if (out.ndims > TS_ORT_MAX_DIMS || count != m->n_outputs)
		return ts_error_set(err, TS_ERR_INVALID, "model_output_mismatch",
				    "The model gives %zu scores; the metadata's outputs names %zu "
				    "categories.",
				    count, m->n_outputs);
	return TS_OK;
}

/* The project's categories, sorted by id, hashed as the export does. */
enum ts_err ts_svc_categories_hash(struct ts_app *app, int64_t project_id,
				   char out[TS_MODEL_HASH_SIZE], struct ts_error *err)
{
	struct ts_category *cats = NULL;
	struct ts_coco_category *cc;
	size_t n = 0, k = 0;
	enum ts_err e;

	e = ts_svc_category_list(app, project_id, 1, &cats, &n, err);
	if (e)
		return e;
	cc = ts_xcalloc(n ? n : 1, sizeof(*cc));
	for (size_t i = 0; i < n; i++) {
		if (strcmp(cats[i].state, "deleted") == 0)
			continue;
		cc[k].id = cats[i].id;
		cc[k].name = cats[i].name;
		k++;
	}
	_Static_assert(TS_MODEL_HASH_SIZE >= TS_COCO_PREFIXED_HASH_SIZE, "hash size");
	e = ts_coco_categories_hash(cc, k, out, err);
	free(cc);
	free(cats);
	return e;
}

/* Every category the outputs name is one of the project's (not deleted). */
static enum ts_err check_outputs(struct ts_app *app, int64_t project_id,
				 const struct ts_model_meta *m, struct ts_error *err)
{
	struct ts_category *cats = NULL;
	size_t n = 0;
	enum ts_err e = ts_svc_category_list(app, project_id, 1, &cats, &n, err);

	for (size_t i = 0; !e && i < m->n_outputs; i++) {
		int found = 0;

		for (size_t k = 0; k < n && !found; k++)
			found = cats[k].id == m->outputs[i] && strcmp(cats[k].state, "deleted") != 0;
		if (!found)
			e = ts_error_set(err, TS_ERR_INVALID, "invalid_metadata",
					 "The model metadata outputs name category %lld, which this "
					 "project does not have.",
					 (long long)m->outputs[i]);
	}
	free(cats);
	return e;
}

enum ts_err ts_svc_model_register(struct ts_app *app, int64_t project_id, int64_t user_id,
				  const char *meta, size_t meta_len, struct ts_upload_file *f,
				  struct ts_model_row *out, struct ts_error *err)
{
	struct ts_model_meta m;
	struct ts_project p;
	struct ts_onnx_header hdr;
	struct ts_ort_session *s = NULL;
	char hex[TS_SHA256_HEX_SIZE];
	char *meta_json = NULL;
	void *bytes = NULL;
	size_t len = 0;
	enum ts_err e;

	memset(out, 0, sizeof(*out));
	e = ts_model_meta_parse(meta, meta_len, &m, err);
	if (!e)
		e = ts_svc_project_get(app, project_id, &p, err);
	if (!e && strcmp(p.task_type, m.task_type) != 0)
		e = ts_error_set(err, TS_ERR_INVALID, "invalid_metadata",
				 "The model is for %s; this project is %s.", m.task_type,
				 p.task_type);
	if (!e)
		e = check_outputs(app, project_id, &m, err);
	if (!e && !ts_svc_models_available(app))
		e = unavailable(err);
	if (!e)
		e = ts_blob_writer_finish(&f->w, hex, err);
	if (!e && f->w.bytes == 0)
		e = ts_error_set(err, TS_ERR_INVALID, "invalid_model", "The model file is empty.");
	if (!e)
		e = read_file(f->w.tmp_path, TS_MODEL_FILE_MAX, &bytes, &len, err);
	if (!e)
		e = ts_onnx_check(bytes, len, &hdr, err);
	if (!e)
		e = ts_ort_session_new(app->models->ort, bytes, len, &s, err);
	if (!e)
		e = check_io(s, &m, err);
	if (!e)
		e = ts_blob_commit(app->cfg.data_dir, f->w.tmp_path, hex, err);
	if (!e) {
		struct ts_model_new in = { project_id, user_id, m.name, m.task_type, m.labels_hash,
					   NULL, hex, (int64_t)len };

		f->w.tmp_path[0] = '\0'; /* committed: nothing to remove */
		meta_json = ts_model_meta_json(&m);
		in.metadata = meta_json;
		e = ts_store_model_create(app->store, &in, out, err);
	}
	ts_ort_session_free(s);
	free(bytes);
	free(meta_json);
	ts_model_meta_release(&m);
	ts_upload_file_abort(f);
	return e;
}

void ts_svc_model_release(struct ts_model_row *m)
{
	ts_model_row_release(m);
}

void ts_svc_suggestion_release(struct ts_suggestion *s)
{
	ts_suggestion_release(s);
}

void ts_svc_model_rows_free(struct ts_model_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ts_model_row_release(&rows[i]);
	free(rows);
}

enum ts_err ts_svc_model_list(struct ts_app *app, int64_t project_id, struct ts_model_row **out,
			      size_t *n, struct ts_error *err)
{
	return ts_store_model_list(app->store, project_id, out, n, err);
}

enum ts_err ts_svc_model_get(struct ts_app *app, int64_t project_id, int64_t model_id,
			     struct ts_model_row *out, struct ts_error *err)
{
	enum ts_err e = ts_store_model_get(app->store, model_id, out, err);

	if (!e && out->project_id != project_id) {
		ts_model_row_release(out);
		e = ts_error_set(err, TS_ERR_NOT_FOUND, "model_not_found",
				 "Model %lld does not exist in this project.", (long long)model_id);
	}
	return e;
}

enum ts_err ts_svc_model_set_active(struct ts_app *app, int64_t project_id, int64_t model_id,
				    int active, struct ts_model_row *out, struct ts_error *err)
{
	enum ts_err e = ts_store_model_set_active(app->store, project_id, model_id, active, err);

	return e ? e : ts_svc_model_get(app, project_id, model_id, out, err);
}

/* ---- inference ---- */

struct loader {
	struct ts_app *app;
	const char *checksum;
};

static enum ts_err load_blob(void *ctx, int64_t model_id, void **bytes, size_t *len,
			     struct ts_error *err)
{
	struct loader *l = ctx;
	char path[TS_BLOB_PATH_MAX];

	(void)model_id;
	enum ts_err e;

	if (ts_blob_path(l->app->cfg.data_dir, l->checksum, path, sizeof(path)))
		return ts_error_set(err, TS_ERR_INTERNAL, "read_failed", "bad model checksum");
	e = ts_blob_remote_get() ? ts_blob_remote_ensure(l->app->cfg.data_dir, path, l->checksum, err)
				 : TS_OK;
	return e ? e : read_file(path, TS_MODEL_FILE_MAX, bytes, len, err);
}

/* A model ready to run: its row and parsed metadata. */
struct runner {
	struct ts_model_row row;
	struct ts_model_meta meta;
	float *input;
	float *raw;
	struct ts_model_score *scores;
};

static enum ts_err runner_open(struct ts_app *app, const struct ts_model_row *row,
			       struct runner *r, struct ts_error *err)
{
	enum ts_err e;

	memset(r, 0, sizeof(*r));
	r->row = *row;
	r->row.metadata = NULL;
	e = ts_model_meta_parse(row->metadata, strlen(row->metadata), &r->meta, err);
	if (e)
		return ts_error_set(err, TS_ERR_INTERNAL, "internal_error",
				    "The stored metadata of model %lld does not read.",
				    (long long)row->id);
	(void)app;
	r->input = ts_xcalloc((size_t)r->meta.input.width * (size_t)r->meta.input.height * 3,
			      sizeof(float));
	r->raw = ts_xcalloc(r->meta.n_outputs, sizeof(float));
	r->scores = ts_xcalloc(r->meta.n_outputs, sizeof(*r->scores));
	return TS_OK;
}

static void runner_close(struct runner *r)
{
	ts_model_meta_release(&r->meta);
	free(r->input);
	free(r->raw);
	free(r->scores);
}

/* Runs r on the image with checksum; r->scores filled best first. */
static enum ts_err runner_predict(struct ts_app *app, struct runner *r, const char *checksum,
				  struct ts_error *err)
{
	const struct ts_model_input *mi = &r->meta.input;
	struct ts_media_tensor_spec spec = { mi->width, mi->height, mi->bgr, mi->nhwc, mi->scale,
					     { mi->mean[0], mi->mean[1], mi->mean[2] },
					     { mi->std[0], mi->std[1], mi->std[2] } };
	struct loader l = { app, r->row.checksum_sha256 };
	struct ts_image_limits lim;
	struct ts_ort_session *s = NULL;
	char path[TS_BLOB_PATH_MAX];
	int64_t dims[4];
	enum ts_err e;

	if (!ts_svc_models_available(app))
		return unavailable(err);
	if (ts_blob_path(app->cfg.data_dir, checksum, path, sizeof(path)))
		return ts_error_set(err, TS_ERR_INTERNAL, "read_failed", "bad image checksum");
	e = ts_blob_remote_get() ? ts_blob_remote_ensure(app->cfg.data_dir, path, checksum, err)
				 : TS_OK;
	if (e)
		return e;
	ts_ingest_limits(&app->cfg, &lim);
	e = ts_media_image_tensor(path, &lim, ts_ingest_budget(app->ingest), &spec, r->input, err);
	if (e)
		return e;
	e = ts_sessions_acquire(app->models->sessions, r->row.id, load_blob, &l, &s, err);
	if (e)
		return e;
	ts_model_input_shape(mi, dims);
	e = ts_ort_run(s, r->input, dims, 4, r->raw, r->meta.n_outputs, err);
	ts_sessions_release(app->models->sessions, s);
	if (!e)
		ts_model_scores(r->raw, r->meta.outputs, r->meta.n_outputs, r->scores);
	return e;
}

/* The payload of a suggestion from r->scores. */
static char *suggestion_payload(const struct runner *r)
{
	json_t *o = json_object(), *ids = json_array(), *scores = json_array();
	int multi = strcmp(r->meta.task_type, "classification_multi") == 0;
	char *s;

	for (size_t i = 0; i < r->meta.n_outputs; i++) {
		if (i == 0 || (multi && r->scores[i].score >= 0.5))
			json_array_append_new(ids, json_integer(r->scores[i].category_id));
		json_array_append_new(scores,
				      json_pack("{s:I, s:f}", "category_id",
						(json_int_t)r->scores[i].category_id, "score",
						r->scores[i].score));
	}
	json_object_set_new(o, "type", json_string("classification"));
	json_object_set_new(o, "category_ids", ids);
	json_object_set_new(o, "scores", scores);
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!s)
		ts_die("out of memory");
	return s;
}

/* CONFLICT "labels_hash_mismatch" when the model was trained on other
 * categories than the project's current ones. */
static enum ts_err check_labels(struct ts_app *app, const struct ts_model_row *m,
				struct ts_error *err)
{
	char cur[TS_MODEL_HASH_SIZE];
	enum ts_err e = ts_svc_categories_hash(app, m->project_id, cur, err);

	if (e || strcmp(cur, m->labels_hash) == 0)
		return e;
	ts_error_set(err, TS_ERR_CONFLICT, "labels_hash_mismatch",
		     "Model %lld was trained on other categories than the project's current ones "
		     "(a category was added or renamed since); register a model trained on a "
		     "new export.",
		     (long long)m->id);
	ts_error_details(err, json_pack("{s:s, s:s}", "model_labels_hash", m->labels_hash,
					"categories_hash", cur));
	return TS_ERR_CONFLICT;
}

static enum ts_err active_model(struct ts_app *app, int64_t project_id, struct ts_model_row *out,
				int *none, struct ts_error *err)
{
	enum ts_err e = ts_store_model_get_active(app->store, project_id, out, err);

	*none = e == TS_ERR_NOT_FOUND;
	if (*none) {
		ts_error_release(err);
		if (err)
			memset(err, 0, sizeof(*err));
		memset(out, 0, sizeof(*out));
		return TS_OK;
	}
	return e;
}

enum ts_err ts_svc_suggestion_for(struct ts_app *app, int64_t asset_id, int64_t model_id,
				  struct ts_suggestion *out, int *none, struct ts_error *err)
{
	struct ts_asset a;
	struct ts_model_row m = { 0 };
	struct runner r = { 0 };
	char *payload = NULL;
	int have_runner = 0;
	enum ts_err e;

	memset(out, 0, sizeof(*out));
	*none = 0;
	e = ts_store_asset_get(app->store, asset_id, &a, err);
	if (e)
		return e;
	if (model_id == 0) {
		e = active_model(app, a.project_id, &m, none, err);
		if (e || *none)
			goto out;
	} else {
		e = ts_svc_model_get(app, a.project_id, model_id, &m, err);
		if (e)
			goto out;
	}
	e = check_labels(app, &m, err);
	if (e)
		goto out;
	/* The stored suggestion, whatever its status: a labeler comes back
	 * to the same answer. */
	e = ts_store_suggestion_get(app->store, asset_id, m.id, out, err);
	if (e != TS_ERR_NOT_FOUND)
		goto out;
	ts_error_release(err);
	if (err)
		memset(err, 0, sizeof(*err));
	if (strcmp(a.decode_state, "damaged") == 0) {
		e = ts_error_set(err, TS_ERR_UNPROCESSABLE, "damaged_image",
				 "The image does not decode: %s", a.damage_reason);
		goto out;
	}
	e = runner_open(app, &m, &r, err);
	if (e)
		goto out;
	have_runner = 1;
	e = runner_predict(app, &r, a.checksum_sha256, err);
	if (e)
		goto out;
	payload = suggestion_payload(&r);
	{
		struct ts_suggestion_new in = { asset_id, a.project_id, m.id, payload,
						r.scores[0].category_id, r.scores[0].score, 0 };

		e = ts_store_suggestion_put(app->store, &in, out, err);
	}
out:
	free(payload);
	if (have_runner)
		runner_close(&r);
	ts_model_row_release(&m);
	return e;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

enum ts_err ts_svc_suggestion_review(struct ts_app *app, int64_t asset_id, int64_t suggestion_id,
				     const int64_t *ids, size_t n, int64_t user_id,
				     struct ts_suggestion *out, struct ts_error *err)
{
	struct ts_suggestion cur = { 0 };
	json_t *payload = NULL, *suggested, *chosen = json_array();
	int64_t *want = NULL, *got = NULL;
	size_t nwant;
	char *chosen_text = NULL;
	int same;
	enum ts_err e;

	e = ts_store_suggestion_get_id(app->store, suggestion_id, &cur, err);
	if (!e && cur.asset_id != asset_id)
		e = ts_error_set(err, TS_ERR_NOT_FOUND, "suggestion_not_found",
				 "There is no such suggestion for this image.");
	if (e)
		goto out;
	payload = json_loads(cur.payload, 0, NULL);
	suggested = json_object_get(payload, "category_ids");
	nwant = json_array_size(suggested);
	want = ts_xcalloc(nwant + 1, sizeof(int64_t));
	for (size_t i = 0; i < nwant; i++)
		want[i] = json_integer_value(json_array_get(suggested, i));
	got = ts_xcalloc(n + 1, sizeof(int64_t));
	memcpy(got, ids, n * sizeof(int64_t));
	qsort(want, nwant, sizeof(int64_t), cmp_i64);
	qsort(got, n, sizeof(int64_t), cmp_i64);
	same = n > 0 && n == nwant && memcmp(want, got, n * sizeof(int64_t)) == 0;
	for (size_t i = 0; i < n; i++)
		json_array_append_new(chosen, json_integer(ids[i]));
	chosen_text = json_dumps(chosen, JSON_COMPACT);
	e = ts_store_suggestion_review(app->store, suggestion_id,
				       same ? TS_SUGGESTION_ACCEPTED : TS_SUGGESTION_REJECTED,
				       chosen_text ? chosen_text : "[]", user_id, out, err);
out:
	free(chosen_text);
	free(want);
	free(got);
	json_decref(chosen);
	json_decref(payload);
	ts_suggestion_release(&cur);
	return e;
}

enum ts_err ts_svc_suggestion_counts(struct ts_app *app, int64_t project_id,
				     struct ts_suggestion_count **out, size_t *n,
				     struct ts_error *err)
{
	return ts_store_suggestion_counts(app->store, project_id, out, n, err);
}

/* ---- runs ---- */

enum ts_err ts_svc_batch_start(struct ts_app *app, int64_t project_id, int64_t user_id,
			       int64_t model_id, const struct ts_model_criteria *c,
			       struct ts_model_run *out, struct ts_error *err)
{
	struct ts_model_row m = { 0 };
	struct ts_model_run in = { 0 };
	json_t *crit = json_object();
	char *text;
	enum ts_err e;

	e = ts_svc_model_get(app, project_id, model_id, &m, err);
	if (!e)
		e = check_labels(app, &m, err);
	if (!e && !ts_svc_models_available(app))
		e = unavailable(err);
	ts_model_row_release(&m);
	if (e) {
		json_decref(crit);
		return e;
	}
	json_object_set_new(crit, "status", json_string(c->status ? c->status : "all"));
	if (c->video_id)
		json_object_set_new(crit, "video_id", json_integer(c->video_id));
	if (c->category_id)
		json_object_set_new(crit, "category_id", json_integer(c->category_id));
	json_object_set_new(crit, "limit", json_integer(c->limit));
	text = json_dumps(crit, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(crit);
	in.project_id = project_id;
	snprintf(in.kind, sizeof(in.kind), "batch");
	in.model_ids[0] = model_id;
	in.n_models = 1;
	snprintf(in.criteria, sizeof(in.criteria), "%s", text ? text : "{}");
	free(text);
	in.created_by = user_id;
	e = ts_store_run_create(app->store, &in, TS_JOB_MODEL_BATCH, out, err);
	if (!e)
		ts_jobs_notify(app->jobs, TS_JOB_MODEL_BATCH);
	return e;
}

enum ts_err ts_svc_sampling_start(struct ts_app *app, int64_t project_id, int64_t user_id,
				  const char *strategy, const int64_t *model_ids, size_t n,
				  int64_t limit, struct ts_model_run *out, struct ts_error *err)
{
	int st = ts_sampling_parse(strategy);
	struct ts_model_run in = { 0 };
	size_t lo, hi;
	enum ts_err e = TS_OK;

	if (st < 0)
		return ts_error_set(err, TS_ERR_INVALID, "invalid_strategy",
				    "The strategy must be entropy, margin, disagreement or "
				    "coverage.");
	ts_sampling_models((enum ts_sampling_strategy)st, &lo, &hi);
	in.project_id = project_id;
	snprintf(in.kind, sizeof(in.kind), "sampling");
	snprintf(in.strategy, sizeof(in.strategy), "%s", strategy);
	if (n == 0 && lo == 1) {
		struct ts_model_row m = { 0 };
		int none = 1;

		e = active_model(app, project_id, &m, &none, err);
		if (e)
			return e;
		if (none)
			return ts_error_set(err, TS_ERR_INVALID, "invalid_strategy",
					    "The project has no active model: name one in "
					    "model_ids.");
		in.model_ids[in.n_models++] = m.id;
		ts_model_row_release(&m);
	} else {
		if (n < lo || n > hi)
			return ts_error_set(err, TS_ERR_INVALID, "invalid_strategy",
					    lo == hi && lo == 0
						    ? "The coverage strategy takes no model."
						    : lo == hi ? "The %s strategy takes one model."
							       : "The %s strategy takes 2 to 8 models.",
					    strategy);
		for (size_t i = 0; i < n; i++)
			in.model_ids[in.n_models++] = model_ids[i];
	}
	for (size_t i = 0; i < in.n_models && !e; i++) {
		struct ts_model_row m = { 0 };

		for (size_t j = 0; j < i; j++)
			if (in.model_ids[j] == in.model_ids[i])
				return ts_error_set(err, TS_ERR_INVALID, "invalid_strategy",
						    "model_ids names a model twice.");
		e = ts_svc_model_get(app, project_id, in.model_ids[i], &m, err);
		if (!e)
			e = check_labels(app, &m, err);
		ts_model_row_release(&m);
	}
	if (!e && in.n_models && !ts_svc_models_available(app))
		e = unavailable(err);
	if (e)
		return e;
	snprintf(in.criteria, sizeof(in.criteria), "{\"limit\":%lld}", (long long)limit);
	in.created_by = user_id;
	e = ts_store_run_create(app->store, &in, TS_JOB_MODEL_SAMPLING, out, err);
	if (!e)
		ts_jobs_notify(app->jobs, TS_JOB_MODEL_SAMPLING);
	return e;
}

enum ts_err ts_svc_run_get(struct ts_app *app, int64_t project_id, int64_t run_id,
			   struct ts_model_run *out, struct ts_error *err)
{
	enum ts_err e = ts_store_run_get(app->store, run_id, out, err);

	if (!e && out->project_id != project_id)
		e = ts_error_set(err, TS_ERR_NOT_FOUND, "run_not_found",
				 "Run %lld does not exist in this project.", (long long)run_id);
	return e;
}

enum ts_err ts_svc_run_list(struct ts_app *app, int64_t project_id, struct ts_model_run **out,
			    size_t *n, struct ts_error *err)
{
	return ts_store_run_list(app->store, project_id, out, n, err);
}

enum ts_err ts_svc_run_cancel(struct ts_app *app, int64_t project_id, int64_t run_id,
			      struct ts_model_run *out, struct ts_error *err)
{
	enum ts_err e = ts_svc_run_get(app, project_id, run_id, out, err);

	if (!e)
		e = ts_store_run_cancel(app->store, run_id, err);
	if (!e)
		e = ts_svc_run_get(app, project_id, run_id, out, err);
	return e;
}

enum ts_err ts_svc_run_ranks(struct ts_app *app, int64_t run_id, int64_t after_rank, int limit,
			     struct ts_sampling_rank **out, size_t *n, struct ts_error *err)
{
	return ts_store_ranks_get(app->store, run_id, after_rank, limit, out, n, err);
}

/* ---- the jobs ---- */

static int run_cancelled(struct ts_app *app, int64_t run_id)
{
	struct ts_model_run cur;
	struct ts_error err = { 0 };
	int stop = 0;

	if (ts_store_run_get(app->store, run_id, &cur, &err) == TS_OK)
		stop = cur.cancel_requested || strcmp(cur.state, "cancelled") == 0;
	ts_error_release(&err);
	return stop;
}

/* Ends run r in state with an optional error text (copied). */
static void run_end(struct ts_app *app, struct ts_model_run *r, const char *state,
		    const char *error)
{
	struct ts_error err = { 0 };

	snprintf(r->state, sizeof(r->state), "%s", state);
	snprintf(r->error, sizeof(r->error), "%s", error ? error : "");
	if (ts_store_run_update(app->store, r, &err))
		ts_log_error("run %lld: %s", (long long)r->id, err.message);
	ts_error_release(&err);
}

static void criteria_of(const struct ts_model_run *r, struct ts_model_criteria *c,
			char status[16])
{
	json_t *o = json_loads(r->criteria, 0, NULL);
	const char *st = json_string_value(json_object_get(o, "status"));

	memset(c, 0, sizeof(*c));
	status[0] = '\0';
	if (st && strcmp(st, "all") != 0) {
		snprintf(status, 16, "%s", st);
		c->status = status;
	}
	c->video_id = json_integer_value(json_object_get(o, "video_id"));
	c->category_id = json_integer_value(json_object_get(o, "category_id"));
	c->limit = json_integer_value(json_object_get(o, "limit"));
	if (c->limit <= 0)
		c->limit = TS_RUN_LIMIT_DEFAULT;
	json_decref(o);
}

/* Starts a job's run: reads it and marks it running. NOT_FOUND when the
 * run is gone; *skip when it was cancelled before it started. */
static enum ts_err run_begin(struct ts_app *app, const struct ts_job *job, struct ts_model_run *r,
			     int *skip, struct ts_error *err)
{
	enum ts_err e = ts_store_run_get(app->store, job->ref_id, r, err);

	*skip = 0;
	if (e)
		return e;
	if (strcmp(r->state, "cancelled") == 0 || r->cancel_requested) {
		*skip = 1;
		run_end(app, r, "cancelled", NULL);
		return TS_OK;
	}
	r->done = r->failed = 0;
	snprintf(r->state, sizeof(r->state), "running");
	return ts_store_run_update(app->store, r, err);
}

static enum ts_err load_runner(struct ts_app *app, int64_t model_id, struct runner *rn,
			       struct ts_error *err)
{
	struct ts_model_row m = { 0 };
	enum ts_err e = ts_store_model_get(app->store, model_id, &m, err);

	if (!e)
		e = runner_open(app, &m, rn, err);
	ts_model_row_release(&m);
	return e;
}

enum ts_err ts_svc_model_batch_job(struct ts_app *app, const struct ts_job *job,
				   struct ts_error *err)
{
	struct ts_model_run r;
	struct ts_model_criteria c;
	struct ts_model_candidate *cands = NULL;
	struct runner rn = { 0 };
	char status[16], first_error[TS_RUN_ERROR_MAX] = "";
	size_t n = 0;
	int skip, have_runner = 0;
	enum ts_err e;

	e = run_begin(app, job, &r, &skip, err);
	if (e || skip)
		return e == TS_ERR_NOT_FOUND ? TS_OK : e;
	criteria_of(&r, &c, status);
	c.without_pending_of = r.model_ids[0];
	e = load_runner(app, r.model_ids[0], &rn, err);
	if (!e) {
		have_runner = 1;
		e = ts_store_model_candidates(app->store, r.project_id, &c, &cands, &n, err);
	}
	if (e)
		goto fail;
	r.total = (int64_t)n;
	ts_store_run_update(app->store, &r, NULL);
	for (size_t i = 0; i < n; i++) {
		struct ts_error one = { 0 };
		enum ts_err pe;

		if (ts_jobs_stopping(app->jobs)) {
			e = TS_ERR_UNAVAILABLE;
			goto out;
		}
		if ((i % 16) == 0 && run_cancelled(app, r.id)) {
			run_end(app, &r, "cancelled", NULL);
			goto out;
		}
		pe = runner_predict(app, &rn, cands[i].checksum_sha256, &one);
		if (pe == TS_ERR_UNAVAILABLE) {
			ts_error_set(err, pe, one.code, "%s", one.message);
			ts_error_release(&one);
			e = pe;
			goto fail;
		}
		if (!pe) {
			char *payload = suggestion_payload(&rn);
			struct ts_suggestion_new in = { cands[i].asset_id, r.project_id, rn.row.id,
							payload, rn.scores[0].category_id,
							rn.scores[0].score, 1 };
			struct ts_suggestion sg = { 0 };

			pe = ts_store_suggestion_put(app->store, &in, &sg, &one);
			ts_suggestion_release(&sg);
			free(payload);
		}
		if (pe) {
			/* This image only: counted, the first reason kept. */
			if (!first_error[0])
				snprintf(first_error, sizeof(first_error), "asset %lld: %.400s",
					 (long long)cands[i].asset_id, one.message);
			r.failed++;
		}
		ts_error_release(&one);
		r.done++;
		if ((r.done % 8) == 0 || r.done == r.total)
			ts_store_run_update(app->store, &r, NULL);
	}
	{
		/* The images this model answered for, skipped ones included:
		 * older models' pending suggestions give way to its. */
		int64_t nsup = 0;

		ts_store_suggestion_supersede_older(app->store, r.project_id, rn.row.id, &nsup,
						    NULL);
	}
	run_end(app, &r, "done", first_error[0] ? first_error : NULL);
	goto out;
fail:
	/* Recorded on the run; the job itself is done. */
	run_end(app, &r, "failed", err ? err->message : "the run failed");
	e = TS_OK;
out:
	free(cands);
	if (have_runner)
		runner_close(&rn);
	return e;
}

/* Scores of one model for one image: from its stored suggestion when it
 * has one, else computed now. probs receives n_outputs values in the
 * model's output order. */
static enum ts_err scores_for(struct ts_app *app, struct runner *rn, const int64_t *order,
			      const struct ts_model_candidate *cand, double *probs,
			      struct ts_error *err)
{
	enum ts_err e = runner_predict(app, rn, cand->checksum_sha256, err);

	if (e)
		return e;
	/* In the first model's category order, so that models compare. */
	for (size_t k = 0; k < rn->meta.n_outputs; k++)
		for (size_t j = 0; j < rn->meta.n_outputs; j++)
			if (rn->scores[j].category_id == order[k])
				probs[k] = rn->scores[j].score;
	return TS_OK;
}

/* 1 when the two models score the same categories (in any order). */
static int same_categories(const struct ts_model_meta *a, const struct ts_model_meta *b)
{
	if (a->n_outputs != b->n_outputs)
		return 0;
	for (size_t i = 0; i < a->n_outputs; i++) {
		int found = 0;

		for (size_t j = 0; j < b->n_outputs && !found; j++)
			found = a->outputs[i] == b->outputs[j];
		if (!found)
			return 0;
	}
	return 1;
}

enum ts_err ts_svc_model_sampling_job(struct ts_app *app, const struct ts_job *job,
				      struct ts_error *err)
{
	struct ts_model_run r;
	struct ts_model_criteria c = { "unlabeled", 0, 0, 0, TS_RUN_LIMIT_MAX };
	struct ts_model_candidate *cands = NULL;
	struct ts_sampling_item *items = NULL;
	struct ts_sampling_rank *ranks = NULL;
	struct runner rn[TS_RUN_MODELS_MAX];
	double *probs = NULL;
	size_t n = 0, nitems = 0, nrun = 0, width = 0;
	int skip, st;
	int64_t limit = TS_SAMPLING_LIMIT_DEFAULT;
	char first_error[TS_RUN_ERROR_MAX] = "";
	enum ts_err e;

	e = run_begin(app, job, &r, &skip, err);
	if (e || skip)
		return e == TS_ERR_NOT_FOUND ? TS_OK : e;
	{
		json_t *o = json_loads(r.criteria, 0, NULL);

		if (json_integer_value(json_object_get(o, "limit")) > 0)
			limit = json_integer_value(json_object_get(o, "limit"));
		json_decref(o);
	}
	st = ts_sampling_parse(r.strategy);
	for (size_t i = 0; i < r.n_models && !e; i++) {
		e = load_runner(app, r.model_ids[i], &rn[i], err);
		if (!e) {
			nrun++;
			if (i == 0)
				width = rn[i].meta.n_outputs;
			else if (!same_categories(&rn[0].meta, &rn[i].meta))
				e = ts_error_set(err, TS_ERR_INVALID, "invalid_strategy",
						 "The models score different categories.");
		}
	}
	if (!e)
		e = ts_store_model_candidates(app->store, r.project_id, &c, &cands, &n, err);
	if (e)
		goto fail;
	r.total = (int64_t)n;
	ts_store_run_update(app->store, &r, NULL);
	items = ts_xcalloc(n ? n : 1, sizeof(*items));
	probs = ts_xcalloc((nrun ? nrun : 1) * (width ? width : 1), sizeof(double));
	for (size_t i = 0; i < n; i++) {
		struct ts_sampling_item *it = &items[nitems];
		int ok = 1;

		if (ts_jobs_stopping(app->jobs)) {
			e = TS_ERR_UNAVAILABLE;
			goto out;
		}
		if ((i % 16) == 0 && run_cancelled(app, r.id)) {
			run_end(app, &r, "cancelled", NULL);
			goto out;
		}
		it->asset_id = cands[i].asset_id;
		it->group = cands[i].video_id;
		it->position = cands[i].video_id ? cands[i].timestamp_ms : cands[i].asset_id;
		for (size_t k = 0; k < nrun && ok; k++) {
			struct ts_error one = { 0 };

			if (scores_for(app, &rn[k], rn[0].meta.outputs, &cands[i],
				       probs + k * width, &one)) {
				if (!first_error[0])
					snprintf(first_error, sizeof(first_error), "asset %lld: %.400s",
						 (long long)cands[i].asset_id, one.message);
				ok = 0;
			}
			ts_error_release(&one);
		}
		if (ok) {
			if (st == TS_SAMPLING_ENTROPY)
				it->score = ts_sampling_entropy(probs, width);
			else if (st == TS_SAMPLING_MARGIN)
				it->score = -ts_sampling_margin(probs, width);
			else if (st == TS_SAMPLING_DISAGREEMENT)
				it->score = ts_sampling_disagreement(probs, nrun, width);
			nitems++;
		} else {
			r.failed++;
		}
		r.done++;
		if ((r.done % 8) == 0 || r.done == r.total)
			ts_store_run_update(app->store, &r, NULL);
	}
	if (st == TS_SAMPLING_COVERAGE)
		ts_sampling_order_coverage(items, nitems);
	else
		ts_sampling_order_scores(items, nitems);
	if ((int64_t)nitems > limit)
		nitems = (size_t)limit;
	ranks = ts_xcalloc(nitems ? nitems : 1, sizeof(*ranks));
	for (size_t i = 0; i < nitems; i++)
		ranks[i] = (struct ts_sampling_rank){ (int64_t)i + 1, items[i].asset_id,
						      items[i].score };
	e = ts_store_ranks_put(app->store, r.id, ranks, nitems, err);
	if (e)
		goto fail;
	run_end(app, &r, "done", first_error[0] ? first_error : NULL);
	goto out;
fail:
	run_end(app, &r, "failed", err ? err->message : "the run failed");
	e = TS_OK;
out:
	for (size_t i = 0; i < nrun; i++)
		runner_close(&rn[i]);
	free(probs);
	free(ranks);
	free(items);
	free(cands);
	return e;
}

void ts_svc_model_run_abandon(struct ts_app *app, const struct ts_job *job, const char *reason)
{
	struct ts_model_run r;
	struct ts_error err = { 0 };

	if (ts_store_run_get(app->store, job->ref_id, &r, &err) == TS_OK)
		run_end(app, &r, "failed", reason);
	ts_error_release(&err);
}

enum ts_err ts_svc_latest_sampling_run(struct ts_app *app, int64_t project_id, int64_t *run_id,
				       struct ts_error *err)
{
	struct ts_model_run r;
	enum ts_err e = ts_store_latest_sampling(app->store, project_id, &r, err);

	*run_id = 0;
	if (e == TS_ERR_NOT_FOUND) {
		ts_error_release(err);
		if (err)
			memset(err, 0, sizeof(*err));
		return TS_OK;
	}
	if (!e)
		*run_id = r.id;
	return e;
}

enum ts_err ts_svc_models_lease_next(struct ts_app *app, int64_t project_id, int64_t user_id,
				     const char *queue, int n, int64_t ttl_ms, int suggested,
				     int sampling, int64_t **ids, size_t *n_ids,
				     struct ts_error *err)
{
	int64_t run = 0;
	enum ts_err e = TS_OK;

	*ids = NULL;
	*n_ids = 0;
	if (sampling) {
		e = ts_svc_latest_sampling_run(app, project_id, &run, err);
		if (e || run == 0)
			return e;
	}
	return ts_store_model_lease_next(app->store, project_id, user_id, queue, n,
					 ts_time_now_ms(), ttl_ms, suggested, run, ids, n_ids, err);
}

int ts_svc_model_infer_files(const char *onnx_path, const char *meta_path,
			     char *const *images, size_t n, int repeat, int quiet, FILE *out,
			     double *seconds)
{
	struct ts_error err = { 0 };
	struct ts_model_meta m = { 0 };
	struct ts_ort *o = NULL;
	struct ts_ort_session *s = NULL;
	struct ts_image_limits lim;
	struct ts_model_score *scores = NULL;
	void *bytes = NULL, *meta = NULL;
	size_t len = 0, meta_len = 0;
	float *input = NULL, *raw = NULL;
	int64_t dims[4], t0;
	int rc = 1;

	*seconds = 0;
	if (read_file(meta_path, TS_MODEL_META_MAX, &meta, &meta_len, &err) ||
	    ts_model_meta_parse(meta, meta_len, &m, &err) ||
	    read_file(onnx_path, TS_MODEL_FILE_MAX, &bytes, &len, &err) ||
	    !(o = ts_ort_open(NULL, &err)) || ts_ort_session_new(o, bytes, len, &s, &err) ||
	    check_io(s, &m, &err))
		goto out;
	{
		const struct ts_model_input *mi = &m.input;
		struct ts_media_tensor_spec spec = { mi->width, mi->height, mi->bgr, mi->nhwc,
						     mi->scale,
						     { mi->mean[0], mi->mean[1], mi->mean[2] },
						     { mi->std[0], mi->std[1], mi->std[2] } };

		ts_image_limits_default(&lim);
		ts_model_input_shape(mi, dims);
		input = ts_xcalloc((size_t)mi->width * (size_t)mi->height * 3, sizeof(float));
		raw = ts_xcalloc(m.n_outputs, sizeof(float));
		scores = ts_xcalloc(m.n_outputs, sizeof(*scores));
		t0 = ts_time_now_ms();
		for (int r = 0; r < (repeat > 0 ? repeat : 1); r++)
			for (size_t i = 0; i < n; i++) {
				if (ts_media_image_tensor(images[i], &lim, NULL, &spec, input, &err) ||
				    ts_ort_run(s, input, dims, 4, raw, m.n_outputs, &err)) {
					fprintf(stderr, "tessera infer: %s: %s\n", images[i],
						err.message);
					ts_error_release(&err);
					memset(&err, 0, sizeof(err));
					continue;
				}
				ts_model_scores(raw, m.outputs, m.n_outputs, scores);
				if (!quiet && r == 0)
					fprintf(out, "%s\t%lld\t%.4f\n", images[i],
						(long long)scores[0].category_id, scores[0].score);
			}
		*seconds = (double)(ts_time_now_ms() - t0) / 1000.0;
	}
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "tessera infer: %s\n", err.message);
	free(scores);
	free(raw);
	free(input);
	ts_ort_session_free(s);
	ts_ort_close(o);
	free(bytes);
	free(meta);
	ts_model_meta_release(&m);
	ts_error_release(&err);
	return rc;
}
