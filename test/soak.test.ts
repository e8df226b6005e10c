// The one-minute soak of `npm test`: bench/soak-bench.mjs's mixed traffic (checks, forward auth, creates, rotations,
// revokes, disables, catalog changes, JWT issuance) against a real `tessera serve` child on SQLite, every answer
// judged against the token's state. Two workers rather than the bench's eight keep its CPU modest beside the suite;
// no creates, so that the tokens (and what caches may hold of them) are a fixed set and memory should level off
// within the minute (the bench's creates grow the data, and a quick run's heap with them).
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the benchmarks, without types
import { soakSqlite } from '../bench/soak-bench.mjs';

interface SoakResult {
  requests: number;
  fiveXx: number;
  wrong: number;
  examples: string[];
  drift: { rss: number; heap: number };
}

describe('a one-minute soak of tessera serve on SQLite', () => {
  it('answers no 5xx and nothing wrong over a minute of mixed traffic', { timeout: 240_000 }, async () => {
    const lines: string[] = [];
    const result = (await soakSqlite({ seconds: 60, tokens: 200, sampleMs: 2000, workers: 2, creates: false, log: (line: string) => lines.push(line) })) as SoakResult;
    const report = lines.join('\n');
    expect(result.requests, report).toBeGreaterThan(1000);
    expect(result.fiveXx, report).toBe(0);
    expect(result.wrong, report).toBe(0);
    // Memory is measured and printed (`drift`: last third of the samples over the middle third) but not yet held to
    // the 10%: on this fixed set of tokens the heap still rose 17-41% within the minute (RSS 9-18%), which
    // is open in docs/operations.md until the cause is found; a bound set to pass today would hide it.
    console.log(`soak memory drift after warm-up: RSS ${(result.drift.rss * 100).toFixed(1)}%, heap ${(result.drift.heap * 100).toFixed(1)}%`);
  });
});
