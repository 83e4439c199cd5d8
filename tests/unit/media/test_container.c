/* Unit tests for server/media/container.c: which bytes are a container we
 * open, what refused bytes are called, and the MP4/MOV sample-table check
 * on boxes built here in memory (a memfd stands for the uploaded file). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "media/container.h"
#include "core/banned.h"

static enum ts_container sniff_str(const char *s, size_t n, struct ts_error *err)
{
	return ts_container_sniff((const uint8_t *)s, n, err);
}

static void refused(const char *bytes, size_t n, const char *what)
{
	struct ts_error err = { 0 };

	assert_int_equal(sniff_str(bytes, n, &err), TS_CONTAINER_NONE);
	assert_int_equal(err.err, TS_ERR_INVALID);
	assert_string_equal(err.code, "not_a_video");
	if (!strstr(err.message, what))
		fail_msg("\"%s\" does not say \"%s\"", err.message, what);
	assert_non_null(strstr(err.message, TS_CONTAINER_ACCEPTED));
	ts_error_release(&err);
}

static void test_sniff(void **state)
{
	static const char ts[189] = { 0x47, [188] = 0x47 };

	(void)state;
	assert_int_equal(sniff_str("\0\0\0\x20" "ftypisom\0\0\2\0", 16, NULL), TS_CONTAINER_MP4);
	assert_int_equal(sniff_str("\0\0\0\x14" "ftypqt  ", 12, NULL), TS_CONTAINER_MP4);
	assert_int_equal(sniff_str("\0\0\0\x08" "wide", 8, NULL), TS_CONTAINER_MP4);
	assert_int_equal(sniff_str("\0\0\1\0" "moov", 8, NULL), TS_CONTAINER_MP4);
	assert_int_equal(sniff_str("\x1A\x45\xDF\xA3\x9F\x42\x86\x81", 8, NULL),
			 TS_CONTAINER_MATROSKA);
	assert_int_equal(sniff_str("RIFF\0\0\0\0AVI LIST", 16, NULL), TS_CONTAINER_AVI);
	assert_string_equal(ts_container_demuxer(TS_CONTAINER_MP4), "mov");
	assert_string_equal(ts_container_demuxer(TS_CONTAINER_MATROSKA), "matroska");
	assert_string_equal(ts_container_demuxer(TS_CONTAINER_AVI), "avi");
	assert_null(ts_container_demuxer(TS_CONTAINER_NONE));

	/* Playlists and manifests, however they begin. */
	refused("#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\n", 36, "HLS playlist");
	refused("\xEF\xBB\xBF\r\n  #EXTM3U\n", 16, "HLS playlist");
	refused("#EXT-X-VERSION:3\n", 17, "HLS playlist");
	refused("<?xml version=\"1.0\"?>\n<MPD type=\"static\">", 41, "DASH manifest");
	refused("<mpd>", 5, "DASH manifest");
	refused("<smil><body/></smil>", 20, "XML document");
	refused("ffconcat version 1.0\nfile a.mp4\n", 32, "ffconcat");
	refused("v=0\r\no=- 0 0 IN IP4 1.2.3.4\r\n", 28, "SDP");
	refused("[playlist]\nFile1=/x.mp4\n", 24, "playlist");
	refused("file 'a.mp4'\nfile 'b.mp4'\n", 26, "text file");
	/* Images, audio, streams. */
	refused("\x89PNG\r\n\x1a\n", 8, "PNG image");
	refused("\xFF\xD8\xFF\xE0", 4, "JPEG image");
	refused("GIF89a", 6, "GIF image");
	refused("RIFF\0\0\0\0WEBPVP8 ", 16, "WebP image");
	refused("RIFF\0\0\0\0WAVEfmt ", 16, "WAV audio");
	refused("\0\0\0\x18" "ftypheic\0\0\0\0", 16, "HEIF or AVIF image");
	refused("\0\0\0\x18" "ftypavis\0\0\0\0", 16, "HEIF or AVIF image");
	refused("\0\0\0\x18" "stypmsdh", 12, "media segment");
	refused(ts, sizeof(ts), "transport stream");
	refused("\x00\x01\x02\x03\xff\xfe\x07", 7, "not a video in an accepted container");
	refused("", 0, "not a video in an accepted container");
}

