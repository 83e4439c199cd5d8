/* Labeling: setting an asset's annotation (its typed payload or its
 * status, with an optional revision check), its history, bulk review
 * actions and project stats. Each use case runs in one store transaction:
 * it loads the annotation, asks the state machine (domain/annotation.h),
 * checks the revision, writes the row and its history through the store's
 * primitives, and commits.
 *
 * Every change bumps the annotation's revision by one and appends a history
 * row in the same transaction. A request that changes nothing (the same
 * label again) writes nothing and returns the current annotation. */
#ifndef TS_SERVICE_LABELING_H
#define TS_SERVICE_LABELING_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "domain/annotation.h"
#include "domain/payload.h"
#include "store/store_annotations.h"
#include "store/store_assets.h"

/* struct ts_annotation (store/store_annotations.h) is what these return:
 * the one annotation struct of the server. */

/* A note with a change to needs_review: at most this many characters. */
#define TS_LABEL_NOTE_MAX 500

/* A requested change, as a caller parsed it (borrowed). */
struct ts_ann_request {
	enum ts_ann_change_kind kind;
	enum ts_ann_status status;          /* TS_ANN_SET_STATUS */
	const struct ts_payload *payload;   /* TS_ANN_SET_CATEGORIES: the new content */
	int64_t expected_revision; /* -1: no check */
	int64_t user_id;
	const char *user_name; /* the actor's name, for the returned annotation */
	/* NULL or a note (TS_ANN_SET_STATUS to needs_review only): checked by
	 * ts_labeling_set (INVALID "invalid_note", "note_not_allowed"). */
	const char *note;
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
		int64_t count;   /* images */
		int64_t objects; /* objects (boxes) of the category, detection */
		int64_t by_status[TS_ANN_STATUS_COUNT];
	} *per_category;
	int64_t deleted_category; /* assets labeled with a deleted category */
	/* Images that do not decode (never exported): all counted, the first
	 * TS_LABELING_DAMAGED_LISTED listed with their reason; malloc'd. */
	int64_t damaged_total;
	size_t n_damaged;
	struct ts_asset_damaged *damaged;
};

#define TS_LABELING_DAMAGED_LISTED 100


/* NOT_FOUND "asset_not_found" for an unknown asset. */
enum ts_err ts_labeling_get(struct ts_store *s, int64_t asset_id, struct ts_annotation *out,
			    struct ts_error *err);
/* Applies req in one write transaction (decision, revision bump, history
 * row). *changed says whether anything was written. A stale
 * expected_revision: CONFLICT "stale_revision" with *out holding the
 * current annotation (a repeat of the current state is not stale: it
 * succeeds without a write). A payload whose type is not the project's
 * task type: INVALID "payload_type_mismatch"; a box outside the image:
 * INVALID "box_outside_image". Refusals of the state machine keep their
 * codes; *out then holds the current annotation too (out->asset_id is 0
 * when the asset could not be read). */
enum ts_err ts_labeling_set(struct ts_store *s, int64_t asset_id,
			    const struct ts_ann_request *req, struct ts_annotation *out,
			    int *changed, struct ts_error *err);
/* The most assets one bulk call takes. */
#define TS_LABEL_BULK_MAX TS_ANN_BULK_MAX

/* One change of an annotation as its history shows it: the service's own
 * copy of the stored row, so that callers need no store header. */
struct ts_label_change {
	int64_t id;
	int64_t revision;
	int64_t at;
	char user_name[260]; /* "" when the user is unknown */
	char from_status[TS_STORE_ANN_NAME], to_status[TS_STORE_ANN_NAME];
	char from_categories[TS_STORE_ANN_IDS_TEXT]; /* JSON array text */
	char to_categories[TS_STORE_ANN_IDS_TEXT];
	char *from_payload; /* JSON text or NULL; owned */
	char *to_payload;
	char via[8];
	char *note; /* NULL or owned */
};

/* Frees the payloads of c[0..n-1] and c itself. */
void ts_label_changes_free(struct ts_label_change *c, size_t n);

/* Oldest first. Release *out with ts_label_changes_free. */
enum ts_err ts_labeling_history(struct ts_store *s, int64_t asset_id,
				struct ts_label_change **out, size_t *n,
				struct ts_error *err);
/* Bulk review action for ids (n of them) or, when ids is NULL, every asset
 * of the project matching filter. Each asset is all-or-nothing; *out
 * (malloc'd, caller frees) has one result per asset in the order given
 * (ids) or ascending id (filter). Ids of another project or unknown ones
 * fail with "asset_not_found". TOO_LARGE "too_many" when the filter matches
 * more than TS_ANN_BULK_MAX assets; INVALID "invalid_filter" for an unknown
 * filter name. */
enum ts_err ts_labeling_bulk(struct ts_store *s, int64_t project_id,
			     enum ts_ann_bulk_action action, const int64_t *ids, size_t n,
			     const struct ts_ann_filter *filter, int64_t user_id,
			     struct ts_ann_bulk_result **out, size_t *nout, struct ts_error *err);
/* Counts from one snapshot. out->per_category is malloc'd: release with
 * ts_ann_stats_release. NOT_FOUND for an unknown project. */
enum ts_err ts_labeling_stats(struct ts_store *s, int64_t project_id, struct ts_ann_stats *out,
			      struct ts_error *err);
void ts_ann_stats_release(struct ts_ann_stats *st);

#endif
