/**
 * Tokens: the list (active, made through the token API, by default), search by name or exact id, switches for inactive
 * and for endpoint tokens, select several and delete.
 */
import { useEffect, useState } from 'react';
import { api, type ApiError, type Token } from '../api';
import { formatDate } from '../format';
import { asApiError, useLoad } from '../use-load';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorBanner } from '../components/error-banner';
import { Link } from '../components/link';
import { StatusBadge } from '../components/status-badge';
import { Switch } from '../components/switch';
import { OwnTokenWarning, useSignedIn } from '../signed-in';

/** A token's permissions in a list row: the first few, and how many more. */
function ScopeSummary({ scopes }: { scopes: string[] }) {
  const shown = scopes.slice(0, 3);
  return (
    <span className="scope-summary">
      {shown.map((s) => <code key={s} className="chip">{s}</code>)}
      {scopes.length > shown.length ? <span className="muted small"> +{scopes.length - shown.length} more</span> : null}
    </span>
  );
}

export function TokensPage() {
  const [showInactive, setShowInactive] = useState(false);
  // The integration platform's endpoint tokens have their own pages; the list shows them only when asked.
  const [showEndpoint, setShowEndpoint] = useState(false);
  const [searchText, setSearchText] = useState('');
  const [search, setSearch] = useState('');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<ApiError>();
  const [notice, setNotice] = useState('');
  const [more, setMore] = useState<Token[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);

  useEffect(() => {
    const timer = setTimeout(() => setSearch(searchText.trim()), 250);
    return () => clearTimeout(timer);
  }, [searchText]);

  const { caller } = useSignedIn();
  const [revoking, setRevoking] = useState<Token>();
  const query = { status: showInactive ? 'all' : 'active', kind: showEndpoint ? 'all' : 'standard', search, limit: 50 } as const;
  const list = useLoad(() => api.listTokens(query), [showInactive, showEndpoint, search]);
  useEffect(() => {
    setMore([]);
    setCursor(list.data?.nextCursor ?? null);
  }, [list.data]);
  const tokens = [...(list.data?.items ?? []), ...more];

  const loadMore = async () => {
    if (!cursor) return;
    try {
      const page = await api.listTokens({ ...query, cursor });
      setMore((m) => [...m, ...page.items]);
      setCursor(page.nextCursor);
    } catch (err) {
      setActionError(asApiError(err));
    }
  };

  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };
  const allSelected = tokens.length > 0 && tokens.every((t) => t.kind === 'primary' || selected.has(t.id));

  /** Runs a confirmed action on the list: its notice on success, its error (a 409's text included) on failure. */
  const act = async (run: () => Promise<string>, close: () => void) => {
    setBusy(true);
    try {
      setNotice(await run());
      setActionError(undefined);
      list.reload();
    } catch (err) {
      setActionError(asApiError(err));
    } finally {
      setBusy(false);
      close();
    }
  };
  const revoke = (token: Token) => act(async () => {
    await api.revokeToken(token.id);
    return `${token.name} is revoked.`;
  }, () => setRevoking(undefined));
  const remove = () => act(async () => {
    const result = await api.deleteTokens([...selected]);
    setSelected(new Set());
    return `Deleted ${result.deleted.length} token${result.deleted.length === 1 ? '' : 's'}.`;
  }, () => setConfirming(false));

  return (
    <section>
      <div className="page-head">
        <h1>Access tokens</h1>
        <Link to="/tokens/new" className="button button-primary">
          Add New Access Token
        </Link>
      </div>
      <div className="toolbar">
        <input
          type="search"
          aria-label="Search tokens by name or id"
          placeholder="Search by name or id"
          value={searchText}
          onChange={(e) => setSearchText(e.target.value)}
        />
        <Switch checked={showInactive} onChange={setShowInactive} label="Show inactive" showLabel />
        <Switch checked={showEndpoint} onChange={setShowEndpoint} label="Show endpoint tokens" showLabel />
        <button type="button" className="button button-danger" disabled={selected.size === 0} onClick={() => setConfirming(true)}>
          Delete selected{selected.size ? ` (${selected.size})` : ''}
        </button>
      </div>
      {notice ? <p className="banner banner-ok" role="status">{notice}</p> : null}
      <ErrorBanner error={list.error} title="The tokens could not be loaded." />
      <ErrorBanner error={actionError} title="That did not work." />
      <div className="table-wrap">
        <table className="table tokens-table">
          <thead>
            <tr>
              <th scope="col" className="col-check">
                <input
                  type="checkbox"
                  aria-label="Select all tokens shown"
                  checked={allSelected}
                  onChange={(e) => setSelected(e.target.checked ? new Set(tokens.filter((t) => t.kind !== 'primary').map((t) => t.id)) : new Set())}
                />
              </th>
              <th scope="col">Name</th>
              <th scope="col">Id</th>
              <th scope="col">Hint</th>
              <th scope="col">Profile id</th>
              <th scope="col">Permissions</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">Last used</th>
              <th scope="col"><span className="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id}>
                <td className="col-check">
                  {/* A primary belongs to its endpoint: it is regenerated or removed there, never deleted from a list. */}
                  {t.kind === 'primary' ? null : (
                    <input type="checkbox" aria-label={`Select ${t.name}`} checked={selected.has(t.id)} onChange={(e) => toggle(t.id, e.target.checked)} />
                  )}
                </td>
                <td data-label="Name">
                  <Link to={`/tokens/${encodeURIComponent(t.id)}`}>{t.name}</Link>
                  {t.kind === 'primary' ? <> <span className="badge badge-included">endpoint primary</span></> : null}
                  {t.kind === 'secondary' ? <> <span className="badge badge-included">endpoint token</span></> : null}
                </td>
                <td data-label="Id" className="mono small">{t.id}</td>
                <td data-label="Hint" className="mono small">{t.hint}</td>
                <td data-label="Profile id">{t.profileId ?? '—'}</td>
                <td data-label="Permissions"><ScopeSummary scopes={t.scopes} /></td>
                <td data-label="Status"><StatusBadge status={t.status} /></td>
                <td data-label="Created">{formatDate(t.createdAt)}</td>
                <td data-label="Expires">{formatDate(t.expiresAt)}</td>
                <td data-label="Last used">{formatDate(t.lastUsedAt)}</td>
                <td>
                  {t.status === 'revoked' || t.kind === 'primary' ? null : (
                    <button type="button" className="button button-small button-danger" aria-label={`Revoke ${t.name}`} onClick={() => setRevoking(t)}>Revoke</button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!list.loading && tokens.length === 0 ? (
        <p className="empty">{search ? 'No token matches this search.' : showInactive ? 'No tokens yet.' : 'No active tokens.'}</p>
      ) : null}
      {cursor ? (
        <button type="button" className="button" onClick={() => void loadMore()}>
          Load more
        </button>
      ) : null}
      <ConfirmDialog
        open={confirming}
        title={`Delete ${selected.size} token${selected.size === 1 ? '' : 's'}?`}
        confirmLabel="Delete"
        danger
        busy={busy}
        onConfirm={() => void remove()}
        onCancel={() => setConfirming(false)}
      >
        {caller && selected.has(caller.tokenId) ? <OwnTokenWarning action="delete" /> : null}
        <p>The records are removed and their secrets stop working. This cannot be undone. To keep the audit trail, revoke instead.</p>
        <ul className="compact-list">
          {tokens.filter((t) => selected.has(t.id)).map((t) => <li key={t.id}>{t.name} <span className="mono small muted">{t.id}</span></li>)}
        </ul>
      </ConfirmDialog>
      <ConfirmDialog open={revoking !== undefined} title={`Revoke ${revoking?.name ?? ''}?`} confirmLabel="Yes, revoke it!" danger busy={busy}
        onCancel={() => setRevoking(undefined)} onConfirm={() => revoking && void revoke(revoking)}>
        {revoking && caller?.tokenId === revoking.id ? <OwnTokenWarning action="revoke" /> : null}
        <p><strong>Revocation cannot be undone.</strong> The token stops working at once, and so do the tokens it issued. It cannot be reinstated.</p>
      </ConfirmDialog>
    </section>
  );
}
