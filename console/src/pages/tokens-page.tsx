/** Tokens: the list (active by default), search, a switch for inactive ones, select several and delete. */
import { useEffect, useState } from 'react';
import { api, type ApiError, type Token } from '../api';
import { formatDate } from '../format';
import { asApiError, useLoad } from '../use-load';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorBanner } from '../components/error-banner';
import { Link } from '../components/link';
import { StatusBadge } from '../components/status-badge';
import { Switch } from '../components/switch';

export function TokensPage() {
  const [showInactive, setShowInactive] = useState(false);
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

  const list = useLoad(() => api.listTokens({ status: showInactive ? 'all' : 'active', search, limit: 50 }), [showInactive, search]);
  useEffect(() => {
    setMore([]);
    setCursor(list.data?.nextCursor ?? null);
  }, [list.data]);
  const tokens = [...(list.data?.items ?? []), ...more];

  const loadMore = async () => {
    if (!cursor) return;
    try {
      const page = await api.listTokens({ status: showInactive ? 'all' : 'active', search, limit: 50, cursor });
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
  const allSelected = tokens.length > 0 && tokens.every((t) => selected.has(t.id));

  const remove = async () => {
    setBusy(true);
    try {
      const result = await api.deleteTokens([...selected]);
      setNotice(`Deleted ${result.deleted.length} token${result.deleted.length === 1 ? '' : 's'}.`);
      setSelected(new Set());
      setActionError(undefined);
      list.reload();
    } catch (err) {
      setActionError(asApiError(err));
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };

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
          aria-label="Search tokens by name"
          placeholder="Search by name"
          value={searchText}
          onChange={(e) => setSearchText(e.target.value)}
        />
        <Switch checked={showInactive} onChange={setShowInactive} label="Show inactive" showLabel />
        <button type="button" className="button button-danger" disabled={selected.size === 0} onClick={() => setConfirming(true)}>
          Delete selected{selected.size ? ` (${selected.size})` : ''}
        </button>
      </div>
      {notice ? <p className="banner banner-ok" role="status">{notice}</p> : null}
      <ErrorBanner error={list.error} title="The tokens could not be loaded." />
      <ErrorBanner error={actionError} title="Nothing was deleted." />
      <div className="table-wrap">
        <table className="table tokens-table">
          <thead>
            <tr>
              <th scope="col" className="col-check">
                <input
                  type="checkbox"
                  aria-label="Select all tokens shown"
                  checked={allSelected}
                  onChange={(e) => setSelected(e.target.checked ? new Set(tokens.map((t) => t.id)) : new Set())}
                />
              </th>
              <th scope="col">Name</th>
              <th scope="col">Id</th>
              <th scope="col">Hint</th>
              <th scope="col">Profile id</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">Last used</th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id}>
                <td className="col-check">
                  <input type="checkbox" aria-label={`Select ${t.name}`} checked={selected.has(t.id)} onChange={(e) => toggle(t.id, e.target.checked)} />
                </td>
                <td data-label="Name">
                  <Link to={`/tokens/${encodeURIComponent(t.id)}`}>{t.name}</Link>
                </td>
                <td data-label="Id" className="mono small">{t.id}</td>
                <td data-label="Hint" className="mono small">{t.hint}</td>
                <td data-label="Profile id">{t.profileId ?? '—'}</td>
                <td data-label="Status"><StatusBadge status={t.status} /></td>
                <td data-label="Created">{formatDate(t.createdAt)}</td>
                <td data-label="Expires">{formatDate(t.expiresAt)}</td>
                <td data-label="Last used">{formatDate(t.lastUsedAt)}</td>
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
        <p>The records are removed and their secrets stop working. This cannot be undone. To keep the audit trail, revoke instead.</p>
        <ul className="compact-list">
          {tokens.filter((t) => selected.has(t.id)).map((t) => <li key={t.id}>{t.name} <span className="mono small muted">{t.id}</span></li>)}
        </ul>
      </ConfirmDialog>
    </section>
  );
}
