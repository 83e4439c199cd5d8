#include "domain/trace.h"

#include "domain/polygon.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

/* The sides of a marching-squares cell. Cell (cx, cy) has the pixel
 * centres (cx - 1, cy - 1), (cx, cy - 1), (cx - 1, cy), (cx, cy) at its
 * corners (top left, top right, bottom left, bottom right), for cx in
 * [0, w] and cy in [0, h]: pixels outside the window are outside. */
enum side { TOP, RIGHT, BOTTOM, LEFT };

/* A contour crosses "links", the segments between two neighbouring pixel
 * centres of which exactly one is inside. The horizontal link (x, y) joins
 * pixels (x - 1, y) and (x, y), the vertical link (x, y) joins (x, y - 1)
 * and (x, y). Points are kept in quarter pixels while tracing, so they are
 * exact integers. */
struct tracer {
	const unsigned char *base; /* pixel (0, 0) of the window */
	size_t stride;
	int bpp;
	int w, h;
	int label;
	uint32_t *ring_of; /* (w + 1) x h: the ring (1-based) of each horizontal link */
	int32_t *pts;      /* doubled x, y pairs of every ring */
	size_t npts, cap;
	size_t max_points;
};

static inline int pixel_in(const struct tracer *t, const unsigned char *row, int x)
{
	unsigned v;

	if (t->bpp == 2) {
		uint16_t u;

		memcpy(&u, row + 2 * (size_t)x, sizeof(u));
		v = u;
	} else {
		v = row[x];
	}
	return t->label < 0 ? v != 0 : v == (unsigned)t->label;
}

static inline int inside(const struct tracer *t, int x, int y)
{
	if (x < 0 || y < 0 || x >= t->w || y >= t->h)
		return 0;
	return pixel_in(t, t->base + (size_t)y * t->stride, x);
}

/* The side a contour entering a cell by `entry` leaves it by. Where two
 * diagonal corners alone are inside (a saddle), they are joined: the
 * contours cut off the two outside corners. */
static enum side exit_side(int tl, int tr, int bl, int br, enum side entry)
{
	int crossed[4];

	crossed[TOP] = tl != tr;
	crossed[RIGHT] = tr != br;
	crossed[BOTTOM] = bl != br;
	crossed[LEFT] = tl != bl;
	if (crossed[TOP] && crossed[RIGHT] && crossed[BOTTOM] && crossed[LEFT]) {
		static const enum side tl_in[4] = { [TOP] = RIGHT, [RIGHT] = TOP,
						    [BOTTOM] = LEFT, [LEFT] = BOTTOM };
		static const enum side tr_in[4] = { [TOP] = LEFT, [LEFT] = TOP,
						    [RIGHT] = BOTTOM, [BOTTOM] = RIGHT };

		return tl ? tl_in[entry] : tr_in[entry];
	}
	for (int s = 0; s < 4; s++)
		if (crossed[s] && s != (int)entry)
			return (enum side)s;
	return entry; /* not reached: a contour crosses two sides of its cell */
}

/* Appends a point to the ring that starts at pts[start], replacing the last
 * point when it lies on the segment from the one before to the new one. */
static enum ts_err add_point(struct tracer *t, size_t start, int32_t x, int32_t y,
			     struct ts_error *err)
{
	size_t n = t->npts - start;

	if (n >= 2) {
		const int32_t *a = &t->pts[2 * (t->npts - 2)], *b = &t->pts[2 * (t->npts - 1)];
		int64_t cross = (int64_t)(b[0] - a[0]) * (y - a[1]) -
				(int64_t)(b[1] - a[1]) * (x - a[0]);

		if (cross == 0) {
			t->npts--;
		}
	}
	if (t->max_points && t->npts >= t->max_points)
		return ts_error_set(err, TS_ERR_TOO_LARGE, "too_many_points",
				    "The mask's outlines hold more than %zu points.", t->max_points);
	if (t->npts == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 1024;
		t->pts = ts_xrealloc(t->pts, t->cap * 2 * sizeof(*t->pts));
	}
	t->pts[2 * t->npts] = x;
	t->pts[2 * t->npts + 1] = y;
	t->npts++;
	return TS_OK;
}

