// The signed-in user's API tokens: name, dates, and a Revoke button each.
// Secrets are never listed (the server does not send them).
import { useState } from 'preact/hooks';
import { auth } from '../../api/endpoints';
import { errorMessage } from '../../api/errors';
import type { ApiToken } from '../../api/types';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { formatDateTime } from '../../lib/format';
import { showToast } from '../../state/toasts';

function when(iso: string | null, none: string) {
  return iso ? <span title={iso}>{formatDateTime(iso)}</span> : <span class="muted">{none}</span>;
}

const label = (t: ApiToken) => t.name ?? `#${t.id}`;

export function TokenList({ tokens, onRevoked }: { tokens: ApiToken[]; onRevoked: (id: number) => void }) {
  const [confirm, setConfirm] = useState<ApiToken | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  async function revoke(t: ApiToken) {
    setBusy(true);
    setError('');
    try {
      await auth.revokeToken(t.id);
      onRevoked(t.id);
      setConfirm(null);
      showToast(`Token “${label(t)}” revoked.`);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  if (!tokens.length) return <p class="muted small">You have no API tokens.</p>;
  return (
    <>
      <table class="table token-table" aria-label="API tokens">
        <thead>
          <tr>
            <th>Name</th>
            <th class="col-date">Created</th>
            <th class="col-date">Last used</th>
            <th class="col-date">Expires</th>
            <th>
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((t) => (
            <tr key={t.id} data-token-id={t.id}>
              <td>
                {t.name ?? <span class="muted">unnamed</span>}
                {t.current && <span class="badge badge-muted">this token</span>}
              </td>
              <td class="col-date">{when(t.created_at, '')}</td>
              <td class="col-date">{when(t.last_used_at, 'never')}</td>
              <td class="col-date">
                {t.expired ? <span class="badge badge-deleted">expired</span> : when(t.expires_at, 'never')}
              </td>
              <td>
                <button
                  type="button"
                  class="btn btn-sm"
                  aria-label={`Revoke token ${label(t)}`}
                  onClick={() => {
                    setError('');
                    setConfirm(t);
                  }}
                >
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {confirm && (
        <ConfirmDialog
          title="Revoke this token?"
          confirmLabel="Revoke"
          danger
          busy={busy}
          error={error}
          onConfirm={() => void revoke(confirm)}
          onCancel={() => setConfirm(null)}
        >
          <p>Scripts that use “{label(confirm)}” are refused from now on. This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
