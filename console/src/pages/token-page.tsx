/** One token: details, permissions, enable switch, rotate, revoke (confirmed), capabilities, usage, audit trail. */
import { useMemo, useState } from 'react';
import { api, type Account, type ApiError, type Token } from '../api';
import { formatCredits, formatDate } from '../format';
import { asApiError, useLoad, useSaving } from '../use-load';
import { ConfirmDialog } from '../components/confirm-dialog';
import { CreditsCard } from '../components/credits-card';
import { ErrorBanner } from '../components/error-banner';
import { OverlapSelect, overlapText } from '../components/overlap-select';
import { limitSummary } from '../components/limits-editor';
import { Link } from '../components/link';
import { PermissionTree } from '../components/permission-tree';
import { RateLimitState } from '../components/rate-limit-state';
import { ResourceGrants } from '../components/resource-grants';
import { ScopeChips } from '../components/scope-chips';
import { SecretOnce } from '../components/secret-once';
import { StatusBadge } from '../components/status-badge';
import { Switch } from '../components/switch';
import { TokenActivity } from '../components/token-activity';
import { TokenLimits } from '../components/token-limits';
import { TokenRef } from '../components/token-ref';
import { saveSession } from '../session';
import { OwnTokenWarning, useSignedIn } from '../signed-in';
import { useTokenNames } from '../use-token-names';

