/** Prometheus metrics of one app instance (its own registry, so tests can build many apps). */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  verifyOutcomes: Counter<'code'>;
  verifyDuration: Histogram<'code'>;
  /** Counts one verification and its duration; label children are cached per code (no label hashing per call). */
  observeVerify(code: string, seconds: number): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
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
  const children = new Map<string, { count: { inc(): void }; duration: { observe(value: number): void } }>();
  return {
    registry,
    verifyOutcomes,
    verifyDuration,
    observeVerify(code, seconds) {
      let child = children.get(code);
      if (!child) {
        child = { count: verifyOutcomes.labels({ code }), duration: verifyDuration.labels({ code }) };
        children.set(code, child);
      }
      child.count.inc();
      child.duration.observe(seconds);
    },
  };
}
