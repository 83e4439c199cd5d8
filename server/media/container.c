/* Container sniffing and the MP4/MOV sample-table check. See container.h. */
#include "media/container.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/banned.h"

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static int has_prefix(const uint8_t *p, size_t n, const char *s)
{
	size_t k = strlen(s);

	return n >= k && memcmp(p, s, k) == 0;
}

static int has_prefix_nocase(const uint8_t *p, size_t n, const char *s)
{
	size_t k = strlen(s);

	if (n < k)
		return 0;
	for (size_t i = 0; i < k; i++) {
		uint8_t c = p[i];

		if (c >= 'A' && c <= 'Z')
			c = (uint8_t)(c - 'A' + 'a');
		if (c != (uint8_t)s[i])
			return 0;
	}
	return 1;
}

static int contains(const uint8_t *p, size_t n, const char *s)
{
	size_t k = strlen(s);

	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(p + i, s, k) == 0)
			return 1;
	return 0;
}

/* Box types a QuickTime or ISO BMFF file may begin with. */
static int mp4_first_box(const uint8_t *t)
{
	static const char *const types[] = { "ftyp", "moov", "mdat", "free", "skip", "wide" };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (memcmp(t, types[i], 4) == 0)
			return 1;
	return 0;
}

/* Major brands of still images (HEIF, AVIF) and image sequences. */
static int image_brand(const uint8_t *b)
{
	static const char *const brands[] = { "heic", "heix", "heim", "heis", "hevc", "hevx",
					      "mif1", "mif2", "msf1", "avif", "avis", "avci",
					      "jpeg", "jpgs", "crx " };

	for (size_t i = 0; i < sizeof(brands) / sizeof(brands[0]); i++)
		if (memcmp(b, brands[i], 4) == 0)
			return 1;
	return 0;
}

/* What refused bytes look like, for the message. NULL: nothing known. */
static const char *describe(const uint8_t *p, size_t n)
{
	const uint8_t *t = p;
	size_t left = n, printable = 0;

	if (has_prefix(p, n, "\x89PNG"))
		return "a PNG image";
	if (has_prefix(p, n, "\xFF\xD8\xFF"))
		return "a JPEG image";
	if (has_prefix(p, n, "GIF8"))
		return "a GIF image";
	if (has_prefix(p, n, "RIFF") && n >= 12 && memcmp(p + 8, "WEBP", 4) == 0)
		return "a WebP image";
	if (has_prefix(p, n, "RIFF") && n >= 12 && memcmp(p + 8, "WAVE", 4) == 0)
		return "a WAV audio file";
	if (has_prefix(p, n, "II*") || has_prefix(p, n, "MM\0*"))
		return "a TIFF image";
	if (has_prefix(p, n, "BM") && n >= 14)
		return "a BMP image";
	if (n >= 8 && memcmp(p + 4, "ftyp", 4) == 0 && n >= 12 && image_brand(p + 8))
		return "a HEIF or AVIF image";
	if (n >= 8 && memcmp(p + 4, "styp", 4) == 0)
		return "a media segment of a stream (DASH or HLS), not a whole video";
	if (n >= 189 && p[0] == 0x47 && p[188] == 0x47)
		return "an MPEG transport stream (.ts)";
	if (has_prefix(p, n, "ID3") || has_prefix(p, n, "fLaC") || has_prefix(p, n, "OggS"))
		return "an audio file";
	/* Text: playlists and manifests name other files or URLs. */
	if (has_prefix(t, left, "\xEF\xBB\xBF")) {
		t += 3;
		left -= 3;
	}
	while (left && (*t == ' ' || *t == '\t' || *t == '\r' || *t == '\n')) {
		t++;
		left--;
	}
	if (has_prefix(t, left, "#EXTM3U") || has_prefix(t, left, "#EXT-X-") ||
	    has_prefix(t, left, "#EXTINF"))
		return "an HLS playlist (m3u8), which names other files";
	if (has_prefix_nocase(t, left, "<mpd") ||
	    (has_prefix_nocase(t, left, "<?xml") && contains(t, left, "<MPD")))
		return "a DASH manifest (mpd), which names other files";
	if (has_prefix_nocase(t, left, "<smil") || has_prefix_nocase(t, left, "<?xml"))
		return "an XML document (a playlist or manifest)";
	if (has_prefix(t, left, "ffconcat"))
		return "an ffconcat list, which names other files";
	if (has_prefix(t, left, "v=0"))
		return "an SDP session description, which names network streams";
	if (has_prefix_nocase(t, left, "[playlist]") || has_prefix_nocase(t, left, "#EXTM3U"))
		return "a playlist, which names other files";
	for (size_t i = 0; i < left; i++)
		if ((t[i] >= 0x20 && t[i] < 0x7F) || t[i] == '\n' || t[i] == '\r' || t[i] == '\t' ||
		    t[i] >= 0x80)
			printable++;
	if (left > 0 && printable == left)
		return "a text file (a playlist, a list of files or a manifest is never accepted)";
	return NULL;
}

