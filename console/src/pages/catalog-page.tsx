/** Catalog: the services tree and the permission sets; upload a catalog file, see issues at their entries, apply. */
import { useState, type ChangeEvent } from 'react';
import { api, ApiError, type CatalogIssue } from '../api';
import { asApiError, useLoad } from '../use-load';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorBanner } from '../components/error-banner';
import { PermissionTree } from '../components/permission-tree';

interface Upload { name: string; source: string; format: 'yaml' | 'json' }

export function CatalogPage() {
  const tree = useLoad(() => api.catalogTree({}), []);
  const current = useLoad(() => api.catalog().catch((err: unknown) => {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }), []);
  const [upload, setUpload] = useState<Upload>();
  const [issues, setIssues] = useState<CatalogIssue[]>();
  const [conflicts, setConflicts] = useState<{ tokenId: string; name: string }[]>([]);
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
      setError(undefined);
      tree.reload();
      current.reload();
    } catch (err) {
      const e = asApiError(err);
      const details = e.details as { errors?: CatalogIssue[] } | undefined;
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
              <p className="banner banner-ok" role="status">{upload.name} is valid.</p>
              {conflicts.length ? (
                <p className="banner banner-warning">
                  {conflicts.length} live token{conflicts.length === 1 ? '' : 's'} hold permissions this catalog does not declare: {conflicts.map((c) => c.name).join(', ')}.
                </p>
              ) : null}
              <div className="actions">
                <button type="button" className="button button-primary" disabled={busy} onClick={() => (conflicts.length ? setConfirmForce(true) : void apply(false))}>
                  Apply {upload.name}
                </button>
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
        <PermissionTree services={tree.data?.services ?? []} selected={new Set()} readOnly onToggle={() => undefined} />
      </div>
      <ConfirmDialog open={confirmForce} title="Apply anyway?" confirmLabel="Apply anyway" danger busy={busy} onCancel={() => setConfirmForce(false)} onConfirm={() => void apply(true)}>
        <p>Some live tokens hold permissions this catalog does not declare; they will no longer grant anything.</p>
      </ConfirmDialog>
    </section>
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
