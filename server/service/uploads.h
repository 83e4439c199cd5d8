/* The uploads service: incoming files and image uploads.
 *
 * An incoming file's bytes are written to a temporary file and hashed as
 * they arrive (storage/blobs.h), before a use case (an image here, a video
 * in service/videos.h) checks and keeps them. The HTTP layer reads the
 * multipart body and hands each file's chunks here; it never touches
 * storage, media or the store itself. */
#ifndef TS_SERVICE_UPLOADS_H
#define TS_SERVICE_UPLOADS_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "core/error.h"
#include "core/status.h"
#include "media/image.h"
#include "storage/blobs.h"
#include "store/store_assets.h"

struct ts_upload_file {
	struct ts_blob_writer w;
	int open;
};

/* Call before anything else (the file is not open yet). */
void ts_upload_file_init(struct ts_upload_file *f);
/* A fresh temporary file, at most app->cfg.max_upload_bytes. */
enum ts_err ts_upload_file_open(struct ts_app *app, struct ts_upload_file *f,
				struct ts_error *err);
/* Appends and hashes a chunk. TOO_LARGE "file_too_large", IO. */
enum ts_err ts_upload_file_write(struct ts_upload_file *f, const void *data, size_t len,
				 struct ts_error *err);
/* Bytes received so far. */
uint64_t ts_upload_file_bytes(const struct ts_upload_file *f);
/* Removes the temporary file (a no-op once kept or removed). */
void ts_upload_file_abort(struct ts_upload_file *f);

/* Checks and cleans an uploaded file's name into out: 1..255 bytes of
 * valid UTF-8, no control characters or path separators. INVALID
 * "invalid_file_name". */
enum ts_err ts_upload_check_name(const char *name, size_t len,
				 char out[TS_ASSET_FILE_NAME_MAX + 1], struct ts_error *err);

/* The whole file f (fully received) becomes an image asset of project_id
 * by user_id (or, with *duplicate set, the asset that already holds the
 * same bytes): not empty (INVALID "empty_file"), within the project's
 * byte quota (QUOTA), an accepted image within the limits (see
 * service/ingest.h), stored and queued for its thumbnail. f is consumed
 * whatever the outcome. IO, INTERNAL and QUOTA errors concern the server
 * or the project, the others only this file. */
enum ts_err ts_upload_image_accept(struct ts_app *app, int64_t project_id, int64_t user_id,
				   const char *file_name, struct ts_upload_file *f,
				   struct ts_asset *out, int *duplicate, struct ts_error *err);

/* Reading images: an asset, the path of its original, and the path of its
 * thumbnail (made now when missing; UNPROCESSABLE "damaged_image"). Paths
 * take TS_BLOB_PATH_MAX bytes. */
enum ts_err ts_upload_asset_get(struct ts_app *app, int64_t id, struct ts_asset *out,
				struct ts_error *err);
/* The number of assets the category and video filters keep, per status
 * and per queue (queue[TS_QUEUE_ALL] is all of them). */
struct ts_upload_counts {
	int64_t status[TS_STATUS_COUNT];
	int64_t queue[TS_QUEUE_COUNT];
};

/* A page of a project's assets (q); the caller frees *out. */
enum ts_err ts_upload_asset_list(struct ts_app *app, const struct ts_asset_query *q,
				 struct ts_asset **out, size_t *n, int64_t *next_after,
				 struct ts_error *err);
/* The counts for q's project, category_id and video_id. */
enum ts_err ts_upload_asset_counts(struct ts_app *app, const struct ts_asset_query *q,
				   struct ts_upload_counts *out, struct ts_error *err);
enum ts_err ts_upload_asset_file(struct ts_app *app, const struct ts_asset *a, char *path,
				 struct ts_error *err);
enum ts_err ts_upload_asset_thumbnail(struct ts_app *app, const struct ts_asset *a, char *path,
				      struct ts_error *err);

#endif
