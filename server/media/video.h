/* Videos through FFmpeg's libavformat / libavcodec / libswscale: this is the
 * only module that includes their headers.
 *
 * A video is opened once (probe: duration, frame rate, resolution, codec,
 * rotation), planned (one pass over the packets, no decoding: every frame's
 * presentation time and the keyframes, from which the frames to extract are
 * chosen), then extracted: the planned frames are decoded in order, seeking
 * to the keyframe before a target whenever that skips decoding, and handed
 * to a callback as JPEG bytes (quality 92), rotated as the video's display
 * matrix says.
 *
 * frame_index is the 0-based position of a frame in the order the decoder
 * outputs frames (presentation order); timestamp_ms is its presentation
 * time relative to the first frame, rounded to the nearest millisecond,
 * never derived from a nominal frame rate. */
#ifndef TS_MEDIA_VIDEO_H
#define TS_MEDIA_VIDEO_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define TS_VIDEO_FPS_MAX 60.0
#define TS_VIDEO_FRAMES_MAX 10000       /* "frames" mode: evenly spaced frames */
#define TS_VIDEO_FPS_FRAMES_MAX 100000  /* "fps" mode: frames one video may yield */
#define TS_VIDEO_JPEG_QUALITY 92

struct ts_media_video;

struct ts_video_info {
	int64_t duration_ms;  /* 0 when the container does not say */
	double frame_rate;    /* average frames per second; 0 when unknown */
	int width;            /* as displayed (after rotation) */
	int height;
	int rotation;         /* degrees clockwise to display: 0, 90, 180, 270 */
	char codec[32];       /* "h264", "hevc", "vp9" ... */
	char container[32];   /* the demuxer: "mov,mp4,m4a,3gp,3g2,mj2" ... */
	int64_t frames_estimate; /* from the container; 0 when unknown */
};

/* How frames are chosen: fps > 0 keeps the first frame at or after each
 * k/fps seconds; frames > 0 keeps the first frame at or after each of
 * `frames` evenly spaced times i * duration / frames. Exactly one is set. */
struct ts_video_mode {
	double fps;
	int64_t frames;
};

/* One frame to extract. */
struct ts_video_target {
	int64_t frame_index;
	int64_t pts;          /* in the stream's time base */
	int64_t timestamp_ms;
};

/* A decoded, encoded frame, valid during the callback only. */
struct ts_video_frame {
	int64_t frame_index;
	int64_t timestamp_ms;
	size_t target;   /* position in the target list given to extract */
	int width;
	int height;
	const void *jpeg;
	size_t jpeg_len;
};

/* Returns TS_OK to go on; any other value stops the extraction and is
 * returned by ts_media_video_extract (TS_ERR_UNAVAILABLE to stop early on
 * shutdown). */
typedef enum ts_err (*ts_video_frame_fn)(void *ctx, const struct ts_video_frame *f,
					 struct ts_error *err);

/* Opens and probes path. max_pixels bounds width * height. Errors (all
 * TS_ERR_INVALID, with a readable message): "not_a_video" (unreadable,
 * an image or no container FFmpeg knows), "no_video_stream" (audio only),
 * "unsupported_codec", "zero_duration", "too_many_pixels". Free with
 * ts_media_video_free. */
struct ts_media_video *ts_media_video_open(const char *path, uint64_t max_pixels,
				     struct ts_error *err);
void ts_media_video_free(struct ts_media_video *v);
/* Borrowed; valid until ts_media_video_free. */
const struct ts_video_info *ts_media_video_info(const struct ts_media_video *v);

/* Validates a mode against the limits above (and, when the duration is
 * known, the number of frames fps mode would yield): TS_ERR_INVALID
 * "invalid_mode" otherwise. info may be NULL. */
enum ts_err ts_media_video_check_mode(const struct ts_video_mode *mode,
				      const struct ts_video_info *info, struct ts_error *err);

/* Reads every packet of the video stream (no decoding) and chooses the
 * frames of mode, in presentation order and without repeats. *out is
 * malloc'd (caller frees); *n may be 0 only on error. Errors:
 * TS_ERR_UNPROCESSABLE "corrupt_video" (a read error before the end, no
 * frames), TS_ERR_INVALID "invalid_mode". */
enum ts_err ts_media_video_plan(struct ts_media_video *v, const struct ts_video_mode *mode,
				struct ts_video_target **out, size_t *n, struct ts_error *err);

/* Decodes the n targets (ascending pts, as plan gives them, any subset)
 * and calls fn for each. A target whose frame cannot be decoded is an
 * error (TS_ERR_UNPROCESSABLE "corrupt_video"). */
enum ts_err ts_media_video_extract(struct ts_media_video *v, const struct ts_video_target *targets,
				   size_t n, ts_video_frame_fn fn, void *ctx,
				   struct ts_error *err);

#endif
