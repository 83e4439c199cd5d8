/* Polygon geometry for segmentation objects: area, bounds, point in
 * polygon, ring validity, holes, rasterisation to a mask and COCO RLE.
 * Pure: no I/O, no JSON.
 *
 * A ring is n points given as a flat array xy = [x0, y0, x1, y1, ...] of
 * 2n doubles in continuous image pixels (the pixel (i, j) covers
 * [i, i+1) x [j, j+1); its centre is (i + 0.5, j + 0.5)). A ring is closed
 * implicitly: its last edge goes from the last point back to the first; the
 * first point is not repeated.
 *
 * An object is one or more rings. Its rings never cross or touch each
 * other (ts_polygon_object_check), so any two are either apart or one lies
 * inside the other. A ring lying inside an odd number of the object's other
 * rings is a hole; inside an even number (0, 2 ...) it is a part (an
 * island in a hole is a part again). This is the even-odd rule, which the
 * rasteriser applies as it is, and the area of an object is the sum of
 * its parts' areas minus its holes' areas.
 *
 * Rasterisation rule (the same in contract/python/tessera_dataset.py): a
 * pixel belongs to the mask when its centre is inside the object by the
 * even-odd rule, where for each pixel row (centre y = j + 0.5) an edge
 * from (x0, y0) to (x1, y1) crosses the row when (y0 <= y) != (y1 <= y),
 * at x = x0 + (y - y0) * (x1 - x0) / (y1 - y0) computed in that order in
 * IEEE doubles; the crossings are sorted and the pixels whose centre x
 * satisfies c[2k] <= x < c[2k+1] are set. So a centre exactly on a left
 * or top edge is inside and one on a right or bottom edge is outside. */
#ifndef TS_DOMAIN_POLYGON_H
#define TS_DOMAIN_POLYGON_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* One ring of an object: n points at xy[0 .. 2n-1] (borrowed). */
struct ts_ring {
	const double *xy;
	size_t n;
};

/* Points of one object (all its rings together) that ts_polygon_object_check
 * accepts. Its crossing test sorts the edges by x and compares only edges
 * whose x extents overlap (then whose y extents overlap): O(n log n) for the
 * shapes people draw and masks trace, whose edges are short, but O(n^2) at
 * worst (long edges all spanning the same x, as in a comb of long diagonal
 * teeth). So the work is bounded twice: by this many points, and by
 * TS_POLYGON_MAX_PAIR_TESTS edge pairs looked at, past which the object is
 * refused as too complex to check (TS_POLYGON_TOO_COMPLEX). A 10,000-point
 * circle takes about 10^4 pairs (under a millisecond); the budget is about
 * a twentieth of a second of one core. */
#define TS_POLYGON_MAX_OBJECT_POINTS 10000
#define TS_POLYGON_MAX_PAIR_TESTS 2000000

/* The shoelace area of a ring: positive when its points turn
 * counter-clockwise in a y-up frame (clockwise on screen, y down). */
double ts_polygon_signed_area(const double *xy, size_t n);

/* The bounds of rings[0..nrings-1] as a COCO box [x, y, w, h]; all zeros
 * for no points. */
void ts_polygon_bounds(const struct ts_ring *rings, size_t nrings, double out[4]);

/* 1 when (x, y) is inside the ring by the rasteriser's rule (even-odd,
 * crossings at x' <= x counted): a point on a left or top edge is inside,
 * on a right or bottom edge outside. */
int ts_polygon_contains(const double *xy, size_t n, double x, double y);

/* Why a ring or an object is refused. */
enum ts_polygon_fault {
	TS_POLYGON_OK = 0,
	TS_POLYGON_TOO_FEW,       /* fewer than 3 points */
	TS_POLYGON_REPEATED,      /* two consecutive points equal (also last == first) */
	TS_POLYGON_NO_AREA,       /* all points on one line */
	TS_POLYGON_SELF_CROSSING, /* two edges of the ring cross, touch or overlap */
	TS_POLYGON_RINGS_CROSS,   /* edges of two rings of the object cross or touch */
	TS_POLYGON_TOO_MANY,      /* more than TS_POLYGON_MAX_OBJECT_POINTS points */
	TS_POLYGON_TOO_COMPLEX,   /* more than TS_POLYGON_MAX_PAIR_TESTS pairs to test */
};

/* A sentence fragment for a fault ("intersects itself"). Static. */
const char *ts_polygon_fault_text(enum ts_polygon_fault f);

