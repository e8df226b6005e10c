/** Bodies built to break the server: JSON nested deep enough to exhaust the stack, numbers that overflow dates. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageId, startTestApp, type TestApp } from '../testing/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

/** `{"a":{"a":…{}}}` nested `depth` levels, as text (building it as an object and stringifying would overflow here). */
const nestedObject = (depth: number) => '{"a":'.repeat(depth) + '{}' + '}'.repeat(depth);
const nestedArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

async function auditLength(): Promise<number> {
  const res = await t.request('GET', '/v1/audit?limit=200', { token: t.rootSecret });
  return res.body.items.length;
}

describe('deeply nested JSON', () => {
  it.each([
    ['POST /v1/tokens metadata', 'POST', '/v1/tokens', (m: string) => `{"name":"deep","scopes":["tokens:read"],"metadata":${m}}`],
    ['PATCH /v1/tokens/{id} metadata', 'PATCH', 'TOKEN', (m: string) => `{"metadata":${m}}`],
  ])('%s nested 5,000 levels → 400 naming metadata, nothing changed', async (_name, method, path, body) => {
    const target = path === 'TOKEN' ? `/v1/tokens/${(await t.createToken({ name: 'target', scopes: ['tokens:read'] })).id}` : path;
    const before = await auditLength();
    for (const nested of [`{"x":${nestedObject(5_000)}}`, `{"x":${nestedArray(5_000)}}`]) {
      const res = await t.request(method, target, { token: t.rootSecret, body: body(nested) });
      expect(res.status, res.text).toBe(400);
      expect(messageId(res)).toBe('BAD_REQUEST');
      expect(res.body.requestError.serviceException.text).toBe('metadata: nested deeper than 32 levels');
    }
    expect(await auditLength()).toBe(before);
  });

  it('accepts metadata nested 32 levels, refuses 33', async () => {
    // nestedObject(n) is n + 1 objects; metadata's own object makes one more.
    const ok = await t.request('POST', '/v1/tokens', { token: t.rootSecret, body: `{"name":"ok","scopes":["tokens:read"],"metadata":{"x":${nestedObject(30)}}}` });
    expect(ok.status, ok.text).toBe(201);
    const deep = await t.request('POST', '/v1/tokens', { token: t.rootSecret, body: `{"name":"ok","scopes":["tokens:read"],"metadata":{"x":${nestedObject(31)}}}` });
    expect(deep.status, deep.text).toBe(400);
  });

  it.each(['/v1/catalog/validate', '/v1/catalog'])('%s with a document nested 15,000 levels → 400 naming document', async (path) => {
    const res = await t.request(path === '/v1/catalog' ? 'PUT' : 'POST', path, { token: t.rootSecret, body: `{"document":{"services":${nestedArray(15_000)}}}` });
    expect(res.status, res.text).toBe(400);
    expect(res.body.requestError.serviceException.text).toBe('document: nested deeper than 32 levels');
  });

  it.each([
    ['json', `{"services":${nestedArray(15_000)}}`],
    ['yaml', `services: ${nestedArray(15_000)}`],
    ['yaml', `services:\n${'- '.repeat(15_000)}x\n`],
    ['yaml', `services:\n${Array.from({ length: 300 }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')} x\n`],
  ])('a %s catalog source nested thousands of levels → refused as too deep before the YAML parser recurses', async (format, source) => {
    // The YAML parser recursing that deep ran out of stack, and at times took the process down with it (V8 OOM).
    const res = await t.request('POST', '/v1/catalog/validate', { token: t.rootSecret, body: { format, source } });
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    expect(res.body.valid).toBe(false);
    expect(res.body.errors[0].message).toBe('nested deeper than 32 levels');
  });

  it('any other body field nested deep → 400 naming it, not 500', async () => {
    const res = await t.request('POST', '/v1/verify', { token: t.rootSecret, body: `{"token":"x","scopes":${nestedArray(20_000)}}` });
    expect(res.status, res.text).toBe(400);
    expect(res.body.requestError.serviceException.text).toBe('scopes: nested deeper than 32 levels');
  });
});