/* Drops the collinear points where the ring closes (its last and first). */
static void close_ring(struct tracer *t, size_t start)
{
	int32_t *p = &t->pts[2 * start];
	size_t n = t->npts - start;

	for (int pass = 0; pass < 2 && n > 3; pass++) {
		/* pass 0: is the last point between the one before and the
		 * first? pass 1: is the first between the last and the second? */
		size_t ia = pass == 0 ? n - 2 : n - 1, ib = pass == 0 ? n - 1 : 0,
		       ic = pass == 0 ? 0 : 1;
		int64_t cross = (int64_t)(p[2 * ib] - p[2 * ia]) * (p[2 * ic + 1] - p[2 * ia + 1]) -
				(int64_t)(p[2 * ib + 1] - p[2 * ia + 1]) * (p[2 * ic] - p[2 * ia]);

		if (cross != 0)
			continue;
		if (pass == 0) {
			n--;
		} else {
			memmove(p, p + 2, (n - 1) * 2 * sizeof(*p));
			n--;
		}
	}
	t->npts = start + n;
}

/* The corner a saddle cell's contour cuts off, going from one side to the
 * other: the point it passes is moved a quarter pixel from the cell's centre
 * towards that corner, so that the two contours of a saddle do not meet. */
static void saddle_offset(enum side a, enum side b, int32_t *dx, int32_t *dy)
{
	int top = a == TOP || b == TOP, left = a == LEFT || b == LEFT;

	*dx = left ? -1 : 1;
	*dy = top ? -1 : 1;
}

/* Follows the contour through the horizontal link (sx, sy), the inside on
 * its right (in image coordinates, y down): outer rings run clockwise on
 * screen, holes counter-clockwise. The ring runs along pixel edges: its
 * points are the cells' centres (pixel corners) where it turns. */
static enum ts_err trace_ring(struct tracer *t, int sx, int sy, uint32_t id, struct ts_error *err)
{
	size_t start = t->npts;
	int cx = sx, cy, entry;
	enum ts_err e = TS_OK;

	if (inside(t, sx - 1, sy)) {
		cy = sy + 1; /* inside on the left of the link: go down */
		entry = TOP;
	} else {
		cy = sy; /* inside on the right: go up */
		entry = BOTTOM;
	}
	t->ring_of[(size_t)sy * (size_t)(t->w + 1) + (size_t)sx] = id;
	while (!e) {
		int tl = inside(t, cx - 1, cy - 1), tr = inside(t, cx, cy - 1);
		int bl = inside(t, cx - 1, cy), br = inside(t, cx, cy);
		enum side out = exit_side(tl, tr, bl, br, (enum side)entry);
		int32_t dx = 0, dy = 0;
		int hx = -1, hy = -1;

		if (tl == br && tr == bl && tl != tr)
			saddle_offset((enum side)entry, out, &dx, &dy);
		e = add_point(t, start, 4 * cx + dx, 4 * cy + dy, err);
		switch (out) {
		case TOP:
			hx = cx, hy = cy - 1;
			cy--, entry = BOTTOM;
			break;
		case BOTTOM:
			hx = cx, hy = cy;
			cy++, entry = TOP;
			break;
		case LEFT:
			cx--, entry = RIGHT;
			break;
		default: /* RIGHT */
			cx++, entry = LEFT;
			break;
		}
		if (hx >= 0) {
			if (hx == sx && hy == sy)
				break;
			t->ring_of[(size_t)hy * (size_t)(t->w + 1) + (size_t)hx] = id;
		}
	}
	if (!e)
		close_ring(t, start);
	return e;
}

