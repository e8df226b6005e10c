/** Endpoints: each endpoint's token authentication, and the secondary endpoint tokens mapped to its primaries. */
import { useState } from 'react';
import { endpointsApi, type ApiError, type EndpointToken } from '../api';
import { asApiError, useLoad } from '../use-load';
import { AssignDialog } from '../components/assign-dialog';
import { EndpointDetail } from '../components/endpoint-detail';
import { ErrorBanner } from '../components/error-banner';
import { Link } from '../components/link';
import { SecondaryTokenDialog } from '../components/secondary-token-dialog';
import { StatusBadge } from '../components/status-badge';
import { Switch } from '../components/switch';

export function EndpointsPage({ endpointId }: { endpointId: string | undefined }) {
  if (endpointId) return <EndpointDetail id={endpointId} />;
  return <EndpointList />;
}

function EndpointList() {
  const endpoints = useLoad(() => endpointsApi.list(), []);
  const [showInactive, setShowInactive] = useState(false);
  const secondaries = useLoad(() => endpointsApi.secondaries(showInactive ? 'inactive' : 'active'), [showInactive]);
  const [assigning, setAssigning] = useState<EndpointToken>();
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState<ApiError>();

  const setEnabled = async (t: EndpointToken, on: boolean) => {
    try {
      await endpointsApi.setSecondaryEnabled(t.token.id, on);
      setError(undefined);
      secondaries.reload();
    } catch (err) {
      setError(asApiError(err));
    }
  };

  return (
    <section>
      <h1>Endpoints</h1>
      <ErrorBanner error={endpoints.error} title="The endpoints could not be loaded." />
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr><th scope="col">Endpoint</th><th scope="col">Authentication</th><th scope="col">Deleting</th><th scope="col">Routes</th></tr>
          </thead>
          <tbody>
            {(endpoints.data?.items ?? []).map((e) => (
              <tr key={e.id}>
                <td data-label="Endpoint"><Link to={`/endpoints/${encodeURIComponent(e.id)}`}>{e.id}</Link></td>
                <td data-label="Authentication"><span className={e.mode === 'none' ? 'badge' : 'badge badge-active'}>{e.mode === 'none' ? 'Off' : e.mode === 'token' ? 'Token' : 'Internal'}</span></td>
                <td data-label="Deleting">{e.allowDelete ? 'Allowed' : 'Not allowed'}</td>
                <td data-label="Routes" className="mono small">{e.routes.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {endpoints.data && endpoints.data.items.length === 0 ? <p className="empty">The catalog declares no token-authenticated endpoint.</p> : null}

      <div className="page-head">
        <h2>Endpoint tokens</h2>
        <div className="actions">
          <Switch checked={showInactive} onChange={setShowInactive} label="Show inactive" showLabel />
          <button type="button" className="button button-primary" onClick={() => setAdding(true)}>+ Add</button>
        </div>
      </div>
      <p className="muted small">Secondary tokens, one per application, mapped to endpoints’ primary tokens. Switching one off cuts only that integration.</p>
      <ErrorBanner error={secondaries.error ?? error} title="That did not work." />
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr><th scope="col">Name</th><th scope="col">Description</th><th scope="col">Assigned to</th><th scope="col">Enabled</th><th scope="col">Actions</th></tr>
          </thead>
          <tbody>
            {(secondaries.data?.items ?? []).map((t) => (
              <tr key={t.token.id}>
                <td data-label="Name"><Link to={`/tokens/${encodeURIComponent(t.token.id)}`}>{t.token.name}</Link></td>
                <td data-label="Description">{t.token.description ?? '—'}</td>
                <td data-label="Assigned to">
                  {t.assignments.length ? (
                    <ul className="chips">{t.assignments.map((a) => <li key={`${a.endpoint} ${a.method}`} className={a.active === false ? 'chip chip-off' : 'chip'}>{a.endpoint} {a.method}</li>)}</ul>
                  ) : <span className="muted">Unassigned</span>}
                </td>
                <td data-label="Enabled">
                  {/* Revoked is final (and its record says enabled: false): its status instead of a switch. */}
                  {t.token.status === 'revoked' ? <StatusBadge status="revoked" />
                    : <Switch checked={t.token.enabled} label={`Enabled: ${t.token.name}`} onChange={(on) => void setEnabled(t, on)} />}
                </td>
                <td data-label="Actions">
                  <div className="actions">
                    {t.token.status !== 'revoked' ? (
                      showInactive
                        ? <button type="button" className="button button-small" onClick={() => void setEnabled(t, true)}>Activate</button>
                        : <button type="button" className="button button-small" onClick={() => void setEnabled(t, false)}>Deactivate</button>
                    ) : null}
                    <button type="button" className="button button-small" onClick={() => setAssigning(t)}>Assign endpoint tokens</button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {secondaries.data && secondaries.data.items.length === 0 ? <p className="empty">{showInactive ? 'No inactive endpoint tokens.' : 'No active endpoint tokens.'}</p> : null}
      <AssignDialog token={assigning} endpoints={endpoints.data?.items ?? []} onClose={() => setAssigning(undefined)}
        onSaved={() => { setAssigning(undefined); secondaries.reload(); }} />
      <SecondaryTokenDialog open={adding} onClose={() => setAdding(false)} onCreated={() => secondaries.reload()} />
    </section>
  );
}
