// Issue 20 item 5: POST /v1/leaks in GitHub's secret scanning partner format, signed or token-authenticated; the
// attacks first (forged, replayed, oversized, cross-account), then what a real report does.
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../../core/token-format.js';
import { defaultAccountPolicy, type AccountId } from '../../core/types.js';
import { derIdentifier, parseLeakReportKeys, systemActor } from '../../service/index.js';
import { messageId, startTestApp, type TestApp } from '../../testing/test-app.js';

const KEY_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
const p256 = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const scanner = p256();
const stranger = p256();
const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();

let t: TestApp;
let rootAccount: AccountId;
beforeAll(async () => {
  t = await startTestApp({ tessera: { leakReportKeys: parseLeakReportKeys(JSON.stringify({ [KEY_ID]: pem(scanner.publicKey) })) } });
  rootAccount = (await t.request('GET', '/v1/account', { token: t.rootSecret })).body.id;
});
afterAll(() => t.close());

const match = (token: string, url = 'https://github.com/octo/repo/blob/abc123/.env') => ({ token, type: 'tessera_token', url, source: 'content' });

/** Sends a report as GitHub would: the exact bytes, signed with `key` (the scanner's unless told). */
function signed(body: string, options: { key?: KeyObject; keyId?: string; signature?: string; headers?: Record<string, string> } = {}) {
  const signature = options.signature ?? sign('sha256', Buffer.from(body), options.key ?? scanner.privateKey).toString('base64');
  return t.request('POST', '/v1/leaks', {
    body,
    headers: { 'github-public-key-identifier': options.keyId ?? KEY_ID, 'github-public-key-signature': signature, ...options.headers },
  });
}

const verifyCode = async (secret: string) => (await t.request('POST', '/v1/verify', { body: { token: secret } })).body.code as string;
const auditOf = async (id: string) => (await t.request('GET', `/v1/audit?tokenId=${id}`, { token: t.rootSecret })).body.items as any[];
const fakeChecksum = (secret: string) => secret.slice(0, -1) + (secret.endsWith('a') ? 'b' : 'a');

