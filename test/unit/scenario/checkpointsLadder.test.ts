// Checkpointed versus full-replay exploration on the ladder's N=2 worlds (complete searches, where
// checkpoints are also taken deeper than the start: wherever every task is done or not started).
import { describe, expect, it } from 'vitest';

import { faultersAndTruncate } from '../../../bench/ladder';
import { createMachine } from '../../../src/engine/index';
import { explore } from '../../../src/scenario/explorer';

import { same } from './fixtures/sameSearch';

describe('checkpointed versus full-replay exploration, ladder', () => {
  it('the ladder at N=2 (complete), where checkpoints are taken deeper than the start', () => {
    // 2.5.70: a violation, so its counterexample is compared too (truncate-seq takes three times as long)
    for (const fault of ['2.5.70']) {
      const w = faultersAndTruncate(2);
      let built = 0;
      const make = () => (built++, createMachine(w, { fault }));
      const r = same(make, { shrink: false });
      expect(r.complete).toBe(true);
      // `same` allows equal steps: here the deeper checkpoints must save some, and a search that went
      // back by rebuilding (checkpoints refused, silently) would build a machine per backtrack
      built = 0;
      const full = explore(make, { shrink: false, checkpoints: false });
      const rebuilt = built;
      built = 0;
      const cp = explore(make, { shrink: false });
      expect(cp.steps).toBeLessThan(full.steps);
      expect(rebuilt).toBeGreaterThan(100);
      // a few for the setup (the task count, the machine and its checkpoint twin), none per backtrack
      expect(built).toBeLessThanOrEqual(4);
    }
  });
});
