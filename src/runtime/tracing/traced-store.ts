/** A child span for each database call, around the Store the runtime opened (only when tracing is on). */
import { SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { Store } from '../../store/store.js';

/**
 * Every method that returns a promise gets a span `db <method>`; nothing about arguments is recorded (they hold
 * secret hashes and token data). A transaction is one span; the calls inside it use the transaction's own store.
 */
export function tracedStore(store: Store, tracer: Tracer): Store {
  const system = store.kind === 'postgres' ? 'postgresql' : 'sqlite';
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        const span = tracer.startSpan(`db ${property}`, { attributes: { 'db.system.name': system, 'db.operation.name': property } });
        let result: unknown;
        try {
          result = (value as (...a: unknown[]) => unknown).apply(target, args);
        } catch (error) {
          span.end();
          throw error;
        }
        if (!(result instanceof Promise)) {
          span.end();
          return result;
        }
        return result.then(
          (answer: unknown) => {
            span.end();
            return answer;
          },
          (error: unknown) => {
            span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
            span.end();
            throw error;
          },
        );
      };
    },
  });
}
