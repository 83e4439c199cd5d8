/* Models, their suggestions, and model runs (batch suggestion, active
 * sampling). A model's file is a blob named by its checksum; rows here hold
 * its metadata. At most one model of a project is active. A suggestion is
 * one model's answer for one asset (one row per asset and model); it never
 * changes the asset's annotation. A run is created with its job in one
 * transaction. */
#ifndef TS_STORE_MODELS_H
#define TS_STORE_MODELS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define TS_JOB_MODEL_BATCH "model_batch"
#define TS_JOB_MODEL_SAMPLING "model_sampling"
#define TS_MODEL_LIST_MAX 200
#define TS_RUN_LIST_MAX 50
#define TS_RUN_MODELS_MAX 8
#define TS_RUN_ERROR_MAX 512

struct ts_model_row {
	int64_t id;
	int64_t project_id;
	char name[801];
	char task_type[32];
	char labels_hash[72];
	char *metadata; /* malloc'd canonical JSON; ts_model_row_release */
	char checksum_sha256[65];
	int64_t byte_size;
	int active;
	int64_t created_by;
	char created_by_name[128]; /* "" when unknown */
	int64_t created_at;
};

/* Strings borrowed. */
struct ts_model_new {
	int64_t project_id;
	int64_t user_id;
	const char *name;
	const char *task_type;
	const char *labels_hash;
	const char *metadata;
	const char *checksum_sha256;
	int64_t byte_size;
};

enum ts_suggestion_status {
	TS_SUGGESTION_PENDING,
	TS_SUGGESTION_ACCEPTED,
	TS_SUGGESTION_REJECTED,
	TS_SUGGESTION_SUPERSEDED,
	TS_SUGGESTION_NSTATUS
};

struct ts_suggestion {
	int64_t id;
	int64_t asset_id;
	int64_t project_id;
	int64_t model_id;
	char *payload; /* malloc'd JSON; ts_suggestion_release */
	int64_t category_id;
	double score;
	enum ts_suggestion_status status;
	char *chosen;  /* malloc'd JSON array, or NULL before a review */
	int64_t reviewed_by;
	char reviewed_by_name[128]; /* "" when unknown */
	int64_t reviewed_at; /* 0: not reviewed */
	int64_t created_at;
};

struct ts_suggestion_new {
	int64_t asset_id;
	int64_t project_id;
	int64_t model_id;
	const char *payload;
	int64_t category_id;
	double score;
	/* Also mark the asset's pending suggestions of older models (lower
	 * ids) superseded. */
	int supersede_older;
};

/* One group of the outcome counts: suggestions of model_id whose best
 * category is category_id, in status; overridden: accepted ones whose
 * asset's annotation no longer names that category. */
struct ts_suggestion_count {
	int64_t model_id;
	int64_t category_id;
	enum ts_suggestion_status status;
	int overridden;
	int64_t count;
};

struct ts_model_run {
	int64_t id;
	int64_t project_id;
	char kind[12];     /* batch, sampling */
	char strategy[16]; /* sampling: entropy, margin, disagreement, coverage */
	int64_t model_ids[TS_RUN_MODELS_MAX];
	size_t n_models;
	char criteria[512]; /* batch: JSON object; "" otherwise */
	char state[12];     /* queued, running, done, failed, cancelled */
	int64_t done, total, failed;
	char error[TS_RUN_ERROR_MAX];
	int cancel_requested;
	int64_t job_id;
	int64_t created_by;
	char created_by_name[128]; /* "" when unknown */
	int64_t created_at;
	int64_t finished_at; /* 0 until it ends */
};

/* Which assets a run works on. status: an annotation status
 * (unlabeled, labeled, skipped, needs_review, approved) or NULL for all;
 * video_id, category_id: 0 for any; without_pending_of: leave out assets
 * holding a pending suggestion of that model (0: none left out). */
struct ts_model_criteria {
	const char *status;
	int64_t video_id;
	int64_t category_id;
	int64_t without_pending_of;
	int64_t limit;
};

