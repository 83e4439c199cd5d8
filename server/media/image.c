/* libvips glue: header probes, full decodes, thumbnails, the decode budget. */
#include "media/image.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vips/vips.h>

#include "core/banned.h"

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

void ts_image_limits_default(struct ts_image_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->max_pixels = 100000000ull;
	lim->max_pixels_format[TS_IMAGE_JPEG] = 100000000ull;
	lim->max_pixels_format[TS_IMAGE_PNG] = 100000000ull;
	/* Whole-frame decoders hold the frame twice (decoder, then libvips):
	 * 30 MP of RGBA is 240 MB. Keep in step with config.c. */
	lim->max_pixels_format[TS_IMAGE_WEBP] = 30000000ull;
	lim->max_pixels_format[TS_IMAGE_GIF] = 30000000ull;
	lim->max_pixels_format[TS_IMAGE_TIFF] = 40000000ull;
	lim->max_pixels_format[TS_IMAGE_HEIF] = 30000000ull;
	lim->decode_budget = 256ull << 20;
}

/* ---- the decode budget ---- */

struct ts_media_budget {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t total, used, peak;
};

struct ts_media_budget *ts_media_budget_new(uint64_t bytes)
{
	struct ts_media_budget *b = ts_xcalloc(1, sizeof(*b));

	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	b->total = bytes;
	return b;
}

void ts_media_budget_free(struct ts_media_budget *b)
{
	if (!b)
		return;
	pthread_cond_destroy(&b->cv);
	pthread_mutex_destroy(&b->mu);
	free(b);
}

uint64_t ts_media_budget_peak(struct ts_media_budget *b)
{
	uint64_t v;

	if (!b)
		return 0;
	pthread_mutex_lock(&b->mu);
	v = b->peak;
	pthread_mutex_unlock(&b->mu);
	return v;
}

uint64_t ts_media_budget_take(struct ts_media_budget *b, uint64_t bytes)
{
	if (!b || b->total == 0)
		return 0;
	if (bytes > b->total)
		bytes = b->total;
	pthread_mutex_lock(&b->mu);
	while (b->used + bytes > b->total)
		pthread_cond_wait(&b->cv, &b->mu);
	b->used += bytes;
	if (b->used > b->peak)
		b->peak = b->used;
	pthread_mutex_unlock(&b->mu);
	return bytes;
}

void ts_media_budget_give(struct ts_media_budget *b, uint64_t bytes)
{
	if (!b || bytes == 0)
		return;
	pthread_mutex_lock(&b->mu);
	b->used -= bytes;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
}

/* ---- files and loaders ---- */

/* Maps path read-only. Returns 0, or an error (empty_file, read_failed). */
static enum ts_err map_file(const char *path, const unsigned char **map, size_t *len,
			    struct ts_error *err)
{
	struct stat st;
	void *m;
	int fd;

