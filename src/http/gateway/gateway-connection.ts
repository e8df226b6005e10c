/**
 * A gateway's connection to Tessera, served without Node's HTTP machinery while it carries only plain forward-auth
 * subrequests (`GET /v1/authorize`, read by request-head.ts). Per check, Node's IncomingMessage, ServerResponse and
 * their streams cost more than the check itself (docs/decisions.md, "Forward auth on gateway connections"). The
 * first request that is anything else, and a check whose answer cannot be made here (a store read that failed),
 * hands the connection, with every byte not yet answered, to Node's HTTP server for good: from then on it is an
 * ordinary connection to the whole API, and Fastify answers (or renders the error).
 */
import type { Tracer } from '@opentelemetry/api';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { isSafeHeaderValue, type AuthorizeAnswerer } from './authorize-answer.js';
import { authorizePath } from './gateway-kind.js';
import type { Metrics } from '../metrics.js';
import { MAX_HEAD_BYTES, readRequestHead, type HeadLimits } from './request-head.js';
import { nextRequestId } from '../request-id.js';
import { answerTraced } from '../trace-requests.js';
import type { RawAnswer, VerifyAnswerer } from './verify-answer.js';

export interface GatewayConnectionOptions {
  answerer: AuthorizeAnswerer;
  /** Answers plain `POST /v1/verify` requests (verify-answer.ts); without it, they go to Fastify. */
  verifier?: VerifyAnswerer | undefined;
  /** The app's body limit: a longer verify body is Fastify's to refuse. */
  bodyLimit: number;
  logger: Logger | undefined;
  /** Set when OpenTelemetry tracing is on: each check in a request span (when off, no span object is made). */
  tracer?: Tracer | undefined;
  /** Counts each answer made here (by status, and as a forward-auth check). */
  metrics: Pick<Metrics, 'observeAuthorize' | 'observeStatus'>;
  /** The direct peer's address, as the HTTP paths name it (`unix` over the socket). */
  peer: string;
  /** An idle connection is closed after this long (the server's `keepAliveTimeout`). */
  keepAliveMs: number;
  /**
   * A request head must arrive whole within this long (the server's `headersTimeout`), counted from its first
   * byte (the first head: from the connection, as Node counts), also when it is handed to Node's parser part-way:
   * a head trickled in, or a connection that sends nothing, is cut no later than Node cuts one.
   */
  headersTimeoutMs: number;
  /** The server's own limits on a head (its `maxHeadersCount`): a head beyond them is Node's to read. */
  limits: HeadLimits;
  /** Gives the socket (paused, the unanswered bytes put back) to Node's HTTP server. */
  handOver(socket: Socket): void;
  /**
   * A head took longer than `headersTimeoutMs`: answered by the server's own client-error handling, as Node does
   * for its own timeout. `handedOver`: the head had gone to Node's parser part-way (which may have read it since).
   */
  headTimedOut(socket: Socket, handedOver: boolean): void;
}

export interface GatewayConnection {
  /** For a server that is closing: closes now when idle, else right after the answer being made. */
  closeWhenIdle(): void;
}

