/* Exports (dataset versions) and the snapshot each one is built from.
 *
 * Creating an export is one write transaction: it assigns the project's
 * next version, copies the non-deleted categories and every selected label
 * (with the immutable asset fields the build needs) into snapshot tables,
 * and enqueues the build job. Labels that change afterwards never reach
 * that version, and a build interrupted by a crash is redone from the same
 * snapshot. */
#ifndef TS_STORE_EXPORTS_H
#define TS_STORE_EXPORTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "store/store.h"


#define TS_EXPORT_JOB_KIND "export"
/* Room for a split object (export/split.h) as compact JSON. */
#define TS_EXPORT_SPLIT_MAX 768

/* What a selection holds. */
struct ts_export_counts {
	/* Selected assets with a live category whose image decodes; a preview
	 * also counts the ones not decoded yet (excluded_unchecked). */
	int64_t images;
	int64_t excluded_deleted_category; /* selected assets labeled with a deleted category */
	int64_t without_category;          /* selected assets with no category (not exportable) */
	int64_t excluded_damaged;          /* selected, with a live category, image damaged */
	int64_t excluded_unchecked;        /* selected, with a live category, not decoded yet */
	int64_t by_status[TS_STATUS_COUNT]; /* project-wide, by enum ts_status */
};

struct ts_export {
	int64_t id;
	int64_t project_id;
	int64_t version;
	char state[12];          /* queued, building, ready, failed */
	char statuses[80];       /* selection, comma-separated: "approved,labeled" */
	char split[TS_EXPORT_SPLIT_MAX]; /* the split as compact JSON, "" for none */
	char layout[16];         /* "imagefolder", or "" for the default (images/) */
	int64_t progress_done;
	int64_t progress_total;
	int64_t image_count;
	int64_t excluded_deleted_category;
	char hash[72];           /* "sha256:<hex>" when ready, else "" */
	char categories_hash[72];
	char *manifest;          /* manifest.json bytes (ready, and asked for); owned */
	int64_t zip_bytes;       /* -1 until ready */
	int64_t identical_to;    /* earlier version with the same hash, or 0 */
	int64_t shares_files_with; /* the version whose files this one reuses, or 0 */
	int64_t zip_base_from;   /* with shares_files_with: the byte range of that */
	int64_t zip_base_len;    /* version's zip that this version's zip reuses */
	char error[512];
	int64_t job_id;
	char created_by[160];
	int64_t created_at;      /* epoch ms */
	int64_t updated_at;
	int64_t finished_at;     /* 0 until ready or failed */
	int64_t deleted_at;      /* 0 unless deleted (its files are gone) */
};

/* How a version reuses an identical earlier version's files (export/share.c). */
struct ts_export_share {
	int64_t version;   /* the earlier version; its own files, never shared */
	int64_t base_from; /* the byte range of its zip that this zip reuses */
	int64_t base_len;
};

/* What a project's quotas are measured against. */
struct ts_project_usage {
	int64_t stored_bytes;    /* its uploaded images and videos, and their frames */
	int64_t export_versions; /* its versions that did not fail */
};

struct ts_export_category {
	int64_t id;
	char *name; /* owned */
};

struct ts_export_item {
	int64_t asset_id;
	int64_t category_id;
	char status[16];
	char *labeled_by;      /* owned; "" when unknown */
	char *file_name;       /* owned; as uploaded */
	int64_t width, height;
	char mime_type[64];
	char checksum_sha256[65];
	int video_frame;       /* source_type is video_frame */
	int64_t video_id, frame_index, timestamp_ms;
	char *video_file_name; /* owned; "" for images */
	char *payload;         /* owned; the image's boxes (detection), else NULL */
	int orientation;       /* EXIF orientation 1..8; 0 when not known */
};

/* Everything a build reads, sorted by id / (asset_id, category_id). An
 * image whose answer names no category (classification_multi "none of
 * these", detection "no objects") is one item with category_id 0. */
struct ts_export_snapshot {
	struct ts_export_category *categories;
	size_t n_categories;
	struct ts_export_item *items;
	size_t n_items;
};

/* Frees ex->manifest (the struct itself is the caller's). */
void ts_export_release(struct ts_export *ex);
void ts_export_snapshot_release(struct ts_export_snapshot *snap);

