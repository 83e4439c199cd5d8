// The objects (boxes or polygons) of one asset over its image. The asset
// list does not carry payloads, so a labeled tile reads its annotation once
// (only tiles in view are mounted by the grid).
import { useEffect, useState } from 'preact/hooks';
import type { AnnotationPayload, Asset } from '../../api/assets';
import { labeling } from '../../api/labeling';
import { BoxOverlay } from '../boxes/BoxOverlay';
import { PolygonOverlay } from '../polygons/PolygonOverlay';
import type { OverlayFit } from './ShapeOverlay';

/** The payload of an asset: the one the list carried, else read from its annotation. */
export function useAssetPayload(asset: Asset): AnnotationPayload | null {
  const given = asset.annotation.payload ?? null;
  const [payload, setPayload] = useState<AnnotationPayload | null>(given);
  const labeled = asset.annotation.status !== 'unlabeled' && asset.annotation.status !== 'skipped';
  useEffect(() => {
    if (given) {
      setPayload(given);
      return;
    }
    if (!labeled) return;
    let live = true;
    labeling.get(asset.id).then(
      (a) => live && setPayload(a.payload ?? null),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [asset.id, asset.annotation.revision, labeled, given]);
  return payload;
}

export function AssetObjects({ asset, fit = 'cover' }: { asset: Asset; fit?: OverlayFit }) {
  const p = useAssetPayload(asset);
  if (p?.type === 'boxes' && p.objects.length > 0) return <BoxOverlay boxes={p.objects} width={asset.width} height={asset.height} fit={fit} />;
  if (p?.type === 'polygons' && p.objects.length > 0) {
    return <PolygonOverlay objects={p.objects} width={asset.width} height={asset.height} fit={fit} />;
  }
  return null;
}
