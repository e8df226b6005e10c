// Issue 20 items 2 and 3: events written with their change, delivered signed (checked by the standardwebhooks
// library on a real receiver), in order per endpoint, again with the same webhook-id after failures, never slowing checks.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../testing/test-app.js';
import { WebhookReceiver } from '../../testing/webhook-receiver.js';

let t: TestApp;
let receiver: WebhookReceiver;

beforeEach(async () => {
  t = await startTestApp({ tessera: { webhooks: { sender: { requestTimeoutMs: 1000, initialBackoffMs: 5000, retryPeriodMs: 60_000 } } } });
  // Receivers refuse signatures made more than five minutes from their own time: the test clock starts at now.
  t.clock.ms = Date.now();
  receiver = await WebhookReceiver.start();
});
afterEach(async () => {
  await t.close();
  await receiver.close();
});

async function subscribe(eventTypes: string[] = ['*']): Promise<string> {
  const res = await t.request('POST', '/v1/webhooks', { token: t.rootSecret, body: { url: receiver.url, eventTypes } });
  expect(res.status).toBe(201);
  receiver.secrets.push(res.body.secret);
  return res.body.webhook.id;
}

const deliveries = async (id: string) => (await t.request('GET', `/v1/webhooks/${id}/deliveries`, { token: t.rootSecret })).body.items;

