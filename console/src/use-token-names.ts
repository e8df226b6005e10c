/**
 * Token names for ids shown to people ("Created by", audit actors and targets). Read from one list of the account's
 * tokens (not one request per id, and no 404 for a deleted one); a name an audit event recorded fills the gaps, and an
 * id stays an id when neither knows it.
 */
import { useEffect, useState } from 'react';
import { api } from './api';

let listed: { at: number; names: Promise<Map<string, string>> } | undefined;

/** One list per few seconds is plenty: names rarely change, and a page asks once when it loads. */
function listedNames(): Promise<Map<string, string>> {
  if (!listed || Date.now() - listed.at > 5000) {
    const names = api.listTokens({ status: 'all', limit: 200 }).then(
      (page) => new Map(page.items.map((t) => [t.id, t.name])),
      () => new Map<string, string>(),
    );
    listed = { at: Date.now(), names };
  }
  return listed.names;
}

export function useTokenNames(ids: (string | null | undefined)[], recorded: Map<string, string> = new Map()): Map<string, string> {
  const key = [...new Set(ids.filter(Boolean))].sort().join(' ');
  const [names, setNames] = useState(new Map<string, string>());
  useEffect(() => {
    if (!key) return;
    let live = true;
    void listedNames().then((known) => {
      if (live) setNames(known);
    });
    return () => {
      live = false;
    };
  }, [key]);
  if (recorded.size === 0) return names;
  return new Map([...recorded, ...names]);
}
