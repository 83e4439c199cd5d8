/* Ingestion: turning a file on disk into an asset. One path for every
 * source: the upload handler calls it for each uploaded file, the video
 * extractor for each extracted frame, so a frame is ingested exactly like
 * an uploaded image (same checks, same blob store, same thumbnail job).
 *
 * Steps: hash (unless the caller already did), probe (our own header
 * read: accepted format, pixel limits and decode budget before any
 * decoding; structure check), move the file into the content-addressed
 * blob store, then insert the asset + annotation + thumbnail job in one
 * transaction and wake a thumbnail worker. The thumbnail job decodes the
 * whole image once and marks it "damaged" when it does not decode. */
#ifndef TS_SERVICE_INGEST_H
#define TS_SERVICE_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "core/error.h"
#include "media/image.h"
#include "store/store_assets.h"

/* Provenance of a video frame. */
struct ts_asset_source {
	int64_t video_id;
	const char *video_file_name; /* borrowed; the video's original name */
	int64_t frame_index;         /* 0-based, decode order */
	int64_t timestamp_ms;        /* presentation time from the stream start */
};

/* Ingests tmp_path, a complete file in DATA/tmp (same filesystem as the
 * blob store). Whatever the outcome, tmp_path no longer exists when this
 * returns: it was moved into the blob store or removed.
 *
 * file_name: the name to store, already valid (see ts_ingest_check_name).
 * source: NULL for an uploaded image. user_id: who uploaded it (0: none).
 * On success *out is the asset and *duplicate says whether the same bytes
 * were already in the project (then *out is the existing asset and
 * nothing was written).
 *
 * Errors, each with a code and a sentence in err:
 *   UNSUPPORTED "not_an_image", UNPROCESSABLE "corrupt_image" / "empty_file",
 *   TOO_LARGE "too_many_pixels" / "file_too_large",
 *   NOT_FOUND "project_not_found", IO (disk or database). */
enum ts_err ts_ingest_file(struct ts_app *app, int64_t project_id, int64_t user_id,
			   const char *tmp_path, const char *file_name,
			   const struct ts_asset_source *source, struct ts_asset *out,
			   int *duplicate, struct ts_error *err);

/* Same, for a file whose SHA-256 (hex) and size the caller computed while
 * writing it (the upload path hashes as it streams). */
enum ts_err ts_ingest_hashed(struct ts_app *app, int64_t project_id, int64_t user_id,
			     const char *tmp_path, const char *checksum, uint64_t byte_size,
			     const char *file_name, const struct ts_asset_source *source,
			     struct ts_asset *out, int *duplicate, struct ts_error *err);

/* Checks an uploaded file name: 1..255 bytes of valid UTF-8, no control
 * characters, no path separators ('/' or '\\'), not "." or "..". Leading
 * and trailing spaces are trimmed. Writes the name to store into out
 * (TS_ASSET_FILE_NAME_MAX + 1 bytes). INVALID "invalid_file_name" with
 * the reason in the message. */
enum ts_err ts_ingest_check_name(const char *name, size_t len,
				 char out[TS_ASSET_FILE_NAME_MAX + 1], struct ts_error *err);

/* What image work shares across threads: the decode memory budget and
 * the table of decodes in progress (by checksum), so that one image is
 * decoded once however many requests and jobs ask for it at the same
 * time. Made once at start (app->ingest); _free(NULL) is a no-op. */
struct ts_ingest;
struct ts_ingest *ts_ingest_new(const struct ts_config *cfg);
void ts_ingest_free(struct ts_ingest *in);

/* The shared decode budget of in (NULL when in is NULL). */
struct ts_media_budget *ts_ingest_budget(struct ts_ingest *in);

/* The image limits of cfg. */
void ts_ingest_limits(const struct ts_config *cfg, struct ts_image_limits *out);

/* Makes sure asset a was decoded: the first caller for its bytes decodes
 * the whole image once (ts_media_image_decode), writes the thumbnail and
 * records the outcome for every asset with those bytes ("ok", or
 * "damaged" with the reason); callers that come while that decode runs
 * wait for it and share its outcome. path (TS_BLOB_PATH_MAX bytes, may be
 * NULL) receives the thumbnail's path. A thumbnail that already exists is
 * served as it is. Errors: UNPROCESSABLE "damaged_image" (the reason in
 * the message), IO. */
enum ts_err ts_ingest_thumbnail(struct ts_app *app, const struct ts_asset *a, char *path,
				struct ts_error *err);

/* Decodes every asset the export selection (statuses, enum ts_status
 * values) would take that was not decoded yet, so that the
 * export holds every image that decodes and none that does not. Damaged
 * images are recorded, not errors; an asset that could not be checked
 * (I/O) stays pending and out of the export. Errors: NOT_FOUND, IO. */
enum ts_err ts_ingest_check_selection(struct ts_app *app, int64_t project_id,
				      const int *statuses, size_t n, struct ts_error *err);

/* The "thumbnail" job (app/app.c): job->ref_id is the asset id. */
struct ts_job;
enum ts_err ts_ingest_thumbnail_job(struct ts_app *app, const struct ts_job *job,
				    struct ts_error *err);

#endif
