import { describe, expect, it } from 'vitest';
import { TesseraError } from '../../core/errors.js';
import { retryAborted } from './retry-aborted.js';

const aborted = (code: string) => Object.assign(new Error('deadlock detected'), { code });
const noWait = async () => undefined;

describe('retryAborted', () => {
  it.each(['40P01', '40001'])('runs a method PostgreSQL aborted (%s) again until it succeeds', async (code) => {
    let calls = 0;
    const ops = retryAborted({ async change(n: number) {
      calls++;
      if (calls < 3) throw aborted(code);
      return n * 2;
    } }, noWait);
    await expect(ops.change(21)).resolves.toBe(42);
    expect(calls).toBe(3);
  });

  it('answers 409 CONFLICT after the last try, and never retries other errors', async () => {
    let calls = 0;
    const ops = retryAborted({
      async alwaysAborted() {
        calls++;
        throw aborted('40P01');
      },
      async unique() {
        calls++;
        throw aborted('23505');
      },
    }, noWait);
    const error = await ops.alwaysAborted().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TesseraError);
    expect((error as TesseraError).code).toBe('CONFLICT');
    expect(calls).toBe(5);
    calls = 0;
    await expect(ops.unique()).rejects.toMatchObject({ code: '23505' });
    expect(calls).toBe(1);
  });
});
