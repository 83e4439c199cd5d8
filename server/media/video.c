/* Video probe, frame planning and extraction with libav*. See video.h. */
#include "media/video.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libavutil/mathematics.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/sorted.h"
#include "media/image.h"
#include "core/banned.h"

/* Packets a plan may hold (a day of 60 fps video). */
#define MAX_PACKETS 5000000

struct ts_media_video {
	char *path;
	uint64_t max_pixels;
	AVFormatContext *fmt;
	int vidx;
	AVRational tb;
	int coded_width;
	int coded_height;
	struct ts_video_info info;

	/* Filled by plan: every frame's pts, sorted, and the keyframes'. */
	int64_t *pts;
	size_t npts;
	int64_t *keys;
	size_t nkeys;
	int64_t start_pts;
};

static enum ts_err av_fail(struct ts_error *err, enum ts_err e, const char *code,
			   const char *what, int averr)
{
	char msg[AV_ERROR_MAX_STRING_SIZE] = "";

	av_strerror(averr, msg, sizeof(msg));
	return ts_error_set(err, e, code, "%s: %s", what, msg);
}

static int rotation_of(const AVStream *st)
{
	const uint8_t *m = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, NULL);
	double theta;
	long r;

	if (!m)
		return 0;
	/* av_display_rotation_get is counter-clockwise; display wants the
	 * clockwise angle, snapped to a quarter turn. */
	theta = -av_display_rotation_get((const int32_t *)m);
	if (isnan(theta))
		return 0;
	r = lround(theta / 90.0) * 90;
	r %= 360;
	if (r < 0)
		r += 360;
	return (int)r;
}

/* Image formats FFmpeg reads as one-frame "videos": not videos to us. */
static int is_image_demuxer(const char *name)
{
	size_t n = strlen(name);

	return strcmp(name, "image2") == 0 || (n > 5 && strcmp(name + n - 5, "_pipe") == 0) ||
	       strcmp(name, "gif") == 0 || strcmp(name, "webp") == 0;
}

/* FFmpeg's own log lines would only repeat, less clearly, what the errors
 * returned here say: keep them off stderr. */
static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;

static void quiet_av_log(void)
{
	av_log_set_level(AV_LOG_QUIET);
}

struct ts_media_video *ts_media_video_open(const char *path, uint64_t max_pixels,
				     struct ts_error *err)
{
	struct ts_media_video *v = ts_xcalloc(1, sizeof(*v));
	const AVCodecParameters *par;
	const AVStream *st;
	int rc;

