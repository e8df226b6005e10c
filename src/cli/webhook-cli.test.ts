// `tessera webhooks …` on a database (a SQLite file, or PostgreSQL through DATABASE_URL) and against a running server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCliDatabase } from '../testing/cli-database.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';
import { runTessera } from '../testing/run-tessera.js';
import { WebhookReceiver } from '../testing/webhook-receiver.js';

let env: NodeJS.ProcessEnv = {};
const tessera = (argv: string[]) => runTessera(argv, env);

let db: string[];
let remove = () => {};
beforeAll(async () => {
  ({ args: db, env, remove } = await initCliDatabase('tessera-webhook-cli-'));
});
afterAll(() => remove());

describe('tessera webhooks (on the database)', () => {
  it('creates (the secret printed once), lists, gets, updates, rotates, shows deliveries and deletes', async () => {
    const made = await tessera(['webhooks', 'create', 'https://hooks.example.com/in', '--event', 'token.created', '--event', 'token.revoked', ...db]);
    expect(made.code, made.stderr).toBe(0);
    const secret = made.stdout.trim().split('\n').at(-1)!;
    expect(secret).toMatch(/^whsec_/);
    const id = /webhook:\s+(whk_\S+)/.exec(made.stdout)![1]!;
    const listed = await tessera(['webhooks', 'list', ...db]);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+https://hooks.example.com/in\\s+token.created token.revoked\\s+yes`));
    const got = await tessera(['webhooks', 'get', id, '--json', ...db]);
    expect(got.json()).toMatchObject({ id, eventTypes: ['token.created', 'token.revoked'], enabled: true });
    expect(got.stdout + listed.stdout).not.toContain(secret.slice(6));
    const updated = await tessera(['webhooks', 'update', id, '--event', '*', '--disable', '--description', 'pager', '--json', ...db]);
    expect(updated.json()).toMatchObject({ eventTypes: ['*'], enabled: false, description: 'pager' });
    const rotated = await tessera(['webhooks', 'rotate-secret', id, '--overlap-seconds', '60', '--json', ...db]);
    expect(rotated.json().secret).toMatch(/^whsec_/);
    expect(rotated.json().secret).not.toBe(secret);
    // The token created below is queued for the endpoint once it is enabled again.
    expect((await tessera(['webhooks', 'update', id, '--enable', ...db])).code).toBe(0);
    expect((await tessera(['token', 'create', '--name', 'n', '--scope', 'tokens:read', ...db])).code).toBe(0);
    const log = await tessera(['webhooks', 'deliveries', id, '--json', ...db]);
    expect(log.json().items).toMatchObject([{ eventType: 'token.created', status: 'pending', attempts: 0 }]);
    const redeliver = await tessera(['webhooks', 'redeliver', id, log.json().items[0].id, ...db]);
    expect(redeliver.stdout).toBe(`queued ${log.json().items[0].id} for ${id}\n`);
    expect((await tessera(['webhooks', 'delete', id, ...db])).stdout).toBe(`deleted ${id}\n`);
    expect((await tessera(['webhooks', 'get', id, ...db])).code).not.toBe(0);
  });

  it('account policy set --dormant-tokens sets and clears the dormant-token policy', async () => {
    const set = await tessera(['account', 'policy', 'set', '--dormant-tokens', '90:7', '--json', ...db]);
    expect(set.json()).toMatchObject({ dormantTokens: { disableAfterDays: 90, warnBeforeDays: 7 } });
    expect((await tessera(['account', 'policy', 'show', ...db])).stdout).toMatch(/dormant tokens:\s+disabled after 90 days unused, warned 7 days before/);
    const bad = await tessera(['account', 'policy', 'set', '--dormant-tokens', '7:90', ...db]);
    expect(bad.stderr).toContain('dormantTokens.warnBeforeDays');
    expect((await tessera(['account', 'policy', 'set', '--dormant-tokens', 'soon', ...db])).stderr).toContain('--dormant-tokens');
    expect((await tessera(['account', 'policy', 'set', '--dormant-tokens', 'none', '--json', ...db])).json()).toMatchObject({ dormantTokens: null });
  });

  it('refuses bad input naming the field or flag', async () => {
    const badUrl = await tessera(['webhooks', 'create', 'ftp://x', ...db]);
    expect(badUrl.code).not.toBe(0);
    expect(badUrl.stderr).toContain('url');
    const badEvent = await tessera(['webhooks', 'create', 'https://x.example', '--event', 'token.nope', ...db]);
    expect(badEvent.stderr).toContain('eventTypes[0]');
    expect((await tessera(['webhooks', 'update', 'whk_x', ...db])).stderr).toContain('give at least one');
    expect((await tessera(['webhooks', 'list', '--json', ...db])).json().items).toEqual([]);
  });
});

describe('tessera webhooks (against a server)', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    t = await startTestApp();
    t.clock.ms = Date.now();
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  it('answers the same JSON as the API, and a redelivery goes out with the same webhook-id', async () => {
    const remote = ['--url', t.baseUrl, '--token', t.rootSecret];
    const made = await tessera(['webhooks', 'create', receiver.url, '--event', 'token.created', '--json', ...remote]);
    expect(made.code, made.stderr).toBe(0);
    const { webhook, secret } = made.json();
    receiver.secrets.push(secret);
    expect((await t.request('GET', `/v1/webhooks/${webhook.id}`, { token: t.rootSecret })).body).toEqual(webhook);
    expect((await tessera(['webhooks', 'list', '--json', ...remote])).json().items).toEqual([webhook]);
    await t.createToken({ name: 'x', scopes: ['tokens:read'] });
    await t.tessera.deliverWebhooks();
    const [delivery] = (await tessera(['webhooks', 'deliveries', webhook.id, '--json', ...remote])).json().items;
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 204 });
    expect((await tessera(['webhooks', 'redeliver', webhook.id, delivery.id, ...remote])).code).toBe(0);
    await t.tessera.deliverWebhooks();
    expect(receiver.received.map((r) => r.id)).toEqual([delivery.id, delivery.id]);
    const missing = await tessera(['webhooks', 'redeliver', webhook.id, 'msg_nope', ...remote]);
    expect([missing.code, missing.stderr]).toEqual([expect.any(Number), expect.stringContaining('not found')]);
    expect((await tessera(['webhooks', 'delete', webhook.id, '--json', ...remote])).json()).toEqual({ id: webhook.id, deleted: true });
  });
});
