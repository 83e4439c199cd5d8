/* Contour tracing and simplification (server/domain/trace.c) on generated
 * shapes: rectangles, discs, L-shapes, rings with holes and islands,
 * several components, shapes cut by the window's edges, 8- and 16-bit
 * class-index masks; the rings' counts, nesting, orientation and areas, and
 * every traced point within the tolerance of its simplified ring. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "domain/polygon.h"
#include "domain/trace.h"

struct img {
	int w, h;
	uint8_t *pix;
};

static struct img img_new(int w, int h)
{
	struct img im = { w, h, calloc((size_t)w * (size_t)h, 1) };

	assert_non_null(im.pix);
	return im;
}

static void fill_rect(struct img *im, int x0, int y0, int x1, int y1, uint8_t v)
{
	for (int y = y0; y < y1; y++)
		for (int x = x0; x < x1; x++)
			im->pix[(size_t)y * (size_t)im->w + (size_t)x] = v;
}

/* Pixels whose centre lies within r of (cx, cy). */
static void fill_disc(struct img *im, double cx, double cy, double r, uint8_t v)
{
	for (int y = 0; y < im->h; y++)
		for (int x = 0; x < im->w; x++) {
			double dx = x + 0.5 - cx, dy = y + 0.5 - cy;

			if (dx * dx + dy * dy <= r * r)
				im->pix[(size_t)y * (size_t)im->w + (size_t)x] = v;
		}
}

static int64_t count(const struct img *im, int label)
{
	int64_t n = 0;

	for (size_t i = 0; i < (size_t)im->w * (size_t)im->h; i++)
		n += label < 0 ? im->pix[i] != 0 : im->pix[i] == label;
	return n;
}

static struct ts_trace_mask whole(const struct img *im, int label)
{
	struct ts_trace_mask m = { im->pix, (size_t)im->w, 1, 0, 0, im->w, im->h, label };

	return m;
}

/* The shoelace area, positive for rings clockwise on screen (y down). */
static double signed_area(const double *xy, size_t n)
{
	double a = 0;

	for (size_t i = 0; i < n; i++) {
		size_t j = (i + 1) % n;

		a += xy[2 * i] * xy[2 * j + 1] - xy[2 * j] * xy[2 * i + 1];
	}
	return a / 2;
}

static double dist_to_ring(double px, double py, const double *xy, size_t n)
{
	double best = INFINITY;

	for (size_t i = 0; i < n; i++) {
		size_t j = (i + 1) % n;
		double ax = xy[2 * i], ay = xy[2 * i + 1], dx = xy[2 * j] - ax, dy = xy[2 * j + 1] - ay;
		double len2 = dx * dx + dy * dy, u = 0, d;

		if (len2 > 0) {
			u = ((px - ax) * dx + (py - ay) * dy) / len2;
			u = u < 0 ? 0 : u > 1 ? 1 : u;
		}
		d = hypot(ax + u * dx - px, ay + u * dy - py);
		if (d < best)
			best = d;
	}
	return best;
}

static void trace(const struct ts_trace_mask *m, double tol, struct ts_trace *t)
{
	struct ts_error err = { 0 };

	assert_int_equal(ts_trace_mask(m, tol, 0, t, &err), TS_OK);
	ts_error_release(&err);
}

/* Every raw point of each ring lies within tol of the same ring simplified,
 * the rings keep their order, nesting and orientation, and a raw ring
 * never visits a point twice. */
static void check_simplified(const struct ts_trace_mask *m, double tol)
{
	struct ts_trace raw, simple;

	trace(m, 0, &raw);
	trace(m, tol, &simple);
	assert_int_equal(raw.n, simple.n);
	for (size_t r = 0; r < raw.n; r++) {
		const struct ts_trace_ring *a = &raw.rings[r], *b = &simple.rings[r];

		assert_int_equal(a->hole, b->hole);
		assert_int_equal(a->outer, b->outer);
		assert_true(b->n >= 3 && b->n <= a->n);
		assert_true(a->hole ? signed_area(a->xy, a->n) < 0 : signed_area(a->xy, a->n) > 0);
		for (size_t i = 0; i < a->n; i++) {
			assert_true(dist_to_ring(a->xy[2 * i], a->xy[2 * i + 1], b->xy, b->n) <=
				    tol + 1e-9);
			for (size_t j = i + 1; j < a->n; j++)
				assert_false(a->xy[2 * i] == a->xy[2 * j] &&
					     a->xy[2 * i + 1] == a->xy[2 * j + 1]);
		}
	}
	ts_trace_release(&raw);
	ts_trace_release(&simple);
}

