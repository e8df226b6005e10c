/** A tiny router over the History API: paths below /console/, links that do not reload the page. */
import { useSyncExternalStore, type MouseEvent } from 'react';

export const base = '/console';
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

/** The path below /console, e.g. "/tokens/tok_1", and the query string. */
function snapshot(): string {
  const path = window.location.pathname.startsWith(base) ? window.location.pathname.slice(base.length) : window.location.pathname;
  return (path || '/') + window.location.search;
}

export function useLocation(): { path: string; query: URLSearchParams } {
  const current = useSyncExternalStore(subscribe, snapshot);
  const [path = '/', search = ''] = current.split('?');
  return { path: path === '' ? '/' : path, query: new URLSearchParams(search) };
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = base + to;
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  for (const listener of listeners) listener();
  window.scrollTo(0, 0);
  // The link that was followed is gone with its page: start the keyboard (and a screen reader) at the new page's top.
  document.getElementById('main')?.focus({ preventScroll: true });
}

/** onClick for an <a href>: plain clicks stay in the app, modified clicks open a tab as usual. */
export function linkHandler(to: string) {
  return (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
}