struct ts_store_export_ops {
	/* Inside tx: counts what statuses (enum ts_status values, n >= 1)
	 * select now. strict: images are the decoded ones only (what create
	 * snapshots); else also those not decoded yet (a preview). NOT_FOUND
	 * "project_not_found". */
	enum ts_err (*counts)(struct ts_store_tx *tx, int64_t project_id, const int *statuses,
			      size_t n, int strict, struct ts_export_counts *out,
			      struct ts_error *err);
	/* Inside tx: the project's versions that did not fail. */
	enum ts_err (*count_kept)(struct ts_store_tx *tx, int64_t project_id, int64_t *n,
				  struct ts_error *err);
	/* Inside the caller's write transaction, deciding nothing (whether
	 * the selection is empty or the project over its quota is
	 * service/exports.c's): creates the next version with its snapshot
	 * and build job (kind TS_EXPORT_JOB_KIND, ref_id the export id).
	 * counts: what counts (strict) gave in the same transaction, kept in
	 * the version's row. split: the version's split as compact JSON
	 * (stored as given), or NULL. layout: "imagefolder", or NULL for the
	 * default. NOT_FOUND "project_not_found". */
	enum ts_err (*create)(struct ts_store_tx *tx, int64_t project_id, const int *statuses,
			      size_t n, int64_t user_id, const char *user_name, const char *split,
			      const char *layout, const struct ts_export_counts *counts,
			      struct ts_export *out,
			      struct ts_error *err);
	/* The assets the selection would export but that were never decoded
	 * (decode_state "pending"), ascending. *ids malloc'd (caller frees). */
	enum ts_err (*unchecked)(struct ts_store *s, int64_t project_id, const int *statuses,
				 size_t n, int64_t **ids, size_t *n_ids, struct ts_error *err);
	/* Marks a finished (ready or failed) version deleted and records it in
	 * the project's history; the caller then removes its files. CONFLICT
	 * "export_not_finished" while it is queued or building. A deleted one
	 * is left as is (*changed = 0). NOT_FOUND "export_not_found". */
	enum ts_err (*set_deleted)(struct ts_store *s, int64_t id, int64_t by, int *changed,
				   struct ts_error *err);
	/* with_manifest: also load manifest (caller releases with
	 * ts_export_release). NOT_FOUND "export_not_found". */
	enum ts_err (*get)(struct ts_store *s, int64_t id, int with_manifest,
			   struct ts_export *out, struct ts_error *err);
	/* Newest version first, versions below before_version (0: from the
	 * newest); no manifests. *out malloc'd. NOT_FOUND for an unknown
	 * project. */
	enum ts_err (*list)(struct ts_store *s, int64_t project_id, int64_t before_version,
			    int limit, struct ts_export **out, size_t *n, struct ts_error *err);
	/* The snapshot of an export (caller releases). */
	enum ts_err (*snapshot)(struct ts_store *s, int64_t id, struct ts_export_snapshot *out,
				struct ts_error *err);
	/* State changes of the build. None of them touches a ready export:
	 * they answer CONFLICT "export_immutable" instead. */
	enum ts_err (*set_building)(struct ts_store *s, int64_t id, int64_t total,
				    struct ts_error *err);
	enum ts_err (*set_progress)(struct ts_store *s, int64_t id, int64_t done,
				    struct ts_error *err);
	/* Back to queued (the build was interrupted by a shutdown). */
	enum ts_err (*set_queued)(struct ts_store *s, int64_t id, struct ts_error *err);
	enum ts_err (*set_failed)(struct ts_store *s, int64_t id, const char *reason,
				  struct ts_error *err);
	/* Marks ready and records identical_to (the earliest ready version of
	 * the project with the same hash), and share (NULL: the version has its
	 * own files). */
	enum ts_err (*set_ready)(struct ts_store *s, int64_t id, const char *hash,
				 const char *categories_hash, const char *manifest,
				 int64_t zip_bytes, const struct ts_export_share *share,
				 struct ts_error *err);
	/* The earliest ready version of the project with this hash that has
	 * its own files, below before_version; *version is 0 when none. */
	enum ts_err (*find_shareable)(struct ts_store *s, int64_t project_id, const char *hash,
				      int64_t before_version, int64_t *version,
				      struct ts_error *err);
	/* The project's usage (NOT_FOUND for an unknown project). */
	enum ts_err (*usage)(struct ts_store *s, int64_t project_id, struct ts_project_usage *out,
			     struct ts_error *err);
};

