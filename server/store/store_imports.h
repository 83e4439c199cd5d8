/* Imports: the rows of the imports table (one per uploaded zip, worked by
 * the "import" job) and, per asset an import labeled, the revision it wrote
 * and the annotation it replaced (for undo). Primitives only: the import
 * service decides. */
#ifndef TS_STORE_IMPORTS_H
#define TS_STORE_IMPORTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "store/store.h"

#define TS_IMPORT_JOB_KIND "import"
#define TS_IMPORT_PAGE_MAX 100

struct ts_import {
	int64_t id;
	int64_t project_id;
	int64_t user_id;
	char user_name[260];
	char state[12];       /* queued, running, done, failed, undone */
	char format[24];      /* coco, class_masks, instance_masks */
	char file_name[256];
	char checksum_sha256[65];
	double tolerance;
	int64_t progress_done, progress_total;
	int64_t images, objects, refused, undone;
	char *report;         /* JSON array text; owned (ts_import_release) */
	char error_code[48];  /* "" unless failed */
	char error[512];
	int64_t created_at, started_at, finished_at, undone_at; /* epoch ms, 0: not yet */
};

static inline void ts_import_release(struct ts_import *im)
{
	free(im->report);
	im->report = NULL;
}

/* What a new import is (borrowed). */
struct ts_import_new {
	int64_t project_id;
	int64_t user_id;
	const char *format;
	const char *file_name;
	const char *checksum_sha256;
	double tolerance;
};

/* The end of an import's run. */
struct ts_import_end {
	const char *state;      /* done or failed */
	int64_t images, objects, refused;
	const char *report;     /* JSON array text */
	const char *error_code; /* NULL unless failed */
	const char *error;
};

/* One asset an import labeled (borrowed). */
struct ts_import_change {
	int64_t asset_id;
	int64_t revision;
	char prev_status[16];
	int64_t prev_labeled_by;
	char prev_payload_type[32]; /* "" for none */
	char *prev_payload;         /* NULL for none; owned when read */
	char prev_categories[1400]; /* JSON array of ids */
};

static inline void ts_import_changes_free(struct ts_import_change *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++)
		free(c[i].prev_payload);
	free(c);
}

struct ts_store_import_ops {
	/* Inserts the import (queued) and its job (TS_IMPORT_JOB_KIND,
	 * ref_id the import) in one transaction. NOT_FOUND
	 * "project_not_found". */
	enum ts_err (*create)(struct ts_store *s, const struct ts_import_new *in,
			      struct ts_import *out, struct ts_error *err);
	/* NOT_FOUND "import_not_found". Release *out. */
	enum ts_err (*get)(struct ts_store *s, int64_t id, struct ts_import *out,
			   struct ts_error *err);
	/* Newest first, ids below before (0: from the newest), without
	 * reports. *out malloc'd. NOT_FOUND "project_not_found". */
	enum ts_err (*list)(struct ts_store *s, int64_t project_id, int64_t before, int limit,
			    struct ts_import **out, size_t *n, struct ts_error *err);
	/* queued -> running with total steps; started_at set the first time
	 * only (a run resumed after a restart keeps it). */
	enum ts_err (*set_running)(struct ts_store *s, int64_t id, int64_t total,
				   struct ts_error *err);
	enum ts_err (*set_progress)(struct ts_store *s, int64_t id, int64_t done, int64_t total,
				    struct ts_error *err);
	enum ts_err (*finish)(struct ts_store *s, int64_t id, const struct ts_import_end *end,
			      struct ts_error *err);
	/* Inside a write transaction: records that the import labeled an
	 * asset (replacing an earlier record of the same asset). */
	enum ts_err (*change_add)(struct ts_store_tx *tx, int64_t import_id,
				  const struct ts_import_change *c, struct ts_error *err);
	/* The import's changes, by asset id (ts_import_changes_free). */
	enum ts_err (*changes)(struct ts_store_tx *tx, int64_t import_id,
			       struct ts_import_change **out, size_t *n, struct ts_error *err);
	/* Inside a write transaction: marks a done import undone, with the
	 * assets restored. CONFLICT "import_not_done" unless it is done. */
	enum ts_err (*set_undone)(struct ts_store_tx *tx, int64_t id, int64_t restored,
				  struct ts_error *err);
};

static inline enum ts_err ts_store_import_create(struct ts_store *s,
						 const struct ts_import_new *in,
						 struct ts_import *out, struct ts_error *err)
{
	return s->ops->imports->create(s, in, out, err);
}
static inline enum ts_err ts_store_import_get(struct ts_store *s, int64_t id,
					      struct ts_import *out, struct ts_error *err)
{
	return s->ops->imports->get(s, id, out, err);
}
static inline enum ts_err ts_store_import_list(struct ts_store *s, int64_t project_id,
					       int64_t before, int limit, struct ts_import **out,
					       size_t *n, struct ts_error *err)
{
	return s->ops->imports->list(s, project_id, before, limit, out, n, err);
}
static inline enum ts_err ts_store_import_set_running(struct ts_store *s, int64_t id,
						      int64_t total, struct ts_error *err)
{
	return s->ops->imports->set_running(s, id, total, err);
}
static inline enum ts_err ts_store_import_set_progress(struct ts_store *s, int64_t id,
						       int64_t done, int64_t total,
						       struct ts_error *err)
{
	return s->ops->imports->set_progress(s, id, done, total, err);
}
static inline enum ts_err ts_store_import_finish(struct ts_store *s, int64_t id,
						 const struct ts_import_end *end,
						 struct ts_error *err)
{
	return s->ops->imports->finish(s, id, end, err);
}
static inline enum ts_err ts_store_import_change_add(struct ts_store_tx *tx, int64_t import_id,
						     const struct ts_import_change *c,
						     struct ts_error *err)
{
	return tx->store->ops->imports->change_add(tx, import_id, c, err);
}
static inline enum ts_err ts_store_import_changes(struct ts_store_tx *tx, int64_t import_id,
						  struct ts_import_change **out, size_t *n,
						  struct ts_error *err)
{
	return tx->store->ops->imports->changes(tx, import_id, out, n, err);
}
static inline enum ts_err ts_store_import_set_undone(struct ts_store_tx *tx, int64_t id,
						     int64_t restored, struct ts_error *err)
{
	return tx->store->ops->imports->set_undone(tx, id, restored, err);
}

#endif
