/* Frames: the "video_extract" job turns an uploaded video's
 * planned frames into assets, each ingested exactly like an uploaded image
 * (ts_ingest_hashed) with its provenance.
 *
 * Resumable: frames already stored for the video are found by
 * (video_id, frame_index) and skipped, so a job interrupted by shutdown or
 * a crash continues where it stopped without duplicating frames. */
#ifndef TS_SERVICE_FRAMES_H
#define TS_SERVICE_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "core/error.h"

struct ts_job;

/* The job (app/app.c): job->ref_id is the video id. Returns TS_OK when
 * the video is ready (or was already finished), TS_ERR_UNAVAILABLE when
 * interrupted by shutdown (the video stays "extracting"; the stop flag is
 * polled between packets, so this is prompt even mid-decode), another
 * error when it failed (the video is "failed" with err->message), which
 * includes running past the deadline of ts_frames_limit_s. */
enum ts_err ts_frames_job(struct ts_app *app, const struct ts_job *job,
				struct ts_error *err);

/* Ends video id's extraction in one write transaction: error NULL ->
 * ready; else failed, after removing the frames nobody has touched
 * (annotation never written), and the stored error says what was removed
 * and kept. */
struct ts_store;
enum ts_err ts_frames_finish(struct ts_store *s, int64_t id, const char *error,
			     struct ts_error *err);

/* The kind's abandon (jobs/jobs.h): the video fails with reason, unless it
 * already ended. */
void ts_frames_abandon(struct ts_app *app, const struct ts_job *job, const char *reason);

/* How long one attempt at extracting a video may take, in seconds:
 * cfg->video_deadline_s plus cfg->video_deadline_per_s per unit of work,
 * a unit being a second of video (at most a day counted) or ten
 * megapixels of frames to extract. */
struct ts_video_info;
struct ts_video_mode;
int64_t ts_frames_limit_s(const struct ts_config *cfg, const struct ts_video_info *info,
				const struct ts_video_mode *mode);

/* The stored file name of a frame: "<video name>#frame=<index>", the
 * video name cut on a character boundary so the whole fits in
 * outlen - 1 bytes. */
void ts_frames_name(const char *video_name, int64_t frame_index, char *out,
			  size_t outlen);

#endif
