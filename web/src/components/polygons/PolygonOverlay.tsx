// Polygons drawn over a read-only image (review tiles, previews), filled by
// the even-odd rule so that holes show.
import type { PolygonObject } from '../../api/assets';
import { ShapeOverlay, type OverlayFit } from '../canvas/ShapeOverlay';
import { FILL_ALPHA, drawPolygons } from './polyDraw';

export function PolygonOverlay({
  objects,
  width,
  height,
  fit = 'fill',
}: {
  objects: readonly PolygonObject[];
  width: number;
  height: number;
  fit?: OverlayFit;
}) {
  return (
    <ShapeOverlay
      width={width}
      height={height}
      fit={fit}
      deps={[objects]}
      testid="polygon-overlay"
      count={objects.length}
      draw={(ctx, s, lw) => drawPolygons(ctx, objects, s, null, lw, FILL_ALPHA)}
    />
  );
}
