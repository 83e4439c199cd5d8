/* Polygon geometry: area, bounds, point in polygon, ring and object checks,
 * holes, rasterisation at pixel centres and COCO RLE, on cases worked out
 * by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "domain/polygon.h"

#define N(a) (sizeof(a) / sizeof((a)[0]) / 2)

static const double square4x3[] = { 0, 0, 4, 0, 4, 3, 0, 3 };

static void area_and_bounds(void **state)
{
	static const double rev[] = { 0, 3, 4, 3, 4, 0, 0, 0 };
	static const double tri[] = { 1, 1, 5, 1, 1, 7 };
	struct ts_ring rings[] = { { square4x3, 4 }, { tri, 3 } };
	double bb[4];
	(void)state;

	assert_true(ts_polygon_signed_area(square4x3, 4) == 12);
	assert_true(ts_polygon_signed_area(rev, 4) == -12);
	assert_true(ts_polygon_signed_area(tri, 3) == 12);
	ts_polygon_bounds(rings, 2, bb);
	assert_true(bb[0] == 0 && bb[1] == 0 && bb[2] == 5 && bb[3] == 7);
	ts_polygon_bounds(rings + 1, 1, bb);
	assert_true(bb[0] == 1 && bb[1] == 1 && bb[2] == 4 && bb[3] == 6);
	ts_polygon_bounds(NULL, 0, bb);
	assert_true(bb[0] == 0 && bb[2] == 0);
}

static void point_in_polygon(void **state)
{
	(void)state;
	assert_true(ts_polygon_contains(square4x3, 4, 2, 1));
	assert_false(ts_polygon_contains(square4x3, 4, 5, 1));
	assert_false(ts_polygon_contains(square4x3, 4, 2, -1));
	/* On a left or top edge: inside; on a right or bottom edge: outside. */
	assert_true(ts_polygon_contains(square4x3, 4, 0, 1));
	assert_true(ts_polygon_contains(square4x3, 4, 2, 0));
	assert_false(ts_polygon_contains(square4x3, 4, 4, 1));
	assert_false(ts_polygon_contains(square4x3, 4, 2, 3));
}

static void ring_checks(void **state)
{
	static const double two[] = { 0, 0, 1, 1 };
	static const double repeated[] = { 0, 0, 4, 0, 4, 0, 0, 4 };
	static const double closed[] = { 0, 0, 4, 0, 0, 4, 0, 0 };
	static const double line[] = { 0, 0, 5, 0, 10, 0 };
	static const double bowtie[] = { 0, 0, 4, 4, 4, 0, 0, 5 };
	static const double pinch[] = { 0, 0, 4, 0, 2, 2, 4, 4, 0, 4, 2, 2 };
	static const double fold[] = { 0, 0, 4, 0, 2, 0, 2, 3 };
	static const double straight[] = { 0, 0, 2, 0, 4, 0, 4, 4 }; /* a redundant point */
	static const double concave[] = { 0, 0, 10, 0, 10, 10, 5, 2, 0, 10 };
	(void)state;

	assert_int_equal(ts_polygon_ring_check(square4x3, 4), TS_POLYGON_OK);
	assert_int_equal(ts_polygon_ring_check(two, N(two)), TS_POLYGON_TOO_FEW);
	assert_int_equal(ts_polygon_ring_check(repeated, N(repeated)), TS_POLYGON_REPEATED);
	assert_int_equal(ts_polygon_ring_check(closed, N(closed)), TS_POLYGON_REPEATED);
	assert_int_equal(ts_polygon_ring_check(line, N(line)), TS_POLYGON_NO_AREA);
	assert_int_equal(ts_polygon_ring_check(bowtie, N(bowtie)), TS_POLYGON_SELF_CROSSING);
	assert_int_equal(ts_polygon_ring_check(pinch, N(pinch)), TS_POLYGON_SELF_CROSSING);
	assert_int_equal(ts_polygon_ring_check(fold, N(fold)), TS_POLYGON_SELF_CROSSING);
	assert_int_equal(ts_polygon_ring_check(straight, N(straight)), TS_POLYGON_OK);
	assert_int_equal(ts_polygon_ring_check(concave, N(concave)), TS_POLYGON_OK);
	assert_string_equal(ts_polygon_fault_text(TS_POLYGON_SELF_CROSSING), "intersects itself");
}

