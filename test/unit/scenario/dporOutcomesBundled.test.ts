// Partial-order reduction reaches every outcome of the state-hashing search on every bundled scenario
// and column (dporOutcomes.test.ts does it on generated worlds). About 80 s of CPU: MMX_SLOW_SOUNDNESS=1.
import { describe, expect, it } from 'vitest';

import { explore, type Reduction } from '../../../src/scenario/explorer';
import { machineFactory } from '../../../src/scenario/runner';

import { bundled, loadBundled } from './fixtures/bundled';
import { outcome } from './fixtures/outcome';

/** the reference search does not finish in time */
const TOO_BIG = new Set(['hugetlbfs-truncate.mmscenario.yaml']);

describe.runIf(process.env.MMX_SLOW_SOUNDNESS)('dpor reaches every outcome on the bundled scenarios', () => {
  for (const file of bundled.filter((f) => !TOO_BIG.has(f))) {
    const s = loadBundled(file);
    for (const col of s.columns) {
      const name = `${file} ${col.label}`;
      it(
        name,
        () => {
          const run = (reduction: Reduction) => {
            const seen = new Set<string>();
            const base = machineFactory(s, col.selection);
            const make = () => {
              const m = base();
              const finish = m.finish.bind(m);
              m.finish = () => {
                finish();
                seen.add(outcome(m));
              };
              return m;
            };
            const r = explore(make, { reduction, shrink: false, maxSteps: s.bounds.steps, timeLimitMs: 20_000 });
            expect(r.complete).toBe(true);
            return seen;
          };
          const por = run('dpor');
          const ref = run('state');
          expect([...por].sort()).toEqual([...ref].sort());
        },
        120_000,
      );
    }
  }
});