struct ts_model_candidate {
	int64_t asset_id;
	char checksum_sha256[65];
	int64_t video_id;     /* 0: an uploaded image */
	int64_t frame_index;
	int64_t timestamp_ms;
};

struct ts_sampling_rank {
	int64_t rank; /* 1 = most useful */
	int64_t asset_id;
	double score;
};

struct ts_store_model_ops {
	/* A new model; it becomes the project's active one when it has none.
	 * NOT_FOUND "project_not_found". */
	enum ts_err (*create)(struct ts_store *s, const struct ts_model_new *in,
			      struct ts_model_row *out, struct ts_error *err);
	/* NOT_FOUND "model_not_found". */
	enum ts_err (*get)(struct ts_store *s, int64_t id, struct ts_model_row *out,
			   struct ts_error *err);
	/* Newest first, at most TS_MODEL_LIST_MAX; *out malloc'd (release each
	 * row, then free). */
	enum ts_err (*list)(struct ts_store *s, int64_t project_id, struct ts_model_row **out,
			    size_t *n, struct ts_error *err);
	/* The project's active model; NOT_FOUND "model_not_found" when it has
	 * none. */
	enum ts_err (*get_active)(struct ts_store *s, int64_t project_id, struct ts_model_row *out,
				  struct ts_error *err);
	/* active: the model becomes the project's only active one; else the
	 * project has none when it was this one. NOT_FOUND "model_not_found"
	 * when the model is not the project's. */
	enum ts_err (*set_active)(struct ts_store *s, int64_t project_id, int64_t model_id,
				  int active, struct ts_error *err);

	/* The suggestion of model_id for asset_id; NOT_FOUND
	 * "suggestion_not_found" when there is none. */
	enum ts_err (*suggestion_get)(struct ts_store *s, int64_t asset_id, int64_t model_id,
				      struct ts_suggestion *out, struct ts_error *err);
	enum ts_err (*suggestion_get_id)(struct ts_store *s, int64_t id, struct ts_suggestion *out,
					 struct ts_error *err);
	/* Stores the suggestion (pending), replacing the asset's earlier one
	 * of that model; out receives the row. */
	enum ts_err (*suggestion_put)(struct ts_store *s, const struct ts_suggestion_new *in,
				      struct ts_suggestion *out, struct ts_error *err);
	/* Records the outcome (accepted or rejected) with the chosen ids
	 * (JSON array). CONFLICT "suggestion_superseded" for a superseded
	 * one. */
	enum ts_err (*suggestion_review)(struct ts_store *s, int64_t id,
					 enum ts_suggestion_status status, const char *chosen,
					 int64_t user_id, struct ts_suggestion *out,
					 struct ts_error *err);
	/* Marks superseded the pending suggestions of older models (lower
	 * ids) of the project's assets that hold a suggestion of model_id;
	 * *n receives how many. */
	enum ts_err (*supersede_older)(struct ts_store *s, int64_t project_id, int64_t model_id,
				       int64_t *n, struct ts_error *err);
	/* The project's outcome counts; *out malloc'd. */
	enum ts_err (*suggestion_counts)(struct ts_store *s, int64_t project_id,
					 struct ts_suggestion_count **out, size_t *n,
					 struct ts_error *err);

	/* The assets of a project (not deleted) that match c, by id;
	 * *out malloc'd. */
	enum ts_err (*candidates)(struct ts_store *s, int64_t project_id,
				  const struct ts_model_criteria *c,
				  struct ts_model_candidate **out, size_t *n,
				  struct ts_error *err);

