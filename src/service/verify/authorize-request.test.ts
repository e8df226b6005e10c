import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePathSegments, normalisePath } from './authorize-request.js';

/** Paths made of the characters that matter to the reading: slashes, dots, escapes (good and bad), backslash, NUL. */
const pathLike = fc
  .array(fc.constantFrom('/', '.', '..', '%', '%2e', '%2E', '%2F', '%2f', '%5C', '%00', '%E0%A4', '%6De', '\\', '\u0000', 'a', 'sms', '~', ':', '-'), { maxLength: 12 })
  .map((parts) => `/${parts.join('')}`);

describe('normalisePath', () => {
  it.each([
    ['/sms/2/text/advanced', '/sms/2/text/advanced'],
    ['/sms/2/text/advanced?x=1#frag', '/sms/2/text/advanced'],
    ['/tenants/ac%6De/notifications?x=%2F', '/tenants/acme/notifications'],
    ['/files/a.b/..c/.d', '/files/a.b/..c/.d'],
    ['/sms/2/../1/logs', null],
    ['/sms/./logs', null],
    ['/sms/..', null],
    ['/sms/%2e%2e/logs', null],
    ['/sms%2Flogs', null],
    ['/sms\\logs', null],
    ['/sms/%00', null],
    ['/sms/%E0%A4%A', null],
    ['relative', null],
    ['', null],
  ])('%j → %j', (uri, expected) => {
    expect(normalisePath(uri)).toBe(expected);
  });

  it('takes its shortcut only where the whole reading gives the same path', () => {
    fc.assert(
      fc.property(pathLike, fc.constantFrom('', '?q=1', '#f'), (path, suffix) => {
        expect(normalisePath(path + suffix)).toBe(decodePathSegments(path));
      }),
      { numRuns: 2000 },
    );
  });
});
