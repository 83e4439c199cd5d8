/* Annotations: the port's primitives on the annotations table, its
 * per-category index (annotation_categories), its history and the counts
 * over them. The store keeps rows and decides nothing: what a change does
 * is decided by service/labeling.c (with domain/annotation.h), which runs
 * these inside one of its transactions (store.h) so that the check and the
 * write see the same row.
 *
 * An annotation's content is a typed payload: JSON text with its type
 * ("classification"), stored as given. The per-category index holds the
 * category ids the payload names, as the caller lists them; filters, counts
 * and exports read the index, never the payload. Statuses and queues are
 * stored as the names the caller gives. */
#ifndef TS_STORE_ANNOTATIONS_H
#define TS_STORE_ANNOTATIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/status.h"
#include "store/store.h"

#define TS_ANN_BULK_MAX 100000   /* assets per bulk call (ids or filter) */
#define TS_ANN_HISTORY_MAX 10000 /* rows returned by one history call */
/* Category ids of one annotation the index keeps (and load returns). */
#define TS_STORE_ANN_MAX_CATEGORIES 64
#define TS_STORE_ANN_NAME 16 /* a status or queue name, with its NUL */
/* A list of category ids as JSON text ("[1,2]"). */
#define TS_STORE_ANN_IDS_TEXT (TS_STORE_ANN_MAX_CATEGORIES * 21 + 3)

/* An annotation as the API shows it: the one struct of the asset list,
 * the labeling service and their one JSON view (http/views.h). */
struct ts_annotation {
	int64_t asset_id;
	int64_t project_id;
	enum ts_status status;
	char payload_type[32]; /* "classification", "boxes"; "" without content */
	/* The payload's JSON text for types other than classification (whose
	 * payload is its category_ids); NULL otherwise, and in asset lists.
	 * malloc'd: ts_annotation_release. */
	char *payload;
	size_t ncat;
	int64_t category_ids[TS_STORE_ANN_MAX_CATEGORIES]; /* ascending */
	int64_t revision;
	int64_t labeled_by;        /* user id, 0 when nobody */
	char labeled_by_name[260]; /* "" when nobody */
	int64_t updated_at;        /* epoch ms */
	/* The note of the latest change (a change to needs_review), NULL when
	 * none and in asset lists; malloc'd (ts_annotation_release). */
	char *note;
	int64_t import_id; /* the import that wrote this revision, 0 if none */
};

static inline void ts_annotation_release(struct ts_annotation *a)
{
	free(a->payload);
	free(a->note);
	a->payload = NULL;
	a->note = NULL;
}

/* An asset's annotation as stored, with what deciding a change needs. */
struct ts_ann_row {
	int64_t asset_id;
	int64_t project_id;
	int has_row;                   /* 0: never annotated (the defaults below) */
	char status[TS_STORE_ANN_NAME]; /* "unlabeled" without a row */
	int64_t revision;              /* 0 without a row */
	int64_t labeled_by;            /* user id, 0 when nobody */
	char labeled_by_name[260];     /* "" when nobody */
	int64_t updated_at;            /* epoch ms; the asset's creation without a row */
	char payload_type[32];         /* "" when the annotation has no content */
	char *payload;                 /* JSON text or NULL; malloc'd (ts_ann_row_release) */
	char *note;                    /* the latest change's note or NULL; malloc'd */
	size_t ncat;                   /* the per-category index, ascending */
	int64_t category_ids[TS_STORE_ANN_MAX_CATEGORIES];
	/* The project's settings, read with the row. */
	char task_type[32];
	int review_own_labels;
	/* The asset's size (display frame), for geometry checks. */
	int64_t width, height;
	/* The import that wrote this revision (store_imports.h), 0 if none. */
	int64_t import_id;
};

static inline void ts_ann_row_release(struct ts_ann_row *r)
{
	free(r->payload);
	free(r->note);
	r->payload = NULL;
	r->note = NULL;
}

/* The row to store (all borrowed). */
struct ts_ann_write {
	int64_t asset_id;
	int64_t project_id;
	const char *status;
	const char *queue;
	int64_t revision;
	int64_t labeled_by; /* 0: nobody */
	int64_t updated_at;
	const char *payload_type; /* NULL: no content */
	const char *payload;      /* JSON text, NULL with payload_type */
	/* With replace_index set, the per-category index becomes these ids
	 * (at most TS_STORE_ANN_MAX_CATEGORIES, no duplicates); otherwise it is
	 * left as it is. */
	int replace_index;
	const int64_t *category_ids;
	size_t ncat;
	/* Objects (boxes) of each category, parallel to category_ids; NULL
	 * for content without objects (stored as 0). */
	const int64_t *object_counts;
};

/* One history row to append (all borrowed). Categories are JSON arrays of
 * ids; payloads JSON text or NULL. */
struct ts_ann_history_add {
	int64_t asset_id;
	int64_t project_id;
	int64_t revision;
	int64_t user_id; /* 0: nobody */
	int64_t at;
	const char *from_status, *from_categories, *from_payload;
	const char *to_status, *to_categories, *to_payload;
	const char *via; /* "single" or "bulk" */
	const char *note; /* NULL: none */
};

struct ts_ann_history_entry {
	int64_t id;
	int64_t revision;
	int64_t user_id;
	char user_name[260];
	int64_t at;
	char from_status[TS_STORE_ANN_NAME], to_status[TS_STORE_ANN_NAME];
	char from_categories[TS_STORE_ANN_IDS_TEXT]; /* JSON array text */
	char to_categories[TS_STORE_ANN_IDS_TEXT];
	char *from_payload; /* JSON text or NULL; malloc'd (ts_ann_history_release) */
	char *to_payload;
	char via[8];
	char *note; /* NULL or malloc'd (ts_ann_history_release) */
};

