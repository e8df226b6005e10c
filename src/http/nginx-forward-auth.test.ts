/** A real nginx (Debian's, `auth_request`) in front of a small upstream, with Tessera deciding every request. */
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findNginx, NGINX_MISSING_MESSAGE, startNginx, type NginxServer } from '../testing/nginx-server.js';
import { listenOnSocket, type SocketListener } from './listen-socket.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';
import { callThrough, forgedHeaderCases, startEchoUpstream, type EchoUpstream, type GatewayReply } from '../testing/gateway-process.js';

const messaging = readFileSync(new URL('../../examples/catalogs/messaging.yaml', import.meta.url), 'utf8');
const FORBIDDEN_EXACT = '{"requestError":{"serviceException":{"messageId":"FORBIDDEN","text":"Forbidden"}}}';

let t: TestApp;
let upstream: EchoUpstream;
let nginx: NginxServer | null = null;

beforeAll(async () => {
  // nginx talks to Tessera from 127.0.0.1, so that is the one trusted proxy.
  t = await startTestApp({ trustProxy: ['127.0.0.1/32'] });
  await t.request('PUT', '/v1/catalog', { token: t.rootSecret, body: { source: messaging, format: 'yaml' } });
  upstream = await startEchoUpstream();
  nginx = await startNginx({ tessera: new URL(t.baseUrl).host, upstream: upstream.addr });
  if (nginx === null) console.warn(NGINX_MISSING_MESSAGE);
}, 30_000);

afterAll(async () => {
  await nginx?.stop();
  await new Promise((resolve) => upstream?.server.close(resolve));
  await t?.close();
});

/** Through nginx; `from` picks the client's source address on the loopback (127.0.0.2 is as real as 127.0.0.1). */
function call(method: string, path: string, headers: Record<string, string> = {}, from = '127.0.0.1', via = nginx): Promise<GatewayReply> {
  return callThrough(via!.url, method, path, headers, from);
}

const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

// Outside CI a machine without nginx skips (startNginx throws under CI=true instead).
describe.skipIf(process.env.CI !== 'true' && !(await import('../testing/nginx-server.js')).findNginx())('nginx auth_request in front of an API', () => {
  it('no token → 401 with the envelope and a Bearer challenge; the upstream is never reached', async () => {
    const res = await call('POST', '/sms/2/text/advanced');
    expect(res.status).toBe(401);
    expect(res.body.requestError.serviceException.messageId).toBe('UNAUTHORIZED');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="tessera"');
  });

  it('revoked token → 401 with error="invalid_token"', async () => {
    const m = await t.createToken({ name: 'revoked', scopes: ['message:send'] });
    expect((await call('POST', '/sms/2/text/advanced', bearer(m.secret))).status).toBe(200);
    await t.request('POST', `/v1/tokens/${m.id}/revoke`, { token: t.rootSecret });
    const res = await call('POST', '/sms/2/text/advanced', bearer(m.secret));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="tessera", error="invalid_token"');
  });

  it('wrong scope → 403 with exactly the messaging API’s body and an insufficient_scope challenge', async () => {
    const m = await t.createToken({ name: 'sender', scopes: ['message:send'] });
    const res = await call('GET', '/sms/1/logs', bearer(m.secret));
    expect(res.status).toBe(403);
    expect(res.text).toBe(FORBIDDEN_EXACT);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="tessera", error="insufficient_scope", scope="sms:logs:read sms:manage"');
  });

  it('an endpoint the catalog does not know → 403', async () => {
    expect((await call('GET', '/not/in/catalog', bearer(t.rootSecret))).status).toBe(403);
  });

  it('right scope → 200 from the upstream, with the identity headers (client-sent ones replaced)', async () => {
    const m = await t.createToken({ name: 'sender', profileId: 'crm-bot', scopes: ['message:send'] });
    const res = await call('POST', '/sms/2/text/advanced?to=41793026727', { ...bearer(m.secret), 'x-tessera-token-id': 'tok_forged' });
    expect(res.status).toBe(200);
    expect(res.body.url).toBe('/sms/2/text/advanced?to=41793026727');
    expect(res.body.headers['x-tessera-token-id']).toBe(m.id);
    expect(res.body.headers['x-tessera-profile-id']).toBe('crm-bot');
    expect(res.body.headers['x-tessera-account-id']).toMatch(/^acc_/);
  });

  it('honours allowed IPs through nginx’s X-Real-IP, and a client cannot forge its address', async () => {
    const second = await t.createToken({ name: 'from .2', scopes: ['message:send'], allowedIps: ['127.0.0.2/32'] });
    const first = await t.createToken({ name: 'from .1', scopes: ['message:send'], allowedIps: ['127.0.0.1/32'] });
    // Tessera's peer is always nginx (127.0.0.1); only X-Real-IP tells the client apart.
    expect((await call('POST', '/sms/2/text/advanced', bearer(second.secret), '127.0.0.2')).status).toBe(200);
    expect((await call('POST', '/sms/2/text/advanced', bearer(first.secret), '127.0.0.2')).status).toBe(401);
    expect((await call('POST', '/sms/2/text/advanced', bearer(second.secret), '127.0.0.1')).status).toBe(401);
    // A client's own X-Forwarded-For / X-Real-IP: nginx overwrites X-Real-IP, and Tessera prefers it.
    const forged = { ...bearer(second.secret), 'x-forwarded-for': '127.0.0.2', 'x-real-ip': '127.0.0.2' };
    expect((await call('POST', '/sms/2/text/advanced', forged, '127.0.0.1')).status).toBe(401);
  });

  forgedHeaderCases(() => ({ t, call }));
});

