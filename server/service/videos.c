#include "service/videos.h"

#include <math.h>
#include <string.h>

#include "jobs/jobs.h"
#include "service/quotas.h"
#include "core/banned.h"

enum ts_err ts_svc_video_check_mode(const struct ts_video_mode *mode, struct ts_error *err)
{
	return ts_media_video_check_mode(mode, NULL, err);
}

/* The frames the mode will give: the count asked for, or one per 1/fps
 * seconds of the video, the first at 0. 0 when unknown. */
static int64_t frames_expected(const struct ts_video_mode *mode, const struct ts_video_info *info)
{
	if (mode->frames > 0)
		return mode->frames;
	if (info->duration_ms > 0)
		return (int64_t)floor((double)info->duration_ms / 1000.0 * mode->fps) + 1;
	return 0;
}

enum ts_err ts_svc_video_accept(struct ts_app *app, int64_t project_id, int64_t user_id,
				const char *file_name, struct ts_upload_file *f,
				const struct ts_video_mode *mode, struct ts_video *out,
				struct ts_error *err)
{
	struct ts_media_video *mv = NULL;
	const struct ts_video_info *info;
	struct ts_video_new in;
	char hex[TS_SHA256_HEX_SIZE];
	uint64_t bytes = f->w.bytes;
	enum ts_err e;

	e = ts_quota_check_upload(app, project_id, bytes, err);
	if (!e)
		e = ts_blob_writer_finish(&f->w, hex, err);
	if (!e && bytes == 0)
		e = ts_error_set(err, TS_ERR_INVALID, "empty_file", "the file is empty");
	if (e)
		goto out;
	mv = ts_media_video_open(f->w.tmp_path, app->cfg.max_pixels, err);
	if (!mv) {
		e = err->err ? err->err : TS_ERR_UNPROCESSABLE;
		goto out;
	}
	info = ts_media_video_info(mv);
	e = ts_media_video_check_mode(mode, info, err);
	if (e)
		goto out;
	e = ts_blob_commit(app->cfg.data_dir, f->w.tmp_path, hex, err);
	f->w.tmp_path[0] = '\0'; /* moved into place, or removed on failure */
	if (e)
		goto out;
	memset(&in, 0, sizeof(in));
	in.project_id = project_id;
	in.user_id = user_id;
	in.file_name = file_name;
	in.checksum_sha256 = hex;
	in.byte_size = (int64_t)bytes;
	in.fps = mode->fps;
	in.frames = mode->frames;
	in.duration_ms = info->duration_ms;
	in.frame_rate = info->frame_rate;
	in.width = info->width;
	in.height = info->height;
	in.rotation = info->rotation;
	in.codec = info->codec;
	in.frames_expected = frames_expected(mode, info);
	e = ts_store_video_create(app->store, &in, out, err);
	if (!e)
		ts_jobs_notify(app->jobs, TS_JOB_VIDEO_EXTRACT);
out:
	/* Nothing of a refused video stays, not even its temporary file. */
	if (e)
		ts_upload_file_abort(f);
	ts_media_video_free(mv);
	return e;
}

enum ts_err ts_svc_video_get(struct ts_app *app, int64_t id, struct ts_video *out,
			     struct ts_error *err)
{
	return ts_store_video_get(app->store, id, out, err);
}

enum ts_err ts_svc_video_list(struct ts_app *app, int64_t project_id, int64_t cursor, int limit,
			      struct ts_video **out, size_t *n, struct ts_error *err)
{
	return ts_store_video_list(app->store, project_id, cursor, limit, out, n, err);
}
