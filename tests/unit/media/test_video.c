/* Unit tests for server/media/video.c (and the frame naming of
 * server/service/frames.c). The videos are made by the ffmpeg program in a
 * fixture step, into a fresh temporary folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "service/frames.h"
#include "media/image.h"
#include "media/video.h"
#include "testdir.h"
#include "core/banned.h"

static char dir[64];
static char cfr[128];  /* 64x48, 30 fps, 2 s, keyframe every 12 */
static char text[128]; /* not a video */
static char rot[128];  /* cfr with a rotation tag */
static char many[128]; /* 17 video streams */

static int sh(const char *fmt, const char *a, const char *b)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), fmt, a, b);
	return system(cmd);
}

static int setup(void **state)
{
	FILE *f;

	(void)state;
	if (ts_media_init(NULL) != 0)
		return -1;
	snprintf(dir, sizeof(dir), "/tmp/ts-video-unit-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(cfr, sizeof(cfr), "%s/cfr.mp4", dir);
	snprintf(text, sizeof(text), "%s/text.mp4", dir);
	snprintf(rot, sizeof(rot), "%s/rot.mp4", dir);
	snprintf(many, sizeof(many), "%s/many.mkv", dir);
	if (sh("ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=s=64x48:r=30:d=2 "
	       "-c:v libx264 -pix_fmt yuv420p -g 12 %s%s", cfr, "") != 0)
		return -1;
	if (sh("ffmpeg -hide_banner -loglevel error -y -i %s -c copy -metadata:s:v:0 rotate=90 %s",
	       cfr, rot) != 0)
		return -1;
	if (sh("ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=s=16x16:r=5:d=0.2 "
	       "-map 0 -map 0 -map 0 -map 0 -map 0 -map 0 -map 0 -map 0 -map 0 -map 0 -map 0 "
	       "-map 0 -map 0 -map 0 -map 0 -map 0 -map 0 -c:v mpeg4 %s%s", many, "") != 0)
		return -1;
	f = fopen(text, "w");
	if (!f)
		return -1;
	fputs("hello, not a video\n", f);
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ts_test_rmtree(dir);
	return 0;
}

static void test_probe(void **state)
{
	struct ts_error err = { 0 };
	struct ts_media_video *v = ts_media_video_open(cfr, 100000000, &err);
	const struct ts_video_info *info;

	(void)state;
	assert_non_null(v);
	info = ts_media_video_info(v);
	assert_int_equal(info->width, 64);
	assert_int_equal(info->height, 48);
	assert_int_equal(info->rotation, 0);
	assert_int_equal(info->duration_ms, 2000);
	assert_string_equal(info->codec, "h264");
	assert_true(info->frame_rate > 29.9 && info->frame_rate < 30.1);
	ts_media_video_free(v);

	v = ts_media_video_open(rot, 100000000, &err);
	assert_non_null(v);
	info = ts_media_video_info(v);
	assert_true(info->rotation == 90 || info->rotation == 270);
	assert_int_equal(info->width, 48);
	assert_int_equal(info->height, 64);
	ts_media_video_free(v);
}

static void test_refusals(void **state)
{
	struct ts_error err = { 0 };

	(void)state;
	assert_null(ts_media_video_open(text, 100000000, &err));
	assert_int_equal(err.err, TS_ERR_INVALID);
	assert_string_equal(err.code, "not_a_video");
	ts_error_release(&err);
	assert_null(ts_media_video_open(cfr, 64 * 48 - 1, &err));
	assert_string_equal(err.code, "too_many_pixels");
	ts_error_release(&err);
	assert_null(ts_media_video_open("/nonexistent/x.mp4", 100000000, &err));
	assert_string_equal(err.code, "not_a_video");
	ts_error_release(&err);
	assert_null(ts_media_video_open(many, 100000000, &err));
	assert_string_equal(err.code, "not_a_video");
	assert_non_null(strstr(err.message, "more than 16 streams"));
	ts_error_release(&err);
}

static void test_check_mode(void **state)
{
	struct ts_video_info info = { .duration_ms = 3600 * 1000 };
	struct ts_video_mode m;
	struct ts_error err = { 0 };

	(void)state;
	m = (struct ts_video_mode){ .fps = 1 };
	assert_int_equal(ts_media_video_check_mode(&m, NULL, &err), TS_OK);
	m = (struct ts_video_mode){ .fps = 60 };
	assert_int_equal(ts_media_video_check_mode(&m, NULL, &err), TS_OK);
	/* 60 fps for an hour is 216,000 frames: over the fps-mode limit. */
	assert_int_equal(ts_media_video_check_mode(&m, &info, &err), TS_ERR_INVALID);
	/* Tiny rates once made the plan loop forever. */
	m = (struct ts_video_mode){ .fps = 1e-10 };
	assert_int_equal(ts_media_video_check_mode(&m, NULL, &err), TS_ERR_INVALID);
	m = (struct ts_video_mode){ .fps = 1e-300 };
	assert_int_equal(ts_media_video_check_mode(&m, NULL, &err), TS_ERR_INVALID);
	m = (struct ts_video_mode){ .fps = TS_VIDEO_FPS_MIN * 0.99 };
	assert_int_equal(ts_media_video_check_mode(&m, NULL, &err), TS_ERR_INVALID);
	m = (struct ts_video_mode){ .fps = TS_VIDEO_FPS_MIN };
	assert_int_equal(ts_media_video_check_mode(&m, &info, &err), TS_OK);
	m = (struct ts_video_mode){ .fps = 60.01 };
	assert_int_equal(ts_media_video_check_mode(&m, NULL, &err), TS_ERR_INVALID);
	m = (struct ts_video_mode){ .fps = -1 };
	assert_int_equal(ts_media_video_check_mode(&m, NULL, &err), TS_ERR_INVALID);
	m = (struct ts_video_mode){ .frames = TS_VIDEO_FRAMES_MAX };
	assert_int_equal(ts_media_video_check_mode(&m, NULL, &err), TS_OK);
	m = (struct ts_video_mode){ .frames = TS_VIDEO_FRAMES_MAX + 1 };
	assert_int_equal(ts_media_video_check_mode(&m, NULL, &err), TS_ERR_INVALID);
	m = (struct ts_video_mode){ .fps = 1, .frames = 1 };
	assert_int_equal(ts_media_video_check_mode(&m, NULL, &err), TS_ERR_INVALID);
	m = (struct ts_video_mode){ 0 };
	assert_int_equal(ts_media_video_check_mode(&m, NULL, &err), TS_ERR_INVALID);
	ts_error_release(&err);
}

static void plan_of(const struct ts_video_mode *m, const int64_t *want_idx,
		    const int64_t *want_ms, size_t want_n)
{
	struct ts_error err = { 0 };
	struct ts_media_video *v = ts_media_video_open(cfr, 100000000, &err);
	struct ts_video_target *t = NULL;
	size_t n = 0;

	assert_non_null(v);
	assert_int_equal(ts_media_video_plan(v, m, &t, &n, &err), TS_OK);
	assert_int_equal(n, want_n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(t[i].frame_index, want_idx[i]);
		assert_int_equal(t[i].timestamp_ms, want_ms[i]);
	}
	free(t);
	ts_media_video_free(v);
}

static void test_plan(void **state)
{
	static const int64_t fps1_idx[] = { 0, 30 }, fps1_ms[] = { 0, 1000 };
	static const int64_t fps7_idx[] = { 0, 5, 9, 13, 18, 22, 26, 30, 35, 39, 43, 48, 52, 56 };
	static const int64_t fps7_ms[] = { 0,    167,  300,  433,  600,  733,  867,
					   1000, 1167, 1300, 1433, 1600, 1733, 1867 };
	static const int64_t n3_idx[] = { 0, 20, 40 }, n3_ms[] = { 0, 667, 1333 };
	static const int64_t all_idx[] = { 0, 1, 2 }, all_ms[] = { 0, 33, 67 };
	struct ts_video_mode m;

	(void)state;
	m = (struct ts_video_mode){ .fps = 1 };
	plan_of(&m, fps1_idx, fps1_ms, 2);
	/* k/7 s: the first frame at or after it (ceil(30k/7)). */
	m = (struct ts_video_mode){ .fps = 7 };
	plan_of(&m, fps7_idx, fps7_ms, 14);
	m = (struct ts_video_mode){ .frames = 3 };
	plan_of(&m, n3_idx, n3_ms, 3);
	/* The smallest rate: the first frame only. */
	m = (struct ts_video_mode){ .fps = TS_VIDEO_FPS_MIN };
	plan_of(&m, fps1_idx, fps1_ms, 1);
	/* 60 fps of a 30 fps video: every frame once. */
	m = (struct ts_video_mode){ .fps = 60 };
	{
		struct ts_error err = { 0 };
		struct ts_media_video *v = ts_media_video_open(cfr, 100000000, &err);
		struct ts_video_target *t = NULL;
		size_t n = 0;

		assert_int_equal(ts_media_video_plan(v, &m, &t, &n, &err), TS_OK);
		assert_int_equal(n, 60);
		for (size_t i = 0; i < 3; i++) {
			assert_int_equal(t[i].frame_index, all_idx[i]);
			assert_int_equal(t[i].timestamp_ms, all_ms[i]);
		}
		free(t);
		ts_media_video_free(v);
	}
}

struct seen {
	size_t n;
	int64_t idx[64];
	int64_t ms[64];
	int w, h;
};

static enum ts_err collect(void *ctx, const struct ts_video_frame *f, struct ts_error *err)
{
	struct seen *s = ctx;
	const unsigned char *j = f->jpeg;

	(void)err;
	assert_true(f->jpeg_len > 100);
	assert_int_equal(j[0], 0xFF); /* SOI */
	assert_int_equal(j[1], 0xD8);
	assert_int_equal(j[f->jpeg_len - 2], 0xFF); /* EOI */
	assert_int_equal(j[f->jpeg_len - 1], 0xD9);
	s->idx[s->n] = f->frame_index;
	s->ms[s->n] = f->timestamp_ms;
	s->w = f->width;
	s->h = f->height;
	s->n++;
	return TS_OK;
}

static enum ts_err stop_at_two(void *ctx, const struct ts_video_frame *f, struct ts_error *err)
{
	struct seen *s = ctx;

	(void)f;
	if (s->n == 2)
		return ts_error_set(err, TS_ERR_UNAVAILABLE, "stopping", "stop");
	s->n++;
	return TS_OK;
}

static void test_extract(void **state)
{
	struct ts_error err = { 0 };
	struct ts_media_video *v = ts_media_video_open(rot, 100000000, &err);
	struct ts_video_mode m = { .frames = 4 };
	struct ts_video_target *t = NULL;
	struct seen s = { 0 };
	size_t n = 0;

	(void)state;
	assert_non_null(v);
	assert_int_equal(ts_media_video_plan(v, &m, &t, &n, &err), TS_OK);
	assert_int_equal(n, 4);
	assert_int_equal(ts_media_video_extract(v, t, n, collect, &s, &err), TS_OK);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.idx[0], 0);
	assert_int_equal(s.idx[1], 15);
	assert_int_equal(s.idx[2], 30);
	assert_int_equal(s.idx[3], 45);
	assert_int_equal(s.ms[3], 1500);
	assert_int_equal(s.w, 48); /* rotated */
	assert_int_equal(s.h, 64);
	/* A subset (what a resumed job asks for), out of the middle. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(ts_media_video_extract(v, t + 2, 1, collect, &s, &err), TS_OK);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.idx[0], 30);
	/* The callback stops it. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(ts_media_video_extract(v, t, n, stop_at_two, &s, &err),
			 TS_ERR_UNAVAILABLE);
	assert_int_equal(s.n, 2);
	free(t);
	ts_error_release(&err);
	ts_media_video_free(v);
}

static int stop_now(void *ctx)
{
	return *(int *)ctx;
}

static enum ts_err stop_after_one(void *ctx, const struct ts_video_frame *f, struct ts_error *err)
{
	int *flag = ctx;

	(void)f;
	(void)err;
	*flag = 1; /* the stop flag the guard polls */
	return TS_OK;
}

