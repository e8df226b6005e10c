/** The hot path for an opaque secret (`tsr_…`): is it a live token, from an allowed address, allowed what is asked? */
import { MAX_SECRET_LENGTH, MIN_SECRET_LENGTH, checkSecretShape, hashSecret } from '../../core/token-format.js';
import type { UsageKind } from '../../store/store.js';
import type { ServiceContext } from '../context.js';
import { readAncestors } from '../tokens/token-chain.js';
import { checkToken, NOT_FOUND, type VerifyInput, type VerifyResult } from './check-token.js';

/**
 * Answers from memory when the secret and the account's catalog are cached (no await, no I/O); otherwise
 * reads the store once and caches the answer, including "unknown". Never writes to the database: usage is
 * counted in memory (`kind`: see {@link checkToken}).
 */
export function verifyOpaqueToken(ctx: ServiceContext, input: VerifyInput, kind?: UsageKind): VerifyResult | Promise<VerifyResult> {
  const { secret } = input;
  if (secret.length < MIN_SECRET_LENGTH || secret.length > MAX_SECRET_LENGTH) return NOT_FOUND;
  const hash = hashSecret(secret);
  // Memory is trusted only while other instances' changes are heard (or within the configured staleness
  // bound after that stopped); otherwise the store decides, and if it is down too, verify fails closed (503).
  const nowMs = ctx.clock.now();
  const cached = ctx.changes.cacheTrusted(ctx.staleVerifyMs) ? ctx.tokenCache.get(hash, nowMs) : undefined;
  if (cached === null) return NOT_FOUND;
  if (cached !== undefined) return checkToken(ctx, cached, input, kind, nowMs);
  // A cached hash can only be a stored secret's, so the full shape check runs for the rest only: malformed
  // and checksum-failing strings are refused before any store lookup.
  if (!checkSecretShape(secret).ok) return NOT_FOUND;
  const readMark = ctx.tokenCache.readMark;
  return ctx.store.findSecret(hash).then(async (found) => {
    if (!found) {
      ctx.tokenCache.setMissing(hash, ctx.clock.now(), readMark);
      return NOT_FOUND;
    }
    const ancestors = await readAncestors(ctx.store, found.token);
    const readMs = ctx.clock.now();
    const entry = ctx.tokenCache.setFound(found.secret, found.token, readMs, ancestors, readMark);
    return checkToken(ctx, entry, input, kind, readMs);
  });
}