export function TokenPage({ id, account }: { id: string; account: Account | undefined }) {
  const token = useLoad(() => api.getToken(id), [id]);
  const templates = useLoad(() => api.catalogTree({}).then((tree) => tree.templates), []);
  const { caller } = useSignedIn();
  const [actionError, setActionError] = useState<ApiError>();
  const [secret, setSecret] = useState<string>();
  const [dialog, setDialog] = useState<'revoke' | 'rotate' | 'disable' | undefined>();
  const [overlap, setOverlap] = useState(0);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState('');
  const names = useTokenNames([token.data?.createdBy]);

  const act = async (what: string, run: () => Promise<Token>) => {
    setBusy(true);
    try {
      token.set(await run());
      setActionError(undefined);
      setNotice(what);
    } catch (err) {
      setActionError(asApiError(err));
    } finally {
      setBusy(false);
      setDialog(undefined);
    }
  };

  const t = token.data;
  if (!t) {
    return (
      <section>
        <p><Link to="/tokens">← Tokens</Link></p>
        {token.error ? <ErrorBanner error={token.error} title="The token could not be loaded." /> : <p className="muted">Loading…</p>}
      </section>
    );
  }
  const revoked = t.status === 'revoked';
  const own = caller?.tokenId === t.id;
  // Unknown until the account has loaded: neither the edit controls nor the read-only note show before then.
  const editable = account ? account.policy.permissionsEditable && !revoked : undefined;
  const setEnabled = (on: boolean) =>
    act(on ? 'The token is enabled.' : 'The token is disabled: it is refused until you enable it again.', () => api.setEnabled(t.id, on));
  const endpointOf = t.kind === 'primary' ? (t.metadata as { endpoint?: unknown } | null)?.endpoint : undefined;
  const templateName = (templateId: string) => templates.data?.find((x) => x.id === templateId)?.name ?? templateId;

  return (
    <section>
      <p><Link to="/tokens">← Tokens</Link></p>
      <div className="page-head">
        <h1>
          {t.name} <StatusBadge status={t.status} />
          {own ? <span className="badge badge-included">signed in with this token</span> : null}
        </h1>
        <div className="actions">
          {/* A revoked token can never be enabled again: no switch, not even a greyed one. The name stays "Enabled";
              its state is the switch's checked state, so a screen reader hears one control that changes, not two. */}
          {revoked ? null : (
            <Switch checked={t.enabled} disabled={busy} label="Enabled" showLabel
              onChange={(on) => (!on && own ? setDialog('disable') : void setEnabled(on))} />
          )}
          <button type="button" className="button" disabled={revoked || busy} onClick={() => { setOverlap(0); setDialog('rotate'); }}>Rotate</button>
          {t.kind === 'primary' ? null : (
            <button type="button" className="button button-danger" disabled={revoked || busy} onClick={() => setDialog('revoke')}>Revoke</button>
          )}
        </div>
      </div>
      {notice ? <p className="banner banner-ok" role="status">{notice}</p> : null}
      {t.kind === 'primary' && !revoked ? (
        <p className="banner banner-warning">
          This is a primary token of endpoint{' '}
          {typeof endpointOf === 'string' ? <Link to={`/endpoints/${encodeURIComponent(endpointOf)}`}>{endpointOf}</Link> : 'an endpoint'}: regenerate it
          there, or turn the endpoint’s token authentication off to remove it.
        </p>
      ) : null}
      <ErrorBanner error={actionError} title="That did not work." />
      {secret ? <SecretOnce secret={secret} title="The new secret" /> : null}

      <div className="card">
        <h2>Details</h2>
        <dl className="details">
          <dt>Id</dt><dd className="mono">{t.id}</dd>
          <dt>Hint</dt><dd className="mono">{t.hint}</dd>
          <dt>Profile id</dt><dd>{t.profileId ?? '—'}</dd>
          <dt>Description</dt><dd>{t.description ?? '—'}</dd>
          <dt>Created</dt>
          <dd>
            {formatDate(t.createdAt)}
            {t.createdBy ? <span className="muted"> by <TokenRef id={t.createdBy} name={names.get(t.createdBy)} /></span> : null}
          </dd>
          <dt>Expires</dt><dd>{formatDate(t.expiresAt)}</dd>
          <dt>Last used</dt><dd>{formatDate(t.lastUsedAt)} <span className="muted">({t.useCount} uses)</span></dd>
          <dt>Allowed IPs</dt><dd className="mono">{t.allowedIps.length ? t.allowedIps.join(', ') : 'any'}</dd>
          <dt>Identity</dt><dd className="mono">{t.identityId ? <Link to={`/identities/${encodeURIComponent(t.identityId)}`}>{t.identityId}</Link> : '—'}</dd>
          <dt>Rate limits</dt>
          <dd>{limitSummary(t.limits)}</dd>
          <dt>Credits</dt><dd>{formatCredits(t.credits)}</dd>
          {t.revokedAt ? <><dt>Revoked</dt><dd>{formatDate(t.revokedAt)}</dd></> : null}
          <dt>Permission sets</dt><dd>{t.templates.length ? t.templates.map(templateName).join(', ') : '—'}</dd>
        </dl>
        <p><Link to={`/data?tokenId=${encodeURIComponent(t.id)}`}>See its calls in the data viewer →</Link></p>
      </div>

      {revoked ? null : (
        <CreditsCard holder="token" id={t.id} credits={t.credits}
          onSaved={async (text) => { token.set(await api.getToken(t.id)); setNotice(text); }} />
      )}
      {/* Keyed by the saved limits: a save (or a reload that brings other limits) starts the editor from them. */}
      {revoked ? null : (
        <TokenLimits key={JSON.stringify(t.limits)} token={t} own={own} onSaved={(saved) => { token.set(saved); setNotice('Rate limits saved.'); }} />
      )}
      {revoked ? null : <RateLimitState holder="token" id={t.id} version={t.version} />}
      <TokenPermissions token={t} editable={editable} onSaved={(saved) => { token.set(saved); setNotice('Permissions saved.'); }} />
      <TokenActivity tokenId={t.id} version={t.version} limited={t.limits.length > 0 || t.credits !== null || t.identityId !== null} />

      <ConfirmDialog open={dialog === 'revoke'} title={`Revoke ${t.name}?`} confirmLabel="Yes, revoke it!" danger busy={busy}
        onCancel={() => setDialog(undefined)}
        onConfirm={() => void act('The token is revoked.', async () => {
          const revokedToken = (await api.revokeToken(t.id)).token;
          setSecret(undefined);
          return revokedToken;
        })}>
        {own ? <OwnTokenWarning action="revoke" /> : null}
        <p><strong>Revocation cannot be undone.</strong> The token stops working at once, and so do the tokens it issued. It cannot be reinstated.</p>
      </ConfirmDialog>
      <ConfirmDialog open={dialog === 'disable'} title={`Disable ${t.name}?`} confirmLabel="Disable it" danger busy={busy}
        onCancel={() => setDialog(undefined)} onConfirm={() => void setEnabled(false)}>
        <OwnTokenWarning action="disable" />
        <p>A disabled token is refused until it is enabled again, by another token.</p>
      </ConfirmDialog>
      <ConfirmDialog open={dialog === 'rotate'} title={`Rotate ${t.name}?`} confirmLabel="Rotate" busy={busy}
        onCancel={() => setDialog(undefined)}
        onConfirm={() => void act(overlap ? `The token has a new secret. The old one keeps working for ${overlapText(overlap)}.` : 'The token has a new secret. The old one no longer works.', async () => {
          const rotated = await api.rotateToken(t.id, overlap);
          // The console keeps working on the new secret when it rotates its own token.
          if (own) saveSession(rotated.secret);
          setSecret(rotated.secret);
          return rotated.token;
        })}>
        <p>The token keeps its id and permissions and gets a new secret, shown once.</p>
        <OverlapSelect value={overlap} onChange={setOverlap} />
        {own ? <p className="muted">This is the token you are signed in with: the console switches to the new secret.</p> : null}
      </ConfirmDialog>
    </section>
  );
}