describe('POST /v1/leaks: attacks', () => {
  it('refuses an unsigned report without a token, and changes nothing', async () => {
    const victim = await t.createToken({ name: 'victim', scopes: ['tokens:read'] });
    const res = await t.request('POST', '/v1/leaks', { body: [match(victim.secret)] });
    expect(res.status).toBe(401);
    expect(messageId(res)).toBe('UNAUTHORIZED');
    expect(await verifyCode(victim.secret)).toBe('VALID');
  });

  it('refuses a forged signature, a signature of other bytes, an unknown key id, a stranger’s key and half a header pair', async () => {
    const victim = await t.createToken({ name: 'victim', scopes: ['tokens:read'] });
    const body = JSON.stringify([match(victim.secret)]);
    const otherBytes = sign('sha256', Buffer.from(`${body} `), scanner.privateKey).toString('base64');
    const attempts = [
      await signed(body, { signature: 'MEUCIQDfLvT8/zM8F1aB3cM0ZwyeWF1m5YR6IhcUIv1OKQYL0wIgBZ5lVXB3gHK+dT8+xt0WgRVLqvsTPFiDO9QP/7eJ4yE=' }),
      await signed(body, { signature: 'not base64 at all!' }),
      await signed(body, { signature: otherBytes }),
      await signed(body, { keyId: 'f'.repeat(64) }),
      await signed(body, { key: stranger.privateKey }),
      await signed(body, { keyId: derIdentifier(pem(stranger.publicKey)), key: stranger.privateKey }),
      await t.request('POST', '/v1/leaks', { body, headers: { 'github-public-key-identifier': KEY_ID } }),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(401);
      expect(messageId(res)).toBe('UNAUTHORIZED');
    }
    // One fixed message: a forger does not learn which part was wrong.
    expect(new Set(attempts.slice(0, 6).map((r) => r.body.requestError.serviceException.text)).size).toBe(1);
    expect(await verifyCode(victim.secret)).toBe('VALID');
  });

  it('refuses a signed report whose body was changed after signing (a token swapped in)', async () => {
    const victim = await t.createToken({ name: 'victim', scopes: ['tokens:read'] });
    const original = JSON.stringify([match(generateSecret('tsr', (n) => randomBytes(n)))]);
    const signature = sign('sha256', Buffer.from(original), scanner.privateKey).toString('base64');
    const res = await signed(JSON.stringify([match(victim.secret)]), { signature });
    expect(res.status).toBe(401);
    expect(await verifyCode(victim.secret)).toBe('VALID');
  });

  it('refuses a signature and a token together (400), rather than guessing which one counts', async () => {
    const reporter = await t.createToken({ name: 'reporter', scopes: ['leaks:report'] });
    const res = await signed('[]', { headers: { authorization: `Bearer ${reporter.secret}` } });
    expect(res.status).toBe(400);
    expect(messageId(res)).toBe('BAD_REQUEST');
  });

  it('refuses a token without leaks:report (403), even one that may revoke the reported token', async () => {
    const victim = await t.createToken({ name: 'victim', scopes: ['tokens:read'] });
    const manager = await t.createToken({ name: 'manager', scopes: ['tokens:revoke', 'tokens:update', 'tokens:read'] });
    const res = await t.request('POST', '/v1/leaks', { token: manager.secret, body: [match(victim.secret)] });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toContain('scope="leaks:report"');
    expect(await verifyCode(victim.secret)).toBe('VALID');
  });

  it('a report naming another account’s token stops it (holding the secret is the right to kill it) and tells only the label', async () => {
    const otherAccount = 'acc_leak_other' as AccountId;
    await t.store.insertAccount({ id: otherAccount, name: 'other', tokenPrefix: 'oth', policy: defaultAccountPolicy, createdAt: new Date(t.clock.ms).toISOString() });
    const other = await t.tessera.createToken(systemActor(otherAccount), { name: 'elsewhere', scopes: ['tokens:read'] });
    const reporter = await t.createToken({ name: 'reporter', scopes: ['leaks:report'] });
    const res = await t.request('POST', '/v1/leaks', { token: reporter.secret, body: [match(other.secret)] });
    expect(res.status).toBe(200);
    // Nothing but GitHub's three fields: no token id, account, status or name of a token the caller does not own.
    expect(res.body).toEqual([{ token_raw: other.secret, token_type: 'tessera_token', label: 'true_positive' }]);
    expect(await verifyCode(other.secret)).toBe('DISABLED');
    // The reporter's own account's audit learns nothing of it; the owner's names the reporter.
    expect((await t.request('GET', '/v1/audit?limit=200', { token: t.rootSecret })).text).not.toContain(other.token.id);
    const owners = await t.tessera.listAudit(systemActor(otherAccount), { tokenId: other.token.id });
    expect(owners.items[0]).toMatchObject({ action: 'token.disable', actor: null, after: { leak: { reportedBy: { tokenId: reporter.id } } } });
  });

  it('refuses an oversized body (413) and too many matches (400 naming the body), changing nothing', async () => {
    const victim = await t.createToken({ name: 'victim', scopes: ['tokens:read'] });
    const huge = JSON.stringify([match(victim.secret, `https://x/${'a'.repeat(4000)}`)].concat(Array.from({ length: 300 }, () => match('x'.repeat(4000)))));
    const tooLarge = await signed(huge);
    expect(tooLarge.status).toBe(413);
    expect(messageId(tooLarge)).toBe('PAYLOAD_TOO_LARGE');
    const tooMany = await signed(JSON.stringify([match(victim.secret), ...Array.from({ length: 1000 }, () => match('x'))]));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.requestError.serviceException.text).toMatch(/1000/);
    expect(await verifyCode(victim.secret)).toBe('VALID');
  });

  it('a replayed report changes nothing more: one audit entry, and a rotated token’s new secret is untouched', async () => {
    const victim = await t.createToken({ name: 'victim', scopes: ['tokens:read'] });
    const body = JSON.stringify([match(victim.secret)]);
    const first = await signed(body);
    const replay = await signed(body);
    expect(replay.body).toEqual(first.body);
    expect((await auditOf(victim.id)).filter((e) => e.action === 'token.disable')).toHaveLength(1);
    // The owner rotates (no overlap) and switches the token back on; replaying the old report then does nothing.
    const rotated = await t.request('POST', `/v1/tokens/${victim.id}/rotate`, { token: t.rootSecret, body: {} });
    await t.request('POST', `/v1/tokens/${victim.id}/enable`, { token: t.rootSecret });
    const again = await signed(body);
    expect(again.body[0].label).toBe('false_positive');
    expect(await verifyCode(rotated.body.secret)).toBe('VALID');
  });

  it('refuses bad input naming the field: not an array, a match without its token, a wrong content type', async () => {
    const notArray = await signed(JSON.stringify({ token: 'x', type: 't' }));
    expect(notArray.status).toBe(400);
    const noToken = await signed(JSON.stringify([{ type: 'tessera_token', url: '' }]));
    expect(noToken.status).toBe(400);
    expect(noToken.body.requestError.serviceException.text).toMatch(/token/);
    const notJson = await signed('[{"token": ');
    expect(notJson.status).toBe(400);
    const form = await signed('token=x', { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
  });
});

describe('POST /v1/leaks: what a report does', () => {
  it('disables a live token at once, labels each match, and audits where it was found but never the secret', async () => {
    const live = await t.createToken({ name: 'live', scopes: ['tokens:read'] });
    const revoked = await t.createToken({ name: 'revoked', scopes: ['tokens:read'] });
    await t.request('POST', `/v1/tokens/${revoked.id}/revoke`, { token: t.rootSecret });
    const neverIssued = generateSecret('tsr', (n) => randomBytes(n));
    const url = `https://github.com/octo/repo/blob/abc123/.env?leaked=${live.secret}`;
    const report = [match(live.secret, url), match(fakeChecksum(live.secret)), match(neverIssued), match(revoked.secret), match('not even close'), match(live.secret)];
    const res = await signed(JSON.stringify(report));
    expect(res.status).toBe(200);
    expect(res.body.map((v: { label: string }) => v.label)).toEqual(['true_positive', 'false_positive', 'false_positive', 'true_positive', 'false_positive', 'true_positive']);
    expect(res.body.map((v: { token_raw: string }) => v.token_raw)).toEqual(report.map((m) => m.token));
    expect(await verifyCode(live.secret)).toBe('DISABLED');
    const entries = await auditOf(live.id);
    const leak = entries.find((e) => e.action === 'token.disable');
    expect(leak).toMatchObject({ actor: null, after: { enabled: false, leak: { type: 'tessera_token', source: 'content', reportedBy: { signatureKeyId: KEY_ID } } } });
    expect(leak.after.leak.url).toBe('https://github.com/octo/repo/blob/abc123/.env?leaked=[REDACTED]');
    const audit = (await t.request('GET', '/v1/audit?limit=200', { token: t.rootSecret })).text;
    expect(audit).not.toContain(live.secret);
    expect(audit).not.toContain(live.secret.slice(4, 40));
    // The revoked token and everything else stayed as they were.
    expect((await auditOf(revoked.id)).map((e) => e.action)).toEqual(['token.revoke', 'token.create']);
  });

  it('revokes instead, with what it made, where the account’s leakResponse policy says so; a leak:report token may report', async () => {
    await t.request('PATCH', '/v1/account/policy', { token: t.rootSecret, body: { leakResponse: 'revoke' } });
    try {
      const parent = await t.createToken({ name: 'parent', scopes: ['tokens:create', 'tokens:read'] });
      const child = await t.createToken({ name: 'child', scopes: ['tokens:read'] }, parent.secret);
      const reporter = await t.createToken({ name: 'reporter', scopes: ['leaks:report'] });
      const res = await t.request('POST', '/v1/leaks', { token: reporter.secret, body: [match(parent.secret)] });
      expect(res.body[0].label).toBe('true_positive');
      expect(await verifyCode(parent.secret)).toBe('REVOKED');
      expect(await verifyCode(child.secret)).toBe('REVOKED');
      const [entry] = await auditOf(parent.id);
      expect(entry).toMatchObject({ action: 'token.revoke', after: { leak: { reportedBy: { tokenId: reporter.id } } } });
      expect((await auditOf(child.id))[0]).toMatchObject({ action: 'token.revoke', after: { cascadedFrom: parent.id } });
    } finally {
      await t.request('PATCH', '/v1/account/policy', { token: t.rootSecret, body: { leakResponse: 'disable' } });
    }
  });

  it('stops even the account’s last manager: a leaked secret must not keep working', async () => {
    const res = await signed(JSON.stringify([match(t.rootSecret)]));
    expect(res.body[0].label).toBe('true_positive');
    expect(await verifyCode(t.rootSecret)).toBe('DISABLED');
    // The operator's way back: the service on the database (the CLI), which needs no token.
    await t.tessera.setTokenEnabled(systemActor(rootAccount), t.rootId, true);
    expect(await verifyCode(t.rootSecret)).toBe('VALID');
  });
});

describe('POST /v1/leaks/check', () => {
  it('gives the id and status of the caller’s account’s secrets, unknown for anything else, and records no use', async () => {
    const active = await t.createToken({ name: 'active', scopes: ['tokens:read'] });
    const disabled = await t.createToken({ name: 'disabled', scopes: ['tokens:read'], enabled: false });
    const revoked = await t.createToken({ name: 'revoked', scopes: ['tokens:read'] });
    await t.request('POST', `/v1/tokens/${revoked.id}/revoke`, { token: t.rootSecret });
    const otherAccount = 'acc_check_other' as AccountId;
    await t.store.insertAccount({ id: otherAccount, name: 'other', tokenPrefix: 'oth', policy: defaultAccountPolicy, createdAt: new Date(t.clock.ms).toISOString() });
    const other = await t.tessera.createToken(systemActor(otherAccount), { name: 'elsewhere', scopes: ['tokens:read'] });
    const reader = await t.createToken({ name: 'reader', scopes: ['tokens:read'] });
    const res = await t.request('POST', '/v1/leaks/check', {
      token: reader.secret,
      body: { tokens: [active.secret, disabled.secret, revoked.secret, other.secret, fakeChecksum(active.secret)] },
    });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      { hint: active.token.hint, tokenId: active.id, status: 'active', live: true },
      { hint: disabled.token.hint, tokenId: disabled.id, status: 'disabled', live: true },
      { hint: revoked.token.hint, tokenId: revoked.id, status: 'revoked', live: false },
      { hint: other.token.hint, tokenId: null, status: 'unknown', live: false },
      { hint: expect.stringMatching(/^tsr_/), tokenId: null, status: 'unknown', live: false },
    ]);
    await new Promise((r) => setTimeout(r, 200));
    expect((await t.request('GET', `/v1/tokens/${active.id}`, { token: t.rootSecret })).body.useCount).toBe(0);
  });

  it('refuses more than 100 secrets, naming the field', async () => {
    const res = await t.request('POST', '/v1/leaks/check', { token: t.rootSecret, body: { tokens: Array.from({ length: 101 }, () => 'x') } });
    expect(res.status).toBe(400);
    expect(res.body.requestError.serviceException.text).toMatch(/tokens/);
  });
});

