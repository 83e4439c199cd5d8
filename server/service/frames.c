/* The frame extraction job: plan, skip what is stored, extract the rest,
 * ingest each frame like an uploaded image, and end the video (a failure
 * removes the frames nobody touched). */
#include "service/frames.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/status.h"
#include "core/sorted.h"
#include "core/time.h"
#include "service/ingest.h"
#include "jobs/jobs.h"
#include "media/video.h"
#include "storage/blobs.h"
#include "storage/remote.h"
#include "store/store_jobs.h"
#include "store/store_videos.h"
#include "core/banned.h"

void ts_frames_name(const char *video_name, int64_t frame_index, char *out, size_t outlen)
{
	char suffix[40];
	size_t slen, nlen = strlen(video_name);

	slen = (size_t)snprintf(suffix, sizeof(suffix), "#frame=%lld", (long long)frame_index);
	if (outlen == 0)
		return;
	if (slen + 1 > outlen) {
		out[0] = '\0';
		return;
	}
	if (nlen > outlen - 1 - slen) {
		nlen = outlen - 1 - slen;
		/* Do not cut a UTF-8 sequence: back up over continuation bytes. */
		while (nlen > 0 && ((unsigned char)video_name[nlen] & 0xC0) == 0x80)
			nlen--;
	}
	memcpy(out, video_name, nlen);
	memcpy(out + nlen, suffix, slen + 1);
}

static int stop_requested(void *jobs)
{
	return ts_jobs_stopping(jobs);
}

int64_t ts_frames_limit_s(const struct ts_config *cfg, const struct ts_video_info *info,
				const struct ts_video_mode *mode)
{
	double seconds = (double)info->duration_ms / 1000.0, frames, work, limit;

	if (seconds > 86400)
		seconds = 86400;
	frames = mode->frames > 0 ? (double)mode->frames : seconds * mode->fps + 1;
	work = seconds + frames * (double)info->width * (double)info->height / 1e7;
	limit = ceil(cfg->video_deadline_s + cfg->video_deadline_per_s * work);
	return limit < 1 ? 1 : (int64_t)limit;
}

/* A frame nobody has touched: its annotation was never written (revision
 * 0, still unlabeled, no history). */
static int untouched(const struct ts_video_frame_row *f)
{
	return f->revision == 0 && strcmp(f->status, ts_status_name(TS_STATUS_UNLABELED)) == 0 &&
	       !f->history;
}

enum ts_err ts_frames_finish(struct ts_store *s, int64_t id, const char *error,
			     struct ts_error *err)
{
	struct ts_video_frame_row *frames = NULL;
	char text[TS_VIDEO_ERROR_MAX];
	int64_t removed = 0, kept = 0;
	struct ts_store_tx tx;
	size_t n = 0;
	enum ts_err e = ts_store_begin(s, 1, &tx, err);

	if (e)
		return e;
	if (error) {
		/* A failed extraction leaves no half-ingested set presented as
		 * data: the frames nobody labeled go, in this transaction;
		 * frames with a human decision stay. */
		e = ts_store_video_frames(&tx, id, &frames, &n, err);
		for (size_t i = 0; i < n && !e; i++) {
			if (untouched(&frames[i])) {
				e = ts_store_video_drop_frame(&tx, frames[i].asset_id, err);
				removed++;
			} else {
				kept++;
			}
		}
		if (kept)
			snprintf(text, sizeof(text),
				 "%s (%lld extracted frame%s removed; %lld labeled frame%s kept)",
				 error, (long long)removed, removed == 1 ? "" : "s",
				 (long long)kept, kept == 1 ? "" : "s");
		else if (removed)
			snprintf(text, sizeof(text), "%s (%lld extracted frame%s removed)", error,
				 (long long)removed, removed == 1 ? "" : "s");
		else
			snprintf(text, sizeof(text), "%s", error);
		error = text;
		free(frames);
	}
	if (!e)
		e = ts_store_video_finish(&tx, id, error, kept, err);
	return ts_store_end(&tx, e, err);
}

void ts_frames_abandon(struct ts_app *app, const struct ts_job *job, const char *reason)
{
	struct ts_error err = { 0 };
	struct ts_video video;

	if (ts_store_video_get(app->store, job->ref_id, &video, &err) == TS_OK &&
	    strcmp(video.state, "ready") != 0 && strcmp(video.state, "failed") != 0 &&
	    ts_frames_finish(app->store, video.id, reason, &err))
		ts_log_error("video %lld: cannot record the failure: %s", (long long)video.id,
			     err.message);
	ts_error_release(&err);
}

struct extract_ctx {
	struct ts_app *app;
	const struct ts_video *video;
};

static enum ts_err on_frame(void *arg, const struct ts_video_frame *f, struct ts_error *err)
{
	struct extract_ctx *x = arg;
	struct ts_app *app = x->app;
	struct ts_blob_writer w;
	struct ts_asset_source src;
	struct ts_asset asset;
	char hex[TS_SHA256_HEX_SIZE];
	char name[TS_ASSET_FILE_NAME_MAX + 1];
	int duplicate = 0;
	enum ts_err e;

