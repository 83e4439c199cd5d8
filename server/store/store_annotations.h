/* Annotations: setting an asset's label or status (with an optional
 * revision check), its history, bulk review actions and project stats.
 * The transitions themselves are decided by domain/annotation.h; the store
 * runs that decision inside the write transaction so that the check and the
 * write see the same row.
 *
 * Every change bumps the annotation's revision by one and appends a history
 * row in the same transaction. A request that changes nothing (the same
 * label again) writes nothing and returns the current annotation. */
#ifndef TS_STORE_ANNOTATIONS_H
#define TS_STORE_ANNOTATIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "domain/annotation.h"
#include "store/store.h"

#define TS_ANN_BULK_MAX 100000   /* assets per bulk call (ids or filter) */
#define TS_ANN_HISTORY_MAX 10000 /* rows returned by one history call */

struct ts_annotation {
	int64_t asset_id;
	int64_t project_id;
	enum ts_ann_status status;
	size_t ncat;
	int64_t category_ids[TS_ANN_MAX_CATEGORIES]; /* ascending */
	int64_t revision;
	int64_t labeled_by;         /* user id, 0 when nobody */
	char labeled_by_name[260];  /* "" when nobody */
	int64_t updated_at;         /* epoch ms */
};

/* A requested change, as the HTTP layer parsed it (ids borrowed). */
struct ts_ann_request {
	enum ts_ann_change_kind kind;
	enum ts_ann_status status;
	const int64_t *category_ids;
	size_t ncat;
	int64_t expected_revision; /* -1: no check */
	int64_t user_id;
	const char *user_name; /* the actor's name, for the returned annotation */
};

struct ts_ann_history_entry {
	int64_t id;
	int64_t revision;
	int64_t user_id;
	char user_name[260];
	int64_t at;
	enum ts_ann_status from_status, to_status;
	char from_categories[TS_ANN_MAX_CATEGORIES * 21 + 3]; /* JSON array text */
	char to_categories[TS_ANN_MAX_CATEGORIES * 21 + 3];
	char via[8];
};

enum ts_ann_bulk_action { TS_ANN_BULK_APPROVE, TS_ANN_BULK_NEEDS_REVIEW };

/* "Everything matching": a status or queue filter and an optional category.
 * filter is one of all, unlabeled, in_review, done, skipped (queues) or
 * labeled, needs_review, approved (statuses). */
struct ts_ann_filter {
	const char *status;  /* NULL or "all": any */
	int64_t category_id; /* 0: any */
};

struct ts_ann_bulk_result {
	int64_t asset_id;
	enum ts_err err;       /* TS_OK: applied (or already so) */
	char code[TS_ERROR_CODE_MAX];
	char message[160];
	enum ts_ann_status status;
	int64_t revision;
	int changed;
};

struct ts_ann_stats {
	int64_t total;
	int64_t by_status[TS_ANN_STATUS_COUNT];
	size_t ncat;
	/* per category that has assets or exists (id ascending); malloc'd */
	struct ts_ann_cat_count {
		int64_t category_id;
		char state[12]; /* active, disabled, deleted, or "" (unknown) */
		int64_t count;
		int64_t by_status[TS_ANN_STATUS_COUNT];
	} *per_category;
	int64_t deleted_category; /* assets labeled with a deleted category */
};

struct ts_store_annotation_ops {
	/* NOT_FOUND "asset_not_found" for an unknown asset. */
	enum ts_err (*get)(struct ts_store *s, int64_t asset_id, struct ts_annotation *out,
			   struct ts_error *err);
	/* Applies req in one BEGIN IMMEDIATE transaction (decision, revision
	 * bump, history row). *changed says whether anything was written. A
	 * stale expected_revision: CONFLICT "stale_revision" with *out holding
	 * the current annotation (a repeat of the current state is not stale:
	 * it succeeds without a write). Refusals of the state machine keep
	 * their codes; *out then holds the current annotation too. */
	enum ts_err (*set)(struct ts_store *s, int64_t asset_id, const struct ts_ann_request *req,
			   struct ts_annotation *out, int *changed, struct ts_error *err);
	/* Oldest first. *out malloc'd (caller frees). */
	enum ts_err (*history)(struct ts_store *s, int64_t asset_id,
			       struct ts_ann_history_entry **out, size_t *n, struct ts_error *err);
	/* Bulk review action for ids (n of them) or, when ids is NULL, every
	 * asset of the project matching filter. Each asset is all-or-nothing;
	 * *out (malloc'd, caller frees) has one result per asset in the order
	 * given (ids) or ascending id (filter). Ids of another project or
	 * unknown ones fail with "asset_not_found". TOO_LARGE "too_many" when
	 * the filter matches more than TS_ANN_BULK_MAX assets. */
	enum ts_err (*bulk)(struct ts_store *s, int64_t project_id, enum ts_ann_bulk_action action,
			    const int64_t *ids, size_t n, const struct ts_ann_filter *filter,
			    int64_t user_id, struct ts_ann_bulk_result **out, size_t *nout,
			    struct ts_error *err);
	/* Counts in one read transaction. out->per_category is malloc'd:
	 * release with ts_ann_stats_release. NOT_FOUND for an unknown project. */
	enum ts_err (*stats)(struct ts_store *s, int64_t project_id, struct ts_ann_stats *out,
			     struct ts_error *err);
};

static inline void ts_ann_stats_release(struct ts_ann_stats *st)
{
	free(st->per_category);
	st->per_category = NULL;
	st->ncat = 0;
}

static inline enum ts_err ts_store_annotation_get(struct ts_store *s, int64_t asset_id,
						  struct ts_annotation *out, struct ts_error *err)
{
	return s->ops->annotations->get(s, asset_id, out, err);
}
static inline enum ts_err ts_store_annotation_set(struct ts_store *s, int64_t asset_id,
						  const struct ts_ann_request *req,
						  struct ts_annotation *out, int *changed,
						  struct ts_error *err)
{
	return s->ops->annotations->set(s, asset_id, req, out, changed, err);
}
static inline enum ts_err ts_store_annotation_history(struct ts_store *s, int64_t asset_id,
						      struct ts_ann_history_entry **out,
						      size_t *n, struct ts_error *err)
{
	return s->ops->annotations->history(s, asset_id, out, n, err);
}
static inline enum ts_err ts_store_annotation_bulk(struct ts_store *s, int64_t project_id,
						   enum ts_ann_bulk_action action,
						   const int64_t *ids, size_t n,
						   const struct ts_ann_filter *filter,
						   int64_t user_id,
						   struct ts_ann_bulk_result **out, size_t *nout,
						   struct ts_error *err)
{
	return s->ops->annotations->bulk(s, project_id, action, ids, n, filter, user_id, out,
					  nout, err);
}
static inline enum ts_err ts_store_annotation_stats(struct ts_store *s, int64_t project_id,
						    struct ts_ann_stats *out,
						    struct ts_error *err)
{
	return s->ops->annotations->stats(s, project_id, out, err);
}

#endif
