/**
 * Issue 20 item 3: two `tessera serve` processes on one PostgreSQL database deliver each event once, in order
 * (an endpoint is leased by one instance at a time), and fire each scheduled event once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call as callServer } from '../testing/acknowledged-writes.js';
import type { ServerProcess } from '../testing/server-process.js';
import { rawQuery } from '../testing/test-app.js';
import { currentTestStore } from '../testing/test-stores.js';
import { startTwoInstances, type TwoInstances } from '../testing/two-instances.js';
import { WebhookReceiver } from '../testing/webhook-receiver.js';

const EVENTS = 30;

/** A JSON call, answered within 10 s. */
const call = (base: string, method: string, path: string, token: string, body?: unknown) => callServer(base, method, path, token, body, 10_000);

describe.skipIf(currentTestStore() !== 'postgres')('webhooks on two instances', { timeout: 120_000 }, () => {
  let pair: TwoInstances | undefined;
  let a: ServerProcess;
  let b: ServerProcess;
  let root: string;
  let url: string;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    ({ a, b, root, url } = pair = await startTwoInstances({ LOG_LEVEL: 'warn' }));
  });
  afterAll(async () => {
    await pair?.stop();
    await receiver?.close();
  });

  it('deliver each event exactly once, in the order the changes were made, whichever instance made them', async () => {
    const hook = await call(a.url, 'POST', '/v1/webhooks', root, { url: receiver.url, eventTypes: ['token.created', 'token.disabled'] });
    receiver.secrets.push(hook.body.secret);
    receiver.delayMs = 20;
    for (let i = 0; i < EVENTS / 2; i++) {
      const made = await call(i % 2 === 0 ? a.url : b.url, 'POST', '/v1/tokens', root, { name: `t${i}`, scopes: ['tokens:read'] });
      expect(made.status).toBe(201);
      expect((await call(i % 2 === 0 ? b.url : a.url, 'POST', `/v1/tokens/${made.body.token.id}/disable`, root)).status).toBe(200);
    }
    await receiver.waitFor(EVENTS, 30_000);
    // Both instances had time to run several rounds; nothing more may arrive.
    await new Promise((r) => setTimeout(r, 2500));
    const events = await rawQuery<{ event_id: string }>(url, 'select event_id from webhook_deliveries where endpoint_id = $1 order by seq', [hook.body.webhook.id]);
    expect(receiver.received.map((r) => r.id)).toEqual(events.map((e) => e.event_id));
    expect(receiver.received).toHaveLength(EVENTS);
    expect(receiver.received.every((r) => r.verifiedWith.length === 1)).toBe(true);
    const names = receiver.received.map((r) => `${r.body.type} ${r.body.data.token.name}`);
    expect(names.slice(0, 4)).toEqual(['token.created t0', 'token.disabled t0', 'token.created t1', 'token.disabled t1']);
  });
});