	pthread_once(&quiet_once, quiet_av_log);
	v->path = ts_xstrdup(path);
	v->max_pixels = max_pixels;
	v->vidx = -1;
	rc = avformat_open_input(&v->fmt, path, NULL, NULL);
	if (rc < 0) {
		av_fail(err, TS_ERR_INVALID, "not_a_video", "not a video FFmpeg can read", rc);
		goto fail;
	}
	if (is_image_demuxer(v->fmt->iformat->name)) {
		ts_error_set(err, TS_ERR_INVALID, "not_a_video",
			     "this is an image (%s), not a video; upload it as an image",
			     v->fmt->iformat->name);
		goto fail;
	}
	rc = avformat_find_stream_info(v->fmt, NULL);
	if (rc < 0) {
		av_fail(err, TS_ERR_INVALID, "not_a_video", "cannot read the video's streams", rc);
		goto fail;
	}
	for (unsigned i = 0; i < v->fmt->nb_streams; i++) {
		const AVStream *s = v->fmt->streams[i];

		if (s->codecpar->codec_type != AVMEDIA_TYPE_VIDEO ||
		    (s->disposition & AV_DISPOSITION_ATTACHED_PIC))
			continue;
		v->vidx = (int)i;
		break;
	}
	if (v->vidx < 0) {
		ts_error_set(err, TS_ERR_INVALID, "no_video_stream",
			     "the file has no video stream (audio only?)");
		goto fail;
	}
	st = v->fmt->streams[v->vidx];
	par = st->codecpar;
	v->tb = st->time_base;
	if (!avcodec_find_decoder(par->codec_id)) {
		ts_error_set(err, TS_ERR_INVALID, "unsupported_codec",
			     "no decoder for the video codec %s", avcodec_get_name(par->codec_id));
		goto fail;
	}
	if (par->width <= 0 || par->height <= 0) {
		ts_error_set(err, TS_ERR_INVALID, "not_a_video",
			     "the video stream has no picture size (corrupt or truncated?)");
		goto fail;
	}
	if ((uint64_t)par->width * (uint64_t)par->height > max_pixels) {
		ts_error_set(err, TS_ERR_INVALID, "too_many_pixels",
			     "the video is %dx%d, over the limit of %llu pixels per frame",
			     par->width, par->height, (unsigned long long)max_pixels);
		goto fail;
	}
	v->coded_width = par->width;
	v->coded_height = par->height;
	v->info.rotation = rotation_of(st);
	if (v->info.rotation == 90 || v->info.rotation == 270) {
		v->info.width = par->height;
		v->info.height = par->width;
	} else {
		v->info.width = par->width;
		v->info.height = par->height;
	}
	snprintf(v->info.codec, sizeof(v->info.codec), "%s", avcodec_get_name(par->codec_id));
	snprintf(v->info.container, sizeof(v->info.container), "%s", v->fmt->iformat->name);
	if (st->avg_frame_rate.num > 0 && st->avg_frame_rate.den > 0)
		v->info.frame_rate = av_q2d(st->avg_frame_rate);
	else if (st->r_frame_rate.num > 0 && st->r_frame_rate.den > 0)
		v->info.frame_rate = av_q2d(st->r_frame_rate);
	if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
		v->info.duration_ms = av_rescale_q(st->duration, st->time_base, (AVRational){ 1, 1000 });
	else if (v->fmt->duration != AV_NOPTS_VALUE && v->fmt->duration > 0)
		v->info.duration_ms = av_rescale(v->fmt->duration, 1000, AV_TIME_BASE);
	v->info.frames_estimate = st->nb_frames > 0 ? st->nb_frames : 0;
	/* A container that states its frame count or length: zero is known up
	 * front. Otherwise the plan finds out. */
	if ((st->nb_frames == 0 && st->duration == 0) ||
	    (v->info.duration_ms == 0 && st->nb_frames == 0 && v->fmt->duration == 0)) {
		ts_error_set(err, TS_ERR_INVALID, "zero_duration", "the video has no frames");
		goto fail;
	}
	return v;
fail:
	ts_media_video_free(v);
	return NULL;
}

void ts_media_video_free(struct ts_media_video *v)
{
	if (!v)
		return;
	avformat_close_input(&v->fmt);
	free(v->pts);
	free(v->keys);
	free(v->path);
	free(v);
}

const struct ts_video_info *ts_media_video_info(const struct ts_media_video *v)
{
	return &v->info;
}

enum ts_err ts_media_video_check_mode(const struct ts_video_mode *mode,
				      const struct ts_video_info *info, struct ts_error *err)
{
	int has_fps = mode->fps != 0, has_frames = mode->frames != 0;

	if (has_fps == has_frames)
		return ts_error_set(err, TS_ERR_INVALID, "invalid_mode",
				    "give exactly one of fps and frames");
	if (has_fps) {
		if (!(mode->fps > 0 && mode->fps <= TS_VIDEO_FPS_MAX))
			return ts_error_set(err, TS_ERR_INVALID, "invalid_mode",
					    "fps must be a number in (0, %g]", TS_VIDEO_FPS_MAX);
		if (info && info->duration_ms > 0 &&
		    (double)info->duration_ms / 1000.0 * mode->fps > TS_VIDEO_FPS_FRAMES_MAX)
			return ts_error_set(err, TS_ERR_INVALID, "invalid_mode",
					    "%g fps over %.1f s would give more than %d frames",
					    mode->fps, (double)info->duration_ms / 1000.0,
					    TS_VIDEO_FPS_FRAMES_MAX);
		return TS_OK;
	}
	if (mode->frames < 1 || mode->frames > TS_VIDEO_FRAMES_MAX)
		return ts_error_set(err, TS_ERR_INVALID, "invalid_mode",
				    "frames must be an integer in [1, %d]", TS_VIDEO_FRAMES_MAX);
	return TS_OK;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void push_i64(int64_t **a, size_t *n, size_t *cap, int64_t x)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		*a = ts_xrealloc(*a, *cap * sizeof(**a));
	}
	(*a)[(*n)++] = x;
}

