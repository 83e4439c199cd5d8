import { useState } from 'preact/hooks';
import { auth } from '../api/endpoints';
import { AuthCard } from '../components/AuthCard';
import { AuthForm, TextField } from '../components/AuthForm';
import { checkNewAccount } from '../lib/validate';
import { boot } from '../state/session';

/** Someone else created the first account meanwhile: show the login instead. */
async function alreadySetUp(err: unknown): Promise<boolean> {
  if ((err as { code?: string }).code !== 'already_set_up') return false;
  await boot();
  return true;
}

export function SetupScreen() {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');

  return (
    <AuthCard
      title="Create the first (admin) account"
      intro="This server has no accounts yet. The account you create now is an administrator and can add other users."
    >
      <AuthForm
        check={() => checkNewAccount(name.trim(), password, repeat)}
        send={() => auth.setup(name.trim(), password)}
        handled={alreadySetUp}
        submit="Create account"
        busy="Creating…"
      >
        <TextField
          id="setup-name"
          label="Name"
          hint="Letters, digits, dot, dash or underscore."
          name="name"
          autoComplete="username"
          autoFocus
          value={name}
          onValue={setName}
        />
        <TextField
          id="setup-password"
          label="Password"
          hint="At least 8 characters."
          name="password"
          type="password"
          autoComplete="new-password"
          value={password}
          onValue={setPassword}
        />
        <TextField
          id="setup-repeat"
          label="Repeat password"
          name="repeat"
          type="password"
          autoComplete="new-password"
          value={repeat}
          onValue={setRepeat}
        />
      </AuthForm>
    </AuthCard>
  );
}
