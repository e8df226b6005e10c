// `npm run sdk:generate`: snapshots the built server's OpenAPI document into sdk/openapi.json and regenerates
// sdk/src/generated/openapi.ts from it. CI fails when either is stale (sdk/test/openapi-sync.test.ts).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatDocument, renderTypes, serverDocument, snapshotUrl, typesUrl } from './openapi-document.mjs';

const document = await serverDocument();
writeFileSync(snapshotUrl, formatDocument(document));
writeFileSync(typesUrl, await renderTypes(document));
console.log(`wrote ${fileURLToPath(snapshotUrl)} and ${fileURLToPath(typesUrl)}`);
