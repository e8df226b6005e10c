/** The console: sign-in gate, the navigation shell, and the page for the current path. */
import { useEffect, useState, useSyncExternalStore } from 'react';
import { api, type Account } from './api';
import { Shell } from './components/shell';
import { onSessionChange, readSession } from './session';
import { useLocation } from './router';
import { SignInPage } from './pages/sign-in-page';
import { TokensPage } from './pages/tokens-page';
import { CreateTokenPage } from './pages/create-token-page';
import { TokenPage } from './pages/token-page';
import { CatalogPage } from './pages/catalog-page';
import { AuditPage } from './pages/audit-page';
import { EndpointsPage } from './pages/endpoints-page';
import { DataViewerPage } from './pages/data-viewer-page';

export function App() {
  const token = useSyncExternalStore(onSessionChange, readSession);
  const [account, setAccount] = useState<Account>();

  useEffect(() => {
    if (!token) {
      setAccount(undefined);
      return;
    }
    api.account().then(setAccount, () => setAccount(undefined));
  }, [token]);

  if (!token) return <SignInPage />;
  return (
    <Shell account={account}>
      <Page account={account} />
    </Shell>
  );
}

function Page({ account }: { account: Account | undefined }) {
  const { path } = useLocation();
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  useEffect(() => {
    const titles: Record<string, string> = { tokens: 'Tokens', endpoints: 'Endpoints', data: 'Data viewer', catalog: 'Catalog', audit: 'Audit log' };
    document.title = `${titles[parts[0] ?? 'tokens'] ?? 'Not found'} · Tessera`;
  });
  if (parts.length === 0 || (parts[0] === 'tokens' && parts.length === 1)) return <TokensPage />;
  if (parts[0] === 'tokens' && parts[1] === 'new') return <CreateTokenPage />;
  if (parts[0] === 'tokens' && parts[1]) return <TokenPage id={parts[1]} account={account} />;
  if (parts[0] === 'endpoints') return <EndpointsPage endpointId={parts[1]} />;
  if (parts[0] === 'data') return <DataViewerPage />;
  if (parts[0] === 'catalog') return <CatalogPage />;
  if (parts[0] === 'audit') return <AuditPage />;
  return (
    <section>
      <h1>Page not found</h1>
      <p>There is nothing at this address.</p>
    </section>
  );
}
