// Objects drawn over a read-only image (review tiles, previews), scaled to
// the element's size: one canvas, drawn once per change of what it shows or
// of its size. The caller's draw function strokes the objects at a scale.
import { useEffect, useRef } from 'preact/hooks';
import '../boxes/boxes.css';

/**
 * fill: the element shows the whole image stretched to it; cover: it crops
 * the image as CSS object-fit: cover does (grid tiles); contain: it fits the
 * whole image inside, centred, as object-fit: contain does (the large preview).
 */
export type OverlayFit = 'fill' | 'cover' | 'contain';

export function ShapeOverlay({
  width,
  height,
  fit,
  draw,
  deps,
  testid,
  count,
  className = 'box-overlay',
}: {
  width: number;
  height: number;
  fit: OverlayFit;
  /** Draws at s canvas pixels per image pixel; lineWidth is 1.5 CSS pixels. */
  draw: (ctx: CanvasRenderingContext2D, s: number, lineWidth: number) => void;
  /** What the drawing shows: a change redraws. */
  deps: readonly unknown[];
  testid: string;
  count: number;
  className?: string;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const drawRef = useRef(draw);
  drawRef.current = draw;
  useEffect(() => {
    const c = ref.current;
    if (!c || !width) return;
    const paint = () => {
      const dpr = window.devicePixelRatio || 1;
      c.width = Math.max(1, Math.round(c.clientWidth * dpr));
      c.height = Math.max(1, Math.round(c.clientHeight * dpr));
      const ctx = c.getContext('2d');
      if (!ctx) return;
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, c.width, c.height);
      const sx = c.width / width;
      const sy = c.height / height;
      const s = fit === 'cover' ? Math.max(sx, sy) : fit === 'contain' ? Math.min(sx, sy) : sx;
      ctx.translate((c.width - width * s) / 2, (c.height - height * s) / 2);
      drawRef.current(ctx, s, 1.5 * dpr);
    };
    paint();
    const ro = new ResizeObserver(paint);
    ro.observe(c);
    return () => ro.disconnect();
  }, [...deps, width, height, fit]);
  return <canvas ref={ref} class={className} data-testid={testid} data-box-count={count} data-object-count={count} aria-hidden="true" />;
}
