// CI catches drift: the SDK's checked-in OpenAPI snapshot and its generated types must match the live server.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDocument, renderTypes, snapshotUrl, typesUrl } from '../../sdk/scripts/openapi-document.mjs';
import { startTestApp, type TestApp } from '../../src/testing/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

const FIX = 'run `npm run sdk:generate` and commit sdk/openapi.json and sdk/src/generated/openapi.ts';

describe('SDK OpenAPI snapshot', () => {
  it(`sdk/openapi.json is the server's live document (else ${FIX})`, async () => {
    const live = formatDocument(t.app.swagger());
    expect(readFileSync(snapshotUrl, 'utf8') === live, FIX).toBe(true);
    const served = await t.request('GET', '/openapi.json');
    expect(formatDocument(served.body) === live, 'GET /openapi.json serves the same document').toBe(true);
  });

  it(`sdk/src/generated/openapi.ts is openapi-typescript's output for the snapshot (else ${FIX})`, async () => {
    const snapshot = JSON.parse(readFileSync(snapshotUrl, 'utf8'));
    expect(readFileSync(typesUrl, 'utf8') === (await renderTypes(snapshot)), FIX).toBe(true);
  });
});
