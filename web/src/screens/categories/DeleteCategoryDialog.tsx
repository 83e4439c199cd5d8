import { useState } from 'preact/hooks';
import { errorMessage } from '../../api/errors';
import type { Category } from '../../api/types';
import { ConfirmDialog } from '../../components/ConfirmDialog';

interface Props {
  category: Category;
  onDelete: () => Promise<void>;
  onClose: () => void;
}

export function DeleteCategoryDialog({ category, onDelete, onClose }: Props) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  async function confirm() {
    setBusy(true);
    setError('');
    try {
      await onDelete();
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  }

  return (
    <ConfirmDialog
      title={`Delete “${category.name}”?`}
      confirmLabel="Delete category"
      danger
      busy={busy}
      error={error}
      onConfirm={() => void confirm()}
      onCancel={onClose}
    >
      <p>
        The category is hidden from labeling and from new exports. Its id{' '}
        <strong class="mono">#{category.id}</strong> is never reused: a category added later gets a new id.
      </p>
      <p>
        Images already labeled “{category.name}” keep that label in their history, but they are left out of
        exports (counted as excluded) until they are relabeled.
      </p>
    </ConfirmDialog>
  );
}
