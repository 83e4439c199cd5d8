import { useState } from 'preact/hooks';
import { auth } from '../api/endpoints';
import { errorMessage } from '../api/errors';
import { AuthCard } from '../components/AuthCard';
import { Field } from '../components/Field';
import { FormError } from '../components/FormError';
import { loginNotice, signedIn } from '../state/session';

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
      {loginNotice.value && (
        <p class="auth-notice" role="status">
          {loginNotice.value}
        </p>
      )}
      <form class="stack" onSubmit={onSubmit} noValidate>
        <Field id="login-name" label="Name">
          <input
            id="login-name"
            name="name"
            autoComplete="username"
            autoFocus
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </Field>
        <Field id="login-password" label="Password">
          <input
            id="login-password"
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </Field>
        <FormError message={error} />
        <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </AuthCard>
  );
}
