/** An API error as a person needs it: what went wrong, and the code to quote when asking for help. */
import type { ApiError } from '../api';

const hints: Record<string, string> = {
  UNAUTHORIZED: 'Your token is no longer accepted. Sign in again.',
  FORBIDDEN: 'Your token lacks the permission for this action.',
  NETWORK: '',
};

export function ErrorBanner({ error, title }: { error: ApiError | undefined; title?: string }) {
  if (!error) return null;
  const hint = hints[error.messageId];
  return (
    <div className="banner banner-error" role="alert">
      <strong>{title ?? 'Something went wrong'}</strong>
      <span> {error.text}</span>
      {hint ? <span className="muted"> {hint}</span> : null}
      <code className="code-tag">{error.messageId}</code>
    </div>
  );
}
