// Plane geometry of polygon rings, for the polygon editor and its drawing.
// A ring is a flat list [x1, y1, x2, y2, ...] in image pixels, closed
// implicitly (the last point joins the first). DOM-free.

export type Ring = number[];

/** Number of points of a ring. */
export const pointCount = (r: readonly number[]): number => r.length >> 1;

/** Point i of a ring (wrapping around). */
export function pointAt(r: readonly number[], i: number): [number, number] {
  const n = pointCount(r);
  const k = ((i % n) + n) % n;
  return [r[2 * k] ?? 0, r[2 * k + 1] ?? 0];
}

/** Signed area (shoelace); positive when the ring runs clockwise on screen (y down). */
export function signedArea(r: readonly number[]): number {
  const n = pointCount(r);
  let a = 0;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    a += (r[2 * j] ?? 0) * (r[2 * i + 1] ?? 0) - (r[2 * i] ?? 0) * (r[2 * j + 1] ?? 0);
  }
  return a / 2;
}

/** Bounds [x0, y0, x1, y1] of some rings. */
export function bounds(rings: readonly (readonly number[])[]): [number, number, number, number] {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const r of rings) {
    for (let i = 0; i + 1 < r.length; i += 2) {
      const x = r[i] ?? 0;
      const y = r[i + 1] ?? 0;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return [x0, y0, x1, y1];
}

/** Whether (x, y) is inside the ring (crossing number). */
export function pointInRing(r: readonly number[], x: number, y: number): boolean {
  const n = pointCount(r);
  let inside = false;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = r[2 * i] ?? 0;
    const yi = r[2 * i + 1] ?? 0;
    const xj = r[2 * j] ?? 0;
    const yj = r[2 * j + 1] ?? 0;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Whether (x, y) is inside an object of several rings, by the even-odd rule (a ring inside another is a hole). */
export function pointInRings(rings: readonly (readonly number[])[], x: number, y: number): boolean {
  let inside = false;
  for (const r of rings) if (pointInRing(r, x, y)) inside = !inside;
  return inside;
}

/** Area of an object by the even-odd rule: outer rings count, rings inside an odd number of others are holes. */
export function objectArea(rings: readonly (readonly number[])[]): number {
  let a = 0;
  rings.forEach((r, i) => {
    const [px, py] = pointAt(r, 0);
    let depth = 0;
    rings.forEach((o, k) => {
      if (k !== i && pointInRing(o, px, py)) depth++;
    });
    a += (depth % 2 === 0 ? 1 : -1) * Math.abs(signedArea(r));
  });
  return a;
}

/** Squared distance from (x, y) to segment a-b, and the parameter t of the nearest point. */
export function segmentDistance2(
  x: number,
  y: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
): { d2: number; t: number } {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len2));
  const px = ax + t * dx - x;
  const py = ay + t * dy - y;
  return { d2: px * px + py * py, t };
}

/** The point of a ring within tol of (x, y), the nearest one; -1 when none. */
export function nearestPoint(r: readonly number[], x: number, y: number, tol: number): number {
  let best = -1;
  let bestD = tol * tol;
  for (let i = 0; i < pointCount(r); i++) {
    const dx = (r[2 * i] ?? 0) - x;
    const dy = (r[2 * i + 1] ?? 0) - y;
    const d = dx * dx + dy * dy;
    if (d <= bestD) {
      best = i;
      bestD = d;
    }
  }
  return best;
}

/** The edge of a ring within tol of (x, y) (edge i runs from point i to point i + 1), with the nearest point on it; null when none. */
export function nearestEdge(r: readonly number[], x: number, y: number, tol: number): { edge: number; x: number; y: number } | null {
  const n = pointCount(r);
  let best: { edge: number; x: number; y: number } | null = null;
  let bestD = tol * tol;
  for (let i = 0; i < n; i++) {
    const [ax, ay] = pointAt(r, i);
    const [bx, by] = pointAt(r, i + 1);
    const { d2, t } = segmentDistance2(x, y, ax, ay, bx, by);
    if (d2 <= bestD) {
      bestD = d2;
      best = { edge: i, x: ax + t * (bx - ax), y: ay + t * (by - ay) };
    }
  }
  return best;
}

const orient = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number) =>
  Math.sign((bx - ax) * (cy - ay) - (by - ay) * (cx - ax));

const onSegment = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number) =>
  Math.min(ax, bx) <= cx && cx <= Math.max(ax, bx) && Math.min(ay, by) <= cy && cy <= Math.max(ay, by);

