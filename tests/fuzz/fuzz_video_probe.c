/* libFuzzer target: the video probe on arbitrary bytes, through the entry
 * the server uses (ts_media_video_open_fd: our container sniffing, the
 * MP4 sample-table check, the explicit demuxer over our own I/O), then the
 * plan (one pass over the packets) and the extraction of the first planned
 * frame.
 *
 * The bytes are written to a memfd, as an upload is to a file. Besides
 * memory errors, it checks what video.h promises: an opened video has a
 * picture size within the pixel limit and no more frames than the limit,
 * and a plan is ascending, without repeats, never longer than asked. A
 * guard ends any input after a few seconds, as the server's deadline
 * does. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/time.h"
#include "media/image.h"
#include "media/video.h"

#define MAX_PIXELS (256 * 256)
#define FRAMES 3

static int fd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* Frames are encoded by libvips, whose worker threads hand their glib
 * thread data back as they exit: a leak check that runs while one is
 * exiting (about once in 250,000 inputs) sees those blocks as lost. */
const char *__lsan_default_suppressions(void)
{
	return "leak:libglib-2.0.so\n";
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	if (ts_media_init((*argv)[0]) != 0)
		abort();
	fd = memfd_create("video", MFD_CLOEXEC);
	if (fd < 0)
		abort();
	return 0;
}

static enum ts_err on_frame(void *ctx, const struct ts_video_frame *f, struct ts_error *err)
{
	(void)ctx;
	(void)err;
	if (f->width <= 0 || f->height <= 0 || (uint64_t)f->width * (uint64_t)f->height > MAX_PIXELS ||
	    f->jpeg_len < 4)
		abort();
	return TS_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ts_video_guard guard = { .deadline_us = ts_time_mono_us() + 5000000, .limit_s = 5 };
	struct ts_video_mode mode = { .frames = FRAMES };
	struct ts_video_target *t = NULL;
	const struct ts_video_info *info;
	struct ts_error err = { 0 };
	struct ts_media_video *v;
	size_t n = 0, done = 0;

	if (ftruncate(fd, 0) != 0)
		abort();
	while (done < size) {
		ssize_t w = pwrite(fd, data + done, size - done, (off_t)done);

		if (w <= 0)
			abort();
		done += (size_t)w;
	}
	v = ts_media_video_open_fd(fd, MAX_PIXELS, &guard, &err);
	if (!v) {
		if (!err.err || !err.code[0] || !err.message[0])
			abort(); /* a refusal always says why */
		ts_error_release(&err);
		return 0;
	}
	info = ts_media_video_info(v);
	if (info->width <= 0 || info->height <= 0 ||
	    (uint64_t)info->width * (uint64_t)info->height > MAX_PIXELS ||
	    info->frames_estimate > TS_VIDEO_SOURCE_FRAMES_MAX)
		abort();
	if (ts_media_video_plan(v, &mode, &t, &n, &err) == TS_OK) {
		if (n == 0 || n > FRAMES)
			abort();
		for (size_t i = 1; i < n; i++)
			if (t[i].frame_index <= t[i - 1].frame_index || t[i].pts < t[i - 1].pts)
				abort();
		ts_media_video_extract(v, t, 1, on_frame, NULL, &err);
	}
	ts_error_release(&err);
	free(t);
	ts_media_video_free(v);
	return 0;
}