/* Every presented frame's pts (packets the demuxer marks as discarded,
 * such as those before an edit list's start, are not presented). */
static enum ts_err scan(struct ts_media_video *v, int64_t *last_dur, struct ts_error *err)
{
	AVFormatContext *fmt = NULL;
	AVPacket *pkt = av_packet_alloc();
	size_t cap = 0, kcap = 0;
	enum ts_err e = TS_OK;
	int64_t max_pts = INT64_MIN, discarded = 0;
	int rc;

	if (!pkt)
		ts_die("out of memory");
	*last_dur = 0;
	rc = avformat_open_input(&fmt, v->path, NULL, NULL);
	if (rc < 0) {
		e = av_fail(err, TS_ERR_UNPROCESSABLE, "corrupt_video", "cannot reopen the video", rc);
		goto out;
	}
	for (unsigned i = 0; i < fmt->nb_streams; i++)
		fmt->streams[i]->discard = (int)i == v->vidx ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
	for (;;) {
		int64_t t;

		rc = av_read_frame(fmt, pkt);
		if (rc == AVERROR_EOF)
			break;
		if (rc < 0) {
			e = av_fail(err, TS_ERR_UNPROCESSABLE, "corrupt_video",
				    "the video cannot be read to its end (corrupt or truncated)", rc);
			goto out;
		}
		if (pkt->stream_index != v->vidx) {
			av_packet_unref(pkt);
			continue;
		}
		if (pkt->flags & (AV_PKT_FLAG_DISCARD | AV_PKT_FLAG_CORRUPT)) {
			discarded++;
			av_packet_unref(pkt);
			continue;
		}
		t = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
		if (t == AV_NOPTS_VALUE) {
			av_packet_unref(pkt);
			continue;
		}
		if (v->npts >= MAX_PACKETS) {
			e = ts_error_set(err, TS_ERR_UNPROCESSABLE, "too_many_frames",
					 "the video has more than %d frames", MAX_PACKETS);
			goto out;
		}
		push_i64(&v->pts, &v->npts, &cap, t);
		if (pkt->flags & AV_PKT_FLAG_KEY)
			push_i64(&v->keys, &v->nkeys, &kcap, t);
		if (t >= max_pts) {
			max_pts = t;
			*last_dur = pkt->duration;
		}
		av_packet_unref(pkt);
	}
	if (v->npts == 0) {
		e = ts_error_set(err, TS_ERR_UNPROCESSABLE, "zero_duration",
				 "the video has no frames");
		goto out;
	}
	/* A container that lists its frames (MP4, MOV) reaches a short end
	 * quietly when the file was cut: compare with its own count. */
	if (v->info.frames_estimate > 0 && (int64_t)v->npts + discarded < v->info.frames_estimate) {
		e = ts_error_set(err, TS_ERR_UNPROCESSABLE, "corrupt_video",
				 "the video is truncated: it lists %lld frames but only %zu can be "
				 "read", (long long)v->info.frames_estimate, v->npts);
		goto out;
	}
	qsort(v->pts, v->npts, sizeof(*v->pts), cmp_i64);
	/* No keyframe left when the edit list discards the only one (a video
	 * trimmed by stream copy); qsort must not be given a NULL array. */
	if (v->nkeys)
		qsort(v->keys, v->nkeys, sizeof(*v->keys), cmp_i64);
	v->start_pts = v->pts[0];
out:
	av_packet_free(&pkt);
	avformat_close_input(&fmt);
	return e;
}

static int64_t pts_to_ms(const struct ts_media_video *v, int64_t pts)
{
	return av_rescale_q_rnd(pts - v->start_pts, v->tb, (AVRational){ 1, 1000 },
				AV_ROUND_NEAR_INF);
}

static void add_target(const struct ts_media_video *v, struct ts_video_target **out, size_t *n,
		       size_t *cap, size_t idx)
{
	if (*n > 0 && (*out)[*n - 1].frame_index == (int64_t)idx)
		return;
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*out = ts_xrealloc(*out, *cap * sizeof(**out));
	}
	(*out)[*n].frame_index = (int64_t)idx;
	(*out)[*n].pts = v->pts[idx];
	(*out)[*n].timestamp_ms = pts_to_ms(v, v->pts[idx]);
	(*n)++;
}

