/**
 * Serving the app on a Unix domain socket as well (`TESSERA_SOCKET`): for a gateway on the same host, whose
 * forward-auth subrequests then skip the TCP stack (see docs/gateway.md).
 */
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { acceptGatewayConnections, type GatewayOptions } from './gateway/gateway-server.js';

export interface SocketListener {
  path: string;
  close(): Promise<void>;
}

/**
 * Listens on `path` with file mode `mode`, answering as the app's TCP server does: gateways' plain forward-auth
 * checks on their connections (gateway-server.ts, with the `gateway` buildApp made), everything else through Fastify.
 */
export async function listenOnSocket(app: FastifyInstance, gateway: GatewayOptions, path: string, mode: number): Promise<SocketListener> {
  await removeStaleSocket(path);
  const server = createServer((request, response) => app.routing(request, response));
  server.keepAliveTimeout = app.server.keepAliveTimeout;
  acceptGatewayConnections(server, gateway);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(path, mode);
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A socket file left by a process that is gone is replaced; a live one, or any other file, is an error. */
async function removeStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return;
  }
  if (!isSocket) throw new Error(`TESSERA_SOCKET: ${path} exists and is not a socket`);
  const live = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live) throw new Error(`TESSERA_SOCKET: another process is listening on ${path}`);
  unlinkSync(path);
}
