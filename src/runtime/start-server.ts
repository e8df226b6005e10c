/** `tessera serve`: open the store, bootstrap on first start, build the app, listen, stop cleanly on signals. */
import pino, { type Logger } from 'pino';
import { buildApp, packageVersion } from '../http/build-app.js';
import { listenOnSocket, type SocketListener } from '../http/listen-socket.js';
import { redactUrl } from '../http/credentials.js';
import { redactSecrets } from '../core/redact-secrets.js';
import { createTessera, type BootstrapResult } from '../service/index.js';
import type { ServerConfig } from './config.js';
import { openStore } from './open-store.js';
import { createPostgresChangeFeed } from '../store/postgres/postgres-change-feed.js';
import { startTracing } from './tracing/start-tracing.js';
import { traceChecks } from './tracing/trace-checks.js';
import { tracedStore } from './tracing/traced-store.js';

export interface RunningServer {
  url: string;
  /** The Unix socket it also listens on (`TESSERA_SOCKET`), or null. */
  socketPath: string | null;
  /** Set on the first start of an empty database only. */
  bootstrap: BootstrapResult | null;
  close(): Promise<void>;
}

export function createLogger(level: ServerConfig['logLevel'], destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      // No secret in any log line, ever: every finished line, at every level and from every part of the record
      // (URL, params, query, headers, error messages and stacks, bindings), is scrubbed of anything shaped like
      // a Tessera secret or a JWT before it is written. The paths below only give a tidier record.
      hooks: { streamWrite: redactSecrets },
      // Belt and braces: the code never logs secrets, and these paths are cut should one ever be passed in.
      redact: {
        paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'secret', 'token', '*.secret', 'body.token'],
        censor: '[REDACTED]',
      },
      serializers: {
        req: (req: { method: string; url: string; id: string; ip?: string }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
          ip: req.ip,
        }),
      },
    },
    destination,
  );
}

export async function startServer(config: ServerConfig, logger: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  const tracing = config.tracing ? await startTracing({ version: packageVersion, env: process.env }) : null;
  const opened = await openStore(config.database);
  const store = tracing ? tracedStore(opened, tracing.tracer) : opened;
  const tessera = createTessera({
    store,
    logger,
    usageFlushIntervalMs: config.usageFlushIntervalMs,
    usage: { retentionMs: config.usageRetentionDays * 86_400_000, windowMs: config.usageWindowSeconds * 1000 },
    staleVerifySeconds: config.staleVerifySeconds,
    issuer: config.issuer,
    leakReportKeys: config.leakReportKeys,
    webhooks: {
      sender: { retryPeriodMs: config.webhooks.retryPeriodMs, requestTimeoutMs: config.webhooks.requestTimeoutMs },
      scheduler: { expiringBeforeMs: config.webhooks.expiringBeforeMs },
    },
    ...(config.database.kind === 'postgres' ? { changeFeed: createPostgresChangeFeed({ url: config.database.url }) } : {}),
  });
  if (tracing) traceChecks(tessera, tracing.tracer);
  await tessera.listenForChanges();
  const bootstrapped = await tessera.bootstrap();
  const readiness = { shuttingDown: false };
  const { app, gateway } = await buildApp({
    tessera,
    logger,
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
    gateway: config.gateway,
    readiness,
    ...(tracing ? { tracer: tracing.tracer } : {}),
  });
  let address: string;
  let socket: SocketListener | null = null;
  try {
    address = await app.listen({ host: config.host, port: config.port });
    if (config.socketPath !== null) socket = await listenOnSocket(app, gateway, config.socketPath, config.socketMode);
  } catch (error) {
    await app.close();
    await tessera.close();
    throw error;
  }
  tessera.start();
  // Delivery and the time-based sweep run in the background, off every request path (docs/webhooks.md).
  tessera.startWebhooks();
  let closing: Promise<void> | undefined;
  return {
    url: address,
    socketPath: socket?.path ?? null,
    bootstrap: bootstrapped,
    close: () =>
      (closing ??= (async () => {
        // Orchestrators first see /readyz fail, then the listener closes; in-flight requests finish within the
        // grace period (past it their connections are cut); pending usage is written and the database closed last.
        readiness.shuttingDown = true;
        logger.info({ delayMs: config.shutdown.delayMs, graceMs: config.shutdown.graceMs }, 'shutting down');
        if (config.shutdown.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, config.shutdown.delayMs));
        const cut = setTimeout(() => {
          logger.warn('shutdown grace period over: closing the connections of unfinished requests');
          app.server.closeAllConnections();
        }, config.shutdown.graceMs);
        try {
          await Promise.all([socket?.close(), app.close()]);
        } finally {
          clearTimeout(cut);
        }
        await tessera.close();
        await tracing?.shutdown();
      })()),
  };
}
