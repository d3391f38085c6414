// Partial-order reduction reaches every final state: the set of outcomes (results, violations and the
// final kernel state with pfns replaced by what the pages are) of the reduced search equals that of the
// state-hashing search, on the ladder's worlds and on random small worlds. Stronger than comparing
// verdicts: a dependency relation that misses a race loses outcomes long before it loses a verdict.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { faultersAndTruncate } from '../../../bench/ladder';
import { createMachine } from '../../../src/engine/index';
import type { WorldSpec } from '../../../src/engine/index';
import { explore, type Reduction } from '../../../src/scenario/explorer';

import { outcome } from './fixtures/outcome';
import { faultersWorld as world } from './fixtures/worlds';

function outcomes(w: WorldSpec, fault: string, reduction: Reduction, stateCache = true): Set<string> {
  const seen = new Set<string>();
  const make = () => {
    const m = createMachine(w, { fault });
    const finish = m.finish.bind(m);
    m.finish = () => {
      finish();
      seen.add(outcome(m));
    };
    return m;
  };
  const r = explore(make, { reduction, shrink: false, stateCache });
  expect(r.complete).toBe(true);
  expect(r.reduction).toBe(reduction);
  return seen;
}

describe('dpor reaches every outcome of the state-hashing search', () => {
  it('property: small worlds of faulters (one page each or a shared one) and a truncate', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('2.5.70', 'truncate-seq', 'install_new_page'),
        fc.constantFrom<[number[], boolean]>([[0], true], [[1], true], [[0, 1], false], [[0, 0], false], [[1, 0], false]),
        fc.integer({ min: 1, max: 2 }),
        fc.boolean(),
        (fault, [pageOf, truncate], pages, write) => {
          const w = world(pageOf, pages, truncate, write);
          const ref = [...outcomes(w, fault, 'state')].sort();
          // revisits cut (their races found from the explored tree), and the stateless search
          expect([...outcomes(w, fault, 'dpor')].sort()).toEqual(ref);
          expect([...outcomes(w, fault, 'dpor', false)].sort()).toEqual(ref);
        },
      ),
      { numRuns: 10 },
    );
  }, 300_000);

  // the ladder's two faulters and a truncate: about a minute of CPU for the reference search
  for (const fault of ['2.5.70', 'truncate-seq'])
    it.runIf(process.env.MMX_SLOW_SOUNDNESS)(
      `two faulters and a truncate, ${fault}`,
      () => {
        const w = faultersAndTruncate(2);
        const ref = [...outcomes(w, fault, 'state')].sort();
        expect(ref.length).toBeGreaterThan(1);
        expect([...outcomes(w, fault, 'dpor')].sort()).toEqual(ref);
        expect([...outcomes(w, fault, 'dpor', false)].sort()).toEqual(ref);
      },
      600_000,
    );
});
