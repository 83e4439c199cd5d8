import { useState } from 'preact/hooks';
import { users as usersApi } from '../api/endpoints';
import { errorMessage } from '../api/errors';
import type { User } from '../api/types';
import { runAction, useConfirmAction } from '../components/ConfirmAction';
import { FormError } from '../components/FormError';
import { formatDateTime } from '../lib/format';
import { checkNewAccount } from '../lib/validate';
import { useResource } from '../state/resource';
import { user as me } from '../state/session';
import { showToast } from '../state/toasts';

export function UsersScreen() {
  const users = useResource(() => usersApi.list(), [] as User[], []);
  const list = users.value.value;
  const setList = users.set;
  const loadError = users.error.value;
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [isAdmin, setIsAdmin] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const confirm = useConfirmAction();

  if (!me.value?.is_admin) {
    return (
      <main class="page">
        <h1 class="page-title">Users</h1>
        <p class="notice">Only administrators can manage users.</p>
      </main>
    );
  }

  const replace = (changed: User) => setList((prev) => prev.map((x) => (x.id === changed.id ? changed : x)));

  // Disabling asks first (it signs them out everywhere); enabling is at once.
  function onToggle(u: User) {
    setError('');
    if (u.disabled) {
      void runAction(async () => {
        const changed = await usersApi.restore(u.id);
        replace(changed);
        return `User “${changed.name}” enabled.`;
      });
      return;
    }
    confirm.ask({
      title: `Disable “${u.name}”?`,
      body: (
        <p>
          They are signed out everywhere and their API tokens stop working. Their labels and history stay, and you can
          enable them again here.
        </p>
      ),
      confirmLabel: 'Disable user',
      danger: true,
      run: async () => {
        const changed = await usersApi.remove(u.id);
        replace(changed);
        return `User “${changed.name}” disabled: signed out everywhere.`;
      },
    });
  }

  async function onAdd(e: Event) {
    e.preventDefault();
    const problem = checkNewAccount(name.trim(), password);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError('');
    try {
      const u = await usersApi.create(name.trim(), password, isAdmin);
      setList((prev) => [...prev.filter((x) => x.id !== u.id), u]);
      setName('');
      setPassword('');
      setIsAdmin(false);
      showToast(`User “${u.name}” added.`);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="page">
      <div class="page-head">
        <h1 class="page-title">Users</h1>
      </div>

      <form class="inline-form" onSubmit={onAdd} aria-label="Add user" noValidate>
        <input
          name="name"
          placeholder="Name"
          aria-label="Name"
          autoComplete="off"
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <input
          name="password"
          type="password"
          placeholder="Password (8+ characters)"
          aria-label="Password"
          autoComplete="new-password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <label class="check">
          <input type="checkbox" checked={isAdmin} onChange={(e) => setIsAdmin(e.currentTarget.checked)} />
          Admin
        </label>
        <button type="submit" class="btn btn-primary" disabled={busy}>
          Add user
        </button>
      </form>
      <FormError message={error} />
      <FormError message={loadError} />

      <table class="table" aria-label="Users">
        <thead>
          <tr>
            <th>Name</th>
            <th class="col-id">ID</th>
            <th>Role</th>
            <th class="col-date">Created</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {list.map((u) => (
            <tr key={u.id}>
              <td>{u.name}</td>
              <td class="col-id mono">#{u.id}</td>
              <td>{u.is_admin ? <span class="badge badge-accent">admin</span> : <span class="muted">user</span>}</td>
              <td class="col-date muted" title={u.created_at}>
                {formatDateTime(u.created_at)}
              </td>
              <td>
                {u.disabled ? <span class="badge badge-deleted">disabled</span> : <span class="muted">active</span>}{' '}
                {u.id !== me.value?.id && (
                  <button
                    type="button"
                    class="btn btn-sm"
                    aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.name}`}
                    onClick={() => onToggle(u)}
                  >
                    {u.disabled ? 'Enable' : 'Disable'}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {confirm.dialog}
    </main>
  );
}