	*map = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ts_error_set(err, TS_ERR_IO, "read_failed", "cannot read the file: %s",
				    strerror(errno));
	if (fstat(fd, &st) != 0) {
		close(fd);
		return ts_error_set(err, TS_ERR_IO, "read_failed", "cannot read the file: %s",
				    strerror(errno));
	}
	if (st.st_size == 0) {
		close(fd);
		return ts_error_set(err, TS_ERR_UNPROCESSABLE, "empty_file", "the file is empty");
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return ts_error_set(err, TS_ERR_IO, "read_failed", "cannot map the file: %s",
				    strerror(errno));
	*map = m;
	*len = (size_t)st.st_size;
	return TS_OK;
}

static void unmap_file(const unsigned char *map, size_t len)
{
	if (map)
		munmap((void *)(uintptr_t)map, len);
}

/* Opens buf with the loader of fmt, and that loader only. The header is
 * read now; pixels when the image is used. decode: treat warnings as
 * errors. shrink: JPEG DCT scaling (1, 2, 4, 8); scale: WebP scaling. */
static VipsImage *load(enum ts_image_format fmt, const unsigned char *buf, size_t len,
		       int decode, int shrink, double scale)
{
	VipsFailOn fail = decode ? VIPS_FAIL_ON_WARNING : VIPS_FAIL_ON_NONE;
	void *data = (void *)(uintptr_t)buf;
	VipsImage *im = NULL;
	int (*plain)(void *, size_t, VipsImage **, ...) = NULL;
	int rc = -1;

	switch (fmt) {
	case TS_IMAGE_JPEG:
		rc = vips_jpegload_buffer(data, len, &im, "access", VIPS_ACCESS_SEQUENTIAL,
					  "fail_on", fail, "shrink", shrink > 0 ? shrink : 1, NULL);
		break;
	case TS_IMAGE_WEBP:
		rc = vips_webpload_buffer(data, len, &im, "access", VIPS_ACCESS_SEQUENTIAL,
					  "fail_on", fail, "scale", scale > 0 ? scale : 1.0, NULL);
		break;
	/* The loaders without options of their own. */
	case TS_IMAGE_PNG:
		plain = vips_pngload_buffer;
		break;
	case TS_IMAGE_GIF:
		plain = vips_gifload_buffer;
		break;
	case TS_IMAGE_TIFF:
		plain = vips_tiffload_buffer;
		break;
	case TS_IMAGE_HEIF:
		plain = vips_heifload_buffer;
		break;
	default:
		break;
	}
	if (plain)
		rc = plain(data, len, &im, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on", fail, NULL);
	return rc == 0 ? im : NULL;
}

static enum ts_err not_accepted(struct ts_error *err)
{
	return ts_error_set(err, TS_ERR_UNSUPPORTED, "not_an_image",
			    "not an image in an accepted format (JPEG, PNG, WebP, GIF, TIFF, HEIF)");
}

/* Reads the header (ours, then libvips' for the size when ours has none)
 * and applies the pixel limits and the budget. */
static enum ts_err read_header(const unsigned char *d, size_t n, const struct ts_image_limits *lim,
			       struct ts_image_header *h, struct ts_error *err)
{
	const char *name;
	uint64_t px, limit, bytes;
	int rc = ts_image_header_read(d, n, h);

	if (rc == -1)
		return not_accepted(err);
	name = ts_image_format_label(h->format);
	if (rc != 0)
		return ts_error_set(err, TS_ERR_UNPROCESSABLE, "corrupt_image",
				    "the %s header is damaged or gives an impossible size", name);
	if (h->width == 0) {
		/* HEIF: the box tree, read by libheif (no decoding). */
		VipsImage *im = load(h->format, d, n, 0, 1, 1.0);

		if (!im)
			return vips_fail(err, TS_ERR_UNPROCESSABLE, "corrupt_image",
					 "the image header cannot be read: the file is damaged");
		h->width = vips_image_get_width(im);
		h->height = vips_image_get_height(im);
		g_object_unref(im);
		if (h->width <= 0 || h->height <= 0)
			return ts_error_set(err, TS_ERR_UNPROCESSABLE, "corrupt_image",
					    "the image header gives no size");
	}
	px = (uint64_t)h->width * (uint64_t)h->height;
	limit = lim->max_pixels;
	if (lim->max_pixels_format[h->format] && lim->max_pixels_format[h->format] < limit)
		limit = lim->max_pixels_format[h->format];
	if (limit && px > limit)
		return ts_error_set(err, TS_ERR_TOO_LARGE, "too_many_pixels",
				    "the image is %lld x %lld pixels; the limit for %s images is "
				    "%llu pixels",
				    (long long)h->width, (long long)h->height, name,
				    (unsigned long long)limit);
	bytes = ts_image_decode_bytes(h);
	if (lim->decode_budget && bytes > lim->decode_budget)
		return ts_error_set(err, TS_ERR_TOO_LARGE, "too_many_pixels",
				    "decoding this %lld x %lld %s image needs about %llu MB; the "
				    "decode memory limit is %llu MB",
				    (long long)h->width, (long long)h->height, name,
				    (unsigned long long)(bytes >> 20),
				    (unsigned long long)(lim->decode_budget >> 20));
	return TS_OK;
}

enum ts_err ts_media_image_probe(const char *path, const struct ts_image_limits *lim,
				 struct ts_image_info *out, struct ts_error *err)
{
	struct ts_image_header h;
	const unsigned char *d = NULL;
	VipsImage *im;
	size_t n = 0;
	int64_t w, ht;
	enum ts_err e;

	memset(out, 0, sizeof(*out));
	e = map_file(path, &d, &n, err);
	if (e)
		return e;
	e = read_header(d, n, lim, &h, err);
	if (e)
		goto out;
	/* The format's own loader reads its header: sizes must agree. */
	im = load(h.format, d, n, 0, 1, 1.0);
	if (!im) {
		e = vips_fail(err, TS_ERR_UNPROCESSABLE, "corrupt_image",
			      "the image header cannot be read: the file is damaged or incomplete");
		goto out;
	}
	w = vips_image_get_width(im);
	ht = vips_image_get_height(im);
	g_object_unref(im);
	if (w != h.width || ht != h.height) {
		e = ts_error_set(err, TS_ERR_UNPROCESSABLE, "corrupt_image",
				 "the %s header gives two different sizes",
				 ts_image_format_label(h.format));
		goto out;
	}
	ts_image_display_size(&h, &out->width, &out->height);
	out->orientation = h.orientation;
	out->decode_bytes = ts_image_decode_bytes(&h);
	snprintf(out->format, sizeof(out->format), "%s", ts_image_format_name(h.format));
	snprintf(out->mime_type, sizeof(out->mime_type), "%s", ts_image_format_mime(h.format));
	if ((h.format == TS_IMAGE_JPEG && ts_image_jpeg_whole(d, n) != 0) ||
	    (h.format == TS_IMAGE_PNG && ts_image_png_whole(d, n) != 0))
		e = ts_error_set(err, TS_ERR_UNPROCESSABLE, "corrupt_image",
				 "the %s file is truncated or damaged",
				 h.format == TS_IMAGE_JPEG ? "JPEG" : "PNG");
out:
	unmap_file(d, n);
	return e;
}

/* Writes data to path (created or truncated); removes it on failure. */
static enum ts_err write_all(const char *path, const void *data, size_t len,
			     struct ts_error *err)
{
	const char *p = data;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return ts_error_set(err, TS_ERR_IO, "write_failed",
				    "cannot write the thumbnail: %s", strerror(errno));
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int saved = w < 0 ? errno : ENOSPC;

			close(fd);
			unlink(path);
			return ts_error_set(err, TS_ERR_IO, "write_failed",
					    "cannot write the thumbnail: %s", strerror(saved));
		}
		p += w;
		len -= (size_t)w;
	}
	if (close(fd) != 0) {
		unlink(path);
		return ts_error_set(err, TS_ERR_IO, "write_failed", "cannot write the thumbnail");
	}
	return TS_OK;
}