size_t ts_trace_scratch_bytes(const struct ts_trace_mask *m)
{
	if (m->w <= 0 || m->h <= 0)
		return 0;
	return ((size_t)m->w + 1) * (size_t)m->h * sizeof(uint32_t);
}

void ts_trace_release(struct ts_trace *t)
{
	for (size_t i = 0; t->rings && i < t->n; i++)
		free(t->rings[i].xy);
	free(t->rings);
	memset(t, 0, sizeof(*t));
}

/* Squared distance from p to the segment a-b. */
static double seg_dist2(const double *p, const double *a, const double *b)
{
	double dx = b[0] - a[0], dy = b[1] - a[1];
	double len2 = dx * dx + dy * dy, u = 0;

	if (len2 > 0) {
		u = ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2;
		u = u < 0 ? 0 : u > 1 ? 1 : u;
	}
	dx = a[0] + u * dx - p[0];
	dy = a[1] + u * dy - p[1];
	return dx * dx + dy * dy;
}

size_t ts_trace_simplify(double *xy, size_t n, double tolerance)
{
	size_t far = 0, top = 0, kept = 0, *stack;
	unsigned char *keep;
	double best = -1, tol2 = tolerance * tolerance;

	if (n <= 3 || !(tolerance > 0))
		return n;
	/* Two anchors: the first point and the one farthest from it; the
	 * halves between them are simplified as open lines (index n stands
	 * for point 0 again). */
	for (size_t i = 1; i < n; i++) {
		double dx = xy[2 * i] - xy[0], dy = xy[2 * i + 1] - xy[1];

		if (dx * dx + dy * dy > best) {
			best = dx * dx + dy * dy;
			far = i;
		}
	}
	keep = ts_xcalloc(n + 1, 1);
	stack = ts_xmalloc(2 * (n + 1) * sizeof(*stack));
	keep[0] = keep[far] = keep[n] = 1;
	stack[top++] = 0, stack[top++] = far;
	stack[top++] = far, stack[top++] = n;
	while (top) {
		size_t j = stack[--top], i = stack[--top], k = 0;
		const double *a = &xy[2 * i], *b = &xy[2 * (j % n)];
		double dmax = -1;

		for (size_t m = i + 1; m < j; m++) {
			double d = seg_dist2(&xy[2 * m], a, b);

			if (d > dmax) {
				dmax = d;
				k = m;
			}
		}
		if (dmax > tol2) {
			keep[k] = 1;
			stack[top++] = i, stack[top++] = k;
			stack[top++] = k, stack[top++] = j;
		}
	}
	for (size_t i = 0; i < n; i++)
		kept += keep[i];
	if (kept >= 3) {
		size_t o = 0;

		for (size_t i = 0; i < n; i++) {
			if (!keep[i])
				continue;
			xy[2 * o] = xy[2 * i];
			xy[2 * o + 1] = xy[2 * i + 1];
			o++;
		}
	} else {
		kept = n;
	}
	free(stack);
	free(keep);
	return kept;
}

/* Copies the ring pts[from .. to) as image coordinates into r, simplified. */
static void emit_ring(const struct tracer *t, const struct ts_trace_mask *m, size_t from,
		      size_t to, double tolerance, struct ts_trace_ring *r)
{
	size_t n = to - from;

	r->xy = ts_xmalloc(2 * n * sizeof(*r->xy));
	for (size_t i = 0; i < n; i++) {
		r->xy[2 * i] = t->pts[2 * (from + i)] / 4.0 + m->x0;
		r->xy[2 * i + 1] = t->pts[2 * (from + i) + 1] / 4.0 + m->y0;
	}
	r->n = ts_trace_simplify(r->xy, n, tolerance);
	if (r->n < n)
		r->xy = ts_xrealloc(r->xy, 2 * r->n * sizeof(*r->xy));
}