export function serveGatewayConnection(socket: Socket, options: GatewayConnectionOptions): GatewayConnection {
  let pending = '';
  /** A head is awaited: the first one (from the connection on, as Node counts), one begun, or one handed over part-way. */
  let awaitingHead = true;
  /** When the awaited head began: its first byte, or for the first one the connection. */
  let headStartedMs = Date.now();
  let handedOver = false;
  // One timer per connection, looking at the time only when it fires: nothing to arm or clear per check.
  let headTimer = setTimeout(checkHeadTime, options.headersTimeoutMs).unref();
  let busy = false;
  let ended = false;
  let closing = false;
  let done = false;
  const keepAlive = `timeout=${Math.floor(options.keepAliveMs / 1000)}`;

  const onData = (chunk: Buffer) => {
    // Closing: whatever still comes is not answered.
    if (done) return;
    if (!awaitingHead) {
      awaitingHead = true;
      headStartedMs = Date.now();
    }
    pending += chunk.toString('latin1');
    if (!busy && !socket.writableNeedDrain) return drain();
    // Requests piling up behind a store read, or a client not reading its answers: stop reading until it clears.
    if (pending.length > MAX_HEAD_BYTES) socket.pause();
  };
  const onDrain = () => {
    if (busy || done) return;
    socket.resume();
    drain();
  };
  const onEnd = () => {
    ended = true;
    if (!busy) finish();
  };
  const onTimeout = () => socket.destroy();
  const onError = () => socket.destroy();
  socket.once('close', () => clearTimeout(headTimer));
  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('error', onError);
  socket.on('timeout', onTimeout);
  socket.on('drain', onDrain);
  socket.setTimeout(options.keepAliveMs);

  /**
   * Node checks its `headersTimeout` only every `connectionsCheckingInterval` (30 s), and from when its parser got
   * the connection: a head's own time, from its first byte, is never looser.
   */
  function checkHeadTime(): void {
    if (socket.destroyed) return;
    const waited = Date.now() - headStartedMs;
    // Keep-alive idleness or an answer being made (no head awaited), or a head not late yet: look again later.
    if (!awaitingHead || waited < options.headersTimeoutMs) {
      headTimer = setTimeout(checkHeadTime, awaitingHead ? options.headersTimeoutMs - waited : options.headersTimeoutMs).unref();
      return;
    }
    if (!handedOver) {
      done = true;
      socket.off('data', onData);
    }
    options.headTimedOut(socket, handedOver);
  }

  function drain(): void {
    while (!done) {
      const head = readRequestHead(pending, options.limits);
      if (head.kind === 'incomplete') return;
      if (head.kind === 'other') return handOver();
      // Decided on the head, before any body is held here: a body over the limit never piles up in `pending`.
      if (head.kind === 'verify' && !answersVerify(head.bodyLength)) return handOver();
      const length = head.kind === 'verify' ? head.length + head.bodyLength : head.length;
      // A verify's body has not all come yet: wait for it (at most the body limit; the head's clock still runs).
      if (pending.length < length) return;
      const raw = pending.slice(0, length);
      const startedMs = options.logger?.isLevelEnabled('debug') ? performance.now() : 0;
      let answer: RawAnswer | Promise<RawAnswer> | undefined;
      let path: string | undefined;
      try {
        if (head.kind === 'verify') {
          answer = verifyAnswer(raw.slice(head.length), head.headers);
        } else {
          path = authorizePath(head.gateway);
          const call = { headers: head.headers, peer: options.peer, gateway: head.gateway };
          answer = options.tracer ? answerTraced(options.answerer, options.tracer, call) : options.answerer.answer(call);
        }
      } catch {
        return handOver();
      }
      // Left to Fastify, decided before any check was made.
      if (answer === undefined) return handOver();
      pending = pending.slice(length);
      // The next request's head has begun arriving with this one (else its first bytes start the clock).
      awaitingHead = pending !== '';
      if (awaitingHead) headStartedMs = Date.now();
      if (answer instanceof Promise) {
        // One check at a time, so that answers go out in the order the requests came.
        busy = true;
        answer.then(
          (a) => {
            busy = false;
            if (!respond(a, raw, head.close, startedMs, path) || socket.writableNeedDrain) return;
            socket.resume();
            drain();
          },
          () => {
            busy = false;
            // A verify whose check failed has been made: Fastify would make it again (and count it twice).
            if (path === undefined) return void socket.destroy();
            handOver(raw);
          },
        );
        return;
      }
      if (!respond(answer, raw, head.close, startedMs, path)) return;
      // The client is not reading its answers: the rest waits for 'drain'.
      if (socket.writableNeedDrain) return;
    }
  }

  /**
   * Whether a verify may be answered here: a verifier, a body within the limit, debug logging and tracing off
   * (Fastify's request lines and spans are the reference for those).
   */
  function answersVerify(bodyLength: number): boolean {
    return options.verifier !== undefined && bodyLength <= options.bodyLimit && !options.tracer && !debugOn();
  }

  /** The plain verify answered here, or undefined when its body is not the plain case (verify-answer.ts). */
  function verifyAnswer(body: string, headers: Record<string, string>): RawAnswer | Promise<RawAnswer> | undefined {
    return options.verifier?.answer({ headers, peer: options.peer, body });
  }

  function debugOn(): boolean {
    return options.logger?.isLevelEnabled('debug') ?? false;
  }

  /** Writes the answer; false when the connection is no longer this path's (handed over, or closing). */
  /** `path`: a forward-auth check's, counted and logged as one; undefined for a verify (counted by its answerer). */
  function respond(answer: RawAnswer, raw: string, close: boolean, startedMs: number, path: string | undefined): boolean {
    if (done || socket.destroyed) return false;
    const id = nextRequestId();
    const last = close || ended || closing;
    // Node names its keep-alive time on every keep-alive response; the forward-auth answers have always gone without.
    const text = formatAnswer(answer, id, last, path === undefined ? keepAlive : undefined);
    if (text === undefined) {
      handOver(raw);
      return false;
    }
    socket.write(text);
    options.metrics.observeStatus(answer.status);
    if (path !== undefined) {
      options.metrics.observeAuthorize(answer.status);
      logAuthorize(options.logger, id, options.peer, path, answer.status, startedMs);
    }
    if (!last) return true;
    finish();
    return false;
  }

  function finish(): void {
    if (done) return;
    done = true;
    socket.end();
    // Half-open as Node's HTTP server is: once both sides are done, nothing more can come.
    socket.once('finish', () => socket.destroy());
  }

  function handOver(unanswered = ''): void {
    if (done) return;
    done = true;
    handedOver = true;
    // A whole request handed over is Node's to time; a head handed over part-way is still timed here.
    if (!awaitingHead) clearTimeout(headTimer);
    // Bytes cannot be put back once the peer has finished sending (a half-closed connection): nothing to answer.
    if (ended) return void socket.destroy();
    socket.pause();
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.off('error', onError);
    socket.off('timeout', onTimeout);
    socket.off('drain', onDrain);
    socket.setTimeout(0);
    const rest = unanswered + pending;
    pending = '';
    if (rest !== '') socket.unshift(Buffer.from(rest, 'latin1'));
    options.handOver(socket);
    // Resumed in this tick, the bytes put back reach Node's parser before anything read later.
    socket.resume();
  }

  return {
    closeWhenIdle: () => {
      closing = true;
      if (!busy && !done) {
        done = true;
        socket.destroy();
      }
    },
  };
}

