// A TypeScript application (moduleResolution node16, compiled to CommonJS) using the installed SDK: the typed
// client, and the Express middleware with `req.tessera` typed.
import express from 'express';
import type { AddressInfo } from 'node:net';
import { createTesseraClient, TesseraApiError, type TesseraIdentity } from '@tessera/sdk';
import { tesseraExpress } from '@tessera/sdk/express';

async function main(): Promise<void> {
  const baseUrl = process.env.TESSERA_URL!;
  const client = createTesseraClient({ baseUrl, token: process.env.TESSERA_TOKEN });
  const { data: created } = await client.POST('/v1/tokens', { body: { name: 'ts-node16-app', scopes: ['tokens:read'] } });
  const missing: unknown = await client.GET('/v1/tokens/{id}', { params: { path: { id: 'tok_missing' } } }).catch((error: unknown) => error);

  const tessera = tesseraExpress({ baseUrl });
  const app = express();
  app.get('/orders', tessera.requireScopes('tokens:read'), (req, res) => {
    const identity: TesseraIdentity = req.tessera!;
    res.json({ tokenId: identity.tokenId });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const allowed = await fetch(`${url}/orders`, { headers: { authorization: `Bearer ${created!.secret}` } });
  const refused = await fetch(`${url}/orders`);
  server.closeAllConnections();
  server.close();

  const error = missing instanceof TesseraApiError ? { isTesseraApiError: true, code: missing.code } : { isTesseraApiError: false };
  console.log(JSON.stringify({ tokenId: created!.token.id, allowed: { status: allowed.status, body: await allowed.json() }, refused: refused.status, error }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