/* The traced and simplified objects (each outer ring with its holes),
 * rasterised back by the export's rule, against the mask: IoU. */
static double traced_iou(const struct img *im, int label, double tol, int fit, double *used)
{
	struct ts_trace_mask m = whole(im, label);
	size_t cells = (size_t)im->w * (size_t)im->h;
	uint8_t *cover = calloc(cells, 1), *one = malloc(cells);
	int64_t inter = 0, uni = 0;
	struct ts_error err = { 0 };
	struct ts_trace t;

	if (fit)
		assert_int_equal(ts_trace_fit(&m, tol, TS_TRACE_MIN_IOU, 0, &t, used, &err), TS_OK);
	else
		trace(&m, tol, &t);
	for (size_t r = 0; r < t.n; r++) {
		struct ts_ring rings[64];
		size_t n = 0;

		if (t.rings[r].hole)
			continue;
		for (size_t k = r; k < t.n && n < 64; k++)
			if (k == r || (t.rings[k].hole && t.rings[k].outer == r))
				rings[n++] = (struct ts_ring){ t.rings[k].xy, t.rings[k].n };
		assert_int_equal(ts_polygon_object_check(rings, n, &(size_t){ 0 }, &(size_t){ 0 }),
				 TS_POLYGON_OK);
		ts_polygon_rasterise(rings, n, 0, 0, im->w, im->h, one);
		for (size_t i = 0; i < cells; i++)
			cover[i] |= one[i];
	}
	for (size_t i = 0; i < cells; i++) {
		int in = label < 0 ? im->pix[i] != 0 : im->pix[i] == label;

		inter += in && cover[i];
		uni += in || cover[i];
	}
	ts_trace_release(&t);
	free(one);
	free(cover);
	return uni ? (double)inter / (double)uni : 1;
}

/* Generated shapes traced at the default tolerance cover their masks with
 * an IoU of at least 0.98 (exactly 1 without simplification), each object
 * a valid polygon with its holes: as simplified when they are large enough,
 * traced again closer to the pixels (ts_trace_fit) when they are small. */
static void iou_at_default_tolerance(void **state)
{
	struct img im = img_new(256, 200);
	double used;
	(void)state;

	for (double r = 3; r <= 90; r *= 1.5) {
		memset(im.pix, 0, 256 * 200);
		fill_disc(&im, 128.3, 99.6, r, 1);
		assert_true(traced_iou(&im, 1, TS_TRACE_TOLERANCE, 1, &used) >= TS_TRACE_MIN_IOU);
		if (r >= 30) {
			/* No retrace needed: the default tolerance itself fits. */
			assert_true(used == TS_TRACE_TOLERANCE);
			assert_true(traced_iou(&im, 1, TS_TRACE_TOLERANCE, 0, NULL) >= 0.98);
		}
		assert_true(traced_iou(&im, 1, 0, 0, NULL) == 1.0);
	}
	/* Rectangles, an L-shape, a ring with a hole and an island, several
	 * components of two labels, a thin diagonal bar. */
	memset(im.pix, 0, 256 * 200);
	fill_rect(&im, 5, 5, 60, 40, 1);
	fill_rect(&im, 100, 20, 130, 120, 1);
	fill_rect(&im, 100, 100, 200, 120, 1);
	fill_disc(&im, 60, 140, 50, 2);
	fill_disc(&im, 60, 140, 30, 0);
	fill_disc(&im, 60, 140, 15, 2);
	fill_disc(&im, 200, 50, 25, 2);
	for (int y = 130; y < 195; y++)
		for (int x = 0; x < 256; x++)
			if (abs((x - 130) - (y - 130) * 2) <= 3)
				im.pix[y * 256 + x] = 1;
	for (int label = -1; label <= 2; label++) {
		if (label == 0)
			continue;
		assert_true(traced_iou(&im, label, TS_TRACE_TOLERANCE, 1, &used) >= TS_TRACE_MIN_IOU);
		assert_true(traced_iou(&im, label, 0, 0, NULL) == 1.0);
	}
	free(im.pix);
}