/* libvips' error text is shared by all threads: another thread's failure
 * may have taken it already, so the sentence stands on its own. */
static enum ts_err damaged(enum ts_image_format fmt, struct ts_error *err)
{
	char what[64];

	snprintf(what, sizeof(what), "the %s image does not decode", ts_image_format_label(fmt));
	return vips_fail(err, TS_ERR_UNPROCESSABLE, "damaged_image", what);
}

/* The full decode of d (and the thumbnail when thumb_tmp is set). */
static enum ts_err decode(const unsigned char *d, size_t n, const struct ts_image_limits *lim,
			  struct ts_media_budget *b, const char *thumb_tmp, struct ts_error *err)
{
	struct ts_image_header h;
	VipsImage *im = NULL, *thumb = NULL;
	void *jpg = NULL;
	size_t jpg_len = 0;
	uint64_t held = 0;
	int shrink = 1;
	double scale = 1.0, avg;
	char why[160];
	enum ts_err e;

	e = read_header(d, n, lim, &h, err);
	if (e)
		return e;
	if ((h.format == TS_IMAGE_JPEG && ts_image_jpeg_whole(d, n) != 0) ||
	    (h.format == TS_IMAGE_PNG && ts_image_png_whole(d, n) != 0))
		return ts_error_set(err, TS_ERR_UNPROCESSABLE, "damaged_image",
				    "the %s file is truncated or damaged",
				    h.format == TS_IMAGE_JPEG ? "JPEG" : "PNG");
	/* Our own check of the PNG data first: it stops one byte past the
	 * rows the header promises, where libpng would inflate (and only
	 * warn about) everything that follows. */
	if (h.format == TS_IMAGE_PNG && ts_image_png_data_check(d, n, why, sizeof(why)) != 0)
		return ts_error_set(err, TS_ERR_UNPROCESSABLE, "damaged_image", "%s", why);
	if (thumb_tmp) {
		int64_t longest = h.width > h.height ? h.width : h.height;

		if (h.format == TS_IMAGE_JPEG)
			while (shrink < 8 && longest / (shrink * 2) >= TS_THUMB_SIZE)
				shrink *= 2;
		if (h.format == TS_IMAGE_WEBP && longest > TS_THUMB_SIZE)
			scale = (double)TS_THUMB_SIZE / (double)longest;
	}
	held = ts_media_budget_take(b, ts_image_decode_bytes(&h));
	im = load(h.format, d, n, 1, shrink, scale);
	if (!im) {
		e = damaged(h.format, err);
		goto out;
	}
	if (!thumb_tmp) {
		if (vips_avg(im, &avg, NULL) != 0)
			e = damaged(h.format, err);
		goto out;
	}
	if (vips_thumbnail_image(im, &thumb, TS_THUMB_SIZE, "height", TS_THUMB_SIZE, "size",
				 VIPS_SIZE_DOWN, NULL) != 0) {
		e = damaged(h.format, err);
		goto out;
	}
	/* Encoded in memory: any failure here is the decode's; writing the
	 * small result is then plain I/O. */
	if (vips_jpegsave_buffer(thumb, &jpg, &jpg_len, "Q", 80, "strip", TRUE,
				 "optimize_coding", TRUE, NULL) != 0) {
		e = damaged(h.format, err);
		goto out;
	}
	e = write_all(thumb_tmp, jpg, jpg_len, err);
out:
	g_free(jpg);
	if (thumb)
		g_object_unref(thumb);
	if (im)
		g_object_unref(im);
	ts_media_budget_give(b, held);
	return e;
}

