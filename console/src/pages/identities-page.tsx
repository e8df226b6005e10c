/**
 * Identities: the users or customers tokens belong to (Unkey's identities). The list, found by external id, and the
 * form that adds one with the rate limits its tokens will share.
 */
import { useState } from 'react';
import { identitiesApi, type ApiError, type Identity } from '../api';
import { formatDate } from '../format';
import { navigate } from '../router';
import { asApiError, useLoad } from '../use-load';
import { ErrorBanner } from '../components/error-banner';
import { IdentityForm } from '../components/identity-form';
import { limitSummary } from '../components/limits-editor';
import { Link } from '../components/link';

export function IdentitiesPage() {
  const [externalId, setExternalId] = useState('');
  const [more, setMore] = useState<Identity[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [adding, setAdding] = useState(false);
  const list = useLoad(() => identitiesApi.list({ limit: 50, ...(externalId.trim() ? { externalId: externalId.trim() } : {}) }), [externalId]);
  const next = cursor === undefined ? list.data?.nextCursor ?? null : cursor;
  const identities = [...(list.data?.items ?? []), ...more];
  const [moreError, setMoreError] = useState<ApiError>();

  const loadMore = async () => {
    if (!next) return;
    try {
      const page = await identitiesApi.list({ limit: 50, cursor: next });
      setMore((m) => [...m, ...page.items]);
      setCursor(page.nextCursor);
    } catch (err) {
      setMoreError(asApiError(err));
    }
  };

  return (
    <section>
      <div className="page-head">
        <h1>Identities</h1>
        <div className="actions">
          <button type="button" className="button button-primary" onClick={() => setAdding(!adding)} aria-expanded={adding}>New identity</button>
        </div>
      </div>
      <p className="muted">The users or customers your tokens belong to. An identity’s rate limits are shared by all its tokens: each check of any of them counts.</p>
      {adding ? (
        <IdentityForm title="New identity" submitLabel="Create identity" idPrefix="new-identity" onCancel={() => setAdding(false)}
          onSubmit={async (body) => {
            const made = await identitiesApi.create(body);
            navigate(`/identities/${encodeURIComponent(made.id)}`);
          }} />
      ) : null}
      <div className="toolbar">
        <label className="inline">
          Find by external id{' '}
          <input value={externalId} onChange={(e) => { setExternalId(e.target.value); setMore([]); setCursor(undefined); }} aria-label="Find an identity by its external id" className="mono" />
        </label>
      </div>
      <ErrorBanner error={list.error ?? moreError} title="The identities could not be loaded." />
      {list.data && identities.length === 0 ? <p className="empty">{externalId.trim() ? 'No identity has that external id.' : 'No identities yet.'}</p> : null}
      {identities.length ? (
        <table className="table">
          <thead>
            <tr><th scope="col">External id</th><th scope="col">Name</th><th scope="col">Rate limits</th><th scope="col">Created</th></tr>
          </thead>
          <tbody>
            {identities.map((i) => (
              <tr key={i.id}>
                <td><Link to={`/identities/${encodeURIComponent(i.id)}`} className="mono">{i.externalId}</Link></td>
                <td>{i.name ?? '—'}</td>
                <td className="small">{limitSummary(i.limits)}</td>
                <td>{formatDate(i.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {next ? <button type="button" className="button" onClick={() => void loadMore()}>Load more</button> : null}
    </section>
  );
}
