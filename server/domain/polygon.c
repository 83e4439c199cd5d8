#include "domain/polygon.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

double ts_polygon_signed_area(const double *xy, size_t n)
{
	double s = 0;

	for (size_t i = 0; i < n; i++) {
		size_t j = i + 1 == n ? 0 : i + 1;

		s += xy[2 * i] * xy[2 * j + 1] - xy[2 * j] * xy[2 * i + 1];
	}
	return s / 2;
}

void ts_polygon_bounds(const struct ts_ring *rings, size_t nrings, double out[4])
{
	double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;

	for (size_t r = 0; r < nrings; r++)
		for (size_t i = 0; i < rings[r].n; i++) {
			double x = rings[r].xy[2 * i], y = rings[r].xy[2 * i + 1];

			minx = x < minx ? x : minx;
			maxx = x > maxx ? x : maxx;
			miny = y < miny ? y : miny;
			maxy = y > maxy ? y : maxy;
		}
	if (minx > maxx) {
		out[0] = out[1] = out[2] = out[3] = 0;
		return;
	}
	out[0] = minx;
	out[1] = miny;
	out[2] = maxx - minx;
	out[3] = maxy - miny;
}

/* The x where the edge (x0, y0) -> (x1, y1) crosses the line y, for an
 * edge with (y0 <= y) != (y1 <= y). The same expression, in the same order,
 * as the Python reader's. */
static double cross_x(double x0, double y0, double x1, double y1, double y)
{
	return x0 + (y - y0) * (x1 - x0) / (y1 - y0);
}

int ts_polygon_contains(const double *xy, size_t n, double x, double y)
{
	int in = 0;

	for (size_t i = 0; i < n; i++) {
		size_t j = i + 1 == n ? 0 : i + 1;
		double x0 = xy[2 * i], y0 = xy[2 * i + 1], x1 = xy[2 * j], y1 = xy[2 * j + 1];

		if ((y0 <= y) != (y1 <= y) && cross_x(x0, y0, x1, y1, y) <= x)
			in = !in;
	}
	return in;
}

const char *ts_polygon_fault_text(enum ts_polygon_fault f)
{
	switch (f) {
	case TS_POLYGON_OK:
		return "is valid";
	case TS_POLYGON_TOO_FEW:
		return "has fewer than 3 points";
	case TS_POLYGON_REPEATED:
		return "repeats a point twice in a row (the first point is not repeated at the end)";
	case TS_POLYGON_NO_AREA:
		return "has no area (its points lie on one line)";
	case TS_POLYGON_SELF_CROSSING:
		return "intersects itself";
	case TS_POLYGON_RINGS_CROSS:
		return "crosses or touches another ring of the same object";
	case TS_POLYGON_TOO_MANY:
		return "belongs to an object with too many points";
	case TS_POLYGON_TOO_COMPLEX:
		return "belongs to an object too complex to check (too many long edges overlap)";
	}
	return "is invalid";
}

/* The sign of the turn a -> b -> c: > 0 left (counter-clockwise in y up). */
static double orient(const double *a, const double *b, const double *c)
{
	return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

/* c, collinear with a and b, lies on the closed segment a-b. */
static int on_segment(const double *a, const double *b, const double *c)
{
	return fmin(a[0], b[0]) <= c[0] && c[0] <= fmax(a[0], b[0]) && fmin(a[1], b[1]) <= c[1] &&
	       c[1] <= fmax(a[1], b[1]);
}

/* The closed segments p1-p2 and q1-q2 share at least one point. */
static int segments_meet(const double *p1, const double *p2, const double *q1, const double *q2)
{
	double d1 = orient(q1, q2, p1), d2 = orient(q1, q2, p2);
	double d3 = orient(p1, p2, q1), d4 = orient(p1, p2, q2);

	if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)))
		return 1;
	return (d1 == 0 && on_segment(q1, q2, p1)) || (d2 == 0 && on_segment(q1, q2, p2)) ||
	       (d3 == 0 && on_segment(p1, p2, q1)) || (d4 == 0 && on_segment(p1, p2, q2));
}

/* Consecutive edges a -> b -> c fold back: c goes back along a-b. */
static int folds_back(const double *a, const double *b, const double *c)
{
	return orient(a, b, c) == 0 &&
	       (a[0] - b[0]) * (c[0] - b[0]) + (a[1] - b[1]) * (c[1] - b[1]) > 0;
}

