/* The ceiling of bench/import: decode PNG masks with libpng (the decoder
 * the import uses), their raw values, one after another, nothing else.
 *
 *   import_decode FILE...   prints "<files> <wall seconds> <cpu seconds>" */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct src {
	const unsigned char *d;
	size_t n, pos;
};

static void read_fn(png_structp png, png_bytep out, size_t len)
{
	struct src *s = png_get_io_ptr(png);

	if (len > s->n - s->pos)
		png_error(png, "short");
	memcpy(out, s->d + s->pos, len);
	s->pos += len;
}

static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b;
	long len;

	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		exit(2);
	b = malloc((size_t)len);
	if (!b || fread(b, 1, (size_t)len, f) != (size_t)len)
		exit(2);
	fclose(f);
	*n = (size_t)len;
	return b;
}

int main(int argc, char **argv)
{
	unsigned char **files = calloc((size_t)argc, sizeof(*files));
	size_t *sizes = calloc((size_t)argc, sizeof(*sizes));
	struct timespec t0, t1, c0, c1;
	unsigned long sum = 0;

	for (int i = 1; i < argc; i++)
		files[i] = slurp(argv[i], &sizes[i]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	for (int i = 1; i < argc; i++) {
		struct src s = { files[i], sizes[i], 0 };
		png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
		png_infop info = png_create_info_struct(png);
		png_bytep *rows;
		unsigned char *pix;
		png_uint_32 w, h;
		size_t rb;

		if (setjmp(png_jmpbuf(png)))
			return 3;
		png_set_read_fn(png, &s, read_fn);
		png_read_info(png, info);
		w = png_get_image_width(png, info);
		h = png_get_image_height(png, info);
		png_read_update_info(png, info);
		rb = png_get_rowbytes(png, info);
		pix = malloc(rb * h);
		rows = malloc(h * sizeof(*rows));
		for (png_uint_32 y = 0; y < h; y++)
			rows[y] = pix + y * rb;
		png_read_image(png, rows);
		sum += pix[(h / 2) * rb + w / 2];
		png_destroy_read_struct(&png, &info, NULL);
		free(rows);
		free(pix);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	printf("%d %.6f %.6f %lu\n", argc - 1,
	       (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	       (double)(c1.tv_sec - c0.tv_sec) + (c1.tv_nsec - c0.tv_nsec) / 1e9, sum);
	return 0;
}
