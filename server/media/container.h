/* Which video container a file is, decided by us before any demuxer sees
 * it. FFmpeg probes a format from the content and knows hundreds, some of
 * which open other files or URLs (HLS and DASH playlists, ffconcat, SDP,
 * image sequences): only the containers below are ever opened, each with
 * its demuxer named explicitly (media/video.c).
 *
 * For MP4/MOV the boxes are also searched (no decoding; media data is
 * skipped) to refuse, before the demuxer allocates for them, sample tables
 * that claim more frames than the limit or than the file can hold.
 *
 * Pure C over bytes and a file descriptor: no libav here. */
#ifndef TS_MEDIA_CONTAINER_H
#define TS_MEDIA_CONTAINER_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

enum ts_container {
	TS_CONTAINER_NONE = 0,
	TS_CONTAINER_MP4,      /* ISO BMFF and QuickTime: .mp4, .m4v, .mov */
	TS_CONTAINER_MATROSKA, /* .mkv, .webm */
	TS_CONTAINER_AVI,
};

/* What the accepted formats are, for messages and documentation. */
#define TS_CONTAINER_ACCEPTED "MP4/MOV, WebM/Matroska and AVI"

/* Bytes sniff wants to see (fewer is fine for a short file). */
#define TS_CONTAINER_HEAD 512

/* Streams a video may have (the demuxer refuses more). */
#define TS_CONTAINER_TRACKS_MAX 16

/* The container of a file whose first n bytes are head. NONE with err set
 * (TS_ERR_INVALID "not_a_video", a sentence naming what the bytes look
 * like: an HLS playlist, a DASH manifest, an image, ...) for anything
 * else. */
enum ts_container ts_container_sniff(const uint8_t *head, size_t n, struct ts_error *err);

/* The demuxer name FFmpeg knows the container by ("mov", "matroska",
 * "avi"); NULL for NONE. */
const char *ts_container_demuxer(enum ts_container c);

/* Refuses, in the MP4/MOV file fd (size bytes), what FFmpeg's reader would
 * allocate for from a count in a header: a sample table (stsz, stz2) or a
 * fragment (trun) claiming more than max_frames samples, all of them
 * together more than 2 * max_frames, or a table (stts, ctts, stsc, stco,
 * co64, stss, elst ...) claiming more entries than its box holds, or
 * fixed-size samples larger together than the file. The reader parses a
 * table wherever one appears, so every top-level box but media data is
 * searched for table types at any byte. Errors: TS_ERR_INVALID
 * "too_many_frames" or "not_a_video"; TS_ERR_IO when fd cannot be read.
 * Boxes cut short by the end of the file are left to the demuxer to judge.
 * *frames (optional) receives the largest sample count of one table. */
enum ts_err ts_container_mp4_check(int fd, uint64_t size, int64_t max_frames, int64_t *frames,
				   struct ts_error *err);

#endif
