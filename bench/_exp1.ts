import { createMachine } from '../src/engine/index';
import { faultersAndTruncate } from './ladder';
import { explore } from '../src/scenario/explorer';
const n = +(process.argv[2] ?? 2);
const reds = (process.argv[3] ?? 'dpor,state').split(',');
for (const variant of ['2.5.70', 'truncate-seq']) {
  const w = faultersAndTruncate(n);
  const make = () => createMachine(w, { fault: variant });
  for (const red of reds) {
    const r = explore(make, { reduction: red as any, timeLimitMs: +(process.argv[4] ?? 60000), shrink: false });
    console.log(n, variant, red, r.reduction, 'states', r.states, 'sched', r.schedules, 'steps', r.steps, 'pruned', r.pruned, 'ms', r.timeMs.toFixed(0), r.complete, r.violations.map((v) => v.invariant).join(','));
  }
}
