/* Label masks (PNG) for the import: decoded to their raw values, never to
 * colours. libpng is used directly, so a palette PNG gives its indices and
 * a 16-bit PNG its 16-bit values. The only module that includes <png.h>.
 *
 * Accepted: greyscale PNGs of 1 to 16 bits and palette PNGs (their
 * indices), without alpha; each pixel's value is a label. The header is
 * read first (our own parser): a mask larger than max_w x max_h is refused
 * before any decoding, and libpng is told that no image may be larger
 * (png_set_user_limits). Its warnings are errors (data past the last row,
 * a damaged ancillary chunk), and the file is read to its end. The decode
 * holds w x h x (1 or 2) bytes, taken from the decode budget while it
 * lasts. */
#ifndef TS_MEDIA_MASK_H
#define TS_MEDIA_MASK_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "media/image.h"

enum ts_mask_kind { TS_MASK_GREY = 0, TS_MASK_GREY16, TS_MASK_PALETTE };

struct ts_mask {
	int width, height;
	int bytes_per_pixel;  /* 1, or 2 for 16-bit (host byte order) */
	enum ts_mask_kind kind;
	void *pix;            /* width x height values, row-major; malloc'd */
	uint64_t held;        /* budget bytes held until ts_mask_release */
	struct ts_media_budget *budget;
};

/* Decodes the PNG buf[0 .. len - 1] into *out (release with
 * ts_mask_release, also after an error). Errors:
 *   TOO_LARGE "mask_too_large"    wider than max_w or taller than max_h
 *   UNSUPPORTED "mask_not_png"    not a PNG
 *   UNSUPPORTED "mask_not_labels" colour (RGB) or with an alpha channel
 *   UNPROCESSABLE "bad_mask"      damaged (the message says why) */
enum ts_err ts_media_mask_decode(const void *buf, size_t len, int64_t max_w, int64_t max_h,
				 struct ts_media_budget *b, struct ts_mask *out,
				 struct ts_error *err);
void ts_mask_release(struct ts_mask *m);

#endif
