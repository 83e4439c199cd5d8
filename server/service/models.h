/* Model-assisted labeling: registering ONNX models, suggestions (one
 * model's answer for one image, stored; never an annotation by itself),
 * their outcomes, and the runs that work on many images in a job: batch
 * suggestion and active sampling.
 *
 * Inference runs in the calling thread (an HTTP worker for one image, a job
 * worker for a run) with that thread's own session of the model
 * (infer/sessions.h). Without ONNX Runtime every use case that needs a
 * model answers UNAVAILABLE "inference_unavailable"; the rest of the app
 * is unaffected. */
#ifndef TS_SERVICE_MODELS_H
#define TS_SERVICE_MODELS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "app.h"
#include "core/error.h"
#include "domain/model.h"
#include "service/uploads.h"
#include "store/store_jobs.h"
#include "store/store_models.h"

/* The biggest .onnx file taken (bytes). */
#define TS_MODEL_FILE_MAX ((uint64_t)256 << 20)
#define TS_RUN_LIMIT_MAX 100000
#define TS_RUN_LIMIT_DEFAULT 10000
#define TS_SAMPLING_LIMIT_DEFAULT 1000
#define TS_RUN_RANKS_SHOWN 1000

/* The models context of app: ONNX Runtime (when it loads) and the loaded
 * sessions. Made once at start; _free(NULL) is a no-op. */
struct ts_models;
struct ts_models *ts_svc_models_new(void);
void ts_svc_models_free(struct ts_models *m);
/* 1 when this server can run models. */
int ts_svc_models_available(struct ts_app *app);
/* How many model sessions are loaded now (for the bench). */
size_t ts_svc_models_sessions(struct ts_app *app);

/* A temporary file for an incoming .onnx (at most TS_MODEL_FILE_MAX). */
enum ts_err ts_svc_model_file_open(struct ts_app *app, struct ts_upload_file *f,
				   struct ts_error *err);

/* Registers the model in f (fully received; consumed whatever the outcome)
 * with its metadata JSON. Checks, in order: the metadata (INVALID
 * "invalid_metadata"), its task_type is the project's (INVALID
 * "invalid_metadata"), ONNX Runtime is there (UNAVAILABLE), the bytes are
 * an ONNX model that loads (INVALID "invalid_model"), its first input is
 * the metadata's fixed float tensor (INVALID "model_input_mismatch") and
 * its first output holds as many floats as outputs (INVALID
 * "model_output_mismatch"). Then stores the blob and the row. Nothing is
 * stored on a refusal. */
enum ts_err ts_svc_model_register(struct ts_app *app, int64_t project_id, int64_t user_id,
				  const char *meta, size_t meta_len, struct ts_upload_file *f,
				  struct ts_model_row *out, struct ts_error *err);

/* The project's current categories_hash ("sha256:<hex>"), as an export's
 * manifest would give it. */
enum ts_err ts_svc_categories_hash(struct ts_app *app, int64_t project_id,
				   char out[TS_MODEL_HASH_SIZE], struct ts_error *err);
enum ts_err ts_svc_model_list(struct ts_app *app, int64_t project_id, struct ts_model_row **out,
			      size_t *n, struct ts_error *err);
void ts_svc_model_rows_free(struct ts_model_row *rows, size_t n);
/* A model of the project; NOT_FOUND "model_not_found" for another
 * project's. */
enum ts_err ts_svc_model_get(struct ts_app *app, int64_t project_id, int64_t model_id,
			     struct ts_model_row *out, struct ts_error *err);
enum ts_err ts_svc_model_set_active(struct ts_app *app, int64_t project_id, int64_t model_id,
				    int active, struct ts_model_row *out, struct ts_error *err);

/* The suggestion of model_id (0: the project's active model) for asset_id:
 * the stored one, else computed now and stored. *none is set (and out left
 * empty) when model_id is 0 and the project has no active model.
 * CONFLICT "labels_hash_mismatch" (details: both hashes); UNPROCESSABLE
 * "damaged_image" or "inference_failed"; UNAVAILABLE. */