function TokenPermissions({ token, editable, onSaved }: { token: Token; editable: boolean | undefined; onSaved: (token: Token) => void }) {
  const [scopes, setScopes] = useState<string[]>(token.scopes);
  const [otherScope, setOtherScope] = useState('');
  const { saving, error, setError, run } = useSaving();
  const selected = useMemo(() => new Set(scopes), [scopes]);
  const tree = useLoad(() => api.catalogTree({ scopes }), [scopes.join(' ')]);
  const resources = tree.data?.resources ?? [];
  const dirty = scopes.join(' ') !== token.scopes.join(' ');
  const add = (list: string[]) => setScopes((current) => [...current, ...list.filter((s) => !current.includes(s))]);
  const remove = (scope: string) => setScopes((current) => current.filter((s) => s !== scope));

  const save = () => run(async () => onSaved(await api.updateToken(token.id, { scopes })));

  return (
    <div className="card">
      <h2>Permissions</h2>
      {editable === true ? <p className="muted">This account lets you change a token’s permissions. Changes take effect when you save them.</p> : null}
      {editable === false ? (
        <p className="muted">
          {token.status === 'revoked' ? 'A revoked token’s permissions cannot change.' : 'Permissions are fixed once the token is created (account policy). Create a new token to change them.'}
        </p>
      ) : null}
      <ErrorBanner error={error} title="The permissions were not saved." />
      <ScopeChips scopes={scopes} {...(editable ? { onRemove: remove } : {})} error={error?.field?.startsWith('scopes') ? error.text : undefined} />
      {editable && resources.length ? <ResourceGrants resources={resources} onAdd={add} /> : null}
      {editable ? (
        <div className="field inline-add">
          <label htmlFor="token-other-scope">Another scope</label>
          <div className="row">
            <input id="token-other-scope" className="mono" value={otherScope} onChange={(e) => setOtherScope(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && otherScope.trim()) { e.preventDefault(); add([otherScope.trim()]); setOtherScope(''); }
              }} />
            <button type="button" className="button" disabled={!otherScope.trim()} onClick={() => { add([otherScope.trim()]); setOtherScope(''); }}>Add</button>
          </div>
        </div>
      ) : null}
      <details className="advanced">
        <summary>Show the permission tree</summary>
        <PermissionTree services={tree.data?.services ?? []} selected={selected} readOnly={!editable} resources={resources}
          onToggle={(s, on) => (on ? add([s]) : remove(s))} />
      </details>
      {editable ? (
        <div className="actions">
          <button type="button" className="button" disabled={!dirty || saving} onClick={() => { setScopes(token.scopes); setError(undefined); }}>Reset</button>
          <button type="button" className="button button-primary" disabled={!dirty || saving} onClick={() => void save()}>
            {saving ? 'Saving…' : 'Save permissions'}
          </button>
        </div>
      ) : null}
    </div>
  );
}
