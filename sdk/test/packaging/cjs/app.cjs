// A CommonJS application using the installed SDK through require(): the client, and the Express middleware.
/* eslint-disable @typescript-eslint/no-require-imports */
/* global require */
const express = require('express');
const { createTesseraClient, TesseraApiError } = require('@tessera/sdk');
const { tesseraExpress } = require('@tessera/sdk/express');

async function main() {
  const baseUrl = process.env.TESSERA_URL;
  const client = createTesseraClient({ baseUrl, token: process.env.TESSERA_TOKEN });
  const { data: created } = await client.POST('/v1/tokens', { body: { name: 'cjs-app', scopes: ['tokens:read'] } });
  const missing = await client.GET('/v1/tokens/{id}', { params: { path: { id: 'tok_missing' } } }).catch((error) => error);

  const tessera = tesseraExpress({ baseUrl });
  const app = express();
  app.get('/orders', tessera.requireScopes('tokens:read'), (req, res) => { res.json({ tokenId: req.tessera.tokenId }); });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  const allowed = await fetch(`${url}/orders`, { headers: { authorization: `Bearer ${created.secret}` } });
  const refused = await fetch(`${url}/orders`);
  server.closeAllConnections();
  server.close();

  // The same process may also import() the ES module build: its errors must still be instanceof either class.
  const esm = await import('@tessera/sdk');
  console.log(JSON.stringify({
    tokenId: created.token.id,
    allowed: { status: allowed.status, body: await allowed.json() },
    refused: refused.status,
    error: { isTesseraApiError: missing instanceof TesseraApiError, code: missing.code },
    dual: { twoClasses: esm.TesseraApiError !== TesseraApiError, instanceofEsm: missing instanceof esm.TesseraApiError },
  }));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
