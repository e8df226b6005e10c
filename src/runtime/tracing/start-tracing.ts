/**
 * OpenTelemetry tracing, off unless the standard OTEL_* environment asks for it. The SDK is loaded only then, so a
 * server without tracing pays nothing for it.
 */
import { trace, type Context, type TextMapGetter, type Tracer } from '@opentelemetry/api';
import { TesseraError } from '../../core/errors.js';
import { redactSecrets } from '../../core/redact-secrets.js';

export interface Tracing {
  tracer: Tracer;
  /** Exports the spans still buffered and stops the exporter. */
  shutdown(): Promise<void>;
}

/**
 * On when `OTEL_TRACES_EXPORTER` names `otlp`, or an OTLP endpoint is set (`OTEL_EXPORTER_OTLP_ENDPOINT`,
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) without an exporter chosen; `OTEL_SDK_DISABLED=true` or an exporter of
 * `none` keep it off. The exporter reads the rest of OTEL_EXPORTER_OTLP_* (headers, timeout) itself.
 */
export function tracingRequested(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (exporters.length > 0) {
    const unsupported = exporters.filter((e) => e !== 'otlp' && e !== 'none');
    if (unsupported.length > 0) {
      throw new TesseraError('BAD_REQUEST', `OTEL_TRACES_EXPORTER: only otlp (OTLP over HTTP) or none are supported, got ${unsupported.join(', ')}`, { field: 'OTEL_TRACES_EXPORTER' });
    }
    return exporters.includes('otlp');
  }
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

export async function startTracing(options: { version: string; env: NodeJS.ProcessEnv }): Promise<Tracing> {
  const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }, { W3CTraceContextPropagator }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/core'),
  ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.env.OTEL_SERVICE_NAME?.trim() || 'tessera', 'service.version': options.version }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  // Registers the AsyncLocalStorage context manager (a request's span is the parent of what it awaits) and the
  // W3C propagator (an incoming traceparent is continued).
  // A caller's `tracestate` is copied into every span of the request and exported as it came; one carrying
  // anything shaped like a secret (a client may put its own token there) is dropped, the trace still continued.
  class SecretFreeTraceContext extends W3CTraceContextPropagator {
    override extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
      const extracted = super.extract(context, carrier, getter);
      const spanContext = trace.getSpanContext(extracted);
      const state = spanContext?.traceState?.serialize();
      if (spanContext === undefined || state === undefined || redactSecrets(state) === state) return extracted;
      return trace.setSpanContext(context, { ...spanContext, traceState: undefined });
    }
  }
  provider.register({ propagator: new SecretFreeTraceContext() });
  return { tracer: provider.getTracer('tessera', options.version), shutdown: () => provider.shutdown() };
}
