/* libvips glue: header probes, structure checks, thumbnails. */
#include "media/image.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vips/vips.h>

#include "core/banned.h"

/* Loaders we accept, by the prefix of libvips' class name, with the
 * format and mime type they give. Everything else (SVG, PDF, matrix
 * files, ImageMagick ...) is refused before it is opened. */
static const struct {
	const char *prefix, *format, *mime;
} loaders[] = {
	{ "VipsForeignLoadJpeg", "jpeg", "image/jpeg" },
	{ "VipsForeignLoadPng", "png", "image/png" },
	{ "VipsForeignLoadWebp", "webp", "image/webp" },
	{ "VipsForeignLoadNsgif", "gif", "image/gif" },
	{ "VipsForeignLoadGif", "gif", "image/gif" },
	{ "VipsForeignLoadTiff", "tiff", "image/tiff" },
	{ "VipsForeignLoadHeif", "heif", "image/heif" },
};

/* Copies libvips' shared error text into err and clears it. */
static enum ts_err vips_fail(struct ts_error *err, enum ts_err e, const char *code,
			     const char *what)
{
	char text[256];
	size_t len;

	snprintf(text, sizeof(text), "%s", vips_error_buffer());
	vips_error_clear();
	len = strlen(text);
	while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
		text[--len] = '\0';
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\n')
			text[i] = ' ';
	if (len)
		return ts_error_set(err, e, code, "%s (%s)", what, text);
	return ts_error_set(err, e, code, "%s", what);
}

int ts_media_init(const char *argv0)
{
	if (VIPS_INIT(argv0 ? argv0 : "tessera") != 0)
		return -1;
	/* No operation cache: every file is opened once, and a cache would
	 * keep file descriptors and decoded pixels alive. */
	vips_cache_set_max(0);
	vips_cache_set_max_mem(0);
	/* Refuse loaders libvips marks as unsafe for untrusted input. */
	vips_block_untrusted_set(TRUE);
	return 0;
}

