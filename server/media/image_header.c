/* Magic bytes, header sizes and structure walks of the accepted formats. */
#include "media/image_header.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "core/banned.h"

/* Lines of a streaming decode counted in the estimate: libvips'
 * sequential line cache plus the thumbnail's shrink buffers. */
#define STREAM_LINES 512

static const char *const names[TS_IMAGE_NFORMATS] = { "", "jpeg", "png", "webp",
						      "gif", "tiff", "heif" };
static const char *const mimes[TS_IMAGE_NFORMATS] = { "", "image/jpeg", "image/png",
						      "image/webp", "image/gif", "image/tiff",
						      "image/heif" };

const char *ts_image_format_name(enum ts_image_format f)
{
	return f > 0 && f < TS_IMAGE_NFORMATS ? names[f] : "";
}

const char *ts_image_format_label(enum ts_image_format f)
{
	static const char *const labels[TS_IMAGE_NFORMATS] = { "", "JPEG", "PNG", "WebP",
							       "GIF", "TIFF", "HEIF" };

	return f > 0 && f < TS_IMAGE_NFORMATS ? labels[f] : "";
}

const char *ts_image_format_mime(enum ts_image_format f)
{
	return f > 0 && f < TS_IMAGE_NFORMATS ? mimes[f] : "";
}

