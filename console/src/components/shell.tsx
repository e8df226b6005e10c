/** The frame around every page: the product name, the navigation, the account and Sign out. */
import type { ReactNode } from 'react';
import { clearSession } from '../session';
import { navigate, useLocation } from '../router';
import { useSignedIn } from '../signed-in';
import { Link } from './link';

const sections = [
  { to: '/tokens', label: 'Tokens' },
  { to: '/identities', label: 'Identities' },
  { to: '/endpoints', label: 'Endpoints' },
  { to: '/data', label: 'Data viewer' },
  { to: '/catalog', label: 'Catalog' },
  { to: '/audit', label: 'Audit log' },
  { to: '/webhooks', label: 'Webhooks' },
];

export function Shell({ children }: { children: ReactNode }) {
  const { account } = useSignedIn();
  const { path } = useLocation();
  const current = path === '/' ? '/tokens' : '/' + (path.split('/')[1] ?? '');
  const signOut = () => {
    clearSession();
    navigate('/', { replace: true });
  };
  return (
    <div className="shell">
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="topbar">
        <span className="brand">Tessera</span>
        <nav aria-label="Sections" className="nav">
          {sections.map((s) => (
            <Link key={s.to} to={s.to} className="nav-link" aria-current={current === s.to ? 'page' : undefined}>
              {s.label}
            </Link>
          ))}
        </nav>
        <div className="account">
          {account ? <span className="muted account-name" title={account.id}>{account.name}</span> : null}
          <button type="button" className="button button-small" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
