// Boxes drawn over a read-only image (review tiles, previews).
import type { BoxObject } from '../../api/assets';
import { ShapeOverlay, type OverlayFit } from '../canvas/ShapeOverlay';
import { drawBoxes } from './boxDraw';

export function BoxOverlay({ boxes, width, height, fit = 'fill' }: { boxes: readonly BoxObject[]; width: number; height: number; fit?: OverlayFit }) {
  return (
    <ShapeOverlay
      width={width}
      height={height}
      fit={fit}
      deps={[boxes]}
      testid="box-overlay"
      count={boxes.length}
      draw={(ctx, s, lw) => drawBoxes(ctx, boxes, s, null, lw)}
    />
  );
}