static uint32_t be16(const unsigned char *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le16(const unsigned char *p)
{
	return (uint32_t)p[1] << 8 | p[0];
}

static uint32_t le24(const unsigned char *p)
{
	return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static const unsigned char png_sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };

/* HEIF brands (ISO/IEC 23008-12) and AVIF's. */
static int heif_brand(const unsigned char *b)
{
	static const char *const brands[] = { "heic", "heix", "hevc", "hevx", "heim", "heis",
					      "hevm", "hevs", "mif1", "msf1", "avif", "avis" };

	for (size_t i = 0; i < sizeof(brands) / sizeof(brands[0]); i++)
		if (memcmp(b, brands[i], 4) == 0)
			return 1;
	return 0;
}

enum ts_image_format ts_image_sniff(const unsigned char *d, size_t n)
{
	if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
		return TS_IMAGE_JPEG;
	if (n >= 8 && memcmp(d, png_sig, 8) == 0)
		return TS_IMAGE_PNG;
	if (n >= 16 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBPVP8", 7) == 0)
		return TS_IMAGE_WEBP;
	if (n >= 6 && (memcmp(d, "GIF87a", 6) == 0 || memcmp(d, "GIF89a", 6) == 0))
		return TS_IMAGE_GIF;
	if (n >= 8 && ((d[0] == 'I' && d[1] == 'I' && d[2] == 42 && d[3] == 0) ||
		       (d[0] == 'M' && d[1] == 'M' && d[2] == 0 && d[3] == 42)))
		return TS_IMAGE_TIFF;
	/* An ISO box "ftyp" first, whose major or a compatible brand is HEIF. */
	if (n >= 16 && memcmp(d + 4, "ftyp", 4) == 0) {
		uint32_t len = be32(d);

		if (len < 16 || len > 4096)
			return TS_IMAGE_UNKNOWN;
		if (len > n)
			len = (uint32_t)(n - n % 4);
		if (heif_brand(d + 8))
			return TS_IMAGE_HEIF;
		for (uint32_t p = 16; p + 4 <= len; p += 4)
			if (heif_brand(d + p))
				return TS_IMAGE_HEIF;
	}
	return TS_IMAGE_UNKNOWN;
}

/* IFD0's Orientation (tag 0x0112, one SHORT) of a TIFF structure (the
 * TIFF file itself, or the payload of JPEG's APP1 Exif). 1..8, or 1 when
 * absent, damaged or out of range: a bad tag never refuses an image. */
static int tiff_orientation(const unsigned char *t, size_t n)
{
	int le;
	uint32_t off, count;

	if (n < 8 || !((t[0] == 'I' && t[1] == 'I') || (t[0] == 'M' && t[1] == 'M')))
		return 1;
	le = t[0] == 'I';
	off = le ? le32(t + 4) : be32(t + 4);
	if (off < 8 || off > n || n - off < 2)
		return 1;
	count = le ? le16(t + off) : be16(t + off);
	if ((n - off - 2) / 12 < count)
		count = (uint32_t)((n - off - 2) / 12);
	for (uint32_t i = 0; i < count; i++) {
		const unsigned char *e = t + off + 2 + 12 * i;
		uint32_t tag = le ? le16(e) : be16(e);
		uint32_t type = le ? le16(e + 2) : be16(e + 2);
		uint32_t v;

		if (tag != 0x0112)
			continue;
		if (type != 3)
			return 1;
		v = le ? le16(e + 8) : be16(e + 8);
		return v >= 1 && v <= 8 ? (int)v : 1;
	}
	return 1;
}

static int jpeg_header(const unsigned char *d, size_t n, struct ts_image_header *h)
{
	size_t p = 2;

	for (;;) {
		unsigned m;
		size_t len;

		while (p < n && d[p] == 0xFF)
			p++;
		if (p >= n || p < 3 || d[p - 1] != 0xFF)
			return -2;
		m = d[p++];
		if (m == 0x01 || (m >= 0xD0 && m <= 0xD7))
			continue;
		if (m == 0xD9 || m == 0xDA || m < 0xC0)
			return -2; /* image data or the end before any frame header */
		if (p + 2 > n)
			return -2;
		len = be16(d + p);
		if (len < 2 || p + len > n)
			return -2;
		/* APP1 "Exif\0\0" then a TIFF structure; the first one counts. */
		if (m == 0xE1 && !h->orientation && len >= 8 && memcmp(d + p + 2, "Exif\0\0", 6) == 0)
			h->orientation = tiff_orientation(d + p + 8, len - 8);
		/* SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC). */
		if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
			if (len < 8)
				return -2;
			h->height = be16(d + p + 3);
			h->width = be16(d + p + 5);
			h->bands = d[p + 7];
			h->bytes_per_band = d[p + 2] > 8 ? 2 : 1;
			h->progressive = m != 0xC0 && m != 0xC1;
			h->whole_frame = h->progressive;
			/* Height 0 (set later by a DNL marker) is not accepted. */
			if (h->width == 0 || h->height == 0 || h->bands < 1 || h->bands > 4 ||
			    len < 8u + 3u * (unsigned)h->bands)
				return -2;
			return 0;
		}
		p += len;
	}
}

static int png_header(const unsigned char *d, size_t n, struct ts_image_header *h)
{
	static const int bands_of[7] = { 1, 0, 3, 4, 2, 0, 4 };
	unsigned depth, type;

	if (n < 33 || be32(d + 8) != 13 || memcmp(d + 12, "IHDR", 4) != 0)
		return -2;
	h->width = be32(d + 16);
	h->height = be32(d + 20);
	depth = d[24];
	type = d[25];
	if (h->width == 0 || h->height == 0 || h->width > 0x7FFFFFFF || h->height > 0x7FFFFFFF ||
	    type > 6 || bands_of[type] == 0 || d[26] != 0 || d[27] != 0 || d[28] > 1)
		return -2;
	if (!(depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16))
		return -2;
	h->bands = bands_of[type];
	h->bytes_per_band = depth == 16 ? 2 : 1;
	h->whole_frame = d[28] == 1; /* Adam7 */
	return 0;
}

static int webp_header(const unsigned char *d, size_t n, struct ts_image_header *h)
{
	const unsigned char *c = d + 12;

	if (n < 30)
		return -2;
	h->whole_frame = 1;
	h->bytes_per_band = 1;
	h->bands = 4;
	if (memcmp(c, "VP8 ", 4) == 0) {
		/* frame tag (3 bytes), start code 9d 01 2a, then 14-bit sizes */
		if (c[11] != 0x9d || c[12] != 0x01 || c[13] != 0x2a)
			return -2;
		h->width = le16(c + 14) & 0x3FFF;
		h->height = le16(c + 16) & 0x3FFF;
		h->bands = 3;
	} else if (memcmp(c, "VP8L", 4) == 0) {
		uint32_t b;

		if (c[8] != 0x2f)
			return -2;
		b = le32(c + 9);
		h->width = (b & 0x3FFF) + 1;
		h->height = ((b >> 14) & 0x3FFF) + 1;
	} else if (memcmp(c, "VP8X", 4) == 0) {
		h->width = (int64_t)le24(c + 12) + 1;
		h->height = (int64_t)le24(c + 15) + 1;
	} else {
		return -2;
	}
	if (h->width == 0 || h->height == 0)
		return -2;
	return 0;
}

static int gif_header(const unsigned char *d, size_t n, struct ts_image_header *h)
{
	if (n < 13)
		return -2;
	h->width = le16(d + 6);
	h->height = le16(d + 8);
	h->bands = 4;
	h->bytes_per_band = 1;
	h->whole_frame = 1;
	return h->width && h->height ? 0 : -2;
}

/* The first IFD's ImageWidth, ImageLength, BitsPerSample and
 * SamplesPerPixel. */
static int tiff_header(const unsigned char *d, size_t n, struct ts_image_header *h)
{
	int le = d[0] == 'I';
	uint32_t off = le ? le32(d + 4) : be32(d + 4), count, bits = 8, spp = 1;

	if (off < 8 || off > n || n - off < 2)
		return -2;
	count = le ? le16(d + off) : be16(d + off);
	if (count == 0 || (n - off - 2) / 12 < count)
		return -2;
	for (uint32_t i = 0; i < count; i++) {
		const unsigned char *e = d + off + 2 + 12 * i;
		uint32_t tag = le ? le16(e) : be16(e);
		uint32_t type = le ? le16(e + 2) : be16(e + 2);
		uint32_t v;

		/* SHORT (3) or LONG (4) values sit in the entry's last 4 bytes. */
		if (type == 3)
			v = le ? le16(e + 8) : be16(e + 8);
		else if (type == 4)
			v = le ? le32(e + 8) : be32(e + 8);
		else
			continue;
		if (tag == 0x0112 && type == 3)
			h->orientation = v >= 1 && v <= 8 ? (int)v : 1;
		else if (tag == 256)
			h->width = v;
		else if (tag == 257)
			h->height = v;
		else if (tag == 258)
			bits = v;
		else if (tag == 277)
			spp = v;
	}
	if (h->width == 0 || h->height == 0 || spp == 0 || spp > 16 || bits == 0 || bits > 64)
		return -2;
	h->bands = (int)spp;
	h->bytes_per_band = bits <= 8 ? 1 : bits <= 16 ? 2 : 4;
	if (bits > 32)
		h->bytes_per_band = 8;
	h->whole_frame = 1;
	return 0;
}

static int header_read(const unsigned char *d, size_t n, struct ts_image_header *out)
{
	switch (out->format) {
	case TS_IMAGE_JPEG:
		return jpeg_header(d, n, out);
	case TS_IMAGE_PNG:
		return png_header(d, n, out);
	case TS_IMAGE_WEBP:
		return webp_header(d, n, out);
	case TS_IMAGE_GIF:
		return gif_header(d, n, out);
	case TS_IMAGE_TIFF:
		return tiff_header(d, n, out);
	case TS_IMAGE_HEIF:
		/* Sizes live in the box tree; libvips' header read gives them. */
		out->bands = 4;
		out->bytes_per_band = 2;
		out->whole_frame = 1;
		return 0;
	default:
		return -1;
	}
}

int ts_image_header_read(const unsigned char *d, size_t n, struct ts_image_header *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	out->format = ts_image_sniff(d, n);
	rc = header_read(d, n, out);
	if (out->orientation < 1 || out->orientation > 8)
		out->orientation = 1;
	return rc;
}

void ts_image_display_size(const struct ts_image_header *h, int64_t *w, int64_t *ht)
{
	int swap = h->orientation >= 5 && h->orientation <= 8;

	*w = swap ? h->height : h->width;
	*ht = swap ? h->width : h->height;
}

uint64_t ts_image_decode_bytes(const struct ts_image_header *h)
{
	uint64_t w = (uint64_t)h->width, ht = (uint64_t)h->height;
	uint64_t px = (uint64_t)(h->bands > 0 ? h->bands : 4) *
		      (uint64_t)(h->bytes_per_band > 0 ? h->bytes_per_band : 1);
	uint64_t lines;

	if (w == 0 || ht == 0)
		return 0;
	if (h->format == TS_IMAGE_JPEG && h->progressive)
		/* libjpeg keeps every DCT coefficient (2 bytes a sample) plus
		 * the output lines. */
		return w * ht * (uint64_t)h->bands * 2 + w * px * STREAM_LINES;
	if (h->format == TS_IMAGE_HEIF)
		/* Decoded planes, then the RGB(A) copy libvips makes. */
		return w * ht * 8;
	if (h->whole_frame)
		/* The decoder's frame, then libvips' copy of it (a 5000 x 5000
		 * WebP peaks at 227 MB). */
		return w * ht * px * 2 + w * 4 * STREAM_LINES;
	lines = ht < STREAM_LINES ? ht : STREAM_LINES;
	return w * px * lines * 2;
}

int ts_image_jpeg_whole(const unsigned char *d, size_t n)
{
	size_t p = 2;

	if (n < 4 || d[0] != 0xFF || d[1] != 0xD8)
		return -1;
	for (;;) {
		unsigned m;
		size_t len;

		if (p >= n || d[p] != 0xFF)
			return -1;
		while (p < n && d[p] == 0xFF)
			p++;
		if (p >= n)
			return -1;
		m = d[p++];
		if (m == 0xD9)
			return 0;
		if (m == 0x01 || (m >= 0xD0 && m <= 0xD7))
			continue;
		if (m < 0xC0)
			return -1; /* reserved marker: damaged data */
		if (p + 2 > n)
			return -1;
		len = be16(d + p);
		if (len < 2 || p + len > n)
			return -1;
		p += len;
		if (m != 0xDA)
			continue;
		/* Entropy-coded data: 0xFF is followed by 0x00 (stuffing), a
		 * restart marker, more 0xFF, or the next real marker. */
		for (;;) {
			const unsigned char *q = p < n ? memchr(d + p, 0xFF, n - p) : NULL;
			unsigned b;

			if (!q || (size_t)(q - d) + 1 >= n)
				return -1;
			b = q[1];
			if (b == 0x00 || (b >= 0xD0 && b <= 0xD7)) {
				p = (size_t)(q - d) + 2;
				continue;
			}
			p = (size_t)(q - d);
			break;
		}
	}
}

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;

	for (size_t i = 0; i < n; i++)
		c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
	return c ^ 0xFFFFFFFFu;
}

