// Boxes drawn over a read-only image (review tiles, previews), solid, or
// dashed for boxes proposed by a model and not yet accepted.
import type { BoxObject } from '../../api/assets';
import { ShapeOverlay, type OverlayFit } from '../canvas/ShapeOverlay';
import { drawBoxes } from './boxDraw';

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
  fit?: OverlayFit;
  /** Dashed lines: boxes proposed by a model, not yet accepted. */
  dashed?: boolean;
}) {
  return (
    <ShapeOverlay
      width={width}
      height={height}
      fit={fit}
      deps={[boxes, dashed]}
      testid={dashed ? 'suggested-boxes' : 'box-overlay'}
      className={dashed ? 'box-overlay box-overlay-suggested' : 'box-overlay'}
      count={boxes.length}
      draw={(ctx, s, lw) => {
        const dpr = lw / 1.5;
        ctx.setLineDash(dashed ? [6 * dpr, 4 * dpr] : []);
        drawBoxes(ctx, boxes, s, null, dashed ? 2 * dpr : lw);
      }}
    />
  );
}
