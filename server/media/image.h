/* Images through libvips: the only module that includes <vips/vips.h>.
 *
 * Only JPEG, PNG, WebP, GIF, TIFF and HEIF/AVIF are accepted. The format
 * comes from our own reading of the magic bytes (media/image_header.h),
 * and each format is opened with its own loader (vips_jpegload_buffer ...),
 * so no other libvips loader ever sees an upload.
 *
 * Probing (at upload) reads headers only and refuses an image over its
 * pixel limit, or one whose decode would not fit the decode budget, before
 * any pixel is decoded: a decompression bomb costs a header read. It then
 * checks the structure of JPEG and PNG files without decoding.
 *
 * Decoding (the thumbnail job) decodes every pixel once with warnings
 * treated as errors, inside the process-wide decode budget, and writes the
 * thumbnail from that same decode. JPEGs are decoded with DCT scaling
 * (every coefficient is still entropy-decoded, so damage is still found).
 *
 * libvips keeps its error text in a buffer shared by all threads: every
 * failure here copies it into err and clears it at once. All functions
 * are safe to call from many threads. */
#ifndef TS_MEDIA_IMAGE_H
#define TS_MEDIA_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "media/image_header.h"

#define TS_THUMB_SIZE 256 /* long side, pixels */
#define TS_THUMB_MIME "image/jpeg"

struct ts_image_info {
	/* As shown: the EXIF orientation applied (swapped for 5..8). */
	int64_t width;
	int64_t height;
	int orientation; /* EXIF orientation, 1..8 (1: none) */
	char format[16];    /* "jpeg", "png", "webp", "gif", "tiff", "heif" */
	char mime_type[32]; /* "image/jpeg" ... */
	uint64_t decode_bytes; /* estimate of what a full decode holds at once */
};

/* Limits on what is decoded. A format's own pixel limit applies on top of
 * max_pixels (0: only max_pixels). decode_budget (bytes, 0: none) is the
 * most all concurrent decodes of the process may hold at once; an image
 * whose estimate alone exceeds it is refused. */
struct ts_image_limits {
	uint64_t max_pixels;
	uint64_t max_pixels_format[TS_IMAGE_NFORMATS]; /* by enum ts_image_format */
	uint64_t decode_budget;
};

/* The process-wide decode memory budget: a counting semaphore in bytes.
 * Each full decode takes its estimate (ts_image_decode_bytes) before it
 * starts and gives it back when done; a decode that does not fit waits.
 * _new aborts on out of memory; _free(NULL) is a no-op. */
struct ts_media_budget;
struct ts_media_budget *ts_media_budget_new(uint64_t bytes);
void ts_media_budget_free(struct ts_media_budget *b);
/* Takes bytes of b (at most the whole budget), waiting until they fit,
 * and returns what was taken: give exactly that back when done. b NULL or
 * without a total: takes nothing (returns 0). */
uint64_t ts_media_budget_take(struct ts_media_budget *b, uint64_t bytes);
void ts_media_budget_give(struct ts_media_budget *b, uint64_t bytes);
/* Highest number of bytes ever held at once (for tests and logs). */
uint64_t ts_media_budget_peak(struct ts_media_budget *b);

/* Starts libvips (once per process, before any other call; argv0 may be
 * NULL). Returns 0, or -1 when libvips cannot start. */
int ts_media_init(const char *argv0);
/* Shuts libvips down at exit. */
void ts_media_shutdown(void);

/* Reads path's header with our own parser (the format comes from its
 * magic bytes, never from probing libvips' loader list), applies the
 * limits, reads the header again with that format's libvips loader only,
 * and checks the structure of JPEG and PNG files without decoding. No
 * pixel is decoded. Errors (all with a sentence in err->message):
 *   UNSUPPORTED "not_an_image"     not one of the accepted formats
 *   UNPROCESSABLE "corrupt_image"  truncated or damaged
 *   UNPROCESSABLE "empty_file"     zero bytes
 *   TOO_LARGE "too_many_pixels"    over a pixel limit or the decode budget
 *                                  (the message names the limit)
 *   IO "read_failed"               the file cannot be read */