describe.skipIf(process.env.CI !== 'true' && !findNginx())('nginx auth_request over Tessera’s Unix socket', () => {
  let s: TestApp;
  let dir: string;
  let socket: SocketListener;
  let viaSocket: NginxServer | null = null;

  beforeAll(async () => {
    // The socket's peers are the trusted proxy here (TESSERA_TRUSTED_PROXIES=unix).
    s = await startTestApp({ trustProxy: ['unix'] });
    await s.request('PUT', '/v1/catalog', { token: s.rootSecret, body: { source: messaging, format: 'yaml' } });
    dir = mkdtempSync(join(tmpdir(), 'tessera-nginx-socket-'));
    // nginx's workers run as another user: they need the directory and the socket.
    chmodSync(dir, 0o755);
    socket = await listenOnSocket(s.app, s.gateway, join(dir, 'tessera.sock'), 0o666);
    viaSocket = await startNginx({ tessera: `unix:${socket.path}`, upstream: upstream.addr });
  }, 30_000);

  afterAll(async () => {
    await viaSocket?.stop();
    await socket?.close();
    await s?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('decides as over TCP: 401 without a token, 403 for a wrong scope, 200 with the identity headers', async () => {
    const m = await s.createToken({ name: 'sender', profileId: 'crm-bot', scopes: ['message:send'] });
    expect((await call('POST', '/sms/2/text/advanced', {}, '127.0.0.1', viaSocket)).status).toBe(401);
    const wrong = await call('GET', '/sms/1/logs', bearer(m.secret), '127.0.0.1', viaSocket);
    expect([wrong.status, wrong.text]).toEqual([403, FORBIDDEN_EXACT]);
    const ok = await call('POST', '/sms/2/text/advanced', bearer(m.secret), '127.0.0.1', viaSocket);
    expect(ok.status).toBe(200);
    expect(ok.body.headers['x-tessera-token-id']).toBe(m.id);
    expect(ok.body.headers['x-tessera-profile-id']).toBe('crm-bot');
  });

  it('takes the client address from X-Real-IP, the socket’s peers being trusted', async () => {
    const second = await s.createToken({ name: 'from .2', scopes: ['message:send'], allowedIps: ['127.0.0.2/32'] });
    expect((await call('POST', '/sms/2/text/advanced', bearer(second.secret), '127.0.0.2', viaSocket)).status).toBe(200);
    expect((await call('POST', '/sms/2/text/advanced', bearer(second.secret), '127.0.0.1', viaSocket)).status).toBe(401);
  });
});