/* ---- boxes ---- */

struct file {
	uint8_t b[4096];
	size_t n;
};

static size_t put32(struct file *f, uint32_t v)
{
	size_t at = f->n;

	f->b[f->n++] = (uint8_t)(v >> 24);
	f->b[f->n++] = (uint8_t)(v >> 16);
	f->b[f->n++] = (uint8_t)(v >> 8);
	f->b[f->n++] = (uint8_t)v;
	return at;
}

/* Opens a box; close_box writes its size. */
static size_t open_box(struct file *f, const char *type)
{
	size_t at = put32(f, 0);

	memcpy(f->b + f->n, type, 4);
	f->n += 4;
	return at;
}

static void close_box(struct file *f, size_t at)
{
	uint32_t size = (uint32_t)(f->n - at);

	f->b[at] = (uint8_t)(size >> 24);
	f->b[at + 1] = (uint8_t)(size >> 16);
	f->b[at + 2] = (uint8_t)(size >> 8);
	f->b[at + 3] = (uint8_t)size;
}

/* A box of type holding the n 32-bit words. */
static void put_box(struct file *f, const char *type, const uint32_t *words, size_t n)
{
	size_t at = open_box(f, type);

	for (size_t i = 0; i < n; i++)
		put32(f, words[i]);
	close_box(f, at);
}

/* A size table claiming 50M frames of one byte. */
static void put_huge_stsz(struct file *f)
{
	static const uint32_t stsz[] = { 0, 1, 50000000 };

	put_box(f, "stsz", stsz, 3);
}

/* A movie fragment: moof, traf, and a trun holding the n words. */
static void put_fragment(struct file *f, const uint32_t *trun, size_t n)
{
	size_t moof = open_box(f, "moof"), traf = open_box(f, "traf");

	put_box(f, "trun", trun, n);
	close_box(f, traf);
	close_box(f, moof);
}

/* ftyp, mdat of mdat_bytes, then moov with one track per count: stsz of a
 * fixed size (or a table of `table` entries when fixed is 0). */
static void build(struct file *f, uint32_t mdat_bytes, uint32_t fixed, uint32_t count,
		  uint32_t table, int tracks)
{
	size_t moov, box;

	memset(f, 0, sizeof(*f));
	box = open_box(f, "ftyp");
	put32(f, 0x69736f6d); /* isom */
	put32(f, 0);
	close_box(f, box);
	box = open_box(f, "mdat");
	f->n += mdat_bytes;
	close_box(f, box);
	moov = open_box(f, "moov");
	for (int t = 0; t < tracks; t++) {
		size_t trak = open_box(f, "trak"), mdia = open_box(f, "mdia");
		size_t minf = open_box(f, "minf"), stbl = open_box(f, "stbl");

		box = open_box(f, "stts");
		put32(f, 0);
		put32(f, 1);
		put32(f, count);
		put32(f, 1);
		close_box(f, box);
		box = open_box(f, "stsz");
		put32(f, 0);
		put32(f, fixed);
		put32(f, count);
		for (uint32_t i = 0; i < table; i++)
			put32(f, 1);
		close_box(f, box);
		close_box(f, stbl);
		close_box(f, minf);
		close_box(f, mdia);
		close_box(f, trak);
	}
	close_box(f, moov);
}

static enum ts_err check(const struct file *f, size_t n, int64_t max, int64_t *frames,
			 struct ts_error *err)
{
	int fd = memfd_create("mp4", 0);
	enum ts_err e;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, f->b, n), (ssize_t)n);
	e = ts_container_mp4_check(fd, n, max, frames, err);
	close(fd);
	return e;
}

/* The check refuses f with code (when not NULL) and, when says is
 * not NULL, a message saying it. */
static void refused_as(const struct file *f, const char *code, const char *says)
{
	struct ts_error err = { 0 };

	assert_int_equal(check(f, f->n, 1000000, NULL, &err), TS_ERR_INVALID);
	if (code)
		assert_string_equal(err.code, code);
	if (says && !strstr(err.message, says))
		fail_msg("\"%s\" does not say \"%s\"", err.message, says);
	ts_error_release(&err);
}

