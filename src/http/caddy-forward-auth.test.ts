/** A real Caddy (Debian's, `forward_auth`) in front of a small upstream, with Tessera deciding every request. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CADDY_MISSING_MESSAGE, findCaddy, startCaddy, type CaddyServer } from '../testing/caddy-server.js';
import { callThrough, forgedHeaderCases, startEchoUpstream, type EchoUpstream, type GatewayReply } from '../testing/gateway-process.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';

const messaging = readFileSync(new URL('../../examples/catalogs/messaging.yaml', import.meta.url), 'utf8');

let t: TestApp;
let upstream: EchoUpstream;
let caddy: CaddyServer | null = null;

beforeAll(async () => {
  // Caddy talks to Tessera from 127.0.0.1, so that is the one trusted proxy. The server's own kind stays nginx:
  // the Caddyfile's path (/v1/authorize/caddy) is what makes Tessera read Caddy's headers.
  t = await startTestApp({ trustProxy: ['127.0.0.1/32'] });
  await t.request('PUT', '/v1/catalog', { token: t.rootSecret, body: { source: messaging, format: 'yaml' } });
  upstream = await startEchoUpstream();
  caddy = await startCaddy({ tessera: new URL(t.baseUrl).host, upstream: upstream.addr });
  if (caddy === null) console.warn(CADDY_MISSING_MESSAGE);
}, 30_000);

afterAll(async () => {
  await caddy?.stop();
  await new Promise((resolve) => upstream?.server.close(resolve));
  await t?.close();
});

function call(method: string, path: string, headers: Record<string, string> = {}, from = '127.0.0.1'): Promise<GatewayReply> {
  return callThrough(caddy!.url, method, path, headers, from);
}

// Outside CI a machine without Caddy skips (startCaddy throws under CI=true instead).
describe.skipIf(process.env.CI !== 'true' && !findCaddy())('Caddy forward_auth in front of an API', () => {
  it('no token → 401 with the envelope and a Bearer challenge, passed on by Caddy as Tessera answered', async () => {
    const res = await call('POST', '/sms/2/text/advanced');
    expect(res.status).toBe(401);
    expect(res.body.requestError.serviceException.messageId).toBe('UNAUTHORIZED');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="tessera"');
  });

  it('wrong scope → 403 with exactly the messaging API’s body and an insufficient_scope challenge', async () => {
    const m = await t.createToken({ name: 'sender', scopes: ['message:send'] });
    const res = await call('GET', '/sms/1/logs', { authorization: `Bearer ${m.secret}` });
    expect(res.status).toBe(403);
    expect(res.text).toBe('{"requestError":{"serviceException":{"messageId":"FORBIDDEN","text":"Forbidden"}}}');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="tessera", error="insufficient_scope", scope="sms:logs:read sms:manage"');
  });

  it('right scope → 200 from the upstream with the query string, and the identity headers', async () => {
    const m = await t.createToken({ name: 'sender', profileId: 'crm-bot', scopes: ['message:send'] });
    const res = await call('POST', '/sms/2/text/advanced?to=41793026727', { 'x-api-key': m.secret });
    expect(res.status).toBe(200);
    expect(res.body.url).toBe('/sms/2/text/advanced?to=41793026727');
    expect(res.body.headers['x-tessera-token-id']).toBe(m.id);
    expect(res.body.headers['x-tessera-profile-id']).toBe('crm-bot');
    expect(res.body.headers['x-tessera-account-id']).toMatch(/^acc_/);
  });

  it('honours allowed IPs through Caddy’s X-Forwarded-For', async () => {
    const second = await t.createToken({ name: 'from .2', scopes: ['message:send'], allowedIps: ['127.0.0.2/32'] });
    expect((await call('POST', '/sms/2/text/advanced', { authorization: `Bearer ${second.secret}` }, '127.0.0.2')).status).toBe(200);
    expect((await call('POST', '/sms/2/text/advanced', { authorization: `Bearer ${second.secret}` }, '127.0.0.1')).status).toBe(401);
  });

  forgedHeaderCases(() => ({ t, call }));
});
