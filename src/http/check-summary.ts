/**
 * What checks leave in the log at the default level: one `checks` line a minute with the counts by outcome, rather
 * than a line per check (which cost more than the check itself; docs/decisions.md, "Default logging of checks").
 * Each check of a known token is also in the usage record; `LOG_LEVEL=debug` writes a line per request.
 */
import type { Logger } from 'pino';
import type { Metrics } from './metrics.js';

export const CHECK_SUMMARY_INTERVAL_MS = 60_000;

export interface CheckSummary {
  /** Logs the counts not yet logged (at close, so that a short run leaves its line too) and stops. */
  stop(): void;
}

export function logCheckSummaries(metrics: Metrics, logger: Logger, intervalMs = CHECK_SUMMARY_INTERVAL_MS): CheckSummary {
  let sinceMs = Date.now();
  const log = () => {
    const { verify, authorize } = metrics.takeCheckCounts();
    const nowMs = Date.now();
    const total = sum(verify) + sum(authorize);
    if (total > 0) logger.info({ checks: total, seconds: Math.round((nowMs - sinceMs) / 1000), verify, authorize }, 'checks');
    sinceMs = nowMs;
  };
  const timer = setInterval(log, intervalMs).unref();
  return {
    stop() {
      clearInterval(timer);
      log();
    },
  };
}

function sum(counts: Record<string, number>): number {
  let total = 0;
  for (const key in counts) total += counts[key]!;
  return total;
}
