/* Assets: uploaded images and extracted video frames, each with its one
 * annotation row, and the pages and counts the asset grid shows.
 *
 * An asset is created together with its annotation row (status
 * "unlabeled") and a "thumbnail" job, in one transaction: either all three
 * exist or none. Within a project the checksum is unique: inserting bytes
 * that are already there returns the existing asset instead. */
#ifndef TS_STORE_ASSETS_H
#define TS_STORE_ASSETS_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "store/store.h"
#include "store/store_annotations.h"

#define TS_ASSET_FILE_NAME_MAX 255 /* bytes of UTF-8 */
#define TS_ASSET_PAGE_MAX 1000     /* rows per list page */

/* The job kind that makes an asset's thumbnail (ref_id = asset id). */
#define TS_JOB_THUMBNAIL "thumbnail"

/* Where an asset came from. type "image": the other fields are 0/"". */
struct ts_asset_origin {
	char type[16]; /* "image" or "video_frame" */
	int64_t video_id;
	char video_file_name[TS_ASSET_FILE_NAME_MAX + 1];
	int64_t frame_index;
	int64_t timestamp_ms;
};

struct ts_asset {
	int64_t id;
	int64_t project_id;
	char file_name[TS_ASSET_FILE_NAME_MAX + 1];
	int64_t width;
	int64_t height;
	char mime_type[32];
	int64_t byte_size;
	char checksum_sha256[65];
	struct ts_asset_origin origin;
	int thumbnail_ready;
	int64_t uploaded_by;         /* user id, 0 when unknown */
	char uploaded_by_name[260]; /* "" when unknown */
	int64_t created_at;          /* epoch ms */
	struct ts_annotation annotation; /* without payload and note */
	/* "pending" (not decoded yet), "ok", or "damaged" (never exported). */
	char decode_state[12];
	char damage_reason[256]; /* why a damaged image does not decode; else "" */
	int suggested; /* holds a pending model suggestion (store_models.h) */
	int64_t sampling_rank; /* lists in sampling order: the asset's rank */
};

/* A damaged asset, as the issues panel lists it. */
struct ts_asset_damaged {
	int64_t id;
	char file_name[TS_ASSET_FILE_NAME_MAX + 1];
	char reason[256];
};

/* What the caller knows about a new asset; all strings borrowed. */
struct ts_asset_new {
	int64_t project_id;
	int64_t user_id; /* 0: nobody (background work) */
	const char *file_name;
	int64_t width;  /* as shown (EXIF orientation applied) */
	int64_t height;
	const char *mime_type;
	int64_t byte_size;
	const char *checksum_sha256;
	/* NULL for an uploaded image. */
	const struct ts_asset_origin *origin;
	int orientation; /* EXIF orientation 1..8; 0: not known (stored as NULL) */
};

struct ts_asset_query {
	int64_t project_id;
	const char *queue;   /* list only this annotations.queue value; NULL: all */
	int64_t category_id; /* 0: any */
	int64_t video_id;    /* 0: any; else only that video's frames */
	int64_t after_id;    /* keyset cursor: ids > after_id; 0 from the start */
	int limit;           /* 1..TS_ASSET_PAGE_MAX */
	const char *status;  /* list only this annotations.status value; NULL: all */
	/* The order of the page, each ending on the id: id (the default),
	 * upload time, file name (byte order); descending reverses it. The
	 * keyset cursor stays after_id: the sort key is read from that row
	 * (file names and upload times never change). */
	enum ts_asset_sort { TS_ASSET_SORT_ID, TS_ASSET_SORT_UPLOADED, TS_ASSET_SORT_NAME } sort;
	int descending;
	/* Only file names holding this text (ASCII letters in either case);
	 * NULL or "": all. Applies to the counts too. */
	const char *name_contains;
	/* Model filters (store_models.h), with the id order only (sort id,
	 * ascending; no name_contains): */
	int suggested;       /* only assets holding a pending model suggestion */
	/* > 0: only the assets this sampling run ranked, in rank order;
	 * after_id is then a rank (and *next_after too). */
	int64_t sampling_run;
};

/* Number of assets of each status among those the category, video and
 * file-name filters keep (the queue and status filters do not apply). */
struct ts_asset_counts {
	int64_t all;
	int64_t by_status[TS_STATUS_COUNT]; /* by enum ts_status */
};

