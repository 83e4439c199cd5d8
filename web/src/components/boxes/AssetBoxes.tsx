// The boxes of one asset over its thumbnail. The asset list does not carry
// payloads, so a labeled tile reads its annotation once (only tiles in view
// are mounted by the grid).
import { useEffect, useState } from 'preact/hooks';
import type { Asset, BoxObject } from '../../api/assets';
import { labeling } from '../../api/labeling';
import { BoxOverlay } from './BoxOverlay';

export function AssetBoxes({ asset, fit = 'cover' }: { asset: Asset; fit?: 'fill' | 'cover' }) {
  const given = asset.annotation.payload;
  const [boxes, setBoxes] = useState<readonly BoxObject[]>(given?.type === 'boxes' ? given.objects : []);
  const labeled = asset.annotation.status !== 'unlabeled' && asset.annotation.status !== 'skipped';
  useEffect(() => {
    if (given?.type === 'boxes') {
      setBoxes(given.objects);
      return;
    }
    if (!labeled) return;
    let live = true;
    labeling.get(asset.id).then(
      (a) => live && a.payload?.type === 'boxes' && setBoxes(a.payload.objects),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [asset.id, asset.annotation.revision, labeled, given]);
  return boxes.length > 0 ? <BoxOverlay boxes={boxes} width={asset.width} height={asset.height} fit={fit} /> : null;
}
