/** Catalog: the services tree and the permission sets; upload a catalog file, see issues at their entries, apply. */
import { useState, type ChangeEvent } from 'react';
import { api, ApiError, type CatalogIssue } from '../api';
import { asApiError, useLoad } from '../use-load';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorBanner } from '../components/error-banner';
import { Link } from '../components/link';
import { PermissionTree } from '../components/permission-tree';

interface Upload { name: string; source: string; format: 'yaml' | 'json' }
/** A live token holding permissions the uploaded catalog does not declare (validation, or a 409's details.tokens). */
interface Conflict { tokenId: string; name: string; issues?: CatalogIssue[] }

export function CatalogPage() {
  const tree = useLoad(() => api.catalogTree({}), []);
  const current = useLoad(() => api.catalog().catch((err: unknown) => {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }), []);
  const resources = tree.data?.resources ?? [];
  const [upload, setUpload] = useState<Upload>();
  const [issues, setIssues] = useState<CatalogIssue[]>();
  const [conflicts, setConflicts] = useState<Conflict[]>([]);
  /** The server refused to apply (409): tokens appeared since the file was checked. */
  const [refused, setRefused] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [notice, setNotice] = useState('');
  const [confirmForce, setConfirmForce] = useState(false);
  const [busy, setBusy] = useState(false);

  const choose = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return;
    const source = await file.text();
    const format = /\.json$/i.test(file.name) || source.trimStart().startsWith('{') ? 'json' : 'yaml';
    const next = { name: file.name, source, format } as const;
    setUpload(next);
    setNotice('');
    setError(undefined);
    setRefused(false);
    await validate(next);
  };

  const validate = async (u: Upload) => {
    try {
      const result = await api.validateCatalog(u.source, u.format);
      setIssues(result.errors);
      setConflicts(result.tokensWithUnknownPermissions);
    } catch (err) {
      setError(asApiError(err));
    }
  };

  const apply = async (force: boolean) => {
    if (!upload) return;
    setBusy(true);
    try {
      const applied = await api.applyCatalog(upload.source, upload.format, force);
      setNotice(`Catalog "${applied.name}" applied as version ${applied.version}.`);
      setUpload(undefined);
      setIssues(undefined);
      setConflicts([]);
      setRefused(false);
      setError(undefined);
      tree.reload();
      current.reload();
    } catch (err) {
      const e = asApiError(err);
      const details = e.details as { errors?: CatalogIssue[]; tokens?: Conflict[] } | undefined;
      if (e.status === 409 && details?.tokens?.length) {
        // Live tokens hold permissions the catalog does not declare: list them and offer to apply anyway.
        setConflicts(details.tokens);
        setRefused(true);
        setError(undefined);
        return;
      }
      if (details?.errors) setIssues(details.errors);
      setError(e);
    } finally {
      setBusy(false);
      setConfirmForce(false);
    }
  };

  return (
    <section>
      <div className="page-head">
        <h1>Catalog</h1>
        {current.data ? <span className="muted">{current.data.name}, version {current.data.version}</span> : null}
      </div>
      {notice ? <p className="banner banner-ok" role="status">{notice}</p> : null}

      <div className="card">
        <h2>Upload a catalog</h2>
        <p className="muted small">A YAML or JSON catalog file. It is validated first; nothing changes until you apply it.</p>
        <input type="file" accept=".yaml,.yml,.json,application/json,text/yaml" aria-label="Catalog file" onChange={(e) => void choose(e)} />
        <ErrorBanner error={error} title="The catalog was not applied." />
        {upload && issues ? (
          issues.length ? (
            <>
              <p className="banner banner-error" role="alert"><strong>{issues.length} issue{issues.length === 1 ? '' : 's'} in {upload.name}.</strong> Fix them and upload the file again.</p>
              <SourceWithIssues source={upload.source} issues={issues} />
            </>
          ) : (
            <>
              {refused ? null : <p className="banner banner-ok" role="status">{upload.name} is valid.</p>}
              {conflicts.length ? <Conflicts conflicts={conflicts} refused={refused} /> : null}
              <div className="actions">
                {conflicts.length ? (
                  <button type="button" className="button button-danger" disabled={busy} onClick={() => setConfirmForce(true)}>Apply anyway</button>
                ) : (
                  <button type="button" className="button button-primary" disabled={busy} onClick={() => void apply(false)}>Apply {upload.name}</button>
                )}
              </div>
            </>
          )
        ) : null}
      </div>

      <div className="card">
        <h2>Permission sets</h2>
        <ErrorBanner error={tree.error} title="The catalog could not be loaded." />
        {tree.data?.templates.length ? (
          <ul className="template-list">
            {tree.data.templates.map((t) => (
              <li key={t.id}>
                <strong>{t.name}</strong> <code className="mono small muted">{t.id}</code>
                {t.description ? <div className="muted">{t.description}</div> : null}
                <div className="chips">{t.scopes.map((s) => <code key={s} className="chip">{s}</code>)}</div>
              </li>
            ))}
          </ul>
        ) : <p className="muted">No permission sets.</p>}
      </div>
      <div className="card">
        <h2>Services</h2>
        <PermissionTree services={tree.data?.services ?? []} selected={new Set()} readOnly onToggle={() => undefined} resources={resources} />
      </div>
      <ConfirmDialog open={confirmForce} title="Apply anyway?" confirmLabel="Apply anyway" danger busy={busy} onCancel={() => setConfirmForce(false)} onConfirm={() => void apply(true)}>
        <p>
          {conflicts.length} live token{conflicts.length === 1 ? '' : 's'} hold{conflicts.length === 1 ? 's' : ''} permissions this catalog does not
          declare. Those permissions will no longer grant anything; the tokens keep working for the rest.
        </p>
      </ConfirmDialog>
    </section>
  );
}

