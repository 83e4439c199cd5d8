import { useEffect, useRef, useState } from 'preact/hooks';
import { fileUrl, type Asset } from '../../api/assets';
import { labeling, type HistoryEntry } from '../../api/labeling';
import { StatusBadge } from '../../components/StatusBadge';
import { AssetObjects } from '../../components/canvas/AssetObjects';
import { formatDateTime } from '../../lib/format';
import { STATUS_NAME } from '../../lib/status';

/** One image large (Enter on a review tile), contained, never cropped, with its boxes or polygons; Esc or Enter closes it. */
export function PreviewOverlay({
  asset,
  categoryName,
  onClose,
}: {
  asset: Asset;
  categoryName: (id: number) => string | undefined;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [history, setHistory] = useState<HistoryEntry[] | null>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  // The annotation's changes, with the notes flags carry (newest first).
  useEffect(() => {
    let live = true;
    labeling.history(asset.id).then(
      (h) => live && setHistory([...h].reverse()),
      () => live && setHistory([]),
    );
    return () => {
      live = false;
    };
  }, [asset.id, asset.annotation.revision]);
  const latest = history?.[0];
  const note = latest && latest.to.status === asset.annotation.status ? latest.note : undefined;
  const cat = asset.annotation.category_ids[0];
  return (
    <dialog
      ref={ref}
      class="preview-dialog"
      aria-label={`Preview of ${asset.file_name}`}
      data-testid="review-preview"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          onClose();
        }
      }}
      onClick={(e) => {
        if (e.target === ref.current) onClose();
      }}
    >
      <div class="preview-frame">
        <img class="preview-img" src={fileUrl(asset.id)} alt={asset.file_name} />
        <AssetObjects asset={asset} fit="contain" />
      </div>
      <p class="preview-info">
        <StatusBadge status={asset.annotation.status} named /> {cat !== undefined && (categoryName(cat) ?? `#${cat}`)} ·{' '}
        <span class="mono">{asset.file_name}</span> · {asset.width}×{asset.height}
        <button type="button" class="btn btn-sm" onClick={onClose} autoFocus>
          Close
        </button>
      </p>
      {note && (
        <p class="preview-note" data-testid="preview-note">
          <strong>Note:</strong> {note}
        </p>
      )}
      {history && history.length > 0 && (
        <ol class="preview-history small" data-testid="preview-history" aria-label="History">
          {history.slice(0, 20).map((h) => (
            <li key={h.id}>
              <span class="muted">{formatDateTime(h.at)}</span> {h.by ?? 'unknown'}:{' '}
              {STATUS_NAME[h.from.status]} → {STATUS_NAME[h.to.status]}
              {h.note && <span class="preview-history-note"> “{h.note}”</span>}
            </li>
          ))}
        </ol>
      )}
    </dialog>
  );
}
