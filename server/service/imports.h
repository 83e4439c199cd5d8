/* The imports service: bringing existing labels of a segmentation project
 * in from a zip, as the "import" job, and undoing an import.
 *
 * Accepting an upload checks the zip at once (import/archive.h: entry
 * count, sizes, compression ratio, names) and its kind, keeps it in the
 * blob store and queues the job; a refused zip leaves nothing behind.
 *
 * The zip holds one of (the first that applies):
 *   coco            an annotations.json (COCO) whose images match uploaded
 *                   assets by checksum_sha256, file name or name stem, and
 *                   whose categories match the project's by name (ids as
 *                   they are when it lists none); its annotations give
 *                   polygons or RLE (traced)
 *   instance_masks  a .csv with columns mask, image, category_id: one PNG
 *                   per object
 *   class_masks     PNG masks named after their images (a.png or a.jpg.png
 *                   for a.jpg): pixel value = category id, 0 = background
 * Masks are traced and simplified (domain/trace.h, tolerance default 1 px).
 *
 * The job first reads and checks every entry without writing anything.
 * An entry it cannot use is refused with its reason in the report, and the
 * others are imported. Some problems fail the whole import instead, and
 * nothing is imported: a mask larger than its image ("mask_too_large"), a
 * 16-bit or palette mask holding a value that is neither 0 nor a category
 * ("unexpected_mask_values": such a mask was saved in a way the import
 * would misread), more than TS_IMPORT_MAX_POINTS points ("too_many_points"),
 * an annotations.json or CSV that does not parse. Then it writes each
 * asset's annotation (labeled, by the importing user) in transactions of a
 * few assets, skipping any asset a person labeled after the import started
 * (checked inside the transaction that writes it), and records per asset
 * the revision it wrote and the annotation it replaced.
 *
 * Undo restores, in one transaction, each asset's annotation as it was
 * before the import, where the import's revision is still the current one
 * (an asset changed since keeps its change). */
#ifndef TS_SERVICE_IMPORTS_H
#define TS_SERVICE_IMPORTS_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "core/error.h"
#include "service/uploads.h"
#include "store/store_imports.h"
#include "store/store_jobs.h"

/* Polygon points one import may bring, over all its objects. */
#define TS_IMPORT_MAX_POINTS 500000
/* Refused entries the report lists (all are counted). */
#define TS_IMPORT_REPORT_MAX 1000

/* The whole file f (received) becomes an import of project_id by
 * user_id. tolerance: pixels, 0..TS_TRACE_TOLERANCE_MAX. Errors: CONFLICT
 * "not_segmentation" (the project's task is another), INVALID
 * "invalid_tolerance", "nothing_to_import" (no annotations.json, CSV or
 * PNG), the zip's refusals (import/archive.h), IO. f is consumed. */
enum ts_err ts_svc_import_accept(struct ts_app *app, int64_t project_id, int64_t user_id,
				 const char *file_name, struct ts_upload_file *f,
				 double tolerance, struct ts_import *out, struct ts_error *err);

enum ts_err ts_svc_import_get(struct ts_app *app, int64_t id, struct ts_import *out,
			      struct ts_error *err);
/* Newest first; the caller frees *out (ts_import_release each). */
enum ts_err ts_svc_import_list(struct ts_app *app, int64_t project_id, int64_t before,
			       int limit, struct ts_import **out, size_t *n,
			       struct ts_error *err);
/* Undoes a done import by user_id: *out is the import after it.
 * CONFLICT "import_not_done". */
enum ts_err ts_svc_import_undo(struct ts_app *app, int64_t id, int64_t user_id,
			       struct ts_import *out, struct ts_error *err);

/* The "import" job: job->ref_id is the import. */
enum ts_err ts_svc_import_job_run(struct ts_app *app, const struct ts_job *job,
				  struct ts_error *err);
void ts_svc_import_abandon(struct ts_app *app, const struct ts_job *job, const char *reason);

#endif