static void rectangle(void **state)
{
	struct img im = img_new(40, 30);
	struct ts_trace_mask m = whole(&im, -1);
	struct ts_trace t;
	(void)state;

	fill_rect(&im, 5, 4, 25, 20, 1);
	trace(&m, 0, &t);
	assert_int_equal(t.n, 1);
	assert_false(t.rings[0].hole);
	/* The pixels' outline: four corners, area 20 x 16. */
	assert_int_equal(t.rings[0].n, 4);
	assert_true(fabs(signed_area(t.rings[0].xy, t.rings[0].n) - 320) < 1e-9);
	for (size_t i = 0; i < t.rings[0].n; i++) {
		assert_true(t.rings[0].xy[2 * i] >= 5 && t.rings[0].xy[2 * i] <= 25);
		assert_true(t.rings[0].xy[2 * i + 1] >= 4 && t.rings[0].xy[2 * i + 1] <= 20);
	}
	ts_trace_release(&t);
	trace(&m, TS_TRACE_TOLERANCE, &t);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.rings[0].n, 4);
	assert_true(fabs(signed_area(t.rings[0].xy, t.rings[0].n) - 320) < 1e-9);
	ts_trace_release(&t);
	check_simplified(&m, TS_TRACE_TOLERANCE);
	free(im.pix);
}

static void disc(void **state)
{
	struct img im = img_new(120, 100);
	struct ts_trace_mask m = whole(&im, -1);
	struct ts_trace raw, t;
	double pixels;
	(void)state;

	fill_disc(&im, 60.2, 49.7, 40, 1);
	pixels = (double)count(&im, 1);
	trace(&m, 0, &raw);
	trace(&m, TS_TRACE_TOLERANCE, &t);
	assert_int_equal(t.n, 1);
	assert_true(fabs(signed_area(raw.rings[0].xy, raw.rings[0].n) - pixels) < 1e-9);
	assert_true(fabs(signed_area(t.rings[0].xy, t.rings[0].n) - pixels) < 0.01 * pixels);
	/* Simplification drops most of the staircase. */
	assert_true(t.rings[0].n * 4 < raw.rings[0].n);
	assert_true(t.rings[0].n >= 16);
	ts_trace_release(&raw);
	ts_trace_release(&t);
	check_simplified(&m, TS_TRACE_TOLERANCE);
	check_simplified(&m, 3);
	free(im.pix);
}

static void l_shape(void **state)
{
	struct img im = img_new(50, 50);
	struct ts_trace_mask m = whole(&im, -1);
	struct ts_trace t;
	(void)state;

	fill_rect(&im, 10, 10, 20, 40, 1);
	fill_rect(&im, 10, 30, 40, 40, 1);
	trace(&m, TS_TRACE_TOLERANCE, &t);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.rings[0].n, 6);
	assert_true(fabs(signed_area(t.rings[0].xy, t.rings[0].n) - 500) < 1e-9);
	ts_trace_release(&t);
	check_simplified(&m, TS_TRACE_TOLERANCE);
	free(im.pix);
}

/* An annulus holding an island that has its own hole: outer, hole, outer,
 * hole, each hole attached to the ring around it. */
