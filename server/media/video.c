/* Video probe, frame planning and extraction with libav*. See video.h. */
#include "media/video.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
#include <sys/stat.h>
#include <unistd.h>

#include "core/sorted.h"
#include "core/time.h"
#include "media/container.h"
#include "media/image.h"
#include "core/banned.h"

#define IO_BUFFER 65536
#define TS_PTS_LIMIT ((int64_t)1 << 61)

enum tripped { RUNNING = 0, STOPPED, TIMED_OUT };

/* One demuxer over the uploaded file, reading through our own I/O. */
struct demux {
	struct ts_media_video *v;
	AVIOContext *pb;
	AVFormatContext *fmt;
	int64_t pos;
};

struct ts_media_video {
	int fd;
	int64_t size;
	enum ts_container container;
	uint64_t max_pixels;
	struct ts_video_guard guard;
	int64_t open_deadline_us; /* while opening only; 0 after */
	enum tripped tripped;
	struct demux main;
	AVFormatContext *fmt; /* main.fmt */
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

/* The guard, polled by every read and between packets. Once tripped it
 * stays so: every later step fails the same way. */
static enum tripped guard_check(struct ts_media_video *v)
{
	int64_t now;

	if (v->tripped)
		return v->tripped;
	if (v->guard.stop && v->guard.stop(v->guard.ctx)) {
		v->tripped = STOPPED;
		return v->tripped;
	}
	if (v->guard.deadline_us || v->open_deadline_us) {
		now = ts_time_mono_us();
		if ((v->guard.deadline_us && now > v->guard.deadline_us) ||
		    (v->open_deadline_us && now > v->open_deadline_us))
			v->tripped = TIMED_OUT;
	}
	return v->tripped;
}

static enum ts_err guard_error(struct ts_media_video *v, struct ts_error *err)
{
	if (v->tripped == STOPPED)
		return ts_error_set(err, TS_ERR_UNAVAILABLE, "stopping", "the server is stopping");
	if (v->open_deadline_us)
		return ts_error_set(err, TS_ERR_INVALID, "timed_out",
				    "reading the video's header took longer than %d s",
				    TS_VIDEO_OPEN_SECONDS);
	return ts_error_set(err, TS_ERR_UNPROCESSABLE, "timed_out",
			    "processing the video took longer than its limit of %lld s",
			    (long long)v->guard.limit_s);
}

static enum ts_err av_fail(struct ts_media_video *v, struct ts_error *err, enum ts_err e,
			   const char *code, const char *what, int averr)
{
	char msg[AV_ERROR_MAX_STRING_SIZE] = "";

	if (v->tripped || averr == AVERROR_EXIT)
		return guard_error(v, err);
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

/* FFmpeg's own log lines would only repeat, less clearly, what the errors
 * returned here say: keep them off stderr. */
static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;

static void quiet_av_log(void)
{
	av_log_set_level(AV_LOG_QUIET);
}

/* ---- our I/O: the one file, nothing else ---- */

static int io_read(void *opaque, uint8_t *buf, int len)
{
	struct demux *d = opaque;
	ssize_t r;

	if (guard_check(d->v))
		return AVERROR_EXIT;
	if (d->pos >= d->v->size)
		return AVERROR_EOF;
	do
		r = pread(d->v->fd, buf, (size_t)len, (off_t)d->pos);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return AVERROR(errno);
	if (r == 0)
		return AVERROR_EOF;
	d->pos += r;
	return (int)r;
}

static int64_t io_seek(void *opaque, int64_t offset, int whence)
{
	struct demux *d = opaque;
	int64_t to;

	whence &= ~AVSEEK_FORCE;
	if (whence == AVSEEK_SIZE)
		return d->v->size;
	if (whence == SEEK_SET)
		to = offset;
	else if (whence == SEEK_CUR && offset <= INT64_MAX - d->pos)
		to = d->pos + offset;
	else if (whence == SEEK_END && offset <= INT64_MAX - d->v->size)
		to = d->v->size + offset;
	else
		return AVERROR(EINVAL);
	if (to < 0)
		return AVERROR(EINVAL);
	d->pos = to;
	return to;
}

/* Demuxers that would open another file or URL (a playlist's entries, a
 * QuickTime reference) ask for it here: always refused. */
static int refuse_io_open(AVFormatContext *s, AVIOContext **pb, const char *url, int flags,
			  AVDictionary **options)
{
	(void)s;
	(void)url;
	(void)flags;
	(void)options;
	*pb = NULL;
	return AVERROR(EPERM);
}

static int interrupt_cb(void *opaque)
{
	return guard_check(opaque) != RUNNING;
}

static void demux_close(struct demux *d)
{
	avformat_close_input(&d->fmt);
	if (d->pb) {
		av_freep(&d->pb->buffer);
		avio_context_free(&d->pb);
	}
}

static int demux_open(struct ts_media_video *v, struct demux *d)
{
	const char *name = ts_container_demuxer(v->container);
	const AVInputFormat *ifmt = av_find_input_format(name);
	AVDictionary *opts = NULL;
	uint8_t *buf;
	int rc;

	memset(d, 0, sizeof(*d));
	d->v = v;
	if (!ifmt)
		return AVERROR_DEMUXER_NOT_FOUND;
	buf = av_malloc(IO_BUFFER);
	d->fmt = avformat_alloc_context();
	if (!buf || !d->fmt)
		ts_die("out of memory");
	d->pb = avio_alloc_context(buf, IO_BUFFER, 0, d, io_read, NULL, io_seek);
	if (!d->pb)
		ts_die("out of memory");
	d->fmt->pb = d->pb;
	d->fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
	d->fmt->io_open = refuse_io_open;
	d->fmt->interrupt_callback.callback = interrupt_cb;
	d->fmt->interrupt_callback.opaque = v;
	d->fmt->probesize = TS_VIDEO_PROBE_BYTES;
	d->fmt->max_analyze_duration = (int64_t)TS_VIDEO_PROBE_SECONDS * AV_TIME_BASE;
	d->fmt->max_streams = TS_CONTAINER_TRACKS_MAX;
	/* Belt and braces: even a nested demuxer could open nothing. */
	av_dict_set(&opts, "protocol_whitelist", "none", 0);
	av_dict_set(&opts, "format_whitelist", ifmt->name, 0);
	/* avformat_open_input frees the context on failure. */
	rc = avformat_open_input(&d->fmt, "", ifmt, &opts);
	av_dict_free(&opts);
	return rc;
}

/* A video stream of moving pictures, not a cover picture attached to the
 * file. */
static int is_moving_video(const AVStream *s)
{
	return s->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
	       !(s->disposition & AV_DISPOSITION_ATTACHED_PIC);
}

static int probe_streams(struct ts_media_video *v)
{
	AVFormatContext *fmt = v->fmt;
	AVDictionary **opts = av_calloc(fmt->nb_streams ? fmt->nb_streams : 1, sizeof(*opts));
	char pixels[32];
	int rc;

	if (!opts)
		ts_die("out of memory");
	/* The decoders probing the streams allocate for the picture size
	 * their headers claim: bound it, and keep to one thread. */
	snprintf(pixels, sizeof(pixels), "%llu",
		 (unsigned long long)(v->max_pixels < INT_MAX ? v->max_pixels : INT_MAX));
	for (unsigned i = 0; i < fmt->nb_streams; i++) {
		av_dict_set(&opts[i], "max_pixels", pixels, 0);
		av_dict_set(&opts[i], "threads", "1", 0);
	}
	rc = avformat_find_stream_info(fmt, opts);
	for (unsigned i = 0; i < fmt->nb_streams; i++)
		av_dict_free(&opts[i]);
	av_free(opts);
	return rc;
}

struct ts_media_video *ts_media_video_open_fd(int fd, uint64_t max_pixels,
					      const struct ts_video_guard *guard,
					      struct ts_error *err)
{
	struct ts_media_video *v = ts_xcalloc(1, sizeof(*v));
	uint8_t head[TS_CONTAINER_HEAD];
	const AVCodecParameters *par;
	const AVStream *st;
	struct stat sb;
	ssize_t got;
	int rc;

	pthread_once(&quiet_once, quiet_av_log);
	v->fd = -1;
	v->max_pixels = max_pixels;
	v->vidx = -1;
	if (guard)
		v->guard = *guard;
	v->open_deadline_us = ts_time_mono_us() + (int64_t)TS_VIDEO_OPEN_SECONDS * 1000000;
	v->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (v->fd < 0 || fstat(v->fd, &sb) != 0) {
		ts_error_set(err, TS_ERR_IO, "read_failed", "cannot read the video: %s",
			     strerror(errno));
		goto fail;
	}
	v->size = sb.st_size;
	do
		got = pread(v->fd, head, sizeof(head), 0);
	while (got < 0 && errno == EINTR);
	if (got < 0) {
		ts_error_set(err, TS_ERR_IO, "read_failed", "cannot read the video: %s",
			     strerror(errno));
		goto fail;
	}
	v->container = ts_container_sniff(head, (size_t)got, err);
	if (v->container == TS_CONTAINER_NONE)
		goto fail;
	if (v->container == TS_CONTAINER_MP4 &&
	    ts_container_mp4_check(v->fd, (uint64_t)v->size, TS_VIDEO_SOURCE_FRAMES_MAX, NULL, err))
		goto fail;
	rc = demux_open(v, &v->main);
	v->fmt = v->main.fmt;
	if (rc == AVERROR(ENOMEM) && !v->tripped) {
		/* What the demuxer says when a stream is one too many. */
		ts_error_set(err, TS_ERR_INVALID, "not_a_video",
			     "the file is not a video that can be read: more than %d streams, or a "
			     "damaged header", TS_CONTAINER_TRACKS_MAX);
		goto fail;
	}
	if (rc < 0) {
		av_fail(v, err, TS_ERR_INVALID, "not_a_video",
			"the file is not a video that can be read", rc);
		goto fail;
	}
	for (unsigned i = 0; i < v->fmt->nb_streams; i++) {
		const AVStream *s = v->fmt->streams[i];

		if (!is_moving_video(s))
			continue;
		/* The header's picture size, before any decoder allocates. */
		if ((uint64_t)(s->codecpar->width > 0 ? s->codecpar->width : 0) *
			    (uint64_t)(s->codecpar->height > 0 ? s->codecpar->height : 0) >
		    max_pixels) {
			ts_error_set(err, TS_ERR_INVALID, "too_many_pixels",
				     "the video is %dx%d, over the limit of %llu pixels per frame",
				     s->codecpar->width, s->codecpar->height,
				     (unsigned long long)max_pixels);
			goto fail;
		}
	}
	rc = probe_streams(v);
	if (rc < 0) {
		av_fail(v, err, TS_ERR_INVALID, "not_a_video", "cannot read the video's streams", rc);
		goto fail;
	}
	if (guard_check(v)) {
		guard_error(v, err);
		goto fail;
	}
	for (unsigned i = 0; i < v->fmt->nb_streams && v->vidx < 0; i++)
		if (is_moving_video(v->fmt->streams[i]))
			v->vidx = (int)i;
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
	if (v->tb.num <= 0 || v->tb.den <= 0) {
		ts_error_set(err, TS_ERR_INVALID, "not_a_video", "the video has no time base");
		goto fail;
	}
	if (st->nb_frames > TS_VIDEO_SOURCE_FRAMES_MAX) {
		ts_error_set(err, TS_ERR_INVALID, "too_many_frames",
			     "the video claims %lld frames; at most %d are accepted",
			     (long long)st->nb_frames, TS_VIDEO_SOURCE_FRAMES_MAX);
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
	if (!isfinite(v->info.frame_rate) || v->info.frame_rate < 0)
		v->info.frame_rate = 0;
	if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
		v->info.duration_ms = av_rescale_q(st->duration, st->time_base, (AVRational){ 1, 1000 });
	else if (v->fmt->duration != AV_NOPTS_VALUE && v->fmt->duration > 0)
		v->info.duration_ms = av_rescale(v->fmt->duration, 1000, AV_TIME_BASE);
	if (v->info.duration_ms < 0)
		v->info.duration_ms = 0;
	v->info.frames_estimate = st->nb_frames > 0 ? st->nb_frames : 0;
	/* A container that states its frame count or length: zero is known up
	 * front. Otherwise the plan finds out. */
	if ((st->nb_frames == 0 && st->duration == 0) ||
	    (v->info.duration_ms == 0 && st->nb_frames == 0 && v->fmt->duration == 0)) {
		ts_error_set(err, TS_ERR_INVALID, "zero_duration", "the video has no frames");
		goto fail;
	}
	v->open_deadline_us = 0;
	return v;
fail:
	ts_media_video_free(v);
	return NULL;
}

struct ts_media_video *ts_media_video_open_guarded(const char *path, uint64_t max_pixels,
						   const struct ts_video_guard *guard,
						   struct ts_error *err)
{
	struct ts_media_video *v;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		ts_error_set(err, TS_ERR_INVALID, "not_a_video", "cannot open the video: %s",
			     strerror(errno));
		return NULL;
	}
	v = ts_media_video_open_fd(fd, max_pixels, guard, err);
	close(fd);
	return v;
}

struct ts_media_video *ts_media_video_open(const char *path, uint64_t max_pixels,
				     struct ts_error *err)
{
	return ts_media_video_open_guarded(path, max_pixels, NULL, err);
}

void ts_media_video_set_guard(struct ts_media_video *v, const struct ts_video_guard *guard)
{
	memset(&v->guard, 0, sizeof(v->guard));
	if (guard)
		v->guard = *guard;
	v->tripped = RUNNING;
}

void ts_media_video_free(struct ts_media_video *v)
{
	if (!v)
		return;
	demux_close(&v->main);
	if (v->fd >= 0)
		close(v->fd);
	free(v->pts);
	free(v->keys);
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
		if (!(mode->fps >= TS_VIDEO_FPS_MIN && mode->fps <= TS_VIDEO_FPS_MAX))
			return ts_error_set(err, TS_ERR_INVALID, "invalid_mode",
					    "the fps field must be a number from %g to %g", TS_VIDEO_FPS_MIN,
					    TS_VIDEO_FPS_MAX);
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
				    "the frames field must be an integer from 1 to %d", TS_VIDEO_FRAMES_MAX);
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
 * such as those before an edit list's start, are not presented). Every
 * packet read counts towards TS_VIDEO_SOURCE_FRAMES_MAX, whichever stream
 * it belongs to, so the loop ends however the file lies. */
static enum ts_err scan(struct ts_media_video *v, int64_t *last_dur, struct ts_error *err)
{
	struct demux d;
	AVPacket *pkt = av_packet_alloc();
	size_t cap = 0, kcap = 0;
	enum ts_err e = TS_OK;
	int64_t max_pts = INT64_MIN, discarded = 0, packets = 0;
	int rc;

	if (!pkt)
		ts_die("out of memory");
	*last_dur = 0;
	rc = demux_open(v, &d);
	if (rc < 0) {
		e = av_fail(v, err, TS_ERR_UNPROCESSABLE, "corrupt_video", "cannot reopen the video",
			    rc);
		goto out;
	}
	for (unsigned i = 0; i < d.fmt->nb_streams; i++)
		d.fmt->streams[i]->discard = (int)i == v->vidx ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
	for (;;) {
		int64_t t;

		if (guard_check(v)) {
			e = guard_error(v, err);
			goto out;
		}
		rc = av_read_frame(d.fmt, pkt);
		if (rc == AVERROR_EOF)
			break;
		if (rc < 0) {
			e = av_fail(v, err, TS_ERR_UNPROCESSABLE, "corrupt_video",
				    "the video cannot be read to its end (corrupt or truncated)", rc);
			goto out;
		}
		if (++packets > 2 * (int64_t)TS_VIDEO_SOURCE_FRAMES_MAX ||
		    v->npts >= TS_VIDEO_SOURCE_FRAMES_MAX) {
			av_packet_unref(pkt);
			e = ts_error_set(err, TS_ERR_UNPROCESSABLE, "too_many_frames",
					 "the video has more than %d frames",
					 TS_VIDEO_SOURCE_FRAMES_MAX);
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
		/* Differences of timestamps must fit in 64 bits. */
		if (t < -TS_PTS_LIMIT || t > TS_PTS_LIMIT) {
			av_packet_unref(pkt);
			e = ts_error_set(err, TS_ERR_UNPROCESSABLE, "corrupt_video",
					 "a frame's timestamp is out of range (corrupt video)");
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
	demux_close(&d);
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
		/* Frame i is kept when some k/fps (k = 0, 1, ...) falls in
		 * (pts[i-1], pts[i]]: with k/fps as an exact fraction (fps
		 * rounded to 1/1000 of a frame), the number of k at or before
		 * a time p is floor(p * tb / step) + 1, so frame i is kept
		 * when that count grows from frame i-1. One pass over the
		 * frames, whatever fps is. */
		AVRational step = av_d2q(1.0 / mode->fps, 1000000);
		int64_t num = (int64_t)v->tb.num * step.den, den = (int64_t)v->tb.den * step.num;
		int64_t prev = -1;

		if (num <= 0 || den <= 0)
			return ts_error_set(err, TS_ERR_INVALID, "invalid_mode",
					    "the fps field must be a number from %g to %g", TS_VIDEO_FPS_MIN,
					    TS_VIDEO_FPS_MAX);
		for (size_t i = 0; i < v->npts; i++) {
			int64_t c = av_rescale_rnd(v->pts[i] - v->start_pts, num, den, AV_ROUND_DOWN);

			if (c == INT64_MIN) /* overflow: later than any k that matters */
				c = INT64_MAX;
			if (i > 0 && c <= prev)
				continue;
			prev = c;
			if (len >= TS_VIDEO_FPS_FRAMES_MAX) {
				free(t);
				return ts_error_set(err, TS_ERR_INVALID, "invalid_mode",
						    "%g fps would give more than %d frames",
						    mode->fps, TS_VIDEO_FPS_FRAMES_MAX);
			}
			add_target(v, &t, &len, &cap, i);
		}
	} else {
		/* The span the frames cover: to the end of the last frame. */
		int64_t span = last - v->start_pts;

		if (last_dur <= 0 && v->npts > 1)
			last_dur = (last - v->start_pts) / (int64_t)(v->npts - 1);
		if (last_dur > TS_PTS_LIMIT)
			last_dur = TS_PTS_LIMIT;
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

/* The next decoded frame into d->frame: 0, AVERROR_EOF, or an error
 * (AVERROR_EXIT when the guard tripped). */
static int decode_next(struct decoder *d)
{
	for (;;) {
		int rc;

		if (guard_check(d->v))
			return AVERROR_EXIT;
		rc = avcodec_receive_frame(d->ctx, d->frame);

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
		return ts_error_set(err, TS_ERR_INTERNAL, "internal_error", "extract before plan");
	d.ctx = avcodec_alloc_context3(codec);
	d.pkt = av_packet_alloc();
	d.frame = av_frame_alloc();
	if (!d.ctx || !d.pkt || !d.frame)
		ts_die("out of memory");
	rc = avcodec_parameters_to_context(d.ctx, st->codecpar);
	if (rc >= 0) {
		d.ctx->pkt_timebase = st->time_base;
		d.ctx->max_pixels = (int64_t)(v->max_pixels < INT_MAX ? v->max_pixels : INT_MAX);
		d.ctx->thread_count = 0;
		d.ctx->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
		rc = avcodec_open2(d.ctx, codec, NULL);
	}
	if (rc < 0) {
		e = av_fail(v, err, TS_ERR_UNPROCESSABLE, "unsupported_codec",
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
			if (rc == AVERROR_EOF && !guard_check(v)) {
				e = ts_error_set(err, TS_ERR_UNPROCESSABLE, "corrupt_video",
						 "frame %lld (at %lld ms) could not be decoded: the "
						 "video is corrupt or truncated",
						 (long long)t->frame_index, (long long)t->timestamp_ms);
				goto out;
			}
			if (rc < 0) {
				e = av_fail(v, err, TS_ERR_UNPROCESSABLE, "corrupt_video",
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
