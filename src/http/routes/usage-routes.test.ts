import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itRefusesUnauthorised } from '../../testing/security-cases.js';
import { messageId, startTestApp, type TestApp } from '../../testing/test-app.js';

const catalog = readFileSync(new URL('../../../examples/catalogs/notifications.yaml', import.meta.url), 'utf8');

let t: TestApp;
let reader: { id: string; secret: string };
let brand: { id: string; secret: string };
const minute = (offset = 0) => `${new Date(t.clock.ms + offset * 60_000).toISOString().slice(0, 16)}:00.000Z`;

beforeAll(async () => {
  t = await startTestApp();
  const applied = await t.request('PUT', '/v1/catalog', { token: t.rootSecret, body: { source: catalog, format: 'yaml' } });
  expect(applied.status).toBe(200);
  reader = await t.createToken({ name: 'usage reader', scopes: ['usage:read'] });
  brand = await t.createToken({ name: 'brand b1', scopes: ['read:brands:b1'], allowedIps: ['192.0.2.0/24'] });
});
afterAll(async () => t.close());

const verify = (body: Record<string, unknown>) => t.request('POST', '/v1/verify', { body });
const usage = (query: string) => t.request('GET', `/v1/usage?${query}`, { token: reader.secret });
const events = (query: string) => t.request('GET', `/v1/usage/events?${query}`, { token: reader.secret });

