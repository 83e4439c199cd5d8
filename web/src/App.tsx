import { useEffect } from 'preact/hooks';
import { TopBar } from './components/TopBar';
import { Toasts } from './components/Toasts';
import { ConflictDialog } from './components/ConflictDialog';
import { Link } from './components/Link';
import { location, matchRoutes, navigate, parseId } from './router';
import { LoginScreen } from './screens/LoginScreen';
import { ProjectsScreen } from './screens/ProjectsScreen';
import { SetupScreen } from './screens/SetupScreen';
import { UsersScreen } from './screens/UsersScreen';
import { AccountScreen } from './screens/AccountScreen';
import { ProjectScreen } from './screens/project/ProjectScreen';
import { defaultTabPath, ROUTES } from './routes';
import { boot, bootError, phase } from './state/session';

const TITLES: Record<string, string> = {
  setup: 'Set up',
  login: 'Log in',
  projects: 'Projects',
  users: 'Users',
  account: 'Account',
};

function NotFound() {
  return (
    <main class="page">
      <h1 class="page-title">Page not found</h1>
      <p>
        Nothing lives at <code>{location.value.path}</code>. <Link href="/">Go to projects</Link>.
      </p>
    </main>
  );
}

function SignedInRoutes() {
  const m = matchRoutes(ROUTES, location.value.path);
  const route = m?.route;
  const projectId = parseId(m?.params['id']);

  useEffect(() => {
    if (route === 'project' && projectId !== null) navigate(defaultTabPath(projectId), { replace: true });
    if (route === 'setup' || route === 'login') navigate('/', { replace: true });
  }, [route, projectId]);

  useEffect(() => {
    const t = route ? TITLES[route] : undefined;
    if (t) document.title = `${t} · Tessera`;
  }, [route]);

  if (route === 'projects') return <ProjectsScreen />;
  if (route === 'users') return <UsersScreen />;
  if (route === 'account') return <AccountScreen />;
  if (route === 'projectTab' && projectId !== null) {
    return <ProjectScreen key={projectId} projectId={projectId} tab={m?.params['tab'] ?? ''} />;
  }
  if (route === 'project' || route === 'setup' || route === 'login') return null;
  return <NotFound />;
}

export function App() {
  useEffect(() => {
    void boot();
  }, []);

  const p = phase.value;
  let body;
  if (p === 'loading') {
    body = <main class="page muted">Loading…</main>;
  } else if (p === 'failed') {
    body = (
      <main class="auth-page">
        <div class="auth-card">
          <h1 class="auth-title">Cannot start</h1>
          <p class="form-error" role="alert">
            {bootError.value}
          </p>
          <button type="button" class="btn btn-primary" onClick={() => void boot()}>
            Try again
          </button>
        </div>
      </main>
    );
  } else if (p === 'needs_setup') {
    body = <SetupScreen />;
  } else if (p === 'signed_out') {
    body = <LoginScreen />;
  } else {
    body = (
      <>
        <a
          class="skip-link"
          href="#main"
          onClick={(e) => {
            const m = document.querySelector('main');
            if (!m) return;
            e.preventDefault();
            m.tabIndex = -1;
            m.focus();
          }}
        >
          Skip to content
        </a>
        <TopBar />
        <SignedInRoutes />
        <ConflictDialog />
      </>
    );
  }
  return (
    <>
      {body}
      <Toasts />
    </>
  );
}