static void objects_and_holes(void **state)
{
	static const double outer[] = { 0, 0, 10, 0, 10, 10, 0, 10 };
	static const double hole[] = { 2, 2, 4, 2, 4, 4, 2, 4 };
	static const double island[] = { 2.5, 2.5, 3.5, 2.5, 3.5, 3.5, 2.5, 3.5 };
	static const double apart[] = { 20, 0, 22, 0, 22, 2 };
	static const double across[] = { 8, 8, 12, 8, 12, 12, 8, 12 };
	static const double touching[] = { 10, 0, 12, 0, 12, 2 };
	struct ts_ring with_hole[] = { { outer, 4 }, { hole, 4 } };
	struct ts_ring nested[] = { { outer, 4 }, { hole, 4 }, { island, 4 }, { apart, 3 } };
	struct ts_ring crossing[] = { { apart, 3 }, { outer, 4 }, { across, 4 } };
	struct ts_ring touch[] = { { outer, 4 }, { touching, 3 } };
	struct ts_ring parts[] = { { outer, 4 }, { apart, 3 } };
	size_t r, o;
	(void)state;

	assert_int_equal(ts_polygon_object_check(with_hole, 2, &r, &o), TS_POLYGON_OK);
	assert_true(ts_polygon_ring_inside(hole, 4, outer, 4));
	assert_false(ts_polygon_ring_inside(outer, 4, hole, 4));
	assert_true(ts_polygon_has_holes(with_hole, 2));
	assert_true(ts_polygon_area(with_hole, 2) == 96);
	assert_false(ts_polygon_has_holes(parts, 2));
	assert_true(ts_polygon_area(parts, 2) == 102);
	/* An island in a hole is a part again: 100 - 4 + 1 + 2. */
	assert_int_equal(ts_polygon_object_check(nested, 4, &r, &o), TS_POLYGON_OK);
	assert_int_equal(ts_polygon_ring_depth(nested, 4, 2), 2);
	assert_true(ts_polygon_area(nested, 4) == 99);
	assert_int_equal(ts_polygon_object_check(crossing, 3, &r, &o), TS_POLYGON_RINGS_CROSS);
	assert_int_equal(r, 1);
	assert_int_equal(o, 2);
	assert_int_equal(ts_polygon_object_check(touch, 2, &r, &o), TS_POLYGON_RINGS_CROSS);
	/* The first ring at fault is named. */
	{
		static const double bad[] = { 20, 0, 24, 4, 24, 0, 20, 5 };
		struct ts_ring second_bad[] = { { outer, 4 }, { bad, 4 } };

		assert_int_equal(ts_polygon_object_check(second_bad, 2, &r, &o),
				 TS_POLYGON_SELF_CROSSING);
		assert_int_equal(r, 1);
	}
}

static void point_limit(void **state)
{
	size_t n = TS_POLYGON_MAX_OBJECT_POINTS + 1, r, o;
	double *xy = malloc(2 * n * sizeof(*xy));
	struct ts_ring ring = { xy, n };
	(void)state;

	/* A regular polygon: valid but for its size. */
	for (size_t i = 0; i < n; i++) {
		xy[2 * i] = 5000 + 4000 * cos(2 * M_PI * (double)i / (double)n);
		xy[2 * i + 1] = 5000 + 4000 * sin(2 * M_PI * (double)i / (double)n);
	}
	assert_int_equal(ts_polygon_object_check(&ring, 1, &r, &o), TS_POLYGON_TOO_MANY);
	ring.n = n - 1;
	assert_int_equal(ts_polygon_object_check(&ring, 1, &r, &o), TS_POLYGON_OK);
	free(xy);
}

/* A comb of long parallel diagonal teeth, closed below: valid, but every
 * edge's box overlaps every other's, the crossing test's worst case. Its
 * pair budget refuses it (a short comb passes). */
static void pair_budget(void **state)
{
	size_t teeth = 4998, n = 2 * teeth + 3, r, o;
	double *xy = malloc(2 * n * sizeof(*xy));
	struct ts_ring ring = { xy, n };
	(void)state;

	for (size_t i = 0; i < teeth; i++) {
		xy[4 * i] = (double)i * 0.1;
		xy[4 * i + 1] = 0;
		xy[4 * i + 2] = 1000 + (double)i * 0.1 + 0.05;
		xy[4 * i + 3] = 1000;
	}
	xy[4 * teeth] = 3000;
	xy[4 * teeth + 1] = 1000;
	xy[4 * teeth + 2] = 3000;
	xy[4 * teeth + 3] = -10;
	xy[4 * teeth + 4] = 0;
	xy[4 * teeth + 5] = -10;
	assert_int_equal(ts_polygon_object_check(&ring, 1, &r, &o), TS_POLYGON_TOO_COMPLEX);
	/* 100 teeth: about 200^2 / 2 pairs, well within the budget. */
	memmove(xy + 400, xy + 4 * teeth, 6 * sizeof(*xy));
	ring.n = 203;
	assert_int_equal(ts_polygon_object_check(&ring, 1, &r, &o), TS_POLYGON_OK);
	free(xy);
}

