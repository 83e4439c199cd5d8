// Who is signed in, and the start-up decision: setup, login or the app.
import { clearConflicts } from './conflicts';
import { clearUndo } from './labelUndo';
import { signal } from '@preact/signals';
import { setUnauthorizedHandler } from '../api/client';
import { auth } from '../api/endpoints';
import type { User } from '../api/types';
import { errorMessage } from '../api/errors';
import { location, navigate } from '../router';
import { clearProjectCategories } from './projectCategories';

export type Phase = 'loading' | 'needs_setup' | 'signed_out' | 'signed_in' | 'failed';

export const phase = signal<Phase>('loading');
export const user = signal<User | null>(null);
export const bootError = signal<string>('');
/** Why the login page is shown, when it is not a first visit (the session ended under the user). */
export const loginNotice = signal<string>('');

/** Where to go after signing in (the page that asked for a login). */
let returnTo = '/';

const PUBLIC_PATHS = new Set(['/login', '/setup']);

function sendToLogin(): void {
  const here = location.value.path + location.value.search;
  if (!PUBLIC_PATHS.has(location.value.path)) returnTo = here;
  navigate('/login', { replace: true });
}

export async function boot(): Promise<void> {
  phase.value = 'loading';
  bootError.value = '';
  try {
    const status = await auth.status();
    if (status.needs_setup) {
      phase.value = 'needs_setup';
      user.value = null;
      navigate('/setup', { replace: true });
      return;
    }
    try {
      // The status names the session's user (null: no session), so a signed
      // out visit asks nothing that answers 401.
      if (status.user === null) throw Object.assign(new Error('signed out'), { status: 401 });
      user.value = status.user ?? (await auth.me());
      phase.value = 'signed_in';
      if (PUBLIC_PATHS.has(location.value.path)) navigate('/', { replace: true });
    } catch (e) {
      if ((e as { status?: number }).status !== 401) throw e;
      user.value = null;
      phase.value = 'signed_out';
      sendToLogin();
    }
  } catch (e) {
    phase.value = 'failed';
    bootError.value = errorMessage(e);
  }
}

export function signedIn(u: User): void {
  if (user.value?.id !== u.id) clearProjectCategories(); // another account may see other projects
  loginNotice.value = '';
  user.value = u;
  phase.value = 'signed_in';
  const to = returnTo;
  returnTo = '/';
  navigate(to, { replace: true });
}

export async function logout(): Promise<void> {
  try {
    await auth.logout();
  } finally {
    clearProjectCategories();
    clearConflicts();
    clearUndo();
    user.value = null;
    phase.value = 'signed_out';
    loginNotice.value = '';
    returnTo = '/';
    navigate('/login', { replace: true });
  }
}

setUnauthorizedHandler(() => {
  if (phase.value !== 'signed_in') return;
  user.value = null;
  phase.value = 'signed_out';
  loginNotice.value = 'Your session has ended. Log in again to carry on where you were.';
  sendToLogin();
});