enum ts_err ts_trace_mask(const struct ts_trace_mask *m, double tolerance, size_t max_points,
			  struct ts_trace *out, struct ts_error *err)
{
	struct tracer t = { 0 };
	size_t *starts = NULL, nstarts = 0, cap = 0, row_cells;
	uint64_t run8;
	enum ts_err e = TS_OK;

	memset(out, 0, sizeof(*out));
	if (!m->pix || (m->bytes_per_pixel != 1 && m->bytes_per_pixel != 2) || m->w <= 0 ||
	    m->h <= 0 || m->x0 < 0 || m->y0 < 0 || m->w > INT32_MAX / 4 - 4 ||
	    m->h > INT32_MAX / 4 - 4 || m->stride < (size_t)(m->x0 + (int64_t)m->w) *
						(size_t)m->bytes_per_pixel)
		return ts_error_set(err, TS_ERR_INVALID, "invalid_mask",
				    "The mask has no pixels or a bad window.");
	if (!(tolerance >= 0 && tolerance <= TS_TRACE_TOLERANCE_MAX))
		return ts_error_set(err, TS_ERR_INVALID, "invalid_mask",
				    "The tolerance must be 0 to %g pixels.", TS_TRACE_TOLERANCE_MAX);
	t.base = (const unsigned char *)m->pix + (size_t)m->y0 * m->stride +
		 (size_t)m->x0 * (size_t)m->bytes_per_pixel;
	t.stride = m->stride;
	t.bpp = m->bytes_per_pixel;
	t.w = m->w;
	t.h = m->h;
	t.label = m->label;
	t.max_points = max_points;
	row_cells = (size_t)t.w + 1;
	t.ring_of = ts_xcalloc(row_cells * (size_t)t.h, sizeof(*t.ring_of));

	run8 = 0x0101010101010101ULL * (uint64_t)(t.label >= 0 ? (t.label & 0xFF) : 0);
	for (int y = 0; y < t.h && !e; y++) {
		const unsigned char *row = t.base + (size_t)y * t.stride;
		uint32_t *ring_row = &t.ring_of[(size_t)y * row_cells];
		size_t entered = 0; /* the ring of the last link entering the inside */
		int prev = 0;

		for (int x = 0; x <= t.w && !e; x++) {
			int cur;

			/* Runs of 8 pixels that change nothing are skipped: zeros
			 * outside, the label inside (8-bit masks). */
			if (t.bpp == 1 && (prev ? t.label >= 0 : t.label != 0)) {
				uint64_t same = prev ? run8 : 0, v;

				while (x + 8 <= t.w) {
					memcpy(&v, row + x, sizeof(v));
					if (v != same)
						break;
					x += 8;
				}
			}
			cur = x < t.w ? pixel_in(&t, row, x) : 0;
			if (cur == prev)
				continue;
			prev = cur;
			if (!ring_row[x]) {
				struct ts_trace_ring *r;
				uint32_t id = (uint32_t)nstarts + 1;

				if (nstarts + 1 >= cap) {
					cap = cap ? 2 * cap : 64;
					starts = ts_xrealloc(starts, cap * sizeof(*starts));
					out->rings = ts_xrealloc(out->rings, cap * sizeof(*out->rings));
				}
				starts[nstarts] = t.npts;
				e = trace_ring(&t, x, y, id, err);
				if (e)
					break;
				r = &out->rings[nstarts];
				memset(r, 0, sizeof(*r));
				/* Entering the inside: a new component's outer
				 * ring. Leaving it: a hole of the component whose
				 * run on this row began at the last entering link. */
				r->hole = !cur;
				r->outer = cur ? nstarts : out->rings[entered].outer;
				nstarts++;
			}
			if (cur)
				entered = ring_row[x] - 1;
		}
	}
	if (!e) {
		starts = ts_xrealloc(starts, (nstarts + 1) * sizeof(*starts));
		starts[nstarts] = t.npts;
		out->n = nstarts;
		for (size_t i = 0; i < nstarts; i++) {
			emit_ring(&t, m, starts[i], starts[i + 1], tolerance, &out->rings[i]);
			out->points += out->rings[i].n;
		}
	} else {
		/* No ring of a failed trace holds points yet. */
		free(out->rings);
		out->rings = NULL;
	}
	free(starts);
	free(t.pts);
	free(t.ring_of);
	return e;
}