/* Checks a ring alone: at least 3 points, no repeated consecutive point,
 * a non-zero area and no two edges that meet other than consecutive edges
 * at their shared point (a consecutive edge folding back over the other
 * is a crossing too). Three distinct points that are not on one line
 * always pass. */
enum ts_polygon_fault ts_polygon_ring_check(const double *xy, size_t n);

/* Checks an object: each ring as ts_polygon_ring_check does, then that no
 * two rings meet. On a fault, *ring is the index of the (first) ring at
 * fault and *other the other ring for TS_POLYGON_RINGS_CROSS (else the same
 * as *ring). */
enum ts_polygon_fault ts_polygon_object_check(const struct ts_ring *rings, size_t nrings,
					      size_t *ring, size_t *other);

/* 1 when ring a lies inside ring b, for two rings that do not meet (as
 * ts_polygon_object_check ensures): a's first point is inside b. */
int ts_polygon_ring_inside(const double *a, size_t na, const double *b, size_t nb);

/* How many of the other rings of the object ring i lies inside; odd = a
 * hole. */
size_t ts_polygon_ring_depth(const struct ts_ring *rings, size_t nrings, size_t i);
/* 1 when some ring of the object is a hole. */
int ts_polygon_has_holes(const struct ts_ring *rings, size_t nrings);
/* The object's area: its parts' areas minus its holes' areas (>= 0 for a
 * checked object). */
double ts_polygon_area(const struct ts_ring *rings, size_t nrings);

/* Sets mask[j * w + i] to 1 for each pixel (x0 + i, y0 + j) of the window
 * x0, y0, w, h whose centre is inside the object (the rule above), 0 for
 * the others. mask holds w * h bytes. Returns the pixels set. */
int64_t ts_polygon_rasterise(const struct ts_ring *rings, size_t nrings, int64_t x0, int64_t y0,
			     int64_t w, int64_t h, uint8_t *mask);

/* COCO run-length encoding of a height x width mask: counts[] alternate
 * runs of 0 and of 1, starting with 0 (so counts[0] may be 0), over the
 * pixels in column-major order (x outer, y inner), summing to height *
 * width. */
struct ts_rle {
	int64_t height, width;
	int64_t *counts; /* malloc'd */
	size_t n;
};

/* The RLE of a mask window (w x h bytes, row-major, nonzero = set) placed
 * at x0, y0 in a height x width image (the window lies inside it). */
void ts_rle_encode(const uint8_t *mask, int64_t x0, int64_t y0, int64_t w, int64_t h,
		   int64_t height, int64_t width, struct ts_rle *out);
/* The object's mask in a height x width image as RLE (rasterised within its
 * bounds; takes about their area in bytes). */
void ts_rle_from_object(const struct ts_ring *rings, size_t nrings, int64_t height,
			int64_t width, struct ts_rle *out);
/* The pixels set. */
int64_t ts_rle_area(const struct ts_rle *r);
/* The row-major mask (height * width bytes of 0 and 1) of a valid RLE. */
void ts_rle_decode(const struct ts_rle *r, uint8_t *mask);
/* The bounds [x, y, w, h] of the set pixels (zeros for none), as
 * pycocotools' toBbox. */
void ts_rle_bounds(const struct ts_rle *r, double out[4]);

/* COCO's compressed counts string (pycocotools' rleToString): each count
 * after the second minus the count two before, in 5-bit groups with a
 * continuation bit, plus 48. Caller frees. */
char *ts_rle_to_string(const struct ts_rle *r);

/* Uncompressed counts (a copy of counts[0..n-1]) checked against height
 * and width: every count > 0 (the first >= 0), summing to height * width
 * (so n <= height * width + 1). INVALID "invalid_rle" otherwise. out is
 * released by the caller also after an
 * error. A count of 0 is refused but for the first. */
enum ts_err ts_rle_from_counts(const int64_t *counts, size_t n, int64_t height, int64_t width,
			       struct ts_rle *out, struct ts_error *err);
/* The compressed string s (len bytes) decoded and checked as
 * ts_rle_from_counts checks; every count takes at least one byte of s, so
 * memory stays within 8 * len bytes. */
enum ts_err ts_rle_from_string(const char *s, size_t len, int64_t height, int64_t width,
			       struct ts_rle *out, struct ts_error *err);
void ts_rle_release(struct ts_rle *r);

#endif