	/* A run (queued) and its job (job_kind, ref_id = the run) in one
	 * transaction; in->id, state and counts are ignored. */
	enum ts_err (*run_create)(struct ts_store *s, const struct ts_model_run *in,
				  const char *job_kind, struct ts_model_run *out,
				  struct ts_error *err);
	/* NOT_FOUND "run_not_found". */
	enum ts_err (*run_get)(struct ts_store *s, int64_t id, struct ts_model_run *out,
			       struct ts_error *err);
	enum ts_err (*run_list)(struct ts_store *s, int64_t project_id, struct ts_model_run **out,
				size_t *n, struct ts_error *err);
	/* Writes state, done, total, failed and error (NULL: none) of run id;
	 * a state other than queued or running also sets finished_at. A run
	 * that was cancelled stays cancelled. */
	enum ts_err (*run_update)(struct ts_store *s, const struct ts_model_run *r,
				  struct ts_error *err);
	/* Asks the run to stop; a queued one is cancelled at once. */
	enum ts_err (*run_cancel)(struct ts_store *s, int64_t id, struct ts_error *err);
	/* Stores the ranks of a sampling run (replacing any). */
	enum ts_err (*ranks_put)(struct ts_store *s, int64_t run_id,
				 const struct ts_sampling_rank *ranks, size_t n,
				 struct ts_error *err);
	/* The first limit ranks of run_id, after rank after_rank; *out
	 * malloc'd. */
	enum ts_err (*ranks_get)(struct ts_store *s, int64_t run_id, int64_t after_rank,
				 int limit, struct ts_sampling_rank **out, size_t *n,
				 struct ts_error *err);
	/* Leases as the asset op lease_next does (store_assets.h), taking only
	 * assets with a pending suggestion when suggested, and only those run_id
	 * ranked, in rank order, when run_id > 0. */
	enum ts_err (*lease_next)(struct ts_store *s, int64_t project_id, int64_t user_id,
				  const char *queue, int n, int64_t now, int64_t ttl_ms,
				  int suggested, int64_t run_id, int64_t **ids, size_t *n_ids,
				  struct ts_error *err);
	/* The project's latest done sampling run; NOT_FOUND "run_not_found"
	 * when it has none. */
	enum ts_err (*latest_sampling)(struct ts_store *s, int64_t project_id,
				       struct ts_model_run *out, struct ts_error *err);
};

void ts_model_row_release(struct ts_model_row *m);
void ts_suggestion_release(struct ts_suggestion *sg);
/* Names of the statuses ("pending" ...), and back (-1 when unknown). */
const char *ts_suggestion_status_name(enum ts_suggestion_status st);
int ts_suggestion_status_parse(const char *s);

