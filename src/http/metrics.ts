/** Prometheus metrics of one app instance (its own registry, so tests can build many apps). */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  verifyOutcomes: Counter<'code'>;
  verifyDuration: Histogram<'code'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    verifyOutcomes: new Counter({
      name: 'tessera_verify_total',
      help: 'Token verifications by outcome code',
      labelNames: ['code'],
      registers: [registry],
    }),
    verifyDuration: new Histogram({
      name: 'tessera_verify_duration_seconds',
      help: 'Time to answer a verification, from parsed request to result',
      labelNames: ['code'],
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1],
      registers: [registry],
    }),
  };
}
