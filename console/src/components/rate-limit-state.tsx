/**
 * The current state of a token's or an identity's rate limits: what is left in each current window and when it ends,
 * read without consuming anything (`GET /v1/tokens/{id}/ratelimits`, `/v1/identities/{id}/ratelimits`).
 */
import { useEffect, useState } from 'react';
import { ratelimitsApi } from '../api';
import { formatResetsIn, formatSeconds } from '../format';
import { useLoad } from '../use-load';
import { useTokenNames } from '../use-token-names';
import { ErrorBanner } from './error-banner';
import { Link } from './link';
import { TokenRef } from './token-ref';

/** Counts change with every check: read again this often while the page is in view (and never while it is hidden). */
const REFRESH_MS = 5000;

/** `version`: the holder's version, so a saved edit of its limits is read at once. */
export function RateLimitState({ holder, id, version }: { holder: 'token' | 'identity'; id: string; version: number }) {
  const state = useLoad(() => ratelimitsApi.state(holder, id), [holder, id, version]);
  const [now, setNow] = useState(() => Date.now());
  const { reload } = state;
  const failed = state.error !== undefined;
  useEffect(() => {
    // A refusal (no permission, the token gone) is not asked again every few seconds: Refresh asks again.
    if (failed) return;
    let ticks = 0;
    // One tick a second moves "resets in" along; every few ticks the counts themselves are read again.
    const timer = setInterval(() => {
      if (document.visibilityState !== 'visible') return;
      setNow(Date.now());
      ticks += 1;
      if (ticks % (REFRESH_MS / 1000) === 0) reload();
    }, 1000);
    return () => clearInterval(timer);
  }, [reload, failed]);
  const limits = state.data?.ratelimits ?? [];
  const names = useTokenNames(limits.filter((l) => l.holder === 'token').map((l) => l.holderId));

  const whose = (l: (typeof limits)[number]) => {
    if (l.holderId === id) return `this ${holder}`;
    if (l.holder === 'identity') return <>identity <Link to={`/identities/${encodeURIComponent(l.holderId)}`}><span className="mono">{l.holderId}</span></Link></>;
    return <>token <TokenRef id={l.holderId} name={names.get(l.holderId)} /></>;
  };

  return (
    <div className="card">
      <div className="page-head">
        <h2>Rate limits now</h2>
        <button type="button" className="button button-small" disabled={state.loading} onClick={() => { setNow(Date.now()); reload(); }}>Refresh</button>
      </div>
      <p className="muted small">
        {holder === 'token'
          ? 'Every limit a check of this token consumes (its own, those of the tokens that made it, and its identity’s): what is left in the current window. Read without consuming anything.'
          : 'The limits all its tokens share: what is left in the current window. Read without consuming anything.'}
      </p>
      <ErrorBanner error={state.error} title="The rate limits’ state could not be loaded." />
      {state.data && limits.length === 0 ? <p className="empty">No rate limit counts the checks of this {holder}.</p> : null}
      {limits.length ? (
        <table className="table">
          <thead><tr><th scope="col">Limit</th><th scope="col">Whose</th><th scope="col">Remaining</th><th scope="col">Resets</th></tr></thead>
          <tbody>
            {limits.map((l) => (
              <tr key={`${l.holder} ${l.holderId} ${l.name}`}>
                <td data-label="Limit"><span className="mono">{l.name}</span> <span className="muted small">({l.limit} per {formatSeconds(l.duration)})</span></td>
                <td data-label="Whose">{whose(l)}</td>
                <td data-label="Remaining">
                  <meter className="limit-meter" min={0} max={l.limit} low={l.limit * 0.2} high={l.limit * 0.5} optimum={l.limit} value={l.remaining}
                    aria-label={`${l.name}: ${l.remaining} of ${l.limit} left`} />{' '}
                  {l.remaining} / {l.limit}
                </td>
                <td data-label="Resets">{formatResetsIn(l.reset, now)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
