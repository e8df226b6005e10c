// Issue 20 items 2 and 6: time-based events (expiring, expired, unused) fire once each, and dormant tokens are
// disabled by the account's policy, with the system as actor; on a mocked clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../testing/test-app.js';

const DAY = 86_400;
let t: TestApp;
let hook: string;

beforeEach(async () => {
  t = await startTestApp({ tessera: { webhooks: { scheduler: { expiringBeforeMs: 3 * DAY * 1000 } } } });
  // Nothing listens: the deliveries are read from the endpoint's log (the sender is not started).
  const res = await t.request('POST', '/v1/webhooks', { token: t.rootSecret, body: { url: 'http://127.0.0.1:9/hook', eventTypes: ['*'] } });
  hook = res.body.webhook.id;
});
afterEach(() => t.close());

async function payloads(): Promise<Array<{ type: string; data: any }>> {
  // The outbox's bodies, as the sender would send them (read through the store: what goes on the wire).
  const out: Array<{ type: string; data: any }> = [];
  for (;;) {
    const next = await t.store.nextWebhookDelivery(hook);
    if (next === undefined) return out;
    out.push(JSON.parse(next.payload));
    await t.store.recordWebhookAttempt({ endpointId: hook, seq: next.delivery.seq, status: 'delivered', at: new Date(t.clock.ms).toISOString(), statusCode: 200, error: null, nextAttemptAt: null });
  }
}

describe('time-based events', () => {
  it('token.expiring fires once, the configured time before; token.expired once, after', async () => {
    const token = await t.createToken({ name: 'short', scopes: ['tokens:read'], expiresAt: new Date(t.clock.ms + 5 * DAY * 1000).toISOString() });
    await payloads(); // the creations
    await t.tessera.sweepWebhookSchedule();
    expect(await payloads()).toEqual([]);
    t.clock.advance(2 * DAY + 60); // now 3 days before
    await t.tessera.sweepWebhookSchedule();
    await t.tessera.sweepWebhookSchedule();
    const expiring = await payloads();
    expect(expiring).toMatchObject([{ type: 'token.expiring', data: { token: { id: token.id }, expiresAt: token.token.expiresAt } }]);
    t.clock.advance(3 * DAY);
    await t.tessera.sweepWebhookSchedule();
    await t.tessera.sweepWebhookSchedule();
    expect(await payloads()).toMatchObject([{ type: 'token.expired', data: { token: { id: token.id, status: 'expired' } } }]);
    const log = await t.request('GET', `/v1/webhooks/${hook}/deliveries`, { token: t.rootSecret });
    expect(log.body.items.map((d: { eventType: string }) => d.eventType)).toEqual(['token.expired', 'token.expiring', 'token.created']);
  });

  it('fires once when several sweeps (instances) run at the same moment', async () => {
    await t.createToken({ name: 'short', scopes: ['tokens:read'], expiresAt: new Date(t.clock.ms + DAY * 1000).toISOString() });
    await payloads();
    await Promise.all([t.tessera.sweepWebhookSchedule(), t.tessera.sweepWebhookSchedule(), t.tessera.sweepWebhookSchedule()]);
    expect((await payloads()).map((p) => p.type)).toEqual(['token.expiring']);
  });
});

describe('dormant tokens', () => {
  it('are off by default; the policy is validated field by field', async () => {
    const account = await t.request('GET', '/v1/account', { token: t.rootSecret });
    expect(account.body.policy.dormantTokens).toBeNull();
    const bad = await t.request('PATCH', '/v1/account/policy', { token: t.rootSecret, body: { dormantTokens: { disableAfterDays: 10, warnBeforeDays: 10 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.requestError.serviceException.text).toContain('dormantTokens.warnBeforeDays');
    const zero = await t.request('PATCH', '/v1/account/policy', { token: t.rootSecret, body: { dormantTokens: { disableAfterDays: 0, warnBeforeDays: 0 } } });
    expect(zero.status).toBe(400);
    expect((await t.request('GET', '/v1/account', { token: t.rootSecret })).body.policy.dormantTokens).toBeNull();
  });

  it('warns with token.unused, then disables a token unused for N days, audited with no actor, reason dormant', async () => {
    const policy = await t.request('PATCH', '/v1/account/policy', { token: t.rootSecret, body: { dormantTokens: { disableAfterDays: 30, warnBeforeDays: 7 } } });
    expect(policy.status).toBe(200);
    const idle = await t.createToken({ name: 'idle', scopes: ['tokens:read'] });
    const busy = await t.createToken({ name: 'busy', scopes: ['tokens:read'] });
    await payloads();
    t.clock.advance(23 * DAY + 60);
    // The root token is used by every request here, and busy is checked now: only idle is unused for 23 days.
    expect((await t.request('POST', '/v1/verify', { body: { token: busy.secret } })).body.valid).toBe(true);
    await t.tessera.ctx.usage.flush();
    await t.tessera.sweepWebhookSchedule();
    await t.tessera.sweepWebhookSchedule();
    // The root token made the others; management calls record no use of it, so it is warned about too.
    const warned = (await payloads()).filter((p) => p.data.token.id !== t.rootId);
    expect(warned).toMatchObject([{ type: 'token.unused', data: { token: { id: idle.id }, lastUsedAt: null } }]);
    expect(warned[0]!.data.disableAt).toBe(new Date(Date.parse(idle.token.createdAt) + 30 * DAY * 1000).toISOString());
    t.clock.advance(7 * DAY);
    expect((await t.request('POST', '/v1/verify', { body: { token: busy.secret } })).body.valid).toBe(true);
    await t.tessera.ctx.usage.flush();
    await Promise.all([t.tessera.sweepWebhookSchedule(), t.tessera.sweepWebhookSchedule()]);
    // The root token stays: it is the account's last manager (the lock-out rule holds for the sweep too).
    expect(await payloads()).toMatchObject([{ type: 'token.disabled', data: { token: { id: idle.id, enabled: false }, actor: null, reason: 'dormant' } }]);
    expect((await t.request('GET', '/v1/account', { token: t.rootSecret })).status).toBe(200);
    expect((await t.request('POST', '/v1/verify', { body: { token: idle.secret } })).body.code).toBe('DISABLED');
    expect((await t.request('POST', '/v1/verify', { body: { token: busy.secret } })).body.valid).toBe(true);
    const audit = await t.request('GET', `/v1/audit?tokenId=${idle.id}&action=token.disable`, { token: t.rootSecret });
    expect(audit.body.items).toMatchObject([{ actor: null, after: { reason: 'dormant', enabled: false } }]);
  });
});
