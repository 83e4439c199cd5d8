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
 * Only the containers of media/container.h are opened, each by its own
 * demuxer named explicitly (never probed from FFmpeg's whole list), and
 * the bytes reach the demuxer through our own I/O over the file: no
 * protocol, URL or other file can be opened (a playlist naming file:///...
 * is refused before any demuxer sees it, and the demuxer could not follow
 * it anyway). Probing reads at most TS_VIDEO_PROBE_BYTES, every loop is
 * bounded by the packets really read, and a guard (a stop flag and a
 * deadline) ends any step early.
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

#define TS_VIDEO_FPS_MIN 0.001         /* one frame every 1000 s */
#define TS_VIDEO_FPS_MAX 60.0
#define TS_VIDEO_FRAMES_MAX 10000       /* "frames" mode: evenly spaced frames */
#define TS_VIDEO_FPS_FRAMES_MAX 100000  /* "fps" mode: frames one video may yield */
/* Frames a video may have, or claim in its header (a day at 11.5 fps;
 * 5.5 hours at 50 fps): the demuxer's index and the plan hold one entry
 * per frame, so this bounds their memory (about 50 MB). */
#define TS_VIDEO_SOURCE_FRAMES_MAX 1000000
#define TS_VIDEO_PROBE_BYTES (5 << 20)      /* read to find the streams */
#define TS_VIDEO_PROBE_SECONDS 5            /* of media analysed for them */
#define TS_VIDEO_OPEN_SECONDS 30            /* opening and probing, at most */
#define TS_VIDEO_JPEG_QUALITY 92

/* Ends a long step early. stop (optional) is polled between packets and
 * reads: non-zero means the server is stopping (TS_ERR_UNAVAILABLE
 * "stopping"). Past deadline_us (ts_time_mono_us; 0: none) the step fails
 * with TS_ERR_UNPROCESSABLE "timed_out", naming limit_s. */
struct ts_video_guard {
	int (*stop)(void *ctx);
	void *ctx;
	int64_t deadline_us;
	int64_t limit_s;
};

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
 * TS_ERR_INVALID, with a readable message): "not_a_video" (unreadable, an
 * image, a playlist or manifest, a container not accepted, a damaged
 * header), "no_video_stream" (audio only), "unsupported_codec",
 * "zero_duration", "too_many_pixels", "too_many_frames" (the video has or
 * claims more than TS_VIDEO_SOURCE_FRAMES_MAX frames). Opening never takes
 * more than TS_VIDEO_OPEN_SECONDS ("timed_out"). Free with
 * ts_media_video_free. */
struct ts_media_video *ts_media_video_open(const char *path, uint64_t max_pixels,
				     struct ts_error *err);
/* The same with a guard (copied; NULL: none) that also applies to plan
 * and extract, until ts_media_video_set_guard replaces it. */
struct ts_media_video *ts_media_video_open_guarded(const char *path, uint64_t max_pixels,
						   const struct ts_video_guard *guard,
						   struct ts_error *err);
/* The same over an open file (borrowed: the video keeps its own dup). */
struct ts_media_video *ts_media_video_open_fd(int fd, uint64_t max_pixels,
					      const struct ts_video_guard *guard,
					      struct ts_error *err);
/* Replaces the guard for the steps that follow (copied). */
void ts_media_video_set_guard(struct ts_media_video *v, const struct ts_video_guard *guard);
void ts_media_video_free(struct ts_media_video *v);
/* Borrowed; valid until ts_media_video_free. */
const struct ts_video_info *ts_media_video_info(const struct ts_media_video *v);

/* Validates a mode against the limits above (fps in [TS_VIDEO_FPS_MIN,
 * TS_VIDEO_FPS_MAX], frames in [1, TS_VIDEO_FRAMES_MAX] and, when the
 * duration is known, the number of frames fps mode would yield):
 * TS_ERR_INVALID "invalid_mode" otherwise. info may be NULL. */
enum ts_err ts_media_video_check_mode(const struct ts_video_mode *mode,
				      const struct ts_video_info *info, struct ts_error *err);

/* Reads every packet of the video stream (no decoding) and chooses the
 * frames of mode, in presentation order and without repeats. *out is
 * malloc'd (caller frees); *n may be 0 only on error. Errors:
 * TS_ERR_UNPROCESSABLE "corrupt_video" (a read error before the end, no
 * frames), "too_many_frames" (over TS_VIDEO_SOURCE_FRAMES_MAX packets),
 * TS_ERR_INVALID "invalid_mode", and the guard's. */
enum ts_err ts_media_video_plan(struct ts_media_video *v, const struct ts_video_mode *mode,
				struct ts_video_target **out, size_t *n, struct ts_error *err);

/* Decodes the n targets (ascending pts, as plan gives them, any subset)
 * and calls fn for each. A target whose frame cannot be decoded is an
 * error (TS_ERR_UNPROCESSABLE "corrupt_video"); so are the guard's. */
enum ts_err ts_media_video_extract(struct ts_media_video *v, const struct ts_video_target *targets,
				   size_t n, ts_video_frame_fn fn, void *ctx,
				   struct ts_error *err);

#endif
