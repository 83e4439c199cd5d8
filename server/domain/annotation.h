/* The annotation state machine of CONTRACT.md, pure (no I/O): given the
 * current status and categories of an asset and a requested change, the new
 * state or a refusal with a reason code. The labeling service
 * (service/labeling.c) runs it inside a store write transaction; the unit
 * tests run it exhaustively.
 *
 * States: unlabeled, labeled, skipped, needs_review, approved.
 *  - Assigning categories makes an asset `labeled` (also from approved and
 *    needs_review: relabeling sends it back to the labeler's side). Each
 *    category must exist in the project and be active; a single-label
 *    project takes exactly one.
 *  - `approved`, `needs_review` and `labeled` need a category, or an
 *    explicit empty answer (multi-label "none of these", detection "no
 *    objects").
 *  - `skipped` and `unlabeled` clear the categories (history keeps them).
 *  - A request that changes nothing is a no-op (idempotent repeats). */
#ifndef TS_DOMAIN_ANNOTATION_H
#define TS_DOMAIN_ANNOTATION_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/status.h"

#define TS_ANN_MAX_CATEGORIES 64

/* The statuses of core/status.h, under the state machine's names. */
enum ts_ann_status {
	TS_ANN_UNLABELED = TS_STATUS_UNLABELED,
	TS_ANN_LABELED = TS_STATUS_LABELED,
	TS_ANN_SKIPPED = TS_STATUS_SKIPPED,
	TS_ANN_NEEDS_REVIEW = TS_STATUS_NEEDS_REVIEW,
	TS_ANN_APPROVED = TS_STATUS_APPROVED,
	TS_ANN_STATUS_COUNT = TS_STATUS_COUNT
};

/* The state of a category as the state machine sees it. */
enum ts_ann_cat_state {
	TS_ANN_CAT_UNKNOWN = 0, /* no such category in the project */
	TS_ANN_CAT_ACTIVE,
	TS_ANN_CAT_DISABLED,
	TS_ANN_CAT_DELETED,
};

/* ts_status_name, ts_status_parse, and the name of ts_status_queue
 * (annotations.queue), under the state machine's names. */
const char *ts_ann_status_name(enum ts_ann_status s);
int ts_ann_status_parse(const char *name, enum ts_ann_status *out);
const char *ts_ann_queue_of(enum ts_ann_status s);
/* Maps "active"/"disabled"/"deleted" (categories.state); UNKNOWN otherwise. */
enum ts_ann_cat_state ts_ann_cat_state_parse(const char *state);

struct ts_ann_state {
	enum ts_ann_status status;
	const int64_t *category_ids;
	size_t ncat;
	/* The annotation holds content that names no category: the explicit
	 * answers "none of these" (classification_multi) and "no objects"
	 * (detection). It counts as labeled. */
	int empty_answer;
};

enum ts_ann_change_kind {
	TS_ANN_SET_CATEGORIES, /* category_ids (cat_states parallel to it) */
	TS_ANN_SET_STATUS,     /* status */
};

struct ts_ann_change {
	enum ts_ann_change_kind kind;
	enum ts_ann_status status;
	const int64_t *category_ids;
	const enum ts_ann_cat_state *cat_states; /* one per category_ids entry */
	size_t ncat;
	/* The project takes an answer naming no category (multi-label,
	 * detection): ncat 0 is then an explicit answer, not a refusal. */
	int allow_empty;
	/* The content differs from the current one although it names the same
	 * categories (a box moved): a change all the same. */
	int content_changed;
};

struct ts_ann_outcome {
	enum ts_ann_status status;
	/* The categories after the change: points into the current state or
	 * the change (borrowed from the caller's arrays). */
	const int64_t *category_ids;
	size_t ncat;
	int changed;          /* 0: nothing to write (idempotent repeat) */
	int categories_changed;
};

/* Decides the change. On success fills *out and returns TS_OK. Refusals:
 *  INVALID  "invalid_category_count" (single-label: not exactly one; or more
 *           than TS_ANN_MAX_CATEGORIES), "duplicate_category",
 *           "unknown_category" (details: none; message names the id)
 *  CONFLICT "category_disabled", "category_deleted",
 *           "not_labeled" (approved / needs_review / labeled without a
 *           category)
 * err may be NULL. */
enum ts_err ts_ann_decide(const struct ts_ann_state *cur, const struct ts_ann_change *chg,
			  int single_label, struct ts_ann_outcome *out, struct ts_error *err);

/* Writes the ids as a JSON array ("[1,2]") into out; returns 0, or -1 when
 * outlen is too small. */
int ts_ann_ids_text(const int64_t *ids, size_t n, char *out, size_t outlen);

/* May reviewer approve an annotation whose label labeled_by set last?
 * Always, unless the project forbids reviewing one's own labels
 * (review_own_labels 0) and the reviewer is that labeler. Refusals fill err
 * (FORBIDDEN "own_label") and return it; err may be NULL. */
enum ts_err ts_ann_may_approve(int review_own_labels, int64_t labeled_by, int64_t reviewer,
			       struct ts_error *err);

#endif
