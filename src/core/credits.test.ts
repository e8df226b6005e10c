import { describe, expect, it } from 'vitest';
import { checkCredits, creditsAt, nextRefillAt, refillPeriodStart } from './credits.js';
import { TesseraError } from './errors.js';

const utc = (text: string) => Date.parse(text);

describe('credits', () => {
  it('starts a balance in the current refill period, and refills it to the amount once a new period begins', () => {
    const now = utc('2026-03-10T12:34:56Z');
    const credits = checkCredits({ remaining: 3, refill: { amount: 100, interval: '1h' } }, now);
    expect(credits).toEqual({ remaining: 3, refill: { amount: 100, intervalMs: 3_600_000 }, strict: false, refilledAtMs: utc('2026-03-10T12:00:00Z') });
    expect(creditsAt(credits, utc('2026-03-10T12:59:59Z'))).toEqual({ remaining: 3, periodMs: utc('2026-03-10T12:00:00Z') });
    // Unused credits do not pile up: a refill sets the amount, however many periods have passed.
    expect(creditsAt(credits, utc('2026-03-11T09:00:00Z'))).toEqual({ remaining: 100, periodMs: utc('2026-03-11T09:00:00Z') });
  });

  it.each([
    [31, '2026-02-15T00:00:00Z', '2026-01-31T00:00:00Z', '2026-02-28T00:00:00Z'],
    [31, '2026-03-01T00:00:00Z', '2026-02-28T00:00:00Z', '2026-03-31T00:00:00Z'],
    [1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'],
    [15, '2026-01-14T23:59:59Z', '2025-12-15T00:00:00Z', '2026-01-15T00:00:00Z'],
  ])('a monthly refill on day %i: at %s the period began %s and the next begins %s (short months use their last day)', (day, now, start, next) => {
    const refill = { amount: 10, monthlyOn: day };
    expect(new Date(refillPeriodStart(refill, utc(now))).toISOString()).toBe(new Date(utc(start)).toISOString());
    expect(new Date(nextRefillAt(refill, utc(now))!).toISOString()).toBe(new Date(utc(next)).toISOString());
  });

  it('without a refill, a balance is one period for ever', () => {
    const credits = checkCredits({ remaining: 5, strict: true }, 123_456);
    expect(credits).toEqual({ remaining: 5, refill: null, strict: true, refilledAtMs: 0 });
    expect(creditsAt(credits, 9e12)).toEqual({ remaining: 5, periodMs: 0 });
    expect(nextRefillAt(null, 0)).toBeNull();
  });

  it.each([
    [{ remaining: -1 }, 'credits.remaining'],
    [{ remaining: 1.5 }, 'credits.remaining'],
    [{ remaining: 1e13 }, 'credits.remaining'],
    [{ remaining: 1, refill: { amount: 0, interval: 60 } }, 'credits.refill.amount'],
    [{ remaining: 1, refill: { amount: 5 } }, 'credits.refill'],
    [{ remaining: 1, refill: { amount: 5, interval: 60, monthlyOn: 3 } }, 'credits.refill'],
    [{ remaining: 1, refill: { amount: 5, interval: 59 } }, 'credits.refill.interval'],
    [{ remaining: 1, refill: { amount: 5, interval: 'soon' } }, 'credits.refill.interval'],
    [{ remaining: 1, refill: { amount: 5, monthlyOn: 32 } }, 'credits.refill.monthlyOn'],
  ])('refuses %j naming %s', (input, field) => {
    let thrown: unknown;
    try {
      checkCredits(input, 0);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TesseraError);
    expect(thrown).toMatchObject({ code: 'BAD_REQUEST', field });
  });
});