static void test_mp4_counts(void **state)
{
	struct file f;
	struct ts_error err = { 0 };
	int64_t frames = 0;

	(void)state;
	/* 100 frames of 10 bytes in 1000 bytes of media: fine. */
	build(&f, 1000, 10, 100, 0, 1);
	assert_int_equal(check(&f, f.n, 1000000, &frames, &err), TS_OK);
	assert_int_equal(frames, 100);
	/* A table of 50 sizes: fine. */
	build(&f, 100, 0, 50, 50, 2);
	assert_int_equal(check(&f, f.n, 1000000, &frames, &err), TS_OK);
	assert_int_equal(frames, 50);

	/* The 50M-frame claim of a tiny file. */
	build(&f, 10, 1, 50000000, 0, 1);
	refused_as(&f, "too_many_frames", "50000000 frames; at most 1000000");
	/* Under the limit, but the frames would not fit in the file. */
	build(&f, 10, 1, 900000, 0, 1);
	refused_as(&f, "not_a_video", "'stsz'");
	/* A size table claiming more entries than its box holds. */
	build(&f, 10, 0, 900000, 3, 1);
	refused_as(&f, "not_a_video", NULL);
	/* Each track under the limit, all of them over twice the limit. */
	build(&f, 1000, 1, 700, 0, 3);
	assert_int_equal(check(&f, f.n, 1000, NULL, &err), TS_ERR_INVALID);
	assert_string_equal(err.code, "too_many_frames");
	ts_error_release(&err);
	/* The reader takes a table wherever it appears: inside another box
	 * (here a sample description's payload)... */
	memset(&f, 0, sizeof(f));
	{
		size_t moov = open_box(&f, "moov"), stsd = open_box(&f, "stsd");

		put32(&f, 0);
		put_huge_stsz(&f);
		close_box(&f, stsd);
		close_box(&f, moov);
	}
	refused_as(&f, "too_many_frames", NULL);
	/* ... or at the top level after moov; but never inside media data. */
	build(&f, 100, 10, 10, 0, 1);
	put_huge_stsz(&f);
	refused_as(&f, NULL, NULL);
	memset(&f, 0, sizeof(f));
	{
		size_t mdat = open_box(&f, "mdat");

		put_huge_stsz(&f);
		close_box(&f, mdat);
	}
	assert_int_equal(check(&f, f.n, 1000000, NULL, &err), TS_OK);
}

static void test_mp4_fragments_and_damage(void **state)
{
	struct file f = { .n = 0 };
	struct ts_error err = { 0 };

	(void)state;
	/* A fragment whose trun claims 5M samples with no per-sample fields. */
	put_fragment(&f, (const uint32_t[]){ 0, 5000000 }, 2);
	refused_as(&f, "too_many_frames", NULL);
	/* 1000 samples with a size each, in a box holding two. */
	memset(&f, 0, sizeof(f));
	put_fragment(&f, (const uint32_t[]){ 0x200, 1000, 1, 1 }, 4);
	refused_as(&f, "not_a_video", NULL);

	/* A file cut inside its moov: left to the demuxer. */
	build(&f, 100, 10, 10, 0, 1);
	assert_int_equal(check(&f, f.n - 7, 1000000, NULL, &err), TS_OK);
	/* A box whose size is below its header: the walk stops there. The
	 * track box follows ftyp (16 bytes), mdat (108) and moov's header. */
	build(&f, 100, 10, 10, 0, 1);
	assert_memory_equal(f.b + 132 + 4, "trak", 4);
	f.b[132 + 2] = 0;
	f.b[132 + 3] = 3;
	assert_int_equal(check(&f, f.n, 1000000, NULL, &err), TS_OK);
	/* A 64-bit box size. */
	memset(&f, 0, sizeof(f));
	put32(&f, 1);
	memcpy(f.b + f.n, "free", 4);
	f.n += 4;
	put32(&f, 0);
	put32(&f, 24);
	f.n += 8;
	assert_int_equal(check(&f, f.n, 1000000, NULL, &err), TS_OK);
	/* A box of size 0 runs to the end of the file. */
	memset(&f, 0, sizeof(f));
	put32(&f, 0);
	memcpy(f.b + f.n, "free", 4);
	f.n += 4;
	assert_int_equal(check(&f, f.n, 1000000, NULL, &err), TS_OK);
	ts_error_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_mp4_counts),
		cmocka_unit_test(test_mp4_fragments_and_damage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