/** Whether segments p1-p2 and p3-p4 touch or cross (collinear overlaps included). */
export function segmentsIntersect(
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  x3: number,
  y3: number,
  x4: number,
  y4: number,
): boolean {
  const d1 = orient(x3, y3, x4, y4, x1, y1);
  const d2 = orient(x3, y3, x4, y4, x2, y2);
  const d3 = orient(x1, y1, x2, y2, x3, y3);
  const d4 = orient(x1, y1, x2, y2, x4, y4);
  if (d1 !== d2 && d3 !== d4 && d1 !== 0 && d2 !== 0 && d3 !== 0 && d4 !== 0) return true;
  if (d1 === 0 && onSegment(x3, y3, x4, y4, x1, y1)) return true;
  if (d2 === 0 && onSegment(x3, y3, x4, y4, x2, y2)) return true;
  if (d3 === 0 && onSegment(x1, y1, x2, y2, x3, y3)) return true;
  if (d4 === 0 && onSegment(x1, y1, x2, y2, x4, y4)) return true;
  return false;
}

/** Whether edge i (point i to i + 1) of a ring meets another edge other than at their shared points. */
function edgeHitsRing(r: readonly number[], i: number, closed: boolean): boolean {
  const n = pointCount(r);
  const [ax, ay] = pointAt(r, i);
  const [bx, by] = pointAt(r, i + 1);
  const edges = closed ? n : n - 1;
  for (let k = 0; k < edges; k++) {
    if (k === i) continue;
    const adjacent = k === (i + 1) % n || (k + 1) % n === i;
    const [cx, cy] = pointAt(r, k);
    const [dx, dy] = pointAt(r, k + 1);
    if (adjacent) {
      // Neighbours share a point; they meet elsewhere only when they fold back over each other.
      const shared = k === (i + 1) % n ? [bx, by] : [ax, ay];
      const [ox, oy] = k === (i + 1) % n ? [dx, dy] : [cx, cy];
      const [px, py] = k === (i + 1) % n ? [ax, ay] : [bx, by];
      if (orient(shared[0] ?? 0, shared[1] ?? 0, px, py, ox, oy) === 0) {
        const dot = (px - (shared[0] ?? 0)) * (ox - (shared[0] ?? 0)) + (py - (shared[1] ?? 0)) * (oy - (shared[1] ?? 0));
        if (dot > 0) return true;
      }
      continue;
    }
    if (segmentsIntersect(ax, ay, bx, by, cx, cy, dx, dy)) return true;
  }
  return false;
}

/** Whether a closed ring crosses or touches itself (O(n²), fine for hand-drawn rings). */
export function ringSelfIntersects(r: readonly number[]): boolean {
  const n = pointCount(r);
  for (let i = 0; i < n; i++) if (edgeHitsRing(r, i, true)) return true;
  return false;
}

/** Whether the two edges at point i of a closed ring meet any other edge (after point i moved: O(n)). */
export function pointEdgesIntersect(r: readonly number[], i: number): boolean {
  const n = pointCount(r);
  return edgeHitsRing(r, (i - 1 + n) % n, true) || edgeHitsRing(r, i, true);
}

/** Whether the last edge of an open chain (the one a new point just added) meets an earlier edge. */
export function lastEdgeIntersects(r: readonly number[]): boolean {
  const n = pointCount(r);
  return n >= 3 && edgeHitsRing(r, n - 2, false);
}

/** Number of distinct points of a ring. */
export function distinctPoints(r: readonly number[]): number {
  const seen = new Set<string>();
  for (let i = 0; i + 1 < r.length; i += 2) seen.add(`${r[i]},${r[i + 1]}`);
  return seen.size;
}

/** Whether two consecutive points of a closed ring are equal (the last and the first included). */
export function hasRepeatedPoint(r: readonly number[]): boolean {
  const n = pointCount(r);
  for (let i = 0; i < n; i++) {
    const [ax, ay] = pointAt(r, i);
    const [bx, by] = pointAt(r, i + 1);
    if (ax === bx && ay === by) return true;
  }
  return false;
}

/** Whether an edge of ring a crosses or touches an edge of ring b (O(n·m), fine for hand-drawn rings). */
export function ringsMeet(a: readonly number[], b: readonly number[]): boolean {
  const na = pointCount(a);
  const nb = pointCount(b);
  for (let i = 0; i < na; i++) {
    const [ax, ay] = pointAt(a, i);
    const [bx, by] = pointAt(a, i + 1);
    for (let k = 0; k < nb; k++) {
      const [cx, cy] = pointAt(b, k);
      const [dx, dy] = pointAt(b, k + 1);
      if (segmentsIntersect(ax, ay, bx, by, cx, cy, dx, dy)) return true;
    }
  }
  return false;
}