/* The checks of one ring that need no edge pairs. */
static enum ts_polygon_fault ring_basics(const double *xy, size_t n)
{
	if (n < 3)
		return TS_POLYGON_TOO_FEW;
	for (size_t i = 0; i < n; i++) {
		size_t j = i + 1 == n ? 0 : i + 1;

		if (xy[2 * i] == xy[2 * j] && xy[2 * i + 1] == xy[2 * j + 1])
			return TS_POLYGON_REPEATED;
	}
	if (ts_polygon_signed_area(xy, n) == 0)
		return TS_POLYGON_NO_AREA;
	return TS_POLYGON_OK;
}

struct edge {
	double minx, maxx, miny, maxy;
	size_t ring, idx;
};

static int edge_cmp(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;

	if (x->minx != y->minx)
		return x->minx < y->minx ? -1 : 1;
	if (x->ring != y->ring)
		return x->ring < y->ring ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static const double *ring_pt(const struct ts_ring *r, size_t i)
{
	return &r->xy[2 * (i % r->n)];
}

enum ts_polygon_fault ts_polygon_object_check(const struct ts_ring *rings, size_t nrings,
					      size_t *ring, size_t *other)
{
	size_t total = 0, ne = 0, tests = 0;
	struct edge *edges;
	enum ts_polygon_fault f = TS_POLYGON_OK;

	*ring = *other = 0;
	for (size_t r = 0; r < nrings; r++) {
		total += rings[r].n;
		if (total > TS_POLYGON_MAX_OBJECT_POINTS) {
			*ring = *other = r;
			return TS_POLYGON_TOO_MANY;
		}
	}
	for (size_t r = 0; r < nrings; r++) {
		f = ring_basics(rings[r].xy, rings[r].n);
		if (f) {
			*ring = *other = r;
			return f;
		}
	}
	edges = ts_xmalloc((total + 1) * sizeof(*edges));
	for (size_t r = 0; r < nrings; r++)
		for (size_t i = 0; i < rings[r].n; i++) {
			const double *a = ring_pt(&rings[r], i), *b = ring_pt(&rings[r], i + 1);
			struct edge *e = &edges[ne++];

			e->minx = fmin(a[0], b[0]);
			e->maxx = fmax(a[0], b[0]);
			e->miny = fmin(a[1], b[1]);
			e->maxy = fmax(a[1], b[1]);
			e->ring = r;
			e->idx = i;
		}
	qsort(edges, ne, sizeof(*edges), edge_cmp);
	for (size_t i = 0; i < ne && !f; i++) {
		const struct edge *e = &edges[i];
		const struct ts_ring *re = &rings[e->ring];

		for (size_t k = i + 1; k < ne && edges[k].minx <= e->maxx; k++) {
			const struct edge *g = &edges[k];
			const struct ts_ring *rg = &rings[g->ring];
			const double *p1 = ring_pt(re, e->idx), *p2 = ring_pt(re, e->idx + 1);
			const double *q1 = ring_pt(rg, g->idx), *q2 = ring_pt(rg, g->idx + 1);

			if (++tests > TS_POLYGON_MAX_PAIR_TESTS) {
				f = TS_POLYGON_TOO_COMPLEX;
				*ring = *other = e->ring;
				break;
			}
			if (g->miny > e->maxy || g->maxy < e->miny)
				continue;
			if (e->ring != g->ring) {
				if (segments_meet(p1, p2, q1, q2)) {
					f = TS_POLYGON_RINGS_CROSS;
					*ring = e->ring < g->ring ? e->ring : g->ring;
					*other = e->ring < g->ring ? g->ring : e->ring;
					break;
				}
				continue;
			}
			*ring = *other = e->ring;
			if ((e->idx + 1) % re->n == g->idx) {
				/* e then g: they share p2 == q1. */
				if (folds_back(p1, p2, q2)) {
					f = TS_POLYGON_SELF_CROSSING;
					break;
				}
			} else if ((g->idx + 1) % re->n == e->idx) {
				if (folds_back(q1, q2, p2)) {
					f = TS_POLYGON_SELF_CROSSING;
					break;
				}
			} else if (segments_meet(p1, p2, q1, q2)) {
				f = TS_POLYGON_SELF_CROSSING;
				break;
			}
		}
	}
	free(edges);
	if (!f)
		*ring = *other = 0;
	return f;
}

enum ts_polygon_fault ts_polygon_ring_check(const double *xy, size_t n)
{
	struct ts_ring r = { xy, n };
	size_t a, b;

	return ts_polygon_object_check(&r, 1, &a, &b);
}

int ts_polygon_ring_inside(const double *a, size_t na, const double *b, size_t nb)
{
	return na > 0 && ts_polygon_contains(b, nb, a[0], a[1]);
}

size_t ts_polygon_ring_depth(const struct ts_ring *rings, size_t nrings, size_t i)
{
	size_t d = 0;

	for (size_t j = 0; j < nrings; j++)
		if (j != i && ts_polygon_ring_inside(rings[i].xy, rings[i].n, rings[j].xy, rings[j].n))
			d++;
	return d;
}

int ts_polygon_has_holes(const struct ts_ring *rings, size_t nrings)
{
	for (size_t i = 0; i < nrings; i++)
		if (ts_polygon_ring_depth(rings, nrings, i) % 2)
			return 1;
	return 0;
}

double ts_polygon_area(const struct ts_ring *rings, size_t nrings)
{
	double s = 0;

	for (size_t i = 0; i < nrings; i++) {
		double a = fabs(ts_polygon_signed_area(rings[i].xy, rings[i].n));

		s += ts_polygon_ring_depth(rings, nrings, i) % 2 ? -a : a;
	}
	return s;
}

/* ---- rasterisation ---- */

struct span_edge {
	double x0, y0, x1, y1, ymin, ymax;
};

static int span_edge_cmp(const void *a, const void *b)
{
	const struct span_edge *x = a, *y = b;

	return x->ymin < y->ymin ? -1 : x->ymin > y->ymin;
}

static int double_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int64_t ts_polygon_rasterise(const struct ts_ring *rings, size_t nrings, int64_t x0, int64_t y0,
			     int64_t w, int64_t h, uint8_t *mask)
{
	size_t ne = 0, next = 0, nact = 0;
	struct span_edge *edges;
	size_t *active;
	double *xs;
	int64_t set = 0;

	if (w <= 0 || h <= 0)
		return 0;
	memset(mask, 0, (size_t)w * (size_t)h);
	for (size_t r = 0; r < nrings; r++)
		ne += rings[r].n;
	edges = ts_xmalloc((ne + 1) * sizeof(*edges));
	active = ts_xmalloc((ne + 1) * sizeof(*active));
	xs = ts_xmalloc((ne + 1) * sizeof(*xs));
	ne = 0;
	for (size_t r = 0; r < nrings; r++)
		for (size_t i = 0; i < rings[r].n; i++) {
			const double *a = ring_pt(&rings[r], i), *b = ring_pt(&rings[r], i + 1);
			struct span_edge *e = &edges[ne];

			if (a[1] == b[1])
				continue; /* a horizontal edge crosses no row */
			e->x0 = a[0];
			e->y0 = a[1];
			e->x1 = b[0];
			e->y1 = b[1];
			e->ymin = fmin(a[1], b[1]);
			e->ymax = fmax(a[1], b[1]);
			ne++;
		}
	qsort(edges, ne, sizeof(*edges), span_edge_cmp);
	for (int64_t j = 0; j < h; j++) {
		double y = (double)(y0 + j) + 0.5;
		size_t nx = 0, keep = 0;

		while (next < ne && edges[next].ymin <= y)
			active[nact++] = next++;
		for (size_t k = 0; k < nact; k++) {
			const struct span_edge *e = &edges[active[k]];

			if (e->ymax <= y)
				continue; /* done with it */
			active[keep++] = active[k];
			/* ymin <= y < ymax is (y0 <= y) != (y1 <= y). */
			xs[nx++] = cross_x(e->x0, e->y0, e->x1, e->y1, y);
		}
		nact = keep;
		qsort(xs, nx, sizeof(*xs), double_cmp);
		for (size_t k = 0; k + 1 < nx; k += 2) {
			/* Pixels whose centre i + 0.5 lies in [xs[k], xs[k+1]). */
			double lo = ceil(xs[k] - 0.5), hi = ceil(xs[k + 1] - 0.5);
			int64_t a, b;

			lo = fmax(lo, (double)x0);
			hi = fmin(hi, (double)(x0 + w));
			if (!(lo < hi))
				continue;
			a = (int64_t)lo - x0;
			b = (int64_t)hi - x0;
			memset(mask + j * w + a, 1, (size_t)(b - a));
			set += b - a;
		}
	}
	free(xs);
	free(active);
	free(edges);
	return set;
}

/* ---- RLE ---- */

struct rle_builder {
	struct ts_rle *r;
	size_t cap;
	int cur; /* the value of the last run */
};

static void rle_push(struct rle_builder *b, int v, int64_t len)
{
	struct ts_rle *r = b->r;

	if (len <= 0)
		return;
	if (r->n > 0 && b->cur == v) {
		r->counts[r->n - 1] += len;
		return;
	}
	if (r->n == 0 && v == 1) {
		/* The first run counts zeros: an empty one. */
		r->counts[r->n++] = 0;
	}
	if (r->n + 1 >= b->cap) {
		b->cap = b->cap * 2 + 16;
		r->counts = ts_xrealloc(r->counts, b->cap * sizeof(*r->counts));
	}
	r->counts[r->n++] = len;
	b->cur = v;
}

void ts_rle_encode(const uint8_t *mask, int64_t x0, int64_t y0, int64_t w, int64_t h,
		   int64_t height, int64_t width, struct ts_rle *out)
{
	struct rle_builder b = { out, 16, 0 };

	memset(out, 0, sizeof(*out));
	out->height = height;
	out->width = width;
	out->counts = ts_xmalloc(b.cap * sizeof(*out->counts));
	if (w <= 0 || h <= 0)
		x0 = y0 = w = h = 0;
	rle_push(&b, 0, x0 * height);
	for (int64_t i = 0; i < w; i++) {
		rle_push(&b, 0, y0);
		for (int64_t j = 0; j < h; j++)
			rle_push(&b, mask[j * w + i] ? 1 : 0, 1);
		rle_push(&b, 0, height - y0 - h);
	}
	rle_push(&b, 0, (width - x0 - w) * height);
	if (out->n == 0)
		out->counts[out->n++] = 0; /* a 0 x 0 mask */
}

void ts_rle_from_object(const struct ts_ring *rings, size_t nrings, int64_t height,
			int64_t width, struct ts_rle *out)
{
	double bb[4];
	int64_t x0, y0, x1, y1;
	uint8_t *mask;

	ts_polygon_bounds(rings, nrings, bb);
	x0 = (int64_t)fmax(0, floor(bb[0]));
	y0 = (int64_t)fmax(0, floor(bb[1]));
	x1 = (int64_t)fmin((double)width, ceil(bb[0] + bb[2]));
	y1 = (int64_t)fmin((double)height, ceil(bb[1] + bb[3]));
	if (x1 <= x0 || y1 <= y0) {
		ts_rle_encode(NULL, 0, 0, 0, 0, height, width, out);
		return;
	}
	mask = ts_xmalloc((size_t)(x1 - x0) * (size_t)(y1 - y0));
	ts_polygon_rasterise(rings, nrings, x0, y0, x1 - x0, y1 - y0, mask);
	ts_rle_encode(mask, x0, y0, x1 - x0, y1 - y0, height, width, out);
	free(mask);
}

int64_t ts_rle_area(const struct ts_rle *r)
{
	int64_t s = 0;

	for (size_t i = 1; i < r->n; i += 2)
		s += r->counts[i];
	return s;
}

void ts_rle_decode(const struct ts_rle *r, uint8_t *mask)
{
	int64_t p = 0;

	memset(mask, 0, (size_t)(r->height * r->width));
	for (size_t i = 0; i < r->n; i++) {
		if (i % 2)
			for (int64_t k = 0; k < r->counts[i]; k++) {
				int64_t q = p + k;

				mask[(q % r->height) * r->width + q / r->height] = 1;
			}
		p += r->counts[i];
	}
}

void ts_rle_bounds(const struct ts_rle *r, double out[4])
{
	int64_t p = 0, minx = INT64_MAX, maxx = -1, miny = INT64_MAX, maxy = -1;

	for (size_t i = 0; i < r->n; i++) {
		if (i % 2 && r->counts[i] > 0 && r->height > 0) {
			int64_t a = p, b = p + r->counts[i] - 1;
			int64_t xa = a / r->height, xb = b / r->height;

			minx = xa < minx ? xa : minx;
			maxx = xb > maxx ? xb : maxx;
			if (xa != xb) {
				/* The run wraps a column: it covers rows 0 and h-1 ... */
				miny = 0;
				maxy = r->height - 1;
			} else {
				miny = a % r->height < miny ? a % r->height : miny;
				maxy = b % r->height > maxy ? b % r->height : maxy;
			}
		}
		p += r->counts[i];
	}
	if (maxx < 0) {
		out[0] = out[1] = out[2] = out[3] = 0;
		return;
	}
	out[0] = (double)minx;
	out[1] = (double)miny;
	out[2] = (double)(maxx - minx + 1);
	out[3] = (double)(maxy - miny + 1);
}

char *ts_rle_to_string(const struct ts_rle *r)
{
	/* At most 13 characters per count (64 bits in 5-bit groups). */
	char *s = ts_xmalloc(r->n * 13 + 1);
	size_t p = 0;

	for (size_t i = 0; i < r->n; i++) {
		int64_t x = r->counts[i];
		int more = 1;

		if (i > 2)
			x -= r->counts[i - 2];
		while (more) {
			int c = (int)(x & 0x1f);

			/* An arithmetic shift, as pycocotools' (long) x >>= 5. */
			x = x < 0 ? ~(~x >> 5) : x >> 5;
			more = (c & 0x10) ? x != -1 : x != 0;
			if (more)
				c |= 0x20;
			s[p++] = (char)(c + 48);
		}
	}
	s[p] = '\0';
	return s;
}

static enum ts_err rle_check(struct ts_rle *r, struct ts_error *err)
{
	int64_t sum = 0, total;

	if (r->height < 0 || r->width < 0 || (r->width > 0 && r->height > INT64_MAX / r->width))
		return ts_error_set(err, TS_ERR_INVALID, "invalid_rle",
				    "The RLE's size is not a valid image size.");
	total = r->height * r->width;
	for (size_t i = 0; i < r->n; i++) {
		if (r->counts[i] < 0 || (i > 0 && r->counts[i] == 0))
			return ts_error_set(err, TS_ERR_INVALID, "invalid_rle",
					    "The RLE's count %zu is %lld; every count after the "
					    "first must be positive.",
					    i, (long long)r->counts[i]);
		if (r->counts[i] > total - sum)
			return ts_error_set(err, TS_ERR_INVALID, "invalid_rle",
					    "The RLE's counts add up to more than its %lld x %lld "
					    "pixels.",
					    (long long)r->height, (long long)r->width);
		sum += r->counts[i];
	}
	if (sum != total)
		return ts_error_set(err, TS_ERR_INVALID, "invalid_rle",
				    "The RLE's counts add up to %lld, not its %lld x %lld = %lld "
				    "pixels.",
				    (long long)sum, (long long)r->height, (long long)r->width,
				    (long long)total);
	return TS_OK;
}

enum ts_err ts_rle_from_counts(const int64_t *counts, size_t n, int64_t height, int64_t width,
			       struct ts_rle *out, struct ts_error *err)
{
	memset(out, 0, sizeof(*out));
	out->height = height;
	out->width = width;
	out->counts = ts_xmalloc((n + 1) * sizeof(*out->counts));
	if (n)
		memcpy(out->counts, counts, n * sizeof(*counts));
	out->n = n;
	return rle_check(out, err);
}

enum ts_err ts_rle_from_string(const char *s, size_t len, int64_t height, int64_t width,
			       struct ts_rle *out, struct ts_error *err)
{
	size_t p = 0;

	memset(out, 0, sizeof(*out));
	out->height = height;
	out->width = width;
	out->counts = ts_xmalloc((len + 1) * sizeof(*out->counts));
	while (p < len) {
		uint64_t x = 0;
		int k = 0, more = 1;

		while (more) {
			int c;

			if (p >= len)
				return ts_error_set(err, TS_ERR_INVALID, "invalid_rle",
						    "The RLE string ends inside a count.");
			c = (unsigned char)s[p] - 48;
			if (c < 0 || c > 63)
				return ts_error_set(err, TS_ERR_INVALID, "invalid_rle",
						    "The RLE string holds a character outside "
						    "'0' to 'o' at byte %zu.",
						    p);
			if (k >= 12)
				return ts_error_set(err, TS_ERR_INVALID, "invalid_rle",
						    "The RLE string holds a count too large at byte "
						    "%zu.",
						    p);
			x |= (uint64_t)(c & 0x1f) << (5 * k);
			more = c & 0x20;
			p++;
			k++;
			if (!more && (c & 0x10))
				x |= ~(uint64_t)0 << (5 * k);
		}
		{
			int64_t v = (int64_t)x;

			if (out->n > 2) {
				int64_t base = out->counts[out->n - 2];

				if ((v > 0 && base > INT64_MAX - v) || (v < 0 && base < INT64_MIN - v))
					return ts_error_set(err, TS_ERR_INVALID, "invalid_rle",
							    "The RLE string holds a count too "
							    "large.");
				v += base;
			}
			out->counts[out->n++] = v;
		}
	}
	return rle_check(out, err);
}

void ts_rle_release(struct ts_rle *r)
{
	free(r->counts);
	memset(r, 0, sizeof(*r));
}