static inline enum ts_err ts_store_export_counts(struct ts_store_tx *tx, int64_t project_id,
						 const int *statuses, size_t n, int strict,
						 struct ts_export_counts *out,
						 struct ts_error *err)
{
	return tx->store->ops->exports->counts(tx, project_id, statuses, n, strict, out, err);
}
static inline enum ts_err ts_store_export_count_kept(struct ts_store_tx *tx, int64_t project_id,
						     int64_t *n, struct ts_error *err)
{
	return tx->store->ops->exports->count_kept(tx, project_id, n, err);
}
static inline enum ts_err ts_store_export_create(struct ts_store_tx *tx, int64_t project_id,
						 const int *statuses, size_t n, int64_t user_id,
						 const char *user_name, const char *split,
						 const struct ts_export_counts *counts,
						 struct ts_export *out, struct ts_error *err)
{
	return tx->store->ops->exports->create(tx, project_id, statuses, n, user_id, user_name,
					       split, NULL, counts, out, err);
}
/* With a layout ("imagefolder"; NULL: the default). */
static inline enum ts_err ts_store_export_create_in(struct ts_store_tx *tx, int64_t project_id,
						    const int *statuses, size_t n,
						    int64_t user_id, const char *user_name,
						    const char *split, const char *layout,
						    const struct ts_export_counts *counts,
						    struct ts_export *out, struct ts_error *err)
{
	return tx->store->ops->exports->create(tx, project_id, statuses, n, user_id, user_name,
					       split, layout, counts, out, err);
}
static inline enum ts_err ts_store_export_unchecked(struct ts_store *s, int64_t project_id,
						    const int *statuses, size_t n, int64_t **ids,
						    size_t *n_ids, struct ts_error *err)
{
	return s->ops->exports->unchecked(s, project_id, statuses, n, ids, n_ids, err);
}
static inline enum ts_err ts_store_export_get(struct ts_store *s, int64_t id, int with_manifest,
					      struct ts_export *out, struct ts_error *err)
{
	return s->ops->exports->get(s, id, with_manifest, out, err);
}
static inline enum ts_err ts_store_export_list(struct ts_store *s, int64_t project_id,
					       int64_t before_version, int limit,
					       struct ts_export **out, size_t *n,
					       struct ts_error *err)
{
	return s->ops->exports->list(s, project_id, before_version, limit, out, n, err);
}
static inline enum ts_err ts_store_export_snapshot(struct ts_store *s, int64_t id,
						   struct ts_export_snapshot *out,
						   struct ts_error *err)
{
	return s->ops->exports->snapshot(s, id, out, err);
}
static inline enum ts_err ts_store_export_set_building(struct ts_store *s, int64_t id,
						       int64_t total, struct ts_error *err)
{
	return s->ops->exports->set_building(s, id, total, err);
}
static inline enum ts_err ts_store_export_set_progress(struct ts_store *s, int64_t id,
						       int64_t done, struct ts_error *err)
{
	return s->ops->exports->set_progress(s, id, done, err);
}
static inline enum ts_err ts_store_export_set_queued(struct ts_store *s, int64_t id,
						     struct ts_error *err)
{
	return s->ops->exports->set_queued(s, id, err);
}
static inline enum ts_err ts_store_export_set_failed(struct ts_store *s, int64_t id,
						     const char *reason, struct ts_error *err)
{
	return s->ops->exports->set_failed(s, id, reason, err);
}
static inline enum ts_err ts_store_export_set_ready(struct ts_store *s, int64_t id,
						    const char *hash, const char *categories_hash,
						    const char *manifest, int64_t zip_bytes,
						    const struct ts_export_share *share,
						    struct ts_error *err)
{
	return s->ops->exports->set_ready(s, id, hash, categories_hash, manifest, zip_bytes,
					  share, err);
}
static inline enum ts_err ts_store_export_find_shareable(struct ts_store *s, int64_t project_id,
							 const char *hash,
							 int64_t before_version,
							 int64_t *version, struct ts_error *err)
{
	return s->ops->exports->find_shareable(s, project_id, hash, before_version, version, err);
}
static inline enum ts_err ts_store_project_usage(struct ts_store *s, int64_t project_id,
						 struct ts_project_usage *out,
						 struct ts_error *err)
{
	return s->ops->exports->usage(s, project_id, out, err);
}

static inline enum ts_err ts_store_export_set_deleted(struct ts_store *s, int64_t id, int64_t by,
						      int *changed, struct ts_error *err)
{
	return s->ops->exports->set_deleted(s, id, by, changed, err);
}

#endif
