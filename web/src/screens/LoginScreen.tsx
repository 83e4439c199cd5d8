import { useState } from 'preact/hooks';
import { auth } from '../api/endpoints';
import { AuthCard } from '../components/AuthCard';
import { AuthForm, TextField } from '../components/AuthForm';
import { loginNotice } from '../state/session';

export function LoginScreen() {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');

  return (
    <AuthCard title="Log in">
      {loginNotice.value && (
        <p class="auth-notice" role="status">
          {loginNotice.value}
        </p>
      )}
      <AuthForm
        check={() => (!name.trim() || !password ? 'Enter your name and password.' : null)}
        send={() => auth.login(name.trim(), password)}
        submit="Log in"
        busy="Logging in…"
      >
        <TextField id="login-name" label="Name" name="name" autoComplete="username" autoFocus value={name} onValue={setName} />
        <TextField
          id="login-password"
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onValue={setPassword}
        />
      </AuthForm>
    </AuthCard>
  );
}
