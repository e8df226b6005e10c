/** Finds anything shaped like a credential in text, so that logs can cut it wherever it appears. */
import { MAX_PREFIX_LENGTH, SECRET_BODY_LENGTH } from './token-format.js';

export const REDACTED = '[REDACTED]';

/**
 * A Tessera secret of any account's prefix, checksum valid or not (`_` also percent-encoded), and a JWT or JWS:
 * three base64url parts whose first two are JSON objects (`{"` or `{ ` → `ey`, `{\n` → `ew`). Bounded
 * repetitions only, so a long line costs linear time. The prefix part is wider than a valid prefix (any case):
 * a mistyped prefix must not leave the 64 random characters behind it in clear.
 */
const CREDENTIAL = new RegExp(
  `[A-Za-z0-9]{1,${MAX_PREFIX_LENGTH}}(?:_|%5[Ff])[0-9A-Za-z]{${SECRET_BODY_LENGTH}}` +
    '|e[wy][A-Za-z0-9_-]{6,}\\.e[wy][A-Za-z0-9_-]{6,}\\.[A-Za-z0-9_-]*',
  'g',
);

/** `text` with every secret-shaped and JWT-shaped run replaced by {@link REDACTED}. */
export function redactSecrets(text: string): string {
  return text.replace(CREDENTIAL, REDACTED);
}