struct ts_store_asset_ops {
	/* Inserts the asset, its annotation row and a thumbnail job in one
	 * transaction, or finds the asset with the same checksum in the
	 * project (*duplicate = 1, nothing written). *job_id (may be NULL)
	 * receives the new job id, 0 for a duplicate. NOT_FOUND
	 * "project_not_found" for an unknown project. */
	enum ts_err (*insert)(struct ts_store *s, const struct ts_asset_new *in,
			      struct ts_asset *out, int *duplicate, int64_t *job_id,
			      struct ts_error *err);
	/* NOT_FOUND "asset_not_found" when unknown. */
	enum ts_err (*get)(struct ts_store *s, int64_t id, struct ts_asset *out,
			   struct ts_error *err);
	/* One page in ascending id order. *out is malloc'd (caller frees);
	 * *next_after is the id to continue after, 0 when this was the last
	 * page. */
	enum ts_err (*list)(struct ts_store *s, const struct ts_asset_query *q,
			    struct ts_asset **out, size_t *n, int64_t *next_after,
			    struct ts_error *err);
	/* Counts for q's project_id, category_id, video_id and name_contains
	 * (the other fields are ignored). */
	enum ts_err (*counts)(struct ts_store *s, const struct ts_asset_query *q,
			      struct ts_asset_counts *out, struct ts_error *err);
	/* Records that the asset's thumbnail exists. */
	enum ts_err (*set_thumbnail_ready)(struct ts_store *s, int64_t id, struct ts_error *err);
	/* Records the outcome of the full decode of these bytes for every
	 * still-pending asset with this checksum: ok (thumbnail ready too) or
	 * damaged with reason. */
	enum ts_err (*set_decoded)(struct ts_store *s, const char *checksum, int ok,
				   const char *reason, struct ts_error *err);
	/* The project's damaged assets, by id, at most limit of them; *total
	 * counts all. *out malloc'd (caller frees). NOT_FOUND for an unknown
	 * project. */
	enum ts_err (*list_damaged)(struct ts_store *s, int64_t project_id, int limit,
				    struct ts_asset_damaged **out, size_t *n, int64_t *total,
				    struct ts_error *err);
	/* Soft delete (deleted != 0) or restore, recorded in the project's
	 * history with its author. A deleted asset keeps its row and files but
	 * leaves every list, count, queue and new export, and get answers
	 * NOT_FOUND for it; restoring brings its labels back as they were.
	 * Nothing changes (and nothing is recorded) when it is in that state
	 * already. *project_id receives its project. NOT_FOUND
	 * "asset_not_found" for an unknown id. */
	enum ts_err (*set_deleted)(struct ts_store *s, int64_t id, int deleted, int64_t by,
				   int64_t *project_id, struct ts_error *err);
	/* Queue leases, times in epoch ms. lease_next: the first n assets (by
	 * id) of the project's list filter queue ("unlabeled", "in_review",
	 * "done", "skipped") that no other user holds an unexpired lease on,
	 * leased to user_id until now + ttl_ms, in one write transaction (two
	 * callers never get the same asset); *ids malloc'd. lease_renew: the
	 * user's leases in the project last until now + ttl_ms.
	 * lease_release: the user's lease on asset_id, or all their leases
	 * (asset_id 0). */
	enum ts_err (*lease_next)(struct ts_store *s, int64_t project_id, int64_t user_id,
				  const char *queue, int n, int64_t now, int64_t ttl_ms,
				  int64_t **ids, size_t *n_ids, struct ts_error *err);
	enum ts_err (*lease_renew)(struct ts_store *s, int64_t project_id, int64_t user_id,
				   int64_t now, int64_t ttl_ms, struct ts_error *err);
	enum ts_err (*lease_release)(struct ts_store *s, int64_t user_id, int64_t asset_id,
				     struct ts_error *err);
};

static inline enum ts_err ts_store_asset_insert(struct ts_store *s, const struct ts_asset_new *in,
						struct ts_asset *out, int *duplicate,
						int64_t *job_id, struct ts_error *err)
{
	return s->ops->assets->insert(s, in, out, duplicate, job_id, err);
}
static inline enum ts_err ts_store_asset_get(struct ts_store *s, int64_t id,
					     struct ts_asset *out, struct ts_error *err)
{
	return s->ops->assets->get(s, id, out, err);
}
static inline enum ts_err ts_store_asset_list(struct ts_store *s, const struct ts_asset_query *q,
					      struct ts_asset **out, size_t *n,
					      int64_t *next_after, struct ts_error *err)
{
	return s->ops->assets->list(s, q, out, n, next_after, err);
}
static inline enum ts_err ts_store_asset_counts(struct ts_store *s,
						const struct ts_asset_query *q,
						struct ts_asset_counts *out,
						struct ts_error *err)
{
	return s->ops->assets->counts(s, q, out, err);
}
static inline enum ts_err ts_store_asset_set_thumbnail_ready(struct ts_store *s, int64_t id,
							     struct ts_error *err)
{
	return s->ops->assets->set_thumbnail_ready(s, id, err);
}

static inline enum ts_err ts_store_asset_set_decoded(struct ts_store *s, const char *checksum,
					      int ok, const char *reason,
					      struct ts_error *err)
{
	return s->ops->assets->set_decoded(s, checksum, ok, reason, err);
}
static inline enum ts_err ts_store_asset_list_damaged(struct ts_store *s, int64_t project_id,
						int limit, struct ts_asset_damaged **out,
						size_t *n, int64_t *total, struct ts_error *err)
{
	return s->ops->assets->list_damaged(s, project_id, limit, out, n, total, err);
}

static inline enum ts_err ts_store_asset_set_deleted(struct ts_store *s, int64_t id, int deleted,
						     int64_t by, int64_t *project_id,
						     struct ts_error *err)
{
	return s->ops->assets->set_deleted(s, id, deleted, by, project_id, err);
}

static inline enum ts_err ts_store_lease_next(struct ts_store *s, int64_t project_id,
					      int64_t user_id, const char *queue, int n,
					      int64_t now, int64_t ttl_ms, int64_t **ids,
					      size_t *n_ids, struct ts_error *err)
{
	return s->ops->assets->lease_next(s, project_id, user_id, queue, n, now, ttl_ms, ids, n_ids,
					  err);
}
static inline enum ts_err ts_store_lease_renew(struct ts_store *s, int64_t project_id,
					       int64_t user_id, int64_t now, int64_t ttl_ms,
					       struct ts_error *err)
{
	return s->ops->assets->lease_renew(s, project_id, user_id, now, ttl_ms, err);
}
static inline enum ts_err ts_store_lease_release(struct ts_store *s, int64_t user_id,
						 int64_t asset_id, struct ts_error *err)
{
	return s->ops->assets->lease_release(s, user_id, asset_id, err);
}

#endif
