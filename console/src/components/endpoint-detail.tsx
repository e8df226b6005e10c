/** One endpoint: token authentication on/off, allow deleting, primary tokens per method, and its secondary tokens. */
import { useState } from 'react';
import { endpointsApi, type ApiError, type EndpointAuth, type EndpointToken } from '../api';
import { asApiError, useLoad } from '../use-load';
import { ConfirmDialog } from './confirm-dialog';
import { ErrorBanner } from './error-banner';
import { Link } from './link';
import { OverlapSelect } from './overlap-select';
import { SecretOnce } from './secret-once';
import { StatusBadge } from './status-badge';
import { Switch } from './switch';

export function EndpointDetail({ id }: { id: string }) {
  const auth = useLoad(() => endpointsApi.auth(id), [id]);
  const [hideUnassigned, setHideUnassigned] = useState(true);
  const tokens = useLoad(() => endpointsApi.tokensOf(id, hideUnassigned ? 'true' : 'all'), [id, hideUnassigned, auth.data?.updatedAt]);
  const [secrets, setSecrets] = useState<{ method: string; secret: string }[]>([]);
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const [confirmOff, setConfirmOff] = useState(false);
  // Regenerating replaces a secret some integration uses: confirmed, with an overlap, as rotating a token is.
  const [regenerating, setRegenerating] = useState<string>();
  const [overlap, setOverlap] = useState(0);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    try {
      await work();
      setError(undefined);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };
  const setAuth = (body: { mode?: EndpointAuth['mode']; allowDelete?: boolean }) => run(async () => {
    const result = await endpointsApi.setAuth(id, body);
    const { generated, ...rest } = result;
    auth.set(rest);
    setSecrets(generated.map((g) => ({ method: g.method, secret: g.secret })));
    setConfirmOff(false);
  });
  const regenerate = (method: string) => run(async () => {
    const result = await endpointsApi.regenerate(id, method, overlap);
    setSecrets([{ method, secret: result.secret }]);
    setRegenerating(undefined);
    auth.reload();
  });
  const toggleAssignment = (t: EndpointToken, method: string, on: boolean) => run(async () => {
    const others = t.assignments.filter((a) => !(a.endpoint === id && a.method === method));
    await endpointsApi.assign(t.token.id, on ? [...others, { endpoint: id, method }] : others);
    tokens.reload();
  });
  const setEnabled = (t: EndpointToken, on: boolean) => run(async () => {
    await endpointsApi.setSecondaryEnabled(t.token.id, on);
    tokens.reload();
  });

  const a = auth.data;
  const on = a ? a.mode !== 'none' : false;
  return (
    <section>
      <p><Link to="/endpoints">← Endpoints</Link></p>
      <h1>Endpoint {id}</h1>
      <ErrorBanner error={auth.error ?? error} title="That did not work." />
      {a ? (
        <>
          <div className="card">
            <h2>Security</h2>
            <div className="actions">
              <Switch checked={on} disabled={busy} label="Token authentication" showLabel onChange={(next) => (next ? void setAuth({ mode: 'token' }) : setConfirmOff(true))} />
              <Switch checked={a.allowDelete} disabled={busy} label="Allow deleting" showLabel onChange={(next) => void setAuth({ allowDelete: next })} />
            </div>
            <p className="muted small mono">{a.routes.join(' · ')}</p>
          </div>
          {secrets.map((s) => <SecretOnce key={s.method} secret={s.secret} title={`${s.method} primary token`} />)}
          <div className="card">
            <h2>Primary tokens</h2>
            <p className="muted small">Generated per method; use secondary tokens for applications rather than these.</p>
            {a.primariesPending.length > 0 ? (
              <div className="actions">
                <p className="muted small">The catalog turns token authentication on here; {a.primariesPending.join(', ')} primary tokens are made when you ask, and their secrets shown once.</p>
                <button type="button" className="button" disabled={busy} onClick={() => void setAuth({})}>Generate primary tokens</button>
              </div>
            ) : null}
            {a.primaries.length === 0 && a.primariesPending.length === 0 ? <p className="empty">Turn token authentication on to generate primary tokens.</p> : null}
            <ul className="endpoint-list">
              {a.primaries.map((p) => (
                <li key={p.method} className="primary-row">
                  <span className={`method method-${p.method.toLowerCase()}`}>{p.method}</span>
                  <code>{p.token.hint}</code>
                  <StatusBadge status={p.token.status} />
                  <button type="button" className="button button-small" disabled={busy} onClick={() => { setOverlap(0); setRegenerating(p.method); }} aria-label={`Regenerate ${p.method} primary token`}>Regenerate</button>
                </li>
              ))}
            </ul>
          </div>
          <div className="card">
            <div className="page-head">
              <h2>Secondary tokens</h2>
              <Switch checked={hideUnassigned} onChange={setHideUnassigned} label="Hide unassigned" showLabel />
            </div>
            <ErrorBanner error={tokens.error} title="The tokens could not be loaded." />
            {tokens.data && tokens.data.items.length === 0 ? <p className="empty">{hideUnassigned ? 'No secondary token is assigned to this endpoint.' : 'No secondary tokens.'}</p> : null}
            <div className="table-wrap">
              <table className="table">
                <thead><tr><th scope="col">Name</th><th scope="col">Enabled</th><th scope="col">Assigned methods</th></tr></thead>
                <tbody>
                  {(tokens.data?.items ?? []).map((t) => (
                    <tr key={t.token.id}>
                      <td data-label="Name"><Link to={`/tokens/${encodeURIComponent(t.token.id)}`}>{t.token.name}</Link></td>
                      <td data-label="Enabled">
                        {t.token.status === 'revoked' ? <StatusBadge status="revoked" />
                          : <Switch checked={t.token.enabled} disabled={busy} label={`Enabled: ${t.token.name}`} onChange={(next) => void setEnabled(t, next)} />}
                      </td>
                      <td data-label="Assigned methods">
                        <div className="actions">
                          {a.primaries.map((p) => (
                            <label key={p.method} className="check">
                              <input type="checkbox" disabled={busy} aria-label={`${t.token.name} ${p.method}`}
                                checked={t.assignments.some((x) => x.endpoint === id && x.method === p.method)}
                                onChange={(e) => void toggleAssignment(t, p.method, e.target.checked)} />
                              <span className={`method method-${p.method.toLowerCase()}`}>{p.method}</span>
                            </label>
                          ))}
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        </>
      ) : null}
      <ConfirmDialog open={confirmOff} title="Turn token authentication off?" confirmLabel="Turn off" danger busy={busy}
        onCancel={() => setConfirmOff(false)} onConfirm={() => void setAuth({ mode: 'none' })}>
        <p>The primary tokens of this endpoint are revoked, and the secondary tokens mapped to them stop working here.</p>
      </ConfirmDialog>
      <ConfirmDialog open={regenerating !== undefined} title={`Regenerate the ${regenerating ?? ''} primary token?`} confirmLabel="Regenerate" busy={busy}
        onCancel={() => setRegenerating(undefined)} onConfirm={() => regenerating && void regenerate(regenerating)}>
        <p>The primary token gets a new secret, shown once. Integrations calling with the current one must switch to it.</p>
        <OverlapSelect value={overlap} onChange={setOverlap} />
      </ConfirmDialog>
    </section>
  );
}