/**
 * At debug, one log line per check where Fastify would write two, with the same fields; at the default level the
 * check is counted into the minute's `checks` line instead (check-summary.ts).
 */
function logAuthorize(logger: Logger | undefined, id: string, peer: string, url: string, statusCode: number, startedMs: number): void {
  if (!logger?.isLevelEnabled('debug')) return;
  logger.debug(
    { reqId: id, req: { id, method: 'GET', url, ip: peer }, res: { statusCode }, responseTime: performance.now() - startedMs },
    'request completed',
  );
}

let dateSecond = -1;
let dateText = '';

/** The Date header, made once a second (as Node does). */
function httpDate(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}

/** The whole response, or undefined when a header value could not go out as it is (Node then answers). */
export function formatAnswer(answer: RawAnswer, requestId: string, close: boolean, keepAlive?: string): string | undefined {
  let text = `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\nx-request-id: ${requestId}\r\n`;
  for (const name in answer.headers) {
    const value = answer.headers[name] as string;
    if (!isSafeHeaderValue(value)) return undefined;
    text += `${name}: ${value}\r\n`;
  }
  const body = answer.body ?? '';
  text += `content-length: ${answer.bodyBytes ?? Buffer.byteLength(body)}\r\nDate: ${httpDate()}\r\nConnection: ${close ? 'close' : `keep-alive${keepAlive === undefined ? '' : `\r\nKeep-Alive: ${keepAlive}`}`}\r\n\r\n`;
  return text + body;
}
