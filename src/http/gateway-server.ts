/**
 * Puts gateway-connection.ts in front of a Node HTTP server: each connection the server accepts starts as a
 * gateway's, and becomes the HTTP server's own at its first request that is not a plain forward-auth check.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { AuthorizeAnswerer } from './authorize-answer.js';
import { peerAddress } from './client-address.js';
import { serveGatewayConnection, type GatewayConnection } from './gateway-connection.js';

export interface GatewayOptions {
  answerer: AuthorizeAnswerer;
  logger: Logger | undefined;
}

export function acceptGatewayConnections(server: Server, options: GatewayOptions): void {
  // Node's HTTP server takes a connection through its 'connection' listener (documented: emitting 'connection'
  // injects one). Those listeners now run when a connection is handed over rather than when it is accepted.
  const httpListeners = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  const held = new Map<Socket, GatewayConnection>();
  server.on('connection', (socket: Socket) => {
    const connection = serveGatewayConnection(socket, {
      ...options,
      peer: peerAddress({ socket }),
      keepAliveMs: server.keepAliveTimeout,
      headersTimeoutMs: server.headersTimeout,
      handOver: (s) => {
        held.delete(s);
        for (const listener of httpListeners) listener.call(server, s);
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
