// docs/errors.md's table against the one table of codes (errorStatus), both ways, like Fastify's errors test: every
// code is documented with its status, and every documented code exists (none left behind by a removed code).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorStatus } from './errors.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
/** The rows of the `| code | HTTP status | when |` table: code and status as written. */
const documented = [...doc.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map(([, code, status]) => ({ code: code!, status: Number(status) }));

describe('docs/errors.md', () => {
  it('documents every error code, with its HTTP status', () => {
    for (const [code, status] of Object.entries(errorStatus)) {
      expect(documented.filter((row) => row.code === code), code).toEqual([{ code, status }]);
    }
  });

  it('documents no code that does not exist', () => {
    const known = new Set(Object.keys(errorStatus));
    expect(documented.filter((row) => !known.has(row.code))).toEqual([]);
    expect(documented).toHaveLength(known.size);
  });
});