enum ts_err ts_media_video_plan(struct ts_media_video *v, const struct ts_video_mode *mode,
				struct ts_video_target **out, size_t *n, struct ts_error *err)
{
	struct ts_video_target *t = NULL;
	size_t len = 0, cap = 0;
	int64_t last_dur = 0, last;
	enum ts_err e;

	*out = NULL;
	*n = 0;
	e = ts_media_video_check_mode(mode, NULL, err);
	if (e)
		return e;
	free(v->pts);
	free(v->keys);
	v->pts = v->keys = NULL;
	v->npts = v->nkeys = 0;
	e = scan(v, &last_dur, err);
	if (e)
		return e;
	last = v->pts[v->npts - 1];
	if (mode->fps > 0) {
		/* k/fps as an exact fraction: fps rounded to 1/1000 of a frame. */
		AVRational step = av_d2q(1.0 / mode->fps, 1000000);

		for (int64_t k = 0;; k++) {
			int64_t at = v->start_pts + av_rescale_q_rnd(k, step, v->tb, AV_ROUND_UP);
			size_t idx;

			if (at > last)
				break;
			if (len >= TS_VIDEO_FPS_FRAMES_MAX) {
				free(t);
				return ts_error_set(err, TS_ERR_INVALID, "invalid_mode",
						    "%g fps would give more than %d frames",
						    mode->fps, TS_VIDEO_FPS_FRAMES_MAX);
			}
			idx = ts_sorted_lower_bound(v->pts, v->npts, at);
			add_target(v, &t, &len, &cap, idx);
			/* Skip the k that this frame already covers. */
			while (v->start_pts + av_rescale_q_rnd(k + 1, step, v->tb, AV_ROUND_UP) <=
			       v->pts[idx])
				k++;
		}
	} else {
		/* The span the frames cover: to the end of the last frame. */
		int64_t span = last - v->start_pts;

		if (last_dur <= 0 && v->npts > 1)
			last_dur = (last - v->start_pts) / (int64_t)(v->npts - 1);
		span += last_dur > 0 ? last_dur : 0;
		for (int64_t i = 0; i < mode->frames; i++) {
			int64_t at = v->start_pts + av_rescale_rnd(i, span, mode->frames, AV_ROUND_UP);
			size_t idx = ts_sorted_lower_bound(v->pts, v->npts, at);

			if (idx >= v->npts)
				break;
			add_target(v, &t, &len, &cap, idx);
		}
	}
	if (len == 0) {
		free(t);
		return ts_error_set(err, TS_ERR_UNPROCESSABLE, "zero_duration",
				    "the video has no frames to extract");
	}
	*out = t;
	*n = len;
	return TS_OK;
}

/* ---- extraction ---- */

struct decoder {
	struct ts_media_video *v;
	AVCodecContext *ctx;
	AVPacket *pkt;
	AVFrame *frame;
	struct SwsContext *sws;
	int draining;
	int64_t last_pts; /* of the last frame out of the decoder; INT64_MIN: none */
	int64_t want_pts; /* the target being decoded to */
	uint8_t *rgb;
	uint8_t *rot;
	size_t rgb_cap;
};

/* The next decoded frame into d->frame: 0, AVERROR_EOF, or an error. */
static int decode_next(struct decoder *d)
{
	for (;;) {
		int rc = avcodec_receive_frame(d->ctx, d->frame);

		if (rc == 0) {
			int64_t t = d->frame->best_effort_timestamp;

			if (t == AV_NOPTS_VALUE)
				t = d->frame->pts;
			d->frame->pts = t;
			if (t != AV_NOPTS_VALUE)
				d->last_pts = t;
			return 0;
		}
		if (rc != AVERROR(EAGAIN))
			return rc;
		if (d->draining)
			return AVERROR_EOF;
		rc = av_read_frame(d->v->fmt, d->pkt);
		if (rc == AVERROR_EOF) {
			d->draining = 1;
			avcodec_send_packet(d->ctx, NULL);
			continue;
		}
		if (rc < 0)
			return rc;
		if (d->pkt->stream_index == d->v->vidx) {
			/* A frame before the target that no other frame refers
			 * to need not be decoded at all (most B-frames). */
			d->ctx->skip_frame = d->pkt->pts != AV_NOPTS_VALUE && d->pkt->pts < d->want_pts
						     ? AVDISCARD_NONREF
						     : AVDISCARD_DEFAULT;
			rc = avcodec_send_packet(d->ctx, d->pkt);
			/* Damaged packets are skipped; the frame they carried is
			 * simply missing, which the caller notices. */
			if (rc < 0 && rc != AVERROR(EAGAIN) && rc != AVERROR_INVALIDDATA) {
				av_packet_unref(d->pkt);
				return rc;
			}
		}
		av_packet_unref(d->pkt);
	}
}

