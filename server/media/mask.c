#include "media/mask.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media/image_header.h"
#include "core/banned.h"

struct reader {
	const unsigned char *d;
	size_t n, pos;
	char why[200];
};

static void read_fn(png_structp png, png_bytep out, size_t len)
{
	struct reader *r = png_get_io_ptr(png);

	if (len > r->n - r->pos)
		png_error(png, "the PNG ends early");
	memcpy(out, r->d + r->pos, len);
	r->pos += len;
}

static void error_fn(png_structp png, png_const_charp msg)
{
	struct reader *r = png_get_error_ptr(png);

	snprintf(r->why, sizeof(r->why), "%s", msg);
	png_longjmp(png, 1);
}

/* Warnings are errors: data past the last row, a bad chunk ... */
static void warning_fn(png_structp png, png_const_charp msg)
{
	error_fn(png, msg);
}

void ts_mask_release(struct ts_mask *m)
{
	free(m->pix);
	ts_media_budget_give(m->budget, m->held);
	memset(m, 0, sizeof(*m));
}

enum ts_err ts_media_mask_decode(const void *buf, size_t len, int64_t max_w, int64_t max_h,
				 struct ts_media_budget *b, struct ts_mask *out,
				 struct ts_error *err)
{
	struct reader r = { buf, len, 0, "" };
	struct ts_image_header h;
	png_structp png = NULL;
	png_infop info = NULL;
	png_bytep *volatile rows = NULL;
	volatile enum ts_err e = TS_OK;
	unsigned char type, depth;
	size_t row_bytes;

	memset(out, 0, sizeof(*out));
	if (ts_image_sniff(buf, len) != TS_IMAGE_PNG)
		return ts_error_set(err, TS_ERR_UNSUPPORTED, "mask_not_png", "The mask is not a PNG.");
	if (ts_image_header_read(buf, len, &h) != 0)
		return ts_error_set(err, TS_ERR_UNPROCESSABLE, "bad_mask",
				    "The mask's PNG header is damaged.");
	if (h.width > max_w || h.height > max_h)
		return ts_error_set(err, TS_ERR_TOO_LARGE, "mask_too_large",
				    "The mask is %lldx%lld pixels, larger than its image (%lldx%lld).",
				    (long long)h.width, (long long)h.height, (long long)max_w,
				    (long long)max_h);
	type = ((const unsigned char *)buf)[25];
	depth = ((const unsigned char *)buf)[24];
	if (type != PNG_COLOR_TYPE_GRAY && type != PNG_COLOR_TYPE_PALETTE)
		return ts_error_set(err, TS_ERR_UNSUPPORTED, "mask_not_labels",
				    "The mask is a colour or transparent PNG; a mask is a greyscale "
				    "or palette PNG whose values are labels.");
	out->width = (int)h.width;
	out->height = (int)h.height;
	out->bytes_per_pixel = depth == 16 ? 2 : 1;
	out->kind = type == PNG_COLOR_TYPE_PALETTE ? TS_MASK_PALETTE :
		    depth == 16 ? TS_MASK_GREY16 : TS_MASK_GREY;
	row_bytes = (size_t)out->width * (size_t)out->bytes_per_pixel;
	out->budget = b;
	out->held = ts_media_budget_take(b, row_bytes * (size_t)out->height +
						    (size_t)out->height * sizeof(png_bytep));
	out->pix = ts_xmalloc(row_bytes * (size_t)out->height);
	rows = ts_xmalloc((size_t)out->height * sizeof(png_bytep));
	for (int y = 0; y < out->height; y++)
		rows[y] = (png_bytep)out->pix + (size_t)y * row_bytes;
	png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &r, error_fn, warning_fn);
	if (png)
		info = png_create_info_struct(png);
	if (!png || !info)
		ts_die("out of memory");
	if (setjmp(png_jmpbuf(png))) {
		e = ts_error_set(err, TS_ERR_UNPROCESSABLE, "bad_mask", "The mask does not decode: %s.",
				 r.why[0] ? r.why : "damaged PNG");
		goto out;
	}
	png_set_read_fn(png, &r, read_fn);
	png_set_user_limits(png, (png_uint_32)max_w, (png_uint_32)max_h);
	png_read_info(png, info);
	if (png_get_image_width(png, info) != (png_uint_32)out->width ||
	    png_get_image_height(png, info) != (png_uint_32)out->height)
		png_error(png, "the PNG's size changed");
	/* Values as they are: bits unpacked one value a byte, never scaled,
	 * never expanded to colours; 16-bit in host order. */
	if (depth < 8)
		png_set_packing(png);
	if (depth == 16) {
		const uint16_t one = 1;

		if (*(const unsigned char *)&one == 1)
			png_set_swap(png);
	}
	png_set_interlace_handling(png);
	png_read_update_info(png, info);
	if (png_get_rowbytes(png, info) != row_bytes)
		png_error(png, "unexpected row size");
	png_read_image(png, rows);
	png_read_end(png, NULL);
out:
	png_destroy_read_struct(&png, &info, NULL);
	free(rows);
	if (e)
		ts_mask_release(out);
	return e;
}
