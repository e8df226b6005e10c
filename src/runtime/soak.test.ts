// The one-minute soak of `npm test`: bench/soak-bench.mjs's mixed traffic (checks, forward auth, creates, rotations,
// revokes, disables, catalog changes, JWT issuance) against a real `tessera serve` child on SQLite, every answer
// judged against the token's state. Two workers rather than the bench's eight keep its CPU modest beside the suite;
// no creates, so that the tokens (and what caches may hold of them) are a fixed set and memory should level off
// within the minute (the bench's creates grow the data, and a quick run's heap with them).
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the benchmarks, without types
import { MIN_KEPT_READINGS, driftAfterWarmup, soakSqlite } from '../../bench/soak-bench.mjs';

interface SoakResult {
  requests: number;
  fiveXx: number;
  wrong: number;
  examples: string[];
  drift: { rss: number; heap: number; kept: number; keptReadings: number };
}

const percent = (x: number) => `${(x * 100).toFixed(1)}%`;

describe('a one-minute soak of tessera serve on SQLite', () => {
  it('answers no 5xx and nothing wrong over a minute of mixed traffic', { timeout: 240_000 }, async () => {
    const lines: string[] = [];
    const result = (await soakSqlite({ seconds: 60, tokens: 200, sampleMs: 2000, workers: 2, creates: false, forceGc: true, log: (line: string) => lines.push(line) })) as SoakResult;
    const report = lines.join('\n');
    expect(result.requests, report).toBeGreaterThan(1000);
    expect(result.fiveXx, report).toBe(0);
    expect(result.wrong, report).toBe(0);
    // Memory: the heap kept after full collections (tessera_heap_after_full_gc_bytes) must not grow once warm: with a
    // fixed set of tokens nothing should be kept per request. The heap used at a sample is a sawtooth of uncollected
    // garbage and says nothing about leaks; RSS settles over minutes (V8 sizes its spaces to the load), so the minute
    // holds it only to a loose bound and the ten-minute soak (`npm run bench -- --only=soak`) to the 10%.
    // Left to itself V8 collects in full too seldom for a minute (once in its first 46 s in CI, once in two minutes on
    // Node 24), so the server is started with bench/gc-on-signal.mjs and each sample first asks for a full collection:
    // about thirty readings. One still keeps what is in flight at that moment (a usage window being written, a catalog
    // apply), so the floor of the later half of the readings is held to 25% over the floor of the earlier half: some
    // 10 MiB over ~40 MiB kept, and the halves lie 30 s and 100,000 requests or more apart, so a leak of 100 bytes a
    // request fails.
    expect(result.drift.keptReadings, report).toBeGreaterThanOrEqual(MIN_KEPT_READINGS);
    console.log(`soak memory drift after warm-up: RSS ${percent(result.drift.rss)}, heap kept after full GC ${percent(result.drift.kept)} (${result.drift.keptReadings} collections)`);
    expect(result.drift.kept, report).toBeLessThanOrEqual(0.25);
    // RSS follows the heap's sawtooth: before collections were forced, a last third with no full collection held its
    // garbage (seen: heap used 50 → 138 MiB, kept heap flat) and lifted RSS by 29% with nothing leaked. The minute bounds RSS at 50%
    // (about 80 MiB more in 20 s: a native leak that fast still fails); the ten-minute soak holds it to 10%.
    expect(result.drift.rss, report).toBeLessThanOrEqual(0.5);
  });
});

describe('the soak\'s judgement of the heap kept after full collections', () => {
  // Samples as the soak takes them: each repeats the last full collection's figure until the next one.
  const samples = (kept: number[]) => kept.map((mib, t) => ({ t, instance: 0, rss: 1, heap: 1, heapTotal: 1, external: 1, outside: 1, live: mib * 2 ** 20 }));

  it('gives no figure from too few collections under traffic', () => {
    // Seen in CI: start-up's collection (34.9 MiB) held for 46 s, then two under traffic.
    const drift = driftAfterWarmup(samples([34.9, 34.9, 34.9, 46.3, 46.3, 61.8, 61.8]), 1) as SoakResult['drift'];
    expect(drift.keptReadings).toBe(2);
    expect(drift.kept).toBeNaN();
  });

  it('is not moved by one collection that happened to keep more', () => {
    const drift = driftAfterWarmup(samples([25, 41, 41, 43, 61.8, 61.8, 42, 44, 41.5, 45]), 1) as SoakResult['drift'];
    expect(drift.keptReadings).toBe(7);
    expect(drift.kept).toBeCloseTo(41.5 / 41 - 1, 5);
  });

  it('sees a heap that keeps growing', () => {
    const drift = driftAfterWarmup(samples([25, 40, 44, 48, 52, 56, 60, 64]), 1) as SoakResult['drift'];
    expect(drift.kept).toBeCloseTo(56 / 40 - 1, 5);
    expect(drift.kept).toBeGreaterThan(0.25);
  });
});
