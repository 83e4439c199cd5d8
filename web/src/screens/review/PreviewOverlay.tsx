import { useEffect, useRef } from 'preact/hooks';
import { fileUrl, type Asset } from '../../api/assets';
import { StatusBadge } from '../../components/StatusBadge';

/** One image large (Enter on a review tile), contained, never cropped; Esc or Enter closes it. */
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
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
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
      <img class="preview-img" src={fileUrl(asset.id)} alt={asset.file_name} />
      <p class="preview-info">
        <StatusBadge status={asset.annotation.status} named /> {cat !== undefined && (categoryName(cat) ?? `#${cat}`)} ·{' '}
        <span class="mono">{asset.file_name}</span> · {asset.width}×{asset.height}
        <button type="button" class="btn btn-sm" onClick={onClose} autoFocus>
          Close
        </button>
      </p>
    </dialog>
  );
}
