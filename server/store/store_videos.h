/* Videos: an uploaded video file, how its frames are chosen, and the
 * progress of their extraction. The frames are assets (store/assets.h)
 * whose origin names the video; this table holds the video itself.
 *
 * States: queued -> extracting -> ready | failed. A video is created with
 * its "video_extract" job in one transaction, so a video never waits for
 * a job that does not exist. */
#ifndef TS_STORE_VIDEOS_H
#define TS_STORE_VIDEOS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define TS_VIDEO_FILE_NAME_MAX 255 /* bytes of UTF-8 */
#define TS_VIDEO_PAGE_MAX 200
#define TS_VIDEO_ERROR_MAX 512

/* The job kind that extracts a video's frames (ref_id = video id). */
#define TS_JOB_VIDEO_EXTRACT "video_extract"

/* A frame of a video as the end of its extraction sees it. */
struct ts_video_frame_row {
	int64_t asset_id;
	int64_t revision;  /* of its annotation; 0: never written */
	char status[16];   /* its annotation's status; "" when it has none (deleted) */
	int history;       /* its annotation has history rows */
};

struct ts_video {
	int64_t id;
	int64_t project_id;
	char file_name[TS_VIDEO_FILE_NAME_MAX + 1];
	char checksum_sha256[65];
	int64_t byte_size;
	char mode[8];   /* "fps" or "frames" */
	double fps;     /* mode fps */
	int64_t frames; /* mode frames */
	char state[12]; /* queued, extracting, ready, failed */
	int64_t duration_ms;
	double frame_rate;
	int64_t width;  /* as displayed */
	int64_t height;
	int64_t rotation;
	char codec[32];
	int64_t frames_expected;
	int64_t frames_extracted; /* stored so far, duplicates included */
	int64_t frames_duplicate; /* of those, the ones already in the project */
	char error[TS_VIDEO_ERROR_MAX]; /* "" unless failed */
	int64_t job_id;
	int64_t uploaded_by;
	int64_t created_at;
	int64_t updated_at;
};

/* What the upload handler knows; strings borrowed. */
struct ts_video_new {
	int64_t project_id;
	int64_t user_id;
	const char *file_name;
	const char *checksum_sha256;
	int64_t byte_size;
	double fps;     /* exactly one of fps and frames is > 0 */
	int64_t frames;
	int64_t duration_ms;
	double frame_rate;
	int64_t width;
	int64_t height;
	int64_t rotation;
	const char *codec;
	int64_t frames_expected; /* an estimate */
};

struct ts_store_video_ops {
	/* Inserts the video (state queued) and its extraction job in one
	 * transaction; out receives the row with job_id set. NOT_FOUND
	 * "project_not_found" for an unknown project. */
	enum ts_err (*create)(struct ts_store *s, const struct ts_video_new *in,
			      struct ts_video *out, struct ts_error *err);
	/* NOT_FOUND "video_not_found" when unknown. */
	enum ts_err (*get)(struct ts_store *s, int64_t id, struct ts_video *out,
			   struct ts_error *err);
	/* Newest first, ids < before_id (0: from the newest). *out malloc'd.
	 * NOT_FOUND for an unknown project. */
	enum ts_err (*list)(struct ts_store *s, int64_t project_id, int64_t before_id, int limit,
			    struct ts_video **out, size_t *n, struct ts_error *err);
	/* Extraction starts (again): state extracting, the planned count, and
	 * the progress already made (frames found stored). */
	enum ts_err (*start)(struct ts_store *s, int64_t id, int64_t frames_expected,
			     int64_t frames_extracted, struct ts_error *err);
	/* One more frame stored (duplicate: it was already in the project). */
	enum ts_err (*progress)(struct ts_store *s, int64_t id, int duplicate,
				struct ts_error *err);
	/* Inside the caller's write transaction (which frames a failure
	 * removes is service/frames.c's decision): ends the extraction, error
	 * NULL -> ready, else failed with error and frames_extracted set to
	 * frames_kept. */
	enum ts_err (*finish)(struct ts_store_tx *tx, int64_t id, const char *error,
			      int64_t frames_kept, struct ts_error *err);
	/* Inside tx: the video's frames (assets) by id, with what is known of
	 * their annotation. *out malloc'd (caller frees). */
	enum ts_err (*frames)(struct ts_store_tx *tx, int64_t id, struct ts_video_frame_row **out,
			      size_t *n, struct ts_error *err);
	/* Inside tx: removes a frame asset with its annotation, labels and
	 * queued thumbnail job (never a blob, which other assets may share). */
	enum ts_err (*drop_frame)(struct ts_store_tx *tx, int64_t asset_id, struct ts_error *err);
	/* The frame indexes of the video's frames stored as assets, ascending.
	 * *out malloc'd (NULL when none). */
	enum ts_err (*stored_frames)(struct ts_store *s, int64_t id, int64_t **out, size_t *n,
				     struct ts_error *err);
};

static inline enum ts_err ts_store_video_create(struct ts_store *s, const struct ts_video_new *in,
						struct ts_video *out, struct ts_error *err)
{
	return s->ops->videos->create(s, in, out, err);
}
static inline enum ts_err ts_store_video_get(struct ts_store *s, int64_t id,
					     struct ts_video *out, struct ts_error *err)
{
	return s->ops->videos->get(s, id, out, err);
}
static inline enum ts_err ts_store_video_list(struct ts_store *s, int64_t project_id,
					      int64_t before_id, int limit, struct ts_video **out,
					      size_t *n, struct ts_error *err)
{
	return s->ops->videos->list(s, project_id, before_id, limit, out, n, err);
}
static inline enum ts_err ts_store_video_start(struct ts_store *s, int64_t id,
					       int64_t frames_expected, int64_t frames_extracted,
					       struct ts_error *err)
{
	return s->ops->videos->start(s, id, frames_expected, frames_extracted, err);
}
static inline enum ts_err ts_store_video_progress(struct ts_store *s, int64_t id, int duplicate,
						  struct ts_error *err)
{
	return s->ops->videos->progress(s, id, duplicate, err);
}
static inline enum ts_err ts_store_video_finish(struct ts_store_tx *tx, int64_t id,
						const char *error, int64_t frames_kept,
						struct ts_error *err)
{
	return tx->store->ops->videos->finish(tx, id, error, frames_kept, err);
}
static inline enum ts_err ts_store_video_frames(struct ts_store_tx *tx, int64_t id,
						struct ts_video_frame_row **out, size_t *n,
						struct ts_error *err)
{
	return tx->store->ops->videos->frames(tx, id, out, n, err);
}
static inline enum ts_err ts_store_video_drop_frame(struct ts_store_tx *tx, int64_t asset_id,
						    struct ts_error *err)
{
	return tx->store->ops->videos->drop_frame(tx, asset_id, err);
}
static inline enum ts_err ts_store_video_stored_frames(struct ts_store *s, int64_t id,
						       int64_t **out, size_t *n,
						       struct ts_error *err)
{
	return s->ops->videos->stored_frames(s, id, out, n, err);
}

#endif