enum ts_err ts_media_image_decode(const char *path, const struct ts_image_limits *lim,
				  struct ts_media_budget *b, const char *thumb_tmp,
				  struct ts_error *err)
{
	const unsigned char *d = NULL;
	size_t n = 0;
	enum ts_err e;

	e = map_file(path, &d, &n, err);
	if (e)
		return e;
	e = decode(d, n, lim, b, thumb_tmp, err);
	unmap_file(d, n);
	return e;
}

enum ts_err ts_media_image_decode_buffer(const void *buf, size_t len,
					 const struct ts_image_limits *lim,
					 struct ts_media_budget *b, struct ts_error *err)
{
	if (len == 0)
		return ts_error_set(err, TS_ERR_UNPROCESSABLE, "empty_file", "the file is empty");
	return decode(buf, len, lim, b, NULL, err);
}

enum ts_err ts_media_image_upright(const char *path, const struct ts_image_limits *lim,
				   struct ts_media_budget *b, void **out, size_t *out_len,
				   struct ts_error *err)
{
	struct ts_image_header h;
	const unsigned char *d = NULL;
	VipsImage *im = NULL, *up = NULL;
	void *data, *buf = NULL;
	size_t n = 0, len = 0;
	uint64_t held = 0;
	int rc = -1;
	enum ts_err e;

