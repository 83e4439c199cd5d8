// Drawing polygon objects on a 2D canvas, shared by the editor and the
// read-only overlays. Each object is filled on its own by the even-odd rule
// (a ring inside another ring of it is a hole); the outlines of one colour
// are stroked as one path, so hundreds of objects cost a few draw calls
// besides their fills.
import type { PolygonObject } from '../../api/assets';
import { bounds, pointCount } from '../../lib/polygon';
import { categoryColor } from '../boxes/boxDraw';

/** Fill opacity of objects when fill is on. */
export const FILL_ALPHA = 0.3;

/** Adds the rings, scaled by s, to the current path. */
export function traceRings(ctx: CanvasRenderingContext2D, rings: readonly (readonly number[])[], s: number): void {
  for (const r of rings) {
    const n = pointCount(r);
    if (n === 0) continue;
    ctx.moveTo((r[0] ?? 0) * s, (r[1] ?? 0) * s);
    for (let i = 1; i < n; i++) ctx.lineTo((r[2 * i] ?? 0) * s, (r[2 * i + 1] ?? 0) * s);
    ctx.closePath();
  }
}

/** Fills (when fill > 0) and strokes every object but `skip`, scaled by s (canvas pixels per image pixel). */
export function drawPolygons(
  ctx: CanvasRenderingContext2D,
  objects: readonly PolygonObject[],
  s: number,
  skip: string | null,
  lineWidth: number,
  fill: number,
): void {
  const byColor = new Map<string, PolygonObject[]>();
  for (const o of objects) {
    if (o.id === skip) continue;
    const c = categoryColor(o.category_id);
    let list = byColor.get(c);
    if (!list) byColor.set(c, (list = []));
    list.push(o);
  }
  ctx.lineWidth = lineWidth;
  ctx.lineJoin = 'round';
  for (const [color, list] of byColor) {
    if (fill > 0) {
      ctx.globalAlpha = fill;
      ctx.fillStyle = color;
      for (const o of list) {
        ctx.beginPath();
        traceRings(ctx, o.polygons, s);
        ctx.fill('evenodd');
      }
      ctx.globalAlpha = 1;
    }
    ctx.strokeStyle = color;
    ctx.beginPath();
    for (const o of list) traceRings(ctx, o.polygons, s);
    ctx.stroke();
  }
}

/** The selected (or edited) object: thicker, with its vertices, the selected one larger, and its category name. */
export function drawEdited(
  ctx: CanvasRenderingContext2D,
  rings: readonly (readonly number[])[],
  categoryId: number,
  name: string,
  opts: { s: number; unit: number; fill: number; vertex: { ring: number; index: number } | null; invalid: boolean },
): void {
  const { s, unit } = opts;
  const color = opts.invalid ? '#ff3030' : categoryColor(categoryId);
  ctx.beginPath();
  traceRings(ctx, rings, s);
  ctx.globalAlpha = Math.max(opts.fill, 0.12);
  ctx.fillStyle = color;
  ctx.fill('evenodd');
  ctx.globalAlpha = 1;
  ctx.lineWidth = 2 * unit;
  ctx.lineJoin = 'round';
  ctx.strokeStyle = color;
  ctx.stroke();
  const hs = 3.5 * unit;
  ctx.lineWidth = unit;
  ctx.strokeStyle = color;
  ctx.fillStyle = '#fff';
  ctx.beginPath();
  rings.forEach((r) => {
    for (let i = 0; i < pointCount(r); i++) ctx.rect((r[2 * i] ?? 0) * s - hs, (r[2 * i + 1] ?? 0) * s - hs, 2 * hs, 2 * hs);
  });
  ctx.fill();
  ctx.stroke();
  const v = opts.vertex;
  const vr = v ? rings[v.ring] : undefined;
  if (v && vr && 2 * v.index + 1 < vr.length) {
    const big = 6 * unit;
    ctx.fillStyle = color;
    ctx.fillRect((vr[2 * v.index] ?? 0) * s - big, (vr[2 * v.index + 1] ?? 0) * s - big, 2 * big, 2 * big);
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 1.5 * unit;
    ctx.strokeRect((vr[2 * v.index] ?? 0) * s - big, (vr[2 * v.index + 1] ?? 0) * s - big, 2 * big, 2 * big);
  }
  if (name) {
    const [x, y] = bounds(rings).map((b) => b * s);
    ctx.font = `${12 * unit}px sans-serif`;
    const tw = ctx.measureText(name).width + 6 * unit;
    const ty = (y ?? 0) > 16 * unit ? (y ?? 0) - 16 * unit : (y ?? 0);
    ctx.fillStyle = color;
    ctx.fillRect(x ?? 0, ty, tw, 16 * unit);
    ctx.fillStyle = '#fff';
    ctx.fillText(name, (x ?? 0) + 3 * unit, ty + 12 * unit);
  }
}

/** The ring being drawn: its points, a dashed edge to the pointer, and the first point, ringed when a click there closes it. */
export function drawOpenRing(
  ctx: CanvasRenderingContext2D,
  points: readonly number[],
  pointer: { x: number; y: number } | null,
  color: string,
  closing: boolean,
  s: number,
  unit: number,
): void {
  const n = pointCount(points);
  if (n === 0) return;
  ctx.lineWidth = 2 * unit;
  ctx.lineJoin = 'round';
  ctx.strokeStyle = color;
  ctx.beginPath();
  ctx.moveTo((points[0] ?? 0) * s, (points[1] ?? 0) * s);
  for (let i = 1; i < n; i++) ctx.lineTo((points[2 * i] ?? 0) * s, (points[2 * i + 1] ?? 0) * s);
  ctx.stroke();
  if (pointer) {
    ctx.setLineDash([6 * unit, 4 * unit]);
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 1.5 * unit;
    ctx.beginPath();
    ctx.moveTo((points[2 * n - 2] ?? 0) * s, (points[2 * n - 1] ?? 0) * s);
    ctx.lineTo(pointer.x * s, pointer.y * s);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  const hs = 3 * unit;
  ctx.fillStyle = '#fff';
  for (let i = 0; i < n; i++) ctx.fillRect((points[2 * i] ?? 0) * s - hs, (points[2 * i + 1] ?? 0) * s - hs, 2 * hs, 2 * hs);
  ctx.beginPath();
  ctx.arc((points[0] ?? 0) * s, (points[1] ?? 0) * s, (closing ? 8 : 5) * unit, 0, 2 * Math.PI);
  ctx.strokeStyle = closing ? '#fff' : color;
  ctx.lineWidth = 2 * unit;
  ctx.stroke();
}
