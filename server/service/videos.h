/* The videos service: accepting an uploaded video (probe it, check the
 * extraction mode against it, keep the file, create its rows and queue
 * frame extraction), and reading videos. */
#ifndef TS_SERVICE_VIDEOS_H
#define TS_SERVICE_VIDEOS_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "core/error.h"
#include "media/video.h"
#include "service/uploads.h"
#include "store/store_assets.h"
#include "store/store_videos.h"

/* Checks a mode as given (fps or frames within limits), before any
 * video is seen. INVALID "invalid_mode". */
enum ts_err ts_svc_video_check_mode(const struct ts_video_mode *mode, struct ts_error *err);

/* The whole file f (fully received) becomes a video of project_id by
 * user_id: within the project's byte quota, not empty, a video the
 * server can decode, with a mode that fits it. Its frames are extracted
 * by the video_extract job, queued here. On error nothing is kept. */
enum ts_err ts_svc_video_accept(struct ts_app *app, int64_t project_id, int64_t user_id,
				const char *file_name, struct ts_upload_file *f,
				const struct ts_video_mode *mode, struct ts_video *out,
				struct ts_error *err);

enum ts_err ts_svc_video_get(struct ts_app *app, int64_t id, struct ts_video *out,
			     struct ts_error *err);
/* A page of project_id's videos after cursor; the caller frees *out. */
enum ts_err ts_svc_video_list(struct ts_app *app, int64_t project_id, int64_t cursor, int limit,
			      struct ts_video **out, size_t *n, struct ts_error *err);

#endif