static int seek_to(struct decoder *d, int64_t ts)
{
	int rc = avformat_seek_file(d->v->fmt, d->v->vidx, INT64_MIN, ts, ts, 0);

	if (rc < 0)
		rc = av_seek_frame(d->v->fmt, d->v->vidx, ts, AVSEEK_FLAG_BACKWARD);
	avcodec_flush_buffers(d->ctx);
	d->draining = 0;
	d->last_pts = INT64_MIN;
	return rc;
}

/* The keyframe at or before pts (the first frame when none). */
static int64_t key_before(const struct ts_media_video *v, int64_t pts)
{
	size_t i = ts_sorted_lower_bound(v->keys, v->nkeys, pts + 1);

	return i == 0 ? v->start_pts : v->keys[i - 1];
}

static void rotate_rgb(const uint8_t *src, int w, int h, int rot, uint8_t *dst)
{
	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			const uint8_t *p = src + ((size_t)y * (size_t)w + (size_t)x) * 3;
			size_t o;

			if (rot == 90) /* clockwise: (x, y) -> (h-1-y, x) in an h-wide image */
				o = (size_t)x * (size_t)h + (size_t)(h - 1 - y);
			else if (rot == 180)
				o = (size_t)(h - 1 - y) * (size_t)w + (size_t)(w - 1 - x);
			else /* 270 */
				o = (size_t)(w - 1 - x) * (size_t)h + (size_t)y;
			memcpy(dst + o * 3, p, 3);
		}
	}
}

static enum ts_err emit(struct decoder *d, const struct ts_video_target *t, size_t ti,
			ts_video_frame_fn fn, void *ctx, struct ts_error *err)
{
	AVFrame *f = d->frame;
	int w = f->width, h = f->height, rot = d->v->info.rotation;
	uint8_t *dst[4] = { NULL };
	int dst_stride[4] = { w * 3, 0, 0, 0 };
	size_t need = (size_t)w * (size_t)h * 3;
	struct ts_video_frame out;
	void *jpeg = NULL;
	size_t jpeg_len = 0;
	const uint8_t *pix;
	enum ts_err e;
	size_t idx;

	if (w <= 0 || h <= 0 || (uint64_t)w * (uint64_t)h > d->v->max_pixels)
		return ts_error_set(err, TS_ERR_UNPROCESSABLE, "too_many_pixels",
				    "frame %lld is %dx%d, over the pixel limit",
				    (long long)t->frame_index, w, h);
	if (need > d->rgb_cap) {
		d->rgb = ts_xrealloc(d->rgb, need);
		d->rot = rot ? ts_xrealloc(d->rot, need) : d->rot;
		d->rgb_cap = need;
	}
	d->sws = sws_getCachedContext(d->sws, w, h, (enum AVPixelFormat)f->format, w, h,
				      AV_PIX_FMT_RGB24, SWS_BICUBIC | SWS_ACCURATE_RND, NULL, NULL, NULL);
	if (!d->sws)
		return ts_error_set(err, TS_ERR_UNPROCESSABLE, "unsupported_codec",
				    "cannot convert the pixel format %s",
				    av_get_pix_fmt_name((enum AVPixelFormat)f->format));
	dst[0] = d->rgb;
	sws_scale(d->sws, (const uint8_t *const *)f->data, f->linesize, 0, h, dst, dst_stride);
	pix = d->rgb;
	if (rot) {
		rotate_rgb(d->rgb, w, h, rot, d->rot);
		pix = d->rot;
		if (rot != 180) {
			int tmp = w;

			w = h;
			h = tmp;
		}
	}
	e = ts_media_image_jpeg_from_rgb(pix, w, h, TS_VIDEO_JPEG_QUALITY, &jpeg, &jpeg_len, err);
	if (e)
		return e;
	idx = ts_sorted_lower_bound(d->v->pts, d->v->npts, f->pts);
	out.frame_index = idx < d->v->npts ? (int64_t)idx : t->frame_index;
	out.timestamp_ms = pts_to_ms(d->v, f->pts);
	out.target = ti;
	out.width = w;
	out.height = h;
	out.jpeg = jpeg;
	out.jpeg_len = jpeg_len;
	e = fn(ctx, &out, err);
	free(jpeg);
	return e;
}