	if (ts_jobs_stopping(app->jobs))
		return ts_error_set(err, TS_ERR_UNAVAILABLE, "stopping", "the server is stopping");
	e = ts_blob_writer_open(&w, app->cfg.data_dir, app->cfg.max_upload_bytes, err);
	if (e)
		return e;
	e = ts_blob_writer_write(&w, f->jpeg, f->jpeg_len, err);
	if (!e)
		e = ts_blob_writer_finish(&w, hex, err);
	if (e) {
		ts_blob_writer_abort(&w);
		return e;
	}
	ts_frames_name(x->video->file_name, f->frame_index, name, sizeof(name));
	src.video_id = x->video->id;
	src.video_file_name = x->video->file_name;
	src.frame_index = f->frame_index;
	src.timestamp_ms = f->timestamp_ms;
	/* ts_ingest_hashed consumes the temporary file whatever happens. */
	e = ts_ingest_hashed(app, x->video->project_id, x->video->uploaded_by, w.tmp_path, hex,
			     w.bytes, name, &src, &asset, &duplicate, err);
	w.tmp_path[0] = '\0';
	ts_blob_writer_abort(&w);
	if (e) {
		char why[TS_ERROR_MSG_MAX];

		snprintf(why, sizeof(why), "%s", err->message);
		return ts_error_set(err, e, "frame_failed", "frame %lld: %s",
				    (long long)f->frame_index, why);
	}
	return ts_store_video_progress(app->store, x->video->id, duplicate, err);
}

enum ts_err ts_frames_job(struct ts_app *app, const struct ts_job *job,
				struct ts_error *err)
{
	struct ts_video video;
	struct ts_media_video *mv = NULL;
	struct ts_video_target *targets = NULL;
	struct ts_video_mode mode = { 0 };
	struct extract_ctx x;
	struct ts_error ferr = { 0 };
	struct ts_video_guard guard = { 0 };
	int64_t t0 = ts_time_mono_us();
	int64_t *stored = NULL;
	size_t ntargets = 0, nstored = 0, todo = 0;
	char path[TS_BLOB_PATH_MAX];
	enum ts_err e;

	e = ts_store_video_get(app->store, job->ref_id, &video, err);
	if (e)
		return e;
	if (strcmp(video.state, "ready") == 0 || strcmp(video.state, "failed") == 0)
		return TS_OK;
	if (ts_blob_path(app->cfg.data_dir, video.checksum_sha256, path, sizeof(path)) != 0) {
		e = ts_error_set(err, TS_ERR_INTERNAL, "bad_checksum", "the video's checksum is invalid");
		goto out;
	}
	e = ts_blob_remote_ensure(app->cfg.data_dir, path, video.checksum_sha256, err);
	if (e && e != TS_ERR_NOT_FOUND)
		goto out;
	e = TS_OK; /* not anywhere: opening it below says so */
	if (strcmp(video.mode, "fps") == 0)
		mode.fps = video.fps;
	else
		mode.frames = video.frames;
	guard.stop = stop_requested;
	guard.ctx = app->jobs;
	mv = ts_media_video_open_guarded(path, app->cfg.max_pixels, &guard, err);
	if (!mv) {
		e = err->err ? err->err : TS_ERR_UNPROCESSABLE;
		goto out;
	}
	guard.limit_s = ts_frames_limit_s(&app->cfg, ts_media_video_info(mv), &mode);
	guard.deadline_us = t0 + guard.limit_s * 1000000;
	ts_media_video_set_guard(mv, &guard);
	e = ts_media_video_plan(mv, &mode, &targets, &ntargets, err);
	if (e)
		goto out;
	e = ts_store_video_stored_frames(app->store, video.id, &stored, &nstored, err);
	if (e)
		goto out;
	/* Keep only the targets not stored yet (in place, order kept). */
	for (size_t i = 0; i < ntargets; i++)
		if (!ts_sorted_contains(stored, nstored, targets[i].frame_index))
			targets[todo++] = targets[i];
	e = ts_store_video_start(app->store, video.id, (int64_t)ntargets,
				 (int64_t)(ntargets - todo), err);
	if (e)
		goto out;
	if (todo < ntargets)
		ts_log_info("video %lld: %zu of %zu frames already stored; resuming",
			    (long long)video.id, ntargets - todo, ntargets);
	x.app = app;
	x.video = &video;
	e = ts_media_video_extract(mv, targets, todo, on_frame, &x, err);
out:
	if (e && e != TS_ERR_UNAVAILABLE) {
		if (ts_frames_finish(app->store, video.id, err->message, &ferr))
			ts_log_error("video %lld: cannot record the failure: %s",
				     (long long)video.id, ferr.message);
	} else if (!e) {
		e = ts_frames_finish(app->store, video.id, NULL, err);
	}
	ts_error_release(&ferr);
	free(stored);
	free(targets);
	ts_media_video_free(mv);
	return e;
}
