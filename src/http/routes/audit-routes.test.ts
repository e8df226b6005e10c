import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itRefusesUnauthorised } from '../../testing/security-cases.js';
import { startTestApp, type TestApp } from '../../testing/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

describe('GET /v1/audit', () => {
  it('records every management action with actor, target, before/after, and never a secret', async () => {
    const made = await t.createToken({ name: 'audited', scopes: ['a:b'] });
    await t.request('PATCH', `/v1/tokens/${made.id}`, { token: t.rootSecret, body: { name: 'renamed' } });
    await t.request('POST', `/v1/tokens/${made.id}/disable`, { token: t.rootSecret });
    await t.request('POST', `/v1/tokens/${made.id}/enable`, { token: t.rootSecret });
    const rotated = await t.request('POST', `/v1/tokens/${made.id}/rotate`, { token: t.rootSecret });
    await t.request('POST', `/v1/tokens/${made.id}/revoke`, { token: t.rootSecret });
    await t.request('DELETE', `/v1/tokens/${made.id}`, { token: t.rootSecret });

    const res = await t.request('GET', `/v1/audit?tokenId=${made.id}`, { token: t.rootSecret });
    expect(res.status).toBe(200);
    expect(res.body.items.map((e: { action: string }) => e.action)).toEqual([
      'token.delete', 'token.revoke', 'token.rotate', 'token.enable', 'token.disable', 'token.update', 'token.create',
    ]);
    const update = res.body.items.find((e: { action: string }) => e.action === 'token.update');
    expect(update).toMatchObject({ actor: t.rootId, targetType: 'token', targetId: made.id });
    expect(update.before.name).toBe('audited');
    expect(update.after.name).toBe('renamed');
    expect(res.text).not.toContain(made.secret);
    expect(res.text).not.toContain(rotated.body.secret);
  });

  it('filters by action and time range, and paginates', async () => {
    const from = new Date(t.clock.ms).toISOString();
    t.clock.advance(10);
    for (let i = 0; i < 3; i++) await t.createToken({ name: `p${i}`, scopes: ['a:b'] });
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/v1/audit?action=token.create&from=${encodeURIComponent(new Date(t.clock.ms).toISOString())}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await t.request('GET', path, { token: t.rootSecret });
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((e: { seq: number }) => e.seq));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(3);
    const before = await t.request('GET', `/v1/audit?to=${encodeURIComponent(from)}&action=token.create`, { token: t.rootSecret });
    expect(before.body.items.every((e: { at: string }) => e.at <= from)).toBe(true);
    const bad = await t.request('GET', '/v1/audit?from=yesterday', { token: t.rootSecret });
    expect(bad.status).toBe(400);
    expect(bad.body.requestError.serviceException.text).toMatch(/^from:/);
  });

  it('verifies the hash chain and detects an edited event', async () => {
    const ok = await t.request('GET', '/v1/audit/verify', { token: t.rootSecret });
    expect(ok.body).toMatchObject({ ok: true });
    expect(ok.body.events).toBeGreaterThan(3);
    await t.rawSql(`UPDATE audit_events SET "after" = '{"name":"forged"}' WHERE seq = 3`);
    const broken = await t.request('GET', '/v1/audit/verify', { token: t.rootSecret });
    expect(broken.body).toMatchObject({ ok: false, seq: 3, problem: 'HASH_MISMATCH' });
  });

  itRefusesUnauthorised(() => t, { method: 'GET', path: '/v1/audit', permission: 'audit:read' });
});
