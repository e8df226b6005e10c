/** Display helpers: dates in the person's locale, empty values as a dash. */
export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatDay(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleDateString(undefined, { dateStyle: 'medium' });
}

export const statusLabel: Record<string, string> = {
  active: 'Active',
  disabled: 'Disabled',
  revoked: 'Revoked',
  expired: 'Expired',
  not_yet_valid: 'Not yet valid',
};

/** A rate limit's window as people say it: "minute", "5 minutes", "day"; seconds when nothing rounder fits. */
/** A token's credits as its page tells them: "120 left, refilled to 1000 every day". */
export function formatCredits(credits: { remaining: number; refill: { amount: number; interval?: number; monthlyOn?: number } | null; strict: boolean } | null): string {
  if (credits === null) return 'none';
  const { refill } = credits;
  const refilled = refill === null ? '' : refill.monthlyOn !== undefined ? `, refilled to ${refill.amount} on day ${refill.monthlyOn} of every month` : `, refilled to ${refill.amount} every ${formatSeconds(refill.interval ?? 0)}`;
  return `${credits.remaining} left${refilled}${credits.strict ? ' (strict)' : ''}`;
}

export function formatSeconds(seconds: number): string {
  for (const [unit, size] of [['day', 86_400], ['hour', 3600], ['minute', 60], ['second', 1]] as const) {
    if (seconds % size === 0) return seconds === size ? unit : `${seconds / size} ${unit}s`;
  }
  return `${seconds} seconds`;
}

/** When a rate limit's window ends: "in 42 s" or "in 3 min 5 s" while it is near, the date and time after an hour. */
export function formatResetsIn(reset: string, nowMs: number): string {
  const seconds = Math.ceil((new Date(reset).getTime() - nowMs) / 1000);
  if (Number.isNaN(seconds)) return reset;
  if (seconds <= 0) return 'now';
  if (seconds < 60) return `in ${seconds} s`;
  if (seconds < 3600) return `in ${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return formatDate(reset);
}
