/* Images through libvips: the only module that includes <vips/vips.h>.
 *
 * Probing reads the header only (width, height, format) and refuses an
 * image of more than max_pixels before any pixel is decoded, so a
 * decompression bomb costs a header read. It then checks the file's
 * structure without decoding: a JPEG's markers must be well formed up to
 * its end-of-image marker, a PNG's chunks must have good CRCs up to IEND.
 * Other formats (GIF, WebP, TIFF, HEIF/AVIF) are decoded once to prove
 * they are whole.
 *
 * Thumbnails use shrink-on-load (the JPEG decoder skips most of the work
 * at 1/8 scale), so memory stays small whatever the original size.
 *
 * libvips keeps its error text in a buffer shared by all threads: every
 * failure here copies it into err and clears it at once. All functions
 * are safe to call from many threads. */
#ifndef TS_MEDIA_IMAGE_H
#define TS_MEDIA_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define TS_THUMB_SIZE 256 /* long side, pixels */
#define TS_THUMB_MIME "image/jpeg"

struct ts_image_info {
	int64_t width;
	int64_t height;
	char format[16];    /* "jpeg", "png", "webp", "gif", "tiff", "heif" */
	char mime_type[32]; /* "image/jpeg" ... */
};

/* Starts libvips (once per process, before any other call; argv0 may be
 * NULL). Returns 0, or -1 when libvips cannot start. */
int ts_media_init(const char *argv0);
/* Shuts libvips down at exit. */
void ts_media_shutdown(void);

/* Reads path's header and checks its structure. Errors (all with a
 * sentence for people in err->message):
 *   UNSUPPORTED "not_an_image"     not a format we accept (or not an image)
 *   UNPROCESSABLE "corrupt_image"  truncated or damaged
 *   UNPROCESSABLE "empty_file"     zero bytes
 *   TOO_LARGE "too_many_pixels"    width * height > max_pixels
 *   IO "read_failed"               the file cannot be read */
enum ts_err ts_media_image_probe(const char *path, uint64_t max_pixels,
				 struct ts_image_info *out, struct ts_error *err);

/* Writes a JPEG thumbnail of src (long side TS_THUMB_SIZE, never
 * enlarged) to dst_tmp. The caller renames it into place. Errors:
 * UNPROCESSABLE "corrupt_image" when src cannot be decoded, IO
 * "write_failed". On failure dst_tmp does not exist. */
enum ts_err ts_media_image_thumbnail(const char *src, const char *dst_tmp,
				     struct ts_error *err);

/* Encodes w x h packed RGB (3 bytes a pixel, rows of w * 3 bytes) as a
 * baseline JPEG of the given quality (1..100), without metadata. *out is
 * malloc'd (caller frees with free()). Errors: INTERNAL "encode_failed". */
enum ts_err ts_media_image_jpeg_from_rgb(const void *rgb, int w, int h, int quality,
					 void **out, size_t *out_len, struct ts_error *err);

#endif