enum ts_err ts_media_image_probe(const char *path, const struct ts_image_limits *lim,
				 struct ts_image_info *out, struct ts_error *err);

/* Decodes the whole image once, with libvips warnings treated as errors
 * and, for PNG, ts_image_png_data_check first, holding its estimate of the
 * budget (b may be NULL) while it runs. When thumb_tmp is not NULL the
 * same decode writes the JPEG thumbnail (long side TS_THUMB_SIZE, never
 * enlarged) there; the caller renames it into place. Errors:
 *   UNPROCESSABLE "damaged_image"  the image does not decode; the message
 *                                  says why
 *   UNSUPPORTED / TOO_LARGE / IO   as for the probe; IO "write_failed".
 * On failure thumb_tmp does not exist. */
enum ts_err ts_media_image_decode(const char *path, const struct ts_image_limits *lim,
				  struct ts_media_budget *b, const char *thumb_tmp,
				  struct ts_error *err);

/* The same full decode for bytes in memory (buf is borrowed), without a
 * thumbnail: `tessera verify` runs it on every image of an export. */
enum ts_err ts_media_image_decode_buffer(const void *buf, size_t len,
					 const struct ts_image_limits *lim,
					 struct ts_media_budget *b, struct ts_error *err);

/* The image at path as shown: its EXIF orientation applied to the pixels
 * and the tag removed, re-encoded in its own format (JPEG at quality 95,
 * TIFF with deflate), for readers that ignore the tag. *out is malloc'd
 * (caller frees with free()); *out_len is 0 and *out NULL when the image
 * has no orientation to apply (orientation 1: the stored bytes already
 * are what is shown). Holds its decode estimate of the budget (b may be
 * NULL). Errors: as ts_media_image_decode, INTERNAL "encode_failed". */
enum ts_err ts_media_image_upright(const char *path, const struct ts_image_limits *lim,
				   struct ts_media_budget *b, void **out, size_t *out_len,
				   struct ts_error *err);

/* Default limits (jpeg/png 100 MP, webp/gif/heif 30 MP, tiff 40 MP,
 * 256 MiB budget), the ones the server starts with. */
void ts_image_limits_default(struct ts_image_limits *lim);

/* Encodes w x h packed RGB (3 bytes a pixel, rows of w * 3 bytes) as a
 * baseline JPEG of the given quality (1..100), without metadata. *out is
 * malloc'd (caller frees with free()). Errors: INTERNAL "encode_failed". */
enum ts_err ts_media_image_jpeg_from_rgb(const void *rgb, int w, int h, int quality,
					 void **out, size_t *out_len, struct ts_error *err);

/* How a model wants its input: the image resized to width x height (as
 * shown: EXIF orientation applied; aspect not kept), alpha flattened on
 * black, sRGB, then each value v (0..255) becomes (v * scale - mean[c]) /
 * std[c] for channel c of the model's order (bgr: B, G, R), laid out as
 * nchw (planes) or nhwc (interleaved). */
struct ts_media_tensor_spec {
	int width, height;
	int bgr, nhwc;
	double scale;
	double mean[3], std[3];
};

/* Decodes the image at path (the probe's limits and the decode budget b,
 * which may be NULL, apply) and fills out with the 3 * width * height
 * floats of spec. JPEGs are decoded at a reduced size when the target is
 * small (DCT scaling). Errors: as ts_media_image_decode. */
enum ts_err ts_media_image_tensor(const char *path, const struct ts_image_limits *lim,
				  struct ts_media_budget *b,
				  const struct ts_media_tensor_spec *spec, float *out,
				  struct ts_error *err);

/* The normalisation step alone: rgb holds width * height packed RGB
 * pixels; out receives the 3 * width * height floats of spec. Pure. */
void ts_media_tensor_fill(const unsigned char *rgb, const struct ts_media_tensor_spec *spec,
			  float *out);

#endif
