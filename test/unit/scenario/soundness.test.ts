// The state-hashing reduction on the real engine: the same invariants and the same distinct states
// as the search over every interleaving, on small bounded cases of the bundled scenarios.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { explore } from '../../../src/scenario/explorer';
import { loadScenario, machineFactory } from '../../../src/scenario/runner';

function load(name: string) {
  const file = join(__dirname, '../../../scenarios', name);
  return loadScenario(readFileSync(file, 'utf8'), file).scenario!;
}

describe('reduced versus unreduced search (one preemption)', () => {
  for (const [file, labels] of [
    ['truncate-race.mmscenario.yaml', ['2.5.70', 'truncate-seq']],
    ['anon-fault.mmscenario.yaml', ['2.5.70', 'install_new_page-hch']],
    ['dma-pin.mmscenario.yaml', ['put_user_page']],
  ] as const) {
    const s = load(file);
    for (const label of labels) {
      it(`${file} ${label}`, () => {
        const col = s.columns.find((c) => c.label === label)!;
        const make = machineFactory(s, col.selection);
        const all = explore(make, { maxPreemptions: 1, reduction: 'none', shrink: false });
        const red = explore(make, { maxPreemptions: 1, reduction: 'state', shrink: false });
        expect(all.complete && red.complete).toBe(true);
        expect(red.violations.map((v) => v.invariant).sort()).toEqual(all.violations.map((v) => v.invariant).sort());
        expect(red.states).toBe(all.states);
        expect(red.steps).toBeLessThanOrEqual(all.steps);
      });
    }
  }
});
