/* Contour tracing: the outlines of a label in a mask (a class-index or an
 * instance mask), as polygon rings, then simplified. Pure: no I/O.
 *
 * Tracing follows the pixels' edges, the cracks between an inside pixel
 * and an outside neighbour: a ring's points are pixel corners, so the
 * rings, filled by pixel centres, give the mask back exactly before
 * simplification. Coordinates are continuous image pixels: pixel (x, y)
 * covers [x, x + 1] x [y, y + 1], as in COCO.
 *
 * Connectivity: inside pixels touching at a corner belong to one component
 * (8-connected); the background, and so a hole, is 4-connected. There the
 * ring passes a quarter pixel off the shared corner, on the side of the
 * outside pixels, so that rings never cross nor touch each other or
 * themselves. Each component has one outer ring and zero or more holes
 * (rings around background it encloses).
 *
 * Simplification is Douglas-Peucker on each closed ring: every removed
 * vertex lies within the tolerance of the simplified ring's edge that
 * replaced it.
 *
 * Memory: tracing holds 4 bytes per pixel of the traced window
 * (ts_trace_scratch_bytes) plus the points; max_points bounds the points. */
#ifndef TS_DOMAIN_TRACE_H
#define TS_DOMAIN_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* The default simplification tolerance, in pixels. */
#define TS_TRACE_TOLERANCE 1.0
/* The largest tolerance a caller may ask for. */
#define TS_TRACE_TOLERANCE_MAX 16.0

/* A mask (borrowed). Pixels are row-major, 1 or 2 bytes each (2: host
 * byte order). The traced window is [x0, x0 + w) x [y0, y0 + h) of the
 * image; pixels outside it count as outside. */
struct ts_trace_mask {
	const void *pix; /* pixel (0, 0) of the image */
	size_t stride;   /* bytes per row */
	int bytes_per_pixel;
	int x0, y0, w, h;
	/* Pixels equal to label are inside; label < 0: every non-zero pixel. */
	int label;
};

struct ts_trace_ring {
	double *xy; /* n points: x0, y0, x1, y1 ...; owned */
	size_t n;
	int hole;     /* 1: a hole of ring `outer` */
	size_t outer; /* the index of its outer ring (its own for an outer ring) */
};

/* The rings of a mask: each outer ring comes before its holes. */
struct ts_trace {
	struct ts_trace_ring *rings; /* owned */
	size_t n;
	size_t points; /* points of every ring */
};

/* Bytes of scratch memory tracing m takes (besides the points). */
size_t ts_trace_scratch_bytes(const struct ts_trace_mask *m);

/* Traces the rings of m's label into *out (release with ts_trace_release,
 * also after an error) and simplifies each with tolerance (pixels; 0: not
 * simplified). A ring is never simplified to fewer than 3 points: a ring
 * the tolerance would flatten keeps its traced points. No inside pixel: no
 * rings. Refusals: INVALID "invalid_mask" (no pixels, a bad window or
 * pixel size, a tolerance out of [0, TS_TRACE_TOLERANCE_MAX]); TOO_LARGE
 * "too_many_points" when the traced rings (after dropping collinear points,
 * before simplifying) hold more than max_points points (0: no limit). */
enum ts_err ts_trace_mask(const struct ts_trace_mask *m, double tolerance, size_t max_points,
			  struct ts_trace *out, struct ts_error *err);
void ts_trace_release(struct ts_trace *t);

/* The IoU each traced object must reach against its pixels. */
#define TS_TRACE_MIN_IOU 0.98

/* ts_trace_mask, then a check of what it gave: each object (an outer ring
 * with its holes) must be a valid polygon (ts_polygon_object_check) and
 * the objects, rasterised by the export's rule (ts_polygon_rasterise),
 * must cover the label's pixels with an IoU of at least min_iou. When they
 * do not, the label is traced again with half the tolerance (below 0.25:
 * 0, the exact outlines, which always pass). *used: the tolerance that
 * passed. Holds 2 bytes per pixel of the window more than ts_trace_mask
 * (ts_trace_fit_bytes). Errors as ts_trace_mask. */
enum ts_err ts_trace_fit(const struct ts_trace_mask *m, double tolerance, double min_iou,
			 size_t max_points, struct ts_trace *out, double *used,
			 struct ts_error *err);
size_t ts_trace_fit_bytes(const struct ts_trace_mask *m);

/* Douglas-Peucker on the closed ring xy[0 .. 2n - 1] in place: returns the
 * number of points kept (the first ones of xy), at least 3 when n >= 3
 * (the ring is kept as it is when fewer would be left). */
size_t ts_trace_simplify(double *xy, size_t n, double tolerance);

/* The labels of a class-index mask: each distinct non-zero value with the
 * bounding box of its pixels (a window for ts_trace_mask). */
struct ts_trace_label {
	int label;
	int x0, y0, w, h;
	int64_t pixels;
};

/* The distinct non-zero values of the whole w x h mask, ascending, into
 * *out (malloc'd; caller frees). */
void ts_trace_labels(const void *pix, size_t stride, int bytes_per_pixel, int w, int h,
		     struct ts_trace_label **out, size_t *n);

#endif
