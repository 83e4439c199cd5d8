#include "service/uploads.h"

#include <stdio.h>
#include <string.h>

#include "service/ingest.h"
#include "service/quotas.h"
#include "storage/remote.h"
#include "core/banned.h"

void ts_upload_file_init(struct ts_upload_file *f)
{
	memset(f, 0, sizeof(*f));
	f->w.fd = -1;
}

enum ts_err ts_upload_file_open(struct ts_app *app, struct ts_upload_file *f,
				struct ts_error *err)
{
	enum ts_err e = ts_blob_writer_open(&f->w, app->cfg.data_dir, app->cfg.max_upload_bytes,
					    err);

	f->open = e == TS_OK;
	return e;
}

enum ts_err ts_upload_file_write(struct ts_upload_file *f, const void *data, size_t len,
				 struct ts_error *err)
{
	return ts_blob_writer_write(&f->w, data, len, err);
}

uint64_t ts_upload_file_bytes(const struct ts_upload_file *f)
{
	return f->w.bytes;
}

void ts_upload_file_abort(struct ts_upload_file *f)
{
	ts_blob_writer_abort(&f->w);
}

enum ts_err ts_upload_check_name(const char *name, size_t len,
				 char out[TS_ASSET_FILE_NAME_MAX + 1], struct ts_error *err)
{
	return ts_ingest_check_name(name, len, out, err);
}

enum ts_err ts_upload_image_accept(struct ts_app *app, int64_t project_id, int64_t user_id,
				   const char *file_name, struct ts_upload_file *f,
				   struct ts_asset *out, int *duplicate, struct ts_error *err)
{
	char hex[TS_SHA256_HEX_SIZE];
	enum ts_err e;

	*duplicate = 0;
	if (f->w.bytes == 0) {
		ts_upload_file_abort(f);
		return ts_error_set(err, TS_ERR_INVALID, "empty_file", "The file is empty.");
	}
	e = ts_quota_check_upload(app, project_id, f->w.bytes, err);
	if (!e)
		e = ts_blob_writer_finish(&f->w, hex, err);
	if (e) {
		ts_upload_file_abort(f);
		return e;
	}
	e = ts_ingest_hashed(app, project_id, user_id, f->w.tmp_path, hex, f->w.bytes, file_name,
			     NULL, out, duplicate, err);
	/* The ingest consumed the temporary file. */
	f->w.tmp_path[0] = '\0';
	return e;
}

enum ts_err ts_upload_asset_get(struct ts_app *app, int64_t id, struct ts_asset *out,
				struct ts_error *err)
{
	return ts_store_asset_get(app->store, id, out, err);
}

enum ts_err ts_upload_asset_list(struct ts_app *app, const struct ts_asset_query *q,
				 struct ts_asset **out, size_t *n, int64_t *next_after,
				 struct ts_error *err)
{
	return ts_store_asset_list(app->store, q, out, n, next_after, err);
}

enum ts_err ts_upload_asset_counts(struct ts_app *app, const struct ts_asset_query *q,
				   struct ts_upload_counts *out, struct ts_error *err)
{
	struct ts_asset_counts c;
	enum ts_err e = ts_store_asset_counts(app->store, q, &c, err);

	memset(out, 0, sizeof(*out));
	if (e)
		return e;
	for (int i = 0; i < TS_STATUS_COUNT; i++)
		out->status[i] = c.by_status[i];
	for (int i = 0; i < TS_STATUS_COUNT; i++)
		out->queue[ts_status_queue((enum ts_status)i)] += out->status[i];
	out->queue[TS_QUEUE_ALL] = c.all;
	return TS_OK;
}

enum ts_err ts_upload_asset_file(struct ts_app *app, const struct ts_asset *a, char *path,
				 struct ts_error *err)
{
	enum ts_err e;

	if (ts_blob_path(app->cfg.data_dir, a->checksum_sha256, path, TS_BLOB_PATH_MAX) != 0)
		return ts_error_set(err, TS_ERR_INTERNAL, "internal_error",
				    "The stored checksum is malformed.");
	/* With an object store, a file this server lacks is fetched first. */
	e = ts_blob_remote_ensure(app->cfg.data_dir, path, a->checksum_sha256, err);
	if (e == TS_ERR_NOT_FOUND) {
		if (err) {
			ts_error_release(err);
			memset(err, 0, sizeof(*err));
		}
		return TS_OK; /* opening it says it is missing, as without a store */
	}
	if (e) {
		char why[TS_ERROR_MSG_MAX];

		snprintf(why, sizeof(why), "%s", err->message);
		return ts_error_set(err, TS_ERR_UNAVAILABLE, "blobs_unavailable", "%s", why);
	}
	return TS_OK;
}

enum ts_err ts_upload_asset_thumbnail(struct ts_app *app, const struct ts_asset *a, char *path,
				      struct ts_error *err)
{
	return ts_ingest_thumbnail(app, a, path, err);
}