void ts_trace_labels(const void *pix, size_t stride, int bytes_per_pixel, int w, int h,
		     struct ts_trace_label **out, size_t *n)
{
	size_t nvals = bytes_per_pixel == 2 ? 65536 : 256, count = 0;
	struct ts_trace_label *box = ts_xcalloc(nvals, sizeof(*box));
	struct ts_trace_label *res;

	for (int y = 0; y < h; y++) {
		const unsigned char *row = (const unsigned char *)pix + (size_t)y * stride;

		for (int x = 0; x < w;) {
			unsigned v;
			int end = x + 1;
			struct ts_trace_label *b;

			if (bytes_per_pixel == 1) {
				uint64_t word, same;

				/* Background is skipped 8 pixels at a time. */
				while (x + 8 <= w) {
					memcpy(&word, row + x, sizeof(word));
					if (word)
						break;
					x += 8;
				}
				if (x >= w)
					break;
				v = row[x];
				/* The run of v that starts here, 8 at a time too. */
				same = 0x0101010101010101ULL * v;
				end = x + 1;
				while (end + 8 <= w) {
					memcpy(&word, row + end, sizeof(word));
					if (word != same)
						break;
					end += 8;
				}
				while (end < w && row[end] == v)
					end++;
			} else {
				uint16_t u;

				memcpy(&u, row + 2 * (size_t)x, sizeof(u));
				v = u;
			}
			if (!v) {
				x = end;
				continue;
			}
			b = &box[v];
			if (!b->pixels) {
				b->x0 = x, b->y0 = y; /* x1, y1 kept in w, h until the end */
				b->w = end - 1, b->h = y;
			} else {
				if (x < b->x0)
					b->x0 = x;
				if (end - 1 > b->w)
					b->w = end - 1;
				b->h = y;
			}
			b->pixels += end - x;
			x = end;
		}
	}
	for (size_t v = 1; v < nvals; v++)
		count += box[v].pixels > 0;
	res = ts_xmalloc((count ? count : 1) * sizeof(*res));
	count = 0;
	for (size_t v = 1; v < nvals; v++) {
		if (!box[v].pixels)
			continue;
		res[count] = box[v];
		res[count].label = (int)v;
		res[count].w = box[v].w - box[v].x0 + 1;
		res[count].h = box[v].h - box[v].y0 + 1;
		count++;
	}
	free(box);
	*out = res;
	*n = count;
}

size_t ts_trace_fit_bytes(const struct ts_trace_mask *m)
{
	if (m->w <= 0 || m->h <= 0)
		return 0;
	return ts_trace_scratch_bytes(m) + 2 * (size_t)m->w * (size_t)m->h;
}

/* Is the label's window covered by t's objects (valid ones) with an IoU
 * of at least min_iou? cover and one hold w x h bytes each. */