describe('numbers that become dates or durations', () => {
  it('PATCH /v1/account/policy maxLifetimeSeconds 1e15 → 400; creates keep working', async () => {
    for (const value of [1e15, 1e10, 2 ** 53]) {
      const res = await t.request('PATCH', '/v1/account/policy', { token: t.rootSecret, body: { maxLifetimeSeconds: value } });
      expect(res.status, `${value}: ${res.text}`).toBe(400);
      expect(res.body.requestError.serviceException.text).toMatch(/^maxLifetimeSeconds: /);
    }
    const created = await t.request('POST', '/v1/tokens', { token: t.rootSecret, body: { name: 'after', scopes: ['tokens:read'] } });
    expect(created.status).toBe(201);
  });

  it('a policy stored out of range before this check does not turn creates into 500s', async () => {
    const account = await t.store.getAccount((await t.request('GET', '/v1/account', { token: t.rootSecret })).body.id);
    await t.store.updateAccountPolicy(account!.id, { ...account!.policy, maxLifetimeSeconds: 1e15 });
    t.tessera.ctx.accountCache.invalidate(account!.id);
    try {
      const created = await t.request('POST', '/v1/tokens', { token: t.rootSecret, body: { name: 'legacy', scopes: ['tokens:read'] } });
      expect(created.status, created.text).toBe(201);
    } finally {
      await t.store.updateAccountPolicy(account!.id, account!.policy);
      t.tessera.ctx.accountCache.invalidate(account!.id);
    }
  });

  it.each([
    ['validFrom', { validFrom: '9999-12-31T23:59:59-23:59' }],
    ['expiresAt', { expiresAt: '9999-12-31T23:59:59-23:59' }],
    ['validFrom', { validFrom: '9999-12-31T23:59:59.999-00:01' }],
  ])('a token %s beyond year 9999 → 400 naming it', async (field, window) => {
    const res = await t.request('POST', '/v1/tokens', { token: t.rootSecret, body: { name: 'far', scopes: ['tokens:read'], ...window } });
    expect(res.status, res.text).toBe(400);
    expect(res.body.requestError.serviceException.text).toMatch(new RegExp(`^${field}: `));
  });

  it('a far validFrom under an account lifetime cap → 400, not 500', async () => {
    await t.request('PATCH', '/v1/account/policy', { token: t.rootSecret, body: { maxLifetimeSeconds: 3600 } });
    try {
      const res = await t.request('POST', '/v1/tokens', { token: t.rootSecret, body: { name: 'far', scopes: ['tokens:read'], validFrom: '9999-12-31T23:59:59Z' } });
      expect(res.status, res.text).toBe(400);
    } finally {
      await t.request('PATCH', '/v1/account/policy', { token: t.rootSecret, body: { maxLifetimeSeconds: null } });
    }
  });

  it.each([
    ['rotate overlapSeconds', 'POST', 'ROTATE', { overlapSeconds: 1e15 }, 'overlapSeconds'],
    ['issue-token expires_in (number)', 'POST', '/v1/auth/issue-token', { scope: 'tokens:read', expires_in: 1e300 }, 'expires_in'],
    ['issue-token expires_in (digits)', 'POST', '/v1/auth/issue-token', { scope: 'tokens:read', expires_in: '9'.repeat(99) }, 'expires_in'],
    ['issue-token expires_in (words)', 'POST', '/v1/auth/issue-token', { scope: 'tokens:read', expires_in: '1e300 years' }, 'expires_in'],
  ])('%s out of range → 400 naming it', async (_name, method, path, body, field) => {
    const target = path === 'ROTATE' ? `/v1/tokens/${(await t.createToken({ name: 'rot', scopes: ['tokens:read'] })).id}/rotate` : path;
    const res = await t.request(method, target, { token: t.rootSecret, body });
    expect(res.status, res.text).toBe(400);
    expect(res.body.requestError.serviceException.text).toMatch(new RegExp(`^${field}: `));
  });

  it.each(['/v1/usage', '/v1/usage/events', '/v1/audit'])('%s with from/to beyond year 9999 → 400 naming it, a huge range → not 500', async (path) => {
    const far = await t.request('GET', `${path}?from=${encodeURIComponent('9999-12-31T23:59:59-23:59')}`, { token: t.rootSecret });
    expect(far.status, far.text).toBe(400);
    expect(far.body.requestError.serviceException.text).toMatch(/^from: /);
    const wide = await t.request('GET', `${path}?from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z${path === '/v1/usage' ? '&bucket=minute' : ''}`, { token: t.rootSecret });
    expect(wide.status, wide.text).toBe(200);
  });
});

describe('U+0000 in strings (PostgreSQL cannot store it)', () => {
  it.each([
    ['POST /v1/tokens name', 'POST', '/v1/tokens', { name: 'a\u0000b', scopes: ['tokens:read'] }, 'name'],
    ['POST /v1/tokens metadata key', 'POST', '/v1/tokens', { name: 'n', scopes: ['tokens:read'], metadata: { 'k\u0000': 1 } }, 'metadata'],
    ['POST /v1/endpoint-tokens name', 'POST', '/v1/endpoint-tokens', { name: '\u0000' }, 'name'],
    ['GET /v1/tokens search', 'GET', '/v1/tokens?search=%00', undefined, 'search'],
    ['GET /v1/audit tokenId', 'GET', '/v1/audit?tokenId=a%00', undefined, 'tokenId'],
    ['GET /v1/usage/events tokenId', 'GET', '/v1/usage/events?tokenId=%00', undefined, 'tokenId'],
    ['GET /v1/tokens/{id}', 'GET', '/v1/tokens/tok%00x', undefined, 'id'],
  ])('%s → 400 naming the field, on every store', async (_name, method, path, body, field) => {
    const before = await auditLength();
    const res = await t.request(method, path, { token: t.rootSecret, ...(body === undefined ? {} : { body }) });
    expect(res.status, res.text).toBe(400);
    expect(res.body.requestError.serviceException.text).toBe(`${field}: must not contain the NUL character (U+0000)`);
    expect(await auditLength()).toBe(before);
  });
});

describe('integers past the database’s columns', () => {
  it('GET /v1/catalog?version=2^31 → 400 naming version, not a PostgreSQL overflow', async () => {
    for (const version of ['2147483648', '9223372036854775808', '1e20']) {
      const res = await t.request('GET', `/v1/catalog?version=${version}`, { token: t.rootSecret });
      expect(res.status, res.text).toBe(400);
      expect(res.body.requestError.serviceException.text).toMatch(/^version: /);
    }
  });

  it('If-Match with a version past any token’s → 400 or 412, never 500', async () => {
    const { id } = await t.createToken({ name: 'versioned', scopes: ['tokens:read'] });
    for (const version of ['2147483648', '99999999999999999999', '9'.repeat(400)]) {
      const res = await t.request('PATCH', `/v1/tokens/${id}`, { token: t.rootSecret, headers: { 'if-match': `"${version}"` }, body: { name: 'renamed' } });
      expect([400, 412], res.text).toContain(res.status);
    }
  });
});
