import { lazy, Suspense, useEffect, useSyncExternalStore } from 'react';

import { session } from '../api/session';
import { DataPage } from '../pages/DataPage';
import { JobPage } from '../pages/JobPage';
import { JobsPage } from '../pages/JobsPage';
import { SignInPage } from '../pages/SignInPage';
import { StatusPage } from '../pages/StatusPage';
import { TablePage } from '../pages/TablePage';
import { TablesPage } from '../pages/TablesPage';
import { Link, navigate, usePath } from './router';

// ECharts is most of the bundle, so the dashboards load on first use.
const DashboardsPage = lazy(async () => ({
  default: (await import('../pages/DashboardsPage')).DashboardsPage,
}));

// CodeMirror is about 400 kB, so the SQL page loads on first use too.
const SqlPage = lazy(async () => ({ default: (await import('../pages/SqlPage')).SqlPage }));

// Only administrators open these two, so other users never download them.
const AuditPage = lazy(async () => ({ default: (await import('../pages/AuditPage')).AuditPage }));
const UsersPage = lazy(async () => ({ default: (await import('../pages/UsersPage')).UsersPage }));

/** The pages of the top bar; an item with a role shows only to users who have it. */
const NAVIGATION: readonly { path: string; label: string; role?: string }[] = [
  { path: '/data', label: 'Data' },
  { path: '/tables', label: 'Tables' },
  { path: '/sql', label: 'SQL' },
  { path: '/dashboards', label: 'Dashboards' },
  { path: '/jobs', label: 'Jobs' },
  { path: '/audit', label: 'Audit', role: 'admin' },
  { path: '/users', label: 'Users', role: 'admin' },
  { path: '/status', label: 'Status' },
];

function CurrentPage({ path }: { path: string }) {
  const segments = path.split('/').filter((segment) => segment !== '');

  switch (segments[0]) {
    case 'data':
      return <DataPage />;
    case 'tables':
      return segments[1] === undefined ? (
        <TablesPage />
      ) : (
        <TablePage tableId={decodeURIComponent(segments[1])} />
      );
    case 'sql':
      return <SqlPage />;
    case 'dashboards':
      return (
        <DashboardsPage
          dashboardId={segments[1] === undefined ? undefined : decodeURIComponent(segments[1])}
        />
      );
    case 'jobs':
      return segments[1] === undefined ? (
        <JobsPage />
      ) : (
        <JobPage jobId={decodeURIComponent(segments[1])} />
      );
    case 'audit':
      return <AuditPage />;
    case 'users':
      return <UsersPage />;
    case 'status':
      return <StatusPage />;
    default:
      return (
        <section>
          <h1>Page not found</h1>
          <p>
            There is no page at {path}. Go to <Link to="/data">Data</Link>.
          </p>
        </section>
      );
  }
}

/** Renders the application shell: sign-in gate, navigation and the current page. */
export function App() {
  const state = useSyncExternalStore(session.subscribe, session.getState);
  const path = usePath();

  useEffect(() => {
    void session.restore();
  }, []);

  useEffect(() => {
    // An identity provider's sign-in may come back to the sign-in page's path.
    if (state.status === 'signed-in' && (path === '/' || path === '/sign-in')) {
      navigate('/data', { replace: true });
    }
  }, [state.status, path]);

  if (state.status === 'checking') {
    return <p role="status">Loading…</p>;
  }

  if (state.status === 'signed-out') {
    return <SignInPage reason={state.reason} />;
  }

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top-bar">
        <span className="brand">Rokks</span>
        <nav aria-label="Main">
          <ul>
            {NAVIGATION.filter(
              (item) => item.role === undefined || state.user.roles.includes(item.role),
            ).map((item) => (
              <li key={item.path}>
                <Link to={item.path} aria-current={path.startsWith(item.path) ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <span className="user">{state.user.email}</span>
        <button type="button" onClick={() => void session.signOut()}>
          Sign out
        </button>
      </header>
      <main id="main">
        <Suspense fallback={<p role="status">Loading…</p>}>
          <CurrentPage path={path} />
        </Suspense>
      </main>
    </>
  );
}
