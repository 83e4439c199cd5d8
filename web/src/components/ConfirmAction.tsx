// Delete and restore actions, said once: a destructive one asks first in a
// ConfirmDialog; each ends in a toast that says what happened, and a
// failure is shown both in the dialog and as an error toast (never silent).
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { errorMessage } from '../api/errors';
import { showError, showToast } from '../state/toasts';
import { ConfirmDialog } from './ConfirmDialog';

export interface PendingAction {
  title: string;
  body: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  /** Does the work; resolves to the toast's text. */
  run: () => Promise<string>;
}

/** Runs an action at once (restoring): a toast either way; true when it worked. */
export async function runAction(run: () => Promise<string>): Promise<boolean> {
  try {
    showToast(await run());
    return true;
  } catch (e) {
    showError(errorMessage(e));
    return false;
  }
}

/** ask(action) opens the dialog; render `dialog` somewhere in the screen. */
export function useConfirmAction(): { ask: (a: PendingAction) => void; dialog: ComponentChildren } {
  const [pending, setPending] = useState<PendingAction | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const ask = (a: PendingAction) => {
    setError('');
    setPending(a);
  };
  const confirm = async () => {
    if (!pending) return;
    setBusy(true);
    setError('');
    try {
      const text = await pending.run();
      setPending(null);
      showToast(text);
    } catch (e) {
      const msg = errorMessage(e);
      setError(msg);
      showError(msg);
    } finally {
      setBusy(false);
    }
  };
  const dialog = pending ? (
    <ConfirmDialog
      title={pending.title}
      confirmLabel={pending.confirmLabel}
      danger={pending.danger}
      busy={busy}
      error={error}
      onConfirm={() => void confirm()}
      onCancel={() => setPending(null)}
    >
      {pending.body}
    </ConfirmDialog>
  ) : null;
  return { ask, dialog };
}
