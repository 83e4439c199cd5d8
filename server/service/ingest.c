/* One way in for every asset: checks, blob store, row, thumbnail job. */
#include "service/ingest.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain/names.h"
#include "hash/sha256.h"
#include "jobs/jobs.h"
#include "media/image.h"
#include "core/log.h"
#include "storage/blobs.h"
#include "storage/cache.h"
#include "storage/remote.h"
#include "store/store_exports.h"
#include "core/banned.h"

/* One decode in progress, keyed by checksum; waiters share its outcome. */
struct inflight {
	char sha[65];
	int done;
	unsigned refs;
	enum ts_err e;
	char code[48];
	char message[512];
	struct inflight *next;
};

struct ts_ingest {
	struct ts_media_budget *budget;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct inflight *head;
};

struct ts_ingest *ts_ingest_new(const struct ts_config *cfg)
{
	struct ts_ingest *in = ts_xcalloc(1, sizeof(*in));

	in->budget = ts_media_budget_new(cfg->decode_budget);
	pthread_mutex_init(&in->mu, NULL);
	pthread_cond_init(&in->cv, NULL);
	return in;
}

void ts_ingest_free(struct ts_ingest *in)
{
	if (!in)
		return;
	ts_media_budget_free(in->budget);
	pthread_cond_destroy(&in->cv);
	pthread_mutex_destroy(&in->mu);
	free(in);
}

struct ts_media_budget *ts_ingest_budget(struct ts_ingest *in)
{
	return in ? in->budget : NULL;
}

void ts_ingest_limits(const struct ts_config *cfg, struct ts_image_limits *out)
{
	memset(out, 0, sizeof(*out));
	out->max_pixels = cfg->max_pixels;
	out->max_pixels_format[TS_IMAGE_JPEG] = cfg->max_pixels_jpeg;
	out->max_pixels_format[TS_IMAGE_PNG] = cfg->max_pixels_png;
	out->max_pixels_format[TS_IMAGE_WEBP] = cfg->max_pixels_webp;
	out->max_pixels_format[TS_IMAGE_GIF] = cfg->max_pixels_gif;
	out->max_pixels_format[TS_IMAGE_TIFF] = cfg->max_pixels_tiff;
	out->max_pixels_format[TS_IMAGE_HEIF] = cfg->max_pixels_heif;
	out->decode_budget = cfg->decode_budget;
}

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
	struct ts_image_limits lim;
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
	ts_ingest_limits(&app->cfg, &lim);
	e = ts_media_image_probe(tmp_path, &lim, &info, err);
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
	in.orientation = info.orientation;
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

/* The decode itself: thumbnail written and renamed into place, outcome
 * recorded. An image that does not decode within the limits is damaged
 * (recorded; the error is returned as UNPROCESSABLE "damaged_image"). */
static enum ts_err decode_record(struct ts_app *app, const struct ts_asset *a, const char *blob,
				 const char *thumb, const char *tmp, struct ts_error *err)
{
	struct ts_image_limits lim;
	struct ts_error derr = { 0 };
	enum ts_err e;

	e = ts_blob_make_parent(thumb, err);
	if (!e && ts_blob_remote_get())
		e = ts_blob_remote_ensure(app->cfg.data_dir, blob, a->checksum_sha256, err);
	if (e)
		return e;
	ts_ingest_limits(&app->cfg, &lim);
	e = ts_media_image_decode(blob, &lim, app->ingest ? app->ingest->budget : NULL, tmp,
				  &derr);
	if (e == TS_ERR_IO) {
		ts_error_set(err, e, derr.code, "%s", derr.message);
		ts_error_release(&derr);
		return e;
	}
	if (e) {
		ts_log_info("asset %lld (%s) is damaged: %s", (long long)a->id, a->checksum_sha256,
			    derr.message);
		e = ts_store_asset_set_decoded(app->store, a->checksum_sha256, 0,
					       derr.message, err);
		if (!e)
			e = ts_error_set(err, TS_ERR_UNPROCESSABLE, "damaged_image", "%s",
					 derr.message[0] ? derr.message : "the image does not decode");
		ts_error_release(&derr);
		return e;
	}
	ts_log_info("asset %lld: image %s decoded in full (%lld x %lld)", (long long)a->id,
		    a->checksum_sha256, (long long)a->width, (long long)a->height);
	/* In the remote (if any) before it is in place here: a thumbnail in
	 * place is taken as made (by another request, or a retry of this job
	 * after the store failed). */
	e = ts_blob_remote_put_file_as(app->cfg.data_dir, thumb, tmp, NULL, err);
	if (!e && rename(tmp, thumb) != 0)
		e = ts_error_set(err, TS_ERR_IO, "write_failed", "cannot store the thumbnail: %s",
				 strerror(errno));
	if (e) {
		unlink(tmp);
		return e;
	}
	ts_blob_cache_added(thumb);
	return ts_store_asset_set_decoded(app->store, a->checksum_sha256, 1, NULL, err);
}

