/** Failed-authentication throttling: guessing from an address is refused, valid tokens from it never are. */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../core/token-format.js';
import { messageId, startTestApp, type TestApp } from '../testing/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ tessera: { authThrottle: { maxFailures: 3, windowMs: 60_000 } } });
});
afterAll(async () => t.close());

/** A guess with a valid checksum: it gets past the shape check and costs a store lookup. */
const wellFormedGuess = () => generateSecret('tsr', (n) => randomBytes(n));

describe('failed-authentication throttle (one client address behind a NAT)', () => {
  it('after the limit, failures get 429 with Retry-After while valid tokens from the same address keep working', async () => {
    const colleague = await t.createToken({ name: 'colleague', scopes: ['tokens:read'] });
    const revoked = await t.createToken({ name: 'revoked', scopes: ['tokens:read'] });
    await t.request('POST', `/v1/tokens/${revoked.id}/revoke`, { token: t.rootSecret });

    for (let i = 0; i < 3; i++) {
      const guess = await t.request('GET', '/v1/tokens', { token: wellFormedGuess() });
      expect(guess.status).toBe(401);
    }
    // Throttled: every failing attempt, of any kind, is refused without saying why it failed.
    for (const failing of [wellFormedGuess(), 'tsr_garbage', revoked.secret]) {
      const res = await t.request('GET', '/v1/tokens', { token: failing });
      expect(res.status, failing.slice(0, 4)).toBe(429);
      expect(messageId(res)).toBe('TOO_MANY_REQUESTS');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(res.text).not.toContain('revoked');
    }
    // The people behind the same address are not locked out.
    expect((await t.request('GET', '/v1/tokens', { token: t.rootSecret })).status).toBe(200);
    expect((await t.request('GET', `/v1/tokens/${colleague.id}`, { token: colleague.secret })).status).toBe(200);
    expect((await t.request('GET', '/v1/tokens', { headers: { 'x-api-key': colleague.secret } })).status).toBe(200);
    // A success does not reset the count: one valid token cannot buy a guesser more attempts.
    expect((await t.request('GET', '/v1/tokens', { token: wellFormedGuess() })).status).toBe(429);
  });
});
