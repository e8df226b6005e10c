/** Lifetimes written the way people write them: "2 days", "10h", "1y", or a number of seconds. */
import ms from 'ms';

export type DurationParse = { ok: true; seconds: number } | { ok: false; problem: string };

/**
 * A number (or a string of digits) is seconds, as in OAuth's `expires_in`; anything else is read by `ms`
 * ("90s", "10 minutes", "2 days", "1y"). Fractions of a second are dropped; zero and negatives are refused.
 */
export function parseDuration(value: string | number): DurationParse {
  let seconds: number;
  if (typeof value === 'number') {
    seconds = value;
  } else if (/^\s*\d+\s*$/.test(value)) {
    seconds = Number(value);
  } else {
    // `ms` throws on strings over 100 characters and answers undefined for what it cannot read.
    let millis: number | undefined;
    try {
      millis = value.length <= 100 ? (ms(value as ms.StringValue) as number | undefined) : undefined;
    } catch {
      millis = undefined;
    }
    if (millis === undefined || !Number.isFinite(millis)) {
      return { ok: false, problem: 'expected seconds or a duration such as "90s", "10h", "2 days" or "1y"' };
    }
    seconds = millis / 1000;
  }
  if (!Number.isFinite(seconds)) return { ok: false, problem: 'must be a finite number of seconds' };
  seconds = Math.floor(seconds);
  if (seconds < 1) return { ok: false, problem: 'must be at least 1 second' };
  return { ok: true, seconds };
}