void ts_media_shutdown(void)
{
	vips_shutdown();
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Walks a JPEG's markers and entropy-coded data up to EOI. Trailing bytes
 * after EOI (some cameras append data) are accepted. Returns 0 when the
 * structure is whole, -1 when truncated or damaged. */
static int jpeg_whole(const unsigned char *d, size_t n)
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
		len = (size_t)d[p] << 8 | d[p + 1];
		if (len < 2 || p + len > n)
			return -1;
		p += len;
		if (m != 0xDA)
			continue;
		/* Entropy-coded data: 0xFF is followed by 0x00 (stuffing), a
		 * restart marker, more 0xFF, or the next real marker. */
		for (;;) {
			const unsigned char *q = memchr(d + p, 0xFF, n - p);
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

/* Every chunk of a PNG up to IEND must be complete with a good CRC. */
static int png_whole(const unsigned char *d, size_t n)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };
	size_t p = 8;

	pthread_once(&crc_once, crc_init);
	if (n < 8 || memcmp(d, sig, 8) != 0)
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

/* Structure check without decoding, for JPEG and PNG. Returns 0 (whole),
 * -1 (damaged), or -2 (cannot read the file). */
static int check_structure(const char *path, const char *format)
{
	struct stat st;
	void *map;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -2;
	if (fstat(fd, &st) != 0 || st.st_size <= 0) {
		close(fd);
		return -2;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -2;
	madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
	if (strcmp(format, "jpeg") == 0)
		rc = jpeg_whole(map, (size_t)st.st_size);
	else
		rc = png_whole(map, (size_t)st.st_size);
	munmap(map, (size_t)st.st_size);
	return rc;
}

/* Decodes the whole (first) image once, failing on truncation. */
static enum ts_err decode_check(const char *path, struct ts_error *err)
{
	VipsImage *im = vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL,
						 "fail_on", VIPS_FAIL_ON_TRUNCATED, NULL);
	double avg;
	enum ts_err e = TS_OK;

	if (!im)
		return vips_fail(err, TS_ERR_UNPROCESSABLE, "corrupt_image",
				 "the image is damaged or incomplete");
	if (vips_avg(im, &avg, NULL) != 0)
		e = vips_fail(err, TS_ERR_UNPROCESSABLE, "corrupt_image",
			      "the image is damaged or incomplete");
	g_object_unref(im);
	return e;
}

enum ts_err ts_media_image_probe(const char *path, uint64_t max_pixels,
				 struct ts_image_info *out, struct ts_error *err)
{
	const char *loader;
	VipsImage *im = NULL;
	struct stat st;
	size_t k, nloaders = sizeof(loaders) / sizeof(loaders[0]);
	enum ts_err e = TS_OK;
	int rc;

	memset(out, 0, sizeof(*out));
	if (stat(path, &st) != 0)
		return ts_error_set(err, TS_ERR_IO, "read_failed", "cannot read the file: %s",
				    strerror(errno));
	if (st.st_size == 0)
		return ts_error_set(err, TS_ERR_UNPROCESSABLE, "empty_file", "the file is empty");
	loader = vips_foreign_find_load(path);
	if (!loader) {
		vips_error_clear();
		return ts_error_set(err, TS_ERR_UNSUPPORTED, "not_an_image",
				    "not an image in a supported format "
				    "(JPEG, PNG, WebP, GIF, TIFF, HEIF)");
	}
	for (k = 0; k < nloaders; k++)
		if (strncmp(loader, loaders[k].prefix, strlen(loaders[k].prefix)) == 0)
			break;
	if (k == nloaders)
		return ts_error_set(err, TS_ERR_UNSUPPORTED, "not_an_image",
				    "this file type is not accepted; upload JPEG, PNG, WebP, GIF, "
				    "TIFF or HEIF images");
	/* Lazy open: reads the header, decodes nothing. */
	im = vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
	if (!im)
		return vips_fail(err, TS_ERR_UNPROCESSABLE, "corrupt_image",
				 "the image header cannot be read: the file is damaged or incomplete");
	out->width = vips_image_get_width(im);
	out->height = vips_image_get_height(im);
	snprintf(out->format, sizeof(out->format), "%s", loaders[k].format);
	snprintf(out->mime_type, sizeof(out->mime_type), "%s", loaders[k].mime);
	g_object_unref(im);
	if (out->width <= 0 || out->height <= 0)
		return ts_error_set(err, TS_ERR_UNPROCESSABLE, "corrupt_image",
				    "the image header gives no size");
	if ((uint64_t)out->width * (uint64_t)out->height > max_pixels)
		return ts_error_set(err, TS_ERR_TOO_LARGE, "too_many_pixels",
				    "the image is %lld x %lld pixels; the limit is %llu pixels",
				    (long long)out->width, (long long)out->height,
				    (unsigned long long)max_pixels);
	if (strcmp(out->format, "jpeg") == 0 || strcmp(out->format, "png") == 0) {
		rc = check_structure(path, out->format);
		if (rc == -2)
			e = ts_error_set(err, TS_ERR_IO, "read_failed", "cannot read the file");
		else if (rc != 0)
			e = ts_error_set(err, TS_ERR_UNPROCESSABLE, "corrupt_image",
					 "the %s file is truncated or damaged",
					 out->format[0] == 'j' ? "JPEG" : "PNG");
	} else {
		e = decode_check(path, err);
	}
	return e;
}

enum ts_err ts_media_image_thumbnail(const char *src, const char *dst_tmp, struct ts_error *err)
{
	VipsImage *thumb = NULL;
	enum ts_err e = TS_OK;

	if (vips_thumbnail(src, &thumb, TS_THUMB_SIZE, "height", TS_THUMB_SIZE, "size",
			   VIPS_SIZE_DOWN, NULL) != 0) {
		e = vips_fail(err, TS_ERR_UNPROCESSABLE, "corrupt_image",
			      "the image cannot be decoded");
		goto out;
	}
	if (vips_jpegsave(thumb, dst_tmp, "Q", 80, "strip", TRUE, "optimize_coding", TRUE,
			  NULL) != 0) {
		e = vips_fail(err, TS_ERR_IO, "write_failed", "cannot write the thumbnail");
		unlink(dst_tmp);
	}
out:
	if (thumb)
		g_object_unref(thumb);
	return e;
}

enum ts_err ts_media_image_jpeg_from_rgb(const void *rgb, int w, int h, int quality,
					 void **out, size_t *out_len, struct ts_error *err)
{
	VipsImage *img;
	void *buf = NULL;
	size_t len = 0;
	enum ts_err e = TS_OK;

	*out = NULL;
	*out_len = 0;
	img = vips_image_new_from_memory(rgb, (size_t)w * (size_t)h * 3, w, h, 3,
					 VIPS_FORMAT_UCHAR);
	if (!img)
		return vips_fail(err, TS_ERR_INTERNAL, "encode_failed", "cannot wrap the pixels");
	if (vips_jpegsave_buffer(img, &buf, &len, "Q", quality, "strip", TRUE, NULL) != 0) {
		e = vips_fail(err, TS_ERR_INTERNAL, "encode_failed", "cannot encode the JPEG");
		goto out;
	}
	*out = ts_xmalloc(len);
	memcpy(*out, buf, len);
	*out_len = len;
out:
	g_free(buf);
	g_object_unref(img);
	return e;
}
