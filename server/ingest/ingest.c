/* One way in for every asset: checks, blob store, row, thumbnail job. */
#include "ingest/ingest.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain/names.h"
#include "hash/sha256.h"
#include "jobs/jobs.h"
#include "media/image.h"
#include "storage/blobs.h"
#include "core/banned.h"

enum ts_err ts_ingest_check_name(const char *name, size_t len,
				 char out[TS_ASSET_FILE_NAME_MAX + 1], struct ts_error *err)
{
	const unsigned char *s = (const unsigned char *)name;

	out[0] = '\0';
	while (len && s[0] == ' ') {
		s++;
		len--;
	}
	while (len && s[len - 1] == ' ')
		len--;
	if (len == 0)
		return ts_error_set(err, TS_ERR_INVALID, "invalid_file_name", "the file name is empty");
	if (len > TS_ASSET_FILE_NAME_MAX)
		return ts_error_set(err, TS_ERR_INVALID, "invalid_file_name",
				    "the file name is %zu bytes long; the limit is %d", len,
				    TS_ASSET_FILE_NAME_MAX);
	if (ts_utf8_count((const char *)s, len) < 0)
		return ts_error_set(err, TS_ERR_INVALID, "invalid_file_name",
				    "the file name is not valid UTF-8");
	for (size_t i = 0; i < len; i++) {
		if (s[i] < 0x20 || s[i] == 0x7F || (s[i] == 0xC2 && i + 1 < len && s[i + 1] < 0xA0))
			return ts_error_set(err, TS_ERR_INVALID, "invalid_file_name",
					    "the file name contains control characters");
		if (s[i] == '/' || s[i] == '\\')
			return ts_error_set(err, TS_ERR_INVALID, "invalid_file_name",
					    "the file name contains a path separator");
	}
	if (ts_name_check_bidi((const char *)s, len, "file name", "invalid_file_name", err))
		return TS_ERR_INVALID;
	if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
		return ts_error_set(err, TS_ERR_INVALID, "invalid_file_name",
				    "\".\" and \"..\" are not file names");
	memcpy(out, s, len);
	out[len] = '\0';
	return TS_OK;
}

enum ts_err ts_ingest_hashed(struct ts_app *app, int64_t project_id, int64_t user_id,
			     const char *tmp_path, const char *checksum, uint64_t byte_size,
			     const char *file_name, const struct ts_asset_source *source,
			     struct ts_asset *out, int *duplicate, struct ts_error *err)
{
	struct ts_image_info info;
	struct ts_asset_origin origin;
	struct ts_asset_new in;
	int64_t job_id = 0;
	enum ts_err e;

	*duplicate = 0;
	if (byte_size > app->cfg.max_upload_bytes) {
		e = ts_error_set(err, TS_ERR_TOO_LARGE, "file_too_large",
				 "the file is larger than the limit of %llu bytes",
				 (unsigned long long)app->cfg.max_upload_bytes);
		goto fail;
	}
	e = ts_media_image_probe(tmp_path, app->cfg.max_pixels, &info, err);
	if (e)
		goto fail;
	/* The blob is whole on disk before a row points at it. */
	e = ts_blob_commit(app->cfg.data_dir, tmp_path, checksum, err);
	if (e)
		return e; /* commit removed tmp_path */

	memset(&in, 0, sizeof(in));
	in.project_id = project_id;
	in.user_id = user_id;
	in.file_name = file_name;
	in.width = info.width;
	in.height = info.height;
	in.mime_type = info.mime_type;
	in.byte_size = (int64_t)byte_size;
	in.checksum_sha256 = checksum;
	if (source) {
		memset(&origin, 0, sizeof(origin));
		snprintf(origin.type, sizeof(origin.type), "video_frame");
		origin.video_id = source->video_id;
		snprintf(origin.video_file_name, sizeof(origin.video_file_name), "%s",
			 source->video_file_name ? source->video_file_name : "");
		origin.frame_index = source->frame_index;
		origin.timestamp_ms = source->timestamp_ms;
		in.origin = &origin;
	}
	e = ts_store_asset_insert(app->store, &in, out, duplicate, &job_id, err);
	if (!e && job_id)
		ts_jobs_notify(app->jobs, TS_JOB_THUMBNAIL);
	return e;
fail:
	unlink(tmp_path);
	return e;
}

enum ts_err ts_ingest_file(struct ts_app *app, int64_t project_id, int64_t user_id,
			   const char *tmp_path, const char *file_name,
			   const struct ts_asset_source *source, struct ts_asset *out,
			   int *duplicate, struct ts_error *err)
{
	char hex[TS_SHA256_HEX_SIZE];
	uint64_t bytes = 0;
	enum ts_err e;

	*duplicate = 0;
	e = ts_sha256_file(tmp_path, hex, &bytes, err);
	if (e) {
		unlink(tmp_path);
		return e;
	}
	return ts_ingest_hashed(app, project_id, user_id, tmp_path, hex, bytes, file_name, source,
				out, duplicate, err);
}

enum ts_err ts_ingest_thumbnail(struct ts_app *app, const struct ts_asset *a, char *path,
				struct ts_error *err)
{
	char thumb[TS_BLOB_PATH_MAX], blob[TS_BLOB_PATH_MAX], tmp[TS_BLOB_PATH_MAX];
	const char *dir = app->cfg.data_dir;
	struct stat st;
	enum ts_err e;

	if (ts_blob_thumb_path(dir, a->checksum_sha256, thumb, sizeof(thumb)) != 0 ||
	    ts_blob_path(dir, a->checksum_sha256, blob, sizeof(blob)) != 0 ||
	    ts_blob_thumb_tmp_path(dir, a->checksum_sha256, tmp, sizeof(tmp)) != 0)
		return ts_error_set(err, TS_ERR_INTERNAL, "bad_path", "bad blob path");
	if (path)
		snprintf(path, TS_BLOB_PATH_MAX, "%s", thumb);
	/* Thumbnails are shared by content: another asset may have made it. */
	if (stat(thumb, &st) != 0) {
		e = ts_blob_make_parent(thumb, err);
		if (e)
			return e;
		e = ts_media_image_thumbnail(blob, tmp, err);
		if (e)
			return e;
		if (rename(tmp, thumb) != 0)
			e = ts_error_set(err, TS_ERR_IO, "write_failed",
					 "cannot store the thumbnail: %s", strerror(errno));
		if (e) {
			unlink(tmp);
			return e;
		}
	}
	if (!a->thumbnail_ready)
		return ts_store_asset_set_thumbnail_ready(app->store, a->id, err);
	return TS_OK;
}

enum ts_err ts_ingest_thumbnail_job(struct ts_app *app, const struct ts_job *job,
				    struct ts_error *err)
{
	struct ts_asset a;
	enum ts_err e = ts_store_asset_get(app->store, job->ref_id, &a, err);

	/* Gone since (a failed video's unlabeled frames are removed): nothing
	 * to draw. */
	if (e == TS_ERR_NOT_FOUND)
		return TS_OK;
	if (e)
		return e;
	return ts_ingest_thumbnail(app, &a, NULL, err);
}
