/** The signed-in token, kept in sessionStorage: it lives for this tab only and is gone when the tab closes. */
const key = 'tessera.token';
const listeners = new Set<() => void>();

export function readSession(): string | null {
  return sessionStorage.getItem(key);
}

export function saveSession(token: string): void {
  sessionStorage.setItem(key, token);
  for (const listener of listeners) listener();
}

export function clearSession(): void {
  sessionStorage.removeItem(key);
  for (const listener of listeners) listener();
}

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
