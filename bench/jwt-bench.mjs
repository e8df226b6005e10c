// JWT bench: offline verifications per second of a Tessera-issued token (EdDSA) with jose and a JWKS fetched once
// from the running server and cached (createRemoteJWKSet), as a resource server would. Run alone:
// node bench/jwt-bench.mjs (after `npm run build`).
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { fileURLToPath } from 'node:url';
import { fmtInt, startChild } from './lib.mjs';

const defaults = { iterations: 200_000, maxSeconds: 5 };

/** Resolves to `{ name, perSecond, ok }`; no goal: the figure is reported for comparison between runs on one machine. */
export async function runJwtBench(options = {}) {
  const o = { ...defaults, ...options };
  const server = startChild(fileURLToPath(new URL('./gateway-servers.mjs', import.meta.url)), ['tessera']);
  try {
    const { port, jwt } = await server.ready;
    const jwks = createRemoteJWKSet(new URL(`http://127.0.0.1:${port}/.well-known/jwks.json`));
    const verifyOptions = { issuer: 'bench', typ: 'at+jwt', algorithms: ['EdDSA'] };
    await jwtVerify(jwt, jwks, verifyOptions); // fetches and caches the key set
    const started = performance.now();
    const deadline = started + o.maxSeconds * 1000;
    let count = 0;
    while (count < o.iterations && performance.now() < deadline) {
      await jwtVerify(jwt, jwks, verifyOptions);
      count++;
    }
    const perSecond = count / ((performance.now() - started) / 1000);
    console.log(`offline jwtVerify with cached JWKS: ${fmtInt(perSecond)} verifications/s (${fmtInt(count)} in the run)`);
    return { name: 'jwt offline verify', perSecond, ok: true };
  } finally {
    await server.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  await runJwtBench(quick ? { iterations: 20_000, maxSeconds: 1 } : {});
}
