/** The console: sign-in gate, the navigation shell, and the page for the current path. */
import { lazy, Suspense, useEffect, useSyncExternalStore } from 'react';
import { Shell } from './components/shell';
import { SignedInProvider, useSignedIn } from './signed-in';
import { onSessionChange, readSession } from './session';
import { useLocation } from './router';
import { SignInPage } from './pages/sign-in-page';
import { TokensPage } from './pages/tokens-page';

// The tokens list is where a sign-in lands; every other page is fetched when first visited.
const CreateTokenPage = lazy(() => import('./pages/create-token-page').then((m) => ({ default: m.CreateTokenPage })));
const TokenPage = lazy(() => import('./pages/token-page').then((m) => ({ default: m.TokenPage })));
const CatalogPage = lazy(() => import('./pages/catalog-page').then((m) => ({ default: m.CatalogPage })));
const AuditPage = lazy(() => import('./pages/audit-page').then((m) => ({ default: m.AuditPage })));
const EndpointsPage = lazy(() => import('./pages/endpoints-page').then((m) => ({ default: m.EndpointsPage })));
const IdentitiesPage = lazy(() => import('./pages/identities-page').then((m) => ({ default: m.IdentitiesPage })));
const IdentityPage = lazy(() => import('./pages/identity-page').then((m) => ({ default: m.IdentityPage })));
const WebhooksPage = lazy(() => import('./pages/webhooks-page').then((m) => ({ default: m.WebhooksPage })));
const DataViewerPage = lazy(() => import('./pages/data-viewer-page').then((m) => ({ default: m.DataViewerPage })));

export function App() {
  const token = useSyncExternalStore(onSessionChange, readSession);
  if (!token) return <SignInPage />;
  return (
    <SignedInProvider token={token}>
      <Shell>
        <Suspense fallback={<p className="muted">Loading…</p>}>
          <Page />
        </Suspense>
      </Shell>
    </SignedInProvider>
  );
}

function Page() {
  const { account } = useSignedIn();
  const { path } = useLocation();
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  useEffect(() => {
    const titles: Record<string, string> = { tokens: 'Tokens', identities: 'Identities', endpoints: 'Endpoints', data: 'Data viewer', catalog: 'Catalog', audit: 'Audit log', webhooks: 'Webhooks' };
    document.title = `${titles[parts[0] ?? 'tokens'] ?? 'Not found'} · Tessera`;
  });
  if (parts.length === 0 || (parts[0] === 'tokens' && parts.length === 1)) return <TokensPage />;
  if (parts[0] === 'tokens' && parts[1] === 'new') return <CreateTokenPage />;
  if (parts[0] === 'tokens' && parts[1]) return <TokenPage id={parts[1]} account={account} />;
  if (parts[0] === 'identities') return parts[1] ? <IdentityPage id={parts[1]} /> : <IdentitiesPage />;
  if (parts[0] === 'endpoints') return <EndpointsPage endpointId={parts[1]} />;
  if (parts[0] === 'data') return <DataViewerPage />;
  if (parts[0] === 'catalog') return <CatalogPage />;
  if (parts[0] === 'audit') return <AuditPage />;
  if (parts[0] === 'webhooks') return <WebhooksPage webhookId={parts[1]} />;
  return (
    <section>
      <h1>Page not found</h1>
      <p>There is nothing at this address.</p>
    </section>
  );
}
