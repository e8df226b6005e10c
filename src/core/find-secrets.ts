/** Finds Tessera secrets in text, exactly: a candidate counts only if its checksum holds, so no false positives. */
import { MAX_PREFIX_LENGTH, MIN_PREFIX_LENGTH, SECRET_BODY_LENGTH, checkSecretShape } from './token-format.js';

export interface FoundSecret {
  secret: string;
  /** 1-based line and column of the secret's first character. */
  line: number;
  column: number;
}

/**
 * `_` and a body of exactly 64 base62 characters not followed by another: the fixed part of every secret. The
 * prefix before the `_` is not in the pattern, because text may run into it (`key=tsr_…`, `xtsr_…`): every
 * prefix length the format allows is tried against the checksum instead.
 */
const BODY = new RegExp(`_[0-9A-Za-z]{${SECRET_BODY_LENGTH}}(?![0-9A-Za-z])`, 'g');

const isPrefixChar = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);

export function findSecrets(text: string): FoundSecret[] {
  const found: FoundSecret[] = [];
  let line = 1;
  let lineStart = 0;
  let counted = 0;
  for (const match of text.matchAll(BODY)) {
    const sep = match.index;
    const secret = secretEndingAt(text, sep);
    if (secret === undefined) continue;
    const start = sep - (secret.length - SECRET_BODY_LENGTH - 1);
    // Lines are counted once, forward, from the previous find: the whole scan stays linear in the text.
    for (; counted < start; counted++) {
      if (text.charCodeAt(counted) === 0x0a) {
        line++;
        lineStart = counted + 1;
      }
    }
    found.push({ secret, line, column: start - lineStart + 1 });
  }
  return found;
}

/** The longest prefix before `sep` that makes a checksum-valid secret with the body after it, if any. */
function secretEndingAt(text: string, sep: number): string | undefined {
  const end = sep + 1 + SECRET_BODY_LENGTH;
  let longest = 0;
  while (longest < MAX_PREFIX_LENGTH && sep - longest > 0 && isPrefixChar(text.charCodeAt(sep - longest - 1))) longest++;
  for (let length = longest; length >= MIN_PREFIX_LENGTH; length--) {
    const candidate = text.slice(sep - length, end);
    if (checkSecretShape(candidate).ok) return candidate;
  }
  return undefined;
}