int ts_image_png_whole(const unsigned char *d, size_t n)
{
	size_t p = 8;

	pthread_once(&crc_once, crc_init);
	if (n < 8 || memcmp(d, png_sig, 8) != 0)
		return -1;
	for (;;) {
		uint32_t len;

		if (p + 12 > n)
			return -1;
		len = be32(d + p);
		if (len > n - p - 12)
			return -1;
		if (crc32_of(d + p + 4, (size_t)len + 4) != be32(d + p + 8 + len))
			return -1;
		if (memcmp(d + p + 4, "IEND", 4) == 0)
			return 0;
		p += 12 + (size_t)len;
	}
}

/* Filtered bytes of the image: one filter byte per row, per pass when
 * interlaced. 0 when impossible (overflow). */
static uint64_t png_raw_size(uint64_t w, uint64_t h, unsigned depth, unsigned type, int adam7,
			     uint64_t *rows)
{
	static const int chans[7] = { 1, 0, 3, 1, 2, 0, 4 };
	static const unsigned x0[7] = { 0, 4, 0, 2, 0, 1, 0 }, y0[7] = { 0, 0, 4, 0, 2, 0, 1 };
	static const unsigned dx[7] = { 8, 8, 4, 4, 2, 2, 1 }, dy[7] = { 8, 8, 8, 4, 4, 2, 2 };
	uint64_t bits = (uint64_t)chans[type] * depth, total = 0;

	*rows = 0;
	if (!adam7) {
		*rows = h;
		return h * ((w * bits + 7) / 8 + 1);
	}
	for (int i = 0; i < 7; i++) {
		uint64_t pw = w > x0[i] ? (w - x0[i] + dx[i] - 1) / dx[i] : 0;
		uint64_t ph = h > y0[i] ? (h - y0[i] + dy[i] - 1) / dy[i] : 0;

		if (pw == 0 || ph == 0)
			continue;
		*rows += ph;
		total += ph * ((pw * bits + 7) / 8 + 1);
	}
	return total;
}