/** The live tokens a catalog would strand, each with a link to it and the permissions at fault. */
function Conflicts({ conflicts, refused }: { conflicts: Conflict[]; refused: boolean }) {
  const n = conflicts.length;
  return (
    <div className="banner banner-warning" role={refused ? 'alert' : undefined}>
      <strong>
        {refused ? 'The catalog was not applied: ' : ''}
        {n} live token{n === 1 ? '' : 's'} hold{n === 1 ? 's' : ''} permissions this catalog does not declare.
      </strong>{' '}
      Fix the catalog and upload it again, or apply it anyway.
      <ul className="conflict-list" aria-label="Tokens holding undeclared permissions">
        {conflicts.map((c) => (
          <li key={c.tokenId}>
            <Link to={`/tokens/${encodeURIComponent(c.tokenId)}`}>{c.name}</Link> <span className="mono small">{c.tokenId}</span>
            {c.issues?.length ? <span className="small">: {c.issues.map((i) => i.message).join('; ')}</span> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The uploaded text with line numbers, each issue shown under the line it is about. */
function SourceWithIssues({ source, issues }: { source: string; issues: CatalogIssue[] }) {
  const lines = source.split('\n');
  const byLine = new Map<number, CatalogIssue[]>();
  const unplaced: CatalogIssue[] = [];
  for (const issue of issues) {
    if (issue.line && issue.line <= lines.length) byLine.set(issue.line, [...(byLine.get(issue.line) ?? []), issue]);
    else unplaced.push(issue);
  }
  return (
    <div className="source" role="region" aria-label="Catalog issues by line">
      {unplaced.map((i, n) => <div key={n} className="issue" role="alert"><code>{i.path}</code>: {i.message}</div>)}
      <ol className="source-lines">
        {lines.map((text, n) => {
          const here = byLine.get(n + 1);
          if (!here && !nearIssue(n + 1, byLine)) return null;
          return (
            <li key={n} value={n + 1} className={here ? 'line line-bad' : 'line'}>
              <pre>{text || ' '}</pre>
              {here?.map((i, k) => <div key={k} className="issue" role="alert">↑ <code>{i.path}</code>: {i.message}</div>)}
            </li>
          );
        })}
      </ol>
    </div>
  );
}

/** Shows two lines of context around each issue, not the whole file. */
function nearIssue(line: number, byLine: Map<number, unknown>): boolean {
  for (let d = -2; d <= 2; d++) if (byLine.has(line + d)) return true;
  return false;
}