enum ts_container ts_container_sniff(const uint8_t *head, size_t n, struct ts_error *err)
{
	const char *what;

	if (n >= 8 && mp4_first_box(head + 4) &&
	    !(memcmp(head + 4, "ftyp", 4) == 0 && n >= 12 && image_brand(head + 8)))
		return TS_CONTAINER_MP4;
	if (n >= 4 && head[0] == 0x1A && head[1] == 0x45 && head[2] == 0xDF && head[3] == 0xA3)
		return TS_CONTAINER_MATROSKA;
	if (n >= 12 && memcmp(head, "RIFF", 4) == 0 && memcmp(head + 8, "AVI ", 4) == 0)
		return TS_CONTAINER_AVI;
	what = describe(head, n);
	if (what)
		ts_error_set(err, TS_ERR_INVALID, "not_a_video",
			     "this is %s, not a video: upload the video file itself (%s)", what,
			     TS_CONTAINER_ACCEPTED);
	else
		ts_error_set(err, TS_ERR_INVALID, "not_a_video",
			     "not a video in an accepted container (%s)", TS_CONTAINER_ACCEPTED);
	return TS_CONTAINER_NONE;
}

const char *ts_container_demuxer(enum ts_container c)
{
	switch (c) {
	case TS_CONTAINER_MP4:
		return "mov";
	case TS_CONTAINER_MATROSKA:
		return "matroska";
	case TS_CONTAINER_AVI:
		return "avi";
	case TS_CONTAINER_NONE:
		break;
	}
	return NULL;
}

/* ---- MP4/MOV boxes ----
 *
 * FFmpeg's MP4 reader does not follow the box hierarchy: it parses a
 * sample table wherever one appears (inside a data-reference box, after a
 * sample description, at the top level after moov), for the last track
 * opened. So the tables are not looked for on the path moov/trak/.../stbl
 * but wherever their type appears, at any byte, in every top-level box
 * except media data (which FFmpeg never parses either). */

#define SCAN_CHUNK 65536
/* Top-level boxes and sample tables before a file counts as hostile (a
 * real file has a handful of each per track, plus a few per fragment). */
#define MP4_BOXES_MAX 200000
#define MP4_TABLES_MAX 200000

struct mp4 {
	int fd;
	uint64_t size;
	int64_t max_frames;
	int64_t largest; /* largest sample count of one table */
	int64_t total;   /* all tables and fragments */
	long boxes;
	long tables;
	uint8_t *buf;    /* SCAN_CHUNK bytes */
	struct ts_error *err;
};

static enum ts_err mp4_read(struct mp4 *m, uint64_t off, void *buf, size_t n, size_t *got)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = pread(m->fd, (char *)buf + done, n - done, (off_t)(off + done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return ts_error_set(m->err, TS_ERR_IO, "read_failed",
					    "cannot read the uploaded video: %s", strerror(errno));
		if (r == 0)
			break;
		done += (size_t)r;
	}
	*got = done;
	return TS_OK;
}

static enum ts_err damaged(struct mp4 *m, const char *type, const char *why)
{
	return ts_error_set(m->err, TS_ERR_INVALID, "not_a_video",
			    "the video's '%s' box is damaged: %s", type, why);
}