// Runs last: it applies the integration platform's catalog for a primary endpoint token.
describe('POST /v1/leaks: endpoint tokens', () => {
  it('revokes a leaked primary endpoint token (none can be switched back on); the endpoint’s next change makes a new one', async () => {
    const source = readFileSync(new URL('../../../examples/catalogs/integration.yaml', import.meta.url), 'utf8');
    expect((await t.request('PUT', '/v1/catalog', { token: t.rootSecret, body: { source, format: 'yaml', force: true } })).status).toBe(200);
    const on = await t.request('PUT', '/v1/endpoints/orders/auth', { token: t.rootSecret, body: { mode: 'token' } });
    const primary = on.body.generated[0];
    expect(primary.method).toBe('POST');
    const check = async (secret: string) =>
      (await t.request('POST', '/v1/verify', { body: { token: secret, endpoint: { method: 'POST', path: '/api/endpoints/orders' } } })).body.code;
    expect(await check(primary.secret)).toBe('VALID');
    expect((await signed(JSON.stringify([match(primary.secret)]))).body[0].label).toBe('true_positive');
    expect(await check(primary.secret)).toBe('REVOKED');
    const again = await t.request('PUT', '/v1/endpoints/orders/auth', { token: t.rootSecret, body: { mode: 'token' } });
    const renewed = again.body.generated.find((g: { method: string }) => g.method === 'POST');
    expect(await check(renewed.secret)).toBe('VALID');
  });
});
