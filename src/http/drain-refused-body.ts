/** A body refused as too large is read to its end (up to a bound) before the 413 goes out, so every client sees it. */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** Beyond this many bytes, or this long, the connection is closed instead: nobody is owed an answer that costly. */
export const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024;
const DRAIN_LIMIT_MS = 10_000;

/**
 * Fastify answers a body over `bodyLimit` at once, with `Connection: close`, before reading it. Node then closes
 * the socket with the unread rest of the body in its receive buffer, and the kernel answers that with a reset.
 * curl reads while it writes and still gets the 413; `fetch` (undici) is usually still writing, gets EPIPE or
 * ECONNRESET, and reports a network error instead of the answer — every time on Node 24, now and then on Node 20.
 * Reading and discarding the rest first means the client has finished writing when the 413 arrives, and the
 * connection can then stay open.
 */
export function drainRefusedBodies(app: FastifyInstance, limits = { bytes: DRAIN_LIMIT_BYTES, ms: DRAIN_LIMIT_MS }): void {
  // A callback rather than an async hook: every response passes here, and all but a refused body's go on at once.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode !== 413 || request.raw.complete) return done(null, payload);
    void drain(request.raw, limits).then((drained) => {
      if (drained) reply.removeHeader('connection');
      done(null, payload);
    });
  });
}

/** True once the whole body was read; false (and nothing more read) past either limit or on a broken stream. */
function drain(body: IncomingMessage, limits: { bytes: number; ms: number }): Promise<boolean> {
  const declared = Number(body.headers['content-length']);
  if (declared > limits.bytes) return Promise.resolve(false);
  return new Promise((resolve) => {
    let received = 0;
    const finish = (drained: boolean) => {
      clearTimeout(timer);
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onFail);
      body.off('close', onFail);
      resolve(drained);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limits.bytes) finish(false);
    };
    const onEnd = () => finish(true);
    const onFail = () => finish(false);
    const timer = setTimeout(onFail, limits.ms);
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', onFail);
    body.once('close', onFail);
    body.resume();
  });
}