static enum ts_err too_many(struct mp4 *m, int64_t n)
{
	return ts_error_set(m->err, TS_ERR_INVALID, "too_many_frames",
			    "the video claims %lld frames; at most %lld are accepted",
			    (long long)n, (long long)m->max_frames);
}

static enum ts_err add_samples(struct mp4 *m, int64_t n)
{
	if (n > m->largest)
		m->largest = n;
	if (n > m->max_frames)
		return too_many(m, n);
	m->total += n;
	if (m->total > 2 * m->max_frames)
		return too_many(m, m->total);
	return TS_OK;
}

/* A table of `entries` entries of `each` bytes after `skip` bytes of the
 * box body: longer than the body is a lie the demuxer would allocate for. */
static enum ts_err table_fits(struct mp4 *m, const char *type, const uint8_t *b, size_t got,
			      uint64_t blen, size_t count_at, uint64_t each)
{
	uint64_t entries;

	if (got < count_at + 4 || blen < count_at + 4)
		return TS_OK; /* cut short: the demuxer judges */
	entries = be32(b + count_at);
	if (entries * each > blen - (count_at + 4))
		return damaged(m, type, "its table claims more entries than the box holds");
	return TS_OK;
}

static enum ts_err leaf(struct mp4 *m, const char *type, uint64_t body, uint64_t blen)
{
	uint8_t b[16];
	size_t got = 0;
	enum ts_err e;

	e = mp4_read(m, body, b, blen < sizeof(b) ? (size_t)blen : sizeof(b), &got);
	if (e)
		return e;
	if (!strcmp(type, "stsz")) {
		uint32_t fixed, count;

		if (got < 12)
			return TS_OK;
		fixed = be32(b + 4);
		count = be32(b + 8);
		e = add_samples(m, count);
		if (e)
			return e;
		if (fixed == 0)
			return table_fits(m, type, b, got, blen, 8, 4);
		if ((uint64_t)fixed * count > m->size)
			return damaged(m, type, "its frames would not fit in the file");
		return TS_OK;
	}
	if (!strcmp(type, "stz2")) {
		uint32_t count;
		unsigned bits;

		if (got < 12)
			return TS_OK;
		bits = b[7];
		count = be32(b + 8);
		e = add_samples(m, count);
		if (e)
			return e;
		if (bits != 4 && bits != 8 && bits != 16)
			return damaged(m, type, "its field size is not 4, 8 or 16");
		if (((uint64_t)count * bits + 7) / 8 > blen - 12)
			return damaged(m, type, "its table claims more entries than the box holds");
		return TS_OK;
	}
	if (!strcmp(type, "trun")) {
		uint32_t flags, count, per = 0, head = 8;

		if (got < 8)
			return TS_OK;
		flags = be32(b) & 0xFFFFFF;
		count = be32(b + 4);
		head += (flags & 0x1) ? 4 : 0;
		head += (flags & 0x4) ? 4 : 0;
		for (uint32_t bit = 0x100; bit <= 0x800; bit <<= 1)
			per += (flags & bit) ? 4 : 0;
		e = add_samples(m, count);
		if (e)
			return e;
		if (per && blen >= head && (uint64_t)count * per > blen - head)
			return damaged(m, type, "its table claims more entries than the box holds");
		return TS_OK;
	}
	/* Other tables the demuxer sizes from their count. */
	if (!strcmp(type, "stts") || !strcmp(type, "ctts") || !strcmp(type, "co64"))
		return table_fits(m, type, b, got, blen, 4, 8);
	if (!strcmp(type, "stss") || !strcmp(type, "stps") || !strcmp(type, "stco"))
		return table_fits(m, type, b, got, blen, 4, 4);
	if (!strcmp(type, "stsc"))
		return table_fits(m, type, b, got, blen, 4, 12);
	if (!strcmp(type, "elst"))
		return table_fits(m, type, b, got, blen, 4, got >= 1 && b[0] == 1 ? 20 : 12);
	if (!strcmp(type, "sbgp"))
		return table_fits(m, type, b, got, blen, got >= 1 && b[0] == 1 ? 12 : 8, 8);
	if (!strcmp(type, "tfra"))
		return table_fits(m, type, b, got, blen, 12, 11);
	return TS_OK;
}

