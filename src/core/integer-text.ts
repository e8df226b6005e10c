/**
 * Decimal text of a number, exactly as `String(n)` writes it, faster for integers beyond V8's small-integer range
 * (2^30 and up: credit balances, large limits). `String(n)` of such a number takes V8's double-to-text path and its
 * number-string cache, which a different number on every answer churns: in the server that cost a limited check with
 * 10^12 credits some 5 µs of CPU, more than deciding it (bench/README.md, issue 19 item 6). Written in six-digit groups
 * of small integers instead. Anything else (negative, fractional, beyond 2^53) is `String(n)`.
 */
const SMALL = 2 ** 30;

export function integerText(n: number): string {
  if (n < SMALL || !Number.isSafeInteger(n)) return String(n);
  const high = Math.floor(n / 1e6);
  const low = n - high * 1e6;
  return `${integerText(high)}${String(low).padStart(6, '0')}`;
}
