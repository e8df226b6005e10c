/** Options resolved once, from flags and environment, into one fully typed configuration. */
import { parseDuration } from '../core/duration.js';
import { TesseraError } from '../core/errors.js';
import { DEFAULT_USAGE_WINDOW_SECONDS, isUsageWindowSeconds } from '../core/usage-window.js';
import { GATEWAY_KINDS, isGatewayKind, type GatewayKind } from '../http/gateway/gateway-kind.js';
import { tracingRequested } from './tracing/start-tracing.js';
import { parseLeakReportKeys, type LeakReportKeys } from '../service/index.js';

export type DatabaseConfig = { kind: 'sqlite'; filename: string } | { kind: 'postgres'; url: string };

export interface ServerConfig {
  database: DatabaseConfig;
  host: string;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** CIDRs (or `true`) whose X-Forwarded-For is believed; empty: none. */
  trustedProxies: string[];
  usageFlushIntervalMs: number;
  /** `TESSERA_STALE_VERIFY_SECONDS`: how long cached tokens may verify while the database is unreachable (0: fail closed). */
  staleVerifySeconds: number;
  /** `TESSERA_USAGE_RETENTION_DAYS`: how long raw usage events are kept (roll-ups are kept). */
  usageRetentionDays: number;
  /**
   * `TESSERA_USAGE_WINDOW_SECONDS` (divides 60, default 10): identical checks within one window are one raw
   * event, and a window's events and roll-ups are written once it closes. Use counts are written every second.
   */
  usageWindowSeconds: number;
  /** `TESSERA_ISSUER`: the `iss` of issued JWTs (default `tessera`); set it to the server's public URL. */
  issuer: string;
  /** `TESSERA_SOCKET`: a Unix domain socket path to listen on as well (a gateway on the same host), or null. */
  socketPath: string | null;
  /** `TESSERA_SOCKET_MODE`: the socket file's permissions, octal (default 660: owner and group). */
  socketMode: number;
  /** `TESSERA_GATEWAY`: the gateway kind whose headers `GET /v1/authorize` reads (default nginx). */
  gateway: GatewayKind;
  /** How SIGTERM/SIGINT stops the server (start-server.ts). */
  shutdown: ShutdownConfig;
  /** OpenTelemetry tracing, from the standard OTEL_* variables (runtime/tracing); off by default. */
  tracing: boolean;
  /** `TESSERA_LEAK_REPORT_PUBLIC_KEYS`: keys signed leak reports are checked with (docs/leaks.md); none by default. */
  leakReportKeys: LeakReportKeys;
  /** Webhook sender and scheduler settings (docs/webhooks.md). */
  webhooks: WebhookConfig;
}

export interface WebhookConfig {
  /** `TESSERA_WEBHOOK_EXPIRING_BEFORE` (default 7d): how long before a token expires `token.expiring` fires. */
  expiringBeforeMs: number;
  /** `TESSERA_WEBHOOK_RETRY_PERIOD` (default 1d): how long a failing delivery is retried before it is given up. */
  retryPeriodMs: number;
  /** `TESSERA_WEBHOOK_TIMEOUT` (default 10s): the time allowed for one request to a receiver. */
  requestTimeoutMs: number;
}

export interface ShutdownConfig {
  /** `TESSERA_SHUTDOWN_DELAY_SECONDS` (default 0): /readyz answers 503 this long while requests are still served. */
  delayMs: number;
  /** `TESSERA_SHUTDOWN_GRACE_SECONDS` (default 10): in-flight requests get this long to finish, then are cut. */
  graceMs: number;
}

export const DEFAULT_DB_FILE = './data/tessera.db';

export interface ConfigSources {
  flags: { db?: string; host?: string; port?: string | number; logLevel?: string };
  env: NodeJS.ProcessEnv;
}