static void holes_and_islands(void **state)
{
	struct img im = img_new(200, 200);
	struct ts_trace_mask m = whole(&im, -1);
	struct ts_trace t;
	(void)state;

	fill_disc(&im, 100, 100, 90, 1);
	fill_disc(&im, 100, 100, 60, 0);
	fill_disc(&im, 100, 100, 40, 1);
	fill_disc(&im, 100, 100, 15, 0);
	trace(&m, TS_TRACE_TOLERANCE, &t);
	assert_int_equal(t.n, 4);
	assert_false(t.rings[0].hole);
	assert_int_equal(t.rings[0].outer, 0);
	assert_true(t.rings[1].hole);
	assert_int_equal(t.rings[1].outer, 0);
	assert_false(t.rings[2].hole);
	assert_int_equal(t.rings[2].outer, 2);
	assert_true(t.rings[3].hole);
	assert_int_equal(t.rings[3].outer, 2);
	/* The outer ring's area less its hole's is the annulus. */
	{
		double a = signed_area(t.rings[0].xy, t.rings[0].n) +
			   signed_area(t.rings[1].xy, t.rings[1].n);
		double want = M_PI * (90 * 90 - 60 * 60);

		assert_true(fabs(a - want) < 0.01 * want);
	}
	ts_trace_release(&t);
	check_simplified(&m, TS_TRACE_TOLERANCE);
	free(im.pix);
}

/* A hole found on a row after another hole of the same component, left of
 * it: both belong to the component's outer ring. */
static void two_holes(void **state)
{
	struct img im = img_new(60, 40);
	struct ts_trace_mask m = whole(&im, -1);
	struct ts_trace t;
	(void)state;

	fill_rect(&im, 2, 2, 58, 38, 1);
	fill_rect(&im, 30, 5, 40, 20, 0); /* found first (higher) */
	fill_rect(&im, 8, 10, 20, 30, 0); /* lower, left of the first */
	fill_rect(&im, 45, 25, 50, 30, 0);
	trace(&m, TS_TRACE_TOLERANCE, &t);
	assert_int_equal(t.n, 4);
	assert_false(t.rings[0].hole);
	for (size_t i = 1; i < 4; i++) {
		assert_true(t.rings[i].hole);
		assert_int_equal(t.rings[i].outer, 0);
	}
	ts_trace_release(&t);
	free(im.pix);
}

static void components(void **state)
{
	struct img im = img_new(100, 60);
	struct ts_trace_mask m = whole(&im, -1);
	struct ts_trace t;
	(void)state;

	fill_disc(&im, 20, 20, 12, 1);
	fill_rect(&im, 50, 5, 90, 15, 1);
	fill_rect(&im, 40, 40, 41, 41, 1); /* a single pixel */
	fill_disc(&im, 75, 40, 10, 1);
	trace(&m, TS_TRACE_TOLERANCE, &t);
	assert_int_equal(t.n, 4);
	for (size_t i = 0; i < t.n; i++) {
		assert_false(t.rings[i].hole);
		assert_int_equal(t.rings[i].outer, i);
		assert_true(t.rings[i].n >= 3);
	}
	ts_trace_release(&t);
	/* The single pixel: its square, too small to simplify. */
	fill_rect(&im, 0, 0, 100, 60, 0);
	fill_rect(&im, 40, 40, 41, 41, 1);
	trace(&m, TS_TRACE_TOLERANCE, &t);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.rings[0].n, 4);
	assert_true(fabs(signed_area(t.rings[0].xy, 4) - 1) < 1e-9);
	ts_trace_release(&t);
	check_simplified(&m, TS_TRACE_TOLERANCE);
	free(im.pix);
}

/* Pixels touching at a corner are one component; background touching at a
 * corner is not one hole. */
static void diagonal_connectivity(void **state)
{
	struct img im = img_new(10, 10);
	struct ts_trace_mask m = whole(&im, -1);
	struct ts_trace t;
	(void)state;

	fill_rect(&im, 2, 2, 3, 3, 1);
	fill_rect(&im, 3, 3, 4, 4, 1);
	trace(&m, 0, &t);
	assert_int_equal(t.n, 1);
	/* Two squares joined where they touch, the ring a quarter pixel off
	 * the shared corner on both sides, each side adding a quarter. */
	assert_int_equal(t.rings[0].n, 8);
	assert_true(fabs(signed_area(t.rings[0].xy, 8) - 2.5) < 1e-9);
	ts_trace_release(&t);
	/* A 3x3 square with its centre and a corner out: the centre is a
	 * hole, apart from the outside it touches only at a corner. */
	fill_rect(&im, 0, 0, 10, 10, 0);
	fill_rect(&im, 4, 4, 7, 7, 1);
	fill_rect(&im, 5, 5, 6, 6, 0);
	fill_rect(&im, 6, 6, 7, 7, 0);
	trace(&m, 0, &t);
	assert_int_equal(t.n, 2);
	assert_true(t.rings[1].hole);
	ts_trace_release(&t);
	check_simplified(&m, TS_TRACE_TOLERANCE);
	free(im.pix);
}

