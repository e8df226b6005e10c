/** Prometheus metrics of one app instance (its own registry, so tests can build many apps). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { heapAfterFullGc } from './heap-after-gc.js';

/** Checks since the last {@link Metrics.takeCheckCounts}: verify outcomes by code, forward-auth answers by status. */
export interface CheckCounts {
  verify: Record<string, number>;
  authorize: Record<string, number>;
}

export interface Metrics {
  registry: Registry;
  verifyOutcomes: Counter<'code'>;
  verifyDuration: Histogram<'code'>;
  httpResponses: Counter<'status'>;
  /** Counts one verification and its duration; label children are cached per code (no label hashing per call). */
  observeVerify(code: string, seconds: number): void;
  /** Counts one forward-auth answer (either way it arrived) for the check summary. */
  observeAuthorize(status: number): void;
  /** Counts one HTTP response by status code (Fastify's and the gateway connections' alike). */
  observeStatus(status: number): void;
  /** The check counts since the previous call, which starts new ones (check-summary.ts). */
  takeCheckCounts(): CheckCounts;
}

/** `monitorEventLoopDelay`'s sampling interval, ms (prom-client's default); each sample includes it. */
export const EVENT_LOOP_RESOLUTION_MS = 10;

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_RESOLUTION_MS });
  const verifyOutcomes = new Counter({
    name: 'tessera_verify_total',
    help: 'Token verifications by outcome code',
    labelNames: ['code'],
    registers: [registry],
  });
  const verifyDuration = new Histogram({
    name: 'tessera_verify_duration_seconds',
    help: 'Time to answer a verification, from parsed request to result',
    labelNames: ['code'],
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1],
    registers: [registry],
  });
  const httpResponses = new Counter({
    name: 'tessera_http_responses_total',
    help: 'HTTP responses by status code, forward-auth answers on gateway connections included',
    labelNames: ['status'],
    registers: [registry],
  });
  new Gauge({
    name: 'tessera_heap_after_full_gc_bytes',
    help: 'Heap in use just after the last full garbage collection: what the process keeps (flat when nothing leaks)',
    registers: [registry],
    collect() {
      const bytes = heapAfterFullGc();
      if (!Number.isNaN(bytes)) this.set(bytes);
    },
  });
  heapAfterFullGc();
  const children = new Map<string, { count: { inc(): void }; duration: { observe(value: number): void } }>();
  // By status code: an array read rather than a label lookup per response.
  const statusChildren: ({ inc(): void } | undefined)[] = [];
  let counts: CheckCounts = { verify: {}, authorize: {} };
  return {
    registry,
    verifyOutcomes,
    verifyDuration,
    httpResponses,
    observeVerify(code, seconds) {
      let child = children.get(code);
      if (!child) {
        child = { count: verifyOutcomes.labels({ code }), duration: verifyDuration.labels({ code }) };
        children.set(code, child);
      }
      child.count.inc();
      child.duration.observe(seconds);
      counts.verify[code] = (counts.verify[code] ?? 0) + 1;
    },
    observeAuthorize(status) {
      counts.authorize[status] = (counts.authorize[status] ?? 0) + 1;
    },
    observeStatus(status) {
      let child = statusChildren[status];
      if (child === undefined) statusChildren[status] = child = httpResponses.labels({ status: String(status) });
      child.inc();
    },
    takeCheckCounts() {
      const taken = counts;
      counts = { verify: {}, authorize: {} };
      return taken;
    },
  };
}

/**
 * `tessera_limit_checks_total{outcome}`: checks that consumed rate limits, and `tessera_credit_checks_total{outcome}`:
 * checks that spent credits (docs/limits.md); read from the service at each scrape.
 */
export function registerLimitCounter(
  registry: Registry,
  read: () => Readonly<Record<string, number>>,
  name = 'tessera_limit_checks_total',
  help = 'Checks that consumed rate limits, by outcome (passed, rate_limited)',
): void {
  new Counter({
    name,
    help,
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      // The service keeps the totals; the counter only shows them.
      this.reset();
      for (const [outcome, count] of Object.entries(read())) this.inc({ outcome }, count);
    },
  });
}
