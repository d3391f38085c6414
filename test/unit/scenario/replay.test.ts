// The state-hashing search comes back to a state by Machine.replay, which skips footprints and the
// per-step checks (the reads-from digests are kept per step of the path, and the violations the
// steps recorded are logged again). Against the same search replaying through Machine.step (a
// machine without replay): the same counts, steps, violations, occurrences and counterexamples, on
// every bundled scenario and column.
import { describe, expect, it } from 'vitest';

import type { Machine } from '../../../src/engine/index';
import { explore, type ExploreOptions, type ExploreResult, type MachineFactory } from '../../../src/scenario/explorer';
import { machineFactory } from '../../../src/scenario/runner';

import { bundled, loadBundled } from './fixtures/bundled';

/** the same machines without Machine.replay: a replay takes every step with step() */
function withoutReplay(make: MachineFactory): MachineFactory {
  return () =>
    new Proxy(make(), {
      get(target: Machine, key) {
        if (key === 'replay') return undefined;
        const v: unknown = Reflect.get(target, key, target);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
}

const strip = (r: ExploreResult) =>
  JSON.stringify(r, (k, v: unknown) => (['timeMs', 'firstViolationMs', 'foundAfterMs'].includes(k) ? undefined : v));

function same(make: () => MachineFactory, opts: ExploreOptions): void {
  const fast = explore(make(), opts);
  const stepped = explore(withoutReplay(make()), opts);
  expect(stepped.reduction).toBe('state');
  expect(strip(fast)).toEqual(strip(stepped));
}

describe('state search: replay without checks versus replay through step()', () => {
  for (const file of bundled) {
    const s = loadBundled(file);
    for (const col of s.columns) {
      it(`${file} ${col.label}`, () => {
        const make = () => machineFactory(s, col.selection);
        const base: ExploreOptions = { maxSteps: s.bounds.steps, shrink: false, maxSchedules: 300, reduction: 'state' };
        same(make, base);
        same(make, { ...base, maxPreemptions: 1 });
      }, 90_000);
    }
  }
});