/* Shapes touching the image's edges, and a full mask. */
static void edges(void **state)
{
	struct img im = img_new(30, 20);
	struct ts_trace_mask m = whole(&im, -1);
	struct ts_trace t;
	(void)state;

	fill_rect(&im, 0, 0, 30, 20, 1);
	trace(&m, TS_TRACE_TOLERANCE, &t);
	assert_int_equal(t.n, 1);
	assert_true(fabs(signed_area(t.rings[0].xy, t.rings[0].n) - 600) < 1e-9);
	for (size_t i = 0; i < t.rings[0].n; i++) {
		assert_true(t.rings[0].xy[2 * i] >= 0 && t.rings[0].xy[2 * i] <= 30);
		assert_true(t.rings[0].xy[2 * i + 1] >= 0 && t.rings[0].xy[2 * i + 1] <= 20);
	}
	ts_trace_release(&t);
	fill_rect(&im, 0, 0, 30, 20, 0);
	trace(&m, TS_TRACE_TOLERANCE, &t);
	assert_int_equal(t.n, 0);
	ts_trace_release(&t);
	free(im.pix);
}

/* A class-index mask: its labels with their boxes, each label traced in its
 * box with image coordinates. */
static void labels_and_windows(void **state)
{
	struct img im = img_new(64, 48);
	struct ts_trace_label *labels;
	struct ts_trace_mask m;
	struct ts_trace t;
	size_t n;
	(void)state;

	fill_rect(&im, 10, 5, 20, 15, 3);
	fill_rect(&im, 30, 20, 60, 40, 7);
	fill_rect(&im, 40, 25, 50, 30, 3); /* inside label 7: a hole of 7, a part of 3 */
	ts_trace_labels(im.pix, (size_t)im.w, 1, im.w, im.h, &labels, &n);
	assert_int_equal(n, 2);
	assert_int_equal(labels[0].label, 3);
	assert_int_equal(labels[0].x0, 10);
	assert_int_equal(labels[0].y0, 5);
	assert_int_equal(labels[0].w, 40);
	assert_int_equal(labels[0].h, 25);
	assert_int_equal(labels[0].pixels, 150);
	assert_int_equal(labels[1].label, 7);
	assert_int_equal(labels[1].pixels, 550);

	m = (struct ts_trace_mask){ im.pix, (size_t)im.w, 1, labels[1].x0, labels[1].y0,
				    labels[1].w, labels[1].h, 7 };
	trace(&m, TS_TRACE_TOLERANCE, &t);
	assert_int_equal(t.n, 2);
	assert_true(t.rings[1].hole);
	for (size_t i = 0; i < t.rings[0].n; i++) {
		assert_true(t.rings[0].xy[2 * i] >= 30 && t.rings[0].xy[2 * i] <= 60);
		assert_true(t.rings[0].xy[2 * i + 1] >= 20 && t.rings[0].xy[2 * i + 1] <= 40);
	}
	ts_trace_release(&t);
	m = (struct ts_trace_mask){ im.pix, (size_t)im.w, 1, labels[0].x0, labels[0].y0,
				    labels[0].w, labels[0].h, 3 };
	trace(&m, TS_TRACE_TOLERANCE, &t);
	assert_int_equal(t.n, 2);
	assert_false(t.rings[0].hole);
	assert_false(t.rings[1].hole);
	assert_true(fabs(signed_area(t.rings[0].xy, t.rings[0].n) - 100) < 1e-9);
	ts_trace_release(&t);
	free(labels);
	free(im.pix);
}

