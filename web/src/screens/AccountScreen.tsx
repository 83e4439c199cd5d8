// The signed-in user's page: who they are, and API tokens for scripts
// (named, with an expiry, listed, revoked). A token's secret is shown once,
// right after it is made; the server keeps only its digest.
import { useState } from 'preact/hooks';
import { auth } from '../api/endpoints';
import { errorMessage } from '../api/errors';
import type { ApiToken } from '../api/types';
import { FormError } from '../components/FormError';
import { useResource } from '../state/resource';
import { user } from '../state/session';
import { showError, showToast } from '../state/toasts';
import { TokenList } from './account/TokenList';
import './account/account.css';

const EXPIRY_CHOICES: readonly { label: string; days: number | null }[] = [
  { label: '30 days', days: 30 },
  { label: '7 days', days: 7 },
  { label: '90 days', days: 90 },
  { label: '1 year', days: 365 },
  { label: 'Never', days: null },
];

export function AccountScreen() {
  const u = user.value;
  const tokenList = useResource(() => auth.tokens(), [] as ApiToken[], []);
  const tokens = tokenList.value.value;
  const setTokens = tokenList.set;
  const [name, setName] = useState('');
  const [days, setDays] = useState<string>('30');
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');


  async function onCreate(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const d = days === 'never' ? null : Number(days);
      const expires = d === null ? null : new Date(Date.now() + d * 86400000).toISOString();
      const t = await auth.createToken(name.trim() || null, expires);
      setSecret(t.token);
      setTokens((prev) => [...prev, { ...t, token: undefined } as ApiToken]);
      setName('');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function onCopy() {
    try {
      await navigator.clipboard.writeText(secret);
      showToast('Token copied.');
    } catch {
      showError('Could not copy: the browser refused access to the clipboard. Select the token and copy it.');
    }
  }

  async function onLogoutEverywhere() {
    try {
      await auth.logout(true);
      window.location.assign('/');
    } catch (err) {
      showError(errorMessage(err));
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
        <form class="inline-form" onSubmit={onCreate} aria-label="Create API token" noValidate>
          <input
            name="token-name"
            placeholder="Name, optional (e.g. training server)"
            aria-label="Token name"
            maxLength={100}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          <label class="check">
            Expires in
            <select aria-label="Expires in" value={days} onChange={(e) => setDays(e.currentTarget.value)}>
              {EXPIRY_CHOICES.map((c) => (
                <option key={c.label} value={c.days === null ? 'never' : String(c.days)}>
                  {c.label}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create API token'}
          </button>
        </form>
        <FormError message={error || tokenList.error.value} />
        {secret && (
          <div class="token-box" data-testid="new-token">
            <label class="token-row">
              <span class="sr-only">New API token</span>
              <input
                class="mono token-input"
                readOnly
                value={secret}
                aria-label="New API token"
                onFocus={(e) => e.currentTarget.select()}
              />
              <button type="button" class="btn" onClick={() => void onCopy()}>
                Copy
              </button>
            </label>
            <p class="muted small">For example:</p>
            <pre class="token-example mono">
              curl -H "Authorization: Bearer {secret}" {window.location.origin}/api/v1/projects
            </pre>
          </div>
        )}
        <div class="token-list">
          <TokenList tokens={tokens} onRevoked={(id) => setTokens((prev) => prev.filter((t) => t.id !== id))} />
        </div>
      </section>

      <section class="account-card" aria-labelledby="sessions-title">
        <h2 id="sessions-title" class="account-card-title">
          Sessions
        </h2>
        <p class="muted">Ends every session of yours, on every device, and revokes all your API tokens.</p>
        <button type="button" class="btn" onClick={() => void onLogoutEverywhere()}>
          End all sessions and tokens
        </button>
      </section>
    </main>
  );
}
