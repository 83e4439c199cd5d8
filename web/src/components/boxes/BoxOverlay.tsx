// Boxes drawn over a read-only image (review tiles, previews), scaled to the
// element's size: one canvas, drawn once per change of boxes or size.
import { useEffect, useRef } from 'preact/hooks';
import type { BoxObject } from '../../api/assets';
import { drawBoxes } from './boxDraw';
import './boxes.css';

/** cover: the element crops the image as CSS object-fit: cover does (grid tiles); fill: it shows the whole image. */
export function BoxOverlay({
  boxes,
  width,
  height,
  fit = 'fill',
  dashed = false,
}: {
  boxes: readonly BoxObject[];
  width: number;
  height: number;
  fit?: 'fill' | 'cover';
  /** Dashed lines: boxes proposed by a model, not yet accepted. */
  dashed?: boolean;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    if (!c || !width) return;
    const draw = () => {
      const dpr = window.devicePixelRatio || 1;
      c.width = Math.max(1, Math.round(c.clientWidth * dpr));
      c.height = Math.max(1, Math.round(c.clientHeight * dpr));
      const ctx = c.getContext('2d');
      if (!ctx) return;
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, c.width, c.height);
      const s = fit === 'cover' ? Math.max(c.width / width, c.height / height) : c.width / width;
      ctx.translate((c.width - width * s) / 2, (c.height - height * s) / 2);
      ctx.setLineDash(dashed ? [6 * dpr, 4 * dpr] : []);
      drawBoxes(ctx, boxes, s, null, (dashed ? 2 : 1.5) * dpr);
    };
    draw();
    const ro = new ResizeObserver(draw);
    ro.observe(c);
    return () => ro.disconnect();
  }, [boxes, width, height, fit, dashed]);
  return (
    <canvas
      ref={ref}
      class={dashed ? 'box-overlay box-overlay-suggested' : 'box-overlay'}
      data-testid={dashed ? 'suggested-boxes' : 'box-overlay'}
      data-box-count={boxes.length}
      aria-hidden="true"
    />
  );
}