enum ts_err ts_svc_suggestion_for(struct ts_app *app, int64_t asset_id, int64_t model_id,
				  struct ts_suggestion *out, int *none, struct ts_error *err);
/* Records the label the labeler gave (ids, n of them): accepted when it is
 * the suggested one, else rejected. NOT_FOUND when the suggestion is not
 * the asset's. */
enum ts_err ts_svc_suggestion_review(struct ts_app *app, int64_t asset_id, int64_t suggestion_id,
				     const int64_t *ids, size_t n, int64_t user_id,
				     struct ts_suggestion *out, struct ts_error *err);
enum ts_err ts_svc_suggestion_counts(struct ts_app *app, int64_t project_id,
				     struct ts_suggestion_count **out, size_t *n,
				     struct ts_error *err);

/* Batch suggestion of model_id over the assets of c (c->limit 1..
 * TS_RUN_LIMIT_MAX): a run and its job. CONFLICT "labels_hash_mismatch",
 * UNAVAILABLE. */
enum ts_err ts_svc_batch_start(struct ts_app *app, int64_t project_id, int64_t user_id,
			       int64_t model_id, const struct ts_model_criteria *c,
			       struct ts_model_run *out, struct ts_error *err);
/* Active sampling over the unlabeled assets: strategy (a name of
 * domain/sampling.h; INVALID "invalid_strategy"), model_ids (n of them, as
 * the strategy needs; none: the active model), limit ranks kept. */
enum ts_err ts_svc_sampling_start(struct ts_app *app, int64_t project_id, int64_t user_id,
				  const char *strategy, const int64_t *model_ids, size_t n,
				  int64_t limit, struct ts_model_run *out, struct ts_error *err);
/* A run of the project (NOT_FOUND "run_not_found" otherwise). */
enum ts_err ts_svc_run_get(struct ts_app *app, int64_t project_id, int64_t run_id,
			   struct ts_model_run *out, struct ts_error *err);
enum ts_err ts_svc_run_list(struct ts_app *app, int64_t project_id, struct ts_model_run **out,
			    size_t *n, struct ts_error *err);
enum ts_err ts_svc_run_cancel(struct ts_app *app, int64_t project_id, int64_t run_id,
			      struct ts_model_run *out, struct ts_error *err);
/* The first n ranks of a run; *out malloc'd. */
enum ts_err ts_svc_run_ranks(struct ts_app *app, int64_t run_id, int64_t after_rank, int limit,
			     struct ts_sampling_rank **out, size_t *n, struct ts_error *err);

/* The id of the project's latest finished sampling run (0: none). */
enum ts_err ts_svc_latest_sampling_run(struct ts_app *app, int64_t project_id, int64_t *run_id,
				       struct ts_error *err);

/* Leases the next n images of queue to user_id as ts_svc_queue_next does,
 * taking only images with a pending suggestion (suggested) and/or in the
 * latest sampling run's order (sampling; a project without a run gets
 * none). *ids malloc'd. */
enum ts_err ts_svc_models_lease_next(struct ts_app *app, int64_t project_id, int64_t user_id,
				     const char *queue, int n, int64_t ttl_ms, int suggested,
				     int sampling, int64_t **ids, size_t *n_ids,
				     struct ts_error *err);

/* `tessera infer`: runs the model file onnx_path (with its metadata file)
 * on each of n image files, with one session in this thread, and prints
 * each image's best category and score to out (unless quiet); repeat > 1
 * runs the whole list that many times. *seconds receives the time spent
 * decoding, resizing and running (the bare loop a batch run is measured
 * against). Returns 0, or 1 with the reason on stderr. */
int ts_svc_model_infer_files(const char *onnx_path, const char *meta_path,
			     char *const *images, size_t n, int repeat, int quiet, FILE *out,
			     double *seconds);

/* The job kinds (app/app.c registers them). */
enum ts_err ts_svc_model_batch_job(struct ts_app *app, const struct ts_job *job,
				   struct ts_error *err);
enum ts_err ts_svc_model_sampling_job(struct ts_app *app, const struct ts_job *job,
				      struct ts_error *err);
void ts_svc_model_run_abandon(struct ts_app *app, const struct ts_job *job, const char *reason);

#endif