describe('usage events and roll-ups', () => {
  it('records every check of a known token with its outcome and client IP, rolled up per catalog endpoint', async () => {
    const call = (path: string, ip = '192.0.2.7') => verify({ token: brand.secret, endpoint: { method: 'GET', path }, ip });
    expect((await call('/brands/b1')).body.code).toBe('VALID');
    expect((await call('/brands/b1')).body.code).toBe('VALID');
    expect((await call('/brands/b2')).body.code).toBe('INSUFFICIENT_SCOPE');
    expect((await call('/brands/b1', '198.51.100.1')).body.code).toBe('IP_NOT_ALLOWED');
    expect((await verify({ token: brand.secret, scopes: ['read:brands:b1'], ip: '192.0.2.9' })).body.code).toBe('VALID');
    // An unknown secret belongs to no account: not recorded (and cannot be used to fill the table).
    expect((await verify({ token: `tsr_${'a'.repeat(64)}` })).body.code).toBe('NOT_FOUND');
    await t.tessera.ctx.usage.flush();

    const buckets = await usage(`tokenId=${brand.id}&bucket=minute`);
    expect(buckets.status).toBe(200);
    expect(buckets.body).toEqual({
      items: [
        { bucket: minute(), tokenId: brand.id, endpoint: null, outcome: 'VALID', refusedBy: null, count: 1 },
        { bucket: minute(), tokenId: brand.id, endpoint: 'GET /brands/{brand_id}', outcome: 'INSUFFICIENT_SCOPE', refusedBy: null, count: 1 },
        { bucket: minute(), tokenId: brand.id, endpoint: 'GET /brands/{brand_id}', outcome: 'IP_NOT_ALLOWED', refusedBy: null, count: 1 },
        { bucket: minute(), tokenId: brand.id, endpoint: 'GET /brands/{brand_id}', outcome: 'VALID', refusedBy: null, count: 2 },
      ],
      nextCursor: null,
    });
    const valid = await usage(`tokenId=${brand.id}&endpoint=${encodeURIComponent('GET /brands/{brand_id}')}&outcome=VALID&bucket=day`);
    expect(valid.body.items).toEqual([{ bucket: `${minute().slice(0, 10)}T00:00:00.000Z`, tokenId: brand.id, endpoint: 'GET /brands/{brand_id}', outcome: 'VALID', refusedBy: null, count: 2 }]);

    const raw = await events(`tokenId=${brand.id}`);
    expect(raw.status).toBe(200);
    // The two identical checks of GET /brands/b1 in the same second are one event with a count of 2.
    expect(
      raw.body.items.map((e: { subject: string; outcome: string; clientIp: string; count: number }) => [e.subject, e.outcome, e.clientIp, e.count]),
    ).toEqual(
      expect.arrayContaining([
        ['GET /brands/b1', 'VALID', '192.0.2.7', 2],
        ['GET /brands/b2', 'INSUFFICIENT_SCOPE', '192.0.2.7', 1],
        ['GET /brands/b1', 'IP_NOT_ALLOWED', '198.51.100.1', 1],
        ['read:brands:b1', 'VALID', '192.0.2.9', 1],
      ]),
    );
    expect(raw.body.items).toHaveLength(4);
    expect(raw.body.items[0]).toMatchObject({ id: expect.stringMatching(/^use_/), kind: 'verify', tokenId: brand.id, at: new Date(t.clock.ms).toISOString() });
    expect(JSON.stringify(raw.body)).not.toContain(brand.secret);

    const first = await events(`tokenId=${brand.id}&limit=2`);
    const second = await events(`tokenId=${brand.id}&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items).toHaveLength(2);
    expect(second.body.items[0].id).not.toBe(first.body.items[1].id);
  });

  it('tells what refused a check: the rate limit by holder and name, or the credits, and filters on it', async () => {
    const identity = (await t.request('POST', '/v1/identities', { token: t.rootSecret, body: { externalId: 'usage-refusals', limits: [{ name: 'per-day', limit: 3, duration: '1d' }] } })).body;
    const limited = await t.createToken({ name: 'refused', scopes: ['read:brands:*'], identityId: identity.id, limits: [{ name: 'per-minute', limit: 2, duration: 60 }] });
    const metered = await t.createToken({ name: 'metered', scopes: ['read:brands:*'], credits: { remaining: 1 } });
    const codes: string[] = [];
    for (let i = 0; i < 3; i += 1) codes.push((await verify({ token: limited.secret })).body.code);
    // Two minutes on, the minute's window is fresh and the identity's day has one check left.
    t.clock.advance(120);
    for (let i = 0; i < 3; i += 1) codes.push((await verify({ token: limited.secret })).body.code);
    for (let i = 0; i < 2; i += 1) codes.push((await verify({ token: metered.secret })).body.code);
    expect(codes).toEqual(['VALID', 'VALID', 'RATE_LIMITED', 'VALID', 'RATE_LIMITED', 'RATE_LIMITED', 'VALID', 'USAGE_EXCEEDED']);
    await t.tessera.ctx.usage.flush();

    const summed = async (query: string) => {
      const res = await usage(query);
      expect(res.status).toBe(200);
      const by = new Map<string, number>();
      for (const b of res.body.items as { outcome: string; refusedBy: string | null; count: number }[]) {
        const key = `${b.outcome} ${b.refusedBy}`;
        by.set(key, (by.get(key) ?? 0) + b.count);
      }
      return Object.fromEntries(by);
    };
    expect(await summed(`tokenId=${limited.id}&bucket=day`)).toEqual({ 'RATE_LIMITED token:per-minute': 1, 'RATE_LIMITED identity:per-day': 2, 'VALID null': 3 });
    expect(await summed(`tokenId=${metered.id}&bucket=day`)).toEqual({ 'USAGE_EXCEEDED credits': 1, 'VALID null': 1 });
    expect(await summed('refusedBy=identity:per-day&bucket=day')).toEqual({ 'RATE_LIMITED identity:per-day': 2 });
    const raw = await events(`tokenId=${limited.id}&refusedBy=${encodeURIComponent('token:per-minute')}`);
    expect(raw.body.items.map((e: { outcome: string; refusedBy: string; count: number }) => [e.outcome, e.refusedBy, e.count])).toEqual([['RATE_LIMITED', 'token:per-minute', 1]]);
    expect((await events(`tokenId=${metered.id}&outcome=USAGE_EXCEEDED`)).body.items).toMatchObject([{ refusedBy: 'credits', count: 1 }]);
    const tooLong = await usage(`refusedBy=${'x'.repeat(71)}`);
    expect([tooLong.status, messageId(tooLong)]).toEqual([400, 'BAD_REQUEST']);
  });

  it('keeps raw events for the retention window and the roll-ups after it', async () => {
    const old = await t.createToken({ name: 'old', scopes: ['read:brands'] });
    await verify({ token: old.secret, scopes: ['read:brands'] });
    await t.tessera.ctx.usage.flush();
    expect((await events(`tokenId=${old.id}`)).body.items).toHaveLength(1);
    t.clock.advance(8 * 86_400);
    try {
      await verify({ token: old.secret, scopes: ['read:brands'] });
      await t.tessera.ctx.usage.flush();
      const left = await events(`tokenId=${old.id}`);
      expect(left.body.items.map((e: { at: string }) => e.at)).toEqual([new Date(t.clock.ms).toISOString()]);
      const counts = await usage(`tokenId=${old.id}&bucket=day`);
      expect(counts.body.items.map((b: { count: number }) => b.count)).toEqual([1, 1]);
    } finally {
      t.clock.advance(-8 * 86_400);
    }
  });

  it('refuses a bad bucket, an inverted window and a bad cursor, naming the field', async () => {
    const bucket = await usage('bucket=week');
    expect([bucket.status, messageId(bucket)]).toEqual([400, 'BAD_REQUEST']);
    expect(bucket.body.requestError.serviceException.text).toMatch(/bucket/);
    const window = await usage('from=2026-06-02T00:00:00Z&to=2026-06-01T00:00:00Z');
    expect(window.status).toBe(400);
    expect(window.body.requestError.serviceException.text).toMatch(/^from: /);
    expect((await events('cursor=nope!')).status).toBe(400);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await t.request('GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/usage', '/v1/usage/events']));
    const params = doc.paths['/v1/usage'].get.parameters.map((p: { name: string }) => p.name);
    expect(params).toEqual(expect.arrayContaining(['tokenId', 'endpoint', 'outcome', 'refusedBy', 'from', 'to', 'bucket']));
  });
});

describe('GET /v1/usage security', () => {
  itRefusesUnauthorised(() => t, { method: 'GET', path: '/v1/usage', permission: 'usage:read' });
});

describe('GET /v1/usage/events security', () => {
  itRefusesUnauthorised(() => t, { method: 'GET', path: '/v1/usage/events', permission: 'usage:read' });
});
