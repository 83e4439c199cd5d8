// Drawing boxes on a 2D canvas, shared by the editor and the read-only
// overlays. Boxes of one colour are stroked as one path, so a thousand boxes
// cost a handful of draw calls.
import type { BoxObject } from '../../api/assets';
import { HANDLES, handlePoint, type Bbox } from '../../state/boxEditor';

const PALETTE = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#bfef45', '#fabed4', '#469990', '#dcbeff', '#9a6324'];

/** The colour of a category's boxes (stable per id). */
export function categoryColor(categoryId: number): string {
  return PALETTE[((categoryId % PALETTE.length) + PALETTE.length) % PALETTE.length] ?? '#e6194b';
}

/** Strokes every box but `skip`, scaled by s (canvas pixels per image pixel). */
export function drawBoxes(ctx: CanvasRenderingContext2D, boxes: readonly BoxObject[], s: number, skip: string | null, lineWidth: number): void {
  const byColor = new Map<string, BoxObject[]>();
  for (const b of boxes) {
    if (b.id === skip) continue;
    const c = categoryColor(b.category_id);
    let list = byColor.get(c);
    if (!list) byColor.set(c, (list = []));
    list.push(b);
  }
  ctx.lineWidth = lineWidth;
  for (const [color, list] of byColor) {
    ctx.strokeStyle = color;
    ctx.beginPath();
    for (const b of list) ctx.rect(b.bbox[0] * s, b.bbox[1] * s, b.bbox[2] * s, b.bbox[3] * s);
    ctx.stroke();
  }
}

/** The selected (or moving) box: thicker, lightly filled, with its handles and category name. */
export function drawSelected(
  ctx: CanvasRenderingContext2D,
  bbox: Bbox,
  categoryId: number,
  name: string,
  s: number,
  unit: number,
): void {
  const color = categoryColor(categoryId);
  const [x, y, w, h] = [bbox[0] * s, bbox[1] * s, bbox[2] * s, bbox[3] * s];
  ctx.fillStyle = `${color}33`;
  ctx.fillRect(x, y, w, h);
  ctx.lineWidth = 2 * unit;
  ctx.strokeStyle = color;
  ctx.strokeRect(x, y, w, h);
  const hs = 4 * unit;
  ctx.fillStyle = '#fff';
  ctx.lineWidth = unit;
  for (const hd of HANDLES) {
    const [hx, hy] = handlePoint(bbox, hd);
    ctx.fillRect(hx * s - hs, hy * s - hs, 2 * hs, 2 * hs);
    ctx.strokeRect(hx * s - hs, hy * s - hs, 2 * hs, 2 * hs);
  }
  if (name) {
    ctx.font = `${12 * unit}px sans-serif`;
    const tw = ctx.measureText(name).width + 6 * unit;
    const ty = y > 16 * unit ? y - 16 * unit : y + h;
    ctx.fillStyle = color;
    ctx.fillRect(x, ty, tw, 16 * unit);
    ctx.fillStyle = '#fff';
    ctx.fillText(name, x + 3 * unit, ty + 12 * unit);
  }
}
