/* Video ingestion: the "video_extract" job turns an uploaded video's
 * planned frames into assets, each ingested exactly like an uploaded image
 * (ts_ingest_hashed) with its provenance.
 *
 * Resumable: frames already stored for the video are found by
 * (video_id, frame_index) and skipped, so a job interrupted by shutdown or
 * a crash continues where it stopped without duplicating frames. */
#ifndef TS_INGEST_VIDEO_H
#define TS_INGEST_VIDEO_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "core/error.h"

struct ts_job;

/* The job (jobs/kinds.c): job->ref_id is the video id. Returns TS_OK when
 * the video is ready (or was already finished), TS_ERR_UNAVAILABLE when
 * interrupted by shutdown (the video stays "extracting"), another error
 * when it failed (the video is "failed" with err->message). */
enum ts_err ts_ingest_video_job(struct ts_app *app, const struct ts_job *job,
				struct ts_error *err);

/* The stored file name of a frame: "<video name>#frame=<index>", the
 * video name cut on a character boundary so the whole fits in
 * outlen - 1 bytes. */
void ts_ingest_frame_name(const char *video_name, int64_t frame_index, char *out,
			  size_t outlen);

#endif