static const char *const table_types[] = { "stsz", "stz2", "trun", "stts", "ctts", "co64",
					   "stss", "stps", "stco", "stsc", "elst", "sbgp",
					   "tfra" };

/* Every table type at any byte of [off, end): its box begins 4 bytes
 * before, and ends where it says or at end. */
static enum ts_err scan_box(struct mp4 *m, uint64_t off, uint64_t end)
{
	uint8_t *buf = m->buf;
	uint64_t at = off;

	/* Overlapping chunks, so a type cut by a chunk's end is seen. */
	while (at + 4 <= end) {
		size_t want = end - at < SCAN_CHUNK ? (size_t)(end - at) : SCAN_CHUNK, got = 0;
		enum ts_err e = mp4_read(m, at, buf, want, &got);

		if (e)
			return e;
		if (got < 4)
			return TS_OK;
		for (size_t i = 0; i + 4 <= got; i++) {
			uint64_t box = at + i - 4, size, hdr = 8;
			uint8_t h[8];
			size_t hgot = 0;

			if (at + i < off + 4)
				continue; /* no room for a size before it */
			for (size_t k = 0; k < sizeof(table_types) / sizeof(table_types[0]); k++) {
				char type[5];

				if (memcmp(buf + i, table_types[k], 4) != 0)
					continue;
				if (++m->tables > MP4_TABLES_MAX)
					return ts_error_set(m->err, TS_ERR_INVALID, "not_a_video",
							    "the video has more than %d sample tables",
							    MP4_TABLES_MAX);
				e = mp4_read(m, box, h, 4, &hgot);
				if (e)
					return e;
				if (hgot < 4)
					break;
				size = be32(h);
				if (size == 1 || size == 0 || size > end - box)
					size = end - box; /* as the demuxer clips it */
				if (size < hdr)
					break;
				memcpy(type, table_types[k], 5);
				e = leaf(m, type, box + hdr, size - hdr);
				if (e)
					return e;
				break;
			}
		}
		if (got < want || at + got >= end)
			return TS_OK;
		at += got - 3;
	}
	return TS_OK;
}

/* The top-level boxes: every one but media data is scanned. */
static enum ts_err walk(struct mp4 *m)
{
	uint64_t off = 0, end = m->size;

	while (off + 8 <= end) {
		uint8_t h[16];
		uint64_t size, hdr = 8;
		size_t got = 0;
		enum ts_err e = mp4_read(m, off, h, end - off < 16 ? (size_t)(end - off) : 16, &got);

		if (e)
			return e;
		if (got < 8)
			return TS_OK;
		if (++m->boxes > MP4_BOXES_MAX)
			return ts_error_set(m->err, TS_ERR_INVALID, "not_a_video",
					    "the video has more than %d top-level boxes", MP4_BOXES_MAX);
		size = be32(h);
		if (size == 1 && got == 16) {
			size = be64(h + 8);
			hdr = 16;
		} else if (size == 0 || size == 1) {
			size = end - off;
		}
		if (size < hdr)
			return TS_OK; /* damaged: the demuxer stops here too */
		if (size > end - off)
			size = end - off; /* cut short */
		if (memcmp(h + 4, "mdat", 4) != 0) {
			e = scan_box(m, off, off + size); /* its own type too */
			if (e)
				return e;
		}
		off += size;
	}
	return TS_OK;
}

enum ts_err ts_container_mp4_check(int fd, uint64_t size, int64_t max_frames, int64_t *frames,
				   struct ts_error *err)
{
	struct mp4 m = { .fd = fd, .size = size, .max_frames = max_frames, .err = err };
	enum ts_err e;

	m.buf = ts_xmalloc(SCAN_CHUNK);
	e = walk(&m);
	free(m.buf);

	if (!e && frames)
		*frames = m.largest;
	return e;
}
