// The signed-in user's page: who they are, and API tokens for scripts. A
// token is shown once, right after it is made; the server keeps only its
// digest.
import { useState } from 'preact/hooks';
import { auth } from '../api/endpoints';
import { errorMessage } from '../api/errors';
import { FormError } from '../components/FormError';
import { user } from '../state/session';
import { showError, showToast } from '../state/toasts';
import '../styles/account.css';

export function AccountScreen() {
  const u = user.value;
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  async function onCreate() {
    setBusy(true);
    setError('');
    try {
      setToken(await auth.createToken());
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  async function onCopy() {
    try {
      await navigator.clipboard.writeText(token);
      showToast('Token copied.');
    } catch {
      showError('Could not copy: the browser refused access to the clipboard. Select the token and copy it.');
    }
  }

  return (
    <main class="page">
      <div class="page-head">
        <h1 class="page-title">Account</h1>
      </div>
      {u && (
        <p class="account-who">
          Signed in as <strong>{u.name}</strong> {u.is_admin ? '(administrator)' : ''}
        </p>
      )}

      <section class="account-card" aria-labelledby="tokens-title">
        <h2 id="tokens-title" class="account-card-title">
          API tokens
        </h2>
        <p class="muted">
          Scripts send a token in an <code>Authorization: Bearer</code> header and act as you. A token is shown only
          once: store it where your scripts read their secrets.
        </p>
        <button type="button" class="btn btn-primary" onClick={() => void onCreate()} disabled={busy}>
          {busy ? 'Creating…' : token ? 'Create another token' : 'Create API token'}
        </button>
        <FormError message={error} />
        {token && (
          <div class="token-box" data-testid="new-token">
            <label class="token-row">
              <span class="sr-only">New API token</span>
              <input
                class="mono token-input"
                readOnly
                value={token}
                aria-label="New API token"
                onFocus={(e) => e.currentTarget.select()}
              />
              <button type="button" class="btn" onClick={() => void onCopy()}>
                Copy
              </button>
            </label>
            <p class="muted small">For example:</p>
            <pre class="token-example mono">
              curl -H "Authorization: Bearer {token}" {window.location.origin}/api/v1/projects
            </pre>
          </div>
        )}
      </section>
    </main>
  );
}
