// Going back through machine checkpoints (rewind.ts) against rebuilding the machine and replaying the
// whole prefix: on every bundled scenario and column, with partial-order reduction (whole, and split
// into subtrees), state hashing and no reduction, the searches are the same: counts, completeness,
// violations and their counterexamples. Only the steps replayed may differ (fewer, never more).
// Counterexamples are compared as found: shrinking replays whole runs and never rewinds.
import { describe, it } from 'vitest';

import type { ExploreOptions } from '../../../src/scenario/explorer';
import { machineFactory } from '../../../src/scenario/runner';

import { bundled, loadBundled } from './fixtures/bundled';
import { same } from './fixtures/sameSearch';

describe('checkpointed versus full-replay exploration', () => {
  for (const file of bundled) {
    const s = loadBundled(file);
    for (const col of s.columns) {
      it(`${file} ${col.label}`, () => {
        const make = machineFactory(s, col.selection);
        const base: ExploreOptions = { maxSteps: s.bounds.steps, shrink: false, maxSchedules: 400 };
        same(make, { ...base, reduction: 'dpor' });
        same(make, { ...base, reduction: 'dpor', jobs: 2 });
        same(make, { ...base, reduction: 'state', maxPreemptions: 1 });
        same(make, { ...base, reduction: 'none', maxPreemptions: 1, maxSchedules: 150 });
        // eight searches: hugetlbfs-truncate's take about 10 s alone, more beside the other test files
      }, 90_000);
    }
  }
});
