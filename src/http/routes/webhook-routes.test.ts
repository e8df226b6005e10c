// Issue 20 item 1: /v1/webhooks through the real app: the secret shown once, lists, edits, and every bad input
// refused with the field named and nothing changed. Permissions and refusals: route-security.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../testing/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const as = (token: string) => ({ token });
const create = (body: unknown) => t.request('POST', '/v1/webhooks', { ...as(t.rootSecret), body });
const messageOf = (res: { body: any }) => res.body.requestError.serviceException;

describe('/v1/webhooks', () => {
  it('creates an endpoint and shows its whsec_ secret once: never in reads, lists or the audit log', async () => {
    const res = await create({ url: 'https://hooks.example.com/in', eventTypes: ['token.revoked', 'token.leaked'], description: 'pager' });
    expect(res.status).toBe(201);
    expect(res.body.webhook).toMatchObject({ url: 'https://hooks.example.com/in', eventTypes: ['token.revoked', 'token.leaked'], enabled: true, description: 'pager', previousSecretExpiresAt: null });
    expect(res.body.webhook.id).toMatch(/^whk_/);
    expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(res.body.secret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);
    const id = res.body.webhook.id;
    const read = await t.request('GET', `/v1/webhooks/${id}`, as(t.rootSecret));
    expect(read.body).toStrictEqual(res.body.webhook);
    const list = await t.request('GET', '/v1/webhooks', as(t.rootSecret));
    const audit = await t.request('GET', '/v1/audit?action=webhook.create', as(t.rootSecret));
    expect(audit.body.items[0]).toMatchObject({ action: 'webhook.create', targetType: 'webhook', targetId: id });
    const secretPart = res.body.secret.slice(6);
    for (const text of [read.text, list.text, audit.text]) expect(text).not.toContain(secretPart);
  });

  it('lists newest first in pages, edits, and deletes', async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      t.clock.advance(1);
      ids.push((await create({ url: `http://127.0.0.1:${9000 + n}/hook`, eventTypes: ['*'] })).body.webhook.id);
    }
    const first = await t.request('GET', '/v1/webhooks?limit=2', as(t.rootSecret));
    expect(first.body.items.map((w: { id: string }) => w.id)).toEqual([ids[2], ids[1]]);
    const second = await t.request('GET', `/v1/webhooks?limit=2&cursor=${first.body.nextCursor}`, as(t.rootSecret));
    expect(second.body.items[0].id).toBe(ids[0]);
    const edited = await t.request('PATCH', `/v1/webhooks/${ids[0]}`, { ...as(t.rootSecret), body: { enabled: false, eventTypes: ['catalog.applied'], description: null } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ enabled: false, eventTypes: ['catalog.applied'], description: null });
    expect((await t.request('DELETE', `/v1/webhooks/${ids[0]}`, as(t.rootSecret))).status).toBe(204);
    const gone = await t.request('GET', `/v1/webhooks/${ids[0]}`, as(t.rootSecret));
    expect([gone.status, messageOf(gone).messageId]).toEqual([404, 'NOT_FOUND']);
    expect((await t.request('DELETE', `/v1/webhooks/${ids[0]}`, as(t.rootSecret))).status).toBe(404);
  });

  it('rotates the secret: a new one shown once, the previous one signing until the overlap ends', async () => {
    const created = await create({ url: 'https://hooks.example.com/r', eventTypes: ['*'] });
    const id = created.body.webhook.id;
    const rotated = await t.request('POST', `/v1/webhooks/${id}/rotate-secret`, { ...as(t.rootSecret), body: {} });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    expect(rotated.body.webhook.previousSecretExpiresAt).toBe(new Date(t.clock.ms + 86_400_000).toISOString());
    const bad = await t.request('POST', `/v1/webhooks/${id}/rotate-secret`, { ...as(t.rootSecret), body: { overlapSeconds: 10 * 86_400 } });
    expect([bad.status, messageOf(bad).text]).toEqual([400, expect.stringContaining('overlapSeconds')]);
  });

  it.each([
    [{ url: 'ftp://hooks.example.com/x', eventTypes: ['*'] }, 'url'],
    [{ url: 'hooks.example.com/x', eventTypes: ['*'] }, 'url'],
    [{ url: 'https://user:pw@hooks.example.com/x', eventTypes: ['*'] }, 'url'],
    [{ url: 'https://hooks.example.com/x', eventTypes: ['token.created', 'token.exploded'] }, 'eventTypes[1]'],
    [{ url: 'https://hooks.example.com/x', eventTypes: ['token.created', 'token.created'] }, 'eventTypes[1]'],
    [{ url: 'https://hooks.example.com/x', eventTypes: ['*', 'token.created'] }, 'eventTypes'],
    [{ url: 'https://hooks.example.com/x', eventTypes: [] }, 'eventTypes'],
    [{ url: 'https://hooks.example.com/x', eventTypes: 'token.created' }, 'eventTypes'],
    [{ url: 'https://hooks.example.com/x', eventTypes: ['*'], enabled: 'yes' }, 'enabled'],
    [{ url: 'https://hooks.example.com/x', eventTypes: ['*'], secret: 'mine' }, 'secret'],
    [{ eventTypes: ['*'] }, 'url'],
  ])('refuses %j with 400 naming %s, and creates nothing', async (body, field) => {
    const before = (await t.request('GET', '/v1/webhooks?limit=200', as(t.rootSecret))).body.items.length;
    const res = await create(body);
    expect(res.status).toBe(400);
    expect(messageOf(res).messageId).toBe('BAD_REQUEST');
    expect(messageOf(res).text).toContain(field);
    expect((await t.request('GET', '/v1/webhooks?limit=200', as(t.rootSecret))).body.items).toHaveLength(before);
  });

  it('refuses a bad edit naming the field, and changes nothing', async () => {
    const id = (await create({ url: 'https://hooks.example.com/e', eventTypes: ['token.created'] })).body.webhook.id;
    const res = await t.request('PATCH', `/v1/webhooks/${id}`, { ...as(t.rootSecret), body: { url: 'javascript:alert(1)', enabled: false } });
    expect([res.status, messageOf(res).text]).toEqual([400, expect.stringContaining('url')]);
    expect((await t.request('GET', `/v1/webhooks/${id}`, as(t.rootSecret))).body).toMatchObject({ url: 'https://hooks.example.com/e', enabled: true });
  });
});
