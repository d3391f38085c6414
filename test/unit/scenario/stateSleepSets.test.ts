// The state-hashing search keeps sleep sets: it must reach every state that the search taking every
// step reaches (up to the names of fresh pages, which two allocations in either order swap), every
// outcome and every verdict, with fewer steps; under a preemption bound it runs without them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { faultersAndTruncate } from '../../../bench/ladder';
import { createMachine, type WorldSpec } from '../../../src/engine/index';
import { explore, type ExploreResult } from '../../../src/scenario/explorer';
import { machineFactory } from '../../../src/scenario/runner';

import { bundled, loadBundled } from './fixtures/bundled';
import { outcome, stateUpToPfns } from './fixtures/outcome';
import { faultersWorld } from './fixtures/worlds';

interface Seen {
  r: ExploreResult;
  states: Set<string>;
  outcomes: Set<string>;
}

/** the state search on `w`, with every state it hashes and every final state, up to pfn names */
function search(w: WorldSpec, fault: string, sleepSets: boolean): Seen {
  const states = new Set<string>();
  const outcomes = new Set<string>();
  const make = () => {
    const m = createMachine(w, { fault });
    const hash = m.stateHash.bind(m);
    m.stateHash = () => {
      states.add(stateUpToPfns(m));
      return hash();
    };
    const finish = m.finish.bind(m);
    m.finish = () => {
      finish();
      outcomes.add(outcome(m));
    };
    return m;
  };
  const r = explore(make, { reduction: 'state', shrink: false, sleepSets });
  expect(r.complete).toBe(true);
  return { r, states, outcomes };
}

function same(w: WorldSpec, fault: string): { sleep: Seen; every: Seen } {
  const sleep = search(w, fault, true);
  const every = search(w, fault, false);
  expect([...sleep.states].sort()).toEqual([...every.states].sort());
  expect([...sleep.outcomes].sort()).toEqual([...every.outcomes].sort());
  expect(sleep.r.violations.map((v) => v.invariant)).toEqual(every.r.violations.map((v) => v.invariant));
  expect(sleep.r.steps).toBeLessThanOrEqual(every.r.steps);
  return { sleep, every };
}

describe('state search with sleep sets', () => {
  it('property: small worlds of faulters and a truncate, every state up to pfn names', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('2.5.70', 'truncate-seq', 'install_new_page', '2.6.11'),
        fc.constantFrom<[number[], boolean]>([[0], true], [[1], true], [[0, 1], false], [[0, 0], false], [[1, 0], false]),
        fc.integer({ min: 1, max: 2 }),
        fc.boolean(),
        (fault, [pageOf, truncate], pages, write) => {
          same(faultersWorld(pageOf, pages, truncate, write), fault);
        },
      ),
      { numRuns: 12 },
    );
  }, 300_000);

  it('one faulter and a truncate: the same states with a fraction of the steps', () => {
    const { sleep, every } = same(faultersAndTruncate(1), '2.5.70');
    expect(sleep.states.size).toBeGreaterThan(100);
    expect(sleep.r.steps * 2).toBeLessThan(every.r.steps);
    expect(sleep.r.schedules).toBeLessThan(every.r.schedules);
  }, 120_000);

  for (const fault of ['2.5.70', 'truncate-seq'])
    it.runIf(process.env.MMX_SLOW_SOUNDNESS)(
      `two faulters and a truncate, ${fault}`,
      () => {
        same(faultersAndTruncate(2), fault);
      },
      600_000,
    );

  it('under a preemption bound the search is the one without sleep sets', () => {
    const make = () => createMachine(faultersAndTruncate(1), { fault: '2.5.70' });
    const a = explore(make, { reduction: 'state', maxPreemptions: 2, shrink: false });
    const b = explore(make, { reduction: 'state', maxPreemptions: 2, shrink: false, sleepSets: false });
    const times = (r: ExploreResult) => ({
      ...r,
      timeMs: 0,
      firstViolationMs: 0,
      violations: r.violations.map((v) => ({ ...v, foundAfterMs: 0 })),
    });
    expect(times(a)).toEqual(times(b));
  }, 60_000);

  // about a minute of CPU: MMX_SLOW_SOUNDNESS=1
  it.runIf(process.env.MMX_SLOW_SOUNDNESS)(
    'the bundled scenarios: the same verdicts and counterexamples with and without',
    () => {
      for (const file of bundled) {
        const s = loadBundled(file);
        for (const col of s.columns) {
          const make = machineFactory(s, col.selection);
          const run = (sleepSets: boolean) =>
            explore(make, { reduction: 'state', maxSteps: s.bounds.steps, shrink: false, sleepSets, timeLimitMs: 3000 });
          const a = run(true);
          const b = run(false);
          if (!a.complete || !b.complete) continue;
          expect(
            a.violations.map((v) => [v.invariant, v.schedule]),
            `${file} ${col.label}`,
          ).toEqual(b.violations.map((v) => [v.invariant, v.schedule]));
        }
      }
    },
    600_000,
  );
});