export function resolveDatabase(flags: { db?: string }, env: NodeJS.ProcessEnv): DatabaseConfig {
  if (flags.db) return { kind: 'sqlite', filename: flags.db };
  if (env.TESSERA_DB) return { kind: 'sqlite', filename: env.TESSERA_DB };
  const url = env.DATABASE_URL;
  if (url && /^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', url };
  if (url) throw new TesseraError('BAD_REQUEST', 'DATABASE_URL: expected postgres://…', { field: 'DATABASE_URL' });
  return { kind: 'sqlite', filename: DEFAULT_DB_FILE };
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function resolveServerConfig({ flags, env }: ConfigSources): ServerConfig {
  const portText = String(flags.port ?? env.PORT ?? '8080');
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    throw new TesseraError('BAD_REQUEST', `port: expected a number from 0 to 65535, got ${portText}`, { field: 'port' });
  }
  const logLevel = flags.logLevel ?? env.LOG_LEVEL ?? 'info';
  if (!(logLevels as readonly string[]).includes(logLevel)) {
    throw new TesseraError('BAD_REQUEST', `log level: expected one of ${logLevels.join(', ')}`, { field: 'logLevel' });
  }
  return {
    database: resolveDatabase(flags, env),
    host: flags.host ?? env.HOST ?? '127.0.0.1',
    port,
    logLevel: logLevel as ServerConfig['logLevel'],
    trustedProxies: (env.TESSERA_TRUSTED_PROXIES ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    usageFlushIntervalMs: 1000,
    staleVerifySeconds: nonNegativeNumber(env, 'TESSERA_STALE_VERIFY_SECONDS', 0),
    usageRetentionDays: nonNegativeNumber(env, 'TESSERA_USAGE_RETENTION_DAYS', 7),
    usageWindowSeconds: usageWindowSeconds(env),
    issuer: env.TESSERA_ISSUER?.trim() || 'tessera',
    socketPath: env.TESSERA_SOCKET?.trim() || null,
    socketMode: socketMode(env),
    gateway: gatewayKind(env),
    shutdown: {
      delayMs: nonNegativeNumber(env, 'TESSERA_SHUTDOWN_DELAY_SECONDS', 0) * 1000,
      graceMs: nonNegativeNumber(env, 'TESSERA_SHUTDOWN_GRACE_SECONDS', 10) * 1000,
    },
    tracing: tracingRequested(env),
    leakReportKeys: parseLeakReportKeys(env.TESSERA_LEAK_REPORT_PUBLIC_KEYS),
    webhooks: {
      expiringBeforeMs: durationMs(env, 'TESSERA_WEBHOOK_EXPIRING_BEFORE', '7d'),
      retryPeriodMs: durationMs(env, 'TESSERA_WEBHOOK_RETRY_PERIOD', '1d'),
      requestTimeoutMs: durationMs(env, 'TESSERA_WEBHOOK_TIMEOUT', '10s'),
    },
  };
}

function gatewayKind(env: NodeJS.ProcessEnv): GatewayKind {
  const text = env.TESSERA_GATEWAY?.trim() || 'nginx';
  if (!isGatewayKind(text)) {
    throw new TesseraError('BAD_REQUEST', `TESSERA_GATEWAY: expected one of ${GATEWAY_KINDS.join(', ')}, got ${text}`, { field: 'TESSERA_GATEWAY' });
  }
  return text;
}

function socketMode(env: NodeJS.ProcessEnv): number {
  const text = env.TESSERA_SOCKET_MODE?.trim() || '660';
  if (!/^[0-7]{3}$/.test(text)) {
    throw new TesseraError('BAD_REQUEST', `TESSERA_SOCKET_MODE: expected three octal digits such as 660, got ${text}`, { field: 'TESSERA_SOCKET_MODE' });
  }
  return Number.parseInt(text, 8);
}

function usageWindowSeconds(env: NodeJS.ProcessEnv): number {
  const name = 'TESSERA_USAGE_WINDOW_SECONDS';
  const value = nonNegativeNumber(env, name, DEFAULT_USAGE_WINDOW_SECONDS);
  if (!isUsageWindowSeconds(value)) {
    throw new TesseraError('BAD_REQUEST', `${name}: expected whole seconds that divide a minute (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60), got ${env[name]}`, { field: name });
  }
  return value;
}

/** A duration setting in seconds or as "7d", "12h", "90s"; milliseconds. */
function durationMs(env: NodeJS.ProcessEnv, name: string, fallback: string): number {
  const text = env[name]?.trim() || fallback;
  const parsed = parseDuration(text);
  if (!parsed.ok) throw new TesseraError('BAD_REQUEST', `${name}: ${parsed.problem}, got ${text}`, { field: name });
  return parsed.seconds * 1000;
}

function nonNegativeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) {
    throw new TesseraError('BAD_REQUEST', `${name}: expected a number of at least 0, got ${text}`, { field: name });
  }
  return value;
}
