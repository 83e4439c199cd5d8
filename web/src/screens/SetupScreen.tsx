import { useState } from 'preact/hooks';
import { auth } from '../api/endpoints';
import { errorMessage } from '../api/errors';
import { AuthCard } from '../components/AuthCard';
import { Field } from '../components/Field';
import { FormError } from '../components/FormError';
import { checkNewAccount } from '../lib/validate';
import { boot, signedIn } from '../state/session';

export function SetupScreen() {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: Event) {
    e.preventDefault();
    const problem = checkNewAccount(name.trim(), password, repeat);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError('');
    try {
      signedIn(await auth.setup(name.trim(), password));
    } catch (err) {
      setBusy(false);
      if ((err as { code?: string }).code === 'already_set_up') {
        await boot();
        return;
      }
      setError(errorMessage(err));
    }
  }

  return (
    <AuthCard
      title="Create the first (admin) account"
      intro="This server has no accounts yet. The account you create now is an administrator and can add other users."
    >
      <form class="stack" onSubmit={onSubmit} noValidate>
        <Field id="setup-name" label="Name" hint="Letters, digits, dot, dash or underscore.">
          <input
            id="setup-name"
            aria-describedby="setup-name-hint"
            name="name"
            autoComplete="username"
            autoFocus
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </Field>
        <Field id="setup-password" label="Password" hint="At least 8 characters.">
          <input
            id="setup-password"
            aria-describedby="setup-password-hint"
            name="password"
            type="password"
            autoComplete="new-password"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </Field>
        <Field id="setup-repeat" label="Repeat password">
          <input
            id="setup-repeat"
            name="repeat"
            type="password"
            autoComplete="new-password"
            value={repeat}
            onInput={(e) => setRepeat(e.currentTarget.value)}
          />
        </Field>
        <FormError message={error} />
        <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Creating…' : 'Create account'}
        </button>
      </form>
    </AuthCard>
  );
}
