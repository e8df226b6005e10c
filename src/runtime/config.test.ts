import { describe, expect, it } from 'vitest';
import { TesseraError } from '../core/errors.js';
import { DEFAULT_DB_FILE, resolveServerConfig } from './config.js';

const resolve = (env: NodeJS.ProcessEnv = {}, flags: Parameters<typeof resolveServerConfig>[0]['flags'] = {}) =>
  resolveServerConfig({ flags, env });

describe('resolveServerConfig', () => {
  it('defaults to SQLite in ./data, 127.0.0.1:8080, info logs, no trusted proxies, issuer tessera', () => {
    expect(resolve()).toMatchObject({
      database: { kind: 'sqlite', filename: DEFAULT_DB_FILE },
      host: '127.0.0.1',
      port: 8080,
      logLevel: 'info',
      trustedProxies: [],
      staleVerifySeconds: 0,
      usageRetentionDays: 7,
      usageWindowSeconds: 10,
      issuer: 'tessera',
      socketPath: null,
      socketMode: 0o660,
      gateway: 'nginx',
      webhooks: { expiringBeforeMs: 7 * 86_400_000, retryPeriodMs: 86_400_000, requestTimeoutMs: 10_000 },
    });
  });

  it('takes --db before TESSERA_DB before DATABASE_URL', () => {
    const env = { TESSERA_DB: '/tmp/env.db', DATABASE_URL: 'postgres://u@127.0.0.1/t' };
    expect(resolve(env, { db: '/tmp/flag.db' }).database).toEqual({ kind: 'sqlite', filename: '/tmp/flag.db' });
    expect(resolve(env).database).toEqual({ kind: 'sqlite', filename: '/tmp/env.db' });
    expect(resolve({ DATABASE_URL: 'postgres://u@127.0.0.1/t' }).database).toEqual({ kind: 'postgres', url: 'postgres://u@127.0.0.1/t' });
  });

  it('reads the environment settings', () => {
    const config = resolve({
      HOST: '0.0.0.0', PORT: '9000', LOG_LEVEL: 'warn', TESSERA_TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1',
      TESSERA_STALE_VERIFY_SECONDS: '30', TESSERA_USAGE_RETENTION_DAYS: '30', TESSERA_ISSUER: 'https://auth.example.test',
      TESSERA_USAGE_WINDOW_SECONDS: '60', TESSERA_SOCKET: '/run/tessera/tessera.sock', TESSERA_SOCKET_MODE: '666',
      TESSERA_GATEWAY: 'caddy', TESSERA_WEBHOOK_EXPIRING_BEFORE: '3 days', TESSERA_WEBHOOK_RETRY_PERIOD: '12h',
      TESSERA_WEBHOOK_TIMEOUT: '5',
    });
    expect(config).toMatchObject({
      host: '0.0.0.0', port: 9000, logLevel: 'warn', trustedProxies: ['10.0.0.0/8', '127.0.0.1'],
      staleVerifySeconds: 30, usageRetentionDays: 30, usageWindowSeconds: 60, issuer: 'https://auth.example.test',
      socketPath: '/run/tessera/tessera.sock', socketMode: 0o666, gateway: 'caddy',
      webhooks: { expiringBeforeMs: 3 * 86_400_000, retryPeriodMs: 43_200_000, requestTimeoutMs: 5000 },
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'port'],
    [{ PORT: '70000' }, 'port'],
    [{ LOG_LEVEL: 'loud' }, 'logLevel'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ TESSERA_USAGE_WINDOW_SECONDS: '7' }, 'TESSERA_USAGE_WINDOW_SECONDS'],
    [{ TESSERA_SOCKET_MODE: '0o660' }, 'TESSERA_SOCKET_MODE'],
    [{ TESSERA_SOCKET_MODE: '999' }, 'TESSERA_SOCKET_MODE'],
    [{ TESSERA_GATEWAY: 'envoy' }, 'TESSERA_GATEWAY'],
    [{ TESSERA_GATEWAY: 'Nginx' }, 'TESSERA_GATEWAY'],
    [{ TESSERA_USAGE_WINDOW_SECONDS: '0' }, 'TESSERA_USAGE_WINDOW_SECONDS'],
    [{ TESSERA_USAGE_WINDOW_SECONDS: '2.5' }, 'TESSERA_USAGE_WINDOW_SECONDS'],
    [{ TESSERA_LEAK_REPORT_PUBLIC_KEYS: 'not a key' }, 'TESSERA_LEAK_REPORT_PUBLIC_KEYS'],
    [{ TESSERA_WEBHOOK_EXPIRING_BEFORE: 'soon' }, 'TESSERA_WEBHOOK_EXPIRING_BEFORE'],
    [{ TESSERA_WEBHOOK_RETRY_PERIOD: '-1' }, 'TESSERA_WEBHOOK_RETRY_PERIOD'],
  ])('refuses %j naming %s', (env, field) => {
    let caught: unknown;
    try {
      resolve(env);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TesseraError);
    expect((caught as TesseraError).field).toBe(field);
  });
});
