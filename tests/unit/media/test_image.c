/* Unit tests for server/media/image.c and image_header.c: header probes,
 * the pixel limits before decoding, structure checks of JPEG and PNG, the
 * full decode that finds damage, thumbnails. Test
 * images are made in memory with libvips-free byte building (PNG) or by
 * writing a thumbnail of a generated PNG (JPEG). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "media/image.h"
#include "core/banned.h"

static char dir[64];

static uint32_t crc(const unsigned char *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
	}
	return c ^ 0xFFFFFFFFu;
}

static size_t chunk(unsigned char *out, const char *type, const unsigned char *data, uint32_t len)
{
	uint32_t c;

	out[0] = (unsigned char)(len >> 24);
	out[1] = (unsigned char)(len >> 16);
	out[2] = (unsigned char)(len >> 8);
	out[3] = (unsigned char)len;
	memcpy(out + 4, type, 4);
	if (len)
		memcpy(out + 8, data, len);
	c = crc(out + 4, len + 4);
	out[8 + len] = (unsigned char)(c >> 24);
	out[9 + len] = (unsigned char)(c >> 16);
	out[10 + len] = (unsigned char)(c >> 8);
	out[11 + len] = (unsigned char)c;
	return 12 + len;
}

/* A w x h grey PNG whose one IDAT holds idat. */
static size_t png_idat(unsigned char *out, uint32_t w, uint32_t h, const unsigned char *idat,
		       uint32_t idat_len)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };
	unsigned char ihdr[13] = { 0 };
	size_t n = 8;

	memcpy(out, sig, 8);
	for (int i = 0; i < 4; i++) {
		ihdr[i] = (unsigned char)(w >> (24 - 8 * i));
		ihdr[4 + i] = (unsigned char)(h >> (24 - 8 * i));
	}
	ihdr[8] = 8;
	n += chunk(out + n, "IHDR", ihdr, 13);
	n += chunk(out + n, "IDAT", idat, idat_len);
	n += chunk(out + n, "IEND", NULL, 0);
	return n;
}

/* A 1x1 (or w x h header) grey PNG; the IDAT holds one pixel row. */
static size_t png(unsigned char *out, uint32_t w, uint32_t h)
{
	static const unsigned char idat[] = { 0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01 };

	return png_idat(out, w, h, idat, sizeof(idat));
}

/* A w x h grey PNG from raw filtered rows (filter bytes included). */
static size_t png_raw(unsigned char *out, uint32_t w, uint32_t h, const unsigned char *raw,
		      size_t rawlen)
{
	static unsigned char z[1 << 16];
	uLongf zlen = sizeof(z);

	assert_int_equal(compress(z, &zlen, raw, rawlen), Z_OK);
	return png_idat(out, w, h, z, (uint32_t)zlen);
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static enum ts_err probe_bytes(const void *data, size_t len, uint64_t max_pixels,
			       struct ts_image_info *info, struct ts_error *err)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/probe", dir);
	write_file(path, data, len);
	struct ts_image_limits lim;

	ts_image_limits_default(&lim);
	lim.max_pixels = max_pixels;
	return ts_media_image_probe(path, &lim, info, err);
}