	*out = NULL;
	*out_len = 0;
	e = map_file(path, &d, &n, err);
	if (e)
		return e;
	e = read_header(d, n, lim, &h, err);
	if (e || h.orientation <= 1)
		goto out;
	/* Random access: a quarter turn reads the picture across its rows. */
	held = ts_media_budget_take(b, ts_image_decode_bytes(&h));
	data = (void *)(uintptr_t)d;
	if (h.format == TS_IMAGE_JPEG)
		rc = vips_jpegload_buffer(data, n, &im, "fail_on", VIPS_FAIL_ON_WARNING, NULL);
	else if (h.format == TS_IMAGE_TIFF)
		rc = vips_tiffload_buffer(data, n, &im, "fail_on", VIPS_FAIL_ON_WARNING, NULL);
	if (rc != 0 || vips_autorot(im, &up, NULL) != 0) {
		e = damaged(h.format, err);
		goto out;
	}
	/* autorot removed the orientation tag; other metadata (the colour
	 * profile) stays. */
	if (h.format == TS_IMAGE_JPEG)
		rc = vips_jpegsave_buffer(up, &buf, &len, "Q", 95, "optimize_coding", TRUE, NULL);
	else
		rc = vips_tiffsave_buffer(up, &buf, &len, "compression",
					  VIPS_FOREIGN_TIFF_COMPRESSION_DEFLATE, NULL);
	if (rc != 0) {
		e = vips_fail(err, TS_ERR_INTERNAL, "encode_failed",
			      "cannot encode the upright image");
		goto out;
	}
	*out = ts_xmalloc(len);
	memcpy(*out, buf, len);
	*out_len = len;
out:
	g_free(buf);
	if (up)
		g_object_unref(up);
	if (im)
		g_object_unref(im);
	ts_media_budget_give(b, held);
	unmap_file(d, n);
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

void ts_media_tensor_fill(const unsigned char *rgb, const struct ts_media_tensor_spec *spec,
			  float *out)
{
	size_t plane = (size_t)spec->width * (size_t)spec->height;
	float mul[3], add[3];

	/* (v * scale - mean) / std as one multiply-add per value. */
	for (int c = 0; c < 3; c++) {
		mul[c] = (float)(spec->scale / spec->std[c]);
		add[c] = (float)(-spec->mean[c] / spec->std[c]);
	}
	for (size_t i = 0; i < plane; i++) {
		const unsigned char *px = rgb + i * 3;

		for (int c = 0; c < 3; c++) {
			/* channel c of the model's order */
			unsigned char v = px[spec->bgr ? 2 - c : c];
			float f = (float)v * mul[c] + add[c];

			if (spec->nhwc)
				out[i * 3 + (size_t)c] = f;
			else
				out[(size_t)c * plane + i] = f;
		}
	}
}

enum ts_err ts_media_image_tensor(const char *path, const struct ts_image_limits *lim,
				  struct ts_media_budget *b,
				  const struct ts_media_tensor_spec *spec, float *out,
				  struct ts_error *err)
{
	struct ts_image_header h;
	const unsigned char *d = NULL;
	VipsImage *im = NULL, *sized = NULL, *flat = NULL, *srgb = NULL, *u8 = NULL;
	unsigned char *pixels = NULL;
	size_t n = 0, plen = 0;
	uint64_t held = 0;
	int shrink = 1;
	int64_t longest, want;
	enum ts_err e;

	e = map_file(path, &d, &n, err);
	if (e)
		return e;
	e = read_header(d, n, lim, &h, err);
	if (e)
		goto out;
	longest = h.width > h.height ? h.width : h.height;
	want = spec->width > spec->height ? spec->width : spec->height;
	if (h.format == TS_IMAGE_JPEG)
		while (shrink < 8 && longest / (shrink * 2) >= want * 2)
			shrink *= 2;
	held = ts_media_budget_take(b, ts_image_decode_bytes(&h));
	im = load(h.format, d, n, 0, shrink, 1.0);
	if (!im) {
		e = damaged(h.format, err);
		goto out;
	}
	/* thumbnail_image applies the EXIF orientation; SIZE_FORCE gives
	 * exactly width x height. */
	if (vips_thumbnail_image(im, &sized, spec->width, "height", spec->height, "size",
				 VIPS_SIZE_FORCE, NULL) != 0) {
		e = damaged(h.format, err);
		goto out;
	}
	if (vips_image_hasalpha(sized)) {
		if (vips_flatten(sized, &flat, NULL) != 0) {
			e = damaged(h.format, err);
			goto out;
		}
	} else {
		flat = sized;
		g_object_ref(flat);
	}
	if (vips_colourspace(flat, &srgb, VIPS_INTERPRETATION_sRGB, NULL) != 0 ||
	    vips_cast_uchar(srgb, &u8, NULL) != 0) {
		e = damaged(h.format, err);
		goto out;
	}
	pixels = vips_image_write_to_memory(u8, &plen);
	if (!pixels || vips_image_get_bands(u8) != 3 || vips_image_get_width(u8) != spec->width ||
	    vips_image_get_height(u8) != spec->height ||
	    plen != (size_t)spec->width * (size_t)spec->height * 3) {
		e = damaged(h.format, err);
		goto out;
	}
	ts_media_tensor_fill(pixels, spec, out);
out:
	g_free(pixels);
	if (u8)
		g_object_unref(u8);
	if (srgb)
		g_object_unref(srgb);
	if (flat)
		g_object_unref(flat);
	if (sized)
		g_object_unref(sized);
	if (im)
		g_object_unref(im);
	ts_media_budget_give(b, held);
	unmap_file(d, n);
	return e;
}
