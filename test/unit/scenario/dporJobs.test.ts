// The partial-order reduced search split into subtrees on worker threads (--jobs).
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { faultersAndTruncate } from '../../../bench/ladder';
import { createMachine } from '../../../src/engine/index';
import { explore } from '../../../src/scenario/explorer';

import { names } from './fixtures/bundled';
import { CounterMachine, type Instr } from './fixtures/counterMachine';

describe('partitioned search (--jobs)', () => {
  it('gives the same result for 1 and 2 workers, apart from times, with the verdicts of the plain search', async () => {
    const { build } = await import('esbuild');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'mmx-worker-'));
    const workerScript = join(dir, 'exploreWorker.js');
    await build({
      entryPoints: [join(__dirname, '../../../src/scenario/exploreWorker.ts')],
      outfile: workerScript,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      logLevel: 'error',
    });
    const { exploreAsync } = await import('../../../src/scenario/explorer');
    const strip = (x: object) =>
      JSON.stringify(x, (k, v: unknown) => (['timeMs', 'firstViolationMs', 'foundAfterMs'].includes(k) ? undefined : v));
    for (const fault of ['2.5.70', 'truncate-seq']) {
      const w = faultersAndTruncate(2);
      const make = () => createMachine(w, { fault });
      const recipe = { world: w, selection: { fault } };
      const one = await exploreAsync(make, { jobs: 1, recipe, workerScript, shrink: false });
      const reports: { states: number; violations: number }[] = [];
      const two = await exploreAsync(make, {
        jobs: 2,
        recipe,
        workerScript,
        shrink: false,
        progressIntervalMs: 0,
        onProgress: (p) => reports.push({ states: p.states, violations: p.violations }),
      });
      // progress counts the states and violations of finished subtrees as they come in, never more than the total
      const states = reports.map((r) => r.states);
      expect(states).toEqual([...states].sort((a, b) => a - b));
      expect(states.at(-1)).toBe(two.states);
      expect(states.filter((n) => n > states[0] && n < two.states).length).toBeGreaterThan(0);
      expect(reports.at(-1)!.violations).toBe(two.violations.length);
      expect(one.complete).toBe(true);
      expect(strip(two)).toBe(strip(one));
      expect(names(one)).toEqual(names(explore(make, { shrink: false })));
    }
  }, 300_000);

  it('more tasks than partial-order reduction handles: the search hashes states, as without jobs', () => {
    const tasks: Instr[][] = Array.from({ length: 31 }, (_, i) => [{ k: 'write', v: `v${i}`, add: 1 }]);
    const make = () => new CounterMachine({ tasks });
    const whole = explore(make, { maxSchedules: 3, shrink: false });
    const split = explore(make, { maxSchedules: 3, shrink: false, jobs: 2 });
    expect(split.reduction).toBe('state');
    expect(split.schedules).toBe(whole.schedules);
    expect(split.incompleteReason).toBe('schedule-limit');
  });
});
