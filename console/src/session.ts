/**
 * The signed-in token, kept in sessionStorage: it lives for this tab only and is gone when the tab closes. When the
 * server ends the session (a 401: revoked, expired, disabled…), the reason is kept for the sign-in page to show.
 */
const key = 'tessera.token';
const listeners = new Set<() => void>();
let endedBecause: string | undefined;

export function readSession(): string | null {
  return sessionStorage.getItem(key);
}

export function saveSession(token: string): void {
  endedBecause = undefined;
  sessionStorage.setItem(key, token);
  for (const listener of listeners) listener();
}

/** Signs out; `reason` is the server's text when it refused the token mid-session. */
export function clearSession(reason?: string): void {
  endedBecause = reason;
  sessionStorage.removeItem(key);
  for (const listener of listeners) listener();
}

/** Why the last session ended, when the server ended it (not when the person signed out). */
export function sessionEndReason(): string | undefined {
  return endedBecause;
}

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