/* The guard: a stop flag ends plan and extract with UNAVAILABLE, a past
 * deadline with timed_out. */
static void test_guard(void **state)
{
	struct ts_error err = { 0 };
	int flag = 0;
	struct ts_video_guard g = { .stop = stop_now, .ctx = &flag };
	struct ts_media_video *v = ts_media_video_open_guarded(cfr, 100000000, &g, &err);
	struct ts_video_mode m = { .fps = 30 };
	struct ts_video_target *t = NULL;
	size_t n = 0;

	(void)state;
	assert_non_null(v);
	assert_int_equal(ts_media_video_plan(v, &m, &t, &n, &err), TS_OK);
	assert_int_equal(n, 60);
	/* The flag rises after the first frame: extraction stops before the
	 * second, whatever the callback returns. */
	assert_int_equal(ts_media_video_extract(v, t, n, stop_after_one, &flag, &err),
			 TS_ERR_UNAVAILABLE);
	assert_string_equal(err.code, "stopping");
	ts_error_release(&err);
	free(t);
	t = NULL;
	assert_int_equal(ts_media_video_plan(v, &m, &t, &n, &err), TS_ERR_UNAVAILABLE);
	ts_error_release(&err);

	g.stop = NULL;
	g.deadline_us = 1; /* long past */
	g.limit_s = 7;
	ts_media_video_set_guard(v, &g);
	assert_int_equal(ts_media_video_plan(v, &m, &t, &n, &err), TS_ERR_UNPROCESSABLE);
	assert_string_equal(err.code, "timed_out");
	assert_non_null(strstr(err.message, "limit of 7 s"));
	ts_error_release(&err);
	ts_media_video_set_guard(v, NULL);
	assert_int_equal(ts_media_video_plan(v, &m, &t, &n, &err), TS_OK);
	free(t);
	ts_media_video_free(v);

	/* Stopping while opening. */
	flag = 1;
	g = (struct ts_video_guard){ .stop = stop_now, .ctx = &flag };
	assert_null(ts_media_video_open_guarded(cfr, 100000000, &g, &err));
	assert_int_equal(err.err, TS_ERR_UNAVAILABLE);
	ts_error_release(&err);
}