/* Frees the payloads of h[0..n-1] and h itself. */
static inline void ts_ann_history_release(struct ts_ann_history_entry *h, size_t n)
{
	for (size_t i = 0; h && i < n; i++) {
		free(h[i].from_payload);
		free(h[i].to_payload);
		free(h[i].note);
	}
	free(h);
}

/* A count of a project's annotations with one status, in one category
 * (category_id > 0, by the index) or in all (category_id 0). */
struct ts_ann_count {
	int64_t category_id;
	char status[TS_STORE_ANN_NAME];
	int64_t count;
	int64_t objects; /* sum of the index's object counts (category_id > 0) */
};

/* A category of the project as the counts see it. */
struct ts_ann_category {
	int64_t category_id;
	char state[12]; /* active, disabled, deleted */
};

/* The counts of a project, from one snapshot. Arrays malloc'd: release
 * with ts_ann_counts_release. */
struct ts_ann_counts {
	struct ts_ann_count *counts; /* category 0 first, then by category id */
	size_t ncounts;
	struct ts_ann_category *categories; /* every category, deleted ones too, by id */
	size_t ncategories;
	int64_t deleted_category; /* assets whose index names a deleted category */
};

static inline void ts_ann_counts_release(struct ts_ann_counts *c)
{
	free(c->counts);
	free(c->categories);
	c->counts = NULL;
	c->categories = NULL;
	c->ncounts = c->ncategories = 0;
}

/* Every operation runs inside tx (a write one for write and history_add). */
struct ts_store_annotation_ops {
	/* NOT_FOUND "asset_not_found" for an unknown asset. Release *out with
	 * ts_ann_row_release (also after an error). */
	enum ts_err (*load)(struct ts_store_tx *tx, int64_t asset_id, struct ts_ann_row *out,
			    struct ts_error *err);
	/* The state of each of the project's categories ids[0..n-1] into
	 * states[i] ("active", "disabled", "deleted"; "" for no such category). */
	enum ts_err (*category_states)(struct ts_store_tx *tx, int64_t project_id,
				       const int64_t *ids, size_t n, char (*states)[12],
				       struct ts_error *err);
	/* Inserts or replaces the asset's annotation row (and its index). */
	enum ts_err (*write)(struct ts_store_tx *tx, const struct ts_ann_write *w,
			     struct ts_error *err);
	enum ts_err (*history_add)(struct ts_store_tx *tx, const struct ts_ann_history_add *h,
				   struct ts_error *err);
	/* The asset's history, oldest first, at most TS_ANN_HISTORY_MAX rows.
	 * Release *out with ts_ann_history_release. */
	enum ts_err (*history)(struct ts_store_tx *tx, int64_t asset_id,
			       struct ts_ann_history_entry **out, size_t *n,
			       struct ts_error *err);
	/* The ids of the project's annotations with queue (NULL: any), status
	 * (NULL: any) and category_id in their index (0: any), ascending, at
	 * most max of them. *ids malloc'd (caller frees). NOT_FOUND
	 * "project_not_found" for an unknown project. */
	enum ts_err (*match)(struct ts_store_tx *tx, int64_t project_id, const char *queue,
			     const char *status, int64_t category_id, size_t max, int64_t **ids,
			     size_t *n, struct ts_error *err);
	/* NOT_FOUND "project_not_found" for an unknown project. */
	enum ts_err (*counts)(struct ts_store_tx *tx, int64_t project_id,
			      struct ts_ann_counts *out, struct ts_error *err);
};

static inline enum ts_err ts_store_ann_load(struct ts_store_tx *tx, int64_t asset_id,
					    struct ts_ann_row *out, struct ts_error *err)
{
	return tx->store->ops->annotations->load(tx, asset_id, out, err);
}
static inline enum ts_err ts_store_ann_category_states(struct ts_store_tx *tx,
						       int64_t project_id, const int64_t *ids,
						       size_t n, char (*states)[12],
						       struct ts_error *err)
{
	return tx->store->ops->annotations->category_states(tx, project_id, ids, n, states, err);
}
static inline enum ts_err ts_store_ann_write(struct ts_store_tx *tx,
					     const struct ts_ann_write *w, struct ts_error *err)
{
	return tx->store->ops->annotations->write(tx, w, err);
}
static inline enum ts_err ts_store_ann_history_add(struct ts_store_tx *tx,
						   const struct ts_ann_history_add *h,
						   struct ts_error *err)
{
	return tx->store->ops->annotations->history_add(tx, h, err);
}
static inline enum ts_err ts_store_ann_history(struct ts_store_tx *tx, int64_t asset_id,
					       struct ts_ann_history_entry **out, size_t *n,
					       struct ts_error *err)
{
	return tx->store->ops->annotations->history(tx, asset_id, out, n, err);
}
static inline enum ts_err ts_store_ann_match(struct ts_store_tx *tx, int64_t project_id,
					     const char *queue, const char *status,
					     int64_t category_id, size_t max, int64_t **ids,
					     size_t *n, struct ts_error *err)
{
	return tx->store->ops->annotations->match(tx, project_id, queue, status, category_id, max,
						   ids, n, err);
}
static inline enum ts_err ts_store_ann_counts(struct ts_store_tx *tx, int64_t project_id,
					      struct ts_ann_counts *out, struct ts_error *err)
{
	return tx->store->ops->annotations->counts(tx, project_id, out, err);
}

#endif
