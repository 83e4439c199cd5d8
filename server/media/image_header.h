/* Image headers read by our own code, before any library sees the bytes.
 *
 * The format is chosen from the file's magic bytes (never from its name
 * or a library's guess), and only the formats we accept are recognised:
 * JPEG, PNG, WebP, GIF, TIFF and HEIF/AVIF. The width, height and sample
 * layout come from the header where the format puts them near the start
 * (HEIF keeps them in its box tree: libvips reads those), so the pixel
 * limits and the decode-memory estimate are applied before a decoder runs.
 *
 * Pure functions over a byte range: no I/O, no allocation, no libvips.
 * Every read is bounds-checked against n (this is what the image-header
 * fuzz target drives). */
#ifndef TS_MEDIA_IMAGE_HEADER_H
#define TS_MEDIA_IMAGE_HEADER_H

#include <stddef.h>
#include <stdint.h>

enum ts_image_format {
	TS_IMAGE_UNKNOWN = 0,
	TS_IMAGE_JPEG,
	TS_IMAGE_PNG,
	TS_IMAGE_WEBP,
	TS_IMAGE_GIF,
	TS_IMAGE_TIFF,
	TS_IMAGE_HEIF,
	TS_IMAGE_NFORMATS
};

struct ts_image_header {
	enum ts_image_format format;
	int64_t width, height; /* 0 when the header does not give them (HEIF) */
	int bands;             /* samples per pixel after decoding (best guess) */
	int bytes_per_band;    /* 1, 2 or 4 */
	/* The decoder holds the whole image (or its coefficients) in memory
	 * at once: progressive JPEG, interlaced PNG, WebP, GIF, TIFF, HEIF.
	 * Baseline JPEG and non-interlaced PNG stream line by line. */
	int whole_frame;
	int progressive; /* JPEG: a progressive (or arithmetic/lossless) SOF */
	/* EXIF Orientation (1..8; 1 when absent or unreadable), from JPEG's
	 * APP1 Exif segment or TIFF's first IFD (other formats: 1). 5..8
	 * turn the picture a quarter: width and height swap on display.
	 * width/height above are always the stored (raw) pixels. */
	int orientation;
};

/* "jpeg", "png" ... ("" for UNKNOWN). */
const char *ts_image_format_name(enum ts_image_format f);
/* "JPEG", "PNG", "WebP" ... for people ("" for UNKNOWN). */
const char *ts_image_format_label(enum ts_image_format f);
/* "image/jpeg" ... ("" for UNKNOWN). */
const char *ts_image_format_mime(enum ts_image_format f);

/* The format from the first bytes; UNKNOWN for anything else. */
enum ts_image_format ts_image_sniff(const unsigned char *d, size_t n);

/* Reads the header. Returns 0 (out filled), -1 when the bytes are not an
 * accepted format (out->format UNKNOWN), -2 when the format is known but
 * its header is damaged or gives an impossible size. */
int ts_image_header_read(const unsigned char *d, size_t n, struct ts_image_header *out);

/* The size as shown, with the orientation applied (w/h swapped for 5..8). */
void ts_image_display_size(const struct ts_image_header *h, int64_t *w, int64_t *ht);

/* Bytes a decode of this image may hold at once (a deliberate
 * overestimate): the whole frame for whole-frame decoders, some hundreds
 * of lines for streaming ones. 0 when width/height are unknown. */
uint64_t ts_image_decode_bytes(const struct ts_image_header *h);

/* Structure walks without decoding. 0 whole, -1 truncated or damaged.
 * JPEG: markers well formed up to EOI (bytes after EOI are allowed).
 * PNG: every chunk complete with a good CRC up to IEND. */
int ts_image_jpeg_whole(const unsigned char *d, size_t n);
int ts_image_png_whole(const unsigned char *d, size_t n);

/* The PNG's image data, checked the way a strict reader does: IHDR sane,
 * IDAT chunks consecutive, their zlib stream inflates to exactly the
 * filtered rows the header promises (height rows, or the seven Adam7
 * passes) with every filter byte 0..4, and ends there. Inflation stops
 * one byte past the expected size, so a small image with a huge stream
 * costs almost nothing. Returns 0, or -1 with a reason in why (a
 * sentence, why_len bytes). Needs zlib; the bytes must pass
 * ts_image_png_whole first. */
int ts_image_png_data_check(const unsigned char *d, size_t n, char *why, size_t why_len);

#endif