/* The recorded outcome for a's bytes: TS_OK (decoded, thumbnail on
 * disk), UNPROCESSABLE "damaged_image", or NOT_FOUND when a decode is
 * still needed. */
static enum ts_err decided(struct ts_app *app, const struct ts_asset *a, const char *thumb,
			   struct ts_error *err)
{
	struct ts_asset now;
	struct stat st;

	if (ts_store_asset_get(app->store, a->id, &now, NULL) != TS_OK)
		return TS_ERR_NOT_FOUND;
	if (strcmp(now.decode_state, "damaged") == 0)
		return ts_error_set(err, TS_ERR_UNPROCESSABLE, "damaged_image", "%s",
				    now.damage_reason[0] ? now.damage_reason
							 : "the image does not decode");
	if (strcmp(now.decode_state, "ok") == 0 && stat(thumb, &st) == 0)
		return TS_OK;
	return TS_ERR_NOT_FOUND;
}

/* Runs decode_record once per checksum at a time: a second caller waits
 * for the first and gets its outcome. */
static enum ts_err decode_shared(struct ts_app *app, const struct ts_asset *a, const char *blob,
				 const char *thumb, const char *tmp, struct ts_error *err)
{
	struct ts_ingest *in = app->ingest;
	struct inflight *f, **pp;
	enum ts_err e;
	int mine = 0;

	if (!in)
		return decode_record(app, a, blob, thumb, tmp, err);
	pthread_mutex_lock(&in->mu);
	for (f = in->head; f; f = f->next)
		if (strcmp(f->sha, a->checksum_sha256) == 0)
			break;
	if (!f) {
		f = ts_xcalloc(1, sizeof(*f));
		snprintf(f->sha, sizeof(f->sha), "%s", a->checksum_sha256);
		f->next = in->head;
		in->head = f;
		mine = 1;
	}
	f->refs++;
	pthread_mutex_unlock(&in->mu);

	if (mine) {
		struct ts_error mine_err = { 0 };

		/* A decode that ended just before we looked has recorded its
		 * outcome already: use it rather than decode again. */
		e = decided(app, a, thumb, &mine_err);
		if (e == TS_ERR_NOT_FOUND)
			e = decode_record(app, a, blob, thumb, tmp, &mine_err);
		pthread_mutex_lock(&in->mu);
		f->e = e;
		snprintf(f->code, sizeof(f->code), "%s", mine_err.code);
		snprintf(f->message, sizeof(f->message), "%s", mine_err.message);
		f->done = 1;
		/* Off the table now: a later caller finds the outcome in the
		 * store or the thumbnail on disk. */
		for (pp = &in->head; *pp; pp = &(*pp)->next)
			if (*pp == f) {
				*pp = f->next;
				break;
			}
		pthread_cond_broadcast(&in->cv);
		if (e)
			ts_error_set(err, e, mine_err.code, "%s", mine_err.message);
		ts_error_release(&mine_err);
	} else {
		pthread_mutex_lock(&in->mu);
		while (!f->done)
			pthread_cond_wait(&in->cv, &in->mu);
		e = f->e;
		if (e)
			ts_error_set(err, e, f->code, "%s", f->message);
	}
	if (--f->refs == 0)
		free(f);
	pthread_mutex_unlock(&in->mu);
	return e;
}

