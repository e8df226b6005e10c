/** W3C Trace Context of the request being served, passed on to Tessera so that its spans join the caller's trace. */

/** The `traceparent` and `tracestate` headers of an incoming request, as the framework read them. */
export interface TraceHeaders {
  traceparent?: string | string[] | undefined;
  tracestate?: string | string[] | undefined;
}

// Version, trace id, parent id, flags (W3C Trace Context §3.2); a later version may append fields after a dash.
const TRACEPARENT = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}(-[\x21-\x7e]*)?$/;
// §3.3: at most 32 list members of printable ASCII; 512 characters is the length a propagator must keep.
const TRACESTATE = /^[\x20-\x7e]{0,512}$/;

/**
 * The headers to send on with a verify call: none unless the request's `traceparent` is well formed (a garbled one
 * would only start a new trace at Tessera, and a value `fetch` refuses must never turn a check into an outage);
 * `tracestate` only beside a sent `traceparent`.
 */
export function traceHeadersToSend(incoming: TraceHeaders | undefined): Record<string, string> | undefined {
  // Several traceparent headers are not one trace: none is believed. Several tracestate headers form one list.
  const traceparent = Array.isArray(incoming?.traceparent) ? undefined : incoming?.traceparent;
  if (traceparent === undefined || traceparent.length > 256 || !TRACEPARENT.test(traceparent) || traceparent.startsWith('ff')) return undefined;
  const tracestate = Array.isArray(incoming?.tracestate) ? incoming.tracestate.join(',') : incoming?.tracestate;
  return tracestate !== undefined && TRACESTATE.test(tracestate) ? { traceparent, tracestate } : { traceparent };
}