/* A playlist naming a real video is refused before any demuxer reads it;
 * the same bytes as a file descriptor open like a path. */
static void test_playlist_and_fd(void **state)
{
	struct ts_error err = { 0 };
	char m3u8[160];
	struct ts_media_video *v;
	FILE *f;
	int fd;

	(void)state;
	snprintf(m3u8, sizeof(m3u8), "%s/list.m3u8", dir);
	f = fopen(m3u8, "w");
	assert_non_null(f);
	fprintf(f, "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nfile://%s\n#EXT-X-ENDLIST\n",
		cfr);
	fclose(f);
	assert_null(ts_media_video_open(m3u8, 100000000, &err));
	assert_string_equal(err.code, "not_a_video");
	assert_non_null(strstr(err.message, "HLS playlist"));
	assert_null(strstr(err.message, "64x48"));
	ts_error_release(&err);

	fd = open(cfr, O_RDONLY);
	assert_true(fd >= 0);
	v = ts_media_video_open_fd(fd, 100000000, NULL, &err);
	close(fd); /* the video keeps its own */
	assert_non_null(v);
	assert_int_equal(ts_media_video_info(v)->width, 64);
	assert_string_equal(ts_media_video_info(v)->container, "mov,mp4,m4a,3gp,3g2,mj2");
	ts_media_video_free(v);
}

static void test_frame_name(void **state)
{
	char out[24];
	char big[300];

	(void)state;
	ts_frames_name("drive.mp4", 30, out, sizeof(out));
	assert_string_equal(out, "drive.mp4#frame=30");
	/* 23 bytes fit: the name is cut, never the suffix, never inside a
	 * UTF-8 sequence ("é" is 2 bytes). */
	ts_frames_name("a\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9.mp4", 1234, out,
			     sizeof(out));
	assert_string_equal(out, "a\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9#frame=1234");
	ts_frames_name("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9.mp4", 1234, out,
			     sizeof(out));
	assert_string_equal(out, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9#frame=1234");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	{
		char name[256];

		ts_frames_name(big, 9999, name, sizeof(name));
		assert_int_equal(strlen(name), 255);
		assert_string_equal(name + 255 - 11, "#frame=9999");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_check_mode),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_extract),
		cmocka_unit_test(test_guard),
		cmocka_unit_test(test_playlist_and_fd),
		cmocka_unit_test(test_frame_name),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
