/** One identity: its details, its shared rate limits (edited in place), its tokens, and delete (confirmed). */
import { useState } from 'react';
import { api, identitiesApi, type ApiError } from '../api';
import { formatCredits, formatDate } from '../format';
import { navigate } from '../router';
import { asApiError, useLoad } from '../use-load';
import { ConfirmDialog } from '../components/confirm-dialog';
import { CreditsCard } from '../components/credits-card';
import { ErrorBanner } from '../components/error-banner';
import { IdentityForm } from '../components/identity-form';
import { limitSummary } from '../components/limits-editor';
import { Link } from '../components/link';
import { RateLimitState } from '../components/rate-limit-state';
import { StatusBadge } from '../components/status-badge';

export function IdentityPage({ id }: { id: string }) {
  const identity = useLoad(() => identitiesApi.get(id), [id]);
  const tokens = useLoad(() => api.listTokens({ identityId: id, status: 'all', limit: 50 }), [id]);
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<ApiError>();
  const [notice, setNotice] = useState('');

  const i = identity.data;
  if (!i) {
    return (
      <section>
        <p><Link to="/identities">← Identities</Link></p>
        {identity.error ? <ErrorBanner error={identity.error} title="The identity could not be loaded." /> : <p className="muted">Loading…</p>}
      </section>
    );
  }

  const remove = async () => {
    setBusy(true);
    try {
      await identitiesApi.remove(i.id);
      navigate('/identities');
    } catch (err) {
      setActionError(asApiError(err));
      setDeleting(false);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <p><Link to="/identities">← Identities</Link></p>
      <div className="page-head">
        <h1><span className="mono">{i.externalId}</span>{i.name ? <span className="muted"> · {i.name}</span> : null}</h1>
        <div className="actions">
          <button type="button" className="button" onClick={() => { setEditing(true); setNotice(''); }} disabled={editing}>Edit</button>
          <button type="button" className="button button-danger" onClick={() => setDeleting(true)}>Delete</button>
        </div>
      </div>
      {notice ? <p className="banner banner-ok" role="status">{notice}</p> : null}
      <ErrorBanner error={actionError} title="That did not work." />
      {editing ? (
        <IdentityForm initial={i} title="Edit identity" submitLabel="Save" idPrefix="edit-identity" onCancel={() => setEditing(false)}
          onSubmit={async (body) => {
            identity.set(await identitiesApi.update(i.id, body, i.version));
            setEditing(false);
            setNotice('The identity is saved.');
          }} />
      ) : (
        <div className="card">
          <h2>Details</h2>
          <dl className="details">
            <dt>Id</dt><dd className="mono">{i.id}</dd>
            <dt>External id</dt><dd className="mono">{i.externalId}</dd>
            <dt>Name</dt><dd>{i.name ?? '—'}</dd>
            <dt>Metadata</dt><dd className="mono small">{i.metadata && Object.keys(i.metadata).length ? JSON.stringify(i.metadata) : '—'}</dd>
            <dt>Rate limits</dt><dd>{limitSummary(i.limits)} <span className="muted small">(shared by all its tokens)</span></dd>
            <dt>Credits</dt><dd>{formatCredits(i.credits)}</dd>
            <dt>Created</dt><dd>{formatDate(i.createdAt)}</dd>
            <dt>Changed</dt><dd>{formatDate(i.updatedAt)}</dd>
          </dl>
        </div>
      )}
      <RateLimitState holder="identity" id={i.id} version={i.version} />
      <CreditsCard holder="identity" id={i.id} credits={i.credits}
        onSaved={async (text) => { identity.set(await identitiesApi.get(i.id)); setNotice(text); }} />
      <div className="card">
        <h2>Tokens</h2>
        <ErrorBanner error={tokens.error} title="Its tokens could not be loaded." />
        {tokens.data && tokens.data.items.length === 0 ? <p className="empty">No token belongs to this identity. Give a token to it with its identity id when you create or edit the token.</p> : null}
        {tokens.data?.items.length ? (
          <table className="table">
            <thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Last used</th></tr></thead>
            <tbody>
              {tokens.data.items.map((t) => (
                <tr key={t.id}>
                  <td><Link to={`/tokens/${encodeURIComponent(t.id)}`}>{t.name}</Link></td>
                  <td><StatusBadge status={t.status} /></td>
                  <td>{formatDate(t.lastUsedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {tokens.data?.nextCursor ? <p className="muted small">The first 50 are shown.</p> : null}
      </div>
      <ConfirmDialog open={deleting} title={`Delete ${i.externalId}?`} confirmLabel="Delete it" danger busy={busy}
        onCancel={() => setDeleting(false)} onConfirm={() => void remove()}>
        <p>Its tokens keep working, without an identity and without its shared rate limits.</p>
      </ConfirmDialog>
    </section>
  );
}