static void rasterise(void **state)
{
	static const double sq[] = { 1, 1, 3, 1, 3, 3, 1, 3 };
	static const double tri[] = { 0, 0, 4, 0, 0, 4 };
	static const double outer[] = { 0, 0, 4, 0, 4, 4, 0, 4 };
	static const double hole[] = { 1, 1, 1, 3, 3, 3, 3, 1 };
	struct ts_ring r1 = { sq, 4 }, r2 = { tri, 3 };
	struct ts_ring r3[] = { { outer, 4 }, { hole, 4 } };
	uint8_t m[16];
	static const uint8_t want_sq[16] = { 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0 };
	/* Centres on the hypotenuse x + y = 4 are on a right edge: outside. */
	static const uint8_t want_tri[16] = { 1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t want_ring[16] = { 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1 };
	(void)state;

	assert_int_equal(ts_polygon_rasterise(&r1, 1, 0, 0, 4, 4, m), 4);
	assert_memory_equal(m, want_sq, 16);
	assert_int_equal(ts_polygon_rasterise(&r2, 1, 0, 0, 4, 4, m), 6);
	assert_memory_equal(m, want_tri, 16);
	assert_int_equal(ts_polygon_rasterise(r3, 2, 0, 0, 4, 4, m), 12);
	assert_memory_equal(m, want_ring, 16);
	/* A window: pixels (2..3, 1..2) of the square. */
	assert_int_equal(ts_polygon_rasterise(&r1, 1, 2, 1, 2, 2, m), 2);
	assert_int_equal(m[0], 1);
	assert_int_equal(m[1], 0);
	assert_int_equal(m[2], 1);
	assert_int_equal(m[3], 0);
	/* Half a pixel moves the rule's edges: [0.5, 2.5) covers centres 0.5, 1.5. */
	{
		static const double half[] = { 0.5, 0.5, 2.5, 0.5, 2.5, 2.5, 0.5, 2.5 };
		struct ts_ring rh = { half, 4 };

		assert_int_equal(ts_polygon_rasterise(&rh, 1, 0, 0, 4, 4, m), 4);
		assert_int_equal(m[0], 1);
		assert_int_equal(m[5], 1);
		assert_int_equal(m[2], 0);
	}
}

static void rle_encode_decode(void **state)
{
	/* width 3, height 2, row-major: column-major 0 0 | 1 0 | 1 1. */
	static const uint8_t mask[6] = { 0, 1, 1, 0, 0, 1 };
	struct ts_rle r, back;
	struct ts_error err = { 0 };
	uint8_t out[6];
	double bb[4];
	char *s;
	(void)state;

	ts_rle_encode(mask, 0, 0, 3, 2, 2, 3, &r);
	assert_int_equal(r.n, 4);
	assert_int_equal(r.counts[0], 2);
	assert_int_equal(r.counts[1], 1);
	assert_int_equal(r.counts[2], 1);
	assert_int_equal(r.counts[3], 2);
	assert_int_equal(ts_rle_area(&r), 3);
	ts_rle_bounds(&r, bb);
	assert_true(bb[0] == 1 && bb[1] == 0 && bb[2] == 2 && bb[3] == 2);
	s = ts_rle_to_string(&r);
	/* 2, 1, 1, then 2 - 1 = 1 (each count after the third is a delta). */
	assert_string_equal(s, "2111");
	assert_int_equal(ts_rle_from_string(s, strlen(s), 2, 3, &back, &err), TS_OK);
	assert_int_equal(back.n, 4);
	assert_int_equal(back.counts[3], 2);
	ts_rle_decode(&back, out);
	assert_memory_equal(out, mask, 6);
	free(s);
	ts_rle_release(&back);
	ts_rle_release(&r);

	/* A mask starting with a set pixel begins with an empty run of 0s. */
	{
		static const uint8_t ones[4] = { 1, 1, 1, 1 };

		ts_rle_encode(ones, 0, 0, 2, 2, 2, 2, &r);
		assert_int_equal(r.n, 2);
		assert_int_equal(r.counts[0], 0);
		assert_int_equal(r.counts[1], 4);
		s = ts_rle_to_string(&r);
		assert_string_equal(s, "04");
		free(s);
		ts_rle_release(&r);
	}
	/* A window inside a larger image: zeros around it. */
	{
		static const uint8_t one[1] = { 1 };

		ts_rle_encode(one, 1, 1, 1, 1, 3, 3, &r);
		assert_int_equal(r.n, 3);
		assert_int_equal(r.counts[0], 4);
		assert_int_equal(r.counts[1], 1);
		assert_int_equal(r.counts[2], 4);
		ts_rle_release(&r);
	}
}

static void rle_strings(void **state)
{
	static const int64_t counts[] = { 5, 10, 3, 2, 100 };
	struct ts_rle r, back;
	struct ts_error err = { 0 };
	char *s;
	(void)state;

	assert_int_equal(ts_rle_from_counts(counts, 5, 12, 10, &r, &err), TS_OK);
	s = ts_rle_to_string(&r);
	/* 5 '5', 10 ':', 3 '3', 2 - 10 = -8 -> 24 + 48 'H', 100 - 3 = 97 -> 1|0x20, 3 -> "Q3". */
	assert_string_equal(s, "5:3HQ3");
	assert_int_equal(ts_rle_from_string(s, strlen(s), 12, 10, &back, &err), TS_OK);
	assert_int_equal(back.n, 5);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(back.counts[i], counts[i]);
	free(s);
	ts_rle_release(&back);
	ts_rle_release(&r);

	/* Refusals: wrong total, a zero run, a bad character, a cut count. */
	assert_int_equal(ts_rle_from_counts(counts, 5, 10, 10, &r, &err), TS_ERR_INVALID);
	assert_string_equal(err.code, "invalid_rle");
	ts_rle_release(&r);
	{
		static const int64_t zero[] = { 2, 0, 2 };

		assert_int_equal(ts_rle_from_counts(zero, 3, 2, 2, &r, &err), TS_ERR_INVALID);
		ts_rle_release(&r);
	}
	assert_int_equal(ts_rle_from_string("2~", 2, 2, 2, &r, &err), TS_ERR_INVALID);
	ts_rle_release(&r);
	assert_int_equal(ts_rle_from_string("2R", 2, 2, 2, &r, &err), TS_ERR_INVALID);
	ts_rle_release(&r);
	assert_int_equal(ts_rle_from_string("oooooooooooooooo", 16, 2, 2, &r, &err),
			 TS_ERR_INVALID);
	ts_rle_release(&r);
	/* A negative count. */
	assert_int_equal(ts_rle_from_string("H", 1, 2, 2, &r, &err), TS_ERR_INVALID);
	ts_rle_release(&r);
}

static void object_rle(void **state)
{
	static const double outer[] = { 0, 0, 4, 0, 4, 4, 0, 4 };
	static const double hole[] = { 1, 1, 3, 1, 3, 3, 1, 3 };
	struct ts_ring rings[] = { { outer, 4 }, { hole, 4 } };
	struct ts_rle r;
	double bb[4];
	(void)state;

	/* In a 6 x 5 (h x w) image: columns 0 and 3 full (4 set), 1 and 2 set at rows 0, 3. */
	ts_rle_from_object(rings, 2, 6, 5, &r);
	assert_int_equal(ts_rle_area(&r), 12);
	assert_true(ts_rle_area(&r) == (int64_t)ts_polygon_area(rings, 2));
	ts_rle_bounds(&r, bb);
	assert_true(bb[0] == 0 && bb[1] == 0 && bb[2] == 4 && bb[3] == 4);
	assert_int_equal(r.counts[0], 0);
	assert_int_equal(r.counts[1], 4);
	assert_int_equal(r.counts[2], 2);
	assert_int_equal(r.counts[3], 1);
	ts_rle_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(area_and_bounds),   cmocka_unit_test(point_in_polygon),
		cmocka_unit_test(ring_checks),       cmocka_unit_test(objects_and_holes),
		cmocka_unit_test(point_limit),       cmocka_unit_test(pair_budget),
		cmocka_unit_test(rasterise),
		cmocka_unit_test(rle_encode_decode), cmocka_unit_test(rle_strings),
		cmocka_unit_test(object_rle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