static int why_set(char *why, size_t len, const char *text)
{
	if (why && len)
		snprintf(why, len, "%s", text);
	return -1;
}

int ts_image_png_data_check(const unsigned char *d, size_t n, char *why, size_t why_len)
{
	static const unsigned x0[7] = { 0, 4, 0, 2, 0, 1, 0 }, y0[7] = { 0, 0, 4, 0, 2, 0, 1 };
	static const unsigned dx[7] = { 8, 8, 4, 4, 2, 2, 1 }, dy[7] = { 8, 8, 8, 4, 4, 2, 2 };
	static const int chans[7] = { 1, 0, 3, 1, 2, 0, 4 };
	struct ts_image_header h;
	unsigned char out[16384];
	uint64_t expected, rows, got = 0;
	uint64_t row_len = 0, row_left = 0; /* bytes of the current row incl. filter byte */
	unsigned depth, type;
	int pass = -1, adam7, zr = Z_OK, seen_idat = 0, idat_done = 0, rc = -1;
	uint64_t pass_rows_left = 0;
	size_t p = 8;
	z_stream z;

	if (png_header(d, n, &h) != 0)
		return why_set(why, why_len, "the PNG header (IHDR) is damaged");
	depth = d[24];
	type = d[25];
	adam7 = d[28] == 1;
	/* Bit depths allowed per colour type. */
	if ((type == 2 || type == 4 || type == 6) && depth < 8)
		return why_set(why, why_len, "the PNG header has a bit depth its colour type forbids");
	if (type == 3 && depth == 16)
		return why_set(why, why_len, "the PNG header has a bit depth its colour type forbids");
	expected = png_raw_size((uint64_t)h.width, (uint64_t)h.height, depth, type, adam7, &rows);
	(void)rows;
	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return why_set(why, why_len, "cannot start zlib");
	for (;;) {
		uint32_t len;

		if (p + 12 > n) {
			why_set(why, why_len, "the PNG ends before IEND");
			goto out;
		}
		len = be32(d + p);
		if (len > n - p - 12) {
			why_set(why, why_len, "a PNG chunk runs past the end of the file");
			goto out;
		}
		if (memcmp(d + p + 4, "IEND", 4) == 0)
			break;
		if (memcmp(d + p + 4, "IDAT", 4) != 0) {
			if (seen_idat)
				idat_done = 1;
			p += 12 + (size_t)len;
			continue;
		}
		if (idat_done) {
			why_set(why, why_len, "the PNG's IDAT chunks are not consecutive");
			goto out;
		}
		seen_idat = 1;
		z.next_in = (unsigned char *)(uintptr_t)(d + p + 8);
		z.avail_in = len;
		while (z.avail_in > 0) {
			if (zr == Z_STREAM_END) {
				why_set(why, why_len, "the PNG has data after the end of its zlib stream");
				goto out;
			}
			z.next_out = out;
			z.avail_out = sizeof(out);
			zr = inflate(&z, Z_NO_FLUSH);
			if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
				why_set(why, why_len, "the PNG's compressed image data is corrupt");
				goto out;
			}
			/* Walk the rows: each starts with a filter byte 0..4. */
			for (size_t i = 0, k = sizeof(out) - z.avail_out; i < k;) {
				if (got >= expected) {
					why_set(why, why_len,
						"the PNG holds more image data than its size allows");
					goto out;
				}
				if (row_left == 0) {
					while (pass_rows_left == 0) {
						uint64_t pw, ph;

						pass++;
						if (!adam7) {
							pw = (uint64_t)h.width;
							ph = (uint64_t)h.height;
						} else {
							if (pass >= 7)
								break;
							pw = (uint64_t)h.width > x0[pass]
								     ? ((uint64_t)h.width - x0[pass] + dx[pass] - 1) / dx[pass]
								     : 0;
							ph = (uint64_t)h.height > y0[pass]
								     ? ((uint64_t)h.height - y0[pass] + dy[pass] - 1) / dy[pass]
								     : 0;
							if (pw == 0)
								ph = 0;
						}
						pass_rows_left = ph;
						row_len = (pw * (uint64_t)chans[type] * depth + 7) / 8 + 1;
					}
					if (out[i] > 4) {
						why_set(why, why_len,
							"a PNG row has a filter type other than 0 to 4");
						goto out;
					}
					row_left = row_len;
					pass_rows_left--;
				}
				{
					uint64_t take = k - i < row_left ? k - i : row_left;

					i += (size_t)take;
					row_left -= take;
					got += take;
				}
			}
			if (zr == Z_BUF_ERROR && z.avail_in == 0)
				break;
		}
		p += 12 + (size_t)len;
	}
	if (!seen_idat)
		why_set(why, why_len, "the PNG has no image data (IDAT)");
	else if (got < expected)
		why_set(why, why_len, "the PNG's image data stops before its last row");
	else if (zr != Z_STREAM_END)
		why_set(why, why_len, "the PNG's zlib stream does not end after the last row");
	else
		rc = 0;
out:
	inflateEnd(&z);
	return rc;
}
