// Fuzzing the diff reader: 10,000 patches mutated the ways mail and web copies damage them (dropped
// lines, wrong counts, stripped whitespace, joined lines, truncation, random bytes). No exception may
// escape and no run may take over 100 ms. A smaller run does the same through the whole analysis.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';

import { analyzeWith } from '../../../src/patch/analyze';
import { loadCParser, type CParser } from '../../../src/patch/cParser';

import { BASES, mutate, op, readAll } from './diffFuzzHelpers';

/** Wall time of one read; a run over the limit is retried twice so that a descheduled process (2 shared cores) is not taken for a slow reader. */
function timed(bytes: Uint8Array, limit: number): { dt: number; r: ReturnType<typeof readAll> } {
  let best = Infinity;
  let r: ReturnType<typeof readAll> | undefined;
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    r = readAll(bytes);
    best = Math.min(best, performance.now() - t0);
    if (best < limit) break;
  }
  return { dt: best, r: r! };
}

describe('diff reader fuzzing', () => {
  it('10,000 mutated patches: no exception, none over 100 ms', () => {
    let slowest = 0;
    let runs = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: BASES.length - 1 }), fc.array(op, { maxLength: 8 }), (b, ops) => {
        const bytes = mutate(BASES[b], ops);
        const { dt, r } = timed(bytes, 100);
        slowest = Math.max(slowest, dt);
        runs++;
        for (const p of r.problems) {
          if (!(p.line >= 0) || typeof p.message !== 'string' || p.message.length === 0) return false;
        }
        return dt < 100;
      }),
      { numRuns: 10_000, seed: 20260523 },
    );
    expect(runs).toBe(10_000);
    expect(slowest).toBeLessThan(100);
  }, 120_000);

  it('a truncated or count-damaged hunk is reported, never silently accepted', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), (delta) => {
        const base = BASES[0];
        const bytes = mutate(base, [{ t: 'count', at: 0, delta }]);
        const r = readAll(bytes);
        return r.problems.some((p) => /truncated|more changed line|do not allow/.test(p.message));
      }),
      { numRuns: 30, seed: 7 },
    );
  });

  describe('through the whole analysis', () => {
    let parser: CParser;
    beforeAll(async () => {
      parser = await loadCParser();
    });
    it('150 mutated patches analysed without an exception', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: BASES.length - 1 }), fc.array(op, { maxLength: 6 }), (b, ops) => {
          const a = analyzeWith(mutate(BASES[b], ops), 'fuzz', parser);
          return (
            a.coverage.hunksRecovered <= a.coverage.hunksSeen &&
            a.problems.every((p) => p.severity !== 'error' || !/failed/.test(p.message))
          );
        }),
        { numRuns: 150, seed: 42 },
      );
    }, 120_000);
  });

  it('a 100 MB input is read in bounded time', () => {
    const unit = BASES[0];
    const n = Math.ceil((100 * 1024 * 1024) / unit.length);
    const big = unit.repeat(n);
    const t0 = performance.now();
    const r = readAll(new Uint8Array(Buffer.from(big)));
    const dt = performance.now() - t0;
    expect(r.hunks).toBe(2 * n);
    expect(dt).toBeLessThan(60_000);
  }, 120_000);

  it('a 5 MB single line without newlines does not hang', () => {
    const line = '@@ -1,2 +1,2 @@ a; - b; + c; '.repeat(175_000);
    const t0 = performance.now();
    const r = readAll(new Uint8Array(Buffer.from('--- a/x.c +++ b/x.c ' + line)));
    expect(performance.now() - t0).toBeLessThan(30_000);
    expect(r.hunks).toBeGreaterThan(0);
  }, 60_000);

  it('long adversarial lines (comment runs, repeated headers, dates) stay linear', () => {
    const cases = [
      '--- a/x.c +++ b/x.c @@ -1,2 +1,2 @@ ' + '* x '.repeat(500_000),
      '--- a/x.c +++ b/x.c @@ -1,2 +1,2 @@ ' + '/* x '.repeat(400_000),
      'diff --git ' + 'a/ b/ '.repeat(400_000),
      '--- a/x.c' + ' 2003-05-26 18:00'.repeat(200_000) + '\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n',
      '--- a/x.c +++ b/x.c @@ -1,2 +1,2 @@ ' + ' --- y'.repeat(300_000),
      '@@ -1,2 +1,2 @@ ' + 'if ( - x'.repeat(300_000),
    ];
    for (const c of cases) {
      const t0 = performance.now();
      readAll(new Uint8Array(Buffer.from(c)));
      expect(performance.now() - t0, c.slice(0, 30)).toBeLessThan(10_000);
    }
  }, 120_000);
});