describe('webhook delivery', () => {
  it('sends each lifecycle event once, signed, in the order of the changes, and logs it delivered', async () => {
    const id = await subscribe();
    const token = await t.createToken({ name: 'ci', scopes: ['tokens:create', 'tokens:read'] });
    const child = await t.createToken({ name: 'child', scopes: ['tokens:read'] }, token.secret);
    expect((await t.request('PATCH', `/v1/tokens/${token.id}`, { token: t.rootSecret, body: { name: 'ci-2' } })).status).toBe(200);
    expect((await t.request('POST', `/v1/tokens/${token.id}/disable`, { token: t.rootSecret })).status).toBe(200);
    expect((await t.request('POST', `/v1/tokens/${token.id}/enable`, { token: t.rootSecret })).status).toBe(200);
    expect((await t.request('POST', `/v1/tokens/${token.id}/rotate`, { token: t.rootSecret, body: {} })).status).toBe(200);
    expect((await t.request('POST', `/v1/tokens/${token.id}/revoke`, { token: t.rootSecret })).status).toBe(200);
    expect((await t.request('DELETE', `/v1/tokens/${token.id}`, { token: t.rootSecret })).status).toBe(204);
    while ((await t.tessera.deliverWebhooks()) > 0);
    expect(receiver.types).toEqual(['token.created', 'token.created', 'token.updated', 'token.disabled', 'token.enabled', 'token.rotated', 'token.revoked', 'token.deleted']);
    for (const r of receiver.received) expect(r.verifiedWith).toEqual([0]);
    expect(new Set(receiver.received.map((r) => r.id)).size).toBe(8);
    // One revocation, one event: the cascade is listed in it, not sent per token.
    const revoked = receiver.received[6]!.body;
    expect(revoked.data).toMatchObject({ token: { id: token.id, revokedAt: expect.any(String) }, cascaded: [child.id] });
    expect(receiver.received[1]!.body.data.token).toMatchObject({ id: child.id, parentId: token.id });
    // No secret anywhere in what was sent.
    const sent = JSON.stringify(receiver.received.map((r) => r.body));
    expect(sent).not.toContain(token.secret);
    expect(sent).not.toContain(child.secret);
    expect(sent).not.toMatch(/tsr_[A-Za-z0-9]{64}/);
    const log = await deliveries(id);
    expect(log).toHaveLength(8);
    expect(log.every((d: { status: string; attempts: number; lastStatusCode: number }) => d.status === 'delivered' && d.attempts === 1 && d.lastStatusCode === 204)).toBe(true);
    expect(log.map((d: { id: string }) => d.id).reverse()).toEqual(receiver.received.map((r) => r.id));
  });

  it('sends only the subscribed types, and nothing to a disabled endpoint', async () => {
    const id = await subscribe(['token.revoked', 'catalog.applied']);
    const a = await t.createToken({ name: 'a', scopes: ['tokens:read'] });
    await t.request('POST', `/v1/tokens/${a.id}/revoke`, { token: t.rootSecret });
    expect((await t.request('PATCH', `/v1/webhooks/${id}`, { token: t.rootSecret, body: { enabled: false } })).status).toBe(200);
    const b = await t.createToken({ name: 'b', scopes: ['tokens:read'] });
    await t.request('POST', `/v1/tokens/${b.id}/revoke`, { token: t.rootSecret });
    while ((await t.tessera.deliverWebhooks()) > 0);
    expect(receiver.types).toEqual(['token.revoked']);
    expect(receiver.received[0]!.body.data.token.id).toBe(a.id);
  });

  it('retries a failing receiver with backoff, holding later events back, and sends the same webhook-id once it recovers', async () => {
    const id = await subscribe();
    receiver.mode = 'fail';
    const a = await t.createToken({ name: 'a', scopes: ['tokens:read'] });
    await t.request('POST', `/v1/tokens/${a.id}/disable`, { token: t.rootSecret });
    await t.tessera.deliverWebhooks();
    expect(receiver.attempts).toHaveLength(1); // the second event waits behind the first
    const [first] = await deliveries(id).then((l) => l.reverse());
    expect(first).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500, lastError: 'HTTP 500' });
    const waitMs = Date.parse(first.nextAttemptAt) - t.clock.ms;
    expect(waitMs).toBeGreaterThanOrEqual(4000); // 5 s ± 20%
    expect(waitMs).toBeLessThanOrEqual(6000);
    await t.tessera.deliverWebhooks();
    expect(receiver.attempts).toHaveLength(1); // not due yet
    t.clock.advance(6);
    await t.tessera.deliverWebhooks();
    expect(receiver.attempts).toHaveLength(2);
    receiver.mode = 'ok';
    t.clock.advance(15);
    while ((await t.tessera.deliverWebhooks()) > 0) t.clock.advance(15);
    expect(receiver.types).toEqual(['token.created', 'token.disabled']);
    expect(receiver.attempts.slice(0, 3)).toEqual([receiver.received[0]!.id, receiver.received[0]!.id, receiver.received[0]!.id]);
    expect((await deliveries(id)).reverse()).toMatchObject([{ status: 'delivered', attempts: 3 }, { status: 'delivered', attempts: 1 }]);
  });

  it('gives up after the retry period, then sends the next event; a manual redelivery sends it again', async () => {
    const id = await subscribe();
    receiver.mode = 'fail';
    await t.createToken({ name: 'a', scopes: ['tokens:read'] });
    for (let i = 0; i < 6; i++) {
      await t.tessera.deliverWebhooks();
      t.clock.advance(15);
    }
    const [given] = await deliveries(id);
    expect(given).toMatchObject({ status: 'failed', nextAttemptAt: null, lastStatusCode: 500 });
    receiver.mode = 'ok';
    await t.createToken({ name: 'b', scopes: ['tokens:read'] });
    await t.tessera.deliverWebhooks();
    expect(receiver.received.map((r) => r.body.data.token.name)).toEqual(['b']);
    const redeliver = await t.request('POST', `/v1/webhooks/${id}/deliveries/${given.id}/redeliver`, { token: t.rootSecret });
    expect(redeliver.status).toBe(202);
    await t.tessera.deliverWebhooks();
    expect(receiver.received.map((r) => r.id).at(-1)).toBe(given.id);
    expect((await t.request('POST', `/v1/webhooks/${id}/deliveries/msg_nope/redeliver`, { token: t.rootSecret })).body.requestError.serviceException.messageId).toBe('NOT_FOUND');
  });

  it('signs with both secrets during a rotation overlap, then with the new one only', async () => {
    const id = await subscribe();
    const rotated = await t.request('POST', `/v1/webhooks/${id}/rotate-secret`, { token: t.rootSecret, body: { overlapSeconds: 60 } });
    expect(rotated.status).toBe(200);
    expect(rotated.body.webhook.previousSecretExpiresAt).toBe(new Date(t.clock.ms + 60_000).toISOString());
    receiver.secrets.push(rotated.body.secret);
    await t.createToken({ name: 'a', scopes: ['tokens:read'] });
    await t.tessera.deliverWebhooks();
    expect(receiver.received[0]!.verifiedWith).toEqual([0, 1]);
    expect(receiver.received[0]!.signature.split(' ')).toHaveLength(2);
    t.clock.advance(61);
    await t.createToken({ name: 'b', scopes: ['tokens:read'] });
    await t.tessera.deliverWebhooks();
    expect(receiver.received[1]!.verifiedWith).toEqual([1]);
  });

  it('tells a leak report (token.leaked, then what it did) and a catalog change, without the leaked secret', async () => {
    await subscribe(['token.leaked', 'token.disabled', 'catalog.applied']);
    const leaked = await t.createToken({ name: 'leaky', scopes: ['tokens:read'] });
    const reporter = await t.createToken({ name: 'scanner', scopes: ['leaks:report'] });
    const report = await t.request('POST', '/v1/leaks', {
      token: reporter.secret,
      body: [{ token: leaked.secret, type: 'tessera_token', url: 'https://github.com/octo/app/blob/1a2b3c/.env', source: 'content' }],
    });
    expect(report.body).toMatchObject([{ label: 'true_positive' }]);
    const catalog = 'version: 1\nname: shop\nscopes:\n  - scope: orders:read\n    description: Read orders\n';
    expect((await t.request('PUT', '/v1/catalog', { token: t.rootSecret, body: { source: catalog, format: 'yaml' } })).status).toBe(200);
    while ((await t.tessera.deliverWebhooks()) > 0);
    expect(receiver.types).toEqual(['token.leaked', 'token.disabled', 'catalog.applied']);
    expect(receiver.received[0]!.body.data).toMatchObject({ token: { id: leaked.id, enabled: false }, response: 'disable', leak: { url: 'https://github.com/octo/app/blob/1a2b3c/.env' } });
    expect(receiver.received[1]!.body.data).toMatchObject({ actor: null, reason: 'leaked' });
    expect(receiver.received[2]!.body.data.catalog).toMatchObject({ version: 1, name: 'shop' });
    expect(JSON.stringify(receiver.received)).not.toContain(leaked.secret);
  });

  it('tells the same events for endpoint tokens (integration platform): created, disabled, updated by an assignment', async () => {
    const integration = readFileSync(new URL('../../../examples/catalogs/integration.yaml', import.meta.url), 'utf8');
    expect((await t.request('PUT', '/v1/catalog', { token: t.rootSecret, body: { source: integration, format: 'yaml' } })).status).toBe(200);
    expect((await t.request('PUT', '/v1/endpoints/orders/auth', { token: t.rootSecret, body: { mode: 'token' } })).status).toBe(200);
    await subscribe(['token.created', 'token.disabled', 'token.updated']);
    const made = await t.request('POST', '/v1/endpoint-tokens', { token: t.rootSecret, body: { name: 'shop', assignments: [{ endpoint: 'orders', method: 'POST' }] } });
    const id = made.body.token.token.id;
    await t.request('POST', `/v1/endpoint-tokens/${id}/disable`, { token: t.rootSecret });
    await t.request('PUT', `/v1/endpoint-tokens/${id}/assignments`, { token: t.rootSecret, body: { assignments: [{ endpoint: 'orders', method: 'GET' }] } });
    while ((await t.tessera.deliverWebhooks()) > 0);
    expect(receiver.received.map((r) => `${r.body.type} ${r.body.data.token.id === id}`)).toEqual(['token.created true', 'token.disabled true', 'token.updated true']);
  });

  it('tells token.rate_limited once per token, limit and window, from memory noted off the database', async () => {
    await subscribe(['token.rate_limited']);
    t.clock.ms = Math.floor(t.clock.ms / 60_000) * 60_000 + 60_000; // the start of a minute: one window for the checks
    const token = await t.createToken({ name: 'busy', scopes: ['tokens:read'], limits: [{ name: 'per-minute', limit: 1, duration: '1m' }] });
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) codes.push((await t.request('POST', '/v1/verify', { body: { token: token.secret } })).body.code);
    expect(codes).toEqual(['VALID', 'RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
    // Nothing was written by the checks: the events wait in memory until the flush.
    expect(await t.store.nextWebhookDelivery((await t.request('GET', '/v1/webhooks', { token: t.rootSecret })).body.items[0].id)).toBeUndefined();
    expect(await t.tessera.flushLimitEvents()).toBe(1);
    expect(await t.tessera.flushLimitEvents()).toBe(0);
    t.clock.advance(61);
    for (let i = 0; i < 3; i++) await t.request('POST', '/v1/verify', { body: { token: token.secret } });
    expect(await t.tessera.flushLimitEvents()).toBe(1);
    while ((await t.tessera.deliverWebhooks()) > 0);
    expect(receiver.types).toEqual(['token.rate_limited', 'token.rate_limited']);
    expect(receiver.received[0]!.body.data).toMatchObject({
      token: { id: token.id },
      limit: { name: 'per-minute', holder: 'token', holderId: token.id, limit: 1, durationSeconds: 60 },
      windowEndsAt: new Date(Math.floor(t.clock.ms / 60_000) * 60_000).toISOString(),
    });
  });

  it('tells token.credits_exhausted once per holder and refill period (per day without a refill), noted in memory', async () => {
    await subscribe(['token.credits_exhausted']);
    const identity = (await t.request('POST', '/v1/identities', { token: t.rootSecret, body: { externalId: 'metered', credits: { remaining: 2 } } })).body;
    const token = await t.createToken({ name: 'metered', scopes: ['tokens:read'], identityId: identity.id });
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) codes.push((await t.request('POST', '/v1/verify', { body: { token: token.secret } })).body.code);
    expect(codes).toEqual(['VALID', 'VALID', 'USAGE_EXCEEDED', 'USAGE_EXCEEDED', 'USAGE_EXCEEDED']);
    expect(await t.store.nextWebhookDelivery((await t.request('GET', '/v1/webhooks', { token: t.rootSecret })).body.items[0].id)).toBeUndefined();
    expect(await t.tessera.flushLimitEvents()).toBe(1);
    // Topped up and spent again the same day: told once that day; the next day, told again.
    // (A minute on, this instance has forgotten its own note: the database's mark keeps it to once.)
    expect((await t.request('POST', `/v1/identities/${identity.id}/credits/add`, { token: t.rootSecret, body: { amount: 1 } })).status).toBe(200);
    t.clock.advance(61);
    expect(await t.tessera.flushLimitEvents()).toBe(0);
    for (let i = 0; i < 3; i++) await t.request('POST', '/v1/verify', { body: { token: token.secret } });
    expect(await t.tessera.flushLimitEvents()).toBe(0);
    t.clock.advance(86_400);
    await t.request('POST', '/v1/verify', { body: { token: token.secret } });
    expect(await t.tessera.flushLimitEvents()).toBe(1);
    while ((await t.tessera.deliverWebhooks()) > 0);
    expect(receiver.types).toEqual(['token.credits_exhausted', 'token.credits_exhausted']);
    expect(receiver.received[0]!.body.data).toMatchObject({ token: { id: token.id }, credits: { holder: 'identity', holderId: identity.id, remaining: 0, refill: null } });
  });

  it('a receiver that hangs does not slow verify', async () => {
    await subscribe();
    receiver.mode = 'hang';
    const token = await t.createToken({ name: 'a', scopes: ['tokens:read'] });
    const sending = t.tessera.deliverWebhooks();
    await new Promise((r) => setTimeout(r, 50));
    expect(receiver.attempts).toHaveLength(1);
    const started = performance.now();
    for (let i = 0; i < 20; i++) {
      const res = await t.request('POST', '/v1/verify', { body: { token: token.secret } });
      expect(res.body.valid).toBe(true);
    }
    expect(performance.now() - started).toBeLessThan(1000);
    await sending; // the request times out (1 s here) and is logged
    const [log] = await deliveries((await t.request('GET', '/v1/webhooks', { token: t.rootSecret })).body.items[0].id);
    expect(log).toMatchObject({ status: 'pending', lastError: 'timed out', lastStatusCode: null });
  });
});
