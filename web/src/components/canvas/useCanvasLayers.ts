// Two canvases over an image for an editor tool (boxes, polygons). The lower
// one holds what rarely changes (every object but the one being edited) and
// is redrawn only when that changes or the element is resized; the upper one
// holds the edited object, what is being drawn and the crosshair, and is
// redrawn at most once a frame while the pointer moves. Zoom is a CSS scale
// of the viewer's frame: no redraw. Positions are read from the canvas's
// on-screen rectangle at every event, so zoom and pan work mid-drag.
import { useEffect, useRef } from 'preact/hooks';

export interface LayerScale {
  /** Canvas pixels per image pixel. */
  s: number;
  /** Canvas pixels per CSS pixel (line widths, handles). */
  unit: number;
}

export type LayerDraw = (ctx: CanvasRenderingContext2D, scale: LayerScale, canvas: HTMLCanvasElement) => void;

/** A pointer position in image pixels, with the grab distance in image pixels. */
export interface ImagePoint {
  x: number;
  y: number;
  tol: number;
}

/**
 * The layers of a w x h image. draw.base and draw.top are read at each
 * redraw (the latest render's), deps trigger a full redraw.
 */
export function useCanvasLayers(width: number, height: number, draw: { base: LayerDraw; top: LayerDraw }, deps: readonly unknown[], grab = 7) {
  const wrap = useRef<HTMLDivElement>(null);
  const base = useRef<HTMLCanvasElement>(null);
  const top = useRef<HTMLCanvasElement>(null);
  const frame = useRef(0);
  const drawRef = useRef(draw);
  drawRef.current = draw;

  const scales = (): LayerScale => {
    const c = base.current;
    return c ? { s: c.width / width, unit: c.width / Math.max(1, c.clientWidth) } : { s: 1, unit: 1 };
  };

  function sizeCanvases(): boolean {
    const w = wrap.current;
    if (!w) return false;
    const dpr = window.devicePixelRatio || 1;
    const cw = Math.max(1, Math.round(w.clientWidth * dpr));
    const ch = Math.max(1, Math.round(w.clientHeight * dpr));
    let changed = false;
    for (const c of [base.current, top.current]) {
      if (c && (c.width !== cw || c.height !== ch)) {
        c.width = cw;
        c.height = ch;
        changed = true;
      }
    }
    return changed;
  }

  function paint(c: HTMLCanvasElement | null, f: LayerDraw): void {
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    ctx.clearRect(0, 0, c.width, c.height);
    f(ctx, scales(), c);
  }

  const drawBase = () => paint(base.current, drawRef.current.base);
  const drawTop = () => {
    frame.current = 0;
    paint(top.current, drawRef.current.top);
  };
  const scheduleTop = () => {
    if (!frame.current) frame.current = requestAnimationFrame(drawTop);
  };

  useEffect(() => {
    sizeCanvases();
    drawBase();
    drawTop();
  }, deps);

  useEffect(() => {
    const w = wrap.current;
    if (!w) return;
    const ro = new ResizeObserver(() => {
      if (sizeCanvases()) {
        drawBase();
        drawTop();
      }
    });
    ro.observe(w);
    return () => {
      ro.disconnect();
      if (frame.current) cancelAnimationFrame(frame.current);
      frame.current = 0;
    };
  }, [width, height]);

  /** The pointer in image pixels (the canvas's on-screen rectangle includes zoom and pan). */
  function toImage(e: { clientX: number; clientY: number }): ImagePoint {
    const r = top.current?.getBoundingClientRect() ?? { left: 0, top: 0, width: 1, height: 1 };
    const k = width / Math.max(1, r.width);
    return { x: (e.clientX - r.left) * k, y: (e.clientY - r.top) * (height / Math.max(1, r.height)), tol: grab * k };
  }

  return { wrap, base, top, scales, drawBase, drawTop, scheduleTop, toImage };
}

/** Draws the crosshair at image point p over the whole canvas. */
export function drawCrosshair(ctx: CanvasRenderingContext2D, p: { x: number; y: number } | null, { s, unit }: LayerScale, c: HTMLCanvasElement): void {
  if (!p) return;
  ctx.lineWidth = unit;
  ctx.strokeStyle = 'rgba(255,255,255,0.7)';
  ctx.beginPath();
  ctx.moveTo(0, p.y * s);
  ctx.lineTo(c.width, p.y * s);
  ctx.moveTo(p.x * s, 0);
  ctx.lineTo(p.x * s, c.height);
  ctx.stroke();
}