static void sixteen_bit(void **state)
{
	int w = 40, h = 30;
	uint16_t *pix = calloc((size_t)w * (size_t)h, sizeof(*pix));
	struct ts_trace_label *labels;
	struct ts_trace_mask m;
	struct ts_trace t;
	size_t n;
	(void)state;

	for (int y = 5; y < 15; y++)
		for (int x = 5; x < 25; x++)
			pix[y * w + x] = 1000;
	pix[20 * w + 30] = 65535;
	ts_trace_labels(pix, (size_t)w * 2, 2, w, h, &labels, &n);
	assert_int_equal(n, 2);
	assert_int_equal(labels[0].label, 1000);
	assert_int_equal(labels[1].label, 65535);
	m = (struct ts_trace_mask){ pix, (size_t)w * 2, 2, 0, 0, w, h, 1000 };
	trace(&m, 0, &t);
	assert_int_equal(t.n, 1);
	assert_true(fabs(signed_area(t.rings[0].xy, t.rings[0].n) - 200) < 1e-9);
	ts_trace_release(&t);
	free(labels);
	free(pix);
}

static void refusals(void **state)
{
	struct img im = img_new(64, 64);
	struct ts_trace_mask m = whole(&im, -1);
	struct ts_error err = { 0 };
	struct ts_trace t;
	(void)state;

	/* A checkerboard: a ring around every pixel. */
	for (int y = 0; y < 64; y++)
		for (int x = 0; x < 64; x++)
			im.pix[y * 64 + x] = (x + y) % 2 == 0;
	assert_int_equal(ts_trace_mask(&m, 1, 100, &t, &err), TS_ERR_TOO_LARGE);
	assert_string_equal(err.code, "too_many_points");
	ts_trace_release(&t);
	ts_error_release(&err);
	assert_int_equal(ts_trace_mask(&m, -1, 0, &t, &err), TS_ERR_INVALID);
	assert_string_equal(err.code, "invalid_mask");
	ts_error_release(&err);
	assert_int_equal(ts_trace_mask(&m, NAN, 0, &t, &err), TS_ERR_INVALID);
	ts_error_release(&err);
	m.w = 65; /* wider than the rows */
	assert_int_equal(ts_trace_mask(&m, 1, 0, &t, &err), TS_ERR_INVALID);
	ts_error_release(&err);
	m.w = 0;
	assert_int_equal(ts_trace_mask(&m, 1, 0, &t, &err), TS_ERR_INVALID);
	ts_error_release(&err);
	assert_int_equal(ts_trace_scratch_bytes(&m), 0);
	m.w = 64;
	assert_int_equal(ts_trace_scratch_bytes(&m), 65 * 64 * 4);
	free(im.pix);
}

static void simplify_ring(void **state)
{
	/* A square with extra points on its sides and a 0.4 bump. */
	double xy[] = { 0, 0, 5, 0, 10, 0, 10, 5, 10.4, 7, 10, 10, 5, 10, 0, 10, 0, 5 };
	double tri[] = { 0, 0, 1, 0, 0.5, 0.1 };
	size_t n = ts_trace_simplify(xy, 9, 1);
	(void)state;

	assert_int_equal(n, 4);
	assert_true(fabs(signed_area(xy, n) - 100) < 1e-9);
	/* A flat triangle is kept rather than flattened to a line. */
	assert_int_equal(ts_trace_simplify(tri, 3, 1), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rectangle),
		cmocka_unit_test(disc),
		cmocka_unit_test(l_shape),
		cmocka_unit_test(holes_and_islands),
		cmocka_unit_test(two_holes),
		cmocka_unit_test(components),
		cmocka_unit_test(diagonal_connectivity),
		cmocka_unit_test(edges),
		cmocka_unit_test(labels_and_windows),
		cmocka_unit_test(sixteen_bit),
		cmocka_unit_test(refusals),
		cmocka_unit_test(simplify_ring),
		cmocka_unit_test(iou_at_default_tolerance),
	};
	return cmocka_run_group_tests_name("domain/trace", tests, NULL, NULL);
}