enum ts_err ts_ingest_thumbnail(struct ts_app *app, const struct ts_asset *a, char *path,
				struct ts_error *err)
{
	char thumb[TS_BLOB_PATH_MAX], blob[TS_BLOB_PATH_MAX], tmp[TS_BLOB_PATH_MAX];
	const char *dir = app->cfg.data_dir;
	struct stat st;

	if (ts_blob_thumb_path(dir, a->checksum_sha256, thumb, sizeof(thumb)) != 0 ||
	    ts_blob_path(dir, a->checksum_sha256, blob, sizeof(blob)) != 0 ||
	    ts_blob_thumb_tmp_path(dir, a->checksum_sha256, tmp, sizeof(tmp)) != 0)
		return ts_error_set(err, TS_ERR_INTERNAL, "bad_path", "bad blob path");
	if (path)
		snprintf(path, TS_BLOB_PATH_MAX, "%s", thumb);
	if (strcmp(a->decode_state, "damaged") == 0)
		return ts_error_set(err, TS_ERR_UNPROCESSABLE, "damaged_image", "%s",
				    a->damage_reason[0] ? a->damage_reason
							: "the image does not decode");
	/* Thumbnails are shared by content: another asset may have made it.
	 * One that exists was made by a whole decode (here, or in the remote
	 * store by another server). With a remote, the local one is a copy
	 * that is made sure of (fetched, or marked as used). */
	if (ts_blob_remote_get()) {
		struct ts_error ferr = { 0 };

		if (ts_blob_remote_ensure(dir, thumb, NULL, &ferr) != TS_OK &&
		    ferr.err != TS_ERR_NOT_FOUND)
			ts_log_warn("thumbnail %s: %s", a->checksum_sha256, ferr.message);
		ts_error_release(&ferr);
	}
	if (stat(thumb, &st) == 0) {
		if (!a->thumbnail_ready)
			return ts_store_asset_set_thumbnail_ready(app->store, a->id, err);
		return TS_OK;
	}
	return decode_shared(app, a, blob, thumb, tmp, err);
}

/* Decodes a pending asset (also when its thumbnail exists: one made
 * before images were decoded in full proves nothing). Damage is an
 * outcome, not an error. */
static enum ts_err check_asset(struct ts_app *app, const struct ts_asset *a, struct ts_error *err)
{
	char thumb[TS_BLOB_PATH_MAX], blob[TS_BLOB_PATH_MAX], tmp[TS_BLOB_PATH_MAX];
	const char *dir = app->cfg.data_dir;
	enum ts_err e;

	if (strcmp(a->decode_state, "pending") != 0) {
		/* Decided already; only a lost thumbnail is made again. */
		e = ts_ingest_thumbnail(app, a, NULL, err);
		return e == TS_ERR_UNPROCESSABLE ? TS_OK : e;
	}
	if (ts_blob_thumb_path(dir, a->checksum_sha256, thumb, sizeof(thumb)) != 0 ||
	    ts_blob_path(dir, a->checksum_sha256, blob, sizeof(blob)) != 0 ||
	    ts_blob_thumb_tmp_path(dir, a->checksum_sha256, tmp, sizeof(tmp)) != 0)
		return ts_error_set(err, TS_ERR_INTERNAL, "bad_path", "bad blob path");
	e = decode_shared(app, a, blob, thumb, tmp, err);
	return e == TS_ERR_UNPROCESSABLE ? TS_OK : e;
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
	return check_asset(app, &a, err);
}

enum ts_err ts_ingest_check_selection(struct ts_app *app, int64_t project_id,
				      const int *statuses, size_t n, struct ts_error *err)
{
	int64_t *ids = NULL;
	size_t n_ids = 0;
	enum ts_err e;

	e = ts_store_export_unchecked(app->store, project_id, statuses, n, &ids, &n_ids, err);
	if (e)
		return e;
	for (size_t i = 0; i < n_ids; i++) {
		struct ts_error one = { 0 };
		struct ts_asset a;

		if (ts_store_asset_get(app->store, ids[i], &a, &one) == TS_OK &&
		    check_asset(app, &a, &one) != TS_OK)
			ts_log_info("asset %lld could not be checked: %s", (long long)ids[i],
				    one.message);
		ts_error_release(&one);
	}
	free(ids);
	return TS_OK;
}
