// Checkpointed versus full-replay exploration on the ladder's N=2 worlds (complete searches, where
// checkpoints are also taken deeper than the start: wherever every task is done or not started).
import { describe, expect, it } from 'vitest';

import { faultersAndTruncate } from '../../../bench/ladder';
import { createMachine } from '../../../src/engine/index';

import { same } from './fixtures/sameSearch';

describe('checkpointed versus full-replay exploration, ladder', () => {
  it('the ladder at N=2 (complete), where checkpoints are taken deeper than the start', () => {
    // 2.5.70: a violation, so its counterexample is compared too (truncate-seq takes three times as long)
    for (const fault of ['2.5.70']) {
      const w = faultersAndTruncate(2);
      const make = () => createMachine(w, { fault });
      const r = same(make, { shrink: false });
      expect(r.complete).toBe(true);
    }
  });
});
