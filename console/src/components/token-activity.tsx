/** What a token can call (capabilities), its calls over time, and its audit trail; reloaded when it changes. */
import { useState } from 'react';
import { api, loadUsage } from '../api';
import { useLoad } from '../use-load';
import { AuditTable } from './audit-table';
import { ErrorBanner } from './error-banner';
import { UsageChart } from './usage-chart';

/** The outcomes of checks refused by a rate limit or spent credits (docs/limits.md). */
const LIMIT_REFUSALS = new Set(['RATE_LIMITED', 'USAGE_EXCEEDED']);

/** `limited`: the token has limits of its own or an identity's: its refusals get their own small chart. */
export function TokenActivity({ tokenId, version, limited = false }: { tokenId: string; version: number; limited?: boolean }) {
  const [bucket, setBucket] = useState<'minute' | 'hour' | 'day'>('hour');
  const capabilities = useLoad(() => api.capabilities(tokenId), [tokenId, version]);
  const usage = useLoad(() => loadUsage({ tokenId, bucket, limit: 500 }), [tokenId, bucket, version]);
  const audit = useLoad(() => api.audit({ tokenId, limit: 50 }), [tokenId, version]);
  const endpoints = capabilities.data?.endpoints ?? [];

  return (
    <>
      <div className="card">
        <h2>Capabilities</h2>
        <p className="muted small">The catalog endpoints this token may call: fully, or for some parameter values only.</p>
        <ErrorBanner error={capabilities.error} title="The capabilities could not be loaded." />
        {capabilities.data && endpoints.length === 0 ? <p className="empty">This token reaches no catalog endpoint.</p> : null}
        {endpoints.length ? (
          <ul className="endpoint-list">
            {endpoints.map((e) => (
              <li key={`${e.method} ${e.path}`}>
                <span className={`method method-${e.method.toLowerCase()}`}>{e.method}</span> <code>{e.path}</code>
                {e.access !== 'full' ? <span className="badge badge-included">{e.access}</span> : null}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      <div className="card">
        <div className="page-head">
          <h2>Usage</h2>
          <label className="inline">
            Per{' '}
            <select value={bucket} onChange={(e) => setBucket(e.target.value as typeof bucket)} aria-label="Usage bucket">
              <option value="minute">minute</option>
              <option value="hour">hour</option>
              <option value="day">day</option>
            </select>
          </label>
        </div>
        {usage.error?.status === 404 ? <p className="muted">Usage is not available on this server.</p> : <ErrorBanner error={usage.error} title="Usage could not be loaded." />}
        {usage.data ? <UsageChart buckets={usage.data} bucket={bucket} /> : null}
      </div>
      {limited && usage.data ? (
        <div className="card">
          <h2>Refused by limits</h2>
          <p className="muted small">Checks this token’s limits (its own, its creators’ and its identity’s rate limits, and credits) refused, per {bucket}, by the limit that refused them.</p>
          <UsageChart buckets={usage.data.filter((b) => LIMIT_REFUSALS.has(b.outcome))} bucket={bucket} seriesOf={(b) => b.refusedBy ?? b.outcome}
            empty="No check was refused by a limit in this period." />
        </div>
      ) : null}
      <div className="card">
        <h2>Audit trail</h2>
        <ErrorBanner error={audit.error} title="The audit trail could not be loaded." />
        {audit.data ? <AuditTable events={audit.data.items} /> : null}
      </div>
    </>
  );
}
