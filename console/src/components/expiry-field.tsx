/**
 * When a new token expires: 7, 30, 60 or 90 days, a date of one's own, the signed-in token's own expiry, or never — only
 * what the signed-in token may grant (its expiry, the account's longest lifetime) is offered; "never" comes with a warning.
 */
import { formatDay } from '../format';

export type ExpiryChoice = { kind: 'days'; days: number } | { kind: 'custom'; date: string } | { kind: 'limit' } | { kind: 'never' };

const presets = [7, 30, 60, 90];
const dayMs = 86_400_000;

/** The latest expiry allowed (ms), or undefined when any expiry or none is allowed. */
export function latestExpiry(callerExpiresAt: string | null | undefined, maxLifetimeSeconds: number | null | undefined, now: number): number | undefined {
  const limits = [callerExpiresAt ? Date.parse(callerExpiresAt) : undefined, maxLifetimeSeconds ? now + maxLifetimeSeconds * 1000 : undefined];
  const set = limits.filter((l): l is number => l !== undefined);
  return set.length ? Math.min(...set) : undefined;
}

/** GitHub's default, 30 days, when allowed; else the latest allowed expiry. */
export function defaultExpiry(latest: number | undefined, now: number): ExpiryChoice {
  return latest === undefined || now + 30 * dayMs <= latest ? { kind: 'days', days: 30 } : { kind: 'limit' };
}

/** The expiry to send (ISO), null for none, or a problem in words. */
export function expiryOf(choice: ExpiryChoice, latest: number | undefined, now: number): { at: string | null } | { problem: string } {
  let at: number;
  if (choice.kind === 'never') {
    if (latest !== undefined) return { problem: 'This token must expire: yours does, or the account limits how long tokens live.' };
    return { at: null };
  }
  if (choice.kind === 'limit') at = latest ?? now + 30 * dayMs;
  else if (choice.kind === 'days') at = now + choice.days * dayMs;
  else {
    if (!choice.date) return { problem: 'Pick the day the token expires.' };
    // The end of the chosen day, or the latest allowed moment when that falls within the same day.
    at = new Date(`${choice.date}T23:59:59`).getTime();
    if (latest !== undefined && at > latest && new Date(latest).toDateString() === new Date(at).toDateString()) at = latest;
    if (Number.isNaN(at) || at <= now) return { problem: 'Pick a day in the future.' };
  }
  if (latest !== undefined && at > latest) return { problem: `Pick a day on or before ${formatDay(new Date(latest).toISOString())}.` };
  return { at: new Date(at).toISOString() };
}

function isoDay(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function ExpiryField(props: {
  choice: ExpiryChoice;
  onChange: (choice: ExpiryChoice) => void;
  latest: number | undefined;
  now: number;
  error: string | undefined;
}) {
  const { choice, latest, now } = props;
  const value = choice.kind === 'days' ? String(choice.days) : choice.kind;
  const select = (v: string) => {
    if (v === 'custom') props.onChange({ kind: 'custom', date: choice.kind === 'custom' ? choice.date : '' });
    else if (v === 'limit' || v === 'never') props.onChange({ kind: v });
    else props.onChange({ kind: 'days', days: Number(v) });
  };
  const errorId = 'token-expiry-error';
  return (
    <div className={props.error ? 'field field-invalid' : 'field'}>
      <label htmlFor="token-expiry">Expiration</label>
      <select id="token-expiry" value={value} onChange={(e) => select(e.target.value)} aria-describedby={props.error ? errorId : 'token-expiry-hint'}>
        {presets.map((days) => (
          <option key={days} value={days} disabled={latest !== undefined && now + days * dayMs > latest}>
            {days} days ({formatDay(new Date(now + days * dayMs).toISOString())})
          </option>
        ))}
        {latest !== undefined ? <option value="limit">The latest allowed ({formatDay(new Date(latest).toISOString())})</option> : null}
        <option value="custom">Custom…</option>
        {latest === undefined ? <option value="never">No expiration</option> : null}
      </select>
      {choice.kind === 'custom' ? (
        <input id="token-expiry-date" type="date" aria-label="Expiration date" min={isoDay(now)} {...(latest !== undefined ? { max: isoDay(latest) } : {})}
          value={choice.date} onChange={(e) => props.onChange({ kind: 'custom', date: e.target.value })} aria-invalid={props.error ? true : undefined} />
      ) : null}
      <div className="hint" id="token-expiry-hint">
        {latest !== undefined ? `At most until ${formatDay(new Date(latest).toISOString())}: no token you create may outlive yours, or the account’s limit.` : 'The token stops working then; rotate or re-create it before.'}
      </div>
      {choice.kind === 'never' ? (
        <p className="banner banner-warning">
          <strong>A token without an expiration date works until it is revoked.</strong> If it leaks, it can be used for as long as nobody notices. Prefer an expiration date.
        </p>
      ) : null}
      {props.error ? <div className="field-error" id={errorId}>{props.error}</div> : null}
    </div>
  );
}
