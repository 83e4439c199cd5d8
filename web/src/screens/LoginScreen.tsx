import { useState } from 'preact/hooks';
import { auth } from '../api/endpoints';
import { errorMessage } from '../api/errors';
import { AuthCard } from '../components/AuthCard';
import { FormError } from '../components/FormError';
import { signedIn } from '../state/session';

export function LoginScreen() {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: Event) {
    e.preventDefault();
    if (!name.trim() || !password) {
      setError('Enter your name and password.');
      return;
    }
    setBusy(true);
    setError('');
    try {
      signedIn(await auth.login(name.trim(), password));
    } catch (err) {
      setBusy(false);
      setError(errorMessage(err));
    }
  }

  return (
    <AuthCard title="Log in">
      <form class="stack" onSubmit={onSubmit} noValidate>
        <label class="field">
          <span class="field-label">Name</span>
          <input
            name="name"
            autoComplete="username"
            autoFocus
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span class="field-label">Password</span>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        <FormError message={error} />
        <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </AuthCard>
  );
}