/* What the header says decides: its size, or a refusal before decoding. */
static void test_png_header(void **state)
{
	static const struct {
		uint32_t w, h;
		uint64_t max_pixels;
		enum ts_err rc;
		const char *code;
	} cases[] = {
		{ 1, 1, 100, TS_OK, NULL },
		/* A bomb, refused from the header. */
		{ 60000, 60000, 100000000ull, TS_ERR_TOO_LARGE, "too_many_pixels" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned char buf[256];
		struct ts_image_info info;
		struct ts_error err = { 0 };
		size_t n = png(buf, cases[i].w, cases[i].h);

		assert_int_equal(probe_bytes(buf, n, cases[i].max_pixels, &info, &err), cases[i].rc);
		if (cases[i].code) {
			assert_string_equal(err.code, cases[i].code);
			continue;
		}
		assert_int_equal(info.width, cases[i].w);
		assert_int_equal(info.height, cases[i].h);
		assert_string_equal(info.mime_type, "image/png");
	}
}

static void test_png_damage_found(void **state)
{
	unsigned char buf[256];
	struct ts_image_info info;
	struct ts_error err = { 0 };
	size_t n = png(buf, 1, 1);

	(void)state;
	/* Truncated before IEND. */
	assert_int_equal(probe_bytes(buf, n - 12, 100, &info, &err), TS_ERR_UNPROCESSABLE);
	assert_string_equal(err.code, "corrupt_image");
	/* A flipped bit in IDAT breaks its CRC. */
	buf[8 + 25 + 9] ^= 0x40;
	assert_int_equal(probe_bytes(buf, n, 100, &info, &err), TS_ERR_UNPROCESSABLE);
}

static void test_not_images(void **state)
{
	struct ts_image_info info;
	struct ts_error err = { 0 };

	(void)state;
	assert_int_equal(probe_bytes("hello, world\n", 13, 100, &info, &err), TS_ERR_UNSUPPORTED);
	assert_string_equal(err.code, "not_an_image");
	assert_int_equal(probe_bytes("", 0, 100, &info, &err), TS_ERR_UNPROCESSABLE);
	assert_string_equal(err.code, "empty_file");
	assert_int_equal(probe_bytes("<svg xmlns=\"http://www.w3.org/2000/svg\"/>", 40, 100, &info,
				     &err), TS_ERR_UNSUPPORTED);
}

/* The thumbnail of a 1x1 PNG, made into dir/thumb.jpg; its bytes
 * (malloc'd) and their count in *len. */
static unsigned char *thumb_jpeg(const struct ts_image_limits *lim, size_t *len)
{
	unsigned char buf[256], *data;
	char src[128], thumb[128];
	struct ts_error err = { 0 };
	struct stat st;
	FILE *f;

	snprintf(src, sizeof(src), "%s/src.png", dir);
	snprintf(thumb, sizeof(thumb), "%s/thumb.jpg", dir);
	write_file(src, buf, png(buf, 1, 1));
	assert_int_equal(ts_media_image_decode(src, lim, NULL, thumb, &err), TS_OK);
	assert_int_equal(stat(thumb, &st), 0);
	*len = (size_t)st.st_size;
	data = malloc(*len);
	assert_non_null(data);
	f = fopen(thumb, "rb");
	assert_non_null(f);
	assert_int_equal(fread(data, 1, *len, f), *len);
	fclose(f);
	return data;
}

static void test_jpeg_thumbnail_and_truncation(void **state)
{
	char thumb[128], cut[128];
	struct ts_image_info info;
	struct ts_image_limits lim;
	struct ts_error err = { 0 };
	unsigned char *data;
	size_t len;

	(void)state;
	ts_image_limits_default(&lim);
	lim.max_pixels = 100;
	snprintf(thumb, sizeof(thumb), "%s/thumb.jpg", dir);
	snprintf(cut, sizeof(cut), "%s/cut.jpg", dir);
	/* The thumbnail of a PNG is a JPEG: a whole one probes fine. */
	data = thumb_jpeg(&lim, &len);
	assert_int_equal(ts_media_image_probe(thumb, &lim, &info, &err), TS_OK);
	assert_string_equal(info.mime_type, "image/jpeg");
	/* The same JPEG without its last bytes (no EOI) is refused. */
	write_file(cut, data, len - 2);
	assert_int_equal(ts_media_image_probe(cut, &lim, &info, &err), TS_ERR_UNPROCESSABLE);
	assert_string_equal(err.code, "corrupt_image");
	free(data);
}


static enum ts_err decode_bytes(const void *data, size_t len, struct ts_error *err)
{
	struct ts_image_limits lim;

	ts_image_limits_default(&lim);
	return ts_media_image_decode_buffer(data, len, &lim, NULL, err);
}

/* Each damage the structure walk lets through is found by the decode. */
static void test_png_damage_found_by_decode(void **state)
{
	static unsigned char raw[(8 + 1) * 8 + 100000], out[1 << 17];
	struct ts_error err = { 0 };
	size_t n;

	(void)state;
	memset(raw, 9, sizeof(raw));
	for (int y = 0; y < 8; y++)
		raw[y * 9] = 0;
	n = png_raw(out, 8, 8, raw, 9 * 8);
	assert_int_equal(ts_image_png_whole(out, n), 0);
	assert_int_equal(decode_bytes(out, n, &err), TS_OK);
	/* A filter byte of 7. */
	raw[3 * 9] = 7;
	n = png_raw(out, 8, 8, raw, 9 * 8);
	assert_int_equal(decode_bytes(out, n, &err), TS_ERR_UNPROCESSABLE);
	assert_string_equal(err.code, "damaged_image");
	assert_non_null(strstr(err.message, "filter"));
	raw[3 * 9] = 0;
	/* Rows missing. */
	n = png_raw(out, 8, 8, raw, 9 * 5);
	assert_int_equal(decode_bytes(out, n, &err), TS_ERR_UNPROCESSABLE);
	assert_non_null(strstr(err.message, "last row"));
	/* 100,000 bytes more than 8 rows: stops at once. */
	n = png_raw(out, 8, 8, raw, sizeof(raw));
	assert_int_equal(decode_bytes(out, n, &err), TS_ERR_UNPROCESSABLE);
	assert_non_null(strstr(err.message, "more image data"));
}

static void test_jpeg_damage_found_by_decode(void **state)
{
	struct ts_image_limits lim;
	struct ts_error err = { 0 };
	unsigned char *data;
	size_t len, sos = 0, sof = 0;

	(void)state;
	ts_image_limits_default(&lim);
	data = thumb_jpeg(&lim, &len);
	assert_int_equal(decode_bytes(data, len, &err), TS_OK);
	for (size_t p = 2; p + 4 < len;) {
		unsigned m = data[p + 1], l = (unsigned)data[p + 2] << 8 | data[p + 3];

		if (m == 0xC0 || m == 0xC2)
			sof = p;
		if (m == 0xDA) {
			sos = p + 2 + l;
			break;
		}
		p += 2 + l;
	}
	assert_true(sof > 0 && sos > 0);
	/* The frame header claims 9000 x 9000 over 1 x 1 of data. */
	data[sof + 5] = 9000 >> 8;
	data[sof + 6] = 9000 & 0xFF;
	data[sof + 7] = 9000 >> 8;
	data[sof + 8] = 9000 & 0xFF;
	assert_int_equal(ts_image_jpeg_whole(data, len), 0);
	assert_int_equal(decode_bytes(data, len, &err), TS_ERR_UNPROCESSABLE);
	assert_string_equal(err.code, "damaged_image");
	free(data);
}

static void test_header_formats(void **state)
{
	static const unsigned char gif[13] = { 'G', 'I', 'F', '8', '9', 'a', 0x10, 0x27, 0x10, 0x27 };
	static const unsigned char webp[30] = { 'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P',
						'V', 'P', '8', 'X', 10, 0, 0, 0, 0x10, 0, 0, 0,
						0x0F, 0x27, 0x00, 0x0F, 0x27, 0x00 };
	static const unsigned char heif[24] = { 0, 0, 0, 24, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c',
						0, 0, 0, 0, 'm', 'i', 'f', '1', 'h', 'e', 'i', 'c' };
	struct ts_image_header h;
	unsigned char buf[256];
	size_t n = png(buf, 300, 200);

	(void)state;
	assert_int_equal(ts_image_header_read(buf, n, &h), 0);
	assert_int_equal(h.format, TS_IMAGE_PNG);
	assert_int_equal(h.width, 300);
	assert_int_equal(h.height, 200);
	assert_int_equal(ts_image_header_read(gif, sizeof(gif), &h), 0);
	assert_int_equal(h.format, TS_IMAGE_GIF);
	assert_int_equal(h.width, 10000);
	assert_int_equal(ts_image_header_read(webp, sizeof(webp), &h), 0);
	assert_int_equal(h.format, TS_IMAGE_WEBP);
	assert_int_equal(h.width, 10000);
	assert_int_equal(h.height, 10000);
	assert_true(h.whole_frame);
	assert_true(ts_image_decode_bytes(&h) >= 400000000ull);
	assert_int_equal(ts_image_header_read(heif, sizeof(heif), &h), 0);
	assert_int_equal(h.format, TS_IMAGE_HEIF);
	/* SVG, PDF, text: not accepted. */
	assert_int_equal(ts_image_header_read((const unsigned char *)"%PDF-1.4\n", 9, &h), -1);
	assert_int_equal(ts_image_header_read((const unsigned char *)"<svg", 4, &h), -1);
	/* A known format with a broken header. */
	assert_int_equal(ts_image_header_read(gif, 8, &h), -2);
}

/* A JPEG header: SOI, an APP1 Exif segment holding tiff (tiff_len bytes;
 * none when 0), then a baseline SOF of 400 x 200 with 3 components. */
static size_t exif_jpeg(unsigned char *out, const unsigned char *tiff, size_t tiff_len)
{
	static const unsigned char sof[] = { 0xFF, 0xC0, 0, 17, 8, 0, 200, 1, 144, 3,
					     1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1 };
	size_t n = 0;

	out[n++] = 0xFF;
	out[n++] = 0xD8;
	if (tiff_len) {
		size_t len = 2 + 6 + tiff_len;

		out[n++] = 0xFF;
		out[n++] = 0xE1;
		out[n++] = (unsigned char)(len >> 8);
		out[n++] = (unsigned char)len;
		memcpy(out + n, "Exif\0\0", 6);
		n += 6;
		memcpy(out + n, tiff, tiff_len);
		n += tiff_len;
	}
	memcpy(out + n, sof, sizeof(sof));
	return n + sizeof(sof);
}

static int orientation_of(const unsigned char *tiff, size_t tiff_len, int64_t *w, int64_t *h)
{
	unsigned char buf[512];
	struct ts_image_header hd;
	size_t n = exif_jpeg(buf, tiff, tiff_len);

	assert_int_equal(ts_image_header_read(buf, n, &hd), 0);
	assert_int_equal(hd.width, 400); /* the raw size stays */
	assert_int_equal(hd.height, 200);
	ts_image_display_size(&hd, w, h);
	return hd.orientation;
}

/* EXIF orientation from JPEG's APP1 (both byte orders) and TIFF's IFD0;
 * width and height swap for 5..8; a damaged or odd tag means 1. */
static void test_exif_orientation(void **state)
{
	/* Big-endian, one entry: Orientation = 6. */
	unsigned char be[] = { 'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1,
			       0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0 };
	/* Little-endian, Make (ASCII) first, then Orientation = 8. */
	unsigned char le[] = { 'I', 'I', 42, 0, 8, 0, 0, 0, 2, 0,
			       0x0F, 0x01, 2, 0, 4, 0, 0, 0, 'a', 'b', 'c', 0,
			       0x12, 0x01, 3, 0, 1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0 };
	unsigned char t[sizeof(be)];
	unsigned char tif[64] = { 'I', 'I', 42, 0, 8, 0, 0, 0, 4, 0 };
	struct ts_image_header hd;
	int64_t w, h;
	const unsigned char entries[4][12] = {
		{ 0x00, 0x01, 3, 0, 1, 0, 0, 0, 0x90, 0x01, 0, 0 }, /* width 400 */
		{ 0x01, 0x01, 3, 0, 1, 0, 0, 0, 200, 0, 0, 0 },     /* height 200 */
		{ 0x12, 0x01, 3, 0, 1, 0, 0, 0, 5, 0, 0, 0 },       /* orientation 5 */
		{ 0x15, 0x01, 3, 0, 1, 0, 0, 0, 3, 0, 0, 0 },       /* 3 samples */
	};

	(void)state;
	assert_int_equal(orientation_of(be, sizeof(be), &w, &h), 6);
	assert_int_equal(w, 200);
	assert_int_equal(h, 400);
	assert_int_equal(orientation_of(le, sizeof(le), &w, &h), 8);
	assert_int_equal(w, 200);
	/* 2..4 do not turn a quarter: no swap. */
	memcpy(t, be, sizeof(be));
	t[19] = 3;
	assert_int_equal(orientation_of(t, sizeof(t), &w, &h), 3);
	assert_int_equal(w, 400);
	assert_int_equal(h, 200);
	/* No APP1: 1. Out-of-range values, a LONG type, an IFD offset past
	 * the segment, a count past it, a bad byte order: 1, never a refusal. */
	assert_int_equal(orientation_of(NULL, 0, &w, &h), 1);
	assert_int_equal(w, 400);
	t[19] = 9;
	assert_int_equal(orientation_of(t, sizeof(t), &w, &h), 1);
	t[19] = 0;
	assert_int_equal(orientation_of(t, sizeof(t), &w, &h), 1);
	memcpy(t, be, sizeof(be));
	t[13] = 4;
	assert_int_equal(orientation_of(t, sizeof(t), &w, &h), 1);
	memcpy(t, be, sizeof(be));
	t[7] = 200;
	assert_int_equal(orientation_of(t, sizeof(t), &w, &h), 1);
	memcpy(t, be, sizeof(be));
	t[9] = 200;
	assert_int_equal(orientation_of(t, sizeof(t), &w, &h), 6); /* the entries that fit count */
	memcpy(t, be, sizeof(be));
	t[9] = 0;
	assert_int_equal(orientation_of(t, sizeof(t), &w, &h), 1);
	memcpy(t, be, sizeof(be));
	t[0] = 'X';
	assert_int_equal(orientation_of(t, sizeof(t), &w, &h), 1);
	assert_int_equal(orientation_of(be, 6, &w, &h), 1); /* shorter than a TIFF header */
	/* An APP1 segment longer than the file: the JPEG is damaged. */
	{
		unsigned char buf[512];
		size_t n = exif_jpeg(buf, be, sizeof(be));

		assert_int_equal(ts_image_header_read(buf, 20, &hd), -2);
		assert_int_equal(ts_image_header_read(buf, n, &hd), 0);
	}
	/* A TIFF file's own IFD0. */
	for (int i = 0; i < 4; i++)
		memcpy(tif + 10 + 12 * i, entries[i], 12);
	assert_int_equal(ts_image_header_read(tif, sizeof(tif), &hd), 0);
	assert_int_equal(hd.format, TS_IMAGE_TIFF);
	assert_int_equal(hd.orientation, 5);
	ts_image_display_size(&hd, &w, &h);
	assert_int_equal(w, 200);
	assert_int_equal(h, 400);
}

/* A 10000 x 10000 WebP header is refused from the header, by the WebP
 * limit, before libvips reads a byte. */
static void test_format_limit_and_budget(void **state)
{
	static const unsigned char webp[30] = { 'R', 'I', 'F', 'F', 22, 0, 0, 0, 'W', 'E', 'B', 'P',
						'V', 'P', '8', 'X', 10, 0, 0, 0, 0x10, 0, 0, 0,
						0x0F, 0x27, 0x00, 0x0F, 0x27, 0x00 };
	struct ts_image_limits lim;
	struct ts_image_info info;
	struct ts_error err = { 0 };
	char path[128];

	(void)state;
	ts_image_limits_default(&lim);
	snprintf(path, sizeof(path), "%s/probe", dir);
	write_file(path, webp, sizeof(webp));
	assert_int_equal(ts_media_image_probe(path, &lim, &info, &err), TS_ERR_TOO_LARGE);
	assert_string_equal(err.code, "too_many_pixels");
	assert_non_null(strstr(err.message, "30000000"));
	/* Raised limit: then the decode budget refuses it. */
	lim.max_pixels_format[TS_IMAGE_WEBP] = 0;
	assert_int_equal(ts_media_image_probe(path, &lim, &info, &err), TS_ERR_TOO_LARGE);
	assert_non_null(strstr(err.message, "decode memory limit"));
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ts-image-XXXXXX");
	if (!mkdtemp(dir) || ts_media_init("test_image") != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	static const char *const names[] = { "probe", "src.png", "thumb.jpg", "cut.jpg" };
	char path[128];

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
	ts_media_shutdown();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_png_header),
		cmocka_unit_test(test_png_damage_found),
		cmocka_unit_test(test_not_images),
		cmocka_unit_test(test_jpeg_thumbnail_and_truncation),
		cmocka_unit_test(test_png_damage_found_by_decode),
		cmocka_unit_test(test_jpeg_damage_found_by_decode),
		cmocka_unit_test(test_header_formats),
		cmocka_unit_test(test_exif_orientation),
		cmocka_unit_test(test_format_limit_and_budget),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
