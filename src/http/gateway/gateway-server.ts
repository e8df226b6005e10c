/**
 * Puts gateway-connection.ts in front of a Node HTTP server: each connection the server accepts starts as a
 * gateway's, and becomes the HTTP server's own at its first request that is not a plain forward-auth check.
 */
import type { Tracer } from '@opentelemetry/api';
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { AuthorizeAnswerer } from './authorize-answer.js';
import { peerAddress } from '../client-address.js';
import { serveGatewayConnection, type GatewayConnection } from './gateway-connection.js';
import type { Metrics } from '../metrics.js';
import { NODE_DEFAULT_MAX_FIELDS } from './request-head.js';
import type { VerifyAnswerer } from './verify-answer.js';

export interface GatewayOptions {
  answerer: AuthorizeAnswerer;
  /** Answers plain `POST /v1/verify` requests on the same connections (verify-answer.ts). */
  verifier?: VerifyAnswerer | undefined;
  /** The app's body limit (Fastify's `bodyLimit`). */
  bodyLimit: number;
  logger: Logger | undefined;
  /** Set when OpenTelemetry tracing is on: a request span per check (when off, the reader makes no span objects). */
  tracer?: Tracer | undefined;
  /** Each answer on a gateway connection is counted here, as Fastify's responses are. */
  metrics: Metrics;
}

/** What Node's server does when a head misses its `headersTimeout`: a client error, answered by 'clientError'. */
function timeOut(server: Server, socket: Socket): void {
  const error = Object.assign(new Error('the request head took longer than headersTimeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
  // Fastify's handler answers 408 and closes; a server without one gets Node's own bare 408.
  if (server.emit('clientError', error, socket)) return;
  if (socket.writable) socket.write('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
  socket.destroy();
}

export function acceptGatewayConnections(server: Server, options: GatewayOptions): void {
  // Node's HTTP server takes a connection through its 'connection' listener (documented: emitting 'connection'
  // injects one). Those listeners now run when a connection is handed over rather than when it is accepted.
  const httpListeners = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  const held = new Map<Socket, GatewayConnection>();
  // Connections on which Node's parser has read a whole head: a head handed over part-way is then no longer late.
  const headRead = new WeakSet<Socket>();
  server.on('request', (request: IncomingMessage) => headRead.add(request.socket));
  server.on('connection', (socket: Socket) => {
    // The server's settings as they are when the connection comes (a test, or an operator, may set them).
    const connection = serveGatewayConnection(socket, {
      ...options,
      peer: peerAddress({ socket }),
      keepAliveMs: server.keepAliveTimeout,
      headersTimeoutMs: server.headersTimeout,
      // Node's parser keeps `maxHeadersCount` fields (0: all), or its own default when that is not set.
      limits: { maxFields: typeof server.maxHeadersCount === 'number' ? server.maxHeadersCount : NODE_DEFAULT_MAX_FIELDS },
      handOver: (s) => {
        held.delete(s);
        for (const listener of httpListeners) listener.call(server, s);
      },
      headTimedOut: (s, handedOver) => {
        if (!(handedOver && headRead.has(s))) timeOut(server, s);
      },
    });
    held.set(socket, connection);
    socket.once('close', () => held.delete(socket));
  });
  // The connections still held here are not the HTTP server's: they close with it.
  const closeIdle = server.closeIdleConnections.bind(server);
  const closeAll = server.closeAllConnections.bind(server);
  server.closeIdleConnections = () => {
    closeIdle();
    for (const connection of [...held.values()]) connection.closeWhenIdle();
  };
  server.closeAllConnections = () => {
    closeAll();
    for (const socket of [...held.keys()]) socket.destroy();
  };
}
