import { useState } from 'preact/hooks';
import { errorMessage } from '../api/errors';
import { location } from '../router';
import { logout, user } from '../state/session';
import { showError } from '../state/toasts';
import { Link } from './Link';

export function TopBar() {
  const u = user.value;
  const [busy, setBusy] = useState(false);
  const path = location.value.path;
  const onProjects = path === '/' || path.startsWith('/projects/');

  async function onLogout() {
    setBusy(true);
    try {
      await logout();
    } catch (e) {
      showError(`Could not log out: ${errorMessage(e)}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <header class="topbar">
      <Link href="/" class="brand">
        <span class="brand-mark" aria-hidden="true" />
        <span class="brand-name">Tessera</span>
      </Link>
      <nav class="topnav" aria-label="Main">
        <Link href="/" aria-current={onProjects ? 'page' : undefined}>
          Projects
        </Link>
        {u?.is_admin && (
          <Link href="/users" aria-current={path === '/users' ? 'page' : undefined}>
            Users
          </Link>
        )}
      </nav>
      <div class="topbar-right">
        {u && (
          <Link
            href="/account"
            class="whoami"
            aria-current={path === '/account' ? 'page' : undefined}
          >
            <span title={`${u.is_admin ? 'Administrator' : 'User'}: account and API tokens`}>{u.name}</span>
            {u.is_admin && <span class="badge badge-muted">admin</span>}
          </Link>
        )}
        <button type="button" class="btn btn-ghost btn-sm" onClick={onLogout} disabled={busy}>
          Log out
        </button>
      </div>
    </header>
  );
}