#define TS_STORE_MODELS (s->ops->models)
static inline enum ts_err ts_store_model_create(struct ts_store *s, const struct ts_model_new *in,
						struct ts_model_row *out, struct ts_error *err)
{
	return TS_STORE_MODELS->create(s, in, out, err);
}
static inline enum ts_err ts_store_model_get(struct ts_store *s, int64_t id,
					     struct ts_model_row *out, struct ts_error *err)
{
	return TS_STORE_MODELS->get(s, id, out, err);
}
static inline enum ts_err ts_store_model_get_active(struct ts_store *s, int64_t project_id,
						    struct ts_model_row *out, struct ts_error *err)
{
	return TS_STORE_MODELS->get_active(s, project_id, out, err);
}
static inline enum ts_err ts_store_model_list(struct ts_store *s, int64_t project_id,
					      struct ts_model_row **out, size_t *n,
					      struct ts_error *err)
{
	return TS_STORE_MODELS->list(s, project_id, out, n, err);
}
static inline enum ts_err ts_store_model_set_active(struct ts_store *s, int64_t project_id,
						    int64_t model_id, int active,
						    struct ts_error *err)
{
	return TS_STORE_MODELS->set_active(s, project_id, model_id, active, err);
}
static inline enum ts_err ts_store_suggestion_get(struct ts_store *s, int64_t asset_id,
						  int64_t model_id, struct ts_suggestion *out,
						  struct ts_error *err)
{
	return TS_STORE_MODELS->suggestion_get(s, asset_id, model_id, out, err);
}
static inline enum ts_err ts_store_suggestion_get_id(struct ts_store *s, int64_t id,
						     struct ts_suggestion *out,
						     struct ts_error *err)
{
	return TS_STORE_MODELS->suggestion_get_id(s, id, out, err);
}
static inline enum ts_err ts_store_suggestion_put(struct ts_store *s,
						  const struct ts_suggestion_new *in,
						  struct ts_suggestion *out, struct ts_error *err)
{
	return TS_STORE_MODELS->suggestion_put(s, in, out, err);
}
static inline enum ts_err ts_store_suggestion_review(struct ts_store *s, int64_t id,
						     enum ts_suggestion_status status,
						     const char *chosen, int64_t user_id,
						     struct ts_suggestion *out,
						     struct ts_error *err)
{
	return TS_STORE_MODELS->suggestion_review(s, id, status, chosen, user_id, out, err);
}
static inline enum ts_err ts_store_suggestion_supersede_older(struct ts_store *s,
							       int64_t project_id,
							       int64_t model_id, int64_t *n,
							       struct ts_error *err)
{
	return TS_STORE_MODELS->supersede_older(s, project_id, model_id, n, err);
}
static inline enum ts_err ts_store_suggestion_counts(struct ts_store *s, int64_t project_id,
						     struct ts_suggestion_count **out, size_t *n,
						     struct ts_error *err)
{
	return TS_STORE_MODELS->suggestion_counts(s, project_id, out, n, err);
}
static inline enum ts_err ts_store_model_candidates(struct ts_store *s, int64_t project_id,
						    const struct ts_model_criteria *c,
						    struct ts_model_candidate **out, size_t *n,
						    struct ts_error *err)
{
	return TS_STORE_MODELS->candidates(s, project_id, c, out, n, err);
}
static inline enum ts_err ts_store_run_create(struct ts_store *s, const struct ts_model_run *in,
					      const char *job_kind, struct ts_model_run *out,
					      struct ts_error *err)
{
	return TS_STORE_MODELS->run_create(s, in, job_kind, out, err);
}
static inline enum ts_err ts_store_run_get(struct ts_store *s, int64_t id,
					   struct ts_model_run *out, struct ts_error *err)
{
	return TS_STORE_MODELS->run_get(s, id, out, err);
}
static inline enum ts_err ts_store_run_list(struct ts_store *s, int64_t project_id,
					    struct ts_model_run **out, size_t *n,
					    struct ts_error *err)
{
	return TS_STORE_MODELS->run_list(s, project_id, out, n, err);
}
static inline enum ts_err ts_store_run_update(struct ts_store *s, const struct ts_model_run *r,
					      struct ts_error *err)
{
	return TS_STORE_MODELS->run_update(s, r, err);
}
static inline enum ts_err ts_store_run_cancel(struct ts_store *s, int64_t id,
					      struct ts_error *err)
{
	return TS_STORE_MODELS->run_cancel(s, id, err);
}
static inline enum ts_err ts_store_ranks_put(struct ts_store *s, int64_t run_id,
					     const struct ts_sampling_rank *ranks, size_t n,
					     struct ts_error *err)
{
	return TS_STORE_MODELS->ranks_put(s, run_id, ranks, n, err);
}
static inline enum ts_err ts_store_ranks_get(struct ts_store *s, int64_t run_id,
					     int64_t after_rank, int limit,
					     struct ts_sampling_rank **out, size_t *n,
					     struct ts_error *err)
{
	return TS_STORE_MODELS->ranks_get(s, run_id, after_rank, limit, out, n, err);
}
static inline enum ts_err ts_store_model_lease_next(struct ts_store *s, int64_t project_id,
						    int64_t user_id, const char *queue, int n,
						    int64_t now, int64_t ttl_ms, int suggested,
						    int64_t run_id, int64_t **ids, size_t *n_ids,
						    struct ts_error *err)
{
	return TS_STORE_MODELS->lease_next(s, project_id, user_id, queue, n, now, ttl_ms, suggested,
					   run_id, ids, n_ids, err);
}
static inline enum ts_err ts_store_latest_sampling(struct ts_store *s, int64_t project_id,
						   struct ts_model_run *out, struct ts_error *err)
{
	return TS_STORE_MODELS->latest_sampling(s, project_id, out, err);
}
#undef TS_STORE_MODELS

#endif
