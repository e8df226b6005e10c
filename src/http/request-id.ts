/** Request ids (`X-Request-Id`, `reqId` in logs): a random per-process prefix and a counter, for every way in. */
import { randomBytes } from 'node:crypto';

const prefix = randomBytes(6).toString('base64url');
let counter = 0;

/** Unique within the process and across restarts, without a CSPRNG call on every request. */
export function nextRequestId(): string {
  return `req_${prefix}${(counter++).toString(36)}`;
}