static int fits(const struct ts_trace_mask *m, const struct ts_trace *t, double min_iou,
		uint8_t *cover, uint8_t *one)
{
	struct tracer px = { 0 };
	size_t cells = (size_t)m->w * (size_t)m->h, cap = 16;
	struct ts_ring *rings = ts_xmalloc(cap * sizeof(*rings));
	int64_t inter = 0, uni = 0;
	int ok = 1;

	memset(cover, 0, cells);
	for (size_t r = 0; r < t->n && ok; r++) {
		size_t n = 0, bad, other;

		if (t->rings[r].hole)
			continue;
		for (size_t k = r; k < t->n; k++) {
			if (k != r && !(t->rings[k].hole && t->rings[k].outer == r))
				continue;
			if (n == cap) {
				cap *= 2;
				rings = ts_xrealloc(rings, cap * sizeof(*rings));
			}
			rings[n].xy = t->rings[k].xy;
			rings[n++].n = t->rings[k].n;
		}
		/* Too many points is for the caller to judge, not a misfit. */
		switch (ts_polygon_object_check(rings, n, &bad, &other)) {
		case TS_POLYGON_OK:
		case TS_POLYGON_TOO_MANY:
			break;
		default:
			ok = 0;
			continue;
		}
		/* Rasterised within its own bounds only (inside the window). */
		{
			double b[4];
			int64_t bx, by, bw, bh;

			ts_polygon_bounds(rings, n, b);
			bx = (int64_t)floor(b[0]);
			by = (int64_t)floor(b[1]);
			bw = (int64_t)ceil(b[0] + b[2]) - bx;
			bh = (int64_t)ceil(b[1] + b[3]) - by;
			if (bx < m->x0)
				bw -= m->x0 - bx, bx = m->x0;
			if (by < m->y0)
				bh -= m->y0 - by, by = m->y0;
			if (bx + bw > m->x0 + m->w)
				bw = m->x0 + m->w - bx;
			if (by + bh > m->y0 + m->h)
				bh = m->y0 + m->h - by;
			if (bw <= 0 || bh <= 0)
				continue;
			ts_polygon_rasterise(rings, n, bx, by, bw, bh, one);
			for (int64_t y = 0; y < bh; y++) {
				uint8_t *dst = cover + (size_t)(by - m->y0 + y) * (size_t)m->w +
					       (size_t)(bx - m->x0);
				const uint8_t *src = one + (size_t)y * (size_t)bw;

				for (int64_t x = 0; x < bw; x++)
					dst[x] |= src[x];
			}
		}
	}
	free(rings);
	if (!ok)
		return 0;
	px.base = (const unsigned char *)m->pix + (size_t)m->y0 * m->stride +
		  (size_t)m->x0 * (size_t)m->bytes_per_pixel;
	px.stride = m->stride;
	px.bpp = m->bytes_per_pixel;
	px.w = m->w;
	px.h = m->h;
	px.label = m->label;
	for (int y = 0; y < m->h; y++) {
		const unsigned char *row = px.base + (size_t)y * px.stride;
		const uint8_t *c = cover + (size_t)y * (size_t)m->w;

		if (px.bpp == 1 && px.label >= 0) {
			/* The common case, without branches. */
			const unsigned char lab = (unsigned char)px.label;

			for (int x = 0; x < m->w; x++) {
				unsigned in = row[x] == lab;

				inter += in & c[x];
				uni += in | c[x];
			}
			continue;
		}
		for (int x = 0; x < m->w; x++) {
			unsigned in = (unsigned)pixel_in(&px, row, x);

			inter += in & c[x];
			uni += in | c[x];
		}
	}
	return uni == 0 || (double)inter / (double)uni >= min_iou;
}

enum ts_err ts_trace_fit(const struct ts_trace_mask *m, double tolerance, double min_iou,
			 size_t max_points, struct ts_trace *out, double *used,
			 struct ts_error *err)
{
	uint8_t *cover = NULL, *one = NULL;
	double tol = tolerance;
	enum ts_err e;

	for (;;) {
		e = ts_trace_mask(m, tol, max_points, out, err);
		if (e || tol == 0)
			break;
		if (!cover) {
			cover = ts_xmalloc((size_t)m->w * (size_t)m->h);
			one = ts_xmalloc((size_t)m->w * (size_t)m->h);
		}
		if (fits(m, out, min_iou, cover, one))
			break;
		ts_trace_release(out);
		tol = tol >= 0.5 ? tol / 2 : 0;
	}
	free(cover);
	free(one);
	if (used)
		*used = tol;
	return e;
}