enum ts_err ts_media_video_extract(struct ts_media_video *v, const struct ts_video_target *targets,
				   size_t n, ts_video_frame_fn fn, void *ctx,
				   struct ts_error *err)
{
	const AVStream *st = v->fmt->streams[v->vidx];
	const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
	struct decoder d = { .v = v, .last_pts = INT64_MIN };
	enum ts_err e = TS_OK;
	int rc;

	if (!v->pts)
		return ts_error_set(err, TS_ERR_INTERNAL, "internal", "extract before plan");
	d.ctx = avcodec_alloc_context3(codec);
	d.pkt = av_packet_alloc();
	d.frame = av_frame_alloc();
	if (!d.ctx || !d.pkt || !d.frame)
		ts_die("out of memory");
	rc = avcodec_parameters_to_context(d.ctx, st->codecpar);
	if (rc >= 0) {
		d.ctx->pkt_timebase = st->time_base;
		d.ctx->thread_count = 0;
		d.ctx->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
		rc = avcodec_open2(d.ctx, codec, NULL);
	}
	if (rc < 0) {
		e = av_fail(err, TS_ERR_UNPROCESSABLE, "unsupported_codec",
			    "cannot open the video decoder", rc);
		goto out;
	}
	for (unsigned i = 0; i < v->fmt->nb_streams; i++)
		v->fmt->streams[i]->discard = (int)i == v->vidx ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
	/* Start from the beginning whatever the probe read. */
	if (seek_to(&d, v->start_pts) < 0)
		seek_to(&d, INT64_MIN);

	for (size_t ti = 0; ti < n; ti++) {
		const struct ts_video_target *t = &targets[ti];
		int64_t key = key_before(v, t->pts);
		int retries = 0;

		d.want_pts = t->pts;

		/* Seeking pays when a keyframe lies between what was decoded
		 * and the target: everything before it need not be decoded. */
		if (key > d.last_pts && key > v->start_pts) {
			seek_to(&d, key);
		} else if (d.last_pts != INT64_MIN && d.last_pts >= t->pts) {
			/* Already past it (targets out of order): go back. */
			seek_to(&d, key);
		}
		for (;;) {
			rc = decode_next(&d);
			if (rc == AVERROR_EOF) {
				e = ts_error_set(err, TS_ERR_UNPROCESSABLE, "corrupt_video",
						 "frame %lld (at %lld ms) could not be decoded: the "
						 "video is corrupt or truncated",
						 (long long)t->frame_index, (long long)t->timestamp_ms);
				goto out;
			}
			if (rc < 0) {
				e = av_fail(err, TS_ERR_UNPROCESSABLE, "corrupt_video",
					    "the video cannot be decoded", rc);
				goto out;
			}
			if (d.frame->pts == AV_NOPTS_VALUE || d.frame->pts < t->pts) {
				av_frame_unref(d.frame);
				continue;
			}
			/* The seek landed after the target (a demuxer that
			 * seeks by decode time): go back one keyframe more. */
			if (d.frame->pts > t->pts && retries < 3 &&
			    ts_sorted_lower_bound(v->pts, v->npts, d.frame->pts) >
				    ts_sorted_lower_bound(v->pts, v->npts, t->pts)) {
				int64_t back = key_before(v, key - 1);

				av_frame_unref(d.frame);
				retries++;
				key = back;
				seek_to(&d, retries == 3 ? INT64_MIN : back);
				continue;
			}
			break;
		}
		e = emit(&d, t, ti, fn, ctx, err);
		av_frame_unref(d.frame);
		if (e)
			goto out;
	}
out:
	sws_freeContext(d.sws);
	free(d.rgb);
	free(d.rot);
	av_frame_free(&d.frame);
	av_packet_free(&d.pkt);
	avcodec_free_context(&d.ctx);
	return e;
}
